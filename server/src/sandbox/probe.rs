//! The HTTPS check in the sandbox (issue 22): say plainly which checks cannot run there and
//! why, instead of red failures.
//!
//! The sandbox's names live only in the local emulator's Route 53, and nothing listens at the
//! addresses it hands out: public DNS answers NXDOMAIN for every one of them, so the real
//! doctor would report DNS, TLS and HTTP failures that say nothing about the student's work.
//! What the sandbox can check, it does: the facts from inside the (emulated) account (target
//! health, the security-group path to the app port, the frontend's index.html), judged by the
//! doctor's own rules. Every outside check is reported as skipped, with the reason and what it
//! checks on real AWS.

use crate::ports::HttpsProbe;
use async_trait::async_trait;
use lockstep_domain::doctor::{Area, Finding, Report, Verdict};

/// The sandbox's [`HttpsProbe`]: no network, only the inside facts and the skipped checks.
pub struct SandboxProbe;

#[async_trait]
impl HttpsProbe for SandboxProbe {
    async fn check(&self, target: &lockstep_doctor::Target) -> Report {
        let started = std::time::Instant::now();
        let mut hosts: Vec<String> = vec![target.url.host_str().unwrap_or("").to_string()];
        if let Some(o) = &target.origin {
            hosts.push(o.host_str().unwrap_or("").to_string());
        }
        let mut findings: Vec<Finding> = hosts.iter().flat_map(|h| skipped(h)).collect();
        if let Some(facts) = &target.inside {
            findings.extend(lockstep_doctor::inside::check(facts, false));
        }
        Report {
            target: target.url.to_string(),
            origin: target.origin.as_ref().map(|o| o.to_string()),
            checked_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            millis: started.elapsed().as_millis().min(u32::MAX as u128) as u32,
            findings,
        }
    }
}

/// The outside checks of one name, skipped with the reason: one finding per area a browser
/// would go through (DNS, then ports, then TLS, then HTTP).
pub(crate) fn skipped(host: &str) -> Vec<Finding> {
    let why = "The sandbox's names exist only in the local AWS emulator's Route 53, not in public DNS, and nothing listens at the addresses it hands out: no browser, and no check, can reach them.";
    let why_ko = "샌드박스의 이름은 로컬 AWS 에뮬레이터의 Route 53에만 있고 공개 DNS에는 없으며, 에뮬레이터가 준 주소에서는 아무것도 응답하지 않습니다. 브라우저도, 이 점검도 닿을 수 없습니다.";
    [
        (
            Area::Dns,
            "dns",
            "public DNS answers for the name, CAA and the zone's name servers",
            "이름의 공개 DNS 응답, CAA, 존의 네임서버",
        ),
        (Area::Tcp, "ports", "ports 80 and 443 answer", "80번과 443번 포트 응답"),
        (
            Area::Tls,
            "tls",
            "the certificate's chain, names and expiry, TLS versions and OCSP",
            "인증서 체인, 이름, 만료일, TLS 버전, OCSP",
        ),
        (
            Area::Http,
            "http",
            "the HTTP to HTTPS redirect, the health path, security headers, CORS and cookies",
            "HTTP에서 HTTPS로의 리디렉션, 헬스 경로, 보안 헤더, CORS, 쿠키",
        ),
    ]
    .into_iter()
    .map(|(area, check, what, what_ko)| {
        Finding::new(&format!("sandbox.{check}"), "sandbox", area, host, Verdict::Skip)
            .title(format!("Not checked in the sandbox: {what} of {host}"))
            .why(why)
            .fix(format!(
                "Nothing to fix here. With your real AWS account this check looks at {what} of {host}, as a browser would."
            ))
            .ko(
                format!("샌드박스에서는 확인하지 않음: {host}의 {what_ko}"),
                why_ko,
                format!("고칠 것은 없습니다. 실제 AWS 계정으로 실행하면 이 점검은 브라우저처럼 {host}의 {what_ko}을(를) 확인합니다."),
            )
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_outside_check_is_skipped_with_its_reason_and_nothing_fails() {
        let mut t = lockstep_doctor::Target::new(lockstep_doctor::parse_url("https://api.lockstep-demo.com/").unwrap());
        t.origin = Some(lockstep_doctor::parse_url("https://www.lockstep-demo.com").unwrap());
        let report = SandboxProbe.check(&t).await;
        assert_eq!(report.count(Verdict::Skip), 8, "four areas for each of the two names");
        assert_eq!(report.count(Verdict::Fail), 0);
        assert_eq!(report.exit_code(), 0);
        assert!(report.findings.iter().all(|f| f.why.as_deref().is_some_and(|w| w.contains("emulator"))));
        assert!(report.findings.iter().any(|f| f.subject == "www.lockstep-demo.com"));
        assert_eq!(report.summary(), "8 checks could not run here (each says why)");
        assert!(report.summary_ko().contains("8개"));
    }
}
