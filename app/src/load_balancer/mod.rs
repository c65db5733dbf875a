//! The paid backend: an Application Load Balancer with an ACM certificate in the instance's
//! region, started once the price is confirmed.

pub mod api;
mod view;

pub(crate) use view::PaidPathPanel;
