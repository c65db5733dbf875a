//! Teardown through the service, against moto: the whole paid path (frontend certificate,
//! CloudFront, the backend's certificate and ALB) is built, the plan then offers the issued
//! certificate for reuse, and teardown deletes everything in the ledger. AWS is then listed
//! with the SDK directly (not through lockstep's adapters) to prove nothing lockstep made is
//! left, while what the team had before (the zone, the instance's group) still is.

mod common;
use common::ec2_sdk::Ec2Sdk;

use app::api::ssr::prelude::*;
use app::model::{DomainOutcome, StartOutcome};
use common::*;
use lockstep_domain::{ProjectInput, RunStatus, StepDetail, StepKind, StepStatus};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::sandbox::DEMO_ZONE;

const REGION: &str = "ap-northeast-2";

async fn sdk(account: &str) -> Aws {
    Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account.into()) }).await
}

async fn certificates(aws: &Aws, region: &str) -> Vec<String> {
    let out = aws.acm(region).list_certificates().send().await.unwrap();
    out.certificate_summary_list().iter().filter_map(|c| c.certificate_arn().map(str::to_string)).collect()
}

#[tokio::test]
async fn teardown_deletes_everything_lockstep_made_and_aws_proves_it() {
    let account = account();
    let (instance, app_group) = app_instance(&account, REGION).await;
    let aws = sdk(&account).await;
    let w = world_for(account, |a| a).await;
    let id = match w
        .service
        .create_project(&w.me, &w.team, ProjectInput { instance: instance.clone(), ..good_input() })
        .await
        .unwrap()
    {
        app::model::CreateOutcome::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let zone = w.zones.find_zone(&lockstep_domain::DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap();
    w.service.choose_zone(&w.me, &id, &zone.id).await.unwrap();
    let records_before = w.records.list_records(&zone.id).await.unwrap();

    // Nothing made yet: nothing to tear down.
    let StartOutcome::Refused(e) = w.service.start_teardown(&w.me, &id, true, false).await.unwrap() else { panic!() };
    assert!(e.what.contains("nothing to tear down"), "{e:?}");

    // The frontend: its us-east-1 certificate, then CloudFront.
    let cert = w.service.start_certificate(&w.me, &id).await.unwrap();
    assert_eq!(drive(&w, &cert.id).await.status, RunStatus::Succeeded);
    let StartOutcome::Started(front) = w.service.start_frontend(&w.me, &id).await.unwrap() else { panic!() };
    assert_eq!(drive(&w, &front.id).await.status, RunStatus::Succeeded);

    // The backend. No certificate in the instance's region covers the API name yet: nothing
    // to offer; a made-up ARN is refused before anything is created.
    let plan = w.service.paid_plan(&w.me, &id).await.unwrap();
    assert!(plan.reusable.is_empty(), "{:?}", plan.reusable);
    let bogus = format!("arn:aws:acm:{REGION}:123456789012:certificate/nope");
    let StartOutcome::Refused(e) =
        w.service.start_backend(&w.me, &id, Some(plan.monthly_cents), Some(bogus)).await.unwrap()
    else {
        panic!()
    };
    assert!(e.what.contains("not one lockstep can reuse"), "{e:?}");
    let StartOutcome::Started(back) =
        w.service.start_backend(&w.me, &id, Some(plan.monthly_cents), Some("new".into())).await.unwrap()
    else {
        panic!()
    };
    let back = drive(&w, &back.id).await;
    assert_eq!(back.status, RunStatus::Succeeded, "{back:#?}");
    let outputs = w.store.run_outputs(&back.id).await.unwrap();
    let backend_cert = &outputs.iter().find(|(k, _)| *k == StepKind::CertificateRequest).unwrap().1;
    let backend_arn = backend_cert["arn"].as_str().unwrap().to_string();

    // Now the plan offers that issued certificate, with its names and expiry.
    let plan = w.service.paid_plan(&w.me, &id).await.unwrap();
    assert_eq!(plan.reusable.len(), 1, "{:?}", plan.reusable);
    assert_eq!(plan.reusable[0].arn, backend_arn);
    assert!(plan.reusable[0].names.iter().any(|n| n == &format!("api.{DEMO_ZONE}")), "{:?}", plan.reusable);

    let ledger = w.service.ledger(&w.me, &id).await.unwrap();
    let kinds: Vec<&str> = ledger.items.iter().map(|i| i.kind.key()).collect();
    for k in [
        "acm_certificate",
        "cloudfront_distribution",
        "load_balancer",
        "listener",
        "target_group",
        "security_group",
        "sg_rule",
        "route53_record",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert!(ledger.daily.is_some());
    assert_eq!(aws.elbv2(REGION).describe_load_balancers().send().await.unwrap().load_balancers().len(), 1);

    // Unconfirmed: refused, nothing deleted.
    let StartOutcome::Refused(e) = w.service.start_teardown(&w.me, &id, false, false).await.unwrap() else { panic!() };
    assert!(e.what.contains("not confirmed"), "{e:?}");
    assert_eq!(aws.elbv2(REGION).describe_load_balancers().send().await.unwrap().load_balancers().len(), 1);

    let StartOutcome::Started(down) = w.service.start_teardown(&w.me, &id, true, false).await.unwrap() else {
        panic!()
    };
    let down = drive(&w, &down.id).await;
    assert_eq!(down.status, RunStatus::Succeeded, "{down:#?}");
    assert!(down.steps.iter().all(|s| s.status == StepStatus::Succeeded));
    let verify = down.steps.iter().find(|s| s.kind == StepKind::TeardownVerify).unwrap();
    assert!(
        verify.note.as_ref().map(|n| n.en.as_str()).unwrap().contains("nothing lockstep created is left"),
        "{verify:?}"
    );
    let outputs = w.store.run_outputs(&down.id).await.unwrap();
    let checked = outputs.iter().find(|(k, _)| *k == StepKind::TeardownVerify).unwrap().1["checked"].as_u64().unwrap();
    assert_eq!(checked as usize, ledger.items.len(), "every ledger item looked up again");

    // AWS itself, listed with the SDK.
    let dists = aws.cloudfront().list_distributions().send().await.unwrap();
    let n = dists.distribution_list().map(|l| l.items().len()).unwrap_or(0);
    assert_eq!(n, 0, "no distribution left");
    let elb = aws.elbv2(REGION);
    assert!(elb.describe_load_balancers().send().await.unwrap().load_balancers().is_empty());
    assert!(elb.describe_target_groups().send().await.unwrap().target_groups().is_empty());
    assert!(certificates(&aws, REGION).await.is_empty(), "the backend certificate is gone");
    assert!(certificates(&aws, "us-east-1").await.is_empty(), "the frontend certificate is gone");
    let ec2 = aws.ec2_sdk(REGION);
    let groups = ec2.describe_security_groups().send().await.unwrap();
    let names: Vec<&str> = groups.security_groups().iter().filter_map(|g| g.group_name()).collect();
    assert!(!names.iter().any(|n| n.starts_with("lockstep-")), "{names:?}");
    let app = groups.security_groups().iter().find(|g| g.group_id() == Some(app_group.as_str())).unwrap();
    assert!(app.ip_permissions().is_empty(), "the rule letting the ALB in is gone: {:?}", app.ip_permissions());
    // The zone is the team's: it stays, with exactly the records it had before.
    let mut after = w.records.list_records(&zone.id).await.unwrap();
    let mut before = records_before.clone();
    after.sort_by(|a, b| (&a.name, &a.rtype).cmp(&(&b.name, &b.rtype)));
    before.sort_by(|a, b| (&a.name, &a.rtype).cmp(&(&b.name, &b.rtype)));
    assert_eq!(after, before);

    // The ledger is empty and nothing bills any more; a second teardown has nothing to do.
    let ledger = w.service.ledger(&w.me, &id).await.unwrap();
    assert!(ledger.items.is_empty(), "{:?}", ledger.items);
    assert_eq!(ledger.daily, None);
    assert!(matches!(w.service.start_teardown(&w.me, &id, true, false).await.unwrap(), StartOutcome::Refused(_)));
}

#[tokio::test]
async fn the_hosted_zone_goes_only_when_lockstep_made_it_and_the_user_confirms() {
    let w = world().await;
    let pid = project(&w).await;
    let DomainOutcome::Started(run) = w.service.use_other_registrar(&w.me, &pid, "team-teardown.com").await.unwrap()
    else {
        panic!()
    };
    let _ = drive_until(&w, &run.id, |r| {
        r.steps.iter().any(|s| s.kind == StepKind::DelegationCheck && s.status == StepStatus::Waiting)
    })
    .await;
    w.service.sandbox_registrar_updated(&w.me, &pid).await.unwrap();
    assert_eq!(drive(&w, &run.id).await.status, RunStatus::Succeeded);
    let zone =
        w.zones.find_zone(&lockstep_domain::DomainName::parse("team-teardown.com").unwrap()).await.unwrap().unwrap();
    let ledger = w.service.ledger(&w.me, &pid).await.unwrap();
    assert!(ledger.items.iter().any(|i| i.kind.key() == "hosted_zone" && i.id == zone.id), "{:?}", ledger.items);

    // Not ticked: the zone is kept, and says why; it stays in the ledger with its cost.
    let StartOutcome::Started(down) = w.service.start_teardown(&w.me, &pid, true, false).await.unwrap() else {
        panic!()
    };
    let down = drive(&w, &down.id).await;
    assert_eq!(down.status, RunStatus::Succeeded, "{down:#?}");
    let z = down.steps.iter().find(|s| s.kind == StepKind::TeardownZone).unwrap();
    let Some(StepDetail::Teardown { kept, .. }) = &z.detail else { panic!("{z:?}") };
    assert!(kept[0].why.as_deref().unwrap().contains("You chose to keep"), "{kept:?}");
    assert!(w.zones.get_zone(&zone.id).await.is_ok());
    let ledger = w.service.ledger(&w.me, &pid).await.unwrap();
    assert_eq!(ledger.items.len(), 1, "{:?}", ledger.items);
    assert!(ledger.daily.is_some(), "the zone still costs");

    // A record the team added by hand: AWS deletes only an empty zone, so it is kept with why.
    let own =
        lockstep_server::ports::RecordSet::plain("mail.team-teardown.com", "MX", 300, vec!["10 mx.example.com".into()]);
    w.records.upsert(&zone.id, std::slice::from_ref(&own)).await.unwrap();
    let StartOutcome::Started(down) = w.service.start_teardown(&w.me, &pid, true, true).await.unwrap() else {
        panic!()
    };
    let down = drive(&w, &down.id).await;
    let z = down.steps.iter().find(|s| s.kind == StepKind::TeardownZone).unwrap();
    let Some(StepDetail::Teardown { kept, .. }) = &z.detail else { panic!("{z:?}") };
    let why = kept[0].why.clone().unwrap();
    assert!(why.contains("mail.team-teardown.com MX"), "{why}");
    assert!(w.zones.get_zone(&zone.id).await.is_ok());

    // Without it, and confirmed: the zone is deleted, the ledger is empty.
    w.records.delete_records(&zone.id, &[own]).await.unwrap();
    let StartOutcome::Started(down) = w.service.start_teardown(&w.me, &pid, true, true).await.unwrap() else {
        panic!()
    };
    let down = drive(&w, &down.id).await;
    assert_eq!(down.status, RunStatus::Succeeded, "{down:#?}");
    assert!(matches!(w.zones.get_zone(&zone.id).await, Err(lockstep_server::ports::PortError::NotFound(_))));
    let ledger = w.service.ledger(&w.me, &pid).await.unwrap();
    assert!(ledger.items.is_empty(), "{:?}", ledger.items);
    assert_eq!(ledger.daily, None);
}
