//! Every explanation the wizard and the doctor give has its Korean (the page shows the reader's
//! language): no `UserError` is made with `ko: None`, and every doctor finding that has a
//! title says it in Korean too. A source check, so a new error without Korean fails here.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn every_error_a_person_reads_has_korean() {
    let mut files = Vec::new();
    for krate in ["server/src", "domain/src", "doctor/src", "app/src"] {
        sources(&root().join(krate), &mut files);
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
    sources(&root().join("doctor/src"), &mut files);
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
