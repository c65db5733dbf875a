//! Elastic Load Balancing v2: the project's application load balancer, its target group and
//! listeners (the ALB step of the paid path).

use super::{classify, Aws};
use crate::ports::{
    ListenerAction, ListenerInfo, Listeners, LoadBalancerInfo, LoadBalancerSpec, LoadBalancers, PortError, PortResult,
    TargetGroupInfo, TargetGroupSpec, TargetGroups, TargetHealth, ALB_SSL_POLICY, HEALTH_MATCHER,
};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, IpAddressType, Listener, LoadBalancer, LoadBalancerSchemeEnum,
    LoadBalancerTypeEnum, Matcher, ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum, TargetDescription,
    TargetGroup, TargetTypeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;
use lockstep_domain::Region;
use std::sync::Arc;

enum Source {
    Aws(Arc<Aws>),
    /// One client for every region (scripted replies in tests).
    Fixed(Client),
}

pub struct Elb(Source);

impl Elb {
    pub fn new(aws: Arc<Aws>) -> Elb {
        Elb(Source::Aws(aws))
    }
    /// Over a given client (scripted replies in tests); the region argument is then ignored.
    pub fn with_client(client: Client) -> Elb {
        Elb(Source::Fixed(client))
    }
    fn client(&self, region: &Region) -> Client {
        match &self.0 {
            Source::Aws(aws) => aws.elbv2(region.as_str()),
            Source::Fixed(c) => c.clone(),
        }
    }
}

fn lb_info(lb: &LoadBalancer) -> LoadBalancerInfo {
    LoadBalancerInfo {
        arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
        name: lb.load_balancer_name().unwrap_or_default().to_string(),
        dns_name: lb.dns_name().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase(),
        canonical_hosted_zone_id: lb.canonical_hosted_zone_id().unwrap_or_default().to_string(),
        state: lb.state().and_then(|s| s.code()).map(|c| c.as_str().to_string()).unwrap_or_default(),
        vpc_id: lb.vpc_id().unwrap_or_default().to_string(),
        scheme: lb.scheme().map(|s| s.as_str().to_string()).unwrap_or_default(),
        lb_type: lb.r#type().map(|t| t.as_str().to_string()).unwrap_or_default(),
        availability_zones: lb.availability_zones().iter().filter_map(|z| z.zone_name().map(str::to_string)).collect(),
        security_groups: lb.security_groups().to_vec(),
    }
}

fn tg_info(tg: &TargetGroup) -> TargetGroupInfo {
    TargetGroupInfo {
        arn: tg.target_group_arn().unwrap_or_default().to_string(),
        name: tg.target_group_name().unwrap_or_default().to_string(),
        protocol: tg.protocol().map(|p| p.as_str().to_string()).unwrap_or_default(),
        port: tg.port().unwrap_or(0).clamp(0, u16::MAX as i32) as u16,
        vpc_id: tg.vpc_id().unwrap_or_default().to_string(),
        health_path: tg.health_check_path().unwrap_or("/").to_string(),
        matcher: tg.matcher().and_then(|m| m.http_code()).unwrap_or_default().to_string(),
        target_type: tg.target_type().map(|t| t.as_str().to_string()).unwrap_or_else(|| "instance".into()),
        load_balancers: tg.load_balancer_arns().to_vec(),
    }
}

fn action(a: &Action) -> ListenerAction {
    match a.r#type() {
        Some(ActionTypeEnum::Forward) => {
            let arn = a.target_group_arn().map(str::to_string).or_else(|| {
                a.forward_config()
                    .and_then(|f| (f.target_groups().len() == 1).then(|| f.target_groups()[0].target_group_arn()))
                    .flatten()
                    .map(str::to_string)
            });
            match arn {
                Some(target_group_arn) => ListenerAction::Forward { target_group_arn },
                None => ListenerAction::Other("forward to several target groups".into()),
            }
        }
        Some(ActionTypeEnum::Redirect) => {
            let r = a.redirect_config();
            ListenerAction::Redirect {
                protocol: r.and_then(|r| r.protocol()).unwrap_or("#{protocol}").to_string(),
                port: r.and_then(|r| r.port()).unwrap_or("#{port}").to_string(),
                status_code: r.and_then(|r| r.status_code()).map(|s| s.as_str().to_string()).unwrap_or_default(),
            }
        }
        Some(other) => ListenerAction::Other(other.as_str().to_string()),
        None => ListenerAction::Other("unknown".into()),
    }
}

fn listener_info(l: &Listener) -> ListenerInfo {
    ListenerInfo {
        arn: l.listener_arn().unwrap_or_default().to_string(),
        protocol: l.protocol().map(|p| p.as_str().to_string()).unwrap_or_default(),
        port: l.port().unwrap_or(0).clamp(0, u16::MAX as i32) as u16,
        certificate_arns: l.certificates().iter().filter_map(|c| c.certificate_arn().map(str::to_string)).collect(),
        ssl_policy: l.ssl_policy().map(str::to_string),
        default_actions: l.default_actions().iter().map(action).collect(),
    }
}

fn rejected_code(e: &PortError, codes: &[&str]) -> bool {
    match e {
        PortError::Rejected { code, .. } => codes.iter().any(|c| code == c || code == &format!("{c}Exception")),
        PortError::NotFound(m) => codes.iter().any(|c| m.starts_with(c)),
        _ => false,
    }
}

/// For CreateLoadBalancer and CreateListener: the SDK sends them once, without retries of its
/// own. Sent again after the answer was lost, AWS answers with what the first call made, but
/// the sandbox's emulator makes a second load balancer of the same name, or a second listener
/// on the same port. After a fault the ALB step looks first (the load balancer by its name, the
/// listeners by port) and finds what the lost answer was about (issue 20).
fn sent_once() -> aws_sdk_elasticloadbalancingv2::config::Builder {
    aws_sdk_elasticloadbalancingv2::config::Builder::default()
        .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
}

fn missing(what: &str) -> PortError {
    PortError::Unavailable(format!("ELB answered without the {what}"))
}

#[async_trait]
impl LoadBalancers for Elb {
    async fn find_load_balancer(&self, region: &Region, name: &str) -> PortResult<Option<LoadBalancerInfo>> {
        match self.client(region).describe_load_balancers().names(name).send().await {
            Ok(out) => Ok(out.load_balancers().iter().find(|lb| lb.load_balancer_name() == Some(name)).map(lb_info)),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["LoadBalancerNotFound"]) => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn create_load_balancer(&self, region: &Region, spec: &LoadBalancerSpec) -> PortResult<LoadBalancerInfo> {
        let sent = self
            .client(region)
            .create_load_balancer()
            .name(&spec.name)
            .r#type(LoadBalancerTypeEnum::Application)
            .scheme(LoadBalancerSchemeEnum::InternetFacing)
            .ip_address_type(IpAddressType::Ipv4)
            .set_subnets(Some(spec.subnets.clone()))
            .security_groups(&spec.security_group)
            .customize()
            .config_override(sent_once())
            .send()
            .await;
        match sent {
            Ok(out) => out.load_balancers().first().map(lb_info).ok_or_else(|| missing("load balancer")),
            Err(e) => match classify(e) {
                // AWS returns the existing one for the same name and settings; with other
                // settings it refuses. Either way the one by that name is what exists.
                e if rejected_code(&e, &["DuplicateLoadBalancerName"]) => {
                    self.find_load_balancer(region, &spec.name).await?.ok_or(e)
                }
                other => Err(other),
            },
        }
    }

    async fn load_balancer(&self, region: &Region, arn: &str) -> PortResult<LoadBalancerInfo> {
        match self.client(region).describe_load_balancers().load_balancer_arns(arn).send().await {
            Ok(out) => out
                .load_balancers()
                .first()
                .map(lb_info)
                .ok_or_else(|| PortError::NotFound(format!("load balancer {arn}"))),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["LoadBalancerNotFound"]) => {
                    Err(PortError::NotFound(format!("LoadBalancerNotFound: load balancer {arn}")))
                }
                other => Err(other),
            },
        }
    }

    async fn delete_load_balancer(&self, region: &Region, arn: &str) -> PortResult<bool> {
        // AWS answers success for a load balancer that no longer exists; look first so the
        // caller can tell "deleted now" from "was gone".
        match self.load_balancer(region, arn).await {
            Err(PortError::NotFound(_)) => return Ok(false),
            Err(other) => return Err(other),
            Ok(_) => {}
        }
        match self.client(region).delete_load_balancer().load_balancer_arn(arn).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["LoadBalancerNotFound"]) => Ok(false),
                other => Err(other),
            },
        }
    }
}

#[async_trait]
impl TargetGroups for Elb {
    async fn find_target_group(&self, region: &Region, name: &str) -> PortResult<Option<TargetGroupInfo>> {
        match self.client(region).describe_target_groups().names(name).send().await {
            Ok(out) => Ok(out.target_groups().iter().find(|t| t.target_group_name() == Some(name)).map(tg_info)),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["TargetGroupNotFound"]) => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn create_target_group(&self, region: &Region, spec: &TargetGroupSpec) -> PortResult<TargetGroupInfo> {
        let sent = self
            .client(region)
            .create_target_group()
            .name(&spec.name)
            .protocol(ProtocolEnum::Http)
            .port(spec.port as i32)
            .vpc_id(&spec.vpc_id)
            .target_type(TargetTypeEnum::Instance)
            .health_check_enabled(true)
            .health_check_protocol(ProtocolEnum::Http)
            .health_check_path(&spec.health_path)
            .matcher(Matcher::builder().http_code(HEALTH_MATCHER).build())
            .send()
            .await;
        match sent {
            Ok(out) => out.target_groups().first().map(tg_info).ok_or_else(|| missing("target group")),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["DuplicateTargetGroupName"]) => {
                    self.find_target_group(region, &spec.name).await?.ok_or(e)
                }
                other => Err(other),
            },
        }
    }

    async fn set_health_check(&self, region: &Region, target_group_arn: &str, path: &str) -> PortResult<()> {
        self.client(region)
            .modify_target_group()
            .target_group_arn(target_group_arn)
            .health_check_protocol(ProtocolEnum::Http)
            .health_check_path(path)
            .matcher(Matcher::builder().http_code(HEALTH_MATCHER).build())
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn register_instance(
        &self,
        region: &Region,
        target_group_arn: &str,
        instance_id: &str,
        port: u16,
    ) -> PortResult<()> {
        self.client(region)
            .register_targets()
            .target_group_arn(target_group_arn)
            .targets(TargetDescription::builder().id(instance_id).port(port as i32).build())
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn target_health(&self, region: &Region, target_group_arn: &str) -> PortResult<Vec<TargetHealth>> {
        let out = self
            .client(region)
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| TargetHealth {
                target_id: d.target().and_then(|t| t.id()).unwrap_or_default().to_string(),
                port: d.target().and_then(|t| t.port()).unwrap_or(0).clamp(0, u16::MAX as i32) as u16,
                state: d.target_health().and_then(|h| h.state()).map(|s| s.as_str().to_string()).unwrap_or_default(),
                reason: d.target_health().and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                description: d.target_health().and_then(|h| h.description()).map(str::to_string),
            })
            .collect())
    }

    async fn target_group(&self, region: &Region, arn: &str) -> PortResult<Option<TargetGroupInfo>> {
        match self.client(region).describe_target_groups().target_group_arns(arn).send().await {
            Ok(out) => Ok(out.target_groups().iter().find(|t| t.target_group_arn() == Some(arn)).map(tg_info)),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["TargetGroupNotFound"]) => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn delete_target_group(&self, region: &Region, arn: &str) -> PortResult<bool> {
        if self.target_group(region, arn).await?.is_none() {
            return Ok(false);
        }
        match self.client(region).delete_target_group().target_group_arn(arn).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["TargetGroupNotFound"]) => Ok(false),
                other => Err(other),
            },
        }
    }
}

#[async_trait]
impl Listeners for Elb {
    async fn listeners(&self, region: &Region, load_balancer_arn: &str) -> PortResult<Vec<ListenerInfo>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client(region)
                .describe_listeners()
                .load_balancer_arn(load_balancer_arn)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(classify)?;
            out.extend(page.listeners().iter().map(listener_info));
            match page.next_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn create_https_listener(
        &self,
        region: &Region,
        load_balancer_arn: &str,
        certificate_arn: &str,
        target_group_arn: &str,
    ) -> PortResult<ListenerInfo> {
        let out = self
            .client(region)
            .create_listener()
            .load_balancer_arn(load_balancer_arn)
            .protocol(ProtocolEnum::Https)
            .port(443)
            .ssl_policy(ALB_SSL_POLICY)
            .certificates(Certificate::builder().certificate_arn(certificate_arn).build())
            .default_actions(
                Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(target_group_arn).build(),
            )
            .customize()
            .config_override(sent_once())
            .send()
            .await
            .map_err(classify)?;
        out.listeners().first().map(listener_info).ok_or_else(|| missing("listener"))
    }

    async fn create_redirect_listener(&self, region: &Region, load_balancer_arn: &str) -> PortResult<ListenerInfo> {
        let out = self
            .client(region)
            .create_listener()
            .load_balancer_arn(load_balancer_arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Redirect)
                    .redirect_config(
                        RedirectActionConfig::builder()
                            .protocol("HTTPS")
                            .port("443")
                            .status_code(RedirectActionStatusCodeEnum::Http301)
                            .build(),
                    )
                    .build(),
            )
            .customize()
            .config_override(sent_once())
            .send()
            .await
            .map_err(classify)?;
        out.listeners().first().map(listener_info).ok_or_else(|| missing("listener"))
    }

    async fn delete_listener(&self, region: &Region, arn: &str) -> PortResult<bool> {
        match self.client(region).delete_listener().listener_arn(arn).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                e if rejected_code(&e, &["ListenerNotFound", "LoadBalancerNotFound"]) => Ok(false),
                other => Err(other),
            },
        }
    }
}
