//! The frontend: a CloudFront distribution in front of the project's S3 bucket, and clearing
//! its cache after a redeploy.

pub mod api;
mod view;

pub(crate) use view::{FrontendPanel, FrontendRun};
