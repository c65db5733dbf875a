//! The project page's stepper and the free / paid path choice (issue 22), through the service
//! against moto: where the project is after each step, only the chosen path's steps, a path
//! change that needs a confirmation and then tears down what the old path made, nothing new
//! started while that teardown deletes, and the sandbox's HTTPS check that ends green with its
//! outside checks skipped (not failed).

mod common;

use app::api::ssr::prelude::*;
use app::model::{PathOutcome, StartOutcome};
use common::*;
use lockstep_domain::doctor::Verdict;
use lockstep_domain::ledger::ResourceKind;
use lockstep_domain::wizard::{BackendPath, Progress, StepState, WizardStep};
use lockstep_domain::{ProjectInput, RunStatus, StepDetail};
use lockstep_server::sandbox::DEMO_ZONE;

const REGION: &str = "ap-northeast-2";

fn states(w: &lockstep_domain::wizard::Wizard) -> Vec<(WizardStep, StepState)> {
    w.steps.iter().map(|s| (s.step, s.state)).collect()
}

#[tokio::test]
async fn the_stepper_follows_the_project_and_a_path_change_tears_down_what_the_old_path_made() {
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

    // A new project: on the domain, the path next, everything else waits.
    let wz = w.service.wizard(&w.me, &id).await.unwrap();
    assert_eq!(wz.path, None);
    assert_eq!(wz.now().map(|s| s.step), Some(WizardStep::Domain));
    assert_eq!(wz.state_of(WizardStep::Path), Some(StepState::Next));
    assert_eq!(wz.state_of(WizardStep::Check), Some(StepState::Blocked));
    assert_eq!(w.service.get_project(&w.me, &id).await.unwrap().wizard, wz, "the page's first paint has the same");

    // The domain: current until its delegation check has ended well.
    let zone = w.zones.find_zone(&lockstep_domain::DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap();
    w.service.choose_zone(&w.me, &id, &zone.id).await.unwrap();
    let domain_run = w.service.latest_domain_run(&w.me, &id).await.unwrap().expect("the delegation check");
    assert_eq!(drive(&w, &domain_run.id).await.status, RunStatus::Succeeded);
    let wz = w.service.wizard(&w.me, &id).await.unwrap();
    assert_eq!(wz.state_of(WizardStep::Domain), Some(StepState::Done));
    assert!(wz.line(WizardStep::Domain).unwrap().result.as_ref().unwrap().en.contains("https://api.lockstep-demo.com"));
    assert_eq!(wz.now().map(|s| s.step), Some(WizardStep::Path));

    // An unknown path is refused in words, nothing saved.
    match w.service.choose_path(&w.me, &id, "alb", false).await.unwrap() {
        PathOutcome::Refused(e) => assert!(e.what.contains("no such path"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.service.wizard(&w.me, &id).await.unwrap().path, None);

    // Paid: only the paid path's steps, the load balancer current.
    let PathOutcome::Chosen(wz) = w.service.choose_path(&w.me, &id, "paid", false).await.unwrap() else { panic!() };
    assert_eq!(wz.path, Some(BackendPath::Paid));
    let steps: Vec<WizardStep> = wz.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        [
            WizardStep::Domain,
            WizardStep::Path,
            WizardStep::LoadBalancer,
            WizardStep::Certificate,
            WizardStep::Frontend,
            WizardStep::Check
        ]
    );
    assert_eq!(wz.now().map(|s| s.step), Some(WizardStep::LoadBalancer));

    let plan = w.service.paid_plan(&w.me, &id).await.unwrap();
    let StartOutcome::Started(run) = w.service.start_backend(&w.me, &id, Some(plan.monthly_cents), None).await.unwrap()
    else {
        panic!()
    };
    let running = w.service.wizard(&w.me, &id).await.unwrap();
    assert_eq!(running.line(WizardStep::LoadBalancer).map(|l| l.progress), Some(Progress::Running));
    // A change of path while the load balancer is being built is refused: it would leave half.
    match w.service.choose_path(&w.me, &id, "free", true).await.unwrap() {
        PathOutcome::Refused(e) => assert!(e.what.contains("still running"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(drive(&w, &run.id).await.status, RunStatus::Succeeded);
    let wz = w.service.wizard(&w.me, &id).await.unwrap();
    assert_eq!(
        states(&wz)[2..],
        [
            (WizardStep::LoadBalancer, StepState::Done),
            (WizardStep::Certificate, StepState::Now),
            (WizardStep::Frontend, StepState::Next),
            (WizardStep::Check, StepState::Blocked)
        ]
    );

    // Leaving the paid path: first the question, with what it would delete and its cost.
    let (items, daily) = match w.service.choose_path(&w.me, &id, "free", false).await.unwrap() {
        PathOutcome::NeedsTeardown { items, daily } => (items, daily),
        other => panic!("{other:?}"),
    };
    assert!(items >= 5, "load balancer, listeners, target group, security group, records: {items}");
    assert!(daily.as_deref().is_some_and(|d| d.starts_with('$')), "{daily:?}");
    assert_eq!(w.service.wizard(&w.me, &id).await.unwrap().path, Some(BackendPath::Paid), "nothing changed yet");

    // Confirmed: the path changes and a teardown of those resources runs.
    let PathOutcome::Chosen(wz) = w.service.choose_path(&w.me, &id, "free", true).await.unwrap() else { panic!() };
    assert_eq!(wz.path, Some(BackendPath::Free));
    assert_eq!(wz.now().map(|s| s.step), Some(WizardStep::InstanceHttps));
    assert!(wz.line(WizardStep::LoadBalancer).is_none());
    let teardown = w.service.latest_teardown_run(&w.me, &id).await.unwrap().expect("a teardown run");
    assert_eq!(teardown.status, RunStatus::Active);
    // Nothing that creates starts while it deletes.
    let err = w.service.start_certificate(&w.me, &id).await.expect_err("refused during the teardown");
    assert!(format!("{err:?}").contains("teardown is still deleting"), "{err:?}");
    assert_eq!(drive(&w, &teardown.id).await.status, RunStatus::Succeeded);
    let ledger = w.service.ledger(&w.me, &id).await.unwrap();
    assert!(!ledger.items.iter().any(|i| i.kind == ResourceKind::LoadBalancer), "{:?}", ledger.items);
    // Back to paid: nothing of the free path was made, so no question.
    let PathOutcome::Chosen(wz) = w.service.choose_path(&w.me, &id, "paid", false).await.unwrap() else { panic!() };
    assert_eq!(wz.path, Some(BackendPath::Paid));
    assert_eq!(wz.now().map(|s| s.step), Some(WizardStep::LoadBalancer), "the load balancer is gone: to do again");
}

#[tokio::test]
async fn the_sandbox_check_skips_what_it_cannot_reach_and_does_not_fail_the_step() {
    let w = world().await;
    let id = project(&w).await;
    let zone = w.zones.find_zone(&lockstep_domain::DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap();
    w.service.choose_zone(&w.me, &id, &zone.id).await.unwrap();
    let run = w.service.start_doctor(&w.me, &id).await.unwrap();
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded);
    let report = done
        .steps
        .iter()
        .find_map(|s| match &s.detail {
            Some(StepDetail::Doctor { report }) => Some(report.clone()),
            _ => None,
        })
        .expect("the report");
    assert_eq!(report.count(Verdict::Fail), 0, "{report:#?}");
    assert!(report.findings.iter().filter(|f| f.code == "sandbox").count() >= 4, "{report:#?}");
    assert!(report.findings.iter().all(|f| f.verdict != Verdict::Skip || f.why.is_some()), "each skip says why");
    let wz = w.service.wizard(&w.me, &id).await.unwrap();
    let check = wz.line(WizardStep::Check).unwrap();
    assert_eq!(check.progress, Progress::Succeeded);
    assert!(check.result.as_ref().is_some_and(|r| !r.en.contains("failing")), "{check:?}");
}
