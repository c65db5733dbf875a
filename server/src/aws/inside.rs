//! Facts from inside the account for the HTTPS doctor (ELBv2, EC2 security groups, S3).

use super::ec2::Ec2;
use super::{classify, Aws};
use crate::ports::{Firewall, InsideQuery, InsideView, PortError, PortResult};
use async_trait::async_trait;
use lockstep_doctor::browser::OriginObject;
use lockstep_doctor::inside::{SecurityPath, TargetFacts, TargetGroupFacts};
use lockstep_doctor::InsideFacts;
use lockstep_domain::Region;
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct AwsInside(pub Arc<Aws>);

#[async_trait]
impl InsideView for AwsInside {
    async fn gather(&self, q: &InsideQuery) -> PortResult<InsideFacts> {
        let mut facts = InsideFacts::default();
        let region = q.region.as_str();
        if let Some(instance) = &q.instance_id {
            let elb = self.0.elbv2(region);
            let mut groups = Vec::new();
            let mut lb_arns = BTreeSet::new();
            let mut marker: Option<String> = None;
            loop {
                let page = elb.describe_target_groups().set_marker(marker.clone()).send().await.map_err(classify)?;
                for tg in page.target_groups() {
                    let Some(arn) = tg.target_group_arn() else { continue };
                    let health = elb.describe_target_health().target_group_arn(arn).send().await.map_err(classify)?;
                    let targets: Vec<TargetFacts> = health
                        .target_health_descriptions()
                        .iter()
                        .filter(|d| d.target().and_then(|t| t.id()) == Some(instance.as_str()))
                        .map(|d| TargetFacts {
                            id: instance.clone(),
                            port: d.target().and_then(|t| t.port()).unwrap_or(0) as u16,
                            state: d
                                .target_health()
                                .and_then(|h| h.state())
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                            reason: d.target_health().and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                            description: d.target_health().and_then(|h| h.description()).map(str::to_string),
                        })
                        .collect();
                    if targets.is_empty() {
                        continue;
                    }
                    lb_arns.extend(tg.load_balancer_arns().iter().cloned());
                    groups.push(TargetGroupFacts {
                        name: tg.target_group_name().unwrap_or_default().to_string(),
                        protocol: tg.protocol().map(|p| p.as_str().to_string()).unwrap_or_default(),
                        port: tg.port().unwrap_or(0) as u16,
                        health_path: tg.health_check_path().unwrap_or("/").to_string(),
                        targets,
                    });
                }
                marker = page.next_marker().map(str::to_string);
                if marker.is_none() {
                    break;
                }
            }
            facts.target_groups = groups;
            if !lb_arns.is_empty() {
                let lbs = elb
                    .describe_load_balancers()
                    .set_load_balancer_arns(Some(lb_arns.into_iter().collect()))
                    .send()
                    .await
                    .map_err(classify)?;
                let alb_groups: Vec<String> =
                    lbs.load_balancers().iter().flat_map(|lb| lb.security_groups().iter().cloned()).collect();
                facts.security_path = Some(self.security_path(&q.region, instance, q.app_port, alb_groups).await?);
            }
        }
        if let Some(bucket) = &q.bucket {
            match self.0.s3(region).head_object().bucket(bucket).key("index.html").send().await {
                Ok(o) => {
                    facts.frontend_index = o.e_tag().map(|e| OriginObject {
                        etag: e.trim_matches('"').to_string(),
                        last_modified: o.last_modified().map(|t| t.to_string()),
                    })
                }
                Err(e) => match classify(e) {
                    // No index.html yet, or no bucket: nothing to compare.
                    PortError::NotFound(_) | PortError::Unsupported(_) | PortError::Rejected { .. } => {}
                    other => return Err(other),
                },
            }
        }
        Ok(facts)
    }
}

impl AwsInside {
    /// Does any security group of the instance let the ALB's groups (or the world) in on `port`?
    /// The rules come from the same reader the free path uses ([`Firewall::instance_rules`]).
    async fn security_path(
        &self,
        region: &Region,
        instance: &str,
        port: u16,
        alb_groups: Vec<String>,
    ) -> PortResult<SecurityPath> {
        let (instance_groups, rules) = Ec2(self.0.clone()).instance_rules(region, instance).await?;
        let allowed_by = rules.iter().filter(|r| r.covers(port)).find_map(|r| {
            let range = if r.protocol == "-1" { "all traffic".to_string() } else { format!("tcp {port}") };
            let from = r
                .source_groups
                .iter()
                .find(|g| alb_groups.contains(g))
                .map(String::as_str)
                .or_else(|| r.cidrs.iter().any(|c| c == "0.0.0.0/0").then_some("0.0.0.0/0"))?;
            Some(format!("{}: {range} from {from}", r.group_id))
        });
        Ok(SecurityPath { alb_groups, instance_groups, app_port: port, allowed_by })
    }
}
