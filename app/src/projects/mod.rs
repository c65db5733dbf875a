//! Projects: the list, the new-project form, and a project's page, where each wizard area has
//! its section (`crate::<area>`).

pub mod api;
mod new;
mod pick;
mod view;

pub use new::NewProjectPage;
pub use view::{ProjectPage, ProjectsPage};
