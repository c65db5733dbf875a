//! Whose AWS a team reaches (issue 19): on real AWS a team acts only through its own IAM role,
//! never through the server's credentials, unless the operator allowed the server's credentials
//! for it (`--server-credentials-for`). These tests apply the real-AWS rules
//! (`Authority::real`) to moto, whose accounts are separated like AWS's: the server's account
//! is the world's, each team role lands in its own account.
//!
//! Also here: the external id of a team's role never reaches the history, and only owners may
//! retry a teardown (as only owners may start one).

mod common;

use app::api::ssr::{observed, prelude::*, Caller, Scope};
use app::model::{ActionOutcome, AppError, BuyOutcome, CreateOutcome};
use common::{account, app_instance, certificates_in, drive, good_input, world, world_under, World};
use lockstep_domain::{Field, RunStatus, StepKind, StepStatus, UserError};
use lockstep_server::aws::team_role::Authority;
use lockstep_server::store::directory::{InviteRow, TeamRow, UserRow};
use lockstep_server::store::{NewRun, ProjectRow, Store};
use lockstep_server::work::{collect_calls, collect_calls_as, AwsAccess};
use std::sync::Arc;

/// Runs a service call as one request does: a piece of work whose AWS calls are for the team
/// its authorization check names (`auth::attach_caller` opens one per request).
async fn act<T>(fut: impl std::future::Future<Output = T>) -> T {
    collect_calls(fut).await.0
}

fn real(server_for: &[&str]) -> Authority {
    Authority::real(server_for.iter().copied())
}

/// A person who owns a team made here with `team_id` and `external_id`.
async fn owner_of(store: &Arc<dyn Store>, team_id: &str, external_id: &str) -> Caller {
    let user = new_user("Staff Owner");
    let team = TeamRow {
        id: team_id.into(),
        name: "Some team".into(),
        aws_role_arn: None,
        aws_external_id: external_id.into(),
        created_at: 0,
    };
    assert!(store.create_user(&user, Some(&team), 0).await.unwrap());
    Caller::user(&user.id)
}

fn new_user(name: &str) -> UserRow {
    UserRow {
        id: uuid::Uuid::now_v7().simple().to_string(),
        email: format!("{}@example.ac.kr", uuid::Uuid::new_v4().simple()),
        name: name.into(),
        password_hash: "not-a-hash".into(),
        locale: None,
        created_at: 0,
    }
}

/// A new member of `team_id` (through an invite, as in the app).
async fn member_of(store: &Arc<dyn Store>, team_id: &str, owner: &Caller) -> Caller {
    let user = new_user("Team Member");
    assert!(store.create_user(&user, None, 0).await.unwrap());
    let hash = uuid::Uuid::new_v4().simple().to_string();
    let invite = InviteRow {
        token_hash: hash.clone(),
        team_id: team_id.into(),
        role: "member".into(),
        created_by: owner.user_id.clone().unwrap(),
        created_at: 0,
        expires_at: i64::MAX,
    };
    store.insert_invite(&invite).await.unwrap();
    assert!(store.use_invite(&hash, &user.id, 1).await.unwrap().is_some());
    Caller::user(&user.id)
}

/// A project of `team` (`None`: one from before teams) put straight into the store: no AWS
/// call, whatever the rules.
async fn project_row(w: &World, team: Option<&str>) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let spec = good_input().parse().unwrap();
    let row = ProjectRow {
        id: id.clone(),
        name: spec.name.clone(),
        spec: serde_json::to_value(&spec).unwrap(),
        plan: None,
        team_id: team.map(str::to_string),
        created_at: 0,
    };
    w.store.insert_project(&row).await.unwrap();
    id
}

/// The refusal in `r`, which must be a user-facing one (what, why, fix; Korean too).
fn refusal<T: std::fmt::Debug>(r: Result<T, AppError>) -> UserError {
    match r {
        Err(AppError::User(e)) => {
            assert!(e.ko.is_some(), "no Korean: {e:?}");
            e
        }
        other => panic!("expected a refusal with words, got {other:?}"),
    }
}

/// The words for "this team has no AWS role", naming what to do.
fn assert_no_role(e: &UserError, team_id: &str) {
    assert!(e.what.contains("This team has no AWS role yet"), "{e:?}");
    assert!(e.why.contains("only through each team's own IAM role"), "{e:?}");
    assert!(e.fix.contains("team page") && e.fix.contains(&format!("--server-credentials-for {team_id}")), "{e:?}");
    assert!(e.said(true).0.contains("AWS 역할이 없어서"), "{e:?}");
    for sdk in ["Error {", "Some(", "SdkError", "DispatchFailure", "provider"] {
        assert!(!format!("{} {} {}", e.what, e.why, e.fix).contains(sdk), "SDK text {sdk:?} in {e:?}");
    }
}

/// Every AWS call in `calls` was stopped before it was sent (none went out as the server).
fn assert_all_refused(calls: &[lockstep_server::work::AwsCall]) {
    assert!(!calls.is_empty(), "an AWS call was attempted");
    for c in calls {
        assert!(!c.ok && c.error_code.as_deref() == Some("refused: no AWS access for this team"), "{c:?}");
    }
}

/// The server's own demo zone (`lockstep-demo.com`, seeded in the world's account).
async fn server_zone(w: &World) -> String {
    let zones = collect_calls_as(AwsAccess::Server, w.zones.list_zones()).await.0.unwrap();
    zones.into_iter().find(|z| z.name == "lockstep-demo.com").unwrap().id
}

#[tokio::test]
async fn on_real_aws_a_team_without_a_role_gets_nothing_from_aws() {
    let w = world_under(account(), real(&[]), |a| a).await;

    // Creating a project looks up its bucket through the team's access: there is none.
    let (created, calls) = collect_calls(w.service.create_project(&w.me, &w.team, good_input())).await;
    assert_no_role(&refusal(created), &w.team);
    assert_all_refused(&calls);

    // The team page says so (instead of "the server's own credentials").
    assert!(!act(w.service.team(&w.me, &w.team)).await.unwrap().server_credentials);

    let pid = project_row(&w, Some(&w.team)).await;
    // The zone picker: refused, in words, and nothing was asked of AWS as the server.
    let (zones, calls) = collect_calls(w.service.list_zones(&w.me, &pid)).await;
    assert_no_role(&refusal(zones), &w.team);
    assert_all_refused(&calls);
    let choices = act(w.service.domain_choices(&w.me, &pid)).await.unwrap();
    assert!(choices.zones.is_empty());
    assert!(choices.zones_error.as_deref().is_some_and(|e| e.contains("no AWS role yet")), "{choices:?}");
    // Naming a zone by hand (the server's own, which the server's credentials would reach).
    let zone = server_zone(&w).await;
    assert_no_role(&refusal(act(w.service.choose_zone(&w.me, &pid, &zone)).await), &w.team);

    // A run that would call AWS does not start.
    act(w.service.use_magic(&w.me, &pid, "nip.io")).await.unwrap();
    let started = act(w.service.start_frontend(&w.me, &pid)).await;
    assert_no_role(&refusal(started), &w.team);
    assert!(w.store.latest_run(&pid, lockstep_server::steps::frontend::RUN_KIND).await.unwrap().is_none());

    // Buying a domain (billed to whoever's credentials register it) is refused too.
    let (bought, calls) =
        collect_calls(w.service.buy_domain(&w.me, &pid, "lockstep-authority-test.com", 1500, common::contact())).await;
    assert!(!matches!(bought, Ok(BuyOutcome::Started(_))), "{bought:?}");
    assert_no_role(&refusal(bought), &w.team);
    assert_all_refused(&calls);
    assert!(w.store.latest_run(&pid, lockstep_server::steps::domain::RUN_KIND).await.unwrap().is_none());
}

#[tokio::test]
async fn a_team_the_operator_allowed_uses_the_servers_credentials() {
    let staff = format!("staff-{}", uuid::Uuid::new_v4().simple());
    let w = world_under(account(), real(&[&staff]), |a| a).await;
    let me = owner_of(&w.store, &staff, "lockstep-staff-ext").await;

    // The staff team's bucket is in the server's account, where its projects look.
    let input = good_input();
    let region = lockstep_domain::Region::parse(&input.region).unwrap();
    let world_bucket = w.service.adapters.sandbox_world.clone().unwrap();
    collect_calls_as(AwsAccess::Server, world_bucket.prepare_bucket(&region, &input.bucket)).await.0.unwrap();
    let CreateOutcome::Created(pid) = act(w.service.create_project(&me, &staff, input)).await.unwrap() else {
        panic!("the staff team's project was refused")
    };
    assert!(act(w.service.team(&me, &staff)).await.unwrap().server_credentials);
    let zones = act(w.service.list_zones(&me, &pid)).await.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").expect("the server's zone");
    act(w.service.choose_zone(&me, &pid, &zone.id)).await.unwrap();
    let run = act(w.service.start_certificate(&me, &pid)).await.unwrap();
    assert_eq!(drive(&w, &run.id).await.status, RunStatus::Succeeded);
    assert_eq!(certificates_in(&w.account, "lockstep-demo.com").await, 1, "made with the server's credentials");

    // The flag names teams: the world's own team (not named) is still refused.
    let other = project_row(&w, Some(&w.team)).await;
    assert_no_role(&refusal(act(w.service.list_zones(&w.me, &other)).await), &w.team);
}

#[tokio::test]
async fn a_team_reaches_only_its_own_account_and_a_run_stops_when_its_role_goes() {
    let w = world_under(account(), real(&[]), |a| a).await;
    let theirs = account();
    let arn = format!("arn:aws:iam::{theirs}:role/lockstep");
    assert_eq!(act(w.service.set_team_role(&w.me, &w.team, Some(arn))).await.unwrap(), ActionOutcome::Done);
    let role = w.store.get_team(&w.team).await.unwrap().unwrap().aws_role().unwrap();
    let as_team = || AwsAccess::Team { team_id: w.team.clone(), role: Some(role.clone()) };
    // The team's account has its own demo zone and its own frontend bucket.
    collect_calls_as(as_team(), lockstep_server::sandbox::seed(w.zones.as_ref())).await.0.unwrap();
    let input = good_input();
    let region = lockstep_domain::Region::parse(&input.region).unwrap();
    let world_bucket = w.service.adapters.sandbox_world.clone().unwrap();
    collect_calls_as(as_team(), world_bucket.prepare_bucket(&region, &input.bucket)).await.0.unwrap();

    // Another account's instance (the server's) is refused when the project is made, in
    // words, through the team's role.
    let (server_instance, _) = app_instance(&w.account, &input.region).await;
    let foreign = lockstep_domain::ProjectInput { instance: server_instance.clone(), ..good_input() };
    let CreateOutcome::Invalid(errors) = act(w.service.create_project(&w.me, &w.team, foreign)).await.unwrap() else {
        panic!("another account's instance was accepted")
    };
    let said = errors.get(Field::Instance).unwrap();
    assert!(
        said.contains(&format!("There is no instance {server_instance}")) && said.contains("your team's AWS account")
    );
    assert!(errors.said(Field::Instance, true).unwrap().contains("팀의 AWS 계정"));
    // So is a bucket the team's account does not have.
    let missing = lockstep_domain::ProjectInput { bucket: format!("nobody-{}", &theirs), ..good_input() };
    let CreateOutcome::Invalid(errors) = act(w.service.create_project(&w.me, &w.team, missing)).await.unwrap() else {
        panic!("a bucket the team does not have was accepted")
    };
    assert!(errors.get(Field::Bucket).unwrap().contains("Create it there first"), "{errors:?}");

    let CreateOutcome::Created(pid) = act(w.service.create_project(&w.me, &w.team, good_input())).await.unwrap() else {
        panic!("the team's own project was refused")
    };
    // The server's zone, named by hand: AWS answers NoSuchHostedZone to the team's role,
    // which the page says in words.
    let e = refusal(act(w.service.choose_zone(&w.me, &pid, &server_zone(&w).await)).await);
    assert!(e.why.contains("in your team's AWS account") && e.why.contains("another team's"), "{e:?}");
    assert!(!format!("{e:?}").contains("NoSuchHostedZone"), "AWS's code, not plain words: {e:?}");

    // The team's own zone works, and the run's first step acts in the team's account.
    let zones = act(w.service.list_zones(&w.me, &pid)).await.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").unwrap();
    act(w.service.choose_zone(&w.me, &pid, &zone.id)).await.unwrap();
    let run = act(w.service.start_certificate(&w.me, &pid)).await.unwrap();
    common::drive_until(&w, &run.id, |r| {
        r.steps.iter().any(|s| s.kind == StepKind::CertificateRequest && s.status == StepStatus::Succeeded)
    })
    .await;
    assert_eq!(certificates_in(&theirs, "lockstep-demo.com").await, 1);

    // The role goes mid-run: the next step fails with the reason; it never falls back to the
    // server's credentials.
    w.store.set_team_role_arn(&w.team, None).await.unwrap();
    let ended = drive(&w, &run.id).await;
    assert_eq!(ended.status, RunStatus::Failed, "{ended:#?}");
    let failed = ended.steps.iter().find_map(|s| s.error.clone()).unwrap();
    assert_no_role(&failed, &w.team);
    assert_eq!(certificates_in(&w.account, "lockstep-demo.com").await, 0, "nothing in the server's account");
}

#[tokio::test]
async fn a_step_whose_project_has_no_team_is_refused_not_run_as_the_server() {
    let w = world_under(account(), real(&[]), |a| a).await;
    let pid = project_row(&w, None).await;
    let input = lockstep_server::steps::certificate::CertInput {
        region: lockstep_domain::Region::parse("ap-northeast-2").unwrap(),
        names: vec![lockstep_domain::DomainName::parse("api.lockstep-demo.com").unwrap()],
        zone_id: lockstep_domain::ZoneId::parse(&server_zone(&w).await).unwrap(),
        zone_name: lockstep_domain::DomainName::parse("lockstep-demo.com").unwrap(),
        choice: Default::default(),
    };
    let run_id = uuid::Uuid::now_v7().simple().to_string();
    let run = NewRun {
        id: run_id.clone(),
        project_id: pid,
        kind: lockstep_server::steps::certificate::RUN_KIND,
        input: serde_json::to_value(&input).unwrap(),
        steps: lockstep_server::steps::certificate::STEPS
            .iter()
            .map(|k| (uuid::Uuid::now_v7().simple().to_string(), *k))
            .collect(),
        started_by: None,
    };
    w.store.create_run(&run, 0).await.unwrap();
    let ended = drive(&w, &run_id).await;
    assert_eq!(ended.status, RunStatus::Failed, "{ended:#?}");
    let e = ended.steps.iter().find_map(|s| s.error.clone()).unwrap();
    assert!(
        e.what.contains("project or team no longer exists") && e.why.contains("never uses the server's own"),
        "{e:?}"
    );
    assert!(e.ko.is_some());
    assert_eq!(certificates_in(&w.account, "lockstep-demo.com").await, 0, "nothing requested as the server");
}

#[tokio::test]
async fn the_external_id_of_a_teams_role_never_reaches_the_history() {
    let w = world().await;
    let api: Arc<dyn Api> = w.service.clone();

    // Saving a role tries it: its AssumeRole call is what the history wrapper records.
    let other_ext = format!("lockstep-ext-{}", uuid::Uuid::new_v4().simple());
    let other_team = uuid::Uuid::now_v7().simple().to_string();
    let other = owner_of(&w.store, &other_team, &other_ext).await;
    let arn = format!("arn:aws:iam::{}:role/lockstep", account());
    let (saved, calls) = collect_calls(w.service.set_team_role(&other, &other_team, Some(arn))).await;
    assert_eq!(saved.unwrap(), ActionOutcome::Done);
    let assume = calls.iter().find(|c| c.operation == "sts:AssumeRole").expect("the role was assumed");
    // In words (the role and session), never the external id (issue 22).
    assert!(assume.summary.starts_with("AssumeRole: role arn:aws:iam::"), "{assume:?}");
    assert!(!assume.summary.contains("external") && !assume.summary.contains(&other_ext), "{assume:?}");
    assert!(!format!("{calls:?}").contains(&other_ext), "{calls:?}");

    // A team whose role is first used by a project's action and its steps.
    let ext = format!("lockstep-ext-{}", uuid::Uuid::new_v4().simple());
    let team = uuid::Uuid::now_v7().simple().to_string();
    let me = owner_of(&w.store, &team, &ext).await;
    let theirs = account();
    w.store.set_team_role_arn(&team, Some(&format!("arn:aws:iam::{theirs}:role/lockstep"))).await.unwrap();
    let pid = project_row(&w, Some(&team)).await;
    let zones = observed(&api, &me, "list_zones", Scope::project(&pid), api.list_zones(&me, &pid)).await.unwrap();
    assert!(zones.is_empty(), "the team's fresh account has no zones yet");
    // Then a run in the team's account, its steps' calls written by the engine.
    let role = w.store.get_team(&team).await.unwrap().unwrap().aws_role().unwrap();
    collect_calls_as(
        AwsAccess::Team { team_id: team.clone(), role: Some(role) },
        lockstep_server::sandbox::seed(w.zones.as_ref()),
    )
    .await
    .0
    .unwrap();
    let zones = act(w.service.list_zones(&me, &pid)).await.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").unwrap();
    act(w.service.choose_zone(&me, &pid, &zone.id)).await.unwrap();
    let run = act(w.service.start_certificate(&me, &pid)).await.unwrap();
    assert_eq!(drive(&w, &run.id).await.status, RunStatus::Succeeded);

    // The history, as the JSON export serves it.
    let history = w.service.history_entries(&me, &pid).await.unwrap();
    assert!(history.iter().any(|e| e.operation == "sts:AssumeRole"), "the AssumeRole call is in it: {history:#?}");
    assert!(history.iter().any(|e| e.step.is_some() && e.kind == "aws"), "and the steps' calls");
    let export = serde_json::to_string(&history).unwrap();
    assert!(!export.contains(&ext), "the external id reached the history: {export}");
}

#[tokio::test]
async fn only_owners_retry_a_teardown() {
    // Real-AWS rules and no role: the teardown fails at its first AWS call.
    let w = world_under(account(), real(&[]), |a| a).await;
    let pid = project_row(&w, Some(&w.team)).await;
    let member = member_of(&w.store, &w.team, &w.me).await;
    let item = lockstep_domain::ledger::LedgerItem {
        kind: lockstep_domain::ledger::ResourceKind::Route53Record,
        id: format!("{}:api.lockstep-demo.com:A", server_zone(&w).await),
        region: "global".into(),
        run_kind: lockstep_domain::RunKind::InstanceHttps,
        step: "DNS record".into(),
        step_kind: None,
        created_at: None,
    };
    let input = lockstep_server::steps::teardown::TeardownInput { items: vec![item], delete_zone: false };
    let run_id = uuid::Uuid::now_v7().simple().to_string();
    let run = NewRun {
        id: run_id.clone(),
        project_id: pid,
        kind: lockstep_server::steps::teardown::RUN_KIND,
        input: serde_json::to_value(&input).unwrap(),
        steps: lockstep_server::steps::teardown::STEPS
            .iter()
            .map(|k| (uuid::Uuid::now_v7().simple().to_string(), *k))
            .collect(),
        started_by: w.me.user_id.clone(),
    };
    w.store.create_run(&run, 0).await.unwrap();
    assert_eq!(drive(&w, &run_id).await.status, RunStatus::Failed);

    // A member runs the wizard but may not tear down: retrying one is tearing down.
    match act(w.service.retry_run(&member, &run_id)).await {
        Err(AppError::Forbidden(words)) => {
            assert!(words.en.contains("cannot tear down") && words.en.contains("Ask a team owner"), "{words:?}");
            assert!(words.ko.contains("정리(teardown)") && words.ko.contains("팀 소유자"), "{words:?}")
        }
        other => panic!("a member retried a teardown: {other:?}"),
    }
    // The owner may, but this team has no AWS role: refused before anything restarts.
    assert_no_role(&refusal(act(w.service.retry_run(&w.me, &run_id)).await), &w.team);
    let (run, _) = w.store.get_run(&run_id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Failed, "nothing restarted");
}

#[test]
fn the_operator_names_the_allowed_teams_by_flag_or_environment() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: lockstep_server::config::ServeConfig,
    }
    let cli = Cli::try_parse_from(["lockstep", "--aws", "real", "--server-credentials-for", "team-a,team-b"]).unwrap();
    assert_eq!(cli.serve.server_credentials_for, ["team-a", "team-b"]);
    let cli = Cli::try_parse_from(["lockstep"]).unwrap();
    assert!(cli.serve.server_credentials_for.is_empty(), "default: no team uses the server's credentials");
}
