//! Step 4: nginx, the site and certbot on the instance. Through SSM Run Command when the
//! instance is managed, else the team runs the script and presses "I ran it".
//!
//! SendCommand has no idempotency token, so the send is guarded three ways: the effect token is
//! stored first and carried in the command's comment (a retry after a crash finds the command
//! instead of sending again); a fenced write comes immediately before the send (a worker whose
//! lease was taken over stops there, see [`StepCtx::fence`]); and the command id is recorded,
//! fenced, right after (later turns follow that command).

use super::verify::first_problem;
use super::{messages, NginxDeps, NginxInput, RunInput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{CommandState, CommandStatus};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::doctor::Verdict;
use lockstep_domain::{InstanceId, StepDetail, StepKind, UserError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct Install(pub Arc<NginxDeps>);

/// How the script got onto the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstallMode {
    /// lockstep sent it through SSM Run Command.
    Ssm,
    /// The team ran it; HTTPS answering proved it.
    Manual,
}

/// What [`Install`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallOutput {
    pub mode: InstallMode,
    /// The SSM command (mode `ssm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
}

/// How long the script may run on the instance (package installs on a t2.micro are slow).
pub const SCRIPT_TIMEOUT_SECS: u32 = 900;

/// The recorded result of the send of generation `g` (effect `ssm.send.<g>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sent {
    command_id: String,
}

/// The mark that the command of generation `g` ended badly (effect `ssm.failed.<g>`): a Retry
/// sends a new one.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SendFailed {
    status: String,
}

fn send_key(generation: u32) -> String {
    format!("ssm.send.{generation}")
}

fn failed_key(generation: u32) -> String {
    format!("ssm.failed.{generation}")
}

/// SSM's status in its own words (the timeline's command detail shows it).
fn status_name(s: &CommandStatus) -> &'static str {
    match s {
        CommandStatus::Pending => "Pending",
        CommandStatus::Running => "Running",
        CommandStatus::Success => "Success",
        CommandStatus::Failed => "Failed",
        CommandStatus::TimedOut => "TimedOut",
        CommandStatus::Undeliverable => "Undeliverable",
        CommandStatus::Cancelled => "Cancelled",
    }
}

/// The end of a stream, at most `n` characters, cut at a line start.
fn tail(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut start = s.len() - n;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    let cut = &s[start..];
    cut.find('\n').map(|i| &cut[i + 1..]).unwrap_or(cut).to_string()
}

/// The explanation for a script that did not finish well on the instance.
pub fn script_failure(state: &CommandState, inp: &NginxInput) -> UserError {
    match state.status {
        CommandStatus::Undeliverable => messages::script_undeliverable(&state.detail),
        CommandStatus::TimedOut => messages::script_timed_out(),
        CommandStatus::Cancelled => messages::script_cancelled(),
        _ => lockstep_domain::nginx_diagnose::explain_script_failure(
            &state.stdout,
            &state.stderr,
            state.exit_code.unwrap_or(-1),
            inp.app_port,
            inp.api.as_str(),
        ),
    }
}

#[async_trait]
impl Step for Install {
    const KIND: StepKind = StepKind::InstanceHttpsInstall;
    type Input = RunInput;
    type Output = InstallOutput;

    async fn run(&self, ctx: &StepCtx, input: RunInput) -> Result<StepOutcome<InstallOutput>, StepError> {
        let inp = input.get()?;
        let Some(id) = inp.instance_id.clone() else { return self.manual(&inp).await };
        // One send per attempt the team asked for: a Retry after a failed script sends a new
        // one (generation g+1); a crash or a poll keeps following generation g.
        let mut g: u32 = 0;
        while let Some(sent) = ctx.recorded::<Sent>(&send_key(g)).await? {
            if ctx.recorded::<SendFailed>(&failed_key(g)).await?.is_none() {
                return self.follow(ctx, &inp, g, &sent.command_id, &id).await;
            }
            g += 1;
        }
        let managed = self.0.commands.is_managed(&inp.region, id.as_str()).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not ask SSM whether the instance is managed");
            false
        });
        if !managed {
            return self.manual(&inp).await;
        }
        // The comment carries our token, so a retry after a crash finds the command instead of
        // running the script twice.
        let key = send_key(g);
        let (token, _) = ctx.effect_token(&key).await?;
        let comment = format!("lockstep nginx {}", &token[..24.min(token.len())]);
        faults::point("nginx.install.before_send").await;
        let found = self
            .0
            .commands
            .find_sent(&inp.region, id.as_str(), &comment)
            .await
            .map_err(|e| port_error(&messages::finding_sent_script(), e))?;
        let command_id = match found {
            Some(c) => c,
            None => {
                let script = inp.script()?;
                // A worker whose lease was taken over (it hung past it) stops here: the worker
                // that holds the step now sends, once.
                ctx.fence().await?;
                self.0
                    .commands
                    .send(&inp.region, id.as_str(), &script, SCRIPT_TIMEOUT_SECS, &comment)
                    .await
                    .map_err(|e| port_error(&messages::sending_script(), e))?
            }
        };
        faults::point("nginx.install.after_send").await;
        ctx.record(&key, &Sent { command_id: command_id.clone() }).await?;
        Ok(StepOutcome::Poll {
            after: self.0.poll.min(Duration::from_secs(3)),
            note: messages::script_sent(&id, &command_id),
        })
    }
}

impl Install {
    /// Follows the command of `generation` until it ends.
    async fn follow(
        &self,
        ctx: &StepCtx,
        inp: &NginxInput,
        generation: u32,
        command_id: &str,
        instance_id: &InstanceId,
    ) -> Result<StepOutcome<InstallOutput>, StepError> {
        let state = self
            .0
            .commands
            .state(&inp.region, command_id, instance_id.as_str())
            .await
            .map_err(|e| port_error(&messages::reading_script_progress(), e))?;
        ctx.detail(&StepDetail::Command {
            command_id: command_id.to_string(),
            status: status_name(&state.status).to_string(),
            stdout: tail(&state.stdout, 6000),
            stderr: tail(&state.stderr, 3000),
            exit_code: state.exit_code,
        })
        .await?;
        match state.status {
            CommandStatus::Pending | CommandStatus::Running => {
                let last = state.stdout.lines().rev().find(|l| !l.trim().is_empty());
                Ok(StepOutcome::Poll {
                    after: self.0.poll.min(Duration::from_secs(3)),
                    note: messages::script_running(instance_id, last),
                })
            }
            CommandStatus::Success => Ok(StepOutcome::Done {
                output: InstallOutput { mode: InstallMode::Ssm, command_id: Some(command_id.to_string()) },
                note: Some(messages::script_finished(instance_id)),
            }),
            _ => {
                // Effects are recorded against a token row: make it, then mark this send failed
                // so a Retry sends a new script instead of following this one again.
                let key = failed_key(generation);
                ctx.effect_token(&key).await?;
                ctx.record(&key, &SendFailed { status: status_name(&state.status).to_string() }).await?;
                Err(StepError::Fatal(script_failure(&state, inp)))
            }
        }
    }

    /// The team runs the script; "I ran it" asks for a check now. Done when HTTPS answers for
    /// the name with a certificate that verifies.
    async fn manual(&self, inp: &NginxInput) -> Result<StepOutcome<InstallOutput>, StepError> {
        let report = self.0.probe.check(&inp.target(Vec::new())?).await;
        let tls = report.findings.iter().find(|f| f.check == "tls.certificate");
        if tls.is_some_and(|f| f.verdict == Verdict::Pass) {
            return Ok(StepOutcome::Done {
                output: InstallOutput { mode: InstallMode::Manual, command_id: None },
                note: Some(messages::https_answers(&inp.api)),
            });
        }
        let problem = first_problem(&report, &["dns.address", "tls.handshake", "tls.certificate"]);
        Ok(StepOutcome::Poll {
            after: (self.0.poll * 30).min(Duration::from_secs(30)),
            note: messages::waiting_for_you(problem),
        })
    }
}
