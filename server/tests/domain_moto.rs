//! The domain step against moto with lockstep's sandbox stand-ins: a domain at another
//! registrar (zone created once, reused, delegation followed), a delegation check against
//! scripted name servers, a purchase through Route 53 Domains, free magic names, plan edits.

mod common;

use app::api::ssr::prelude::*;
use app::model::{AppError, BuyOutcome, DomainOutcome, PlanOutcome, SearchOutcome};
use async_trait::async_trait;
use common::contact;
use common::{drive, drive_until, project, world, world_with};
use lockstep_domain::contact::{ContactField, ContactInput};
use lockstep_domain::plan::{DomainSource, MagicProvider, PlanInput};
use lockstep_domain::{DomainName, RunStatus, StepDetail, StepKind, StepStatus};
use lockstep_server::ports::{PortResult, PublicDns};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

fn step(run: &lockstep_domain::RunView, kind: StepKind) -> &lockstep_domain::StepView {
    run.steps.iter().find(|s| s.kind == kind).unwrap()
}

#[tokio::test]
async fn other_registrar_creates_the_zone_once_and_follows_the_delegation() {
    let w = world().await;
    let pid = project(&w).await;
    assert!(matches!(
        w.service.use_other_registrar(&w.me, &pid, "team capstone.com").await.unwrap(),
        DomainOutcome::Invalid(m) if m.en.contains("cannot contain")
    ));
    let DomainOutcome::Started(run) = w.service.use_other_registrar(&w.me, &pid, "Team-Capstone.COM.").await.unwrap()
    else {
        panic!("refused")
    };
    let run = drive_until(&w, &run.id, |r| step(r, StepKind::DelegationCheck).status == StepStatus::Waiting).await;
    let check = step(&run, StepKind::DelegationCheck);
    let Some(detail @ StepDetail::Delegation { expected, .. }) = &check.detail else { panic!("no detail: {check:#?}") };
    assert_eq!(expected.len(), 4, "Route 53 gives four name servers");
    assert!(detail.delegation_status().iter().all(|(_, ok)| !ok), "none set at the registrar yet");
    assert_eq!(detail.unexpected().len(), 2, "the registrar's defaults must go");
    assert!(check.note.as_ref().map(|n| n.en.as_str()).unwrap().contains("0 of 4"));

    // The plan is saved as soon as the zone exists.
    let view = w.service.get_project(&w.me, &pid).await.unwrap();
    let plan = view.plan.expect("plan saved");
    assert_eq!(plan.source, DomainSource::OtherRegistrar);
    assert_eq!(plan.apex.as_str(), "team-capstone.com");
    assert_eq!(plan.api.as_str(), "api.team-capstone.com");

    // The team changes the name servers (sandbox button), the check passes.
    w.service.sandbox_registrar_updated(&w.me, &pid).await.unwrap();
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");

    // A second project for the same domain reuses the zone: still exactly one.
    let pid2 = project(&w).await;
    let DomainOutcome::Started(run2) = w.service.use_other_registrar(&w.me, &pid2, "team-capstone.com").await.unwrap()
    else {
        panic!()
    };
    let run2 = drive_until(&w, &run2.id, |r| step(r, StepKind::ZoneCreate).status == StepStatus::Succeeded).await;
    assert!(step(&run2, StepKind::ZoneCreate).note.as_ref().map(|n| n.en.as_str()).unwrap().contains("Reusing"));
    let zones = w.zones.list_zones().await.unwrap();
    assert_eq!(zones.iter().filter(|z| z.name == "team-capstone.com").count(), 1, "{zones:?}");
}

/// Public DNS answering from a script, one answer per lookup (the last one repeats).
struct ScriptedDns(Mutex<VecDeque<Vec<String>>>);

#[async_trait]
impl PublicDns for ScriptedDns {
    async fn ns(&self, _name: &DomainName) -> PortResult<Vec<String>> {
        let mut q = self.0.lock().unwrap();
        Ok(if q.len() > 1 { q.pop_front().unwrap() } else { q.front().cloned().unwrap_or_default() })
    }
    async fn a(&self, name: &DomainName) -> PortResult<Vec<std::net::Ipv4Addr>> {
        Err(lockstep_server::ports::PortError::Unsupported(format!("A lookup of {name} in a name-server script")))
    }
    async fn cname(&self, name: &str) -> PortResult<Option<String>> {
        Err(lockstep_server::ports::PortError::Unsupported(format!("CNAME lookup of {name} in a name-server script")))
    }
    async fn caa(&self, name: &str) -> PortResult<Vec<(String, String)>> {
        Err(lockstep_server::ports::PortError::Unsupported(format!("CAA lookup of {name} in a name-server script")))
    }
}

#[tokio::test]
async fn delegation_check_follows_scripted_name_servers_until_they_match() {
    // The zone's real name servers come from moto; the script plays the registrar's changes.
    let script = Arc::new(ScriptedDns(Mutex::new(VecDeque::new())));
    let s2 = script.clone();
    let w = world_with(move |mut a| {
        a.public_dns = s2;
        a
    })
    .await;
    let name = DomainName::parse("scripted-team.com").unwrap();
    let zone = w.zones.create_zone(&name, "scripted-1").await.unwrap();
    let real = w.zones.delegation(&zone.id).await.unwrap();
    {
        let mut q = script.0.lock().unwrap();
        q.push_back(vec![]);
        q.push_back(vec![real[0].clone(), "ns1.gabia.co.kr".into()]);
        q.push_back(real.iter().map(|n| format!("{}.", n.to_uppercase())).collect());
    }
    let pid = project(&w).await;
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let run = w.service.latest_domain_run(&w.me, &pid).await.unwrap().expect("a delegation run starts with the zone");
    let notes = Arc::new(Mutex::new(Vec::new()));
    let n2 = notes.clone();
    let done = drive_until(&w, &run.id, move |r| {
        let s = step(r, StepKind::DelegationCheck);
        if let (Some(note), Some(d)) = (s.note.as_ref().map(|n| &n.en), &s.detail) {
            let mut v = n2.lock().unwrap();
            if v.last().map(|(n, _): &(String, _)| n) != Some(note) {
                v.push((note.clone(), d.delegation_status().iter().filter(|(_, ok)| *ok).count()));
            }
        }
        r.status != RunStatus::Active
    })
    .await;
    assert_eq!(done.status, RunStatus::Succeeded);
    let seen = notes.lock().unwrap().clone();
    assert!(seen.iter().any(|(n, ok)| n.contains("no name servers") && *ok == 0), "{seen:?}");
    assert!(seen.iter().any(|(n, ok)| n.contains("1 of 4") && n.contains("ns1.gabia.co.kr") && *ok == 1), "{seen:?}");
    assert!(
        seen.iter().any(|(n, ok)| n.contains("uses the zone's 4 name servers") && *ok == 4),
        "case and trailing dots do not matter: {seen:?}"
    );
}

#[tokio::test]
async fn purchase_shows_the_price_validates_the_contact_and_registers_once() {
    let w = world().await;
    let pid = project(&w).await;
    let SearchOutcome::Found(taken) = w.service.search_domain(&w.me, &pid, "taken.com").await.unwrap() else {
        panic!()
    };
    assert!(!taken.available && taken.stand_in);
    assert!(matches!(w.service.search_domain(&w.me, &pid, "a.b.team.com").await.unwrap(), SearchOutcome::Invalid(_)));

    let SearchOutcome::Found(found) = w.service.search_domain(&w.me, &pid, "Capstone-Team.click").await.unwrap() else {
        panic!()
    };
    assert!(found.available, "{found:?}");
    let price = found.price.clone().expect("price shown before anything else");
    assert_eq!(price.registration, "$3.00");
    assert!(!found.suggestions.is_empty());

    // Field-level contact errors; nothing started.
    let bad = ContactInput { email: "minji".into(), phone: "12".into(), ..contact() };
    let BuyOutcome::Invalid(errors) =
        w.service.buy_domain(&w.me, &pid, &found.domain, price.registration_cents, bad).await.unwrap()
    else {
        panic!()
    };
    assert!(errors.get(ContactField::Email).is_some() && errors.get(ContactField::Phone).is_some());
    // No confirmation (or a confirmation of another price): refused, nothing bought.
    for confirm in [-1, price.registration_cents + 1] {
        let BuyOutcome::Refused(why) =
            w.service.buy_domain(&w.me, &pid, &found.domain, confirm, contact()).await.unwrap()
        else {
            panic!()
        };
        assert!(why.en.contains("$3.00") && why.en.contains("Nothing was bought"), "{why}");
    }
    assert!(w.service.latest_domain_run(&w.me, &pid).await.unwrap().is_none());
    let BuyOutcome::Refused(why) = w.service.buy_domain(&w.me, &pid, "taken.com", 1500, contact()).await.unwrap()
    else {
        panic!()
    };
    assert!(why.en.contains("not available"));

    let BuyOutcome::Started(run) =
        w.service.buy_domain(&w.me, &pid, &found.domain, price.registration_cents, contact()).await.unwrap()
    else {
        panic!()
    };
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let reg = step(&done, StepKind::DomainAwaitRegistration);
    assert!(matches!(&reg.detail, Some(StepDetail::Registration { email, .. }) if email == "minji@example.com"));
    assert!(reg.note.as_ref().map(|n| n.en.as_str()).unwrap().contains("15 days"), "e-mail reminder: {reg:?}");
    let check = step(&done, StepKind::DelegationCheck);
    assert!(
        matches!(&check.detail, Some(StepDetail::Delegation { source, .. }) if source.contains("Route 53 Domains"))
    );

    let plan = w.service.get_project(&w.me, &pid).await.unwrap().plan.unwrap();
    assert_eq!(plan.source, DomainSource::Route53Purchase);
    assert_eq!(plan.apex.as_str(), "capstone-team.click");
    assert!(plan.zone_id.is_some());
    // Exactly one registration.
    let ops = w.service.adapters.registrar.recent_operations(0).await.unwrap();
    assert_eq!(ops.iter().filter(|o| o.kind == "REGISTER_DOMAIN").count(), 1, "{ops:?}");
    // Buying it again: no longer available.
    let SearchOutcome::Found(again) = w.service.search_domain(&w.me, &pid, "capstone-team.click").await.unwrap() else {
        panic!()
    };
    assert!(!again.available);
}

#[tokio::test]
async fn magic_names_come_from_the_public_ip_and_refuse_acm() {
    let w = world().await;
    let pid = project(&w).await;
    let choices = w.service.domain_choices(&w.me, &pid).await.unwrap();
    let names: Vec<&str> = choices.magic.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["54.180.1.2.nip.io", "54-180-1-2.sslip.io"]);
    let plan = w.service.use_magic(&w.me, &pid, "sslip.io").await.unwrap();
    assert_eq!(plan.source, DomainSource::Magic(MagicProvider::SslipIo));
    assert_eq!(plan.api.as_str(), "54-180-1-2.sslip.io");
    assert!(plan.frontend.is_empty());
    match w.service.start_certificate(&w.me, &pid).await {
        Err(AppError::User(e)) => assert!(e.fix.contains("Nginx")),
        other => panic!("ACM must refuse a magic name: {other:?}"),
    }

    // An instance id that EC2 does not know: no magic name, and the reason says what to do.
    let mut input = common::good_input();
    input.instance = "i-0123456789abcdef0".into();
    let app::model::CreateOutcome::Created(pid2) = w.service.create_project(&w.me, &w.team, input).await.unwrap()
    else {
        panic!()
    };
    let choices = w.service.domain_choices(&w.me, &pid2).await.unwrap();
    assert!(choices.magic.is_empty());
    let why = choices.magic_unavailable.unwrap();
    assert!(why.en.contains("public IPv4 address") && why.ko.contains("퍼블릭 IPv4"), "{why:?}");
}

#[tokio::test]
async fn plan_edits_are_checked_and_say_what_must_be_redone() {
    let w = world().await;
    let pid = project(&w).await;
    let zone = w.zones.list_zones().await.unwrap().into_iter().find(|z| z.name == "lockstep-demo.com").unwrap();
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let run = w.service.start_certificate(&w.me, &pid).await.unwrap();
    drive(&w, &run.id).await;

    let PlanOutcome::Invalid(errors) = w
        .service
        .save_plan(
            &w.me,
            &pid,
            PlanInput { frontend: "lockstep-demo.com, shop.other.com".into(), api: "api.lockstep-demo.com".into() },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(errors.frontend.unwrap().en.contains("not inside lockstep-demo.com"));

    let PlanOutcome::Saved { plan, redo } = w
        .service
        .save_plan(
            &w.me,
            &pid,
            PlanInput {
                frontend: "lockstep-demo.com www.lockstep-demo.com".into(),
                api: "backend.lockstep-demo.com".into(),
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(plan.api.as_str(), "backend.lockstep-demo.com");
    assert!(
        redo.iter()
            .any(|r| r.en.contains("does not cover backend.lockstep-demo.com")
                && r.ko.contains("backend.lockstep-demo.com")),
        "{redo:?}"
    );
    // lockstep does it too: a new certificate run for the new names is already there.
    let again = w.service.latest_run(&w.me, &pid).await.unwrap().unwrap();
    assert_ne!(again.id, run.id);
    assert_eq!(w.service.start_certificate(&w.me, &pid).await.unwrap().id, again.id, "and only one");
    let done = drive(&w, &again.id).await;
    assert_eq!(done.status, RunStatus::Succeeded);
}
