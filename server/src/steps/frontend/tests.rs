//! The pure rules of the frontend steps (`rules.rs`, `policy.rs`) and their messages.

use super::rules::conflict_error;
use super::*;
use crate::ports::LOCKSTEP_COMMENT_PREFIX;
use crate::ports::{CertStatus, CertificateInfo, DistributionInfo, DistributionStatus, OriginKind, OriginSummary};
use serde_json::Value;

fn n(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}
fn r(s: &str) -> Region {
    Region::parse(s).unwrap()
}
fn arn(s: &str) -> Arn {
    Arn::parse(s).unwrap()
}

fn cert(domain: &str, names: &[&str], status: CertStatus) -> CertificateInfo {
    CertificateInfo {
        arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc".into(),
        domain: domain.into(),
        names: names.iter().map(|s| s.to_string()).collect(),
        status,
        validation: vec![],
        failure_reason: None,
        in_use_by: vec![],
        created_at_ms: None,
        not_after_ms: None,
    }
}

fn dist(id: &str, comment: &str, origin: &str, aliases: &[&str]) -> DistributionInfo {
    DistributionInfo {
        id: id.into(),
        arn: format!("arn:aws:cloudfront::123456789012:distribution/{id}"),
        domain_name: format!("{}.cloudfront.net", id.to_ascii_lowercase()),
        status: DistributionStatus::Deployed,
        enabled: true,
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        etag: None,
        comment: comment.into(),
        caller_reference: None,
        origins: vec![OriginSummary {
            id: "o".into(),
            domain_name: origin.into(),
            protocol_policy: None,
            oac_id: None,
        }],
        viewer_protocol_policy: None,
        default_root_object: None,
        error_responses: vec![],
        certificate_arn: None,
        price_class: None,
    }
}

#[test]
fn website_endpoints_use_a_dash_in_old_regions_and_a_dot_in_newer_ones() {
    assert_eq!(website_endpoint("shop", &r("us-east-1")), "shop.s3-website-us-east-1.amazonaws.com");
    assert_eq!(website_endpoint("shop", &r("ap-northeast-1")), "shop.s3-website-ap-northeast-1.amazonaws.com");
    assert_eq!(website_endpoint("shop", &r("ap-northeast-2")), "shop.s3-website.ap-northeast-2.amazonaws.com");
    assert_eq!(website_endpoint("shop", &r("eu-central-1")), "shop.s3-website.eu-central-1.amazonaws.com");
    assert_eq!(rest_endpoint("shop", &r("ap-northeast-2")), "shop.s3.ap-northeast-2.amazonaws.com");
}

#[test]
fn names_fit_aws_limits() {
    let long = "b".repeat(63);
    assert_eq!(oac_name(&long).len(), 64);
    assert!(comment(&"p".repeat(100), &long).len() <= 128);
    assert!(comment("shop", "shop-web").starts_with(LOCKSTEP_COMMENT_PREFIX));
}

#[test]
fn only_us_east_1_certificates_pass() {
    assert!(check_certificate_region(&arn("arn:aws:acm:us-east-1:123456789012:certificate/abc")).is_ok());
    let e = check_certificate_region(&arn("arn:aws:acm:ap-northeast-2:123456789012:certificate/abc")).unwrap_err();
    assert!(e.what.contains("ap-northeast-2") && e.what.contains("us-east-1"), "{e:?}");
    assert!(check_certificate_region(&arn("arn:aws:iam::123456789012:role/not-a-certificate")).is_err());
}

#[test]
fn a_certificate_must_be_issued_and_cover_every_alias() {
    let aliases = [n("example.com"), n("www.example.com")];
    assert!(check_certificate(&cert("example.com", &["example.com", "www.example.com"], CertStatus::Issued), &aliases)
        .is_ok());
    // A one-label wildcard covers www but not the apex, and not two labels down.
    assert!(check_certificate(&cert("example.com", &["example.com", "*.example.com"], CertStatus::Issued), &aliases)
        .is_ok());
    let e = check_certificate(&cert("*.example.com", &["*.example.com"], CertStatus::Issued), &aliases).unwrap_err();
    assert!(e.what.contains("example.com") && !e.what.contains("www"), "{e:?}");
    let e = check_certificate(
        &cert("example.com", &["example.com", "*.example.com"], CertStatus::Issued),
        &[n("a.b.example.com")],
    )
    .unwrap_err();
    assert!(e.what.contains("a.b.example.com"), "{e:?}");
    let e = check_certificate(
        &cert("example.com", &["example.com", "www.example.com"], CertStatus::PendingValidation),
        &aliases,
    )
    .unwrap_err();
    assert!(e.what.contains("PENDING_VALIDATION") && e.fix.contains("certificate step"), "{e:?}");
    assert!(check_certificate(
        &cert("example.com", &["example.com", "www.example.com"], CertStatus::Expired),
        &aliases
    )
    .is_err());
}

#[test]
fn reuse_needs_lockstep_same_origin_and_same_names() {
    let origin = "shop.s3-website.ap-northeast-2.amazonaws.com";
    let all = vec![
        dist("E1", "made by hand", origin, &["www.example.com"]),
        dist("E2", "lockstep: shop frontend", "other.s3.amazonaws.com", &["www.example.com"]),
        dist("E3", "lockstep: shop frontend", origin, &["example.com", "www.example.com"]),
    ];
    assert_eq!(reusable(&all, origin, &[n("www.example.com"), n("example.com")]).map(|d| d.id.as_str()), Some("E3"));
    assert!(reusable(&all, origin, &[n("www.example.com")]).is_none());
    let mut disabled = all.clone();
    disabled[2].enabled = false;
    assert!(reusable(&disabled, origin, &[n("www.example.com"), n("example.com")]).is_none());
    let aliases = [n("www.example.com"), n("new.example.com")];
    let c = alias_conflicts(&aliases, &all);
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].0, c[0].1.id.as_str()), ("www.example.com", "E1"));
    let e = conflict_error(&c);
    assert!(e.what.contains("www.example.com") && e.what.contains("E1") && e.why.contains("CNAMEAlreadyExists"));
}

#[test]
fn the_bucket_policy_statement_is_merged_once() {
    let arn = "arn:aws:cloudfront::123456789012:distribution/E3";
    let first = merge_policy(None, "shop", "E3", arn).unwrap().unwrap();
    let doc: Value = serde_json::from_str(&first).unwrap();
    let st = &doc["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(st["Action"], "s3:GetObject");
    assert_eq!(st["Resource"], "arn:aws:s3:::shop/*");
    assert_eq!(st["Condition"]["StringEquals"]["AWS:SourceArn"], arn);
    assert_eq!(merge_policy(Some(&first), "shop", "E3", arn).unwrap(), None, "idempotent");

    // Someone else's statement (a single object, not a list) is kept.
    let other = r#"{"Version":"2012-10-17","Statement":{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shop/*"}}"#;
    let merged: Value = serde_json::from_str(&merge_policy(Some(other), "shop", "E3", arn).unwrap().unwrap()).unwrap();
    let list = merged["Statement"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["Sid"], "Public");
    assert!(merge_policy(Some("{not json"), "shop", "E3", arn).is_err());
}

#[test]
fn the_spec_is_the_spa_default() {
    let inp = CdnInput {
        bucket: "shop".into(),
        bucket_region: r("ap-northeast-2"),
        aliases: vec![],
        certificate_arn: Some(arn("arn:aws:acm:us-east-1:1:certificate/x")),
        zone_id: None,
        project_slug: "shop".into(),
    };
    let origin = OriginChoice {
        bucket: "shop".into(),
        region: r("ap-northeast-2"),
        kind: OriginKind::Website,
        origin_domain: website_endpoint("shop", &r("ap-northeast-2")),
        oac_id: None,
    };
    let spec = frontend_spec(&inp, &origin, "ref");
    assert_eq!(spec.certificate_arn, None, "no aliases: CloudFront's default certificate");
    assert_eq!(spec.spa_fallback_codes, vec![403, 404]);
    assert_eq!(spec.default_root_object, "index.html");
    assert_eq!((spec.cache_policy_id.as_str(), spec.price_class.as_str()), (CACHING_OPTIMIZED, "PriceClass_100"));
    let e = cname_taken(
        &[n("www.example.com")],
        "One or more of the CNAMEs you provided are already associated with a different resource.",
    );
    assert!(e.what.contains("www.example.com") && e.fix.contains("Alternate domain names"));
}

/// Outputs the untyped steps stored (before the typed ones) read back as the typed outputs,
/// and the typed ones are written with the same keys, so runs and ledgers from before still
/// read (the ledger's `created` keeps its kinds' keys).
#[test]
fn outputs_stored_before_typed_steps_read_back_with_the_same_keys() {
    use serde_json::json;
    let create = json!({
        "distribution_id": "E2ABC", "arn": "arn:aws:cloudfront::123456789012:distribution/E2ABC",
        "domain_name": "d1.cloudfront.net", "origin_kind": "rest_oac",
        "origin_domain": "shop.s3.ap-northeast-2.amazonaws.com", "oac_id": "E3OAC", "aliases": [],
        "certificate_arn": null, "price_class": "PriceClass_100", "reused": false, "bucket_policy": "added",
        "created": [
            { "kind": "cloudfront_distribution", "id": "E2ABC", "region": "global" },
            { "kind": "bucket_policy_statement", "id": "shop:E2ABC", "region": "ap-northeast-2" },
        ],
    });
    let d: Distribution = serde_json::from_value(create.clone()).unwrap();
    assert_eq!((d.distribution_id.as_str(), d.bucket_policy), ("E2ABC", Some(BucketPolicy::Added)));
    assert_eq!(serde_json::to_value(&d).unwrap(), create, "written as before");
    let website: Distribution = serde_json::from_value(json!({
        "distribution_id": "E2ABC", "arn": "arn:aws:cloudfront::123456789012:distribution/E2ABC",
        "domain_name": "d1.cloudfront.net", "origin_kind": "website", "origin_domain": "x", "oac_id": null,
        "aliases": ["www.example.com"], "certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x",
        "price_class": "PriceClass_100", "reused": true, "bucket_policy": "already allowed", "created": [],
    }))
    .unwrap();
    assert_eq!(website.bucket_policy, Some(BucketPolicy::AlreadyAllowed));

    let in_sync = json!({
        "created": [{ "kind": "route53_record", "id": "Z1:www.example.com:A", "region": "global" }],
        "url": "https://www.example.com", "records": ["www.example.com A ALIAS d1.cloudfront.net"],
        "change_id": "C1", "distribution_id": "E2ABC",
    });
    let r: RecordsOutput = serde_json::from_value(in_sync.clone()).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap(), in_sync, "written as before");
    for old in [
        json!({ "url": "https://d1.cloudfront.net", "records": [] }),
        json!({ "url": "https://www.example.com", "records": [], "add_by_hand": ["www.example.com CNAME d1"] }),
    ] {
        let r: RecordsOutput = serde_json::from_value(old.clone()).unwrap();
        assert!(r.created.is_empty() && r.url == old["url"], "{r:?}");
    }
    let deployed = json!({ "distribution_id": "E2ABC", "domain_name": "d1.cloudfront.net", "status": "Deployed" });
    assert_eq!(serde_json::to_value(serde_json::from_value::<Deployed>(deployed.clone()).unwrap()).unwrap(), deployed);
    let cleared = json!({ "distribution_id": "E2ABC", "invalidation_id": "I1", "status": "Completed" });
    assert_eq!(serde_json::to_value(serde_json::from_value::<Invalidated>(cleared.clone()).unwrap()).unwrap(), cleared);
    // Not ids where ids belong: refused where they enter.
    let mut bad = create.clone();
    bad["distribution_id"] = json!("d1.cloudfront.net");
    assert!(serde_json::from_value::<Distribution>(bad).is_err());
}

/// A bucket policy lockstep cannot read is explained in both languages, with where it stopped.
#[test]
fn an_unreadable_bucket_policy_is_explained_in_both_languages() {
    let arn = "arn:aws:cloudfront::123456789012:distribution/E3";
    let problem = merge_policy(Some("{\"Statement\": [}"), "shop", "E3", arn).unwrap_err();
    assert!(matches!(problem, PolicyProblem::NotJson { line: 1, .. }), "{problem:?}");
    let e = messages::policy_unreadable("shop", problem, arn);
    let ko = e.ko.as_ref().expect("Korean");
    assert!(e.why.contains("not valid JSON (line 1") && ko.why.contains("올바른 JSON이 아닙니다"), "{e:?}");
    assert!(!ko.why.contains("valid JSON"), "no English inside the Korean: {ko:?}");
    assert_eq!(merge_policy(Some("[1]"), "shop", "E3", arn), Err(PolicyProblem::NotAnObject));
    assert_eq!(merge_policy(Some("{\"Statement\": 3}"), "shop", "E3", arn), Err(PolicyProblem::StatementNotAList));
}
