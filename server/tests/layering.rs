//! House rules: domain code never imports an AWS SDK crate. Only `server/src/aws/` may; every
//! other module reaches AWS through the ports in `server/src/ports`. And the AWS adapters
//! never depend on the UI crate: nothing under `server/src/aws/` names `app::`.

mod sources;

use sources::{root, rust_files};

#[test]
fn only_the_aws_module_imports_sdk_crates() {
    let root = root();
    let aws_dir = root.join("server/src/aws");
    let mut files = Vec::new();
    for dir in ["server/src", "domain/src", "doctor/src", "app/src", "frontend/src"] {
        files.extend(rust_files(dir));
    }
    assert!(files.len() > 10, "found the sources");
    let mut offenders = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&aws_dir)) {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if uses_sdk_path(line) && !line.trim_start().starts_with("//") {
                offenders.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "SDK imports outside server/src/aws:\n{}", offenders.join("\n"));

    // And the pure crates do not even depend on one.
    for manifest in ["domain/Cargo.toml", "app/Cargo.toml", "frontend/Cargo.toml"] {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap();
        assert!(!text.contains("aws-"), "{manifest} depends on an AWS crate");
    }
}

#[test]
fn the_aws_adapters_do_not_import_the_ui_crate() {
    let files = rust_files("server/src/aws");
    assert!(files.len() > 3, "found the adapters");
    let offenders = app_paths(&files);
    assert!(offenders.is_empty(), "the AWS adapters import the UI crate `app`:\n{}", offenders.join("\n"));
}

/// Every line of `files` that names a path into the UI crate (`app::...`), comments left out.
fn app_paths(files: &[std::path::PathBuf]) -> Vec<String> {
    let mut offenders = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if uses_crate_path(code, "app") {
                offenders.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    offenders
}

/// Whether `line` names a path into `krate` (`krate::...`, `use krate;`), not a longer name that
/// ends in it (`happ::`, `crate::app_x`).
fn uses_crate_path(line: &str, krate: &str) -> bool {
    line.match_indices(krate).any(|(i, _)| {
        let before = &line[..i];
        let before_ok = !before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        let rest = &line[i + krate.len()..];
        before_ok && (rest.starts_with("::") || (before.trim_end().ends_with("use") && rest.starts_with(';')))
    })
}

#[test]
fn the_ui_crate_detector_sees_paths_not_names() {
    assert!(uses_crate_path("use app::api::ssr::AwsCall;", "app"));
    assert!(uses_crate_path("    let a = app::api::ssr::aws_access();", "app"));
    assert!(uses_crate_path("use {app::model::X};", "app"));
    assert!(uses_crate_path("use app;", "app"));
    assert!(!uses_crate_path("use crate::work::AwsCall;", "app"));
    assert!(!uses_crate_path("let happ::x = 1; crate::app::y", "app"));
    assert!(!uses_crate_path("let app = 1;", "app"));
    // And the check runs on the real files: a file that imports `app::` is an offender.
    let dir = std::env::temp_dir().join(format!("lockstep-layering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.rs");
    std::fs::write(&bad, "// app::in a comment\nuse app::api::ssr::log_aws_call;\n").unwrap();
    let found = app_paths(&[bad]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(found.len(), 1, "{found:?}");
}

/// A path into an SDK crate (`aws_sdk_acm::...`, `aws_config::...`), not just the text.
fn uses_sdk_path(line: &str) -> bool {
    ["aws_sdk_", "aws_smithy_", "aws_config", "aws_types", "aws_credential_types", "aws_sigv4"].iter().any(|prefix| {
        line.match_indices(prefix).any(|(i, _)| {
            let rest = &line[i + prefix.len()..];
            let ident_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let before_ok = i == 0 || !line[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            before_ok && rest[ident_end..].starts_with("::")
        })
    })
}

#[test]
fn the_detector_sees_imports_but_not_log_filters() {
    assert!(uses_sdk_path("use aws_sdk_acm::Client;"));
    assert!(uses_sdk_path("let c = aws_config::defaults(x);"));
    assert!(!uses_sdk_path("EnvFilter::new(\"aws_config=warn,aws_smithy_runtime=warn\")"));
    assert!(!uses_sdk_path("use crate::aws::Aws;"));
}
