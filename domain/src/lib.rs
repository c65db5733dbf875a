//! lockstep's domain vocabulary, shared by the server and the browser.
//!
//! Everything a user types is parsed here into a newtype at the edge ("parse, don't validate"):
//! the rest of lockstep never sees a raw string it has to check again. Nothing in this crate does
//! I/O or knows about AWS SDKs, so it compiles to wasm and the browser can show the same field
//! errors the server enforces.
#![forbid(unsafe_code)]

pub mod account;
pub mod aws_call;
pub mod backoff;
pub mod contact;
pub mod doctor;
pub mod freepath;
pub mod ids;
pub mod ipcert;
pub mod ledger;
pub mod names;
pub mod nginx;
pub mod nginx_diagnose;
pub mod plan;
pub mod pricing;
pub mod project;
pub mod rate_limit;
pub mod run;
pub mod settings;
pub mod shell;
pub mod status;
pub mod text;
pub mod wizard;

pub use aws_call::AwsCall;
pub use ids::{Arn, DistributionId, InstanceId, SecurityGroupId, ZoneId};
pub use names::{DomainName, NameError};
pub use project::{Field, FieldErrors, Framework, HealthPath, InstanceRef, ProjectInput, ProjectSpec, Region};
pub use run::{ko, RunKind, RunStatus, RunView, Said, StepDetail, StepKind, StepStatus, StepView, TornItem, UserError};
pub use text::{msg, Message};
