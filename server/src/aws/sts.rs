//! STS: which account the credentials belong to (shown in the banner in real mode).

use super::{classify, Aws};
use crate::ports::{Identity, PortError, PortResult};
use async_trait::async_trait;
use std::sync::Arc;

pub struct StsIdentity(pub Arc<Aws>);

#[async_trait]
impl Identity for StsIdentity {
    async fn account_id(&self) -> PortResult<String> {
        let out = self.0.sts().get_caller_identity().send().await.map_err(classify)?;
        out.account().map(str::to_string).ok_or_else(|| PortError::NotFound("account id".into()))
    }

    async fn caller_arn(&self) -> PortResult<String> {
        let out = self.0.sts().get_caller_identity().send().await.map_err(classify)?;
        out.arn().map(str::to_string).ok_or_else(|| PortError::NotFound("caller ARN".into()))
    }
}
