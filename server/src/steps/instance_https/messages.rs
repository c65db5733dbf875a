//! What the free path says, in English and Korean: every note, task and error of its steps.
//! The step files decide what happened; the words for it live here (tasks complete "while ..."
//! in English and are noun phrases in Korean, as [`crate::steps::port_error`] shows them).

use super::SCRIPT_TIMEOUT_SECS;
use lockstep_domain::doctor::Finding;
use lockstep_domain::{ko, msg, DomainName, InstanceId, Message, UserError};
use std::net::Ipv4Addr;

// The run's input.

/// The API name cannot be served by nginx and certbot (`why` says how).
pub fn site_refused(api: &DomainName, why: Message) -> UserError {
    UserError {
        ko: ko(
            format!("{api}에 대한 nginx 사이트를 만들 수 없습니다."),
            why.ko,
            "프로젝트의 이름 설정에서 API 이름을 바꾼 뒤 무료 경로를 다시 시작하세요.",
        ),
        what: format!("lockstep cannot write the nginx site for {api}."),
        why: why.en,
        fix: "Change the API name in the project's names, then start the free path again.".into(),
    }
}

/// A field stored with an old run that no longer parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredField {
    Email,
    HealthPath,
}

/// An old run's stored e-mail or health path is refused now (`why` says why): nothing was sent.
pub fn stored_field_refused(field: StoredField, why: Message) -> UserError {
    let (what, what_ko) = match field {
        StoredField::Email => ("e-mail address", "이메일 주소"),
        StoredField::HealthPath => ("health path", "상태 확인 경로"),
    };
    UserError {
        ko: ko(
            format!("이 실행에 저장된 {what_ko}를 더 이상 사용할 수 없어서, 인스턴스에는 아무것도 보내지 않았습니다."),
            why.ko,
            format!("프로젝트(또는 무료 경로 양식)에서 {what_ko}를 고친 뒤 무료 경로를 다시 시작하세요."),
        ),
        what: format!("The {what} stored with this run is no longer accepted, so nothing was sent to the instance."),
        why: why.en,
        fix: format!("Correct the {what} in the project (or the free-path form), then start the free path again."),
    }
}

/// The run's input does not decode at all (a bug in lockstep).
pub fn unreadable_settings() -> UserError {
    UserError {
        ko: ko(
            "lockstep이 이 실행의 설정을 읽을 수 없습니다.",
            "저장된 입력이 이 버전의 lockstep이 기대하는 형식과 다릅니다(lockstep의 버그입니다).",
            "무료 경로를 다시 시작하세요. 계속되면 서버 로그와 함께 lockstep 관리자에게 알려 주세요.",
        ),
        what: "lockstep cannot read this run's settings.".into(),
        why: "The stored input is not in the form this version of lockstep expects (a bug in lockstep).".into(),
        fix: "Start the free path again; if it happens again, tell the lockstep admin (the server log has the detail)."
            .into(),
    }
}

// Step 1: ports.

pub fn all_traffic_open(group: &str) -> Message {
    msg(
        format!("{group} allows ALL traffic from anywhere: allow only 80 and 443 (and SSH from your own IP)."),
        format!("{group}이(가) 어디서든 오는 모든 트래픽을 허용합니다. 80과 443만 허용하세요(SSH는 내 IP에서만)."),
    )
}

/// `port`, where `service` listens, is open to the world.
pub fn risky_port_open(group: &str, port: u16, service: &str) -> Message {
    msg(
        format!(
            "{group}: port {port} ({service}) is open to the whole internet. Bots try passwords on it within minutes: allow it only from your own IP (\"My IP\" in the console) or use Session Manager."
        ),
        format!(
            "{group}: 포트 {port}({service})이(가) 인터넷 전체에 열려 있습니다. 봇이 몇 분 안에 비밀번호를 시도합니다. 내 IP에서만 허용하거나(콘솔의 \"내 IP\") Session Manager를 사용하세요."
        ),
    )
}

pub fn app_port_open(group: &str, port: u16) -> Message {
    msg(
        format!(
            "{group}: the app port {port} is open to the internet, so visitors can bypass nginx (and HTTPS). Remove that rule once nginx is in front."
        ),
        format!(
            "{group}: 앱 포트 {port}이(가) 인터넷에 열려 있어서, 방문자가 nginx(그리고 HTTPS)를 거치지 않고 접속할 수 있습니다. nginx를 앞에 둔 뒤에는 그 규칙을 삭제하세요."
        ),
    )
}

/// The instance is named by its IP: the team opens the ports.
pub fn open_ports_by_hand(ip: Ipv4Addr) -> Message {
    msg(
        format!(
            "The project names the instance by its IP ({ip}), so lockstep cannot see its security group. In the EC2 console, allow inbound TCP 80 and 443 from 0.0.0.0/0 on it; the last step checks both from outside."
        ),
        format!(
            "프로젝트가 인스턴스를 IP({ip})로 지정해서 lockstep이 보안 그룹을 볼 수 없습니다. EC2 콘솔에서 그 보안 그룹에 0.0.0.0/0에서 오는 인바운드 TCP 80과 443을 허용하세요. 마지막 단계에서 외부에서 둘 다 확인합니다."
        ),
    )
}

pub fn reading_security_groups() -> Message {
    msg("reading the instance's security groups", "인스턴스의 보안 그룹 읽기")
}

pub fn opening_port(group: &str, port: u16) -> Message {
    msg(format!("opening port {port} on {group}"), format!("{group}에서 포트 {port} 열기"))
}

pub fn no_security_group(instance: &InstanceId) -> UserError {
    UserError {
        ko: ko(
            format!("인스턴스 {instance}에 lockstep이 변경할 수 있는 보안 그룹이 없습니다."),
            "인바운드 포트는 인스턴스의 보안 그룹에서 엽니다.",
            "EC2 콘솔에서 인스턴스에 보안 그룹을 연결한 뒤 \"다시 시도\"를 누르세요.",
        ),
        what: format!("The instance {instance} has no security group lockstep can change."),
        why: "Inbound ports are opened on a security group of the instance.".into(),
        fix: "Attach a security group to the instance in the EC2 console and press Retry.".into(),
    }
}

/// What the ports step did on `group`: the ports it opened (none: they were open) and the risky
/// rules it saw.
pub fn ports_opened(group: &str, opened: &[u16], risks: &[Message]) -> Message {
    let also = Message::join(risks, " ");
    let en = opened.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" and ");
    let ko = opened.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
    match (opened.is_empty(), risks.is_empty()) {
        (true, true) => msg(
            format!("Ports 80 and 443 were already open on {group}."),
            format!("{group}에서 포트 80과 443이 이미 열려 있었습니다."),
        ),
        (false, true) => msg(
            format!("Opened {en} on {group} to the internet."),
            format!("{group}에서 포트 {ko}을 인터넷에 열었습니다."),
        ),
        (true, false) => msg(
            format!("Ports 80 and 443 were already open on {group}. Also: {}", also.en),
            format!("{group}에서 포트 80과 443이 이미 열려 있었습니다. 또한 확인할 점: {}", also.ko),
        ),
        (false, false) => msg(
            format!("Opened {en} on {group}. Also: {}", also.en),
            format!("{group}에서 포트 {ko}을 열었습니다. 또한 확인할 점: {}", also.ko),
        ),
    }
}

// Step 2: the A record.

pub fn name_carries_ip(api: &DomainName, ip: Ipv4Addr) -> Message {
    if api.as_ipv4().is_some() {
        return msg(
            format!("The API is the address {ip} itself (no domain): no DNS record to write."),
            format!("API는 주소 {ip} 자체입니다(도메인 없음). 쓸 DNS 레코드가 없습니다."),
        );
    }
    msg(
        format!("{api} carries the IP in its name: nip.io / sslip.io already answer {ip} for it. Nothing to add."),
        format!("{api}은(는) 이름에 IP가 들어 있습니다. nip.io / sslip.io가 이미 {ip}(으)로 응답하므로 추가할 것이 없습니다."),
    )
}

pub fn writing_record(api: &DomainName) -> Message {
    msg(format!("writing the A record for {api}"), format!("{api}의 A 레코드 쓰기"))
}

/// The record is written; `elastic` says whether the address is an Elastic IP (None: unknown).
pub fn record_written(api: &DomainName, ip: Ipv4Addr, elastic: Option<bool>) -> Message {
    let note = msg(
        format!("{api} A {ip} (TTL 60 s) is in the hosted zone."),
        format!("호스팅 영역에 {api} A {ip} 레코드(TTL 60초)가 있습니다."),
    );
    note.then(&match elastic {
        Some(false) => {
            let warning = not_elastic_warning(ip);
            msg(format!("Warning: {}", warning.en), format!("경고: {}", warning.ko))
        }
        None => msg(
            "(lockstep could not read your Elastic IPs: if the address is not one, it changes on stop/start.)",
            "(lockstep이 탄력적 IP 목록을 읽지 못했습니다. 이 주소가 탄력적 IP가 아니라면 중지/시작할 때 바뀝니다.)",
        ),
        Some(true) => msg(
            "It is an Elastic IP: it stays when the instance restarts.",
            "탄력적 IP이므로 인스턴스를 다시 시작해도 그대로 유지됩니다.",
        ),
    })
}

/// The warning for an address that is not an Elastic IP.
pub fn not_elastic_warning(ip: Ipv4Addr) -> Message {
    msg(
        format!(
            "{ip} is not an Elastic IP: AWS gives the instance a new address when it is stopped and started, and then this name points at someone else's server (and certbot renewals fail). In the EC2 console: Elastic IPs > Allocate, then Associate it with the instance, and run the free path again (it updates the record)."
        ),
        format!(
            "{ip}은(는) 탄력적 IP(Elastic IP)가 아닙니다. 인스턴스를 중지했다가 시작하면 AWS가 새 주소를 주고, 그러면 이 이름이 다른 사람의 서버를 가리키게 됩니다(certbot 갱신도 실패합니다). EC2 콘솔에서 탄력적 IP > 할당을 누르고 인스턴스에 연결한 뒤, 무료 경로를 다시 실행하세요(레코드를 갱신합니다)."
        ),
    )
}

// Step 3: public DNS.

fn ips(v: &[Ipv4Addr]) -> String {
    v.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
}

pub fn resolves_by_construction(api: &DomainName, ip: Ipv4Addr) -> Message {
    if api.as_ipv4().is_some() {
        return msg(
            format!("Nothing to look up: the API is the address {ip}, and the certificate will be for that address."),
            format!("조회할 것이 없습니다. API는 주소 {ip}이고, 인증서도 그 주소에 대해 발급됩니다."),
        );
    }
    msg(
        format!("{api} resolves to {ip} by construction (the IP is in the name)."),
        format!("{api}은(는) 이름에 IP가 들어 있으므로 당연히 {ip}(으)로 조회됩니다."),
    )
}

/// Public DNS did not answer (`error` is the resolver's own short reason).
pub fn dns_did_not_answer(api: &DomainName, error: &impl std::fmt::Display) -> Message {
    msg(
        format!("Public DNS did not answer for {api} ({error}); asking again."),
        format!("공개 DNS가 {api}에 대해 응답하지 않았습니다({error}). 다시 물어봅니다."),
    )
}

pub fn public_dns_answers(api: &DomainName, got: &[Ipv4Addr]) -> Message {
    let got = ips(got);
    msg(format!("Public DNS answers {got} for {api}."), format!("공개 DNS가 {api}에 대해 {got}(으)로 응답합니다."))
}

/// Still not resolving to the instance after the patience.
pub fn never_resolved(waited_minutes: i64, api: &DomainName, ip: Ipv4Addr, got: &[Ipv4Addr]) -> UserError {
    let (why, why_ko) = if got.is_empty() {
        (
            "Public DNS has no A record for the name: the hosted zone lockstep wrote to is not the one the internet asks (the domain's name servers point elsewhere).".to_string(),
            "공개 DNS에 이 이름의 A 레코드가 없습니다. lockstep이 레코드를 쓴 호스팅 영역이 인터넷에서 실제로 조회하는 영역이 아닙니다(도메인의 네임서버가 다른 곳을 가리키고 있습니다).".to_string(),
        )
    } else {
        let got = ips(got);
        (
            format!("Public DNS answers {got}: another record (or another zone the domain is delegated to) wins."),
            format!(
                "공개 DNS가 {got}(으)로 응답합니다. 다른 레코드(또는 도메인이 위임된 다른 영역)가 우선하고 있습니다."
            ),
        )
    };
    UserError {
        ko: ko(
            format!("{waited_minutes}분이 지났지만 {api}의 DNS 조회 결과가 아직 {ip}이(가) 아닙니다."),
            why_ko,
            "도메인 단계의 위임 확인(1단계)을 실행해 도메인 등록 업체에서 네임서버를 고치거나, 다른 레코드를 삭제하세요. 그런 다음 \"다시 시도\"를 누르세요.",
        ),
        what: format!("After {waited_minutes} minutes, {api} still does not resolve to {ip}."),
        why,
        fix: "Run the domain step's delegation check (step 1) and fix the name servers at the registrar, or remove the other record; then press Retry.".into(),
    }
}

/// Not resolving to the instance yet (a new record, or an old answer cached).
pub fn waiting_for_dns(api: &DomainName, ip: Ipv4Addr, got: &[Ipv4Addr]) -> Message {
    if got.is_empty() {
        return msg(
            format!("Public DNS has no A record for {api} yet; Route 53 usually publishes within a minute."),
            format!("공개 DNS에 아직 {api}의 A 레코드가 없습니다. Route 53은 보통 1분 안에 게시합니다."),
        );
    }
    let got = ips(got);
    msg(
        format!("{api} still resolves to {got}, not {ip}: resolvers keep an old answer until its TTL runs out."),
        format!("{api}이(가) 아직 {ip}이(가) 아니라 {got}(으)로 조회됩니다. 리졸버는 TTL이 끝날 때까지 예전 응답을 유지합니다."),
    )
}

// Step 4: the script.

pub fn finding_sent_script() -> Message {
    msg("looking for the script sent earlier", "이전에 보낸 스크립트 찾기")
}

pub fn sending_script() -> Message {
    msg("sending the script through SSM Run Command", "SSM Run Command로 스크립트 보내기")
}

pub fn reading_script_progress() -> Message {
    msg("reading the script's progress from SSM", "SSM에서 스크립트 진행 상황 읽기")
}

pub fn script_sent(instance: &InstanceId, command_id: &str) -> Message {
    msg(
        format!("Sent the script to {instance} through SSM Run Command ({command_id})."),
        format!("SSM Run Command로 {instance}에 스크립트를 보냈습니다({command_id})."),
    )
}

/// The script runs; `last` is its latest output line.
pub fn script_running(instance: &InstanceId, last: Option<&str>) -> Message {
    let line = |none: &str| last.unwrap_or(none).chars().take(160).collect::<String>();
    msg(
        format!("Running on {instance}: {}", line("starting")),
        format!("{instance}에서 실행 중: {}", line("시작하는 중")),
    )
}

pub fn script_finished(instance: &InstanceId) -> Message {
    msg(
        format!("The script finished on {instance}: nginx is running and certbot installed the certificate."),
        format!("{instance}에서 스크립트가 끝났습니다. nginx가 실행 중이고 certbot이 인증서를 설치했습니다."),
    )
}

/// The SSM agent never got the script (SSM's own words in `detail`).
pub fn script_undeliverable(detail: &str) -> UserError {
    UserError {
        ko: ko(
            format!("인스턴스의 SSM 에이전트가 스크립트를 받지 못했습니다({detail})."),
            "인스턴스가 중지되어 있거나, SSM 에이전트가 실행 중이 아니거나, SSM 서비스로 가는 경로가 없습니다(퍼블릭 IP나 NAT가 없거나, 인스턴스 프로파일에서 AmazonSSMManagedInstanceCore가 빠졌습니다).",
            "인스턴스를 시작하고 Systems Manager > Fleet Manager에서 \"Online\" 상태인지 확인하세요. 또는 아래에 보이는 스크립트를 직접 실행한 뒤 \"실행했어요\"를 누르세요.",
        ),
        what: format!("The SSM agent on the instance never received the script ({detail})."),
        why: "The instance is stopped, its SSM agent is not running, or it has no route to the SSM service (no public IP / NAT, or the instance profile lost AmazonSSMManagedInstanceCore).".into(),
        fix: "Start the instance and check it is \"Online\" in Systems Manager > Fleet Manager; or run the script yourself (shown below) and press \"I ran it\".".into(),
    }
}

pub fn script_timed_out() -> UserError {
    let minutes = SCRIPT_TIMEOUT_SECS / 60;
    UserError {
        ko: ko(
            format!("스크립트가 인스턴스에서 {minutes}분 안에 끝나지 않았습니다."),
            "인스턴스가 패키지 미러에 접속하지 못하거나, 이전 apt/dnf 실행이 아직 잠금(lock)을 잡고 있으면 패키지 설치가 멈춥니다.",
            "인스턴스에 접속해(EC2 Instance Connect) 스크립트를 직접 실행하며 어디서 멈추는지 확인한 뒤 \"다시 시도\"를 누르세요.",
        ),
        what: format!("The script did not finish within {minutes} minutes on the instance."),
        why: "Package installs hang when the instance cannot reach the package mirrors, or a previous apt/dnf run still holds the lock.".into(),
        fix: "Connect to the instance (EC2 Instance Connect), run the script by hand to see where it stops, then press Retry.".into(),
    }
}

pub fn script_cancelled() -> UserError {
    UserError {
        ko: ko(
            "스크립트가 끝나기 전에 취소되었습니다.",
            "누군가 Systems Manager에서 명령을 취소했거나, 인스턴스가 중지되었습니다.",
            "\"다시 시도\"를 눌러 다시 실행하세요(두 번 실행해도 안전합니다).",
        ),
        what: "The script was cancelled before it finished.".into(),
        why: "Someone cancelled the command in Systems Manager, or the instance was stopped.".into(),
        fix: "Press Retry to run it again (it is safe to run twice).".into(),
    }
}

pub fn https_answers(api: &DomainName) -> Message {
    msg(
        format!("HTTPS answers for {api} with a valid certificate."),
        format!("{api}에서 유효한 인증서로 HTTPS가 응답합니다."),
    )
}

/// The team runs the script by hand. The page shows the script while the English starts with
/// "Waiting for you" (app/src/freepath_ui.rs): keep that start.
pub fn waiting_for_you(last_problem: Option<&Finding>) -> Message {
    let seen = last_problem.map(|f| format!(" Last check: {}.", f.title)).unwrap_or_default();
    let seen_ko = last_problem.map(|f| format!(" 마지막 점검: {}.", f.said(true).0)).unwrap_or_default();
    msg(
        format!("Waiting for you: run the script below on the instance, then press \"I ran it\".{seen}"),
        format!(
            "직접 해야 할 작업을 기다리는 중: 아래 스크립트를 인스턴스에서 실행한 뒤 \"실행했어요\"를 누르세요.{seen_ko}"
        ),
    )
}

// Step 5: the outside check.

/// A required check failed: its own words, and "press Retry".
pub fn check_failed(f: &Finding) -> UserError {
    let (title, why, fix) = f.said(true);
    UserError {
        ko: ko(
            title,
            why.map(str::to_string).unwrap_or_else(|| f.evidence.join("; ")),
            format!(
                "{} 그런 다음 \"다시 시도\"를 누르세요. lockstep이 외부에서 다시 확인합니다.",
                fix.unwrap_or("아래 보고서에 나온 문제를 고치세요.")
            ),
        ),
        what: f.title.clone(),
        why: f.why.clone().unwrap_or_else(|| f.evidence.join("; ")),
        fix: format!(
            "{} Then press Retry: lockstep checks again from outside.",
            f.fix.clone().unwrap_or_else(|| "Fix what the report below names.".into())
        ),
    }
}

/// Required checks that were skipped because an earlier one failed.
pub fn checks_not_judged(missing: &[&str]) -> UserError {
    let missing = missing.join(", ");
    UserError {
        ko: ko(
            format!("외부 점검에서 {missing}을(를) 판단할 수 없었습니다."),
            "앞선 점검이 실패해서 이 항목들은 건너뛰었습니다(아래 보고서를 보세요).",
            "보고서에서 처음 실패한 점검을 고친 뒤 \"다시 시도\"를 누르세요.",
        ),
        what: format!("The outside check could not judge {missing}."),
        why: "An earlier check failed so these were skipped (see the report below).".into(),
        fix: "Fix the first failing check in the report, then press Retry.".into(),
    }
}

/// HTTPS works for the name; `said` is the doctor's summary.
pub fn https_works(api: &DomainName, said: &Message) -> Message {
    msg(format!("https://{api} works: {}", said.en), format!("https://{api}이(가) 동작합니다: {}", said.ko))
}

// Refusals of "start the free path" (the service answers the person with these).

/// The free path was started, but the instance's public address is unknown (`why`).
pub fn public_address_unknown(why: lockstep_domain::Message) -> UserError {
    UserError {
        ko: ko(
            "lockstep이 인스턴스의 퍼블릭 주소를 알 수 없습니다.",
            why.ko,
            "EC2에서(또는 프로젝트에서) 고친 뒤 다시 시작하세요.",
        ),
        what: "lockstep does not know the instance's public address.".into(),
        why: why.en,
        fix: "Fix it in EC2 (or in the project), then start again.".into(),
    }
}
