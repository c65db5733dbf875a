//! STS: who lockstep is in AWS.

use super::*;

/// Who we are in AWS (STS).
#[async_trait]
pub trait Identity: Send + Sync + 'static {
    async fn account_id(&self) -> PortResult<String>;
    /// Who the calls of the acting team (or the server) are made as: a user, role or
    /// assumed-role ARN.
    async fn caller_arn(&self) -> PortResult<String>;
}
