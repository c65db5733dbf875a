//! Step 5: certificates nothing uses any more. One still attached to something lockstep did not
//! make is kept, with what uses it; ACM's "in use" that lags the deletes before is waited out.

use super::ids::listener_load_balancer;
use super::{is_code, messages, region, Tally, TeardownDeps, TeardownInput, TeardownOutput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::PortError;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{LedgerItem, ResourceKind};
use lockstep_domain::{Arn, StepKind};
use std::sync::Arc;

pub struct DeleteCertificates(pub Arc<TeardownDeps>);

#[async_trait]
impl Step for DeleteCertificates {
    const KIND: StepKind = StepKind::TeardownCertificates;
    type Input = TeardownInput;
    type Output = TeardownOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in inp.of(ResourceKind::AcmCertificate) {
            let Some(arn) = t.parsed(item, Arn::parse(&item.id).ok()) else { continue };
            let r = region(item)?;
            let info = match d.ca.describe(&r, arn.as_str()).await {
                Ok(info) => info,
                Err(PortError::NotFound(_)) => {
                    t.deleted(item);
                    continue;
                }
                Err(e) => return Err(port_error(&messages::reading_certificate(), e)),
            };
            // Attached to something lockstep did not make: keep it, and say what uses it.
            let others: Vec<&str> =
                info.in_use_by.iter().map(String::as_str).filter(|u| !made_by_lockstep(u, &inp.items)).collect();
            if !others.is_empty() {
                t.keep(item, messages::certificate_used_by_others(&others));
                continue;
            }
            match d.ca.delete(&r, arn.as_str()).await {
                Ok(()) | Err(PortError::NotFound(_)) => t.deleted(item),
                Err(e) if is_code(&e, "ResourceInUse") => {
                    if t.waited_out(d) {
                        t.keep(item, messages::acm_in_use_after_wait(&info.domain));
                    } else {
                        t.waiting.push(messages::acm_still_in_use(&info.domain));
                    }
                }
                Err(e) => return Err(port_error(&messages::deleting_certificate(), e)),
            }
        }
        t.finish(ctx, d, messages::certificates()).await
    }
}

/// Whether `user` (an ARN from ACM's InUseBy) is something of the ledger: a load balancer
/// (the ledger has it, or one of its listeners) or a distribution (ACM lists its ARN, the
/// ledger its id).
fn made_by_lockstep(user: &str, items: &[LedgerItem]) -> bool {
    items.iter().any(|i| {
        i.id == user
            || match i.kind {
                ResourceKind::Listener => listener_load_balancer(&i.id).as_deref() == Some(user),
                ResourceKind::CloudfrontDistribution => user.ends_with(&format!(":distribution/{}", i.id)),
                _ => false,
            }
    })
}
