//! The deployment history of a project: who did what, when, and every AWS call.

pub mod api;
mod view;

pub(crate) use view::HistoryPanel;
