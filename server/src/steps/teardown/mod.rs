//! Teardown: deletes every AWS resource lockstep created for a project, in dependency order,
//! then lists AWS to prove nothing it created is left.
//!
//! The run's input is the ledger as it was when the user pressed the button (items in
//! [`lockstep_domain::ledger::TEARDOWN_ORDER`]), plus whether the user confirmed deleting the
//! hosted zone. Every step is idempotent by nature: a resource already gone counts as deleted,
//! so a crash or a Retry at any point just runs the step again. Each item's id is parsed for its
//! [`ResourceKind`] before anything is sent to AWS (`ids.rs`); one lockstep cannot read is kept,
//! with why.
//!
//! 1. `teardown.cdn` ([`DeleteCdn`]): each distribution is disabled (UpdateDistribution,
//!    Enabled=false), the step polls until that change is Deployed, then deletes it with the
//!    current ETag (AWS refuses an enabled one: DistributionNotDisabled; a stale ETag:
//!    PreconditionFailed; both are waited out). Then lockstep's statement leaves the bucket policy.
//! 2. `teardown.alb` ([`DeleteAlb`]): listeners, then the load balancer (polled until it is
//!    gone), then the target group (AWS refuses while a load balancer still uses it: ResourceInUse).
//! 3. `teardown.network` ([`DeleteNetwork`]): the security-group rules lockstep added, then the
//!    groups it created (AWS refuses while the deleted load balancer's network interfaces linger:
//!    DependencyViolation, for a minute or two).
//! 4. `teardown.records` ([`DeleteRecords`]): the records lockstep added, deleted as they are now
//!    in the zone.
//! 5. `teardown.certificates` ([`DeleteCertificates`]): certificates nothing uses any more. One
//!    still attached to something lockstep did not make is kept, with the reason; ACM's "in use"
//!    that lags the deletes above is waited out.
//! 6. `teardown.zone` ([`DeleteZone`]): the hosted zone, only if lockstep created it and the user
//!    confirmed.
//! 7. `teardown.verify` ([`Verify`]): every item of the ledger that was not kept is looked up
//!    again (what was kept is read from the earlier steps' typed outputs).
//!
//! Each step's output is a [`TeardownOutput`]: `deleted` (the ledger drops those, read as
//! [`lockstep_domain::ledger::ResourceChanges`]) and `kept` (with why). What the steps say is
//! in `messages.rs`.

mod cdn;
mod certificates;
mod ids;
mod load_balancer;
pub(crate) mod messages;
mod network;
mod records;
#[cfg(test)]
mod tests;
mod verify;

pub use cdn::{without_statement, DeleteCdn};
pub use certificates::DeleteCertificates;
pub use ids::{listener_load_balancer, PolicyStatementId, RecordId, RuleId};
pub use load_balancer::DeleteAlb;
pub use network::DeleteNetwork;
pub use records::{DeleteRecords, DeleteZone};
pub use verify::{Verify, VerifyOutput};

use crate::jobs::{StepCtx, StepError, StepOutcome};
use crate::ports::{
    Buckets, CertificateAuthority, Distributions, DnsRecords, HostedZones, Listeners, LoadBalancers, Network,
    PortError, TargetGroups,
};
use lockstep_domain::ledger::{Created, LedgerItem, ResourceKind};
use lockstep_domain::{Message, Region, RunKind, StepDetail, StepKind, TornItem};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Teardown;

/// The steps of a teardown run, in order.
pub const STEPS: [StepKind; 7] = [
    StepKind::TeardownFrontend,
    StepKind::TeardownLoadBalancer,
    StepKind::TeardownNetwork,
    StepKind::TeardownRecords,
    StepKind::TeardownCertificates,
    StepKind::TeardownZone,
    StepKind::TeardownVerify,
];

/// What a teardown acts on, fixed when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeardownInput {
    /// The ledger when the user confirmed, in teardown order.
    pub items: Vec<LedgerItem>,
    /// The user ticked "also delete the hosted zone".
    pub delete_zone: bool,
}

impl TeardownInput {
    /// The items of one kind, in ledger order.
    fn of(&self, kind: ResourceKind) -> impl Iterator<Item = &LedgerItem> + '_ {
        self.items.iter().filter(move |i| i.kind == kind)
    }
}

pub struct TeardownDeps {
    pub distributions: Arc<dyn Distributions>,
    pub buckets: Arc<dyn Buckets>,
    pub load_balancers: Arc<dyn LoadBalancers>,
    pub target_groups: Arc<dyn TargetGroups>,
    pub listeners: Arc<dyn Listeners>,
    pub network: Arc<dyn Network>,
    pub zones: Arc<dyn HostedZones>,
    pub records: Arc<dyn DnsRecords>,
    pub ca: Arc<dyn CertificateAuthority>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
    /// How long a step waits out AWS's lag (a disable deploying, network interfaces lingering,
    /// ACM still listing a deleted load balancer) before it gives up with the reason.
    pub patience: Duration,
}

/// On real AWS: a CloudFront disable takes up to 15 minutes to deploy; give it twice that.
pub const PATIENCE: Duration = Duration::from_secs(30 * 60);

/// What a deleting step did (steps 1-6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeardownOutput {
    /// Deleted (or found gone): the ledger drops these.
    pub deleted: Vec<Created>,
    /// Left in place on purpose, with why.
    pub kept: Vec<Kept>,
}

/// A resource a teardown left in place, and why (in English and Korean).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub kind: ResourceKind,
    pub id: String,
    pub region: String,
    pub why: String,
    /// Runs stored before the Korean was added have none.
    #[serde(default)]
    pub why_ko: Option<String>,
}

impl Kept {
    fn new(item: &LedgerItem, why: Message) -> Kept {
        Kept { kind: item.kind, id: item.id.clone(), region: item.region.clone(), why: why.en, why_ko: Some(why.ko) }
    }

    /// The timeline's form.
    fn torn(&self) -> TornItem {
        TornItem {
            kind: self.kind,
            id: self.id.clone(),
            region: self.region.clone(),
            why: Some(self.why.clone()),
            why_ko: self.why_ko.clone(),
        }
    }

    fn is(&self, item: &LedgerItem) -> bool {
        self.kind == item.kind && self.id == item.id
    }
}

/// The ledger entry of a deleted item.
fn deleted(item: &LedgerItem) -> Created {
    Created::new(item.kind, &item.id, &item.region)
}

/// The timeline's form of a deleted item (no reason: it is gone).
fn torn(c: &Created) -> TornItem {
    let (why, why_ko) = (None, None);
    TornItem { kind: c.kind, id: c.id.clone(), region: c.region.clone(), why, why_ko }
}

/// The item's region, for a call made in it. One that does not parse was not written by
/// lockstep's own ledger: a broken invariant.
fn region(item: &LedgerItem) -> Result<Region, StepError> {
    Region::parse(&item.region).map_err(|e| StepError::invariant(format!("ledger region {}: {}", item.region, e.en)))
}

/// The item's region for a lookup (global items are never asked for one).
fn lookup_region(item: &LedgerItem) -> Region {
    Region::parse(&item.region).unwrap_or_else(|_| Region::us_east_1())
}

/// Whether AWS refused with `code` (with or without its `Exception` suffix).
fn is_code(e: &PortError, code: &str) -> bool {
    match e {
        PortError::Rejected { code: c, .. } => c == code || c.trim_end_matches("Exception") == code,
        PortError::NotFound(m) => m.starts_with(code),
        _ => false,
    }
}

/// What one step did, and what it is still waiting for.
struct Tally {
    /// How long the step has been at it, taken once at the start of the turn.
    waited_ms: i64,
    deleted: Vec<Created>,
    kept: Vec<Kept>,
    waiting: Vec<Message>,
}

impl Tally {
    fn new(ctx: &StepCtx) -> Tally {
        Tally { waited_ms: ctx.now_ms() - ctx.started_at(), deleted: Vec::new(), kept: Vec::new(), waiting: Vec::new() }
    }

    fn deleted(&mut self, item: &LedgerItem) {
        self.deleted.push(deleted(item));
    }

    fn keep(&mut self, item: &LedgerItem, why: Message) {
        self.kept.push(Kept::new(item, why));
    }

    /// `id`, parsed from `item` for its kind; None (and the item kept, with why) when lockstep
    /// cannot read it: such an id is never sent to AWS.
    fn parsed<T>(&mut self, item: &LedgerItem, id: Option<T>) -> Option<T> {
        if id.is_none() {
            self.keep(item, messages::unreadable_id(item));
        }
        id
    }

    fn waited_out(&self, d: &TeardownDeps) -> bool {
        self.waited_ms >= d.patience.as_millis() as i64
    }

    /// Done when nothing is waiting; else poll again, or give up after the patience with what
    /// is still in the way. `what` names the step's kind of resources (in English and Korean).
    async fn finish(
        self,
        ctx: &StepCtx,
        d: &TeardownDeps,
        what: Message,
    ) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let detail = StepDetail::Teardown {
            deleted: self.deleted.iter().map(torn).collect(),
            kept: self.kept.iter().map(Kept::torn).collect(),
        };
        ctx.detail(&detail).await?;
        if self.waiting.is_empty() {
            let note = messages::step_done(&what, self.deleted.len(), self.kept.len());
            return Ok(StepOutcome::Done {
                output: TeardownOutput { deleted: self.deleted, kept: self.kept },
                note: Some(note),
            });
        }
        let waiting = Message::join(&self.waiting, " ");
        if self.waited_out(d) {
            return Err(StepError::Fatal(messages::out_of_patience(self.waited_ms / 60_000, waiting)));
        }
        Ok(StepOutcome::Poll { after: d.poll.max(Duration::from_millis(20)), note: waiting })
    }
}
