//! Accounts over real HTTP against a real `Application` (sandbox AWS on moto, a fresh SQLite
//! file): session cookies and their flags, session fixation, sign-out, the cross-site check,
//! sign-in throttling, invites and roles, and the authorization matrix: every server function
//! and the live stream, for every role and for a member of another team.

mod common;

use app::model::*;
use common::{http_client, post, post_json, App, PASSWORD};
use reqwest::StatusCode;
use std::collections::BTreeMap;

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("lockstep_session="))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim_start_matches("lockstep_session=").to_string()
}

/// A client that sends no cookie jar, only the headers given (to replay a stolen or planted
/// cookie by hand).
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn me_with_cookie(app: &App, cookie: &str) -> Option<Me> {
    let r = bare_client()
        .post(app.url("/api/session_info"))
        .header("cookie", format!("lockstep_session={cookie}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    r.json::<SessionInfo>().await.unwrap().me
}

async fn sign_up(app: &App, http: &reqwest::Client, email: &str, invite: Option<&str>) -> AuthOutcome {
    let mut form = vec![("name", "Student"), ("email", email), ("password", PASSWORD), ("team", "Their team")];
    if let Some(t) = invite {
        form.push(("invite", t));
    }
    post_json(http, app, "sign_up", &form).await
}

/// Signs up (which signs nobody in) and then signs in on the same client.
async fn sign_up_and_in(app: &App, http: &reqwest::Client, email: &str, invite: Option<&str>) -> AuthOutcome {
    match sign_up(app, http, email, invite).await {
        AuthOutcome::SignIn { .. } => {
            post_json(http, app, "sign_in", &[("email", email), ("password", PASSWORD)]).await
        }
        other => other,
    }
}

#[tokio::test]
async fn cookies_are_http_only_lax_and_secure_over_https_and_rotate_at_sign_in() {
    let app = App::start(|_| {}).await;
    let owner = http_client();
    let team = common::team_of(&owner, &app.base).await;
    assert!(!team.is_empty());

    // Sign in on a fresh client and read the cookie the server sets.
    let email = post_json::<SessionInfo>(&owner, &app, "session_info", &[]).await.me.unwrap().email;
    let r = bare_client()
        .post(app.url("/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let set = session_cookie(&r).expect("a session cookie at sign-in");
    let flags = set.to_ascii_lowercase();
    assert!(flags.contains("httponly"), "{set}");
    assert!(flags.contains("samesite=lax"), "{set}");
    assert!(!flags.contains("secure"), "plain http: a Secure cookie would never come back: {set}");

    // Session fixation: an attacker signs in, plants their session id in the victim's
    // browser; the victim signs in with it. The victim must get a NEW id, and the planted one
    // must sign in nobody.
    let attacker = cookie_value(&set);
    assert!(me_with_cookie(&app, &attacker).await.is_some(), "the attacker's own session works");
    let victim_email = format!("victim-{}@example.ac.kr", uuid::Uuid::new_v4().simple());
    assert!(matches!(sign_up(&app, &http_client(), &victim_email, None).await, AuthOutcome::SignIn { .. }));
    let r = bare_client()
        .post(app.url("/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("lockstep_session={attacker}"))
        .form(&[("email", victim_email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let victim = cookie_value(&session_cookie(&r).expect("a new cookie at sign-in"));
    assert_ne!(victim, attacker, "the session id changes at sign-in");
    assert_eq!(me_with_cookie(&app, &victim).await.unwrap().email, victim_email);
    assert!(me_with_cookie(&app, &attacker).await.is_none(), "the planted id signs nobody in");

    // Sign-out ends the session on the server too (a copied cookie is useless afterwards).
    let r = bare_client()
        .post(app.url("/api/sign_out"))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("lockstep_session={victim}"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert!(me_with_cookie(&app, &victim).await.is_none(), "signed out for good");
    app.stop().await;

    // Served over HTTPS (behind a proxy): the cookie is Secure.
    let app = App::start(|c| c.public_url = Some("https://lockstep.example.ac.kr".into())).await;
    let r = bare_client()
        .post(app.url("/api/setup_owner"))
        .header("origin", "https://lockstep.example.ac.kr")
        .form(&[("name", "Owner"), ("email", "o@example.ac.kr"), ("password", PASSWORD), ("team", "T")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "the public origin is lockstep's own: {}", r.status());
    let set = session_cookie(&r).expect("cookie");
    assert!(set.to_ascii_lowercase().contains("secure"), "{set}");
    app.stop().await;
}

#[tokio::test]
async fn cross_site_requests_change_nothing() {
    let app = App::start(|_| {}).await;
    let owner = http_client();
    let team = common::team_of(&owner, &app.base).await;
    let jar_cookie = {
        // The owner's session id, to replay from "another site".
        let email = post_json::<SessionInfo>(&owner, &app, "session_info", &[]).await.me.unwrap().email;
        let r = bare_client()
            .post(app.url("/api/sign_in"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        cookie_value(&session_cookie(&r).unwrap())
    };
    let form = [
        ("team_id", team.as_str()),
        ("name", "forged"),
        ("region", "ap-northeast-2"),
        ("instance", "54.180.1.2"),
        ("app_port", "8000"),
        ("health_path", "/health"),
        ("bucket", "forged-bucket"),
        ("framework", "django"),
    ];
    let attempts: [&[(&str, &str)]; 4] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "http://evil.example")],
        // A browser always sends one of the two with a cookie; a request with neither is refused.
        &[],
    ];
    for headers in attempts {
        let mut req = bare_client()
            .post(app.url("/api/create_project"))
            .header("cookie", format!("lockstep_session={jar_cookie}"))
            .form(&form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.text().await.unwrap().contains("cross-site request forgery"));
    }
    let list: Vec<ProjectSummary> = post_json(&owner, &app, "list_projects", &[]).await;
    assert!(list.is_empty(), "nothing was created: {list:?}");
    // The same request from lockstep's own page goes through.
    let ok: CreateOutcome = post_json(&owner, &app, "create_project", &form).await;
    assert!(matches!(ok, CreateOutcome::Created(_)), "{ok:?}");
    app.stop().await;
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_and_per_address() {
    let app = App::start(|_| {}).await;
    let owner = http_client();
    common::team_of(&owner, &app.base).await;
    let email = post_json::<SessionInfo>(&owner, &app, "session_info", &[]).await.me.unwrap().email;
    let try_sign_in = |email: String, password: &'static str| {
        let app = &app;
        async move {
            post_json::<AuthOutcome>(&http_client(), app, "sign_in", &[("email", &email), ("password", password)]).await
        }
    };
    for _ in 0..5 {
        let AuthOutcome::Refused(e) = try_sign_in(email.clone(), "wrong password!").await else { panic!() };
        assert!(e.what.contains("Wrong e-mail address or password"), "{e:?}");
    }
    // Now even the right password waits: the account is paused.
    let AuthOutcome::Refused(e) = try_sign_in(email.clone(), PASSWORD).await else { panic!("right password let in") };
    assert!(e.what.contains("Too many wrong passwords for this account"), "{e:?}");
    assert!(e.fix.contains("Wait 15 minute"), "{e:?}");

    // Per address: many accounts guessed from one address. (A second server: the first one's
    // account pause must not be what refuses here.)
    app.stop().await;
    let app = App::start(|_| {}).await;
    let owner = http_client();
    common::team_of(&owner, &app.base).await;
    let email = post_json::<SessionInfo>(&owner, &app, "session_info", &[]).await.me.unwrap().email;
    for i in 0..lockstep_domain::account::throttle::PER_ADDRESS {
        let guess = format!("nobody{i}@example.ac.kr");
        let out: AuthOutcome =
            post_json(&http_client(), &app, "sign_in", &[("email", &guess), ("password", "wrong password!")]).await;
        assert!(matches!(out, AuthOutcome::Refused(_)));
    }
    let out: AuthOutcome =
        post_json(&http_client(), &app, "sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let AuthOutcome::Refused(e) = out else { panic!("address not throttled") };
    assert!(e.what.contains("from your network"), "{e:?}");
    app.stop().await;
}

/// What an endpoint needs, and a form to call it with.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Gate {
    /// Anyone, signed in or not.
    Public,
    /// Signed in; not scoped to a team.
    SignedIn,
    Read,
    Act,
    Manage,
}

struct Ids {
    project: String,
    run: String,
    team: String,
    member: String,
    invite_probe: String,
}

/// Endpoint name -> what it needs and the form to call it with.
type Matrix = BTreeMap<&'static str, (Gate, Vec<(&'static str, String)>)>;

fn endpoints(ids: &Ids) -> Matrix {
    let p = || vec![("project_id", ids.project.clone())];
    let with = |mut v: Vec<(&'static str, String)>, extra: &[(&'static str, &str)]| {
        v.extend(extra.iter().map(|(k, val)| (*k, val.to_string())));
        v
    };
    let team = || vec![("team_id", ids.team.clone())];
    let mut m = BTreeMap::new();
    use Gate::*;
    m.insert("environment", (Public, vec![]));
    m.insert("session_info", (Public, vec![]));
    m.insert("setup_owner", (Public, vec![]));
    m.insert("sign_up", (Public, vec![]));
    m.insert("sign_in", (Public, vec![]));
    m.insert("sign_out", (Public, vec![]));
    m.insert("invite_info", (Public, vec![("token", ids.invite_probe.clone())]));
    m.insert("reset_info", (Public, vec![("token", ids.invite_probe.clone())]));
    m.insert("reset_password", (Public, vec![("token", ids.invite_probe.clone()), ("password", "x".into())]));
    m.insert("change_password", (SignedIn, vec![("current_password", "x".into()), ("new_password", "y".into())]));
    m.insert("list_projects", (SignedIn, vec![]));
    // Public: the language switch calls it signed out too (then it keeps nothing).
    m.insert("set_locale", (Public, vec![("locale", "ko".into())]));
    m.insert("create_team", (SignedIn, vec![("name", "Another team".into())]));
    m.insert("accept_invite", (SignedIn, vec![("token", ids.invite_probe.clone())]));
    m.insert("get_project", (Read, vec![("id", ids.project.clone())]));
    m.insert("delete_project", (Manage, vec![("id", ids.project.clone())]));
    for read in [
        "domain_choices",
        "latest_domain_run",
        "latest_run",
        "latest_doctor_run",
        "free_path_facts",
        "latest_free_path_run",
        "latest_frontend_run",
        "frontend_facts",
        "latest_invalidation",
        "ledger",
        "paid_plan",
        "latest_backend_run",
        "latest_teardown_run",
        "list_zones",
        "wizard",
    ] {
        m.insert(read, (Read, p()));
    }
    m.insert("choose_path", (Act, with(p(), &[("path", "free")])));
    m.insert("history", (Read, with(p(), &[("failures", "on")])));
    m.insert("search_domain", (Read, with(p(), &[("domain", "capstone-team.click")])));
    m.insert("choose_zone", (Act, with(p(), &[("zone_id", "Z-NOPE")])));
    m.insert("use_other_registrar", (Act, with(p(), &[("domain", "other-registrar.click")])));
    let contact = [
        ("first_name", "Minji"),
        ("last_name", "Kim"),
        ("email", "minji@example.ac.kr"),
        ("phone", "+82.1012345678"),
        ("address_line1", "1 Gwanak-ro"),
        ("city", "Seoul"),
        ("state", "Seoul"),
        ("country_code", "KR"),
        ("zip_code", "08826"),
    ];
    m.insert("buy_domain", (Act, with(with(p(), &[("domain", "capstone-team.click")]), &contact)));
    m.insert("use_magic", (Act, with(p(), &[("provider", "nip.io")])));
    m.insert("save_plan", (Act, with(p(), &[("frontend", "www.lockstep-demo.com"), ("api", "api.lockstep-demo.com")])));
    m.insert("sandbox_registrar_updated", (Act, p()));
    m.insert("start_certificate", (Act, p()));
    m.insert("start_doctor", (Act, p()));
    m.insert("start_free_path", (Act, with(p(), &[("os", "nope"), ("email", "x")])));
    m.insert("start_frontend", (Act, p()));
    m.insert("invalidate_frontend", (Act, p()));
    m.insert("start_backend", (Act, p()));
    m.insert("start_teardown", (Manage, p()));
    m.insert("recheck", (Act, vec![("run_id", ids.run.clone())]));
    m.insert("retry_run", (Act, vec![("run_id", ids.run.clone())]));
    m.insert("cancel_run", (Act, vec![("run_id", ids.run.clone())]));
    m.insert(
        "create_project",
        (
            Act,
            with(
                team(),
                &[
                    ("name", "made-by-matrix"),
                    ("region", "ap-northeast-2"),
                    ("instance", "54.180.1.2"),
                    ("app_port", "8000"),
                    ("health_path", "/health"),
                    ("bucket", "matrix-bucket"),
                    ("framework", "django"),
                ],
            ),
        ),
    );
    // The new-project form's pick lists: the team's instances and buckets, read with its access.
    m.insert("project_choices", (Act, with(team(), &[("region", "ap-northeast-2")])));
    m.insert("status_settings", (Read, p()));
    m.insert("check_status_now", (Act, p()));
    m.insert(
        "save_status_settings",
        (Manage, with(p(), &[("public", "on"), ("slug", "matrix-status"), ("interval_minutes", "60")])),
    );
    m.insert("team", (Read, team()));
    m.insert("create_invite", (Manage, with(team(), &[("role", "viewer")])));
    m.insert("set_member_role", (Manage, with(team(), &[("user_id", &ids.member), ("role", "member")])));
    m.insert("remove_member", (Manage, with(team(), &[("user_id", "no-such-user")])));
    m.insert("create_reset_link", (Manage, with(team(), &[("user_id", &ids.member)])));
    m.insert("set_team_role", (Manage, with(team(), &[("role_arn", "")])));
    m
}

#[tokio::test]
async fn every_endpoint_refuses_other_teams_and_roles_below_its_need() {
    let app = App::start(|_| {}).await;
    // Team A: an owner, a member and a viewer; one project with a plan and a run.
    let owner = http_client();
    let team = common::team_of(&owner, &app.base).await;
    let mut invited = Vec::new();
    for role in ["member", "viewer"] {
        let InviteOutcome::Created { path, .. } =
            post_json(&owner, &app, "create_invite", &[("team_id", &team), ("role", role)]).await
        else {
            panic!("invite refused")
        };
        let token = path.trim_start_matches("/invite/").to_string();
        let client = http_client();
        let email = format!("{role}-{}@example.ac.kr", uuid::Uuid::new_v4().simple());
        let out = sign_up_and_in(&app, &client, &email, Some(&token)).await;
        assert!(matches!(out, AuthOutcome::Done { .. }), "{out:?}");
        // The link works once.
        let again = sign_up(&app, &http_client(), &format!("late-{email}"), Some(&token)).await;
        assert!(matches!(again, AuthOutcome::Refused(_)), "{again:?}");
        invited.push(client);
    }
    let (member, viewer) = (invited.remove(0), invited.remove(0));
    let view: TeamView = post_json(&owner, &app, "team", &[("team_id", &team)]).await;
    let roles: Vec<_> = view.members.iter().map(|m| m.role).collect();
    use lockstep_domain::account::Role;
    assert_eq!(roles, [Role::Owner, Role::Member, Role::Viewer]);
    let member_id = view.members[1].user_id.clone();

    const SECRET: &str = "matrix-secret-project";
    let CreateOutcome::Created(project) = post_json(
        &owner,
        &app,
        "create_project",
        &[
            ("team_id", team.as_str()),
            ("name", SECRET),
            ("region", "ap-northeast-2"),
            ("instance", "54.180.1.2"),
            ("app_port", "8000"),
            ("health_path", "/health"),
            ("bucket", "matrix-secret-bucket"),
            ("framework", "django"),
        ],
    )
    .await
    else {
        panic!()
    };
    let zones: Vec<ZoneChoice> = post_json(&owner, &app, "list_zones", &[("project_id", &project)]).await;
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").expect("sandbox zone");
    let _: serde_json::Value =
        post_json(&owner, &app, "choose_zone", &[("project_id", &project), ("zone_id", &zone.id)]).await;
    let run: lockstep_domain::RunView = post_json(&owner, &app, "start_doctor", &[("project_id", &project)]).await;

    // Team B: someone else entirely.
    let foreign = http_client();
    let out =
        sign_up_and_in(&app, &foreign, &format!("foreign-{}@example.ac.kr", uuid::Uuid::new_v4().simple()), None).await;
    assert!(matches!(out, AuthOutcome::Done { .. }));
    let anonymous = http_client();

    let ids = Ids {
        project: project.clone(),
        run: run.id.clone(),
        team: team.clone(),
        member: member_id,
        invite_probe: "not-a-real-token".into(),
    };
    let table = endpoints(&ids);
    // Every registered server function is in the table: a new one cannot skip this test.
    let registered: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.trim_start_matches("/api/").to_string()).collect();
    assert!(registered.len() >= 40, "registry: {registered:?}");
    for name in &registered {
        assert!(table.contains_key(name.as_str()), "endpoint /api/{name} is not in the authorization matrix");
    }

    let mut checked = 0;
    for (name, (gate, form)) in &table {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if *gate == Gate::Public {
            continue;
        }
        // Signed out: 401, nothing else.
        let (status, body) = post(&anonymous, &app, name, &form).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {name}: {body}");
        if *gate == Gate::SignedIn {
            continue;
        }
        // Another team: 404 (it does not exist for them) and nothing of team A in the answer.
        let (status, body) = post(&foreign, &app, name, &form).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "foreign {name}: {status} {body}");
        for secret in [SECRET, "matrix-secret-bucket", "lockstep-demo.com", "Test Owner"] {
            assert!(!body.contains(secret), "foreign {name} leaked {secret}: {body}");
        }
        // Roles inside the team.
        for (who, client, role) in [("viewer", &viewer, Role::Viewer), ("member", &member, Role::Member)] {
            let allowed = match gate {
                Gate::Read => true,
                Gate::Act => role >= Role::Member,
                Gate::Manage => false,
                _ => unreachable!(),
            };
            let (status, body) = post(client, &app, name, &form).await;
            if allowed {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status)
                        || (status == StatusCode::NOT_FOUND && body.contains("not in the team")),
                    "{who} may {name}: {status} {body}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} {name}: {body}");
                assert!(body.contains("Ask a team owner"), "{who} {name}: {body}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 35, "checked {checked}");

    // The live stream follows the same rule.
    let events = |c: &reqwest::Client| c.get(app.url(&format!("/api/runs/{}/events", run.id))).send();
    assert_eq!(events(&anonymous).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(events(&foreign).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(events(&viewer).await.unwrap().status(), StatusCode::OK);
    // So does the history's download.
    let export = |c: &reqwest::Client| c.get(app.url(&format!("/api/projects/{project}/history.json"))).send();
    assert_eq!(export(&anonymous).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(export(&foreign).await.unwrap().status(), StatusCode::NOT_FOUND);
    let all: Vec<HistoryEntry> = export(&viewer).await.unwrap().json().await.unwrap();

    // The history names the owner's doctor run and the viewer's refused attempts, and holds
    // nothing by the outsider (their attempts are not written into another team's history).
    let foreign_id = post_json::<SessionInfo>(&foreign, &app, "session_info", &[]).await.me.unwrap().user_id;
    let viewer_id = post_json::<SessionInfo>(&viewer, &app, "session_info", &[]).await.me.unwrap().user_id;
    assert!(all.iter().any(|e| e.operation == "start_doctor" && e.person.as_deref() == Some("Test Owner") && e.ok));
    assert!(all.iter().any(|e| e.operation == "start_doctor"
        && e.person_id.as_ref() == Some(&viewer_id)
        && e.error_code.as_deref() == Some("forbidden")));
    assert!(all.iter().all(|e| e.person_id.as_ref() != Some(&foreign_id)), "an outsider in the history");
    // Cancelling a run is written down like retrying one: the viewer's refused attempt and the
    // member's (whether or not the run was still active to cancel).
    for (who, id) in [("viewer", &viewer_id), ("member", &ids.member)] {
        assert!(
            all.iter().any(|e| e.operation == "cancel_run" && e.person_id.as_ref() == Some(id)),
            "{who}'s cancel_run"
        );
    }
    // The filtered view: failures only.
    let failed: HistoryView = post_json(&owner, &app, "history", &[("project_id", &project), ("failures", "on")]).await;
    assert!(!failed.entries.is_empty() && failed.entries.iter().all(|e| !e.ok));

    // Pages: the project's page shows a foreigner nothing of it, with a 404 like the API's;
    // signed out, it asks to sign in.
    let r = foreign.get(app.url(&format!("/projects/{project}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = r.text().await.unwrap();
    assert!(!page.contains(SECRET) && page.contains("does not exist, or you are not in its team"), "{page}");
    let r = bare_client().get(app.url(&format!("/projects/{project}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/signin?next=/projects/{project}"));
    let r = foreign.get(app.url(&format!("/teams/{team}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = r.text().await.unwrap();
    assert!(!page.contains("Test Owner"), "{page}");

    // The owner may do what nobody else may; the viewer still sees the project.
    let (status, body) = post(&owner, &app, "start_teardown", &[("project_id", &project)]).await;
    assert!(status.is_success(), "{status} {body}");
    let p: ProjectView = post_json(&viewer, &app, "get_project", &[("id", &project)]).await;
    assert_eq!((p.spec.name.as_str(), p.role), (SECRET, Role::Viewer));
    let list: Vec<ProjectSummary> = post_json(&foreign, &app, "list_projects", &[]).await;
    assert!(list.iter().all(|p| p.name != SECRET), "{list:?}");
    app.stop().await;
}
