//! Step 2, the certificate: one ACM certificate in us-east-1 for every name of the plan.

pub mod api;
mod view;

pub(crate) use view::CertificateStep;
