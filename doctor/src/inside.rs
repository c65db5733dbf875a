//! Checks that need to see inside the AWS account: target health, the security-group path from
//! the ALB to the instance, the target group's protocol, and S3 versus CloudFront.
//!
//! The doctor does not call AWS: the server gathers these facts through its ports and passes them
//! in, so these checks are pure functions, tested with plain data.

use crate::browser::OriginObject;
use lockstep_domain::doctor::{Area, Finding, Verdict};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsideFacts {
    /// index.html in the frontend bucket.
    pub frontend_index: Option<OriginObject>,
    pub target_groups: Vec<TargetGroupFacts>,
    pub security_path: Option<SecurityPath>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupFacts {
    pub name: String,
    /// HTTP or HTTPS: how the ALB talks to the app.
    pub protocol: String,
    pub port: u16,
    pub health_path: String,
    pub targets: Vec<TargetFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFacts {
    pub id: String,
    pub port: u16,
    /// initial | healthy | unhealthy | unused | draining | unavailable
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPath {
    pub alb_groups: Vec<String>,
    pub instance_groups: Vec<String>,
    pub app_port: u16,
    /// The rule that lets the ALB reach the app port, if any (e.g. "sg-1 tcp 8080 from sg-2").
    pub allowed_by: Option<String>,
}

/// A target-health reason in plain words, `(title, why, fix)`, in English and in Korean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthText {
    pub en: (String, String, String),
    pub ko: (String, String, String),
}

/// Explains a target's health state and reason. One case list for both languages (shared with
/// the ALB step).
pub fn explain_target_health(
    state: &str,
    reason: Option<&str>,
    description: Option<&str>,
    port: u16,
    path: &str,
) -> HealthText {
    let seen = description.unwrap_or("");
    let said = |en, ko| HealthText { en, ko };
    match reason.unwrap_or("") {
        "Target.ResponseCodeMismatch" => said(
            (
                format!("The health check got the wrong status from {path} ({seen})"),
                "The ALB calls the health path and only 200 counts (by default). A redirect (to https or a login page) or a 404 makes the app 'unhealthy', so the ALB sends no traffic and answers 503.".into(),
                format!("Make {path} answer 200 without login or redirect (Spring Security: permitAll for it), or change the target group's health check path / success codes."),
            ),
            (
                format!("상태 검사가 {path} 경로에서 잘못된 상태 코드를 받았습니다 ({seen})"),
                "ALB는 상태 검사 경로를 호출하고, (기본값으로는) 200만 성공으로 칩니다. 리디렉션(https나 로그인 페이지로)이나 404가 나오면 앱이 '비정상(unhealthy)'이 되어, ALB가 트래픽을 보내지 않고 503으로 응답합니다.".into(),
                format!("{path} 경로가 로그인이나 리디렉션 없이 200으로 응답하게 하거나(Spring Security: 이 경로에 permitAll), 대상 그룹의 상태 검사 경로 / 성공 코드를 바꾸세요."),
            ),
        ),
        "Target.Timeout" => said(
            (
                format!("The health check to port {port} timed out"),
                "The ALB's packets never got an answer: the instance's security group does not allow the ALB on the app port, or the app is not listening on 0.0.0.0.".into(),
                format!("Allow TCP {port} in the instance's security group from the ALB's security group; make the app listen on 0.0.0.0:{port}, not 127.0.0.1."),
            ),
            (
                format!("{port}번 포트로 보낸 상태 검사가 시간 초과되었습니다"),
                "ALB가 보낸 패킷이 응답을 받지 못했습니다: 인스턴스의 보안 그룹이 앱 포트에서 ALB를 허용하지 않거나, 앱이 0.0.0.0에서 대기하고 있지 않습니다.".into(),
                format!("인스턴스의 보안 그룹에서 ALB의 보안 그룹으로부터 오는 TCP {port}를 허용하세요. 앱은 127.0.0.1이 아니라 0.0.0.0:{port}에서 대기하게 하세요."),
            ),
        ),
        "Target.FailedHealthChecks" => said(
            (
                format!("The health checks fail ({})", if seen.is_empty() { "connection failed" } else { seen }),
                "The ALB reaches the instance but the app is not answering on that port (not running, crashed, or a different port), or the target group speaks HTTPS to an app that only speaks HTTP.".into(),
                format!("Check the app runs and listens on {port} (`ss -ltnp`); the target group's protocol must be HTTP for a plain-HTTP app."),
            ),
            (
                format!("상태 검사가 실패합니다 ({})", if seen.is_empty() { "연결 실패" } else { seen }),
                "ALB가 인스턴스에는 닿지만 그 포트에서 앱이 응답하지 않습니다 (실행 중이 아니거나, 중단되었거나, 다른 포트를 쓰고 있음). 또는 평문 HTTP만 쓰는 앱에 대상 그룹이 HTTPS로 통신하고 있습니다.".into(),
                format!("앱이 실행 중이고 {port}번 포트에서 대기하는지 확인하세요 (`ss -ltnp`). 평문 HTTP 앱이라면 대상 그룹의 프로토콜은 HTTP여야 합니다."),
            ),
        ),
        "Target.NotRegistered" => said(
            (
                "The instance is not registered in the target group".into(),
                "The ALB has nowhere to send requests.".into(),
                "Register the instance on the app port (lockstep does it in the ALB step).".into(),
            ),
            (
                "인스턴스가 대상 그룹에 등록되어 있지 않습니다".into(),
                "ALB가 요청을 보낼 곳이 없습니다.".into(),
                "앱 포트로 인스턴스를 등록하세요 (lockstep의 ALB 단계에서 해 줍니다).".into(),
            ),
        ),
        "Elb.RegistrationInProgress" => said(
            (
                "The instance is being registered".into(),
                "Registration and the first health checks take 30-90 seconds.".into(),
                "Wait a minute; lockstep keeps checking.".into(),
            ),
            (
                "인스턴스를 등록하는 중입니다".into(),
                "등록과 첫 상태 검사에는 30-90초가 걸립니다.".into(),
                "1분 정도 기다리세요. lockstep이 계속 확인합니다.".into(),
            ),
        ),
        "Elb.InitialHealthChecking" => said(
            (
                "The first health checks are running".into(),
                "A target needs several passing checks in a row before it counts as healthy.".into(),
                "Wait a minute; lockstep keeps checking.".into(),
            ),
            (
                "첫 상태 검사가 진행 중입니다".into(),
                "대상이 정상(healthy)으로 인정되려면 상태 검사를 여러 번 연속으로 통과해야 합니다.".into(),
                "1분 정도 기다리세요. lockstep이 계속 확인합니다.".into(),
            ),
        ),
        "Target.NotInUse" => said(
            (
                "The target group is not used by any listener, or the instance's AZ is not enabled on the ALB".into(),
                "Targets only get health checks when a listener forwards to the group, in an AZ the ALB covers.".into(),
                "Attach the target group to the HTTPS listener; enable the instance's AZ (subnet) on the ALB.".into(),
            ),
            (
                "이 대상 그룹을 쓰는 리스너가 없거나, 인스턴스의 AZ가 ALB에서 활성화되어 있지 않습니다".into(),
                "리스너가 이 대상 그룹으로 요청을 전달하고, 대상이 ALB가 포함하는 AZ에 있어야만 상태 검사를 받습니다.".into(),
                "대상 그룹을 HTTPS 리스너에 연결하고, 인스턴스의 AZ(서브넷)를 ALB에서 활성화하세요.".into(),
            ),
        ),
        "Target.DeregistrationInProgress" => said(
            (
                "The instance is being deregistered".into(),
                "It is draining connections before removal.".into(),
                "Register it again if that was not intended.".into(),
            ),
            (
                "인스턴스의 등록을 해제하는 중입니다".into(),
                "제거되기 전에 기존 연결을 정리(draining)하고 있습니다.".into(),
                "의도한 것이 아니라면 다시 등록하세요.".into(),
            ),
        ),
        "Target.InvalidState" => said(
            (
                "The instance is stopped or not running".into(),
                "A stopped instance cannot answer health checks.".into(),
                "Start the instance (its public IP changes unless it has an Elastic IP).".into(),
            ),
            (
                "인스턴스가 중지되었거나 실행 중이 아닙니다".into(),
                "중지된 인스턴스는 상태 검사에 응답할 수 없습니다.".into(),
                "인스턴스를 시작하세요 (탄력적 IP(Elastic IP)가 없으면 퍼블릭 IP가 바뀝니다).".into(),
            ),
        ),
        "Elb.InternalError" => said(
            (
                "AWS had an internal error checking health".into(),
                "This is on AWS's side.".into(),
                "Wait and check again.".into(),
            ),
            (
                "AWS가 상태를 확인하던 중 내부 오류가 났습니다".into(),
                "AWS 쪽의 문제입니다.".into(),
                "잠시 기다렸다가 다시 확인하세요.".into(),
            ),
        ),
        other => said(
            (
                format!("Target state {state}{}", if other.is_empty() { String::new() } else { format!(" ({other})") }),
                seen.to_string(),
                "Open the target group's Targets tab in the console for details.".into(),
            ),
            (
                format!("대상 상태 {state}{}", if other.is_empty() { String::new() } else { format!(" ({other})") }),
                seen.to_string(),
                "콘솔에서 대상 그룹의 Targets 탭을 열어 자세한 내용을 확인하세요.".into(),
            ),
        ),
    }
}

pub fn check(facts: &InsideFacts, app_speaks_tls: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for tg in &facts.target_groups {
        if tg.protocol.eq_ignore_ascii_case("HTTPS") && !app_speaks_tls {
            out.push(
                Finding::new("aws.target_group", "https_to_plain_app", Area::Aws, tg.name.clone(), Verdict::Fail)
                    .title(format!("Target group {} talks HTTPS to an app that speaks plain HTTP", tg.name))
                    .evidence(format!("{}: protocol {}, port {}", tg.name, tg.protocol, tg.port))
                    .why("The ALB ends HTTPS itself and should forward plain HTTP. With protocol HTTPS it tries a TLS handshake with the app, which fails: health checks fail, target status shows '-' or unhealthy, and visitors get 502.")
                    .fix(format!("Create a target group with protocol HTTP on port {} (the protocol cannot be changed), register the instance, and point the HTTPS listener at it.", tg.port))
                    .ko(
                        format!("대상 그룹 {}: 평문 HTTP로 통신하는 앱에 HTTPS로 연결합니다", tg.name),
                        "ALB가 HTTPS를 직접 처리하므로 앱에는 평문 HTTP로 전달해야 합니다. 프로토콜이 HTTPS이면 ALB가 앱과 TLS 핸드셰이크를 시도하다 실패합니다: 상태 검사가 실패하고, 대상 상태가 '-' 또는 unhealthy로 보이며, 방문자는 502를 받습니다.",
                        format!("{}번 포트에 프로토콜이 HTTP인 대상 그룹을 새로 만들고(프로토콜은 나중에 바꿀 수 없습니다), 인스턴스를 등록한 뒤 HTTPS 리스너가 그 대상 그룹을 가리키게 하세요.", tg.port),
                    ),
            );
        } else {
            out.push(
                Finding::new("aws.target_group", "ok", Area::Aws, tg.name.clone(), Verdict::Pass)
                    .title(format!("Target group {}: {} to port {}", tg.name, tg.protocol, tg.port))
                    .ko(
                        format!("대상 그룹 {}: {} 프로토콜로 {}번 포트에 연결합니다", tg.name, tg.protocol, tg.port),
                        "",
                        "",
                    ),
            );
        }
        if tg.targets.is_empty() {
            let HealthText { en: (title, why, fix), ko: (title_ko, why_ko, fix_ko) } =
                explain_target_health("unused", Some("Target.NotRegistered"), None, tg.port, &tg.health_path);
            out.push(
                Finding::new("aws.target_health", "Target.NotRegistered", Area::Aws, tg.name.clone(), Verdict::Fail)
                    .title(title)
                    .why(why)
                    .fix(fix)
                    .ko(title_ko, why_ko, fix_ko),
            );
        }
        for t in &tg.targets {
            let subject = format!("{} {}:{}", tg.name, t.id, t.port);
            let evidence = format!(
                "{}:{} {}{}{}",
                t.id,
                t.port,
                t.state,
                t.reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default(),
                t.description.as_deref().map(|d| format!(" \"{d}\"")).unwrap_or_default()
            );
            if t.state == "healthy" {
                out.push(
                    Finding::new("aws.target_health", "healthy", Area::Aws, subject, Verdict::Pass)
                        .title(format!("{} is healthy", t.id))
                        .ko(format!("{} 대상이 정상(healthy)입니다", t.id), "", "")
                        .evidence(evidence),
                );
                continue;
            }
            let HealthText { en: (title, why, fix), ko: (title_ko, why_ko, fix_ko) } =
                explain_target_health(&t.state, t.reason.as_deref(), t.description.as_deref(), t.port, &tg.health_path);
            let verdict = if t.state == "initial" || t.state == "draining" { Verdict::Warn } else { Verdict::Fail };
            out.push(
                Finding::new("aws.target_health", t.reason.as_deref().unwrap_or(&t.state), Area::Aws, subject, verdict)
                    .title(title)
                    .evidence(evidence)
                    .why(why)
                    .fix(fix)
                    .ko(title_ko, why_ko, fix_ko),
            );
        }
    }
    if let Some(p) = &facts.security_path {
        let subject = format!("{} -> {}:{}", p.alb_groups.join(","), p.instance_groups.join(","), p.app_port);
        out.push(match &p.allowed_by {
            Some(rule) => Finding::new("aws.security_path", "ok", Area::Aws, subject, Verdict::Pass)
                .title(format!("The ALB may reach the app on port {}", p.app_port))
                .ko(format!("ALB가 {}번 포트로 앱에 접근할 수 있습니다", p.app_port), "", "")
                .evidence(rule.clone()),
            None => Finding::new("aws.security_path", "blocked", Area::Aws, subject, Verdict::Fail)
                .title(format!("The instance's security group does not let the ALB in on port {}", p.app_port))
                .evidence(format!(
                    "instance groups {}: no inbound rule for tcp {} from {} or 0.0.0.0/0",
                    p.instance_groups.join(", "),
                    p.app_port,
                    p.alb_groups.join(", ")
                ))
                .why("Health checks time out (Target.Timeout) and visitors get 504/503.")
                .fix(format!(
                    "Add an inbound rule to {}: TCP {} from the security group {} (lockstep's ALB step does this).",
                    p.instance_groups.join(", "),
                    p.app_port,
                    p.alb_groups.join(", ")
                ))
                .ko(
                    format!("인스턴스의 보안 그룹이 {}번 포트로 들어오는 ALB의 연결을 허용하지 않습니다", p.app_port),
                    "상태 검사가 시간 초과되고(Target.Timeout) 방문자는 504/503 오류를 받습니다.",
                    format!(
                        "{}에 인바운드 규칙을 추가하세요: TCP {}, 소스는 보안 그룹 {} (lockstep의 ALB 단계에서 해 줍니다).",
                        p.instance_groups.join(", "),
                        p.app_port,
                        p.alb_groups.join(", ")
                    ),
                ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tg(protocol: &str, targets: Vec<TargetFacts>) -> TargetGroupFacts {
        TargetGroupFacts {
            name: "tg".into(),
            protocol: protocol.into(),
            port: 8080,
            health_path: "/health".into(),
            targets,
        }
    }
    fn target(state: &str, reason: Option<&str>) -> TargetFacts {
        TargetFacts {
            id: "i-1".into(),
            port: 8080,
            state: state.into(),
            reason: reason.map(Into::into),
            description: None,
        }
    }

    #[test]
    fn https_target_group_in_front_of_a_plain_app_is_seed_001s_502() {
        let facts = InsideFacts {
            target_groups: vec![tg("HTTPS", vec![target("unhealthy", Some("Target.FailedHealthChecks"))])],
            ..Default::default()
        };
        let out = check(&facts, false);
        let f = out.iter().find(|f| f.check == "aws.target_group").unwrap();
        assert_eq!((f.code.as_str(), f.verdict), ("https_to_plain_app", Verdict::Fail));
        assert!(f.fix.as_ref().unwrap().contains("protocol HTTP"));
        let h = out.iter().find(|f| f.check == "aws.target_health").unwrap();
        assert_eq!((h.code.as_str(), h.verdict), ("Target.FailedHealthChecks", Verdict::Fail));
        let ok = check(
            &InsideFacts { target_groups: vec![tg("HTTP", vec![target("healthy", None)])], ..Default::default() },
            false,
        );
        assert!(ok.iter().all(|f| f.verdict == Verdict::Pass), "{ok:?}");
    }

    #[test]
    fn every_target_health_reason_is_explained() {
        for r in [
            "Target.ResponseCodeMismatch",
            "Target.Timeout",
            "Target.FailedHealthChecks",
            "Target.NotRegistered",
            "Elb.RegistrationInProgress",
            "Elb.InitialHealthChecking",
            "Target.NotInUse",
            "Target.InvalidState",
        ] {
            let (title, why, fix) = explain_target_health(
                "unhealthy",
                Some(r),
                Some("Health checks failed with these codes: [302]"),
                8080,
                "/health",
            )
            .en;
            assert!(!title.starts_with("Target state"), "{r} has no explanation");
            assert!(!why.is_empty() && !fix.is_empty());
        }
        let (t, _, f) = explain_target_health("unhealthy", Some("Target.Timeout"), None, 8080, "/health").en;
        assert!(t.contains("8080") && f.contains("security group"));
    }

    #[test]
    fn a_missing_security_group_rule_is_named() {
        let facts = InsideFacts {
            security_path: Some(SecurityPath {
                alb_groups: vec!["sg-alb".into()],
                instance_groups: vec!["sg-app".into()],
                app_port: 8080,
                allowed_by: None,
            }),
            ..Default::default()
        };
        let f = &check(&facts, false)[0];
        assert_eq!((f.code.as_str(), f.verdict), ("blocked", Verdict::Fail));
        assert!(f.fix.as_ref().unwrap().contains("sg-alb"));
    }
}
