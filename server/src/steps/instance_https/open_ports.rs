//! Step 1: ports 80 and 443 open to the world on the instance's security group (idempotently),
//! and the world-open ports that invite trouble named.

use super::{messages, NginxDeps, RunInput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::IngressRule;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{Message, SecurityGroupId, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct OpenPorts(pub Arc<NginxDeps>);

/// What [`OpenPorts`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPortsOutput {
    /// The group the ports were opened on; None when the instance is named by its IP.
    pub group: Option<SecurityGroupId>,
    /// The ports lockstep opened (not those already open).
    pub opened: Vec<u16>,
    /// The risky rules seen, in English (as stored before).
    pub risks: Vec<String>,
    /// One rule per port opened, for a later teardown.
    #[serde(default)]
    pub created: Vec<Created>,
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
            out.push(messages::all_traffic_open(group));
            continue;
        }
        for (port, service) in RISKY {
            if r.covers(port) {
                out.push(messages::risky_port_open(group, port, service));
            }
        }
        if let Some(p) = app_port.filter(|p| *p != 80 && *p != 443 && r.covers(*p)) {
            out.push(messages::app_port_open(group, p));
        }
    }
    out.sort_by(|a, b| a.en.cmp(&b.en));
    out.dedup();
    out
}

#[async_trait]
impl Step for OpenPorts {
    const KIND: StepKind = StepKind::InstanceHttpsOpenPorts;
    type Input = RunInput;
    type Output = OpenPortsOutput;

    async fn run(&self, _ctx: &StepCtx, input: RunInput) -> Result<StepOutcome<OpenPortsOutput>, StepError> {
        let inp = input.get()?;
        let Some(instance_id) = &inp.instance_id else {
            return Ok(StepOutcome::Done {
                output: OpenPortsOutput { group: None, opened: Vec::new(), risks: Vec::new(), created: Vec::new() },
                note: Some(messages::open_ports_by_hand(inp.public_ip)),
            });
        };
        let fw = &self.0.firewall;
        let (groups, rules) = fw
            .instance_rules(&inp.region, instance_id.as_str())
            .await
            .map_err(|e| port_error(&messages::reading_security_groups(), e))?;
        let Some(group) = groups.first() else {
            return Err(StepError::Fatal(messages::no_security_group(instance_id)));
        };
        let group = SecurityGroupId::parse(group)
            .map_err(|e| StepError::invariant(format!("EC2 named the security group {group:?}: {e}")))?;
        let mut opened = Vec::new();
        for port in [80u16, 443] {
            let already = rules.iter().any(|r| r.covers(port) && r.cidrs.iter().any(|c| c == "0.0.0.0/0"));
            if already {
                continue;
            }
            let newly = fw
                .open_to_world(&inp.region, group.as_str(), port)
                .await
                .map_err(|e| port_error(&messages::opening_port(group.as_str(), port), e))?;
            if newly {
                opened.push(port);
            }
        }
        let risks = risks(&rules, Some(inp.app_port));
        let note = messages::ports_opened(group.as_str(), &opened, &risks);
        let created = opened
            .iter()
            .map(|p| Created::new(ResourceKind::SgRule, format!("{group}:tcp:{p}:from:world"), &inp.region))
            .collect();
        Ok(StepOutcome::Done {
            output: OpenPortsOutput {
                group: Some(group),
                opened,
                // The output keeps the English (as before).
                risks: risks.into_iter().map(|r| r.en).collect(),
                created,
            },
            note: Some(note),
        })
    }
}
