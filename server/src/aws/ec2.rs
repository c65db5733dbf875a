//! EC2: the instance behind the project.

use super::{classify, Aws};
use crate::ports::{Instances, PortError, PortResult};
use async_trait::async_trait;
use lockstep_domain::Region;
use std::net::Ipv4Addr;
use std::sync::Arc;

pub struct Ec2(pub Arc<Aws>);

#[async_trait]
impl Instances for Ec2 {
    async fn public_ip(&self, region: &Region, instance_id: &str) -> PortResult<Option<Ipv4Addr>> {
        let out =
            self.0.ec2(region.as_str()).describe_instances().instance_ids(instance_id).send().await.map_err(|e| {
                match classify(e) {
                    PortError::Rejected { code, .. } if code.starts_with("InvalidInstanceID") => {
                        PortError::NotFound(format!("instance {instance_id} in {region}"))
                    }
                    other => other,
                }
            })?;
        let instance = out.reservations().iter().flat_map(|r| r.instances()).next();
        let Some(instance) = instance else {
            return Err(PortError::NotFound(format!("instance {instance_id} in {region}")));
        };
        Ok(instance.public_ip_address().and_then(|ip| ip.parse().ok()))
    }

    async fn is_elastic_ip(&self, region: &Region, ip: Ipv4Addr) -> PortResult<bool> {
        match self.0.ec2(region.as_str()).describe_addresses().public_ips(ip.to_string()).send().await {
            Ok(out) => Ok(out.addresses().iter().any(|a| a.public_ip() == Some(&ip.to_string()))),
            Err(e) => match classify(e) {
                // EC2 answers an unknown address in the filter with an error, not an empty list.
                PortError::Rejected { code, .. } if code == "InvalidAddress.NotFound" => Ok(false),
                other => Err(other),
            },
        }
    }
}

#[async_trait]
impl crate::ports::Firewall for Ec2 {
    async fn instance_rules(
        &self,
        region: &Region,
        instance_id: &str,
    ) -> PortResult<(Vec<String>, Vec<crate::ports::IngressRule>)> {
        let ec2 = self.0.ec2(region.as_str());
        let out = ec2.describe_instances().instance_ids(instance_id).send().await.map_err(classify)?;
        let groups: Vec<String> = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .flat_map(|i| i.security_groups())
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect();
        if groups.is_empty() {
            return Ok((groups, Vec::new()));
        }
        let sgs = ec2.describe_security_groups().set_group_ids(Some(groups.clone())).send().await.map_err(classify)?;
        let mut rules = Vec::new();
        for sg in sgs.security_groups() {
            for p in sg.ip_permissions() {
                let mut cidrs: Vec<String> =
                    p.ip_ranges().iter().filter_map(|r| r.cidr_ip().map(str::to_string)).collect();
                cidrs.extend(p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6().map(str::to_string)));
                rules.push(crate::ports::IngressRule {
                    group_id: sg.group_id().unwrap_or_default().to_string(),
                    protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                    from_port: p.from_port().unwrap_or(-1),
                    to_port: p.to_port().unwrap_or(-1),
                    cidrs,
                    source_groups: p
                        .user_id_group_pairs()
                        .iter()
                        .filter_map(|g| g.group_id().map(str::to_string))
                        .collect(),
                });
            }
        }
        Ok((groups, rules))
    }

    async fn open_to_world(&self, region: &Region, group_id: &str, port: u16) -> PortResult<bool> {
        use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range};
        let permission = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port as i32)
            .to_port(port as i32)
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").description("lockstep: HTTPS path").build())
            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").description("lockstep: HTTPS path").build())
            .build();
        match self
            .0
            .ec2(region.as_str())
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                // Already there (a retry, or the student opened it by hand): that is success.
                PortError::Rejected { code, .. } if code == "InvalidPermission.Duplicate" => Ok(false),
                other => Err(other),
            },
        }
    }
}
