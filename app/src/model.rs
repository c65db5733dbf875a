//! What travels between the browser and the server, besides the domain's own types.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use lockstep_domain::{FieldErrors, ProjectSpec, UserError};
use serde::{Deserialize, Serialize};

/// Which AWS lockstep is talking to; shown as a banner on every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvInfo {
    /// `true` when every AWS call goes to the local emulator and nothing real is created.
    pub sandbox: bool,
    /// The AWS account id (from STS), when known.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
    pub region: String,
    pub zone_name: Option<String>,
    pub created_at: i64,
}

/// A Route 53 hosted zone the user can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneChoice {
    pub id: String,
    pub name: String,
    pub private: bool,
    pub record_count: i64,
}

/// The names a project serves, derived once from its domain: the frontend on the apex and
/// `www.`, the backend on `api.`. Certificates and records are built from this list only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamePlanView {
    pub zone_id: String,
    pub zone_name: String,
    pub frontend: Vec<String>,
    pub api: String,
}

impl NamePlanView {
    pub fn all_names(&self) -> Vec<String> {
        let mut v = self.frontend.clone();
        v.push(self.api.clone());
        v
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: String,
    pub spec: ProjectSpec,
    pub plan: Option<NamePlanView>,
    pub created_at: i64,
}

/// The answer to "create this project": its id, or what is wrong with each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateOutcome {
    Created(String),
    Invalid(FieldErrors),
}

/// Errors a server function can return. `User` errors are shown as they are; `Internal`
/// errors carry no detail (it is in the server log, with the request id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    User(UserError),
    #[error("Not found: {0}")]
    NotFound(String),
    #[error("Something went wrong on the lockstep server ({0}). The details are in its log; try again, and if it keeps happening, report it with that reference.")]
    Internal(String),
    #[error("Could not reach the lockstep server: {0}. Check that it is running and try again.")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// A one-line-per-part rendering for the page.
    pub fn parts(&self) -> (String, String, String) {
        match self {
            AppError::User(e) => (e.what.clone(), e.why.clone(), e.fix.clone()),
            other => (other.to_string(), String::new(), String::new()),
        }
    }
}
