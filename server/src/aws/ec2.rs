//! EC2: the instance behind the project.

use super::ec2_api::{Call, Node, Permission, Source};
use super::Aws;
use crate::ports::{Instances, PortError, PortResult};
use async_trait::async_trait;
use lockstep_domain::Region;
use std::net::Ipv4Addr;
use std::sync::Arc;

pub struct Ec2(pub Arc<Aws>);

/// `Ok(true)` when the change was made now, `Ok(false)` when EC2 refused it with one of
/// `codes`: the state was already what the call wanted (a retry, or a change made by hand).
pub(crate) fn done_or_already(answer: PortResult<Node>, codes: &[&str]) -> PortResult<bool> {
    match answer {
        Ok(_) => Ok(true),
        Err(PortError::Rejected { code, .. }) if codes.contains(&code.as_str()) => Ok(false),
        Err(e) => Err(e),
    }
}

/// An unknown instance id is "not found", in words.
fn instance_not_found(e: PortError, instance_id: &str, region: &Region) -> PortError {
    match e {
        PortError::Rejected { code, .. } if code.starts_with("InvalidInstanceID") => {
            PortError::NotFound(format!("instance {instance_id} in {region}"))
        }
        other => other,
    }
}

impl Ec2 {
    /// Adds the inbound rule; `Ok(false)` when it was there already (a retry, or the student
    /// opened it by hand): that is success.
    async fn authorize(&self, region: &Region, group_id: &str, permission: &Permission) -> PortResult<bool> {
        let call =
            Call::new("AuthorizeSecurityGroupIngress").named("GroupId", "group", group_id).permission(permission);
        let sent = self.0.ec2(region.as_str()).send(call).await;
        done_or_already(sent, &["InvalidPermission.Duplicate"])
    }

    /// The security group, `None` when it does not exist.
    async fn describe_group(&self, region: &Region, group_id: &str) -> PortResult<Option<Node>> {
        let call = Call::new("DescribeSecurityGroups").list("GroupId", "group", "groups", &[group_id]);
        match self.0.ec2(region.as_str()).send(call).await {
            Ok(out) => Ok(out.items("securityGroupInfo").find(|g| g.text_of("groupId") == Some(group_id)).cloned()),
            Err(PortError::Rejected { code, .. }) if code == "InvalidGroup.NotFound" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The instance, or "not found".
    pub(crate) async fn describe_instance(&self, region: &Region, instance_id: &str) -> PortResult<Node> {
        let call = Call::new("DescribeInstances").list("InstanceId", "instance", "instances", &[instance_id]);
        let out =
            self.0.ec2(region.as_str()).send(call).await.map_err(|e| instance_not_found(e, instance_id, region))?;
        out.items_at(&["reservationSet", "instancesSet"])
            .into_iter()
            .next()
            .cloned()
            .ok_or_else(|| PortError::NotFound(format!("instance {instance_id} in {region}")))
    }
}

/// The ids of an instance's security groups.
fn group_ids(instance: &Node) -> Vec<String> {
    instance.items("groupSet").filter_map(|g| g.text_of("groupId")).map(str::to_string).collect()
}

#[async_trait]
impl Instances for Ec2 {
    async fn public_ip(&self, region: &Region, instance_id: &str) -> PortResult<Option<Ipv4Addr>> {
        let instance = self.describe_instance(region, instance_id).await?;
        Ok(instance.text_of("ipAddress").and_then(|ip| ip.parse().ok()))
    }

    async fn is_elastic_ip(&self, region: &Region, ip: Ipv4Addr) -> PortResult<bool> {
        let ip = ip.to_string();
        let call = Call::new("DescribeAddresses").list("PublicIp", "address", "addresses", &[&ip]);
        match self.0.ec2(region.as_str()).send(call).await {
            Ok(out) => Ok(out.items("addressesSet").any(|a| a.text_of("publicIp") == Some(&ip))),
            // EC2 answers an unknown address in the filter with an error, not an empty list.
            Err(PortError::Rejected { code, .. }) if code == "InvalidAddress.NotFound" => Ok(false),
            Err(e) => Err(e),
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
        let call = Call::new("DescribeInstances").list("InstanceId", "instance", "instances", &[instance_id]);
        let ec2 = self.0.ec2(region.as_str());
        let out = ec2.send(call).await?;
        let groups: Vec<String> =
            out.items_at(&["reservationSet", "instancesSet"]).into_iter().flat_map(group_ids).collect();
        if groups.is_empty() {
            return Ok((groups, Vec::new()));
        }
        let ids: Vec<&str> = groups.iter().map(String::as_str).collect();
        let sgs = ec2.send(Call::new("DescribeSecurityGroups").list("GroupId", "group", "groups", &ids)).await?;
        let rules = sgs.items("securityGroupInfo").flat_map(rules_of).collect();
        Ok((groups, rules))
    }

    async fn open_to_world(&self, region: &Region, group_id: &str, port: u16) -> PortResult<bool> {
        let permission = Permission {
            ipv4: vec![Source::new("0.0.0.0/0", "lockstep: HTTPS path")],
            ipv6: vec![Source::new("::/0", "lockstep: HTTPS path")],
            ..Permission::tcp(port)
        };
        self.authorize(region, group_id, &permission).await
    }
}

#[async_trait]
impl crate::ports::Network for Ec2 {
    async fn instance_network(&self, region: &Region, instance_id: &str) -> PortResult<crate::ports::InstanceNetwork> {
        let i = self.describe_instance(region, instance_id).await?;
        Ok(crate::ports::InstanceNetwork {
            instance_id: instance_id.to_string(),
            vpc_id: i.text_of("vpcId").unwrap_or_default().to_string(),
            subnet_id: i.text_of("subnetId").unwrap_or_default().to_string(),
            availability_zone: i
                .child("placement")
                .and_then(|p| p.text_of("availabilityZone"))
                .unwrap_or_default()
                .to_string(),
            security_groups: group_ids(&i),
            state: i.child("instanceState").and_then(|s| s.text_of("name")).unwrap_or_default().to_string(),
        })
    }

    async fn subnets(&self, region: &Region, vpc_id: &str) -> PortResult<Vec<crate::ports::SubnetInfo>> {
        let ec2 = self.0.ec2(region.as_str());
        let subnets = ec2.send(Call::new("DescribeSubnets").filter("vpc-id", &[vpc_id])).await?;
        // One more call tells which subnets route to an internet gateway: a subnet uses its
        // explicitly associated route table, else the VPC's main one.
        let routes = match ec2.send(Call::new("DescribeRouteTables").filter("vpc-id", &[vpc_id])).await {
            Ok(r) => Some(r),
            Err(PortError::Denied { .. } | PortError::Unsupported(_)) => None,
            Err(other) => return Err(other),
        };
        let to_igw = |t: &Node| {
            t.items("routeSet").any(|r| {
                r.text_of("destinationCidrBlock") == Some("0.0.0.0/0")
                    && r.text_of("gatewayId").is_some_and(|g| g.starts_with("igw-"))
            })
        };
        // Sandbox: moto's default VPC has no internet gateway route (AWS's has one); judge its
        // subnets by their public-IP flag there instead of calling them all private.
        let any_igw = routes.as_ref().is_some_and(|r| r.items("routeTableSet").any(to_igw));
        let routes = if self.0.sandbox && !any_igw { None } else { routes };
        let internet = |subnet_id: &str| -> Option<bool> {
            let tables: Vec<&Node> = routes.as_ref()?.items("routeTableSet").collect();
            let own =
                tables.iter().find(|t| t.items("associationSet").any(|a| a.text_of("subnetId") == Some(subnet_id)));
            let main = tables.iter().find(|t| t.items("associationSet").any(|a| a.flag("main")));
            own.or(main).map(|t| to_igw(t))
        };
        Ok(subnets
            .items("subnetSet")
            .filter_map(|s| {
                let id = s.text_of("subnetId")?;
                Some(crate::ports::SubnetInfo {
                    subnet_id: id.to_string(),
                    availability_zone: s.text_of("availabilityZone").unwrap_or_default().to_string(),
                    cidr: s.text_of("cidrBlock").unwrap_or_default().to_string(),
                    map_public_ip: s.flag("mapPublicIpOnLaunch"),
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
        let call = Call::new("DescribeSecurityGroups").filter("vpc-id", &[vpc_id]).filter("group-name", &[name]);
        let out = self.0.ec2(region.as_str()).send(call).await?;
        let found = out.items("securityGroupInfo").find(|g| g.text_of("groupName") == Some(name)).map(|g| {
            crate::ports::SecurityGroupInfo {
                group_id: g.text_of("groupId").unwrap_or_default().to_string(),
                name: name.to_string(),
                vpc_id: g.text_of("vpcId").unwrap_or(vpc_id).to_string(),
            }
        });
        Ok(found)
    }

    async fn create_security_group(
        &self,
        region: &Region,
        vpc_id: &str,
        name: &str,
        description: &str,
    ) -> PortResult<crate::ports::SecurityGroupInfo> {
        let call = Call::new("CreateSecurityGroup")
            .named("GroupName", "group", name)
            .param("GroupDescription", description)
            .named("VpcId", "in", vpc_id);
        match self.0.ec2(region.as_str()).send(call).await {
            Ok(out) => Ok(crate::ports::SecurityGroupInfo {
                group_id: out.text_of("groupId").unwrap_or_default().to_string(),
                name: name.to_string(),
                vpc_id: vpc_id.to_string(),
            }),
            Err(PortError::Rejected { code, .. }) if code == "InvalidGroup.Duplicate" => {
                self.find_security_group(region, vpc_id, name).await?.ok_or_else(|| PortError::Rejected {
                    code,
                    message: format!("a security group named {name} exists but cannot be read"),
                })
            }
            Err(other) => Err(other),
        }
    }

    async fn allow_from_group(
        &self,
        region: &Region,
        group_id: &str,
        port: u16,
        source_group_id: &str,
    ) -> PortResult<bool> {
        let permission = Permission {
            groups: vec![Source::new(source_group_id, "lockstep: from the ALB")],
            ..Permission::tcp(port)
        };
        self.authorize(region, group_id, &permission).await
    }

    async fn revoke_ingress(&self, region: &Region, group_id: &str, port: u16, source: &str) -> PortResult<bool> {
        let Some(group) = self.describe_group(region, group_id).await? else { return Ok(false) };
        // The rule exactly as the group has it now (descriptions included: AWS ignores them on
        // revoke, the emulator insists on them), only the part that matches `source`.
        let wants_cidr = |c: &str| match source {
            "world" => c == "0.0.0.0/0" || c == "::/0",
            s => c == s,
        };
        let port = i32::from(port);
        let mut call = Call::new("RevokeSecurityGroupIngress").named("GroupId", "group", group_id);
        let mut any = false;
        for p in group.items("ipPermissions").map(Permission::from_xml) {
            if p.protocol != "tcp" || p.from_port != Some(port) || p.to_port != Some(port) {
                continue;
            }
            let matched = Permission {
                ipv4: p.ipv4.into_iter().filter(|r| wants_cidr(&r.source)).collect(),
                ipv6: p.ipv6.into_iter().filter(|r| wants_cidr(&r.source)).collect(),
                groups: p.groups.into_iter().filter(|g| g.source == source).collect(),
                ..Permission::tcp(port as u16)
            };
            if matched.ipv4.is_empty() && matched.ipv6.is_empty() && matched.groups.is_empty() {
                continue;
            }
            call = call.permission(&matched);
            any = true;
        }
        if !any {
            return Ok(false);
        }
        let sent = self.0.ec2(region.as_str()).send(call).await;
        done_or_already(sent, &["InvalidPermission.NotFound", "InvalidGroup.NotFound"])
    }

    async fn group_rules(&self, region: &Region, group_id: &str) -> PortResult<Option<Vec<crate::ports::IngressRule>>> {
        Ok(self.describe_group(region, group_id).await?.as_ref().map(rules_of))
    }

    async fn delete_security_group(&self, region: &Region, group_id: &str) -> PortResult<bool> {
        let call = Call::new("DeleteSecurityGroup").named("GroupId", "group", group_id);
        done_or_already(self.0.ec2(region.as_str()).send(call).await, &["InvalidGroup.NotFound"])
    }
}

/// The inbound rules of one security group (an `<item>` of `securityGroupInfo`).
fn rules_of(sg: &Node) -> Vec<crate::ports::IngressRule> {
    sg.items("ipPermissions")
        .map(Permission::from_xml)
        .map(|p| crate::ports::IngressRule {
            group_id: sg.text_of("groupId").unwrap_or_default().to_string(),
            protocol: p.protocol,
            from_port: p.from_port.unwrap_or(-1),
            to_port: p.to_port.unwrap_or(-1),
            cidrs: p.ipv4.into_iter().chain(p.ipv6).map(|r| r.source).collect(),
            source_groups: p.groups.into_iter().map(|g| g.source).collect(),
        })
        .collect()
}
