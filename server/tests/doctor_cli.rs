//! `lockstep doctor` as a student runs it: human output, `--json`, and the exit status
//! (0 passed, 1 warnings, 2 failures, 3 could not run), against the real HTTPS lab.

use lockstep_doctor::lab::Lab;
use std::process::{Command, Output};

fn doctor(lab: &Lab, args: &[&str]) -> Output {
    let port = match args.iter().position(|a| *a == "--http-port") {
        Some(_) => return doctor_with_port(lab, args),
        None => lab.http_port().to_string(),
    };
    run(lab, args, &port)
}

fn doctor_with_port(lab: &Lab, args: &[&str]) -> Output {
    let i = args.iter().position(|a| *a == "--http-port").unwrap();
    let mut rest: Vec<&str> = args.to_vec();
    let port = rest.remove(i + 1).to_string();
    rest.remove(i);
    run(lab, &rest, &port)
}

fn run(lab: &Lab, args: &[&str], port: &str) -> Output {
    let dns = lab.dns().to_string();
    let ca = lab.ca_bundle();
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .arg("doctor")
        .args(args)
        .args(["--dns", &dns, "--http-port", port, "--ca-file"])
        .arg(ca)
        // The lab is on loopback: the lab/test opt-in to private targets.
        .arg("--allow-private-targets")
        .env("NO_COLOR", "1")
        .env_remove("LOCKSTEP_ALLOW_PRIVATE_TARGETS")
        .output()
        .expect("run lockstep doctor")
}

#[test]
fn exit_status_and_outputs_follow_what_the_doctor_found() {
    let lab = Lab::start().expect("the HTTPS lab");

    let ok = doctor(
        &lab,
        &[
            "https://valid.student.test:18443/api/items",
            "--origin",
            "https://www.student.test:18443",
            "--health",
            "/health",
        ],
    );
    let text = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{text}");
    assert!(text.contains("all ") && text.contains("checks passed"), "{text}");
    assert!(!text.contains('\x1b'), "NO_COLOR must give plain text");

    let bad = doctor(&lab, &["https://expired.student.test:18443/"]);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(2), "{text}");
    assert!(text.contains("expired") && text.contains("fix:"), "{text}");

    let json = doctor(&lab, &["https://nochain.student.test:18443/", "--json"]);
    assert_eq!(json.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("--json prints JSON");
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["check"] == "tls.certificate" && f["code"] == "incomplete_chain" && f["verdict"] == "fail");
    assert!(found, "{v}");

    // Only a warning: nothing listens on the HTTP port.
    let warn = doctor(&lab, &["https://valid.student.test:18443/health", "--http-port", "18999"]);
    assert_eq!(warn.status.code(), Some(1), "{}", String::from_utf8_lossy(&warn.stdout));

    // Without the opt-in, the lab's loopback addresses are refused, and said so.
    let refused = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["doctor", "https://valid.student.test:18443/", "--dns", &lab.dns().to_string(), "--ca-file"])
        .arg(lab.ca_bundle())
        .env("NO_COLOR", "1")
        .env_remove("LOCKSTEP_ALLOW_PRIVATE_TARGETS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(2), "{text}");
    assert!(text.contains("lockstep does not connect to private or internal addresses"), "{text}");

    let usage = Command::new(env!("CARGO_BIN_EXE_lockstep")).args(["doctor", "ftp://x.example.com"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("ftp://"));
}

/// A health path that starts with `//` names another host (`//10.0.0.5:9200/_cat` joined onto the
/// API's URL asks 10.0.0.5): the CLI refuses it like the project form does, before any connection.
#[test]
fn a_health_path_naming_another_host_is_refused_before_anything_runs() {
    for bad in ["//10.0.0.5:9200/_cat", "/\\evil.example/x"] {
        let out = Command::new(env!("CARGO_BIN_EXE_lockstep"))
            .args(["doctor", "https://api.example.com/", "--health", bad])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{bad}: {err}");
        assert!(err.contains("--health"), "{bad}: {err}");
        assert!(out.stdout.is_empty(), "{bad}: nothing was checked: {}", String::from_utf8_lossy(&out.stdout));
    }
}
