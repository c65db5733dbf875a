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
}
