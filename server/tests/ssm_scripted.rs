//! The SSM Run Command adapter with scripted SDK replies (moto records SendCommand but runs
//! nothing and has no invocation output): the invocation not known yet right after sending,
//! progress with partial output, Success, Failed with stderr and exit code, TimedOut,
//! Undeliverable, and whether the instance is managed at all.

use aws_sdk_ssm::error::ErrorMetadata;
use aws_sdk_ssm::operation::describe_instance_information::DescribeInstanceInformationOutput;
use aws_sdk_ssm::operation::get_command_invocation::{GetCommandInvocationError, GetCommandInvocationOutput};
use aws_sdk_ssm::operation::list_commands::ListCommandsOutput;
use aws_sdk_ssm::operation::send_command::SendCommandOutput;
use aws_sdk_ssm::types::{Command, CommandInvocationStatus, InstanceInformation, PingStatus};
use aws_sdk_ssm::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use lockstep_domain::Region;
use lockstep_server::aws::ssm::Ssm;
use lockstep_server::ports::{CommandStatus, RunCommand};

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
