//! Who may sign up, and account safety (issue 19), over real HTTP against a real
//! `Application` (and, for the throttle's atomicity and expired links, in process on the test
//! store: SQLite, or PostgreSQL with `LOCKSTEP_TEST_STORE=postgres`).
//!
//! - Sign-up is closed once the first owner exists: an invite link, or an address at one of
//!   the operator's `--signup-domains`, and the refusal says whom to ask.
//! - Sign-up answers alike for an address that has an account and one that has not, and is
//!   throttled per client address.
//! - Sign-in's throttle counts before it checks: 20 parallel guesses get 5 checks.
//! - Password change (other sessions end) and owner-made one-time reset links.

mod common;

use app::api::ssr::{prelude::*, Caller};
use app::model::*;
use common::{http_client, post, post_json, App, PASSWORD};
use lockstep_domain::account::throttle;
use reqwest::StatusCode;

const NEW_PASSWORD: &str = "a brand new pass phrase";

/// A sign-up form (`invite` joins that team; without one the person makes "Their team").
async fn sign_up(app: &App, http: &reqwest::Client, email: &str, invite: Option<&str>) -> AuthOutcome {
    let mut form = vec![("name", "Student"), ("email", email), ("password", PASSWORD), ("team", "Their team")];
    if let Some(t) = invite {
        form.push(("invite", t));
    }
    post_json(http, app, "sign_up", &form).await
}

async fn sign_in(app: &App, http: &reqwest::Client, email: &str, password: &str) -> AuthOutcome {
    post_json(http, app, "sign_in", &[("email", email), ("password", password)]).await
}

async fn me(app: &App, http: &reqwest::Client) -> Option<Me> {
    post_json::<SessionInfo>(http, app, "session_info", &[]).await.me
}

fn unique(prefix: &str, domain: &str) -> String {
    format!("{prefix}-{}@{domain}", uuid::Uuid::new_v4().simple())
}

/// Signs up through `invite` (a token) and signs in on a fresh client.
async fn join(app: &App, email: &str, invite: &str) -> reqwest::Client {
    let client = http_client();
    let out = sign_up(app, &client, email, Some(invite)).await;
    assert!(matches!(out, AuthOutcome::SignIn { .. }), "{out:?}");
    let out = sign_in(app, &client, email, PASSWORD).await;
    assert!(matches!(out, AuthOutcome::Done { .. }), "{out:?}");
    client
}

async fn invite(app: &App, owner: &reqwest::Client, team: &str, role: &str) -> String {
    let out: InviteOutcome = post_json(owner, app, "create_invite", &[("team_id", team), ("role", role)]).await;
    let InviteOutcome::Created { path, .. } = out else { panic!("invite refused: {out:?}") };
    path.trim_start_matches("/invite/").to_string()
}

fn refused(out: &AuthOutcome) -> &lockstep_domain::UserError {
    match out {
        AuthOutcome::Refused(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_closed_server_takes_new_people_only_by_invite_and_says_whom_to_ask() {
    let app = App::start(|c| c.signup_domains = Vec::new()).await;
    let owner = http_client();
    let team = common::team_of(&owner, &app.base).await;

    // The sign-up page says so before anything is typed, in both languages, with no form.
    let page = http_client().get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign-up on this lockstep server is by invitation"), "{page}");
    assert!(page.contains("Ask the owner of the team you are joining"), "{page}");
    assert!(!page.contains("signup-form"), "no form when nobody may use it: {page}");
    let page = http_client()
        .get(app.url("/signup"))
        .header("accept-language", "ko-KR,ko;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("초대를 받아야 가입할 수 있어요"), "{page}");

    // Without an invite: refused in plain words, nothing made.
    let stranger = unique("stranger", "example.ac.kr");
    let out = sign_up(&app, &http_client(), &stranger, None).await;
    let e = refused(&out);
    assert!(e.what.contains("by invitation"), "{e:?}");
    assert!(e.fix.contains("invite link") && e.fix.contains("whoever runs this lockstep server"), "{e:?}");
    assert!(e.ko.as_ref().is_some_and(|ko| ko.what.contains("초대")), "{e:?}");
    let out = sign_in(&app, &http_client(), &stranger, PASSWORD).await;
    assert!(refused(&out).what.contains("Wrong e-mail address or password"), "no account was made: {out:?}");

    // With an invite link anyone may, whatever their address.
    let token = invite(&app, &owner, &team, "member").await;
    let guest = unique("guest", "anywhere.example");
    let client = http_client();
    let out = sign_up(&app, &client, &guest, Some(&token)).await;
    assert_eq!(out, AuthOutcome::SignIn { next: format!("/teams/{team}") });
    assert!(me(&app, &client).await.is_none(), "sign-up signs nobody in");
    assert!(matches!(sign_in(&app, &client, &guest, PASSWORD).await, AuthOutcome::Done { .. }));
    let teams = me(&app, &client).await.unwrap().teams;
    assert_eq!(teams.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), [team.as_str()], "only the invite's team");
    // The link worked once.
    let out = sign_up(&app, &http_client(), &unique("late", "anywhere.example"), Some(&token)).await;
    assert!(refused(&out).what.contains("no longer works"), "{out:?}");
    app.stop().await;
}

#[tokio::test]
async fn allow_listed_domains_and_their_subdomains_may_sign_up() {
    let app = App::start(|c| c.signup_domains = vec!["example.edu".into()]).await;
    common::team_of(&http_client(), &app.base).await;
    let info: SessionInfo = post_json(&http_client(), &app, "session_info", &[]).await;
    assert_eq!(info.signup_domains, ["example.edu"]);
    let page = http_client().get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Addresses at example.edu can sign up here"), "{page}");

    for email in [unique("a", "example.edu"), unique("b", "cs.example.edu"), unique("c", "EXAMPLE.EDU")] {
        let client = http_client();
        let out = sign_up(&app, &client, &email, None).await;
        assert_eq!(out, AuthOutcome::SignIn { next: "/".into() }, "{email}");
        assert!(matches!(sign_in(&app, &client, &email, PASSWORD).await, AuthOutcome::Done { .. }), "{email}");
        assert_eq!(me(&app, &client).await.unwrap().teams.len(), 1, "their own team");
    }
    for email in [unique("d", "example.edu.evil.com"), unique("e", "notexample.edu"), unique("f", "example.ac.kr")] {
        let out = sign_up(&app, &http_client(), &email, None).await;
        let e = refused(&out);
        assert!(e.what.contains("by invitation") && e.why.contains("example.edu"), "{email}: {e:?}");
    }
    app.stop().await;

    // A list that is not one refuses to start, saying how to write it.
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::serve_config(dir.path());
    config.signup_domains = vec!["*.example.edu".into()];
    let Err(e) = lockstep_server::Application::build(config).await else { panic!("started with a bad list") };
    assert!(e.to_string().contains("--signup-domains") && e.to_string().contains("ac.kr,example.edu"), "{e}");
}

/// Posts a sign-up from a cookie-less client: status, body, and whether a session cookie came.
async fn raw_sign_up(app: &App, form: &[(&str, &str)]) -> (StatusCode, String, bool) {
    let r = reqwest::Client::new()
        .post(app.url("/api/sign_up"))
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap();
    let cookie =
        r.headers().get_all("set-cookie").iter().any(|c| c.to_str().is_ok_and(|c| c.contains("lockstep_session")));
    (r.status(), r.text().await.unwrap(), cookie)
}

#[tokio::test]
async fn sign_up_does_not_tell_which_addresses_have_accounts() {
    let app = App::start(|_| {}).await;
    let owner = http_client();
    let team = common::team_of(&owner, &app.base).await;
    let taken = me(&app, &owner).await.unwrap().email;
    let form = |email: &str, team_name: &'static str| {
        vec![
            ("name", "Someone".to_string()),
            ("email", email.to_string()),
            ("password", "an attacker's pass phrase".to_string()),
            ("team", team_name.to_string()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            raw_sign_up(app, &form).await
        }
    };

    // Without an invite: the same status, the same body, no session either way.
    let for_taken = send(form(&taken, "Team")).await;
    let for_new = send(form(&unique("new", "example.ac.kr"), "Team")).await;
    assert_eq!(for_taken, for_new, "taken vs new address");
    assert_eq!(for_taken.0, StatusCode::OK);
    assert!(!for_taken.2, "nobody is signed in by a sign-up");

    // Through an invite: the same again (both name the invite's team), and the taken address's
    // attempt used nothing up.
    let first = invite(&app, &owner, &team, "viewer").await;
    let second = invite(&app, &owner, &team, "viewer").await;
    let with = |email: &str, token: &str| {
        let mut f = form(email, "");
        f.push(("invite", token.to_string()));
        f
    };
    let for_taken = send(with(&taken, &first)).await;
    let for_new = send(with(&unique("new", "example.ac.kr"), &second)).await;
    assert_eq!(for_taken, for_new, "taken vs new address, with an invite");
    let (status, _) = post(&http_client(), &app, "invite_info", &[("token", &first)]).await;
    assert_eq!(status, StatusCode::OK, "the invite still works for the person it was meant for");

    // Nothing about the existing account changed.
    assert!(matches!(sign_in(&app, &http_client(), &taken, PASSWORD).await, AuthOutcome::Done { .. }));
    let out = sign_in(&app, &http_client(), &taken, "an attacker's pass phrase").await;
    assert!(refused(&out).what.contains("Wrong e-mail address or password"), "{out:?}");
    let view: TeamView = post_json(&owner, &app, "team", &[("team_id", &team)]).await;
    assert_eq!(view.members.len(), 2, "the owner and the one new viewer: {:?}", view.members);
    app.stop().await;
}

#[tokio::test]
async fn sign_up_is_throttled_per_address() {
    let app = App::start(|_| {}).await;
    common::team_of(&http_client(), &app.base).await;
    // Forms with mistakes cost no password hash and do not count.
    for _ in 0..3 {
        let out: AuthOutcome =
            post_json(&http_client(), &app, "sign_up", &[("name", "x"), ("email", "nope"), ("password", "short")])
                .await;
        assert!(matches!(out, AuthOutcome::Invalid(_)), "{out:?}");
    }
    let sign_ups = (0..throttle::SIGN_UPS_PER_ADDRESS).map(|i| {
        let app = &app;
        async move { sign_up(app, &http_client(), &unique(&format!("s{i}"), "example.ac.kr"), None).await }
    });
    for out in futures::future::join_all(sign_ups).await {
        assert!(matches!(out, AuthOutcome::SignIn { .. }), "{out:?}");
    }
    let out = sign_up(&app, &http_client(), &unique("one-too-many", "example.ac.kr"), None).await;
    let e = refused(&out);
    assert!(e.what.contains("Too many sign-ups from your network"), "{e:?}");
    assert!(e.fix.contains("minute"), "{e:?}");
    assert!(e.ko.as_ref().is_some_and(|ko| ko.what.contains("가입")), "{e:?}");
    app.stop().await;
}

/// Twenty wrong passwords at once: exactly the first five are checked, the rest wait.
async fn guess_in_parallel(guess: impl Fn() -> futures::future::BoxFuture<'static, AuthOutcome>) {
    let answers = futures::future::join_all((0..20).map(|_| guess())).await;
    let checked = answers
        .iter()
        .filter(|a| matches!(a, AuthOutcome::Refused(e) if e.what.contains("Wrong e-mail address or password")))
        .count();
    let paused = answers
        .iter()
        .filter(|a| matches!(a, AuthOutcome::Refused(e) if e.what.contains("Too many wrong passwords")))
        .count();
    assert_eq!(checked as i64, throttle::PER_ACCOUNT, "passwords checked: {answers:?}");
    assert_eq!(checked + paused, 20, "{answers:?}");
}

#[tokio::test]
async fn twenty_parallel_wrong_passwords_get_five_checks_over_http() {
    let app = std::sync::Arc::new(App::start(|_| {}).await);
    let owner = http_client();
    common::team_of(&owner, &app.base).await;
    let email = me(&app, &owner).await.unwrap().email;
    guess_in_parallel(|| {
        let (app, email) = (app.clone(), email.clone());
        Box::pin(async move { sign_in(&app, &http_client(), &email, "wrong password!").await })
    })
    .await;
    // The right password waits too: the account is paused.
    let out = sign_in(&app, &http_client(), &email, PASSWORD).await;
    assert!(refused(&out).what.contains("Too many wrong passwords"), "{out:?}");
    std::sync::Arc::into_inner(app).expect("one owner").stop().await;
}

#[tokio::test]
async fn the_attempt_counter_is_atomic_on_the_test_store() {
    let w = common::world().await;
    // The store itself: fifty attempts at once get fifty different numbers.
    let counts =
        futures::future::join_all((0..50).map(|_| w.store.count_attempt("k", 1_000, throttle::WINDOW_MS))).await;
    let mut counts: Vec<i64> = counts.into_iter().map(|c| c.unwrap().count).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=50).collect::<Vec<_>>());
    // A window over starts again at 1.
    let later = w.store.count_attempt("k", 1_000 + throttle::WINDOW_MS, throttle::WINDOW_MS).await.unwrap();
    assert_eq!((later.count, later.window_start), (1, 1_000 + throttle::WINDOW_MS));

    // Sign-in through the service, twenty guesses at once.
    let email = unique("guessed", "example.ac.kr");
    person(&w, &email, PASSWORD).await;
    let service = w.service.clone();
    guess_in_parallel(|| {
        let (service, email) = (service.clone(), email.clone());
        Box::pin(async move { service.sign_in(&Caller::anonymous(), &email, "wrong password!", None).await.unwrap() })
    })
    .await;
}

/// A person with a real password, made straight in the store; returns their id.
async fn person(w: &common::World, email: &str, password: &str) -> String {
    let user = lockstep_server::store::directory::UserRow {
        id: uuid::Uuid::now_v7().simple().to_string(),
        email: email.to_string(),
        name: "Minji".into(),
        password_hash: lockstep_server::auth::hash_password(password.to_string()).await.unwrap(),
        locale: None,
        created_at: 0,
    };
    assert!(w.store.create_user(&user, None, 0).await.unwrap());
    user.id
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = App::start(|_| {}).await;
    common::team_of(&http_client(), &app.base).await;
    let email = unique("changer", "example.ac.kr");
    let (here, elsewhere) = (http_client(), http_client());
    assert!(matches!(sign_up(&app, &here, &email, None).await, AuthOutcome::SignIn { .. }));
    for client in [&here, &elsewhere] {
        assert!(matches!(sign_in(&app, client, &email, PASSWORD).await, AuthOutcome::Done { .. }));
    }
    let change = |current: &'static str, new: &'static str| {
        let (app, here) = (&app, &here);
        async move {
            post_json::<ActionOutcome>(
                here,
                app,
                "change_password",
                &[("current_password", current), ("new_password", new)],
            )
            .await
        }
    };
    let fields = |out: ActionOutcome| match out {
        ActionOutcome::Invalid(p) => p.into_iter().map(|p| p.field).collect::<Vec<_>>(),
        other => panic!("expected field problems, got {other:?}"),
    };
    // Field by field: every problem at once, and a wrong current password changes nothing.
    assert_eq!(fields(change("", "short").await), ["current_password", "new_password"]);
    assert_eq!(fields(change("not my password", NEW_PASSWORD).await), ["current_password"]);
    assert_eq!(fields(change(PASSWORD, PASSWORD).await), ["new_password"]);
    // Signed out: no password changes.
    let form = [("current_password", PASSWORD), ("new_password", NEW_PASSWORD)];
    let (status, _) = post(&http_client(), &app, "change_password", &form).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(change(PASSWORD, NEW_PASSWORD).await, ActionOutcome::Done);
    assert_eq!(me(&app, &here).await.map(|m| m.email), Some(email.clone()), "this session stays signed in");
    assert!(me(&app, &elsewhere).await.is_none(), "the other session is signed out");
    let (status, _) = post(&elsewhere, &app, "list_projects", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = elsewhere.get(app.url("/")).send().await.unwrap();
    assert!(page.url().path().starts_with("/signin"), "pages ask the other session to sign in: {}", page.url());

    let out = sign_in(&app, &http_client(), &email, PASSWORD).await;
    assert!(refused(&out).what.contains("Wrong e-mail address or password"), "the old password: {out:?}");
    assert!(matches!(sign_in(&app, &http_client(), &email, NEW_PASSWORD).await, AuthOutcome::Done { .. }));
    app.stop().await;
}

#[tokio::test]
async fn reset_links_are_made_by_owners_only_and_work_once() {
    let app = App::start(|_| {}).await;
    let owner = http_client();
    let team = common::team_of(&owner, &app.base).await;
    let member_email = unique("member", "example.ac.kr");
    let member = join(&app, &member_email, &invite(&app, &owner, &team, "member").await).await;
    let viewer_email = unique("viewer", "example.ac.kr");
    let viewer = join(&app, &viewer_email, &invite(&app, &owner, &team, "viewer").await).await;
    let outsider = http_client();
    let outsider_email = unique("outsider", "example.ac.kr");
    assert!(matches!(sign_up(&app, &outsider, &outsider_email, None).await, AuthOutcome::SignIn { .. }));
    assert!(matches!(sign_in(&app, &outsider, &outsider_email, PASSWORD).await, AuthOutcome::Done { .. }));
    let view: TeamView = post_json(&owner, &app, "team", &[("team_id", &team)]).await;
    let id_of = |email: &str| view.members.iter().find(|m| m.email == email).unwrap().user_id.clone();
    let (member_id, viewer_id) = (id_of(&member_email), id_of(&viewer_email));

    // Only an owner of the team: a member or viewer is forbidden, an outsider finds nothing.
    let form = [("team_id", team.as_str()), ("user_id", viewer_id.as_str())];
    for (who, client, status) in [
        ("member", &member, StatusCode::FORBIDDEN),
        ("viewer", &viewer, StatusCode::FORBIDDEN),
        ("outsider", &outsider, StatusCode::NOT_FOUND),
        ("anonymous", &http_client(), StatusCode::UNAUTHORIZED),
    ] {
        let (got, body) = post(client, &app, "create_reset_link", &form).await;
        assert_eq!(got, status, "{who}: {body}");
        assert!(!body.contains("/reset/"), "{who} got a link: {body}");
    }
    let (status, _) = post(&owner, &app, "create_reset_link", &[("team_id", &team), ("user_id", "no-such-user")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The owner's link for the member.
    let out: ResetLinkOutcome =
        post_json(&owner, &app, "create_reset_link", &[("team_id", &team), ("user_id", &member_id)]).await;
    let ResetLinkOutcome::Created { path, name, .. } = out else { panic!("{out:?}") };
    assert_eq!(name, "Student");
    let token = path.trim_start_matches("/reset/").to_string();
    let info: ResetInfo = post_json(&http_client(), &app, "reset_info", &[("token", &token)]).await;
    assert_eq!(info.email, member_email);
    let page = http_client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(&member_email));

    // A short password: said at its field, and the link still works.
    let out: AuthOutcome =
        post_json(&http_client(), &app, "reset_password", &[("token", &token), ("password", "short")]).await;
    assert!(matches!(&out, AuthOutcome::Invalid(p) if p[0].field == "password"), "{out:?}");
    let out: AuthOutcome =
        post_json(&http_client(), &app, "reset_password", &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert_eq!(out, AuthOutcome::SignIn { next: "/".into() });
    assert!(me(&app, &member).await.is_none(), "the member's session ended with the reset");
    let out = sign_in(&app, &http_client(), &member_email, PASSWORD).await;
    assert!(refused(&out).what.contains("Wrong e-mail address or password"), "old password: {out:?}");
    assert!(matches!(sign_in(&app, &http_client(), &member_email, NEW_PASSWORD).await, AuthOutcome::Done { .. }));

    // Used: refused everywhere, and its page answers 404.
    let out: AuthOutcome =
        post_json(&http_client(), &app, "reset_password", &[("token", &token), ("password", "yet another phrase")])
            .await;
    assert!(refused(&out).what.contains("no longer works"), "{out:?}");
    let (status, _) = post(&http_client(), &app, "reset_info", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(http_client().get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert!(matches!(sign_in(&app, &http_client(), &member_email, NEW_PASSWORD).await, AuthOutcome::Done { .. }));

    // A newer link replaces an older one.
    let link = |user: String| {
        let (app, owner, team) = (&app, &owner, team.clone());
        async move {
            match post_json(owner, app, "create_reset_link", &[("team_id", &team), ("user_id", &user)]).await {
                ResetLinkOutcome::Created { path, .. } => path.trim_start_matches("/reset/").to_string(),
                other => panic!("{other:?}"),
            }
        }
    };
    let (older, newer) = (link(viewer_id.clone()).await, link(viewer_id.clone()).await);
    let (status, _) = post(&http_client(), &app, "reset_info", &[("token", &older)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the older link stopped working");
    let (status, _) = post(&http_client(), &app, "reset_info", &[("token", &newer)]).await;
    assert_eq!(status, StatusCode::OK);

    // Someone who is also in a team the owner does not own: no link, from either owner.
    assert!(matches!(sign_in(&app, &member, &member_email, NEW_PASSWORD).await, AuthOutcome::Done { .. }));
    let outsider_team = me(&app, &outsider).await.unwrap().teams[0].id.clone();
    let token = invite(&app, &outsider, &outsider_team, "member").await;
    let out: AuthOutcome = post_json(&member, &app, "accept_invite", &[("token", &token)]).await;
    assert!(matches!(out, AuthOutcome::Done { .. }), "{out:?}");
    for (client, team) in [(&owner, &team), (&outsider, &outsider_team)] {
        let out: ResetLinkOutcome =
            post_json(client, &app, "create_reset_link", &[("team_id", team), ("user_id", &member_id)]).await;
        let ResetLinkOutcome::Refused(e) = out else { panic!("a link into a team they do not own: {out:?}") };
        assert!(e.why.contains("also in a team you are not an owner of"), "{e:?}");
        assert!(e.ko.is_some(), "{e:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let w = common::world().await;
    let email = unique("expired", "example.ac.kr");
    let user_id = person(&w, &email, PASSWORD).await;
    let (token, hash) = lockstep_server::auth::new_token();
    let now = w.service.clock.now_ms();
    w.store
        .insert_reset(&lockstep_server::store::directory::ResetRow {
            token_hash: hash,
            user_id,
            team_id: w.team.clone(),
            created_by: "someone".into(),
            created_at: now - 25 * 3600 * 1000,
            expires_at: now - 3600 * 1000,
        })
        .await
        .unwrap();
    let anyone = Caller::anonymous();
    assert!(matches!(w.service.reset_info(&anyone, &token).await, Err(AppError::NotFound(_))));
    let out = w.service.reset_password(&anyone, &token, NEW_PASSWORD).await.unwrap();
    assert!(refused(&out).what.contains("no longer works"), "{out:?}");
    let out = w.service.sign_in(&anyone, &email, PASSWORD, None).await.unwrap();
    assert!(matches!(out, AuthOutcome::Done { .. }), "the password is unchanged: {out:?}");
}
