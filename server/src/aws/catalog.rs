//! The lists the new-project form picks from ([`crate::ports::InstanceCatalog`],
//! [`crate::ports::SsmReach`], [`crate::ports::BucketCatalog`]): read-only calls, a few pages
//! at most (a student team has a handful of instances and buckets).

use super::ec2::Ec2;
use super::ec2_api::Call;
use super::s3::S3;
use super::ssm::Ssm;
use super::{classify, Aws};
use crate::ports::{BucketCatalog, BucketSummary, InstanceCatalog, InstanceSummary, PortResult, SsmReach};
use async_trait::async_trait;
use lockstep_domain::Region;
use std::sync::Arc;

/// At most this many pages of any list (a page is up to 1,000 entries for EC2 and S3).
const MAX_PAGES: usize = 5;

#[async_trait]
impl InstanceCatalog for Ec2 {
    async fn running_instances(&self, region: &Region) -> PortResult<Vec<InstanceSummary>> {
        let ec2 = self.0.ec2(region.as_str());
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut call = Call::new("DescribeInstances").filter("instance-state-name", &["running"]);
            if let Some(t) = token.take() {
                call = call.param("NextToken", t);
            }
            let page = ec2.send(call).await?;
            for i in page.items_at(&["reservationSet", "instancesSet"]) {
                let Some(id) = i.text_of("instanceId") else { continue };
                out.push(InstanceSummary {
                    instance_id: id.to_string(),
                    name: i
                        .items("tagSet")
                        .find(|t| t.text_of("key") == Some("Name"))
                        .and_then(|t| t.text_of("value"))
                        .map(str::to_string),
                    public_ip: i.text_of("ipAddress").and_then(|ip| ip.parse().ok()),
                    security_groups: i
                        .items("groupSet")
                        .filter_map(|g| g.text_of("groupId"))
                        .map(str::to_string)
                        .collect(),
                });
            }
            token = page.text_of("nextToken").map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl SsmReach for Ssm {
    async fn online_instances(&self, region: &Region) -> PortResult<Vec<String>> {
        let client = self.client_for(region);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page =
                client.describe_instance_information().set_next_token(token.take()).send().await.map_err(classify)?;
            out.extend(
                page.instance_information_list()
                    .iter()
                    .filter(|i| i.ping_status().map(|p| p.as_str()) == Some("Online"))
                    .filter_map(|i| i.instance_id())
                    .map(str::to_string),
            );
            token = page.next_token().map(str::to_string).filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl BucketCatalog for S3 {
    async fn buckets(&self, region: &Region) -> PortResult<Vec<BucketSummary>> {
        let s3 = self.0.s3(region.as_str());
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = s3.list_buckets().set_continuation_token(token.take()).send().await.map_err(classify)?;
            out.extend(page.buckets().iter().filter_map(|b| {
                Some(BucketSummary {
                    name: b.name()?.to_string(),
                    region: b.bucket_region().and_then(|r| Region::parse(r).ok()),
                })
            }));
            token = page.continuation_token().map(str::to_string).filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

/// The three lists' adapters over one [`Aws`].
pub fn adapters(aws: &Arc<Aws>) -> (Arc<dyn InstanceCatalog>, Arc<dyn SsmReach>, Arc<dyn BucketCatalog>) {
    (Arc::new(Ec2(aws.clone())), Arc::new(Ssm::new(aws.clone())), Arc::new(S3(aws.clone())))
}
