//! Why the free path's install script failed, in plain words, from its own output.
//!
//! The script ([`crate::nginx::install_script`]) runs `nginx -t`, starts nginx and runs
//! `certbot --nginx`; when it fails, its stdout and stderr (from SSM, or pasted by a student)
//! carry certbot's and nginx's own messages. [`explain_script_failure`] recognises the usual
//! failures from that text and says what happened, why, and what to do next, quoting the line
//! it recognised. Pure text in, text out: the tests feed it output captured from a real nginx,
//! certbot and ACME CA (`domain/testdata/script-failures/`, made by `server/tests/freepath_lab.rs`
//! and the HTTPS lab).

use crate::run::UserError;

/// Explain a failed run of the install script (or of certbot / `nginx -t` alone).
///
/// `app_port` is the port the app listens on behind nginx; `name` the name the certificate is
/// for. Recognised, in this order: a missing program (exit 127, `command not found`), an nginx
/// configuration error (`[emerg] ... in FILE:LINE`, certbot's `Error while running nginx -t`),
/// port 80 already taken, nginx that does not start under systemd, Let's Encrypt's rate limits,
/// DNS problems, a challenge answered by another server block (unauthorized, 404), port 80
/// unreachable (connection refused, timeout during connect), a certbot that finds no server
/// block for the name; anything else quotes the last meaningful lines of stderr.
pub fn explain_script_failure(stdout: &str, stderr: &str, exit_code: i32, app_port: u16, name: &str) -> UserError {
    let all = format!("{stdout}\n{stderr}");
    let lower = all.to_ascii_lowercase();
    let detail = certbot_detail(&all);
    // The CA's validation report (not, say, apt failing to reach its mirror).
    let from_ca = lower.contains("certificate authority")
        || lower.contains("acme-challenge")
        || lower.contains("dns problem")
        || lower.contains("type:   ");
    let quoted = |fallback: &str| detail.clone().unwrap_or_else(|| fallback.to_string());

    // A program the script needs is not installed.
    if let Some(program) = missing_program(&all) {
        return if program == "certbot" {
            UserError {
                ko: crate::run::ko(
                    "인스턴스에 certbot이 설치되어 있지 않습니다.",
                    format!("셸이 `{}`라고 응답했습니다. 그 앞의 설치 단계가 끝나지 않았거나, 다른 PATH로 실행되었습니다.", missing_line(&all, &program)),
                    "certbot을 설치한 뒤 스크립트를 다시 실행하세요. Ubuntu: `sudo apt-get install -y certbot python3-certbot-nginx`, Amazon Linux 2023: `sudo python3 -m venv /opt/certbot && sudo /opt/certbot/bin/pip install certbot certbot-nginx && sudo ln -sf /opt/certbot/bin/certbot /usr/bin/certbot`. 설치되었는지는 `certbot --version`으로 확인하세요.",
                ),
                what: "certbot is not installed on the instance.".into(),
                why: format!("The shell answered `{}`: the install step before it did not finish, or ran with another PATH.", missing_line(&all, &program)),
                fix: "Install it and run the script again: Ubuntu `sudo apt-get install -y certbot python3-certbot-nginx`; Amazon Linux 2023 `sudo python3 -m venv /opt/certbot && sudo /opt/certbot/bin/pip install certbot certbot-nginx && sudo ln -sf /opt/certbot/bin/certbot /usr/bin/certbot`. Check with `certbot --version`.".into(),
            }
        } else {
            UserError {
                ko: crate::run::ko(
                    format!("인스턴스에 {program}이(가) 설치되어 있지 않습니다."),
                    format!("셸이 `{}`라고 응답했습니다.", missing_line(&all, &program)),
                    format!("{program}을(를) 설치한 뒤(Ubuntu: `sudo apt-get install -y {program}`, Amazon Linux 2023: `sudo dnf install -y {program}`) 스크립트를 다시 실행하세요."),
                ),
                what: format!("{program} is not installed on the instance."),
                why: format!("The shell answered `{}`.", missing_line(&all, &program)),
                fix: format!("Install {program} (Ubuntu: `sudo apt-get install -y {program}`; Amazon Linux 2023: `sudo dnf install -y {program}`) and run the script again."),
            }
        };
    }

    // nginx refuses its configuration (from `nginx -t`, or certbot running it).
    let certbot_nginx_t = lower.contains("error while running nginx -t")
        || lower.contains("the nginx plugin is not working")
        || { lower.contains("error while running") && lower.contains(" -t.") };
    if let Some(e) = emerg(&all) {
        if e.message.contains("Address already in use") {
            return port_taken(&e.line, app_port);
        }
        let place = match (&e.file, e.line_no) {
            (Some(f), Some(n)) => format!(" in {f} line {n}"),
            (Some(f), None) => format!(" in {f}"),
            _ => String::new(),
        };
        let file = e.file.clone().unwrap_or_else(|| "the nginx configuration".into());
        return UserError {
            ko: crate::run::ko(
                format!(
                    "nginx가 설정{}을 거부했습니다.{}",
                    match (&e.file, e.line_no) {
                        (Some(f), Some(n)) => format!("({f} {n}번째 줄)"),
                        (Some(f), None) => format!("({f})"),
                        _ => String::new(),
                    },
                    if certbot_nginx_t { " 그래서 certbot이 인증서를 요청하기 전에 멈췄습니다." } else { "" }
                ),
                format!("`nginx -t`의 출력: {}", e.line),
                format!(
                    "{}{}에서 잘못된 곳을 고치세요(지시어 이름의 오타, 빠진 `;` 또는 `}}` 등). 그다음 `sudo nginx -t`가 \"test is successful\"이라고 나올 때까지 확인하고 스크립트를 다시 실행하세요. 실행 중인 사이트는 바뀌지 않았습니다. nginx는 마지막으로 정상이던 설정을 계속 사용합니다.",
                    e.file.as_deref().unwrap_or("nginx 설정 파일"),
                    e.line_no.map(|n| format!("의 {n}번째 줄")).unwrap_or_default()
                ),
            ),
            what: format!(
                "nginx refuses its configuration{place}{}.",
                if certbot_nginx_t { ", so certbot stopped before asking for a certificate" } else { "" }
            ),
            why: format!("`nginx -t` says: {}", e.line),
            fix: format!(
                "Open {file}{} and correct it (a typo in a directive name, a missing `;` or `}}`), then check with `sudo nginx -t` until it says \"test is successful\" and run the script again. Nothing was changed on the running site: nginx keeps its last good configuration.",
                e.line_no.map(|n| format!(" at line {n}")).unwrap_or_default()
            ),
        };
    }
    if certbot_nginx_t {
        return UserError {
            ko: crate::run::ko(
                "certbot이 멈췄습니다. 이 인스턴스에서 `nginx -t`가 실패합니다.",
                format!("certbot은 nginx 설정을 바꾸기 전에 먼저 검사하는데, 그 검사가 실패했습니다: {}", last_lines(stderr, stdout, 2)),
                "인스턴스에서 `sudo nginx -t`를 실행하세요. 고쳐야 할 파일과 줄을 알려 줍니다. 그 부분을 고친 뒤 스크립트를 다시 실행하세요.",
            ),
            what: "certbot stopped: `nginx -t` fails on this instance.".into(),
            why: format!("certbot checks nginx's configuration before changing it; the check failed: {}", last_lines(stderr, stdout, 2)),
            fix: "Run `sudo nginx -t` on the instance: it names the file and line to correct. Fix it, then run the script again.".into(),
        };
    }

    // nginx does not start under systemd: the reason is only in the journal.
    if lower.contains("job for nginx.service failed") || lower.contains("nginx.service: failed") {
        let app = if app_port == 80 {
            " Your app listens on port 80 itself: nginx needs 80, so move the app to another port (e.g. 8000) and let nginx proxy to it."
        } else {
            ""
        };
        return UserError {
            ko: crate::run::ko(
                "nginx가 시작되지 않았습니다.",
                format!(
                    "systemd의 보고: {}. 흔한 원인은 다른 프로그램(Apache/httpd, 다른 nginx, 또는 앱 자신)이 이미 80번이나 443번 포트를 쓰고 있는 것입니다.{}",
                    first_line_containing(&all, "nginx.service").unwrap_or("nginx.service failed"),
                    if app_port == 80 {
                        " 앱이 직접 80번 포트에서 실행되고 있습니다. nginx가 80번 포트를 써야 하므로, 앱을 다른 포트(예: 8000)로 옮기고 nginx가 그 포트로 프록시하게 하세요."
                    } else {
                        ""
                    }
                ),
                "인스턴스에서 `sudo journalctl -u nginx -n 20 --no-pager`로 nginx의 오류를 확인하고, `sudo ss -ltnp '( sport = :80 or sport = :443 )'`로 어떤 프로그램이 포트를 쓰고 있는지 확인하세요. 그 프로그램을 멈춘 뒤(예: `sudo systemctl disable --now httpd apache2`) 스크립트를 다시 실행하세요.",
            ),
            what: "nginx did not start.".into(),
            why: format!("systemd reported: {}. The usual cause is another program already on port 80 or 443 (Apache/httpd, another nginx, or the app itself).{app}", first_line_containing(&all, "nginx.service").unwrap_or("nginx.service failed")),
            fix: "On the instance: `sudo journalctl -u nginx -n 20 --no-pager` shows nginx's own error; `sudo ss -ltnp '( sport = :80 or sport = :443 )'` shows who holds the ports. Stop that program (e.g. `sudo systemctl disable --now httpd apache2`), then run the script again.".into(),
        };
    }

    // Let's Encrypt's rate limits: which one, when it resets, the ways out.
    if let Some(hit) = rate_limit(&all) {
        return rate_limited(&hit, name);
    }

    // The name does not resolve (to this instance).
    if lower.contains("dns problem")
        || lower.contains("nxdomain")
        || lower.contains("no valid a records")
        || lower.contains("no valid aaaa records")
        || (from_ca && (lower.contains("could not resolve") || lower.contains("servfail")))
        || lower.contains("type:   dns")
    {
        return UserError {
            ko: crate::run::ko(
                format!("Let's Encrypt가 DNS에서 {name}을(를) 찾지 못했습니다."),
                format!(
                    "Let's Encrypt는 인스턴스를 확인하기 전에 {name}을(를) 조회하는데, 조회가 실패했습니다({}). A 레코드가 없거나, 방금 추가되었거나, 도메인 등록 대행자(registrar)가 가리키지 않는 호스팅 영역에 있습니다.",
                    quoted("DNS problem")
                ),
                format!(
                    "도메인의 네임서버가 가리키는 호스팅 영역에 A 레코드 {name} -> 인스턴스의 퍼블릭 IP(중지/시작 후에도 유지되도록 탄력적 IP)를 만드세요. 노트북에서 `dig +short {name}`를 실행해 그 IP가 나올 때까지 확인한 뒤 스크립트를 다시 실행하세요."
                ),
            ),
            what: format!("Let's Encrypt could not find {name} in DNS."),
            why: format!(
                "Before checking the instance, Let's Encrypt looks up {name}; the lookup failed ({}). The A record is missing, was added moments ago, or sits in a hosted zone the registrar does not point to.",
                quoted("DNS problem")
            ),
            fix: format!(
                "Create an A record {name} -> the instance's public IP (an Elastic IP, so it survives a stop/start) in the zone the domain's name servers point to; check with `dig +short {name}` from your laptop until it shows that IP, then run the script again."
            ),
        };
    }

    // The challenge file was not found: another server block answered.
    if lower.contains("type:   unauthorized")
        || lower.contains("type: unauthorized")
        || lower.contains("invalid response from")
    {
        let status = if lower.contains("404") { "404 Not Found" } else { "an unexpected answer" };
        return UserError {
            ko: crate::run::ko(
                format!(
                    "Let's Encrypt가 80번 포트로 {name}에 접속했지만, 챌린지 파일 요청에 {}을 받았습니다.",
                    if lower.contains("404") { "404 Not Found 응답" } else { "예상하지 못한 응답" }
                ),
                format!(
                    "certbot은 {name}의 nginx server 블록에 챌린지를 넣었지만, 다른 server 블록이 요청에 응답했습니다. 사이트의 server_name이 {name}과(와) 맞지 않거나, /etc/nginx의 다른 파일(기본 사이트)이 이 이름을 가로채거나, {name}이(가) 다른 서버를 가리키고 있습니다. Let's Encrypt의 응답: {}",
                    quoted(status)
                ),
                format!(
                    "{name}이(가) 이 인스턴스의 퍼블릭 IP를 가리키는지(`dig +short {name}`), `server_name {name};`이 있는 server 블록이 정확히 하나인지(`sudo grep -rn server_name /etc/nginx/`) 확인하고, 기본 사이트가 방해가 되면 지우세요(Ubuntu: `sudo rm /etc/nginx/sites-enabled/default`). 그다음 `sudo nginx -t && sudo systemctl reload nginx`를 실행하고 스크립트를 다시 실행하세요."
                ),
            ),
            what: format!("Let's Encrypt reached {name} on port 80 but got {status} for the challenge file."),
            why: format!(
                "certbot put the challenge into the nginx server block for {name}, but another server block answered the request: the site's server_name does not match {name}, another file in /etc/nginx (the default site) catches the name, or {name} points at a different server. It said: {}",
                quoted(status)
            ),
            fix: format!(
                "Make sure {name} resolves to this instance's public IP (`dig +short {name}`), that exactly one server block has `server_name {name};` (`sudo grep -rn server_name /etc/nginx/`), and remove the default site if it is in the way (Ubuntu: `sudo rm /etc/nginx/sites-enabled/default`). Then `sudo nginx -t && sudo systemctl reload nginx` and run the script again."
            ),
        };
    }

    // Port 80 unreachable during HTTP-01.
    if lower.contains("timeout during connect")
        || lower.contains("likely firewall problem")
        || (from_ca
            && (lower.contains("connection refused")
                || lower.contains("no route to host")
                || lower.contains("connection reset by peer")
                || lower.contains("type:   connection")))
    {
        return UserError {
            ko: crate::run::ko(
                format!("Let's Encrypt가 {name}의 80번 포트에 연결하지 못했습니다."),
                format!(
                    "{name}을(를) 관리하고 있음을 증명하기 위해, Let's Encrypt는 인터넷의 여러 곳에서 80번 포트로 http://{name}/.well-known/acme-challenge/ 아래의 파일을 가져옵니다. 연결이 거부되었거나 시간 초과되었습니다({}). 인스턴스의 보안 그룹(또는 인스턴스의 방화벽)에서 80번 포트가 닫혀 있거나, nginx가 실행 중이 아닙니다.",
                    quoted("connection failed")
                ),
                "보안 그룹에서 80번 포트를 모든 곳(0.0.0.0/0 및 ::/0)에 여세요. Let's Encrypt는 접속하는 주소를 공개하지 않으므로 내 IP만 허용하면 동작하지 않습니다. nginx가 실행 중인지 확인한 뒤(`sudo systemctl status nginx`, `sudo ss -ltnp 'sport = :80'`) 스크립트를 다시 실행하세요.",
            ),
            what: format!("Let's Encrypt could not connect to port 80 of {name}."),
            why: format!(
                "To prove you control {name}, Let's Encrypt fetches a file from http://{name}/.well-known/acme-challenge/ on port 80, from several places on the internet. The connection was refused or timed out ({}): port 80 is closed in the instance's security group (or a firewall on the instance), or nginx is not running.",
                quoted("connection failed")
            ),
            fix: "Open port 80 on the security group to everyone (0.0.0.0/0 and ::/0: Let's Encrypt does not publish its addresses, so allowing only your IP does not work), make sure nginx is running (`sudo systemctl status nginx`, `sudo ss -ltnp 'sport = :80'`), then run the script again.".into(),
        };
    }

    // certbot found no server block to install into.
    if lower.contains("could not automatically find a matching server block") {
        return UserError {
            ko: crate::run::ko(
                format!("certbot이 {name}에 해당하는 nginx server 블록을 찾지 못했습니다."),
                format!("certbot은 server_name이 {name}인 server 블록에 인증서를 설치하는데, 그런 블록이 없습니다: {}", first_line_containing(&all, "matching server block").unwrap_or("")),
                format!("사이트 설정에 `server_name {name};`을 넣고(lockstep의 파일 /etc/nginx/conf.d/lockstep-*.conf에는 들어 있습니다) `sudo nginx -t && sudo systemctl reload nginx`를 실행한 뒤 certbot을 다시 실행하세요."),
            ),
            what: format!("certbot found no nginx server block for {name}."),
            why: format!("certbot installs the certificate into the server block whose server_name is {name}; none has it: {}", first_line_containing(&all, "matching server block").unwrap_or("")),
            fix: format!("Put `server_name {name};` in the site (lockstep's file /etc/nginx/conf.d/lockstep-*.conf has it), `sudo nginx -t && sudo systemctl reload nginx`, then run certbot again."),
        };
    }

    UserError {
        ko: crate::run::ko(
            format!("설치 스크립트가 멈췄습니다(종료 코드 {exit_code})."),
            format!("마지막 출력: {}", last_lines(stderr, stdout, 3)),
            "스크립트 출력에서 위쪽 줄들을 읽어 보세요. 보통 첫 번째 오류가 원인입니다. 인스턴스에서 그 문제를 고친 뒤 스크립트를 다시 실행하세요(두 번 실행해도 안전합니다). `sudo nginx -t`와 `sudo certbot certificates`로 nginx와 certbot의 상태를 볼 수 있습니다.",
        ),
        what: format!("The install script stopped (exit code {exit_code})."),
        why: format!("Its last words: {}", last_lines(stderr, stdout, 3)),
        fix: "Read the lines above in the script's output: the first error is usually the cause. Fix it on the instance and run the script again (it is safe to run twice); `sudo nginx -t` and `sudo certbot certificates` show where nginx and certbot stand.".into(),
    }
}

/// `Detail: ...` of certbot's "The Certificate Authority reported these problems" block.
fn certbot_detail(all: &str) -> Option<String> {
    all.lines().find_map(|l| l.trim().strip_prefix("Detail:").map(|d| d.trim().to_string())).filter(|d| !d.is_empty())
}

/// `X: command not found` (bash), `sudo: X: command not found`, `X: not found` (sh).
fn missing_program(all: &str) -> Option<String> {
    for line in all.lines() {
        let l = line.trim();
        let rest = l.strip_suffix(": command not found").or_else(|| l.strip_suffix(": not found"));
        if let Some(rest) = rest {
            let program = rest.rsplit(": ").next().unwrap_or(rest).trim();
            let program = program.rsplit('/').next().unwrap_or(program);
            if !program.is_empty() && !program.contains(' ') {
                return Some(program.to_string());
            }
        }
    }
    None
}

fn missing_line(all: &str, program: &str) -> String {
    all.lines()
        .map(str::trim)
        .find(|l| l.contains(program) && l.ends_with("not found"))
        .unwrap_or("command not found")
        .to_string()
}

struct Emerg {
    /// The whole line from `[emerg]` on, without nginx's pid prefix.
    line: String,
    message: String,
    file: Option<String>,
    line_no: Option<u32>,
}

/// The first `[emerg]` line: `nginx: [emerg] MSG in FILE:LINE` (Ubuntu) or
/// `2026/01/01 00:00:00 [emerg] 123#123: MSG in FILE:LINE` (Debian's nginx logs to stderr).
fn emerg(all: &str) -> Option<Emerg> {
    let line = all.lines().find(|l| l.contains("[emerg]"))?;
    let rest = line.split_once("[emerg]")?.1.trim();
    // drop "123#123: "
    let rest = match rest.split_once(": ") {
        Some((pid, msg)) if pid.contains('#') && pid.chars().all(|c| c.is_ascii_digit() || c == '#') => msg,
        _ => rest,
    };
    let rest = rest.trim_end_matches("\\n").trim();
    let (message, file, line_no) = match rest.rsplit_once(" in ") {
        Some((msg, place)) if place.starts_with('/') => {
            let (file, n) = match place.rsplit_once(':') {
                Some((f, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => (f, n.parse().ok()),
                _ => (place, None),
            };
            (msg.to_string(), Some(file.to_string()), n)
        }
        _ => (rest.to_string(), None, None),
    };
    Some(Emerg { line: format!("[emerg] {rest}"), message, file, line_no })
}

fn port_taken(line: &str, app_port: u16) -> UserError {
    let port = line
        .split_once("bind() to ")
        .and_then(|(_, r)| r.split_whitespace().next())
        .and_then(|a| a.rsplit(':').next())
        .unwrap_or("80")
        .to_string();
    let app = if port.parse::<u16>().ok() == Some(app_port) {
        format!(" Your app is set to listen on port {app_port} itself: nginx needs that port. Move the app to another port (e.g. 8000) and let nginx proxy to it.")
    } else {
        String::new()
    };
    UserError {
        ko: crate::run::ko(
            format!("nginx를 시작할 수 없습니다. {port}번 포트를 이미 다른 프로그램이 쓰고 있습니다."),
            format!(
                "nginx의 출력: {line}.{}",
                if port.parse::<u16>().ok() == Some(app_port) {
                    format!(" 앱이 직접 {app_port}번 포트에서 실행되도록 설정되어 있습니다. nginx가 이 포트를 써야 하므로, 앱을 다른 포트(예: 8000)로 옮기고 nginx가 그 포트로 프록시하게 하세요.")
                } else {
                    String::new()
                }
            ),
            format!("`sudo ss -ltnp 'sport = :{port}'`로 어떤 프로그램이 쓰고 있는지 확인하세요. 그 프로그램을 멈춘 뒤(흔히 Apache/httpd입니다: `sudo systemctl disable --now httpd apache2`) 스크립트를 다시 실행하세요."),
        ),
        what: format!("nginx cannot start: port {port} is already used by another program."),
        why: format!("nginx said: {line}.{app}"),
        fix: format!("See who holds it: `sudo ss -ltnp 'sport = :{port}'`. Stop that program (often Apache/httpd: `sudo systemctl disable --now httpd apache2`), then run the script again."),
    }
}

/// Which of Let's Encrypt's rate limits certbot hit. They are expected on the free path, not
/// surprising: nip.io and sslip.io are each ONE registered domain shared by everyone in the
/// world who uses them, so their weekly per-domain limit runs out (both did in 2026), and a class
/// that re-runs the script hits the duplicate-certificate limit. Each gets its own finding: which
/// limit, when it resets, and the ways out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimit {
    /// Certificates per registered domain (50 a week): the domain certbot named.
    RegisteredDomain { domain: Option<String> },
    /// Certificates for exactly the same set of names (5 a week).
    DuplicateCertificate,
    /// Failed validations for one name (5 an hour).
    FailedValidations,
    /// New orders from one account (300 in 3 hours).
    NewOrders,
    /// New accounts from one IP address (10 in 3 hours).
    Registrations,
    /// `rateLimited` without a wording this list knows.
    Other,
}

/// A rate limit found in certbot's output: which, when certbot said it resets (its own text),
/// and the line that said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitHit {
    pub limit: RateLimit,
    pub retry_after: Option<String>,
    pub line: String,
}

/// The shared "magic" DNS services that map `<ip>.nip.io` / `<ip>.sslip.io` to the IP.
const MAGIC_DOMAINS: [&str; 2] = ["nip.io", "sslip.io"];

/// The magic domain `name` is under, if any.
pub fn magic_domain(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    MAGIC_DOMAINS.into_iter().find(|m| name == *m || name.ends_with(&format!(".{m}")))
}

/// The same name under the other magic domain (`1.2.3.4.nip.io` -> `1.2.3.4.sslip.io`).
pub fn other_magic_name(name: &str) -> Option<String> {
    let magic = magic_domain(name)?;
    let other = if magic == "nip.io" { "sslip.io" } else { "nip.io" };
    let name = name.trim_end_matches('.');
    let stem = &name[..name.len() - magic.len()];
    Some(format!("{stem}{other}"))
}

/// Recognise a Let's Encrypt rate limit in certbot's output (Boulder's wording, certbot 2.x-5.x).
pub fn rate_limit(all: &str) -> Option<RateLimitHit> {
    let lower = all.to_ascii_lowercase();
    let limit = if lower.contains("too many certificates") {
        if lower.contains("exact set of") {
            RateLimit::DuplicateCertificate
        } else {
            RateLimit::RegisteredDomain { domain: registered_domain(all) }
        }
    } else if lower.contains("too many failed authorizations") {
        RateLimit::FailedValidations
    } else if lower.contains("too many new orders") {
        RateLimit::NewOrders
    } else if lower.contains("too many registrations") {
        RateLimit::Registrations
    } else if lower.contains("ratelimited") || lower.contains("rate limit exceeded") {
        RateLimit::Other
    } else {
        return None;
    };
    Some(RateLimitHit { limit, retry_after: retry_after(all), line: rate_limit_line(all) })
}

/// `sslip.io` from `too many certificates (50) already issued for "sslip.io" in the last …`
/// (older: `already issued for: sslip.io`).
fn registered_domain(all: &str) -> Option<String> {
    let rest = after(all, "already issued for")?;
    let rest = rest.trim_start_matches([':', ' ', '"', '\\']);
    let domain: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect();
    (domain.contains('.')).then_some(domain)
}

/// When certbot said to try again, as it printed it: `retry after 2026-05-20 14:00:00 UTC`
/// (up to `: see …`), or a `Retry-After:` header in seconds (from `certbot -v`).
fn retry_after(all: &str) -> Option<String> {
    if let Some(rest) = after(all, "retry after ") {
        let line = rest.lines().next().unwrap_or(rest);
        let end = [": see ", ", see ", " see https", ": https"].iter().filter_map(|m| line.find(m)).min();
        let when = line[..end.unwrap_or(line.len())].trim().trim_end_matches(['.', ':', ',']);
        if !when.is_empty() {
            return Some(when.to_string());
        }
    }
    let rest = after(all, "retry-after:")?;
    let value = rest.lines().next().unwrap_or(rest).trim();
    match value.parse::<u64>() {
        Ok(secs) if secs >= 3600 => Some(format!("{} hour(s) from then (Retry-After: {secs})", secs.div_ceil(3600))),
        Ok(secs) => Some(format!("{} minute(s) from then (Retry-After: {secs})", secs.div_ceil(60).max(1))),
        Err(_) if !value.is_empty() => Some(value.to_string()),
        Err(_) => None,
    }
}

/// A rate limit in plain words, English and Korean: which limit, when it resets, the ways out.
fn rate_limited(hit: &RateLimitHit, name: &str) -> UserError {
    // The magic domain in play: the name's, or the registered domain certbot named.
    let named = match &hit.limit {
        RateLimit::RegisteredDomain { domain: Some(d) } => magic_domain(d),
        _ => None,
    };
    let magic = magic_domain(name).or(named);
    let other = magic.map(|m| if m == "nip.io" { "sslip.io" } else { "nip.io" });
    let other_name = other_magic_name(name).or_else(|| other.map(|o| format!("<ip>.{o}")));
    let line = &hit.line;

    let (what, why, typical, what_ko, why_ko, typical_ko) = match &hit.limit {
        RateLimit::RegisteredDomain { domain } => {
            let d = domain.clone().or(magic.map(str::to_string)).unwrap_or_else(|| name.to_string());
            let shared = if magic_domain(&d).is_some() {
                format!(" {d} is one registered domain shared by everyone in the world who uses it, so its certificates run out for all of them at once.")
            } else {
                String::new()
            };
            let shared_ko = if magic_domain(&d).is_some() {
                format!(" {d}는 전 세계 사용자가 함께 쓰는 하나의 등록 도메인이라, 모두의 인증서가 한꺼번에 한도에 걸립니다.")
            } else {
                String::new()
            };
            (
                format!("Let's Encrypt will not issue more certificates under {d} for now (its limit of certificates per registered domain)."),
                format!("Let's Encrypt issues at most 50 certificates a week under one registered domain.{shared} It said: {line}"),
                "the limit refills gradually over 7 days",
                format!("Let's Encrypt가 당분간 {d} 아래의 인증서를 더 발급하지 않습니다(등록 도메인당 인증서 한도)."),
                format!("Let's Encrypt는 등록 도메인 하나에 일주일에 최대 50개의 인증서만 발급합니다.{shared_ko} Let's Encrypt의 응답: {line}"),
                "한도는 7일에 걸쳐 조금씩 다시 찹니다",
            )
        }
        RateLimit::DuplicateCertificate => (
            format!("Let's Encrypt already issued the most certificates it allows for exactly {name} this week (duplicate certificate limit)."),
            format!("Let's Encrypt issues at most 5 certificates a week for the same set of names; running the script again asks anew each time. It said: {line}"),
            "one more becomes possible about every 34 hours, all 5 within 7 days",
            format!("Let's Encrypt가 이번 주에 정확히 {name}에 대해 허용하는 만큼 인증서를 이미 발급했습니다(중복 인증서 한도)."),
            format!("Let's Encrypt는 같은 이름 묶음에 일주일에 최대 5개의 인증서만 발급합니다. 스크립트를 다시 실행할 때마다 새로 요청합니다. Let's Encrypt의 응답: {line}"),
            "약 34시간마다 하나씩, 7일 안에 5개 모두 다시 가능해집니다",
        ),
        RateLimit::FailedValidations => (
            format!("Let's Encrypt stopped validating {name} for now: too many failed validations recently (failed validation limit)."),
            format!("Let's Encrypt allows 5 failed validations per name an hour; the earlier attempts failed (usually port 80 closed or DNS not pointing at the instance yet), and the next one would fail the same way. It said: {line}"),
            "about an hour",
            format!("Let's Encrypt가 당분간 {name}을(를) 검증하지 않습니다. 최근 검증 실패가 너무 많습니다(검증 실패 한도)."),
            format!("Let's Encrypt는 이름 하나에 한 시간에 5번까지만 검증 실패를 허용합니다. 앞선 시도가 실패했고(대개 80번 포트가 닫혀 있거나 DNS가 아직 인스턴스를 가리키지 않음), 다음 시도도 같은 이유로 실패할 것입니다. Let's Encrypt의 응답: {line}"),
            "약 1시간",
        ),
        RateLimit::NewOrders => (
            "Let's Encrypt refused a new certificate request: this account asked too often recently (new orders limit).".to_string(),
            format!("Let's Encrypt allows 300 new orders per account in 3 hours; a script run in a loop or by many students on one account uses them up. It said: {line}"),
            "within 3 hours",
            "Let's Encrypt가 새 인증서 요청을 거절했습니다. 이 계정이 최근 너무 자주 요청했습니다(새 주문 한도).".to_string(),
            format!("Let's Encrypt는 계정 하나에 3시간에 300개의 새 주문만 허용합니다. 반복해서 돌린 스크립트나 한 계정을 함께 쓰는 여러 학생이 한도를 다 씁니다. Let's Encrypt의 응답: {line}"),
            "3시간 안에",
        ),
        RateLimit::Registrations => (
            "Let's Encrypt refused to create another account from this IP address (registrations limit).".to_string(),
            format!("Let's Encrypt allows 10 new accounts per IP address in 3 hours; every fresh certbot install registers one. It said: {line}"),
            "within 3 hours",
            "Let's Encrypt가 이 IP 주소에서 계정을 더 만들지 않습니다(계정 등록 한도).".to_string(),
            format!("Let's Encrypt는 IP 주소 하나에 3시간에 10개의 새 계정만 허용합니다. certbot을 새로 설치할 때마다 계정이 하나 생깁니다. Let's Encrypt의 응답: {line}"),
            "3시간 안에",
        ),
        RateLimit::Other => (
            format!("Let's Encrypt refused to issue another certificate for {name} for now (rate limit)."),
            format!("Let's Encrypt limits how many certificates, orders and failed validations it accepts. It said: {line}"),
            "from an hour to a week, depending on the limit",
            format!("Let's Encrypt가 당분간 {name}의 인증서를 더 발급하지 않습니다(발급 한도 초과)."),
            format!("Let's Encrypt는 인증서, 주문, 검증 실패의 수를 제한합니다. Let's Encrypt의 응답: {line}"),
            "한도에 따라 1시간에서 일주일",
        ),
    };
    let resets = match &hit.retry_after {
        Some(t) => format!("It resets at {t} (as certbot printed it)."),
        None => format!("certbot did not say when it resets: {typical}."),
    };
    let resets_ko = match &hit.retry_after {
        Some(t) => format!("{t}에 풀립니다(certbot이 출력한 시각)."),
        None => format!("certbot이 언제 풀리는지 알려주지 않았습니다. 보통 {typical_ko}."),
    };

    // The ways out, in order.
    let mut ways = Vec::new();
    let mut ways_ko = Vec::new();
    if hit.limit == RateLimit::FailedValidations {
        ways.push("fix what made validation fail first (port 80 open to the internet, the name's A record pointing at the instance), or a new name will fail the same way".to_string());
        ways_ko.push("먼저 검증이 실패한 원인을 고치세요(80번 포트가 인터넷에 열려 있는지, 이름의 A 레코드가 인스턴스를 가리키는지). 그러지 않으면 새 이름도 같은 이유로 실패합니다".to_string());
    }
    if let (Some(m), Some(o), Some(alt)) = (magic, other, &other_name) {
        ways.push(format!("use the other free name, {alt}: {o} is a separate registered domain from {m}, with its own limit (it may be full too)"));
        ways_ko.push(format!("다른 무료 이름 {alt}을(를) 쓰세요. {o}는 {m}와 별개의 등록 도메인이라 한도도 따로입니다(그쪽도 찼을 수 있습니다)"));
    }
    ways.push(
        "a certificate for the instance's own IP address, with no domain and no shared limit (coming to lockstep)"
            .to_string(),
    );
    ways_ko.push(
        "도메인 없이 인스턴스의 IP 주소로 받는 인증서: 함께 쓰는 한도가 없습니다(lockstep에 곧 추가됩니다)".to_string(),
    );
    if magic.is_some() {
        ways.push("your team's own domain, whose limits are yours alone".to_string());
        ways_ko.push("팀의 자체 도메인: 한도를 팀만 씁니다".to_string());
    }
    ways.push("to practise, Let's Encrypt staging (add --staging to the certbot command, lockstep's \"staging\" option): its certificates are not trusted by browsers but its limits are far higher".to_string());
    ways_ko.push("연습할 때는 Let's Encrypt staging(certbot 명령에 --staging, lockstep의 \"staging\" 옵션): 브라우저가 신뢰하지 않지만 한도가 훨씬 높습니다".to_string());
    let numbered = |ways: &[String]| {
        ways.iter().enumerate().map(|(i, w)| format!("{}) {w}", i + 1)).collect::<Vec<_>>().join("; ")
    };
    let wait = match &hit.retry_after {
        Some(t) => format!("Waiting until {t} also works."),
        None => "Waiting until it resets also works.".to_string(),
    };
    let wait_ko = match &hit.retry_after {
        Some(t) => format!("{t}까지 기다려도 됩니다."),
        None => "한도가 풀릴 때까지 기다려도 됩니다.".to_string(),
    };
    UserError {
        ko: crate::run::ko(
            what_ko,
            format!("{why_ko} {resets_ko} 인스턴스에는 문제가 없습니다."),
            format!(
                "방법(순서대로): {}. {wait_ko} 잘 동작하는 인증서를 지우고 다시 요청하지 마세요. certbot이 알아서 갱신합니다.",
                numbered(&ways_ko)
            ),
        ),
        what,
        why: format!("{why} {resets} Nothing is wrong with the instance."),
        fix: format!(
            "Ways out, in order: {}. {wait} Do not delete and re-request a certificate that works: certbot renews it by itself.",
            numbered(&ways)
        ),
    }
}

fn after<'a>(all: &'a str, marker: &str) -> Option<&'a str> {
    let lower = all.to_ascii_lowercase();
    let i = lower.find(marker)?;
    Some(all[i + marker.len()..].trim_start())
}

fn rate_limit_line(all: &str) -> String {
    all.lines()
        .map(str::trim)
        .find(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("too many") || l.contains("ratelimited")
        })
        .unwrap_or("rate limited")
        .to_string()
}

fn first_line_containing<'a>(all: &'a str, needle: &str) -> Option<&'a str> {
    all.lines().map(str::trim).find(|l| l.contains(needle))
}

/// Lines that say nothing about the cause.
fn is_noise(l: &str) -> bool {
    let l = l.trim();
    l.is_empty()
        || l.starts_with("Saving debug log")
        || l.starts_with("Ask for help or search for solutions")
        || l.starts_with("See the logfile")
        || l.starts_with("- - - -")
        || l.starts_with("+ ")
        || l.starts_with("Hint: ")
}

/// The last `n` meaningful lines, stderr first (stdout if stderr has none), joined with " / ".
fn last_lines(stderr: &str, stdout: &str, n: usize) -> String {
    for text in [stderr, stdout] {
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !is_noise(l)).collect();
        if !lines.is_empty() {
            let start = lines.len().saturating_sub(n);
            return lines[start..].join(" / ");
        }
    }
    "(no output)".into()
}

#[cfg(test)]
mod tests;
