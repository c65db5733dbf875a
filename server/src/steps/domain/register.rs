//! Buying a domain through Route 53 Domains, exactly once, and following the registration.

use super::{messages, DomainDeps, DomainInput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{OperationStatus, PortError, RegisterRequest};

use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{DomainName, StepDetail, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The side effect's key: its marker's time bounds the search for an earlier registration.
const EFFECT: &str = "route53domains.register";

pub struct Register(pub Arc<DomainDeps>);
pub struct AwaitRegistration(pub Arc<DomainDeps>);

/// The registration submitted to Route 53 Domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterOutput {
    pub operation_id: String,
}

/// The registration, finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredOutput {
    pub operation_id: String,
    /// Route 53 Domains' word for it (`SUCCESSFUL`).
    pub status: String,
}

/// Route 53 Domains' own word for an operation's status, as its console shows it.
fn aws_status(status: &OperationStatus) -> &'static str {
    match status {
        OperationStatus::Submitted => "SUBMITTED",
        OperationStatus::InProgress => "IN_PROGRESS",
        OperationStatus::Successful => "SUCCESSFUL",
        OperationStatus::Failed => "FAILED",
        OperationStatus::Error => "ERROR",
    }
}

#[async_trait]
impl Step for Register {
    const KIND: StepKind = StepKind::DomainRegister;
    type Input = DomainInput;
    type Output = RegisterOutput;

    async fn run(&self, ctx: &StepCtx, inp: DomainInput) -> Result<StepOutcome<RegisterOutput>, StepError> {
        let d = &self.0;
        if let Some(done) = ctx.recorded::<RegisterOutput>(EFFECT).await? {
            return Ok(StepOutcome::Done { output: done, note: None });
        }
        let contact = inp.contact.clone().ok_or_else(|| StepError::invariant("a purchase run without a contact"))?;
        // The marker is stored before the call; its time bounds the search on a retry.
        let (_, marked_at) = ctx.effect_token(EFFECT).await?;
        let earlier = d
            .registrar
            .recent_operations(marked_at - 5 * 60_000)
            .await
            .map_err(|e| port_error(&messages::task_find_registration(), e))?
            .into_iter()
            .find(|o| o.kind == "REGISTER_DOMAIN" && o.domain.as_deref() == Some(inp.domain.as_str()));
        let operation_id = match earlier {
            Some(op) => {
                ctx.note(&messages::found_registration(&op.id)).await?;
                op.id
            }
            None => {
                faults::point("domain.register.before_call").await;
                ctx.note(&messages::registering(&inp.domain)).await?;
                let request = RegisterRequest { domain: inp.domain.clone(), years: inp.years, contact };
                let id = d.registrar.register(&request).await.map_err(|e| register_error(&inp.domain, e))?;
                faults::point("domain.register.after_call").await;
                id
            }
        };
        let output = RegisterOutput { operation_id };
        ctx.record(EFFECT, &output).await?;
        let note = messages::submitted(&output.operation_id);
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

fn register_error(domain: &DomainName, e: PortError) -> StepError {
    match e {
        PortError::Rejected { code, message } => {
            StepError::Fatal(messages::registration_refused(domain, &code, message))
        }
        other => port_error(&messages::task_register(domain), other),
    }
}

#[async_trait]
impl Step for AwaitRegistration {
    const KIND: StepKind = StepKind::DomainAwaitRegistration;
    type Input = DomainInput;
    type Output = RegisteredOutput;

    async fn run(&self, ctx: &StepCtx, inp: DomainInput) -> Result<StepOutcome<RegisteredOutput>, StepError> {
        let d = &self.0;
        let id = ctx.output::<Register>().await?.operation_id;
        let op = d.registrar.operation(&id).await.map_err(|e| port_error(&messages::task_check_registration(), e))?;
        let email = inp.contact.as_ref().map(|c| c.email.clone()).unwrap_or_default();
        let status = aws_status(&op.status);
        ctx.detail(&StepDetail::Registration {
            domain: inp.domain.to_string(),
            operation_id: id.clone(),
            status: status.to_string(),
            email: email.clone(),
        })
        .await?;
        match op.status {
            OperationStatus::Successful => Ok(StepOutcome::Done {
                output: RegisteredOutput { operation_id: id, status: status.to_string() },
                note: Some(messages::registered(&inp.domain, &email)),
            }),
            OperationStatus::Submitted | OperationStatus::InProgress => Ok(StepOutcome::Poll {
                after: d.registration_poll,
                note: messages::registration_pending(status, &email),
            }),
            OperationStatus::Failed | OperationStatus::Error => {
                Err(StepError::Fatal(messages::registration_failed(&inp.domain, status, op.message)))
            }
        }
    }
}
