//! The paid path's backend through the service, against moto: the plan and its cost first,
//! nothing created without the confirmation naming the monthly price, then one run that gets
//! the API's certificate in the instance's region and puts the ALB in front of the instance;
//! the ledger then shows the load balancer and its daily cost.

mod common;

use app::api::ssr::prelude::*;
use app::model::StartOutcome;
use common::*;
use lockstep_domain::{ProjectInput, RunStatus, StepKind};
use lockstep_server::sandbox::DEMO_ZONE;

const REGION: &str = "ap-northeast-2";

#[tokio::test]
async fn plan_and_cost_first_then_one_confirmed_run_from_certificate_to_alb() {
    let account = account();
    let (instance, _) = app_instance(&account, REGION).await;
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

    // The plan: what will exist and what it costs, before anything is created.
    let plan = w.service.paid_plan(&w.me, &id).await.unwrap();
    assert!(plan.refused.is_none(), "{plan:?}");
    // 730 h x ($0.0225 ALB + $0.008 LCU + 2 x $0.005 IPv4) + $0.50 zone = $30.065
    assert_eq!(plan.monthly, "$30.07", "ALB + 1 LCU + 2 public IPv4 + the zone");
    assert!((plan.monthly_cents - 3006).abs() <= 1, "{}", plan.monthly_cents);
    assert!(plan.resources.iter().any(|r| r.what.starts_with("target group (HTTP")), "{:?}", plan.resources);

    // No confirmation, or a stale one: refused, nothing started.
    for confirm in [None, Some(1000)] {
        match w.service.start_backend(&w.me, &id, confirm, None).await.unwrap() {
            StartOutcome::Refused(e) => assert!(e.what.contains("not confirmed"), "{e:?}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(w.service.latest_backend_run(&w.me, &id).await.unwrap().is_none());

    let StartOutcome::Started(run) = w.service.start_backend(&w.me, &id, Some(plan.monthly_cents), None).await.unwrap()
    else {
        panic!()
    };
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let kinds: Vec<StepKind> = done.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.first(), Some(&StepKind::CertificateRequest));
    assert_eq!(kinds.last(), Some(&StepKind::LoadBalancerRecords));

    // The certificate is in the instance's region (not us-east-1), and the ALB uses it.
    let certs = w.ca.list(&lockstep_domain::Region::parse(REGION).unwrap()).await.unwrap();
    assert_eq!(certs.len(), 1, "{certs:?}");
    let ledger = w.service.ledger(&w.me, &id).await.unwrap();
    let has = |k: &str| ledger.items.iter().any(|i| i.kind.key() == k);
    for k in
        ["acm_certificate", "load_balancer", "target_group", "listener", "security_group", "sg_rule", "route53_record"]
    {
        assert!(has(k), "{k}: {:?}", ledger.items);
    }
    assert_eq!(ledger.daily.as_deref(), Some("$0.97"), "the ALB bills about a dollar a day");

    // A free name is refused with the reason.
    let magic = match w.service.create_project(&w.me, &w.team, good_input()).await.unwrap() {
        app::model::CreateOutcome::Created(id) => id,
        other => panic!("{other:?}"),
    };
    w.service.use_magic(&w.me, &magic, "nip.io").await.unwrap();
    let refused = w.service.paid_plan(&w.me, &magic).await.unwrap().refused.expect("refused");
    assert!(refused.what.contains("free name"), "{refused:?}");
}
