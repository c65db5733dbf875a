//! SSM Run Command: the free path's script run on the instance, its output streamed back.
//!
//! The script is sent as one finished text (`lockstep_domain::nginx::install_script`, where every
//! value is shell-quoted): nothing is formatted into a command here, so there is no second place
//! a value could reach the root shell unquoted.

use super::{classify, Aws};
use crate::ports::{CommandState, CommandStatus, PortError, PortResult, RunCommand};
use async_trait::async_trait;
use aws_sdk_ssm::types::{CommandInvocationStatus, InstanceInformationStringFilter};
use lockstep_domain::Region;
use std::sync::Arc;

pub struct Ssm {
    aws: Option<Arc<Aws>>,
    fixed: Option<aws_sdk_ssm::Client>,
}

impl Ssm {
    pub fn new(aws: Arc<Aws>) -> Ssm {
        Ssm { aws: Some(aws), fixed: None }
    }
    /// One client for every region (scripted replies in tests).
    pub fn with_client(client: aws_sdk_ssm::Client) -> Ssm {
        Ssm { aws: None, fixed: Some(client) }
    }
    /// The client for `region` (also for [`super::catalog`]).
    pub(super) fn client_for(&self, region: &Region) -> aws_sdk_ssm::Client {
        self.client(region)
    }
    fn client(&self, region: &Region) -> aws_sdk_ssm::Client {
        match (&self.fixed, &self.aws) {
            (Some(c), _) => c.clone(),
            (None, Some(aws)) => aws.ssm(region.as_str()),
            (None, None) => unreachable!("Ssm has a client or an Aws"),
        }
    }
}

/// SSM's status and details into ours. StatusDetails is finer than Status: "Undeliverable" and
/// "Delivery Timed Out" mean the agent never got the command (Status says Failed / TimedOut).
pub fn status_of(status: Option<&CommandInvocationStatus>, details: &str) -> CommandStatus {
    match details {
        "Undeliverable" | "Delivery Timed Out" | "Terminated" => return CommandStatus::Undeliverable,
        "Execution Timed Out" => return CommandStatus::TimedOut,
        _ => {}
    }
    match status {
        Some(CommandInvocationStatus::Success) => CommandStatus::Success,
        Some(CommandInvocationStatus::Failed) => CommandStatus::Failed,
        Some(CommandInvocationStatus::TimedOut) => CommandStatus::TimedOut,
        Some(CommandInvocationStatus::Cancelled) | Some(CommandInvocationStatus::Cancelling) => {
            CommandStatus::Cancelled
        }
        Some(CommandInvocationStatus::InProgress) => CommandStatus::Running,
        _ => CommandStatus::Pending,
    }
}

#[async_trait]
impl RunCommand for Ssm {
    async fn is_managed(&self, region: &Region, instance_id: &str) -> PortResult<bool> {
        let out = self
            .client(region)
            .describe_instance_information()
            .filters(
                InstanceInformationStringFilter::builder()
                    .key("InstanceIds")
                    .values(instance_id)
                    .build()
                    .map_err(|e| PortError::Rejected { code: "InvalidFilter".into(), message: e.to_string() })?,
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(out
            .instance_information_list()
            .iter()
            .any(|i| i.instance_id() == Some(instance_id) && i.ping_status().map(|p| p.as_str()) == Some("Online")))
    }

    async fn send(
        &self,
        region: &Region,
        instance_id: &str,
        script: &str,
        timeout_secs: u32,
        comment: &str,
    ) -> PortResult<String> {
        let out = self
            .client(region)
            .send_command()
            .document_name("AWS-RunShellScript")
            .instance_ids(instance_id)
            .parameters("commands", vec![script.to_string()])
            .parameters("executionTimeout", vec![timeout_secs.to_string()])
            .comment(comment)
            .send()
            .await
            .map_err(classify)?;
        out.command()
            .and_then(|c| c.command_id())
            .map(str::to_string)
            .ok_or_else(|| PortError::Unavailable("SendCommand returned no command id".into()))
    }

    async fn find_sent(&self, region: &Region, instance_id: &str, comment: &str) -> PortResult<Option<String>> {
        // ListCommands keeps 30 days of history; a retry comes minutes after the send.
        let out = self.client(region).list_commands().instance_id(instance_id).send().await.map_err(classify)?;
        Ok(out
            .commands()
            .iter()
            .find(|c| c.comment() == Some(comment))
            .and_then(|c| c.command_id())
            .map(str::to_string))
    }

    async fn state(&self, region: &Region, command_id: &str, instance_id: &str) -> PortResult<CommandState> {
        match self.client(region).get_command_invocation().command_id(command_id).instance_id(instance_id).send().await
        {
            Ok(o) => {
                let details = o.status_details().unwrap_or("").to_string();
                Ok(CommandState {
                    status: status_of(o.status(), &details),
                    detail: details,
                    exit_code: Some(o.response_code()).filter(|c| *c != -1),
                    stdout: o.standard_output_content().unwrap_or("").to_string(),
                    stderr: o.standard_error_content().unwrap_or("").to_string(),
                })
            }
            Err(e) => match classify(e) {
                // The invocation shows up a moment after SendCommand: not an error yet.
                PortError::Rejected { code, .. } if code == "InvocationDoesNotExist" => Ok(CommandState {
                    status: CommandStatus::Pending,
                    detail: "Pending".into(),
                    exit_code: None,
                    stdout: String::new(),
                    stderr: String::new(),
                }),
                other => Err(other),
            },
        }
    }
}
