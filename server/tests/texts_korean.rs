//! Every explanation the wizard and the doctor give has its Korean (the page shows the reader's
//! language): no `UserError` is made with `ko: None`, and every doctor finding that has a
//! title says it in Korean too. A source check, so a new error without Korean fails here.

mod sources;

use sources::{root, rust_files};

#[test]
fn every_error_a_person_reads_has_korean() {
    let mut files = Vec::new();
    for krate in ["server/src", "domain/src", "doctor/src", "app/src"] {
        files.extend(rust_files(krate));
    }
    assert!(files.len() > 30, "the sources were found: {files:?}");
    let mut missing = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.contains("ko: None") {
                missing.push(format!("{}:{}", f.strip_prefix(root()).unwrap().display(), i + 1));
            }
        }
    }
    assert!(missing.is_empty(), "errors without Korean (give them `ko: lockstep_domain::ko(...)`): {missing:#?}");
}

#[test]
fn every_doctor_finding_with_a_title_has_korean() {
    let mut files = Vec::new();
    files.extend(rust_files("doctor/src"));
    let mut short = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let titles = text.matches(".title(").count();
        let korean = text.matches(".ko(").count();
        if korean < titles {
            short.push(format!("{}: {titles} titles, {korean} with Korean", f.strip_prefix(root()).unwrap().display()));
        }
    }
    assert!(short.is_empty(), "findings without Korean (add `.ko(title, why, fix)`): {short:#?}");
}

/// The text of each `msg(...)` call in `text` (from `msg(` to its closing parenthesis; string
/// and char literals are skipped while matching parentheses), with its line number.
fn msg_calls(text: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("msg(").map(|i| from + i) {
        from = at + 4;
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue; // another name ending in "msg(".
        }
        let (mut i, mut depth) = (at + 4, 1);
        while i < bytes.len() && depth > 0 {
            match bytes[i] {
                b'"' => {
                    // A string: to its closing quote, past escapes.
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        let line = text[..at].matches('\n').count() + 1;
        out.push((line, text[at..i.min(text.len())].to_string()));
    }
    out
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// A step's note in the timeline, and the task `port_error` and `team_role_refused` put into an
/// error, are a `lockstep_domain::Message` (English and Korean) by type: `StepOutcome::Done` /
/// `Poll`, `StepError::Retryable`, `StepCtx::note` and the store's `Completion` and `set_note`
/// take nothing else, and `port_error(&Message, ..)` no longer takes a `&str`, so a plain
/// English note or task does not compile (there is no `port_error("...")` left to look for).
/// What the types cannot see is a message whose "Korean" is not Korean (`msg(s.clone(), s)`,
/// `msg("English", "English")`): in the steps and the engine every `msg(...)` has Hangul in it,
/// and no `Message { en, ko }` is built by hand (parts are put together with `Message::join` /
/// `Message::then`).
#[test]
fn every_note_and_task_the_steps_write_has_korean() {
    let mut files = Vec::new();
    files.extend(rust_files("server/src/steps"));
    files.extend(rust_files("server/src/jobs"));
    let (mut calls, mut missing) = (0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(root()).unwrap().display().to_string();
        for (line, call) in msg_calls(&text) {
            calls += 1;
            if !has_hangul(&call) {
                missing.push(format!("{name}:{line}: {call}"));
            }
        }
        for (i, line) in text.lines().enumerate() {
            if line.contains("Message { en") || line.contains("Message {en") {
                missing.push(format!("{name}:{}: a Message built by hand: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(calls > 150, "the steps' messages were found ({calls})");
    assert!(missing.is_empty(), "notes or tasks without Korean (write `msg(english, korean)`): {missing:#?}");
}

/// The scanner above finds what it must: a call without Korean, across lines, with parentheses
/// and quotes inside its strings; and passes one with Korean.
#[test]
fn the_message_scanner_sees_english_only_calls() {
    let text = "let a = msg(\"ok (1)\", \"좋음\");\nlet b = msg(\n    format!(\"x {y} \\\")\"),\n    other,\n);\nmy_msg(\"not ours\");\n";
    let calls = msg_calls(text);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(has_hangul(&calls[0].1), "{calls:?}");
    assert_eq!(calls[1].0, 2, "the line where it starts");
    assert!(!has_hangul(&calls[1].1) && calls[1].1.ends_with(')') && calls[1].1.contains("other"), "{calls:?}");
}
