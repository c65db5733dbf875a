//! Sub-step 5: wait until ACM says ISSUED; after a while, look where ACM looks (public DNS)
//! and say what stands in its way.

use super::{messages, CertDeps, CertInput, Request};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{CertStatus, ValidationRecord};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{Arn, Message, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How long ACM may take before lockstep looks at public DNS itself.
const PENDING_CHECK_AFTER_MS: i64 = 2 * 60 * 1000;

/// CAA values that let ACM issue.
const AMAZON_CAA: [&str; 4] = ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"];

pub struct AwaitIssued(pub Arc<CertDeps>);

/// The issued certificate and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedOutput {
    pub arn: Arn,
    #[serde(default)]
    pub not_after_ms: Option<i64>,
}

#[async_trait]
impl Step for AwaitIssued {
    const KIND: StepKind = StepKind::CertificateAwaitIssued;
    type Input = CertInput;
    type Output = IssuedOutput;

    async fn run(&self, ctx: &StepCtx, inp: CertInput) -> Result<StepOutcome<IssuedOutput>, StepError> {
        let arn = ctx.output::<Request>().await?.arn;
        faults::point("cert.await_issued.poll").await;
        let info =
            self.0.ca.describe(&inp.region, arn.as_str()).await.map_err(|e| port_error(&messages::task_read(), e))?;
        if let Some(err) = messages::status_error(&info.status, info.failure_reason.as_deref(), &inp.zone_name) {
            return Err(StepError::Fatal(err));
        }
        if info.status == CertStatus::Issued {
            return Ok(StepOutcome::Done {
                output: IssuedOutput { arn, not_after_ms: info.not_after_ms },
                note: Some(messages::issued()),
            });
        }
        let waited_ms = ctx.now_ms() - ctx.started_at();
        let mut note = messages::pending_validation();
        // After two minutes, look where ACM looks: public DNS.
        if waited_ms >= PENDING_CHECK_AFTER_MS {
            let problems = self.public_view(&inp, &info.validation).await;
            note = note.then(&messages::public_dns_says(&problems));
        }
        let waited = waited_ms / 60_000;
        if waited >= 30 {
            note = note.then(&messages::waited_long(waited));
        }
        Ok(StepOutcome::Poll { after: self.0.poll, note })
    }
}

impl AwaitIssued {
    /// The validation records, the delegation and CAA as public DNS shows them, as problems in
    /// plain words (lookups that fail are skipped: this is advice, not the check itself).
    async fn public_view(&self, inp: &CertInput, records: &[ValidationRecord]) -> Vec<Message> {
        let d = &self.0;
        let mut found = Vec::new();
        for r in records {
            let got = d.public_dns.cname(&r.name).await.ok().flatten();
            found.push((r.name.trim_end_matches('.').to_ascii_lowercase(), r.value.clone(), got));
        }
        let zone_ns = d.zones.delegation(inp.zone_id.as_str()).await.unwrap_or_default();
        let public_ns = d.public_dns.ns(&inp.zone_name).await.unwrap_or_default();
        let mut caa = None;
        if let Some(first) = inp.names.first() {
            let labels: Vec<&str> = first.as_str().trim_start_matches("*.").split('.').collect();
            for i in 0..labels.len() {
                let at = labels[i..].join(".");
                if let Ok(set) = d.public_dns.caa(&at).await {
                    if !set.is_empty() {
                        caa = Some((at, set));
                        break;
                    }
                }
            }
        }
        pending_diagnosis(&found, &zone_ns, &public_ns, inp.zone_name.as_str(), caa.as_ref())
    }
}

/// Why ACM may still be waiting, from public DNS: each validation CNAME (name, expected value,
/// what public DNS answers), the zone's name servers versus the public delegation, and the
/// closest CAA set (owner, (tag, value) pairs). Empty when all looks right. In English and
/// Korean (they go into the step's note).
pub fn pending_diagnosis(
    records: &[(String, String, Option<String>)],
    zone_ns: &[String],
    public_ns: &[String],
    zone_name: &str,
    caa: Option<&(String, Vec<(String, String)>)>,
) -> Vec<Message> {
    let norm = |s: &str| s.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut out = Vec::new();
    if !zone_ns.is_empty() && !crate::ports::same_nameservers(zone_ns, public_ns) {
        out.push(if public_ns.is_empty() {
            messages::not_delegated(zone_name)
        } else {
            messages::delegated_elsewhere(zone_name, public_ns, zone_ns)
        });
    }
    for (name, want, got) in records {
        match got {
            None => out.push(messages::no_cname(name)),
            Some(g) if norm(g) != norm(want) => out.push(messages::other_cname(name, g, &norm(want))),
            Some(_) => {}
        }
    }
    if let Some((owner, set)) = caa {
        let issuers: Vec<&str> = set
            .iter()
            .filter(|(tag, _)| tag == "issue" || tag == "issuewild")
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim())
            .collect();
        if !issuers.is_empty() && !issuers.iter().any(|i| AMAZON_CAA.contains(i)) {
            out.push(messages::caa_blocks_amazon(owner, &issuers));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pending_diagnosis_names_the_delegation_the_record_and_caa() {
        let zone = ns(&["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"]);
        let want = ("_x1.api.team.com".to_string(), "_y1.acm-validations.aws.".to_string());
        // All fine: nothing to say.
        let ok = vec![(want.0.clone(), want.1.clone(), Some("_y1.acm-validations.aws".to_string()))];
        assert!(pending_diagnosis(&ok, &zone, &zone, "team.com", None).is_empty());
        // The registrar still points elsewhere; the record is missing; CAA allows only Let's Encrypt.
        let missing = vec![(want.0.clone(), want.1.clone(), None)];
        let caa = ("team.com".to_string(), vec![("issue".to_string(), "letsencrypt.org".to_string())]);
        let out = pending_diagnosis(&missing, &zone, &ns(&["ns1.registrar.example"]), "team.com", Some(&caa));
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].en.contains("delegated to ns1.registrar.example"), "{out:?}");
        assert!(out[0].ko.contains("ns1.registrar.example(으)로 위임"), "{out:?}");
        assert!(out[1].en.contains("no CNAME"), "{out:?}");
        assert!(out[2].en.contains("0 issue \"amazon.com\""), "{out:?}");
        assert!(out[2].ko.contains("0 issue \"amazon.com\""), "{out:?}");
        // A wrong record wins; CAA that allows Amazon is fine.
        let wrong = vec![(want.0.clone(), want.1.clone(), Some("_old.acm-validations.aws".to_string()))];
        let amazon = ("team.com".to_string(), vec![("issue".to_string(), "amazon.com".to_string())]);
        let out = pending_diagnosis(&wrong, &zone, &zone, "team.com", Some(&amazon));
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].en.contains("another record for the name wins"));
        assert!(out[0].ko.contains("다른 레코드"), "{out:?}");
    }
}
