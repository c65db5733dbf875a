//! The load balancer's pure rules (no I/O, unit-tested in `tests.rs`): the names lockstep gives
//! what it creates, the two subnets it picks, and whether what already exists can be reused.

use super::messages;
use crate::ports::{InstanceNetwork, ListenerAction, ListenerInfo, LoadBalancerInfo, SubnetInfo, TargetGroupInfo};
use lockstep_domain::UserError;

/// An AWS resource name from `prefix` + `slug`: lower-case letters, digits and single hyphens,
/// no hyphen at either end, at most `max` characters. A name that does not fit is cut and ends
/// with 4 hex digits of a hash of the whole name, so two long project names stay apart.
pub fn aws_name(prefix: &str, slug: &str, max: usize) -> String {
    let raw = format!("{prefix}{slug}").to_ascii_lowercase();
    let mut name = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if c == '-' && (name.is_empty() || name.ends_with('-')) {
            continue;
        }
        name.push(c);
    }
    let name = name.trim_end_matches('-').to_string();
    if name.len() <= max {
        return name;
    }
    // FNV-1a: stable across versions and platforms (the name is looked up again later).
    let hash = raw.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    let mut cut = name[..max - 5].trim_end_matches('-').to_string();
    cut.push_str(&format!("-{:04x}", hash & 0xffff));
    cut
}

/// The load balancer's and the target group's name (32 characters at most for both).
pub fn lb_name(slug: &str) -> String {
    aws_name("lockstep-", slug, 32)
}

/// The load balancer's security group name.
pub fn alb_group_name(slug: &str) -> String {
    aws_name("lockstep-alb-", slug, 255)
}

/// The `sg_rule` id: `sg-x:tcp:PORT:from:SRC`.
pub fn rule_id(group: &str, port: u16, source: &str) -> String {
    format!("{group}:tcp:{port}:from:{source}")
}

/// One subnet per AZ for the load balancer: a public one in the instance's own AZ (its target
/// is only used when that AZ is enabled on the load balancer), and a public one in one other AZ.
pub fn choose_subnets(instance: &InstanceNetwork, subnets: &[SubnetInfo]) -> Result<Vec<SubnetInfo>, UserError> {
    let vpc = &instance.vpc_id;
    let home_az = instance.availability_zone.as_str();
    let mut azs: Vec<&str> = subnets.iter().map(|s| s.availability_zone.as_str()).collect();
    azs.sort();
    azs.dedup();
    let suggested = suggest_az(home_az, &azs);
    if azs.len() < 2 {
        return Err(messages::too_few_zones(vpc, &azs, home_az, suggested.as_deref()));
    }
    let mut public: Vec<&SubnetInfo> = subnets.iter().filter(|s| s.is_public()).collect();
    public.sort_by(|a, b| (&a.availability_zone, &a.subnet_id).cmp(&(&b.availability_zone, &b.subnet_id)));
    let home = public
        .iter()
        .find(|s| s.subnet_id == instance.subnet_id)
        .or_else(|| public.iter().find(|s| s.availability_zone == home_az));
    let Some(home) = home else {
        return Err(messages::no_public_subnet_home(vpc, home_az));
    };
    let Some(other) = public.iter().find(|s| s.availability_zone != home.availability_zone) else {
        let others: Vec<&str> = azs.iter().copied().filter(|a| *a != home.availability_zone).collect();
        return Err(messages::no_public_subnet_elsewhere(vpc, &home.availability_zone, &others, suggested.as_deref()));
    };
    Ok(vec![(*home).clone(), (*other).clone()])
}

/// A zone of the instance's region that has no subnet yet (`ap-northeast-2b`), if one is plain.
fn suggest_az(home: &str, taken: &[&str]) -> Option<String> {
    let base = home.trim_end_matches(|c: char| c.is_ascii_lowercase());
    ["a", "b", "c", "d"]
        .iter()
        .map(|s| format!("{base}{s}"))
        .find(|az| !taken.contains(&az.as_str()) && !base.is_empty())
}

/// Refuses an existing target group lockstep cannot use as it is.
pub fn check_target_group(tg: &TargetGroupInfo, port: u16, vpc_id: &str) -> Result<(), UserError> {
    if !tg.protocol.eq_ignore_ascii_case("HTTP") {
        return Err(messages::target_group_protocol(tg, port));
    }
    if tg.port != port {
        return Err(messages::target_group_port(tg, port));
    }
    if tg.vpc_id != vpc_id {
        return Err(messages::target_group_vpc(tg, port, vpc_id));
    }
    if tg.target_type != "instance" {
        return Err(messages::target_group_type(tg, port));
    }
    Ok(())
}

/// Refuses an existing load balancer lockstep cannot use as it is.
pub fn check_load_balancer(lb: &LoadBalancerInfo, vpc_id: &str, instance_az: &str) -> Result<(), UserError> {
    if lb.lb_type != "application" || lb.scheme != "internet-facing" {
        return Err(messages::load_balancer_kind(lb));
    }
    if lb.vpc_id != vpc_id {
        return Err(messages::load_balancer_vpc(lb, vpc_id));
    }
    if !lb.availability_zones.is_empty() && !lb.availability_zones.iter().any(|z| z == instance_az) {
        return Err(messages::load_balancer_zone(lb, instance_az));
    }
    Ok(())
}

/// Is the existing 443 listener what lockstep would create?
pub fn https_listener_ok(l: &ListenerInfo, certificate_arn: &str, target_group_arn: &str) -> bool {
    l.protocol == "HTTPS"
        && l.certificate_arns.iter().any(|c| c == certificate_arn)
        && l.default_actions == [ListenerAction::Forward { target_group_arn: target_group_arn.to_string() }]
}

/// Is the existing 80 listener a redirect to HTTPS 443?
pub fn redirect_listener_ok(l: &ListenerInfo) -> bool {
    l.protocol == "HTTP"
        && matches!(l.default_actions.as_slice(), [ListenerAction::Redirect { protocol, port, status_code }]
            if protocol == "HTTPS" && port == "443" && status_code.starts_with("HTTP_30"))
}
