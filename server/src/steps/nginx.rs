//! The free path (Nginx + Certbot on the instance), step by step.
//!
//! Open ports: 80 (Let's Encrypt's HTTP-01 check and the redirect) and 443 on the instance's
//! security group, idempotently (a rule already there is fine), and point out ports that are
//! open to the whole internet and should not be (SSH, databases).

use super::port_error;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{Firewall, IngressRule};
use async_trait::async_trait;
use lockstep_domain::Region;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

pub const RUN_KIND: &str = "nginx";

/// What a free-path run acts on, fixed when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NginxInput {
    pub region: Region,
    pub instance_id: String,
    pub app_port: u16,
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

/// World-open ports that invite trouble, in plain words (one line each).
pub fn risks(rules: &[IngressRule], app_port: Option<u16>) -> Vec<String> {
    let mut out = Vec::new();
    for r in rules.iter().filter(|r| r.world_open()) {
        if r.protocol == "-1" {
            out.push(format!(
                "{} allows ALL traffic from anywhere: allow only 80 and 443 (and SSH from your own IP).",
                r.group_id
            ));
            continue;
        }
        for (port, what) in RISKY {
            if r.covers(port) {
                out.push(format!(
                    "{}: port {port} ({what}) is open to the whole internet. Bots try passwords on it within minutes: allow it only from your own IP (\"My IP\" in the console) or use Session Manager.",
                    r.group_id
                ));
            }
        }
        if let Some(p) = app_port.filter(|p| *p != 80 && *p != 443 && r.covers(*p)) {
            out.push(format!(
                "{}: the app port {p} is open to the internet, so visitors can bypass nginx (and HTTPS). Remove that rule once nginx is in front.",
                r.group_id
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}

pub struct OpenPorts(pub Arc<dyn Firewall>);

#[async_trait]
impl StepHandler for OpenPorts {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp: NginxInput = serde_json::from_value(ctx.input().clone())
            .map_err(|e| StepError::Store(format!("nginx run input: {e}")))?;
        let (groups, rules) = self
            .0
            .instance_rules(&inp.region, &inp.instance_id)
            .await
            .map_err(|e| port_error("reading the instance's security groups", e))?;
        let Some(group) = groups.first() else {
            return Err(StepError::Fatal(lockstep_domain::UserError {
                what: format!("The instance {} has no security group lockstep can change.", inp.instance_id),
                why: "Inbound ports are opened on a security group of the instance.".into(),
                fix: "Attach a security group to the instance in the EC2 console and run this step again.".into(),
            }));
        };
        let mut opened = Vec::new();
        for port in [80u16, 443] {
            let already = rules.iter().any(|r| r.covers(port) && r.cidrs.iter().any(|c| c == "0.0.0.0/0"));
            if already {
                continue;
            }
            if self
                .0
                .open_to_world(&inp.region, group, port)
                .await
                .map_err(|e| port_error(&format!("opening port {port} on {group}"), e))?
            {
                opened.push(port);
            }
        }
        let risks = risks(&rules, Some(inp.app_port));
        let note = match (opened.is_empty(), risks.is_empty()) {
            (true, true) => format!("Ports 80 and 443 were already open on {group}."),
            (false, true) => format!("Opened {} on {group} to the internet.", list(&opened)),
            (true, false) => format!("Ports 80 and 443 were already open on {group}. Also: {}", risks.join(" ")),
            (false, false) => format!("Opened {} on {group}. Also: {}", list(&opened), risks.join(" ")),
        };
        Ok(StepOutcome::Done { output: json!({ "group": group, "opened": opened, "risks": risks }), note: Some(note) })
    }
}

fn list(ports: &[u16]) -> String {
    ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" and ")
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
        assert!(r.iter().any(|l| l.contains("port 22 (SSH)")));
        assert!(r.iter().any(|l| l.contains("3306")));
        assert!(r.iter().any(|l| l.contains("app port 8080")));
        assert!(risks(&[rule("tcp", 443, 443, "0.0.0.0/0")], Some(8080)).is_empty());
        assert!(risks(&[rule("-1", -1, -1, "0.0.0.0/0")], None)[0].contains("ALL traffic"));
    }
}
