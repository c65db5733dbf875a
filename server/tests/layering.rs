//! House rule: domain code never imports an AWS SDK crate. Only `server/src/aws/` may; every
//! other module reaches AWS through the ports in `server/src/ports.rs`.

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

/// A path into an SDK crate (`aws_sdk_acm::...`, `aws_config::...`), not just the text.
fn uses_sdk_path(line: &str) -> bool {
    ["aws_sdk_", "aws_smithy_", "aws_config", "aws_types", "aws_credential_types"].iter().any(|prefix| {
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
