//! The team page and the sign-up page as the server renders them, in both languages.

use super::sign_in::SignUpBody;
use super::team::TeamBody;
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::account::Role;

/// The page's text without tags or hydration markers.
fn render(accept_language: &str, page: fn() -> AnyView) -> String {
    let (parts, ()) =
        http::Request::builder().header("accept-language", accept_language).body(()).expect("a request").into_parts();
    let _ = any_spawner::Executor::init_futures_executor();
    let html = Owner::new().with(|| {
        provide_context(parts);
        provide_context(leptos_router::location::RequestUrl::new("/teams/t1"));
        view! {
            <crate::i18n::I18nContextProvider cookie_options=crate::language_cookie()>
                <leptos_router::components::Router>{page()}</leptos_router::components::Router>
            </crate::i18n::I18nContextProvider>
        }
        .to_html()
    });
    let (mut text, mut in_tag) = (String::new(), false);
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn team() -> AnyView {
    let team = TeamView {
        id: "t1".into(),
        name: "Team 7".into(),
        my_role: Role::Owner,
        members: vec![MemberView {
            user_id: "u1".into(),
            name: "Minji".into(),
            email: "minji@example.ac.kr".into(),
            role: Role::Viewer,
            joined_at: 0,
        }],
        aws_role_arn: Some("arn:aws:iam::123456789012:role/lockstep".into()),
        server_credentials: false,
        aws_external_id: Some("ext-123".into()),
        trust_policy: Some(lockstep_domain::account::trust_policy("123456789012", "ext-123")),
    };
    view! { <TeamBody team on_change=|| ()/> }.into_any()
}

fn sign_up() -> AnyView {
    view! { <SignUpBody domains=vec!["example.ac.kr".into()]/> }.into_any()
}

fn sign_up_closed() -> AnyView {
    view! { <SignUpBody domains=Vec::new()/> }.into_any()
}

#[test]
fn team_page_in_english_is_unchanged() {
    let text = render("en", team);
    for expected in [
        "you: owner",
        "lockstep assumes the role arn:aws:iam::123456789012:role/lockstep for this team's projects.",
        "requires the external id ext-123, then paste its ARN here.",
        "viewer: sees projects, history and timelines; changes nothing",
        "as member",
        "Make an invite link",
        "with lockstep's AWS account and your team's external id filled in:",
        "\"AWS\": \"arn:aws:iam::123456789012:root\"",
        "\"sts:ExternalId\": \"ext-123\"",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
}

#[test]
fn team_page_in_korean() {
    let text = render("ko-KR,ko;q=0.9", team);
    for expected in [
        "내 역할: 소유자",
        "arn:aws:iam::123456789012:role/lockstep 역할을 수임",
        "뷰어: ",
        "초대 링크 만들기",
        "역할의 신뢰 정책이에요",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!text.contains("Make an invite link"), "{text}");
}

#[test]
fn sign_up_page_in_both_languages() {
    let en = render("en", sign_up);
    assert!(en.contains("Create my account") && en.contains("At least 10 characters."), "{en}");
    assert!(en.contains("Addresses at example.ac.kr can sign up here"), "{en}");
    let ko = render("ko", sign_up);
    assert!(ko.contains("가입하기") && ko.contains("10자 이상"), "{ko}");
    assert!(ko.contains("example.ac.kr 주소"), "{ko}");
}

#[test]
fn a_closed_sign_up_page_says_so_before_anything_is_typed() {
    let en = render("en", sign_up_closed);
    assert!(en.contains("Sign-up on this lockstep server is by invitation"), "{en}");
    assert!(en.contains("Ask the owner of the team you are joining"), "{en}");
    assert!(!en.contains("Create my account"), "no form to fill in for nothing: {en}");
    let ko = render("ko", sign_up_closed);
    assert!(ko.contains("초대") && ko.contains("팀 소유자"), "{ko}");
}
