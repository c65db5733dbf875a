//! The free path as a whole run through the engine: moto for EC2 and Route 53, scripted SSM
//! replies (moto runs no commands), and the real HTTPS lab playing the instance (its nginx
//! with a pebble certificate; `address_map` says the instance's public IP is served there).

mod common;
use common::ec2_sdk::Ec2Sdk;

use app::api::ssr::prelude::*;
use app::model::{FreePathOutcome, StartOutcome};
use aws_sdk_ec2::types::InstanceType;
use aws_sdk_ssm::operation::describe_instance_information::DescribeInstanceInformationOutput;
use aws_sdk_ssm::operation::get_command_invocation::GetCommandInvocationOutput;
use aws_sdk_ssm::operation::list_commands::ListCommandsOutput;
use aws_sdk_ssm::operation::send_command::SendCommandOutput;
use aws_sdk_ssm::types::{Command, CommandInvocationStatus, InstanceInformation, PingStatus};
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use common::*;
use lockstep_doctor::lab::Lab;
use lockstep_domain::freepath::FreePathForm;
use lockstep_domain::plan::PlanInput;
use lockstep_domain::{DomainName, ProjectInput, Region, RunStatus, StepDetail, StepKind, StepStatus};
use lockstep_server::aws::ssm::Ssm;
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::net::dns::HickoryDns;
use lockstep_server::ports::Firewall;
use lockstep_server::{https_doctor, Adapters};
use std::net::Ipv4Addr;
use std::sync::{Arc, OnceLock};

const REGION: &str = "ap-northeast-2";

fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    // A static is never dropped: the watchdog stops a lab this binary started when it exits.
    LAB.get_or_init(|| {
        Lab::start().expect("the HTTPS lab (scripts/test.sh starts it; see lab/README.md)").stop_when_process_exits()
    })
}

/// Adapters that see the lab as the internet: its DNS, its CA, its ports, and `public` served
/// at `local`.
fn lab_adapters(mut a: Adapters, public: Ipv4Addr, local: Ipv4Addr) -> Adapters {
    let lab = lab();
    a.public_dns = Arc::new(HickoryDns::at(lab.dns()).unwrap());
    // The lab is on loopback: the lab/test opt-in to private targets.
    a.probe = Arc::new(https_doctor(Some(lab.dns()), Some(&lab.ca_bundle())).unwrap().allow_private_targets());
    a.probe_ports = (lab.http_port(), lab.https_port());
    a.address_map = vec![(public, local)];
    a
}

/// A project whose API name is `api` in a moto hosted zone for the lab's zone.
async fn project_named(w: &World, instance: &str, api: &str) -> String {
    let id = match w
        .service
        .create_project(&w.me, &w.team, ProjectInput { instance: instance.into(), ..good_input() })
        .await
        .unwrap()
    {
        app::model::CreateOutcome::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let zone = w.zones.create_zone(&DomainName::parse(lab().zone()).unwrap(), &format!("z-{id}")).await.unwrap();
    w.service.choose_zone(&w.me, &id, &zone.id).await.unwrap();
    let plan = w
        .service
        .save_plan(&w.me, &id, PlanInput { frontend: format!("www.{}", lab().zone()), api: api.into() })
        .await
        .unwrap();
    assert!(matches!(plan, app::model::PlanOutcome::Saved { .. }), "{plan:?}");
    id
}

fn form() -> FreePathForm {
    FreePathForm { os: "ubuntu".into(), staging: false, email: "kim@student.test".into() }
}

#[tokio::test]
async fn an_ssm_managed_instance_goes_from_closed_ports_to_verified_https() {
    // The instance in moto, with a security group that has only SSH open to the world.
    let account = account();
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account.clone()) }).await;
    let ec2 = aws.ec2_sdk(REGION);
    let sg = ec2.create_security_group().group_name("web").description("web").send().await.unwrap();
    let sg = sg.group_id().unwrap().to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&sg)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    let run = ec2
        .run_instances()
        .image_id("ami-03cf127a")
        .instance_type(InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&sg)
        .send()
        .await
        .unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_string();
    let desc = ec2.describe_instances().instance_ids(&instance).send().await.unwrap();
    let public: Ipv4Addr = desc.reservations()[0].instances()[0].public_ip_address().unwrap().parse().unwrap();

    // SSM: the agent is online, nothing was sent before, the script runs and succeeds.
    let api = format!("valid.{}", lab().zone());
    let api_for_rule = api.clone();
    let iid = instance.clone();
    let online = mock!(aws_sdk_ssm::Client::describe_instance_information).then_output(move || {
        DescribeInstanceInformationOutput::builder()
            .instance_information_list(
                InstanceInformation::builder().instance_id(iid.clone()).ping_status(PingStatus::Online).build(),
            )
            .build()
    });
    let none_sent = mock!(aws_sdk_ssm::Client::list_commands).then_output(|| ListCommandsOutput::builder().build());
    let send = mock!(aws_sdk_ssm::Client::send_command)
        .match_requests(move |r| {
            r.comment().is_some_and(|c| c.starts_with("lockstep nginx "))
                && r.parameters().and_then(|p| p.get("commands")).is_some_and(|c| {
                    c[0].contains(&format!("certbot --nginx -d '{api_for_rule}' --redirect -m 'kim@student.test'"))
                        && c[0].contains("proxy_pass http://127.0.0.1:8000;")
                        && c[0].contains("certbot renew --dry-run")
                })
        })
        .then_output(|| SendCommandOutput::builder().command(Command::builder().command_id("cmd-7").build()).build());
    let running = mock!(aws_sdk_ssm::Client::get_command_invocation).then_output(|| {
        GetCommandInvocationOutput::builder()
            .status(CommandInvocationStatus::InProgress)
            .status_details("InProgress")
            .response_code(-1)
            .standard_output_content("Setting up nginx (1.24.0-2ubuntu7) ...")
            .build()
    });
    let done = mock!(aws_sdk_ssm::Client::get_command_invocation).then_output(|| {
        GetCommandInvocationOutput::builder()
            .status(CommandInvocationStatus::Success)
            .status_details("Success")
            .response_code(0)
            .standard_output_content("Setting up nginx ...\nCongratulations! You have successfully enabled HTTPS")
            .build()
    });
    let ssm = mock_client!(aws_sdk_ssm, RuleMode::Sequential, [&online, &none_sent, &send, &running, &done]);
    let w = world_for(account, |a| {
        let mut a = lab_adapters(a, public, Ipv4Addr::new(127, 0, 2, 1));
        a.commands = Arc::new(Ssm::with_client(ssm));
        a
    })
    .await;
    let id = project_named(&w, &instance, &api).await;

    // Bad choices come back per field, and start nothing.
    let bad = FreePathForm { os: "windows".into(), staging: false, email: "nope".into() };
    match w.service.start_free_path(&w.me, &id, bad).await.unwrap() {
        FreePathOutcome::Invalid(errs) => assert_eq!(errs.len(), 2, "{errs:?}"),
        other => panic!("{other:?}"),
    }
    assert!(w.service.latest_free_path_run(&w.me, &id).await.unwrap().is_none());

    let FreePathOutcome::Started(run) = w.service.start_free_path(&w.me, &id, form()).await.unwrap() else { panic!() };
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");

    // Ports 80 and 443 are open now; SSH open to the world was pointed out.
    let fw = lockstep_server::aws::ec2::Ec2(Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(w.account.clone()) }).await,
    ));
    let (_, rules) = fw.instance_rules(&Region::parse(REGION).unwrap(), &instance).await.unwrap();
    for port in [80, 443] {
        assert!(rules.iter().any(|r| r.covers(port) && r.world_open()), "port {port} open: {rules:?}");
    }
    let step = |k: StepKind| done.steps.iter().find(|s| s.kind == k).unwrap().clone();
    assert!(step(StepKind::InstanceHttpsOpenPorts).note.unwrap().en.contains("port 22 (SSH)"));

    // The A record is in the zone, with the warning that the address is not an Elastic IP.
    let plan = w.service.get_project(&w.me, &id).await.unwrap().plan.unwrap();
    let records = w.records.list_records(plan.zone_id.as_deref().unwrap()).await.unwrap();
    assert!(records.iter().any(|r| r.rtype == "A" && r.name == api && r.values == [public.to_string()]), "{records:?}");
    assert!(step(StepKind::InstanceHttpsDnsRecord).note.unwrap().en.contains("not an Elastic IP"));
    // Both rules and the record are in the ledger, for teardown.
    let ledger = w.service.ledger(&w.me, &id).await.unwrap();
    let ids: Vec<&str> = ledger.items.iter().map(|i| i.id.as_str()).collect();
    assert!(
        ids.iter().any(|i| i.ends_with(":tcp:80:from:world")) && ids.iter().any(|i| i.ends_with(":tcp:443:from:world")),
        "{ids:?}"
    );
    assert!(ids.iter().any(|i| i.ends_with(&format!(":{api}:A"))), "{ids:?}");

    // The script's output is in the timeline; the outside check passed.
    match step(StepKind::InstanceHttpsInstall).detail {
        Some(StepDetail::Command { command_id, stdout, exit_code, .. }) => {
            assert_eq!((command_id.as_str(), exit_code), ("cmd-7", Some(0)));
            assert!(stdout.contains("successfully enabled HTTPS"));
        }
        other => panic!("{other:?}"),
    }
    let verify = step(StepKind::InstanceHttpsVerify);
    assert_eq!(verify.status, StepStatus::Succeeded);
    match verify.detail {
        Some(StepDetail::Doctor { report }) => {
            for check in ["dns.address", "tls.certificate", "http.redirect", "http.health"] {
                assert!(
                    report
                        .findings
                        .iter()
                        .any(|f| f.check == check && f.verdict == lockstep_doctor::doctor::Verdict::Pass),
                    "{check} passes: {report:#?}"
                );
            }
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn without_ssm_the_team_runs_the_script_and_the_outside_check_names_a_502() {
    // An instance known only by its IP; the lab's badgateway host (nginx proxying to a closed
    // port) plays it.
    let public = Ipv4Addr::new(54, 180, 1, 2);
    let w = world_with(|a| lab_adapters(a, public, Ipv4Addr::new(127, 0, 9, 1))).await;
    let api = format!("badgateway.{}", lab().zone());
    let id = project_named(&w, "54.180.1.2", &api).await;
    let FreePathOutcome::Started(run) = w.service.start_free_path(&w.me, &id, form()).await.unwrap() else { panic!() };
    // A second click while it runs returns the same run.
    let FreePathOutcome::Started(again) = w.service.start_free_path(&w.me, &id, form()).await.unwrap() else {
        panic!()
    };
    assert_eq!(again.id, run.id);
    let failed = drive(&w, &run.id).await;
    assert_eq!(failed.status, RunStatus::Failed, "{failed:#?}");
    let step = |k: StepKind| failed.steps.iter().find(|s| s.kind == k).unwrap().clone();
    assert!(step(StepKind::InstanceHttpsOpenPorts).note.unwrap().en.contains("allow inbound TCP 80 and 443"));
    // No SSM: the install step was the team's, done once HTTPS answered with a valid certificate.
    assert_eq!(step(StepKind::InstanceHttpsInstall).status, StepStatus::Succeeded);
    let verify = step(StepKind::InstanceHttpsVerify);
    let err = verify.error.clone().expect("an explanation");
    let text = format!("{} {} {}", err.what, err.why, err.fix);
    assert!(text.contains("502"), "{text}");
    assert!(text.contains("8000"), "the app port is named: {text}");
    assert!(err.fix.contains("Retry"));

    // Retry runs the failed step again (and it fails again: nothing changed).
    w.service.retry_run(&w.me, &run.id).await.unwrap();
    let again = drive(&w, &run.id).await;
    assert_eq!(again.status, RunStatus::Failed);
    assert!(w.service.retry_run(&w.me, &run.id).await.is_ok());
    let _ = drive(&w, &run.id).await;
    // Nothing to retry in a run that is not failed: a plain answer, not a crash.
    let ok = world_with(|a| a).await;
    assert!(ok.service.retry_run(&ok.me, "no-such-run").await.is_err());
}

#[tokio::test]
async fn a_failed_script_is_explained_and_retry_sends_a_new_one() {
    let account = account();
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account.clone()) }).await;
    let ec2 = aws.ec2_sdk(REGION);
    let sg = ec2.create_security_group().group_name("web").description("web").send().await.unwrap();
    let run = ec2
        .run_instances()
        .security_group_ids(sg.group_id().unwrap())
        .image_id("ami-03cf127a")
        .instance_type(InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_string();
    let desc = ec2.describe_instances().instance_ids(&instance).send().await.unwrap();
    let public: Ipv4Addr = desc.reservations()[0].instances()[0].public_ip_address().unwrap().parse().unwrap();

    // certbot's real output when nothing answers on port 80 (captured from the lab).
    let root = lockstep_doctor::lab::repo_root().join("domain/testdata/script-failures");
    let stdout: &'static str =
        Box::leak(std::fs::read_to_string(root.join("pebble-port80-refused.stdout")).unwrap().into_boxed_str());
    let stderr: &'static str =
        Box::leak(std::fs::read_to_string(root.join("pebble-port80-refused.stderr")).unwrap().into_boxed_str());
    let online = || {
        let iid = instance.clone();
        mock!(aws_sdk_ssm::Client::describe_instance_information).then_output(move || {
            DescribeInstanceInformationOutput::builder()
                .instance_information_list(
                    InstanceInformation::builder().instance_id(iid.clone()).ping_status(PingStatus::Online).build(),
                )
                .build()
        })
    };
    let none_sent = || mock!(aws_sdk_ssm::Client::list_commands).then_output(|| ListCommandsOutput::builder().build());
    let send = |id: &'static str| {
        mock!(aws_sdk_ssm::Client::send_command).then_output(move || {
            SendCommandOutput::builder().command(Command::builder().command_id(id).build()).build()
        })
    };
    let failed = mock!(aws_sdk_ssm::Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-1"))
        .then_output(move || {
            GetCommandInvocationOutput::builder()
                .status(CommandInvocationStatus::Failed)
                .status_details("Failed")
                .response_code(1)
                .standard_output_content(stdout)
                .standard_error_content(stderr)
                .build()
        });
    let ok = mock!(aws_sdk_ssm::Client::get_command_invocation)
        .match_requests(|r| r.command_id() == Some("cmd-2"))
        .then_output(|| {
            GetCommandInvocationOutput::builder()
                .status(CommandInvocationStatus::Success)
                .status_details("Success")
                .response_code(0)
                .standard_output_content("Congratulations! You have successfully enabled HTTPS")
                .build()
        });
    let (send1, send2) = (send("cmd-1"), send("cmd-2"));
    let (online1, online2, none1, none2) = (online(), online(), none_sent(), none_sent());
    let ssm = mock_client!(
        aws_sdk_ssm,
        RuleMode::Sequential,
        [&online1, &none1, &send1, &failed, &online2, &none2, &send2, &ok]
    );
    let w = world_for(account, |a| {
        let mut a = lab_adapters(a, public, Ipv4Addr::new(127, 0, 2, 1));
        a.commands = Arc::new(Ssm::with_client(ssm));
        a
    })
    .await;
    let id = project_named(&w, &instance, &format!("valid.{}", lab().zone())).await;
    let FreePathOutcome::Started(run) = w.service.start_free_path(&w.me, &id, form()).await.unwrap() else { panic!() };
    let stopped = drive(&w, &run.id).await;
    assert_eq!(stopped.status, RunStatus::Failed, "{stopped:#?}");
    let install = stopped.steps.iter().find(|s| s.kind == StepKind::InstanceHttpsInstall).unwrap();
    let err = install.error.clone().unwrap();
    let text = format!("{} {} {}", err.what, err.why, err.fix);
    assert!(text.contains("port 80"), "the explanation names port 80: {text}");
    assert!(matches!(&install.detail, Some(StepDetail::Command { command_id, .. }) if command_id == "cmd-1"));

    // The team opened the port; Retry sends the script again (a second command), which works.
    w.service.retry_run(&w.me, &run.id).await.unwrap();
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let install = done.steps.iter().find(|s| s.kind == StepKind::InstanceHttpsInstall).unwrap();
    assert!(matches!(&install.detail, Some(StepDetail::Command { command_id, .. }) if command_id == "cmd-2"));
}

#[tokio::test]
async fn the_frontend_needs_the_certificate_then_gets_cloudfront_and_a_cache_clear() {
    let w = world_with(|a| a).await;
    let id = project_named(&w, "54.180.1.2", &format!("api.{}", lab().zone())).await;

    // www needs an ACM certificate first: refused with what to do, nothing started.
    let StartOutcome::Refused(err) = w.service.start_frontend(&w.me, &id).await.unwrap() else { panic!() };
    let err = err.to_string();
    assert!(err.contains("needs a certificate") && err.contains("step 2"), "{err}");
    assert!(w.service.latest_frontend_run(&w.me, &id).await.unwrap().is_none());
    // Nothing to clear before there is a distribution.
    assert!(matches!(w.service.invalidate_frontend(&w.me, &id).await.unwrap(), StartOutcome::Refused(_)));

    let cert = w.service.start_certificate(&w.me, &id).await.unwrap();
    assert_eq!(drive(&w, &cert.id).await.status, RunStatus::Succeeded);

    // The sandbox made the project's bucket (website hosting on), so the origin is its website
    // endpoint; the distribution answers on www with alias records in the zone.
    let StartOutcome::Started(run) = w.service.start_frontend(&w.me, &id).await.unwrap() else { panic!() };
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let facts = w.service.frontend_facts(&w.me, &id).await.unwrap();
    assert_eq!(facts.url.as_deref(), Some(format!("https://www.{}", lab().zone()).as_str()));
    assert!(facts.domain_name.as_deref().is_some_and(|d| d.ends_with(".cloudfront.net")), "{facts:?}");
    let origin = done.steps.iter().find(|s| s.kind == StepKind::FrontendOrigin).unwrap();
    assert!(origin.note.as_ref().map(|n| n.en.as_str()).unwrap_or_default().contains("website"), "{origin:?}");

    let StartOutcome::Started(inv) = w.service.invalidate_frontend(&w.me, &id).await.unwrap() else { panic!() };
    assert_eq!(drive(&w, &inv.id).await.status, RunStatus::Succeeded);
    assert_eq!(w.service.latest_invalidation(&w.me, &id).await.unwrap().unwrap().id, inv.id);

    // The ledger lists what lockstep made (the zone was made by the test, not by lockstep);
    // nothing here bills by the hour.
    let ledger = w.service.ledger(&w.me, &id).await.unwrap();
    let kinds: Vec<&str> = ledger.items.iter().map(|i| i.kind.key()).collect();
    for k in ["acm_certificate", "route53_record", "cloudfront_distribution"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert!(!kinds.contains(&"hosted_zone"), "{kinds:?}");
    let dist = ledger.items.iter().find(|i| i.kind.key() == "cloudfront_distribution").unwrap();
    assert_eq!(Some(dist.id.as_str()), facts.distribution_id.as_deref());
    assert_eq!(ledger.daily, None);
}
