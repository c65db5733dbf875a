//! The two locale files must offer the same keys, with the same `{{ values }}` and `<tags>`.
//!
//! leptos_i18n only warns at build time about a key missing from `ko.json` (and then shows the
//! English text), so this test makes a missing or extra key a failure.

use std::collections::BTreeMap;

fn load(name: &str) -> serde_json::Value {
    let path = format!("{}/locales/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every leaf as `a.b.c` -> its text.
fn leaves(value: &serde_json::Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(v, &key, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!("{prefix}: expected a string or an object, found {other}"),
    }
}

fn keys_of(name: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    leaves(&load(name), "", &mut out);
    out
}

/// The `{{ name }}` placeholders and `<tag>` names of a text, sorted.
fn slots(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let end = rest[i..].find("}}").map(|j| i + j).unwrap_or_else(|| panic!("unclosed {{{{ in {text:?}"));
        found.push(format!("{{{{{}}}}}", rest[i + 2..end].trim()));
        rest = &rest[end + 2..];
    }
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').map(|j| i + j).unwrap_or_else(|| panic!("unclosed < in {text:?}"));
        found.push(rest[i..=end].to_string());
        rest = &rest[end + 1..];
    }
    found.sort();
    found
}

#[test]
fn both_locales_have_the_same_keys() {
    let en = keys_of("en.json");
    let ko = keys_of("ko.json");
    let only_en: Vec<_> = en.keys().filter(|k| !ko.contains_key(*k)).collect();
    let only_ko: Vec<_> = ko.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        only_en.is_empty() && only_ko.is_empty(),
        "missing in ko.json: {only_en:?}; missing in en.json: {only_ko:?}"
    );
}

#[test]
fn both_locales_interpolate_the_same_values() {
    let en = keys_of("en.json");
    let ko = keys_of("ko.json");
    for (key, text) in &en {
        if let Some(other) = ko.get(key) {
            assert_eq!(slots(text), slots(other), "{key}: en {text:?} / ko {other:?}");
        }
    }
}

/// leptos_i18n 0.6.2 reads the text before a value's first `<tag>` as plain text: a
/// `{{ value }}` there would be shown as written. Pass such a value as a view instead.
#[test]
fn no_value_comes_before_a_tag() {
    for name in ["en.json", "ko.json"] {
        for (key, text) in keys_of(name) {
            if let Some(tag) = text.find('<') {
                assert!(
                    !text[..tag].contains("{{"),
                    "{name}: {key}: a {{{{ value }}}} before the first <tag>: {text:?}"
                );
            }
        }
    }
}

#[test]
fn no_translation_is_empty() {
    for name in ["en.json", "ko.json"] {
        for (key, text) in keys_of(name) {
            assert!(!text.trim().is_empty(), "{name}: {key} is empty");
        }
    }
}

/// The English texts of `labels.*` are the domain crate's own labels, byte for byte.
mod english_labels_are_the_domains {
    use crate::i18n::Locale;
    use crate::labels;
    use lockstep_domain::doctor::Area;
    use lockstep_domain::plan::{DomainSource, MagicProvider, MAGIC_WARNING};
    use lockstep_domain::project::REGIONS;
    use lockstep_domain::Framework;

    #[test]
    fn frameworks() {
        for f in Framework::ALL {
            assert_eq!(labels::framework(Locale::en, f), f.label());
        }
    }

    #[test]
    fn domain_sources() {
        let all = [
            DomainSource::ExistingZone,
            DomainSource::OtherRegistrar,
            DomainSource::Route53Purchase,
            DomainSource::Magic(MagicProvider::NipIo),
            DomainSource::Magic(MagicProvider::SslipIo),
            DomainSource::InstanceIp,
        ];
        for s in all {
            assert_eq!(labels::source(Locale::en, s), s.label());
        }
    }

    #[test]
    fn regions() {
        for (code, label) in REGIONS {
            assert_eq!(labels::region(Locale::en, code, "?"), *label, "{code}");
            assert_ne!(labels::region(Locale::ko, code, "?"), "?", "{code} has no Korean name");
        }
    }

    #[test]
    fn doctor_areas() {
        let all = [
            Area::Dns,
            Area::Tcp,
            Area::Tls,
            Area::Http,
            Area::Cors,
            Area::Cookies,
            Area::MixedContent,
            Area::Freshness,
            Area::Aws,
        ];
        for a in all {
            assert_eq!(labels::area(Locale::en, a), a.label());
        }
    }

    #[test]
    fn resource_kinds() {
        for kind in lockstep_domain::ledger::TEARDOWN_ORDER {
            assert_eq!(labels::resource_kind(Locale::en, kind), kind.label());
            assert_ne!(labels::resource_kind(Locale::ko, kind), kind.key(), "{kind} has no Korean name");
            // The server's notes name kinds in Korean with the same words.
            assert_eq!(labels::resource_kind(Locale::ko, kind), kind.label_ko(), "{kind}");
        }
    }

    /// Every step's title in the timeline: English byte for byte the domain's, Korean written.
    #[test]
    fn step_titles() {
        for kind in lockstep_domain::StepKind::ALL {
            assert_eq!(labels::step_title(Locale::en, kind), kind.title(), "{kind}");
            assert_ne!(labels::step_title(Locale::ko, kind), kind.title(), "{kind} has no Korean title");
        }
    }

    #[test]
    fn magic_warning() {
        assert_eq!(labels::magic_warning(Locale::en), MAGIC_WARNING);
    }

    /// A role's English name is its key (what the forms send), as before the translation.
    #[test]
    fn roles() {
        for r in lockstep_domain::account::Role::ALL {
            assert_eq!(crate::accounts::role_label(Locale::en, r), r.key());
            assert_ne!(crate::accounts::role_label(Locale::ko, r), r.key(), "{} has no Korean name", r.key());
        }
    }
}

/// What the server renders for a request: the locale comes from the crate's cookie, else from
/// Accept-Language, else English; the language switch is there either way.
#[cfg(feature = "ssr")]
mod server_render {
    use leptos::prelude::*;

    fn render(headers: &[(&str, &str)]) -> String {
        let mut request = http::Request::builder().uri("/nowhere");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (parts, ()) = request.body(()).expect("a request").into_parts();
        // The provider's effect that writes the cookie spawns a task (the server's runtime
        // does this in the app); another test may have set the executor already.
        let _ = any_spawner::Executor::init_futures_executor();
        let owner = Owner::new();
        owner.with(|| {
            provide_context(parts);
            provide_context(leptos_router::location::RequestUrl::new("/nowhere"));
            leptos_meta::provide_meta_context();
            // The top bar and the not-found text, under the same provider as `App` (the whole
            // `App` would also start its server-function resources).
            view! {
                <crate::i18n::I18nContextProvider cookie_options=crate::language_cookie()>
                    <leptos_router::components::Router>
                        <crate::Topbar/>
                        <crate::NotFound/>
                    </leptos_router::components::Router>
                </crate::i18n::I18nContextProvider>
            }
            .to_html()
        })
    }

    #[test]
    fn english_without_a_preference() {
        let html = render(&[]);
        assert!(html.contains("HTTP to verified HTTPS, one step at a time"), "{html}");
        assert!(html.contains("This page does not exist."), "{html}");
        assert!(html.contains(r#"data-testid="lang-en""#) && html.contains(r#"data-testid="lang-ko""#), "{html}");
        assert!(html.contains("English") && html.contains("한국어"), "{html}");
    }

    #[test]
    fn korean_from_accept_language() {
        let html = render(&[("accept-language", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7")]);
        assert!(html.contains("HTTP에서 검증된 HTTPS까지, 한 단계씩"), "{html}");
        assert!(html.contains("없는 페이지예요."), "{html}");
        assert!(html.contains(r#"lang="ko" data-testid="lang-ko" aria-pressed="true""#), "{html}");
        assert!(html.contains(r#"lang="en" data-testid="lang-en" aria-pressed="false""#), "{html}");
    }

    #[test]
    fn english_from_accept_language() {
        let html = render(&[("accept-language", "en-GB,en;q=0.9,ko;q=0.5")]);
        assert!(html.contains("HTTP to verified HTTPS, one step at a time"), "{html}");
    }

    #[test]
    fn an_unsupported_language_falls_back_to_english() {
        let html = render(&[("accept-language", "fr-FR,fr;q=0.9")]);
        assert!(html.contains("HTTP to verified HTTPS, one step at a time"), "{html}");
    }

    #[test]
    fn set_locale_by_key_switches_the_page() {
        // Outside the app there is no context: nothing to switch.
        assert!(!crate::set_locale_by_key("ko"));
        assert_eq!(crate::locale_key(), None);

        #[component]
        fn Probe() -> impl IntoView {
            assert!(!crate::set_locale_by_key("fr"), "fr is not a locale");
            assert_eq!(crate::locale_key(), Some("en"));
            assert!(crate::set_locale_by_key("ko"));
            assert_eq!(crate::locale_key(), Some("ko"));
        }
        let (parts, ()) = http::Request::builder().body(()).expect("a request").into_parts();
        let _ = any_spawner::Executor::init_futures_executor();
        let html = Owner::new().with(|| {
            provide_context(parts);
            provide_context(leptos_router::location::RequestUrl::new("/nowhere"));
            view! {
                <crate::i18n::I18nContextProvider cookie_options=crate::language_cookie()>
                    <leptos_router::components::Router>
                        <Probe/>
                        <crate::NotFound/>
                    </leptos_router::components::Router>
                </crate::i18n::I18nContextProvider>
            }
            .to_html()
        });
        assert!(html.contains("없는 페이지예요."), "{html}");
    }

    /// A run's timeline, rendered for a request with `headers`.
    fn render_timeline(headers: &[(&str, &str)], run: lockstep_domain::RunView) -> String {
        let mut request = http::Request::builder().uri("/nowhere");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (parts, ()) = request.body(()).expect("a request").into_parts();
        let _ = any_spawner::Executor::init_futures_executor();
        Owner::new().with(|| {
            provide_context(parts);
            provide_context(leptos_router::location::RequestUrl::new("/nowhere"));
            let run = RwSignal::new(Some(run));
            view! {
                <crate::i18n::I18nContextProvider cookie_options=crate::language_cookie()>
                    <crate::runs::Timeline run=run/>
                </crate::i18n::I18nContextProvider>
            }
            .to_html()
        })
    }

    /// The timeline says each step's title and note in the page's language; the elements are
    /// the same in both languages (only the text differs).
    #[test]
    fn the_timeline_says_titles_and_notes_in_the_pages_language() {
        use lockstep_domain::{msg, RunStatus, RunView, StepKind, StepStatus, StepView};
        let step = |kind: StepKind, status, note| StepView {
            id: kind.key().into(),
            seq: 0,
            kind,
            title: kind.title().into(),
            status,
            note,
            started_at: Some(1),
            finished_at: (status == StepStatus::Succeeded).then_some(2_000),
            next_check_at: None,
            typical_wait_secs: kind.typical_wait_secs(),
            attempts: 1,
            error: None,
            detail: None,
        };
        let run = RunView {
            id: "r".into(),
            project_id: "p".into(),
            kind: "certificate".into(),
            status: RunStatus::Active,
            created_at: 1,
            finished_at: None,
            steps: vec![
                step(
                    StepKind::CertificateRequest,
                    StepStatus::Succeeded,
                    Some(msg("Requested certificate/abc", "certificate/abc을(를) 요청했습니다.")),
                ),
                step(
                    StepKind::CertificateAwaitIssued,
                    StepStatus::Waiting,
                    Some(msg(
                        "ACM says PENDING_VALIDATION: it is looking up the validation record.",
                        "ACM 상태는 PENDING_VALIDATION입니다. 검증 레코드를 조회하고 있습니다.",
                    )),
                ),
                step(StepKind::Noop, StepStatus::Pending, None),
            ],
        };
        let english = render_timeline(&[], run.clone());
        for text in [
            "Request the certificate from ACM",
            "Requested certificate/abc",
            "Wait for ACM to issue the certificate",
            "ACM says PENDING_VALIDATION: it is looking up",
        ] {
            assert!(english.contains(text), "{text}: {english}");
        }
        let korean = render_timeline(&[("accept-language", "ko-KR,ko;q=0.9")], run);
        for text in [
            "ACM에 인증서 요청",
            "certificate/abc을(를) 요청했습니다.",
            "ACM이 인증서를 발급할 때까지 기다리기",
            "ACM 상태는 PENDING_VALIDATION입니다.",
        ] {
            assert!(korean.contains(text), "{text}: {korean}");
        }
        assert!(!korean.contains("Request the certificate") && !korean.contains("ACM says"), "{korean}");
        // The same elements in the same order (hydration reads the same DOM either way).
        let tags = |html: &str| -> Vec<String> {
            html.split('<').skip(1).map(|t| t.split([' ', '>']).next().unwrap_or_default().to_string()).collect()
        };
        assert_eq!(tags(&english), tags(&korean));
    }

    #[test]
    fn the_cookie_beats_accept_language() {
        let html = render(&[("accept-language", "ko-KR,ko;q=0.9"), ("cookie", "i18n_pref_locale=en")]);
        assert!(html.contains("HTTP to verified HTTPS, one step at a time"), "{html}");
        let html = render(&[("accept-language", "en-US,en;q=0.9"), ("cookie", "i18n_pref_locale=ko")]);
        assert!(html.contains("HTTP에서 검증된 HTTPS까지, 한 단계씩"), "{html}");
    }
}
