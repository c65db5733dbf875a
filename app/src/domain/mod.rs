//! Step 1, the domain: a hosted zone of the team's, a name bought from Route 53, one at another
//! registrar, or a free nip.io / sslip.io name, and the names planned under it.

pub mod api;
mod view;

pub(crate) use view::{DomainStep, PlanRedo};
