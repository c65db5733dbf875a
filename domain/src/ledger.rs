//! The ledger: every AWS resource lockstep created for a project (read from the `created`
//! lists its steps record in their outputs), what it costs while it exists, and the order a
//! teardown deletes it in.

use crate::pricing::{ALB_HOUR_USD, ASSUMED_LCUS, HOSTED_ZONE_MONTH_USD, LCU_HOUR_USD, PUBLIC_IPV4_HOUR_USD};
use serde::{Deserialize, Serialize};

/// One resource lockstep created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerItem {
    /// `cloudfront_distribution`, `load_balancer`, `route53_record`, ...
    pub kind: String,
    /// Its id or ARN (records: `ZONE:NAME:TYPE`; rules: `sg-x:tcp:PORT:from:SOURCE`).
    pub id: String,
    pub region: String,
    /// The run and step that created it, for the history.
    pub run_kind: String,
    /// The step's title (English), as the history shows it.
    pub step: String,
    /// The step itself, for the page to name it in the reader's language (items listed before
    /// it was added have none).
    #[serde(default)]
    pub step_kind: Option<crate::run::StepKind>,
    pub created_at: Option<i64>,
}

/// Deletion order: what depends on something is deleted before it (CloudFront before the
/// bucket policy and the certificate it uses; listeners before the ALB, the ALB before its
/// target group and security group; records before the zone).
pub const TEARDOWN_ORDER: [&str; 11] = [
    "cloudfront_distribution",
    "bucket_policy_statement",
    "listener",
    "load_balancer",
    "target_group",
    "sg_rule",
    "security_group",
    "route53_record",
    "acm_certificate",
    "origin_access_control",
    "hosted_zone",
];

/// Plain words for a kind.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "cloudfront_distribution" => "CloudFront distribution",
        "bucket_policy_statement" => "S3 bucket-policy statement",
        "listener" => "ALB listener",
        "load_balancer" => "Application Load Balancer",
        "target_group" => "target group",
        "sg_rule" => "security-group rule",
        "security_group" => "security group",
        "route53_record" => "Route 53 record",
        "acm_certificate" => "ACM certificate",
        "origin_access_control" => "CloudFront Origin Access Control",
        "hosted_zone" => "Route 53 hosted zone",
        other => other,
    }
}

/// [`kind_label`] in Korean (the app's `labels.kind.*` say the same: its tests compare them).
pub fn kind_label_ko(kind: &str) -> &str {
    match kind {
        "cloudfront_distribution" => "CloudFront 배포",
        "bucket_policy_statement" => "S3 버킷 정책 구문",
        "listener" => "ALB 리스너",
        "load_balancer" => "Application Load Balancer",
        "target_group" => "대상 그룹",
        "sg_rule" => "보안 그룹 규칙",
        "security_group" => "보안 그룹",
        "route53_record" => "Route 53 레코드",
        "acm_certificate" => "ACM 인증서",
        "origin_access_control" => "CloudFront 원본 액세스 제어(OAC)",
        "hosted_zone" => "Route 53 호스팅 영역",
        other => other,
    }
}

/// The items in teardown order (unknown kinds last, in ledger order).
pub fn teardown_order(items: &[LedgerItem]) -> Vec<LedgerItem> {
    let rank = |k: &str| TEARDOWN_ORDER.iter().position(|o| *o == k).unwrap_or(TEARDOWN_ORDER.len());
    let mut v = items.to_vec();
    v.sort_by_key(|i| rank(&i.kind));
    v
}

/// What the ledger's resources cost per day while they exist (USD).
pub fn daily_cost_usd(items: &[LedgerItem]) -> f64 {
    items
        .iter()
        .map(|i| match i.kind.as_str() {
            // An internet-facing ALB: its hours, one LCU, and one public IPv4 per AZ (lockstep
            // uses two).
            "load_balancer" => (ALB_HOUR_USD + ASSUMED_LCUS * LCU_HOUR_USD + 2.0 * PUBLIC_IPV4_HOUR_USD) * 24.0,
            "hosted_zone" => HOSTED_ZONE_MONTH_USD * 12.0 / 365.0,
            _ => 0.0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, id: &str) -> LedgerItem {
        LedgerItem {
            kind: kind.into(),
            id: id.into(),
            region: "ap-northeast-2".into(),
            run_kind: "backend".into(),
            step: "x".into(),
            step_kind: None,
            created_at: None,
        }
    }

    #[test]
    fn teardown_deletes_dependents_first() {
        let items = vec![
            item("hosted_zone", "Z1"),
            item("route53_record", "Z1:api.team.com:A"),
            item("load_balancer", "alb"),
            item("listener", "l443"),
            item("cloudfront_distribution", "E1"),
            item("acm_certificate", "arn:cert"),
        ];
        let order: Vec<String> = teardown_order(&items).into_iter().map(|i| i.kind).collect();
        assert_eq!(
            order,
            [
                "cloudfront_distribution",
                "listener",
                "load_balancer",
                "route53_record",
                "acm_certificate",
                "hosted_zone"
            ]
        );
    }

    #[test]
    fn an_alb_costs_about_a_dollar_a_day_and_free_things_nothing() {
        let alb = daily_cost_usd(&[item("load_balancer", "a")]);
        assert!((alb - 0.972).abs() < 0.001, "{alb}");
        assert_eq!(daily_cost_usd(&[item("cloudfront_distribution", "E"), item("acm_certificate", "c")]), 0.0);
        assert!(daily_cost_usd(&[item("hosted_zone", "Z")]) > 0.0);
    }
}
