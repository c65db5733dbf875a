//! The ledger (what lockstep created for the project, and its running cost) and the teardown
//! that deletes it.

pub mod api;
mod ledger;
mod view;

pub(crate) use ledger::{ledger, Ledger, LedgerPanel};
pub(crate) use view::TeardownPanel;
