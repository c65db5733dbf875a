//! Projects: the list, the new-project form, and a project's page, where each wizard area has
//! its section (`crate::<area>`).

pub mod api;
mod view;

pub use view::{NewProjectPage, ProjectPage, ProjectsPage};
