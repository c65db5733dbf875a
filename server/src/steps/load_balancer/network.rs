//! `alb.network`: the certificate is in the load balancer's region, the instance is in a VPC,
//! and the VPC has public subnets in two availability zones (the instance's and one more).

use super::messages::{self, Task};
use super::{aws_id, certificate_arn, rules, AlbDeps, AlbInput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::PortError;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{SecurityGroupId, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct FindNetwork(pub Arc<AlbDeps>);

/// Where the load balancer goes. Creates nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkOutput {
    pub vpc_id: String,
    pub instance_subnet: String,
    pub instance_az: String,
    pub instance_security_groups: Vec<SecurityGroupId>,
    /// The load balancer's two subnets: the instance's zone first.
    pub subnets: Vec<String>,
    pub availability_zones: Vec<String>,
}

#[async_trait]
impl Step for FindNetwork {
    const KIND: StepKind = StepKind::LoadBalancerNetwork;
    type Input = AlbInput;
    type Output = NetworkOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<NetworkOutput>, StepError> {
        let cert = certificate_arn(ctx, &inp).await?;
        match (cert.service(), cert.region()) {
            ("acm", r) if r == inp.region.as_str() => {}
            ("acm", r) if !r.is_empty() => {
                return Err(StepError::Fatal(messages::certificate_in_other_region(r, &inp.region, &inp.api)))
            }
            _ => return Err(StepError::Fatal(messages::not_a_certificate(&cert))),
        }
        let net = match self.0.network.instance_network(&inp.region, inp.instance_id.as_str()).await {
            Ok(n) => n,
            Err(PortError::NotFound(_)) => {
                return Err(StepError::Fatal(messages::instance_missing(&inp.region, &inp.instance_id)))
            }
            Err(e) => return Err(port_error(&messages::task(Task::ReadInstance(&inp.instance_id)), e)),
        };
        if net.vpc_id.is_empty() || net.subnet_id.is_empty() {
            return Err(StepError::Fatal(messages::instance_not_in_vpc(&inp.instance_id)));
        }
        let subnets = self
            .0
            .network
            .subnets(&inp.region, &net.vpc_id)
            .await
            .map_err(|e| port_error(&messages::task(Task::ListSubnets(&net.vpc_id)), e))?;
        let chosen = rules::choose_subnets(&net, &subnets).map_err(StepError::Fatal)?;
        let [home, other] = chosen.as_slice() else {
            return Err(StepError::invariant("choose_subnets did not choose two subnets"));
        };
        let mut note = messages::network_chosen(
            &net.vpc_id,
            (&home.availability_zone, &home.subnet_id),
            (&other.availability_zone, &other.subnet_id),
        );
        if net.state != "running" && !net.state.is_empty() {
            note = note.then(&messages::instance_not_running(&net.state));
        }
        let instance_security_groups = net
            .security_groups
            .iter()
            .map(|g| aws_id(SecurityGroupId::parse(g), "an instance's security group"))
            .collect::<Result<Vec<_>, _>>()?;
        let output = NetworkOutput {
            vpc_id: net.vpc_id,
            instance_subnet: net.subnet_id,
            instance_az: net.availability_zone,
            instance_security_groups,
            subnets: chosen.iter().map(|s| s.subnet_id.clone()).collect(),
            availability_zones: chosen.iter().map(|s| s.availability_zone.clone()).collect(),
        };
        Ok(StepOutcome::Done { note: Some(note), output })
    }
}
