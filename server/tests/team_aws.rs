//! A team's own AWS access: lockstep assumes the team's role (with the team's external id) for
//! the team's actions and steps, and its resources land in the team's account, not the
//! server's. Against moto (which lets any role be assumed and maps the assumed keys to the
//! role's account), and with scripted STS replies for what moto does not enforce: a trust
//! policy that refuses lockstep.

mod common;

use app::api::ssr::prelude::*;
use app::model::ActionOutcome;
use aws_sdk_sts::error::ErrorMetadata;
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use common::{account, certificates_in, drive, moto, project, world};
use lockstep_domain::RunStatus;
use lockstep_server::ports::{CertificateAuthority, PortError};
use lockstep_server::work::{collect_calls, collect_calls_as};

#[tokio::test]
async fn a_team_with_its_own_role_acts_as_it_and_its_certificates_are_in_its_account() {
    let w = world().await;
    let theirs = account();
    let arn = format!("arn:aws:iam::{theirs}:role/lockstep");

    // A malformed ARN is a field error, and nothing is saved.
    let bad = collect_calls(w.service.set_team_role(&w.me, &w.team, Some("arn:aws:iam::12:role/x".into()))).await.0;
    assert!(matches!(&bad, Ok(ActionOutcome::Invalid(p)) if p[0].field == "role_arn"), "{bad:?}");
    assert_eq!(w.store.get_team(&w.team).await.unwrap().unwrap().aws_role_arn, None);

    // Saving tries the role first (moto lets it be assumed), then keeps it.
    let saved = collect_calls(w.service.set_team_role(&w.me, &w.team, Some(arn.clone()))).await;
    assert_eq!(saved.0.unwrap(), ActionOutcome::Done);
    assert!(saved.1.iter().any(|c| c.operation == "sts:AssumeRole"), "the role was assumed: {:?}", saved.1);
    let team = w.store.get_team(&w.team).await.unwrap().unwrap();
    assert_eq!(team.aws_role_arn.as_deref(), Some(arn.as_str()));
    let role = team.aws_role().unwrap();
    assert_eq!(role.external_id, team.aws_external_id);

    // Acting for the team, AWS sees the assumed role; the server alone is still itself.
    let (as_team, _) =
        collect_calls_as((w.team.as_str(), role.clone()), w.service.adapters.identity.caller_arn()).await;
    assert_eq!(as_team.unwrap(), format!("arn:aws:sts::{theirs}:assumed-role/lockstep/{}", role.session_name));
    let as_server = w.service.adapters.identity.caller_arn().await.unwrap();
    assert!(as_server.contains(&w.account) && !as_server.contains("assumed-role"), "{as_server}");

    // The team's account has its own demo zone (as a team's real account has its domain).
    collect_calls_as((w.team.as_str(), role), lockstep_server::sandbox::seed(w.zones.as_ref())).await.0.unwrap();
    let pid = project(&w).await;
    // An action for the team lists the zones of the team's account.
    let zones = collect_calls(w.service.list_zones(&w.me, &pid)).await.0.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").expect("the team's zone");
    collect_calls(w.service.choose_zone(&w.me, &pid, &zone.id)).await.0.unwrap();
    let run = collect_calls(w.service.start_certificate(&w.me, &pid)).await.0.unwrap();
    // The engine runs each step as the project's team.
    assert_eq!(drive(&w, &run.id).await.status, RunStatus::Succeeded);
    assert_eq!(certificates_in(&theirs, "lockstep-demo.com").await, 1, "the certificate is in the team's account");
    assert_eq!(certificates_in(&w.account, "lockstep-demo.com").await, 0, "and not in the server's");

    // Clearing the role goes back to the server's own access (in the sandbox; on real AWS only
    // for a team the operator allowed, see aws_authority.rs).
    let cleared = collect_calls(w.service.set_team_role(&w.me, &w.team, None)).await.0.unwrap();
    assert_eq!(cleared, ActionOutcome::Done);
    assert!(w.store.get_team(&w.team).await.unwrap().unwrap().aws_role().is_none());
}

#[tokio::test]
async fn a_role_that_refuses_lockstep_is_a_clear_error_naming_the_trust_policy() {
    use aws_credential_types::provider::SharedCredentialsProvider;
    use lockstep_server::aws::team_role::AssumeTeamRole;
    let role = lockstep_domain::account::AwsRole::for_team(
        "team-7",
        "arn:aws:iam::222233334444:role/lockstep",
        "lockstep-ext-7",
    );
    // STS, as AWS answers when the trust policy does not allow the caller or the external id
    // does not match (moto allows every AssumeRole).
    let refused = mock!(aws_sdk_sts::Client::assume_role)
        .match_requests(|r| {
            r.external_id() == Some("lockstep-ext-7")
                && r.role_session_name() == Some("lockstep-team-7")
                && r.role_arn() == Some("arn:aws:iam::222233334444:role/lockstep")
        })
        .then_error(|| {
            AssumeRoleError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message(
                        "User: arn:aws:iam::111122223333:user/lockstep is not authorized to perform: sts:AssumeRole",
                    )
                    .build(),
            )
        });
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&refused]);
    let acm = aws_sdk_acm::Client::from_conf(
        aws_sdk_acm::Config::builder()
            .behavior_version_latest()
            .region(aws_sdk_acm::config::Region::new("ap-northeast-2"))
            .endpoint_url(moto().endpoint.clone())
            .credentials_provider(SharedCredentialsProvider::new(AssumeTeamRole { sts, role }))
            .build(),
    );
    let ca = lockstep_server::aws::acm::Acm::with_client(acm);
    let err = ca.list(&lockstep_domain::Region::parse("ap-northeast-2").unwrap()).await.unwrap_err();
    let PortError::TeamRole { role_arn, code, message } = &err else { panic!("not a role refusal: {err:?}") };
    assert_eq!((role_arn.as_str(), code.as_str()), ("arn:aws:iam::222233334444:role/lockstep", "AccessDenied"));
    assert!(message.contains("not authorized"), "{message}");
    // What the wizard shows for it: what happened, why, and what to change in IAM.
    let task = lockstep_domain::msg("requesting the certificate", "인증서 요청");
    let shown = match lockstep_server::steps::port_error(&task, err) {
        lockstep_server::jobs::StepError::Fatal(e) => e,
        other => panic!("a refused role cannot be retried into working: {other:?}"),
    };
    assert!(shown.what.contains("your team's AWS role"), "{shown:?}");
    assert!(shown.why.contains("AccessDenied") && shown.why.contains("222233334444"), "{shown:?}");
    assert!(shown.fix.contains("Trust relationships") && shown.fix.contains("external id"), "{shown:?}");
    assert!(shown.said(true).0.contains("(작업: 인증서 요청)"), "the task in Korean: {shown:?}");
}

/// The authorization check names the team's access and hands it back; it sets nothing on the
/// task (issue 20: `guard()` once set the team's role as a hidden side effect). The access
/// applies only inside `acting`, and is gone again after it.
#[tokio::test]
async fn the_authorization_check_sets_no_aws_access_on_the_task() {
    use lockstep_domain::account::Need;
    use lockstep_server::work::{aws_access, AwsAccess};
    let w = world().await;
    let id = project(&w).await;
    let team = AwsAccess::Team { team_id: w.team.clone(), role: None };

    // Outside any action: nothing before, nothing after.
    assert_eq!(aws_access(), None);
    let a = w.service.guard(&w.me, &id, Need::Act).await.unwrap();
    assert_eq!(aws_access(), None, "guard() left an access behind");
    assert_eq!(a.aws, team, "the check names the team's access");

    // Inside an action (as an HTTP request runs it): still what it was before the check.
    let (seen, _) = collect_calls(async {
        let before = aws_access();
        let a = w.service.guard(&w.me, &id, Need::Act).await.unwrap();
        let after = aws_access();
        let inside = a.acting(async { aws_access() }).await;
        (before, after, inside, aws_access())
    })
    .await;
    assert_eq!(seen.0, Some(AwsAccess::Unnamed));
    assert_eq!(seen.1, Some(AwsAccess::Unnamed), "guard() changed the action's access");
    assert_eq!(seen.2, Some(team), "acting() applies the team's access");
    assert_eq!(seen.3, Some(AwsAccess::Unnamed), "and only inside it");
}
