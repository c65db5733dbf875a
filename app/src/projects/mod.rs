//! Projects: the list, the new-project form, and a project's page: a wizard (`stepper`) whose
//! steps hold each wizard area's section (`crate::<area>`), ending on the "Verified" screen.

pub mod api;
mod new;
mod pick;
mod stepper;
mod verified;
mod view;

pub use new::NewProjectPage;
pub use stepper::StepperTick;
pub use view::{ProjectPage, ProjectsPage};
