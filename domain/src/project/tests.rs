use super::*;

fn good() -> ProjectInput {
    ProjectInput {
        name: "capstone-shop".into(),
        region: "ap-northeast-2".into(),
        instance: "i-0123456789abcdef0".into(),
        app_port: "8000".into(),
        health_path: "/health".into(),
        bucket: "capstone-shop-frontend".into(),
        framework: "django".into(),
    }
}

#[test]
fn good_input_parses() {
    let spec = good().parse().unwrap();
    assert_eq!(spec.app_port, 8000);
    assert_eq!(spec.to_input(), good());
}

#[test]
fn every_field_reports_its_own_error() {
    let bad = ProjectInput {
        name: " ".into(),
        region: "seoul".into(),
        instance: "10.0.0.5".into(),
        app_port: "70000".into(),
        health_path: "health".into(),
        bucket: "My_Bucket".into(),
        framework: "rails".into(),
    };
    let errors = bad.parse().unwrap_err();
    for f in Field::ALL {
        assert!(errors.get(f).is_some(), "no error for {f:?}");
    }
    assert!(errors.get(Field::Instance).unwrap().contains("private"));
    assert!(errors.get(Field::HealthPath).unwrap().contains("/health"));
}

#[test]
fn field_errors_are_in_english_and_korean_and_travel_as_json() {
    let bad = ProjectInput {
        name: "".into(),
        region: "seoul".into(),
        instance: "i-xyz".into(),
        app_port: "0".into(),
        health_path: "https://x.com/health".into(),
        bucket: "ab".into(),
        framework: "".into(),
    };
    let errors = bad.parse().unwrap_err();
    let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    for f in Field::ALL {
        let en = errors.get(f).unwrap_or_else(|| panic!("no error for {f:?}"));
        assert_eq!(errors.said(f, false), Some(en));
        assert!(!hangul(en), "{f:?} English has Korean: {en}");
        let ko = errors.said(f, true).unwrap();
        assert!(hangul(ko), "{f:?} has no Korean: {ko}");
        assert_ne!(ko, en);
    }
    assert!(errors.said(Field::Region, true).unwrap().contains("\"seoul\""), "the input is kept in Korean too");
    let json = serde_json::to_string(&errors).unwrap();
    let back: FieldErrors = serde_json::from_str(&json).unwrap();
    assert_eq!(back, errors);
    assert_eq!(back.said(Field::AppPort, true), errors.said(Field::AppPort, true));
}

#[test]
fn one_bad_field_only_flags_that_field() {
    let mut input = good();
    input.app_port = "22".into();
    let errors = input.parse().unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors.get(Field::AppPort).unwrap().contains("SSH"));
}

#[test]
fn instance_forms() {
    assert_eq!(InstanceRef::parse("54.180.1.2").unwrap().to_string(), "54.180.1.2");
    assert!(InstanceRef::parse("i-ABCDEF12").is_ok() && InstanceRef::parse("i-0ABCDEF123").is_err());
    assert!(InstanceRef::parse("i-xyz").is_err());
    assert!(InstanceRef::parse("192.168.0.1").is_err());
    assert!(InstanceRef::parse("100.64.0.1").is_err());
}

#[test]
fn health_path_stays_on_the_api_host() {
    // Issue 19: a network-path reference becomes a request to another host when joined.
    for (bad, says) in [
        ("//10.0.0.5:9200/_cat", "two slashes"),
        ("/\\evil", "cannot contain \"\\\""),
        ("/\\\\10.0.0.5/x", "cannot contain \"\\\""),
        ("http://x", "not a full address"),
        ("https://x.com/health", "not a full address"),
        ("/health;rm", "cannot contain \";\""),
        ("/a b", "cannot contain a space"),
        ("/a@b", "cannot contain \"@\""),
        ("/health#top", "cannot contain \"#\""),
        ("/a%2", "escape of two hex digits"),
        ("/a%zz", "escape of two hex digits"),
    ] {
        let e = HealthPath::parse(bad).map(|p| p.to_string()).unwrap_err();
        assert!(e.en.contains(says), "{bad:?}: {}", e.en);
        assert!(e.ko.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)), "{bad:?}: {}", e.ko);
        let errors = ProjectInput { health_path: bad.into(), ..good() }.parse().unwrap_err();
        assert_eq!(errors.get(Field::HealthPath), Some(e.en.as_str()), "the field says it");
    }
    for ok in ["/health", "/api/health?x=1", "/a-b_c.d~e/f?x=1&y=%2F", "/"] {
        assert_eq!(HealthPath::parse(ok).unwrap().as_str(), ok);
    }
    assert!(serde_json::from_str::<HealthPath>("\"//10.0.0.5:9200/_cat\"").is_err(), "nor from storage");
}

#[test]
fn bucket_rules() {
    assert!(BucketName::parse("s3://my-site/").is_ok());
    assert!(BucketName::parse("ab").is_err());
    assert!(BucketName::parse("-ab").is_err());
    assert!(BucketName::parse("a..b").is_err());
    assert!(BucketName::parse("1.2.3.4").is_err());
}
