//! The SSM Run Command adapter with scripted SDK replies (moto records SendCommand but runs
//! nothing and has no invocation output): the invocation not known yet right after sending,
//! progress with partial output, Success, Failed with stderr and exit code, TimedOut,
//! Undeliverable, and whether the instance is managed at all. And the install step around the
//! send: a worker whose lease was taken over while it looked for an earlier command does not
//! send the script a second time.

mod common;

use async_trait::async_trait;
use aws_sdk_ssm::error::ErrorMetadata;
use aws_sdk_ssm::operation::describe_instance_information::DescribeInstanceInformationOutput;
use aws_sdk_ssm::operation::get_command_invocation::{GetCommandInvocationError, GetCommandInvocationOutput};
use aws_sdk_ssm::operation::list_commands::ListCommandsOutput;
use aws_sdk_ssm::operation::send_command::SendCommandOutput;
use aws_sdk_ssm::types::{Command, CommandInvocationStatus, InstanceInformation, PingStatus};
use aws_sdk_ssm::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use lockstep_domain::contact::Email;
use lockstep_domain::nginx::Os;
use lockstep_domain::{DomainName, HealthPath, InstanceId, Region, StepKind};
use lockstep_server::aws::ssm::Ssm;
use lockstep_server::clock::ManualClock;
use lockstep_server::jobs::{decode_output, Engine, EngineConfig};
use lockstep_server::ports::{CommandState, CommandStatus, PortResult, RunCommand};
use lockstep_server::registry;
use lockstep_server::steps::instance_https::{self, InstallMode, NginxInput};
use lockstep_server::store::NewRun;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

fn region() -> Region {
    Region::parse("ap-northeast-2").unwrap()
}

fn invocation(
    status: CommandInvocationStatus,
    details: &'static str,
    code: i32,
    out: &'static str,
    err: &'static str,
) -> Rule {
    mock!(Client::get_command_invocation).then_output(move || {
        GetCommandInvocationOutput::builder()
            .status(status.clone())
            .status_details(details)
            .response_code(code)
            .standard_output_content(out)
            .standard_error_content(err)
            .build()
    })
}

fn not_yet() -> Rule {
    mock!(Client::get_command_invocation).then_error(|| {
        GetCommandInvocationError::generic(ErrorMetadata::builder().code("InvocationDoesNotExist").message("").build())
    })
}

#[tokio::test]
async fn a_successful_run_goes_from_unknown_to_running_to_success_with_its_output() {
    let sent = mock!(Client::send_command)
        .match_requests(|r| {
            r.document_name() == Some("AWS-RunShellScript")
                && r.instance_ids() == ["i-0abc"]
                && r.parameters().and_then(|p| p.get("commands")).is_some_and(|c| c[0].contains("certbot"))
                && r.comment() == Some("lockstep nginx t1")
        })
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("cmd-1").build()).build());
    let client = mock_client!(
        aws_sdk_ssm,
        RuleMode::Sequential,
        [
            &sent,
            &not_yet(),
            &invocation(CommandInvocationStatus::InProgress, "InProgress", -1, "Installing nginx...", ""),
            &invocation(
                CommandInvocationStatus::Success,
                "Success",
                0,
                "Installing nginx...\nCongratulations! You have successfully enabled HTTPS",
                ""
            )
        ]
    );
    let ssm = Ssm::with_client(client);
    let id = ssm
        .send(&region(), "i-0abc", "sudo certbot --nginx -d api.example.com", 600, "lockstep nginx t1")
        .await
        .unwrap();
    assert_eq!(id, "cmd-1");
    let s = ssm.state(&region(), &id, "i-0abc").await.unwrap();
    assert_eq!(s.status, CommandStatus::Pending, "right after SendCommand the invocation is not known yet");
    let s = ssm.state(&region(), &id, "i-0abc").await.unwrap();
    assert_eq!((s.status, s.exit_code, s.stdout.as_str()), (CommandStatus::Running, None, "Installing nginx..."));
    let s = ssm.state(&region(), &id, "i-0abc").await.unwrap();
    assert_eq!((s.status, s.exit_code), (CommandStatus::Success, Some(0)));
    assert!(s.stdout.contains("successfully enabled HTTPS"));
}

#[tokio::test]
async fn failed_timed_out_and_undeliverable_are_told_apart() {
    let client = mock_client!(
        aws_sdk_ssm,
        RuleMode::Sequential,
        [
            &invocation(
                CommandInvocationStatus::Failed,
                "Failed",
                1,
                "",
                "nginx: [emerg] unknown directive \"proxy_passs\""
            ),
            &invocation(
                CommandInvocationStatus::TimedOut,
                "Execution Timed Out",
                -1,
                "Waiting for verification...",
                ""
            ),
            &invocation(CommandInvocationStatus::Failed, "Undeliverable", -1, "", ""),
            &invocation(CommandInvocationStatus::TimedOut, "Delivery Timed Out", -1, "", "")
        ]
    );
    let ssm = Ssm::with_client(client);
    let s = ssm.state(&region(), "c", "i-1").await.unwrap();
    assert_eq!((s.status.clone(), s.exit_code), (CommandStatus::Failed, Some(1)));
    assert!(s.stderr.contains("unknown directive"));
    assert_eq!(ssm.state(&region(), "c", "i-1").await.unwrap().status, CommandStatus::TimedOut);
    assert_eq!(ssm.state(&region(), "c", "i-1").await.unwrap().status, CommandStatus::Undeliverable);
    let s = ssm.state(&region(), "c", "i-1").await.unwrap();
    assert_eq!((s.status, s.detail.as_str()), (CommandStatus::Undeliverable, "Delivery Timed Out"));
}

#[tokio::test]
async fn only_an_online_agent_counts_as_managed() {
    let info = |ping: PingStatus| {
        mock!(Client::describe_instance_information).then_output(move || {
            DescribeInstanceInformationOutput::builder()
                .instance_information_list(
                    InstanceInformation::builder().instance_id("i-1").ping_status(ping.clone()).build(),
                )
                .build()
        })
    };
    let client =
        mock_client!(aws_sdk_ssm, RuleMode::Sequential, [&info(PingStatus::Online), &info(PingStatus::ConnectionLost)]);
    let ssm = Ssm::with_client(client);
    assert!(ssm.is_managed(&region(), "i-1").await.unwrap());
    assert!(!ssm.is_managed(&region(), "i-1").await.unwrap());
}

#[tokio::test]
async fn a_command_sent_before_a_crash_is_found_by_its_comment_not_sent_again() {
    let listed = mock!(Client::list_commands).match_requests(|r| r.instance_id() == Some("i-0abc")).then_output(|| {
        ListCommandsOutput::builder()
            .commands(Command::builder().command_id("cmd-old").comment("lockstep nginx other").build())
            .commands(Command::builder().command_id("cmd-mine").comment("lockstep nginx t1").build())
            .build()
    });
    let client = mock_client!(aws_sdk_ssm, RuleMode::MatchAny, [&listed]);
    let ssm = Ssm::with_client(client);
    assert_eq!(ssm.find_sent(&region(), "i-0abc", "lockstep nginx t1").await.unwrap().as_deref(), Some("cmd-mine"));
    assert_eq!(ssm.find_sent(&region(), "i-0abc", "lockstep nginx t2").await.unwrap(), None);
}

/// SSM as the install step sees it: a managed instance, SendCommand counted, and the first
/// ListCommands answer held back until the test lets it go (the worker that asked hangs there
/// past its lease, as a stalled process or a slow network does).
struct HeldSsm {
    sent: std::sync::Mutex<Vec<String>>,
    finds: AtomicUsize,
    holding: Notify,
    release: Notify,
}

#[async_trait]
impl RunCommand for HeldSsm {
    async fn is_managed(&self, _: &Region, _: &str) -> PortResult<bool> {
        Ok(true)
    }
    async fn send(&self, _: &Region, _: &str, script: &str, _: u32, comment: &str) -> PortResult<String> {
        assert!(script.contains("certbot"), "{script}");
        let mut sent = self.sent.lock().unwrap();
        sent.push(comment.to_string());
        Ok(format!("cmd-{}", sent.len()))
    }
    async fn find_sent(&self, _: &Region, _: &str, comment: &str) -> PortResult<Option<String>> {
        if self.finds.fetch_add(1, Ordering::SeqCst) == 0 {
            // Answered before anyone sent anything, delivered late.
            self.holding.notify_one();
            self.release.notified().await;
            return Ok(None);
        }
        let sent = self.sent.lock().unwrap();
        Ok(sent.iter().position(|c| c == comment).map(|i| format!("cmd-{}", i + 1)))
    }
    async fn state(&self, _: &Region, _: &str, _: &str) -> PortResult<CommandState> {
        Ok(CommandState {
            status: CommandStatus::Success,
            detail: "Success".into(),
            exit_code: Some(0),
            stdout: "Congratulations! You have successfully enabled HTTPS".into(),
            stderr: String::new(),
        })
    }
}

/// Issue 20: SendCommand has no idempotency token, and the step used to send right after
/// looking for an earlier command. A worker that stalled there past its lease (another worker
/// took the step over and sent the script) woke up and sent it again. Now a fenced write comes
/// immediately before the send: the stale worker stops there, and the script is sent once.
#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_does_not_send_the_script_again() {
    let ssm = Arc::new(HeldSsm {
        sent: Default::default(),
        finds: AtomicUsize::new(0),
        holding: Notify::new(),
        release: Notify::new(),
    });
    let commands = ssm.clone();
    let w = common::world_with(move |mut a| {
        a.commands = commands;
        a
    })
    .await;
    let input = NginxInput {
        region: region(),
        instance_id: Some(InstanceId::parse("i-0123456789abcdef0").unwrap()),
        public_ip: Ipv4Addr::new(54, 180, 1, 2),
        app_port: 8000,
        health_path: HealthPath::parse("/health").unwrap(),
        api: DomainName::parse("api.team.com").unwrap(),
        zone_id: None,
        os: Os::Ubuntu,
        staging: false,
        email: Email::parse("kim@example.com").unwrap(),
        http_port: 80,
        https_port: 443,
    };
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: run_id.clone(),
        project_id: common::project(&w).await,
        kind: instance_https::RUN_KIND,
        input: serde_json::to_value(&input).unwrap(),
        steps: vec![(uuid::Uuid::new_v4().simple().to_string(), StepKind::InstanceHttpsInstall)],
    };
    w.store.create_run(&run, 0).await.unwrap();

    // Time moves only when the test says so: the stale worker's lease runs out on cue.
    let clock = ManualClock::new(1_000_000);
    let config = EngineConfig::default();
    let lease_ms = config.lease.as_millis() as i64;
    let engine = Engine::new(w.store.clone(), Arc::new(clock.clone()), registry(&w.service.adapters), config);
    let stop = CancellationToken::new();
    let stale = {
        let (engine, stop) = (engine.clone(), stop.clone());
        tokio::spawn(async move { engine.run_once("stale", &stop).await })
    };
    ssm.holding.notified().await;

    // Its lease runs out; another worker claims the step and sends the script.
    clock.advance(2 * lease_ms);
    assert!(engine.run_once("fresh", &stop).await.unwrap());
    assert_eq!(ssm.sent.lock().unwrap().len(), 1, "the worker holding the step sent the script");

    // The stale worker gets its late answer ("nothing sent yet") and goes on.
    ssm.release.notify_one();
    assert!(stale.await.unwrap().unwrap(), "it ran its turn");
    assert_eq!(ssm.sent.lock().unwrap().len(), 1, "the stale worker did not send the script again");

    // The step follows the one command to the end.
    clock.advance(60_000);
    assert!(engine.run_once("fresh", &stop).await.unwrap());
    let (_, steps) = w.store.get_run(&run_id).await.unwrap().unwrap();
    let output = steps[0].output.as_ref().expect("the step is done");
    let output = decode_output::<instance_https::Install>(output).unwrap();
    assert_eq!((output.mode, output.command_id.as_deref()), (InstallMode::Ssm, Some("cmd-1")));
    assert_eq!(ssm.sent.lock().unwrap().len(), 1);
}
