//! The HTTPS doctor on the project's names: the panel that starts it and its report.

pub mod api;
mod view;

pub(crate) use view::{DoctorPanel, ReportView};
