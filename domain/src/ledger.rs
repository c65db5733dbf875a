//! The ledger: every AWS resource lockstep created for a project (read from the `created`
//! lists its steps record in their outputs), what it costs while it exists, and the order a
//! teardown deletes it in.

use crate::pricing::{ALB_HOUR_USD, ASSUMED_LCUS, HOSTED_ZONE_MONTH_USD, LCU_HOUR_USD, PUBLIC_IPV4_HOUR_USD};
use serde::{Deserialize, Serialize};

/// What kind of AWS resource lockstep created. The snake_case key is stored in step outputs
/// (never rename one without a migration); everything else uses the enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    CloudfrontDistribution,
    BucketPolicyStatement,
    Listener,
    LoadBalancer,
    TargetGroup,
    SgRule,
    SecurityGroup,
    Route53Record,
    AcmCertificate,
    OriginAccessControl,
    HostedZone,
}

/// Deletion order: what depends on something is deleted before it (CloudFront before the
/// bucket policy and the certificate it uses; listeners before the ALB, the ALB before its
/// target group and security group; records before the zone). Every kind is in it once.
pub const TEARDOWN_ORDER: [ResourceKind; 11] = [
    ResourceKind::CloudfrontDistribution,
    ResourceKind::BucketPolicyStatement,
    ResourceKind::Listener,
    ResourceKind::LoadBalancer,
    ResourceKind::TargetGroup,
    ResourceKind::SgRule,
    ResourceKind::SecurityGroup,
    ResourceKind::Route53Record,
    ResourceKind::AcmCertificate,
    ResourceKind::OriginAccessControl,
    ResourceKind::HostedZone,
];

impl ResourceKind {
    /// The stored key (`cloudfront_distribution`, ...), as the page's labels are keyed.
    pub fn key(self) -> &'static str {
        match self {
            ResourceKind::CloudfrontDistribution => "cloudfront_distribution",
            ResourceKind::BucketPolicyStatement => "bucket_policy_statement",
            ResourceKind::Listener => "listener",
            ResourceKind::LoadBalancer => "load_balancer",
            ResourceKind::TargetGroup => "target_group",
            ResourceKind::SgRule => "sg_rule",
            ResourceKind::SecurityGroup => "security_group",
            ResourceKind::Route53Record => "route53_record",
            ResourceKind::AcmCertificate => "acm_certificate",
            ResourceKind::OriginAccessControl => "origin_access_control",
            ResourceKind::HostedZone => "hosted_zone",
        }
    }

    pub fn from_key(key: &str) -> Option<ResourceKind> {
        TEARDOWN_ORDER.into_iter().find(|k| k.key() == key)
    }

    /// Plain words for the kind.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::CloudfrontDistribution => "CloudFront distribution",
            ResourceKind::BucketPolicyStatement => "S3 bucket-policy statement",
            ResourceKind::Listener => "ALB listener",
            ResourceKind::LoadBalancer => "Application Load Balancer",
            ResourceKind::TargetGroup => "target group",
            ResourceKind::SgRule => "security-group rule",
            ResourceKind::SecurityGroup => "security group",
            ResourceKind::Route53Record => "Route 53 record",
            ResourceKind::AcmCertificate => "ACM certificate",
            ResourceKind::OriginAccessControl => "CloudFront Origin Access Control",
            ResourceKind::HostedZone => "Route 53 hosted zone",
        }
    }

    /// [`ResourceKind::label`] in Korean (the app's `labels.kind.*` say the same: its tests
    /// compare them).
    pub fn label_ko(self) -> &'static str {
        match self {
            ResourceKind::CloudfrontDistribution => "CloudFront 배포",
            ResourceKind::BucketPolicyStatement => "S3 버킷 정책 구문",
            ResourceKind::Listener => "ALB 리스너",
            ResourceKind::LoadBalancer => "Application Load Balancer",
            ResourceKind::TargetGroup => "대상 그룹",
            ResourceKind::SgRule => "보안 그룹 규칙",
            ResourceKind::SecurityGroup => "보안 그룹",
            ResourceKind::Route53Record => "Route 53 레코드",
            ResourceKind::AcmCertificate => "ACM 인증서",
            ResourceKind::OriginAccessControl => "CloudFront 원본 액세스 제어(OAC)",
            ResourceKind::HostedZone => "Route 53 호스팅 영역",
        }
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One resource a step created, as the step's output records it for a later teardown: only
/// what that step created itself (found-and-reused resources are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub kind: ResourceKind,
    /// Its id or ARN (records: `ZONE:NAME:TYPE`; rules: `sg-x:tcp:PORT:from:SOURCE`).
    pub id: String,
    pub region: String,
}

impl Created {
    pub fn new(kind: ResourceKind, id: impl Into<String>, region: impl std::fmt::Display) -> Created {
        Created { kind, id: id.into(), region: region.to_string() }
    }
}

/// The part of every step's output the ledger reads: what the step created (for a later
/// teardown) and what a teardown step deleted (it leaves the ledger). A step's typed output
/// carries these fields; outputs without them read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceChanges {
    #[serde(default)]
    pub created: Vec<Created>,
    #[serde(default)]
    pub deleted: Vec<Created>,
}

/// One resource lockstep created, with the run and step that created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerItem {
    pub kind: ResourceKind,
    /// Its id or ARN (records: `ZONE:NAME:TYPE`; rules: `sg-x:tcp:PORT:from:SOURCE`).
    pub id: String,
    pub region: String,
    /// The run and step that created it, for the history.
    pub run_kind: crate::run::RunKind,
    /// The step's title (English), as the history shows it.
    pub step: String,
    /// The step itself, for the page to name it in the reader's language (items listed before
    /// it was added have none).
    #[serde(default)]
    pub step_kind: Option<crate::run::StepKind>,
    pub created_at: Option<i64>,
}

/// The items in teardown order (unknown kinds last, in ledger order).
pub fn teardown_order(items: &[LedgerItem]) -> Vec<LedgerItem> {
    let rank = |k: ResourceKind| TEARDOWN_ORDER.iter().position(|o| *o == k).unwrap_or(TEARDOWN_ORDER.len());
    let mut v = items.to_vec();
    v.sort_by_key(|i| rank(i.kind));
    v
}

/// What the ledger's resources cost per day while they exist (USD).
pub fn daily_cost_usd(items: &[LedgerItem]) -> f64 {
    items
        .iter()
        .map(|i| match i.kind {
            // An internet-facing ALB: its hours, one LCU, and one public IPv4 per AZ (lockstep
            // uses two).
            ResourceKind::LoadBalancer => {
                (ALB_HOUR_USD + ASSUMED_LCUS * LCU_HOUR_USD + 2.0 * PUBLIC_IPV4_HOUR_USD) * 24.0
            }
            ResourceKind::HostedZone => HOSTED_ZONE_MONTH_USD * 12.0 / 365.0,
            _ => 0.0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_in_the_teardown_order_once_and_its_key_round_trips() {
        for kind in TEARDOWN_ORDER {
            assert_eq!(TEARDOWN_ORDER.iter().filter(|k| **k == kind).count(), 1);
            assert_eq!(ResourceKind::from_key(kind.key()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.key()));
        }
        let created: Created = serde_json::from_value(
            serde_json::json!({"kind": "sg_rule", "id": "sg-1:tcp:80:from:0.0.0.0/0", "region": "x"}),
        )
        .unwrap();
        assert_eq!(created.kind, ResourceKind::SgRule);
        assert!(serde_json::from_value::<Created>(serde_json::json!({"kind": "sg-rule", "id": "x", "region": "x"}))
            .is_err());
    }

    fn item(kind: &str, id: &str) -> LedgerItem {
        LedgerItem {
            kind: ResourceKind::from_key(kind).unwrap(),
            id: id.into(),
            region: "ap-northeast-2".into(),
            run_kind: crate::run::RunKind::Backend,
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
        let order: Vec<&str> = teardown_order(&items).into_iter().map(|i| i.kind.key()).collect();
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
