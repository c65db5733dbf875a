//! Why the free path's install script failed, in plain words, from its own output.
//!
//! The script ([`crate::nginx::install_script`]) runs `nginx -t`, starts nginx and runs
//! `certbot --nginx`; when it fails, its stdout and stderr (from SSM, or pasted by a student)
//! carry certbot's and nginx's own messages. [`explain_script_failure`] recognises the usual
//! failures from that text and says what happened, why, and what to do next, quoting the line
//! it recognised. Pure text in, text out: the tests feed it output captured from a real nginx,
//! certbot and ACME CA (`domain/testdata/script-failures/`, made by `server/tests/instance_https_lab.rs`
//! and the HTTPS lab).

use crate::run::UserError;
// Re-exported: the rate-limit findings moved to their own module (issue 24).
use crate::rate_limit::rate_limited;
pub use crate::rate_limit::{magic_domain, other_magic_name, rate_limit, RateLimit, RateLimitHit};

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
