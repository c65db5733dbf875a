//! Unit tests of the teardown's pure parts: ledger ids, the bucket policy, stored outputs.

use super::*;
use crate::steps::frontend::policy_sid;
use lockstep_domain::SecurityGroupId;
use serde_json::json;

#[test]
fn ids_parse_back() {
    let rule = RuleId::parse("sg-1:tcp:443:from:::/0").unwrap();
    assert_eq!((rule.group.as_str(), rule.port, rule.source.as_str()), ("sg-1", 443, "::/0"));
    let rule = RuleId::parse("sg-1:tcp:8000:from:sg-2").unwrap();
    assert_eq!((rule.port, rule.source.as_str()), (8000, "sg-2"));
    assert_eq!(rule.group, SecurityGroupId::parse("sg-1").unwrap());
    assert_eq!(RuleId::parse("nonsense"), None);
    assert_eq!(RuleId::parse("default:tcp:80:from:world"), None, "not a group id");
    assert_eq!(RuleId::parse("sg-1:tcp:80:from:"), None, "no source");
    let record = RecordId::parse("Z1:_x1.api.team.com.:CNAME").unwrap();
    assert_eq!(
        (record.zone.as_str(), record.name.as_str(), record.rtype.as_str()),
        ("Z1", "_x1.api.team.com", "CNAME")
    );
    assert_eq!(RecordId::parse("not a zone:x:A"), None);
    let statement = PolicyStatementId::parse("shop-frontend:E2MOCK").unwrap();
    assert_eq!((statement.bucket.as_str(), statement.distribution.as_str()), ("shop-frontend", "E2MOCK"));
    assert_eq!(PolicyStatementId::parse("shop-frontend"), None);
    assert_eq!(
        listener_load_balancer("arn:aws:elasticloadbalancing:ap-northeast-2:1:listener/app/lockstep-x/abc/def"),
        Some("arn:aws:elasticloadbalancing:ap-northeast-2:1:loadbalancer/app/lockstep-x/abc".into())
    );
}

#[test]
fn only_lockstep_statement_leaves_the_policy() {
    let sid = policy_sid("E1");
    let two = json!({"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow"},{"Sid": sid}]}).to_string();
    let rest = without_statement(&two, &sid).unwrap().unwrap();
    assert!(rest.contains("Public") && rest.contains("\"Effect\":\"Allow\"") && !rest.contains(&sid), "{rest}");
    assert!(rest.contains("\"Version\":\"2012-10-17\""), "the rest of the policy stays: {rest}");
    let one = json!({"Version":"2012-10-17","Statement":{"Sid": sid}}).to_string();
    assert_eq!(without_statement(&one, &sid).unwrap(), Some(String::new()));
    assert_eq!(without_statement(&rest, &sid).unwrap(), None);
    assert_eq!(without_statement(r#"{"Version":"2012-10-17"}"#, &sid).unwrap(), None);
    assert!(without_statement("{", &sid).is_err());
    assert!(without_statement("[]", &sid).is_err(), "not a policy (this used to panic)");
}

/// Outputs stored before the steps were typed read back; the ledger reads the deleted ones.
#[test]
fn stored_outputs_decode_and_the_ledger_reads_them() {
    let stored = json!({
        "deleted": [{ "kind": "listener", "id": "arn:l", "region": "ap-northeast-2" }],
        "kept": [{ "kind": "acm_certificate", "id": "arn:c", "region": "us-east-1", "why": "in use" }]
    });
    let out: TeardownOutput = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(out.deleted[0].kind, ResourceKind::Listener);
    assert_eq!((out.kept[0].why.as_str(), out.kept[0].why_ko.as_deref()), ("in use", None));
    let changes: lockstep_domain::ledger::ResourceChanges = serde_json::from_value(stored).unwrap();
    assert_eq!(changes.deleted.len(), 1);
    let written = serde_json::to_value(&out).unwrap();
    let again: lockstep_domain::ledger::ResourceChanges = serde_json::from_value(written).unwrap();
    assert_eq!(again.deleted, out.deleted);
    let verify: VerifyOutput = serde_json::from_value(json!({ "checked": 2, "left": [], "kept": [] })).unwrap();
    assert_eq!(verify.checked, 2);
}
