//! What every server function shares, and the whole interface the server implements.
//!
//! Each wizard area keeps its server functions and its part of the interface beside its UI,
//! in `crate::<area>::api` (`projects`, `domain`, `certificate`, `doctor`, `instance_https`,
//! `load_balancer`, `frontend`, `teardown`, `status`, `history`, `accounts`, `runs`); the
//! server implements each part in `server/src/service/<area>.rs`. A server function's body
//! runs only on the server (`ssr` feature); in the browser it becomes an HTTP call. Each has a
//! fixed endpoint (`/api/<name>`), so scripts and tests can call them too: arguments
//! form-encoded in a POST, the answer in JSON.
//!
//! Here, server side only ([`ssr`]): [`ssr::Api`], every area's trait in one (what the server
//! puts in the request's context), the [`ssr::Caller`], the history's [`ssr::audited`] and
//! [`ssr::observed`]. The log of AWS calls an action makes is the server's (`lockstep_server::work`),
//! reached through [`ssr::HistoryApi::collect_calls`].

#[cfg(feature = "ssr")]
mod audit;
#[cfg(feature = "ssr")]
mod caller;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use super::audit::*;
    pub use super::caller::*;
    pub use prelude::*;

    use crate::model::AppError;
    use std::sync::Arc;

    /// Every area's trait, so that `use app::api::ssr::prelude::*;` lets a test or the server
    /// call any of the interface's methods on the service itself.
    pub mod prelude {
        pub use super::Api;
        pub use crate::accounts::api::ssr::AccountsApi;
        pub use crate::certificate::api::ssr::CertificateApi;
        pub use crate::doctor::api::ssr::DoctorApi;
        pub use crate::domain::api::ssr::DomainApi;
        pub use crate::frontend::api::ssr::FrontendApi;
        pub use crate::history::api::ssr::HistoryApi;
        pub use crate::instance_https::api::ssr::InstanceHttpsApi;
        pub use crate::load_balancer::api::ssr::LoadBalancerApi;
        pub use crate::projects::api::ssr::{ProjectsApi, WizardApi};
        pub use crate::runs::api::ssr::RunsApi;
        pub use crate::status::api::ssr::StatusApi;
        pub use crate::teardown::api::ssr::TeardownApi;
    }

    /// Declares [`Api`] as every trait listed, and implements it for whatever implements them
    /// all: the list is written once.
    macro_rules! api_of {
        ($($area:ident),+ $(,)?) => {
            /// The application interface the server implements: everything the UI can do goes
            /// through it, so the pages neither know nor care which database or AWS mode runs.
            /// One trait per area; whatever implements them all is an `Api` (and `Arc<dyn Api>`
            /// calls any of their methods).
            pub trait Api: $($area +)+ Send + Sync + 'static {}

            impl<T> Api for T where T: $($area +)+ Send + Sync + 'static {}
        };
    }

    api_of!(
        ProjectsApi,
        WizardApi,
        DomainApi,
        CertificateApi,
        DoctorApi,
        InstanceHttpsApi,
        LoadBalancerApi,
        FrontendApi,
        TeardownApi,
        StatusApi,
        HistoryApi,
        AccountsApi,
        RunsApi,
    );

    #[derive(Clone)]
    pub struct ApiHandle(pub Arc<dyn Api>);

    pub fn api() -> Result<Arc<dyn Api>, AppError> {
        leptos::prelude::use_context::<ApiHandle>()
            .map(|h| h.0)
            .ok_or_else(|| AppError::Internal("no Api in context".into()))
    }
}
