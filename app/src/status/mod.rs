//! The project's public status page: its settings, and a check run now.

pub mod api;
mod view;

pub(crate) use view::StatusPanel;
