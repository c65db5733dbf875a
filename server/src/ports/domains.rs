//! Route 53 Domains: registering a domain (us-east-1 only).

use super::*;

/// Whether a domain can be registered, as Route 53 Domains answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Availability {
    Available,
    /// Taken (or premium / restricted): not for sale at the normal price.
    Unavailable(String),
    /// The registry could not say right now.
    Unknown(String),
}

/// US dollars in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usd(pub i64);

impl std::fmt::Display for Usd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "${}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TldPrice {
    pub tld: String,
    pub registration: Usd,
    pub renewal: Usd,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub domain: DomainName,
    pub years: i32,
    pub contact: lockstep_domain::contact::Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationStatus {
    Submitted,
    InProgress,
    Successful,
    Failed,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub status: OperationStatus,
    pub kind: String,
    pub domain: Option<String>,
    pub message: Option<String>,
    pub submitted_ms: Option<i64>,
}

/// Route 53 Domains (us-east-1 only).
#[async_trait]
pub trait Registrar: Send + Sync + 'static {
    async fn availability(&self, domain: &DomainName) -> PortResult<Availability>;
    /// Up to `count` alternative names, each with whether it is available.
    async fn suggestions(&self, domain: &DomainName, count: i32) -> PortResult<Vec<(String, bool)>>;
    async fn price(&self, tld: &str) -> PortResult<Option<TldPrice>>;
    /// Registers (and bills); returns the operation id. Not idempotent: callers must look for
    /// an earlier operation first ([`Registrar::recent_operations`]).
    async fn register(&self, request: &RegisterRequest) -> PortResult<String>;
    async fn operation(&self, id: &str) -> PortResult<Operation>;
    async fn recent_operations(&self, since_ms: i64) -> PortResult<Vec<Operation>>;
    /// The name servers the registry has for a domain registered in this account; `None`
    /// when the domain is not registered here.
    async fn nameservers(&self, domain: &DomainName) -> PortResult<Option<Vec<String>>>;
    /// `true` when some answers come from lockstep's sandbox stand-in, not from AWS.
    fn stand_in(&self) -> bool {
        false
    }
}
