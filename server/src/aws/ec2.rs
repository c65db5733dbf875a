//! EC2: the instance behind the project.

use super::{classify, Aws};
use crate::ports::{Instances, PortError, PortResult};
use async_trait::async_trait;
use lockstep_domain::Region;
use std::net::Ipv4Addr;
use std::sync::Arc;

pub struct Ec2(pub Arc<Aws>);

impl Ec2 {
    /// Adds the inbound rule; `Ok(false)` when it was there already (a retry, or the student
    /// opened it by hand): that is success.
    async fn authorize(
        &self,
        region: &Region,
        group_id: &str,
        permission: aws_sdk_ec2::types::IpPermission,
    ) -> PortResult<bool> {
        let call = self.0.ec2(region.as_str()).authorize_security_group_ingress();
        match call.group_id(group_id).ip_permissions(permission).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "InvalidPermission.Duplicate" => Ok(false),
                other => Err(other),
            },
        }
    }

    /// The security group, `None` when it does not exist.
    async fn describe_group(
        &self,
        region: &Region,
        group_id: &str,
    ) -> PortResult<Option<aws_sdk_ec2::types::SecurityGroup>> {
        match self.0.ec2(region.as_str()).describe_security_groups().group_ids(group_id).send().await {
            Ok(out) => Ok(out.security_groups().iter().find(|g| g.group_id() == Some(group_id)).cloned()),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "InvalidGroup.NotFound" => Ok(None),
                other => Err(other),
            },
        }
    }
}

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
        let rules = sgs.security_groups().iter().flat_map(rules_of).collect();
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
        self.authorize(region, group_id, permission).await
    }
}

fn filter(name: &str, value: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder().name(name).values(value).build()
}

#[async_trait]
impl crate::ports::Network for Ec2 {
    async fn instance_network(&self, region: &Region, instance_id: &str) -> PortResult<crate::ports::InstanceNetwork> {
        let out =
            self.0.ec2(region.as_str()).describe_instances().instance_ids(instance_id).send().await.map_err(|e| {
                match classify(e) {
                    PortError::Rejected { code, .. } if code.starts_with("InvalidInstanceID") => {
                        PortError::NotFound(format!("instance {instance_id} in {region}"))
                    }
                    other => other,
                }
            })?;
        let Some(i) = out.reservations().iter().flat_map(|r| r.instances()).next() else {
            return Err(PortError::NotFound(format!("instance {instance_id} in {region}")));
        };
        Ok(crate::ports::InstanceNetwork {
            instance_id: instance_id.to_string(),
            vpc_id: i.vpc_id().unwrap_or_default().to_string(),
            subnet_id: i.subnet_id().unwrap_or_default().to_string(),
            availability_zone: i.placement().and_then(|p| p.availability_zone()).unwrap_or_default().to_string(),
            security_groups: i.security_groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect(),
            state: i.state().and_then(|s| s.name()).map(|n| n.as_str().to_string()).unwrap_or_default(),
        })
    }

    async fn subnets(&self, region: &Region, vpc_id: &str) -> PortResult<Vec<crate::ports::SubnetInfo>> {
        let ec2 = self.0.ec2(region.as_str());
        let subnets = ec2.describe_subnets().filters(filter("vpc-id", vpc_id)).send().await.map_err(classify)?;
        // One more call tells which subnets route to an internet gateway: a subnet uses its
        // explicitly associated route table, else the VPC's main one.
        let routes = match ec2.describe_route_tables().filters(filter("vpc-id", vpc_id)).send().await {
            Ok(r) => Some(r),
            Err(e) => match classify(e) {
                PortError::Denied { .. } | PortError::Unsupported(_) => None,
                other => return Err(other),
            },
        };
        let to_igw = |t: &aws_sdk_ec2::types::RouteTable| {
            t.routes().iter().any(|r| {
                r.destination_cidr_block() == Some("0.0.0.0/0") && r.gateway_id().is_some_and(|g| g.starts_with("igw-"))
            })
        };
        // Sandbox: moto's default VPC has no internet gateway route (AWS's has one); judge its
        // subnets by their public-IP flag there instead of calling them all private.
        let any_igw = routes.as_ref().is_some_and(|r| r.route_tables().iter().any(to_igw));
        let routes = if self.0.sandbox && !any_igw { None } else { routes };
        let internet = |subnet_id: &str| -> Option<bool> {
            let tables = routes.as_ref()?.route_tables();
            let own = tables.iter().find(|t| t.associations().iter().any(|a| a.subnet_id() == Some(subnet_id)));
            let main = tables.iter().find(|t| t.associations().iter().any(|a| a.main() == Some(true)));
            own.or(main).map(to_igw)
        };
        Ok(subnets
            .subnets()
            .iter()
            .filter_map(|s| {
                let id = s.subnet_id()?;
                Some(crate::ports::SubnetInfo {
                    subnet_id: id.to_string(),
                    availability_zone: s.availability_zone().unwrap_or_default().to_string(),
                    cidr: s.cidr_block().unwrap_or_default().to_string(),
                    map_public_ip: s.map_public_ip_on_launch().unwrap_or(false),
                    routes_to_internet: internet(id),
                })
            })
            .collect())
    }

    async fn find_security_group(
        &self,
        region: &Region,
        vpc_id: &str,
        name: &str,
    ) -> PortResult<Option<crate::ports::SecurityGroupInfo>> {
        let out = self
            .0
            .ec2(region.as_str())
            .describe_security_groups()
            .filters(filter("vpc-id", vpc_id))
            .filters(filter("group-name", name))
            .send()
            .await
            .map_err(classify)?;
        Ok(out.security_groups().iter().find(|g| g.group_name() == Some(name)).map(|g| {
            crate::ports::SecurityGroupInfo {
                group_id: g.group_id().unwrap_or_default().to_string(),
                name: name.to_string(),
                vpc_id: g.vpc_id().unwrap_or(vpc_id).to_string(),
            }
        }))
    }

    async fn create_security_group(
        &self,
        region: &Region,
        vpc_id: &str,
        name: &str,
        description: &str,
    ) -> PortResult<crate::ports::SecurityGroupInfo> {
        let sent = self
            .0
            .ec2(region.as_str())
            .create_security_group()
            .group_name(name)
            .description(description)
            .vpc_id(vpc_id)
            .send()
            .await;
        match sent {
            Ok(out) => Ok(crate::ports::SecurityGroupInfo {
                group_id: out.group_id().unwrap_or_default().to_string(),
                name: name.to_string(),
                vpc_id: vpc_id.to_string(),
            }),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "InvalidGroup.Duplicate" => {
                    self.find_security_group(region, vpc_id, name).await?.ok_or_else(|| PortError::Rejected {
                        code,
                        message: format!("a security group named {name} exists but cannot be read"),
                    })
                }
                other => Err(other),
            },
        }
    }

    async fn allow_from_group(
        &self,
        region: &Region,
        group_id: &str,
        port: u16,
        source_group_id: &str,
    ) -> PortResult<bool> {
        use aws_sdk_ec2::types::{IpPermission, UserIdGroupPair};
        let permission = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port as i32)
            .to_port(port as i32)
            .user_id_group_pairs(
                UserIdGroupPair::builder().group_id(source_group_id).description("lockstep: from the ALB").build(),
            )
            .build();
        self.authorize(region, group_id, permission).await
    }

    async fn revoke_ingress(&self, region: &Region, group_id: &str, port: u16, source: &str) -> PortResult<bool> {
        use aws_sdk_ec2::types::IpPermission;
        let Some(group) = self.describe_group(region, group_id).await? else { return Ok(false) };
        // The rule exactly as the group has it now (descriptions included: AWS ignores them on
        // revoke, the emulator insists on them), only the part that matches `source`.
        let wants_cidr = |c: &str| match source {
            "world" => c == "0.0.0.0/0" || c == "::/0",
            s => c == s,
        };
        let mut matched = Vec::new();
        for p in group.ip_permissions() {
            if p.ip_protocol() != Some("tcp") || p.from_port() != Some(port as i32) || p.to_port() != Some(port as i32)
            {
                continue;
            }
            let v4: Vec<_> = p.ip_ranges().iter().filter(|r| r.cidr_ip().is_some_and(wants_cidr)).cloned().collect();
            let v6: Vec<_> =
                p.ipv6_ranges().iter().filter(|r| r.cidr_ipv6().is_some_and(wants_cidr)).cloned().collect();
            let pairs: Vec<_> =
                p.user_id_group_pairs().iter().filter(|g| g.group_id() == Some(source)).cloned().collect();
            if v4.is_empty() && v6.is_empty() && pairs.is_empty() {
                continue;
            }
            matched.push(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(port as i32)
                    .to_port(port as i32)
                    .set_ip_ranges((!v4.is_empty()).then_some(v4))
                    .set_ipv6_ranges((!v6.is_empty()).then_some(v6))
                    .set_user_id_group_pairs((!pairs.is_empty()).then_some(pairs))
                    .build(),
            );
        }
        if matched.is_empty() {
            return Ok(false);
        }
        let revoke = self.0.ec2(region.as_str()).revoke_security_group_ingress();
        match revoke.group_id(group_id).set_ip_permissions(Some(matched)).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. }
                    if code == "InvalidPermission.NotFound" || code == "InvalidGroup.NotFound" =>
                {
                    Ok(false)
                }
                other => Err(other),
            },
        }
    }

    async fn group_rules(&self, region: &Region, group_id: &str) -> PortResult<Option<Vec<crate::ports::IngressRule>>> {
        Ok(self.describe_group(region, group_id).await?.as_ref().map(rules_of))
    }

    async fn delete_security_group(&self, region: &Region, group_id: &str) -> PortResult<bool> {
        match self.0.ec2(region.as_str()).delete_security_group().group_id(group_id).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "InvalidGroup.NotFound" => Ok(false),
                other => Err(other),
            },
        }
    }
}

/// The inbound rules of one security group.
fn rules_of(sg: &aws_sdk_ec2::types::SecurityGroup) -> Vec<crate::ports::IngressRule> {
    sg.ip_permissions()
        .iter()
        .map(|p| {
            let mut cidrs: Vec<String> = p.ip_ranges().iter().filter_map(|r| r.cidr_ip().map(str::to_string)).collect();
            cidrs.extend(p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6().map(str::to_string)));
            crate::ports::IngressRule {
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
            }
        })
        .collect()
}
