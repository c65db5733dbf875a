//! S3 buckets for the frontend step: where the bucket lives, whether it is a static website,
//! and its policy (CloudFront's Origin Access Control needs a statement there).

use super::{classify, Aws};
use crate::ports::{Buckets, PortError, PortResult};
use async_trait::async_trait;
use lockstep_domain::Region;
use std::sync::Arc;

pub struct S3(pub Arc<Aws>);

impl S3 {
    /// The account a bucket must belong to when a team's role acts (`ExpectedBucketOwner`):
    /// AWS then refuses another account's bucket even where its policy would let the role in.
    fn owner(&self) -> Option<String> {
        self.0.acting_account()
    }
}

/// GetBucketLocation's answer as a region: empty means us-east-1, and the legacy `EU` means
/// eu-west-1.
pub fn location_region(constraint: &str) -> String {
    match constraint {
        "" => "us-east-1".into(),
        "EU" => "eu-west-1".into(),
        other => other.to_string(),
    }
}

#[async_trait]
impl Buckets for S3 {
    async fn region(&self, hint: &Region, bucket: &str) -> PortResult<Region> {
        let out = self
            .0
            .s3(hint.as_str())
            .get_bucket_location()
            .bucket(bucket)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| match classify(e) {
                PortError::Rejected { code, message } if code == "NoSuchBucket" => {
                    PortError::NotFound(format!("S3 bucket {bucket} ({message})"))
                }
                other => other,
            })?;
        let constraint = out.location_constraint().map(|c| c.as_str().to_string()).unwrap_or_default();
        let region = location_region(&constraint);
        Region::parse(&region).map_err(|_| PortError::Rejected {
            code: "UnsupportedRegion".into(),
            message: format!("the bucket {bucket} is in {region}, a region lockstep does not offer"),
        })
    }

    async fn website_enabled(&self, region: &Region, bucket: &str) -> PortResult<bool> {
        match self
            .0
            .s3(region.as_str())
            .get_bucket_website()
            .bucket(bucket)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "NoSuchWebsiteConfiguration" => Ok(false),
                PortError::NotFound(m) if m.contains("NoSuchWebsiteConfiguration") => Ok(false),
                other => Err(other),
            },
        }
    }

    async fn policy(&self, region: &Region, bucket: &str) -> PortResult<Option<String>> {
        match self
            .0
            .s3(region.as_str())
            .get_bucket_policy()
            .bucket(bucket)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
        {
            Ok(out) => Ok(out.policy().map(str::to_string)),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "NoSuchBucketPolicy" => Ok(None),
                PortError::NotFound(m) if m.contains("NoSuchBucketPolicy") => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn delete_policy(&self, region: &Region, bucket: &str) -> PortResult<()> {
        self.0
            .s3(region.as_str())
            .delete_bucket_policy()
            .bucket(bucket)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn put_policy(&self, region: &Region, bucket: &str, policy: &str) -> PortResult<()> {
        self.0
            .s3(region.as_str())
            .put_bucket_policy()
            .bucket(bucket)
            .policy(policy)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

/// The sandbox plays the team's existing frontend bucket: a project created in the sandbox gets
/// its bucket in moto (website hosting on, an index.html), so the frontend step has something
/// to serve. Never used with real AWS.
pub struct SandboxBuckets(pub Arc<Aws>);

#[async_trait]
impl crate::ports::SandboxWorld for SandboxBuckets {
    async fn prepare_bucket(&self, region: &Region, bucket: &str) -> PortResult<()> {
        use aws_sdk_s3::primitives::ByteStream;
        use aws_sdk_s3::types::{
            BucketLocationConstraint, CreateBucketConfiguration, ErrorDocument, IndexDocument, WebsiteConfiguration,
        };
        let s3 = self.0.s3(region.as_str());
        let mut create = s3.create_bucket().bucket(bucket);
        if region.as_str() != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region.as_str()))
                    .build(),
            );
        }
        match create.send().await.map_err(classify) {
            // Already this account's: made by an earlier project, or by this very call when its
            // first answer was lost and the SDK sent it again. Website hosting and the page are
            // set again either way (both calls are safe to repeat), so a lost answer never
            // leaves a bucket without them.
            Ok(_) => {}
            Err(PortError::Rejected { code, .. }) if code == "BucketAlreadyOwnedByYou" => {}
            // Another account's name (never in the sandbox's single account): nothing to set up.
            Err(PortError::Rejected { code, .. }) if code == "BucketAlreadyExists" => return Ok(()),
            Err(e) => return Err(e),
        }
        s3.put_bucket_website()
            .bucket(bucket)
            .website_configuration(
                WebsiteConfiguration::builder()
                    .index_document(IndexDocument::builder().suffix("index.html").build().map_err(build_err)?)
                    .error_document(ErrorDocument::builder().key("index.html").build().map_err(build_err)?)
                    .build(),
            )
            .send()
            .await
            .map_err(classify)?;
        s3.put_object()
            .bucket(bucket)
            .key("index.html")
            .content_type("text/html")
            .body(ByteStream::from_static(
                b"<!doctype html><title>sandbox frontend</title><h1>Hello from the sandbox bucket</h1>",
            ))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn demo_instance(&self, region: &Region) -> PortResult<String> {
        use aws_sdk_ec2::types::{Filter, InstanceType, ResourceType, Tag, TagSpecification};
        let ec2 = self.0.ec2(region.as_str());
        let tagged = Filter::builder().name("tag:Name").values("lockstep-demo").build();
        let running = Filter::builder().name("instance-state-name").values("running").build();
        let found = ec2.describe_instances().filters(tagged).filters(running).send().await.map_err(classify)?;
        if let Some(id) = found.reservations().iter().flat_map(|r| r.instances()).find_map(|i| i.instance_id()) {
            return Ok(id.to_string());
        }
        let vpcs = ec2.describe_vpcs().send().await.map_err(classify)?;
        let vpc = vpcs
            .vpcs()
            .iter()
            .find(|v| v.is_default() == Some(true))
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| PortError::NotFound(format!("a default VPC in {region}")))?
            .to_string();
        // Every call below is safe to make again: start-up tries again after a fault, and a
        // call whose answer was lost (then sent again by the SDK) has already happened. Like a
        // real default VPC: its subnets route to an internet gateway (moto's do not).
        let attached = Filter::builder().name("attachment.vpc-id").values(&vpc).build();
        let igws = ec2.describe_internet_gateways().filters(attached).send().await.map_err(classify)?;
        let igw = match igws.internet_gateways().iter().find_map(|g| g.internet_gateway_id()) {
            Some(igw) => igw.to_string(),
            None => {
                let igw = ec2.create_internet_gateway().send().await.map_err(classify)?;
                let igw = igw.internet_gateway().and_then(|g| g.internet_gateway_id()).unwrap_or_default().to_string();
                let attach = ec2.attach_internet_gateway().internet_gateway_id(&igw).vpc_id(&vpc).send().await;
                already(attach.map_err(classify), "Resource.AlreadyAssociated")?;
                igw
            }
        };
        let tables = ec2
            .describe_route_tables()
            .filters(Filter::builder().name("vpc-id").values(&vpc).build())
            .send()
            .await
            .map_err(classify)?;
        if let Some(main) = tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
            .and_then(|t| t.route_table_id())
        {
            let route = ec2
                .create_route()
                .route_table_id(main)
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id(&igw)
                .send()
                .await;
            already(route.map_err(classify), "RouteAlreadyExists")?;
        }
        let network = super::ec2::Ec2(self.0.clone());
        let sg = crate::ports::Network::create_security_group(
            &network,
            region,
            &vpc,
            "lockstep-demo-app",
            "the demo app (sandbox)",
        )
        .await?
        .group_id;
        let ssh = ec2
            .authorize_security_group_ingress()
            .group_id(&sg)
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await;
        already(ssh.map_err(classify), "InvalidPermission.Duplicate")?;
        let run = ec2
            .run_instances()
            .image_id("ami-03cf127a")
            .instance_type(InstanceType::T2Micro)
            .min_count(1)
            .max_count(1)
            .security_group_ids(&sg)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Instance)
                    .tags(Tag::builder().key("Name").value("lockstep-demo").build())
                    .build(),
            )
            // Sent once, without the SDK's retries: the emulator ignores the client token, so a
            // call sent again after its answer was lost makes a second instance. The next try
            // finds the first one by its tag.
            .customize()
            .config_override(
                aws_sdk_ec2::config::Builder::default().retry_config(aws_smithy_types::retry::RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(classify)?;
        run.instances()
            .first()
            .and_then(|i| i.instance_id())
            .map(str::to_string)
            .ok_or_else(|| PortError::Unavailable("RunInstances returned no instance".into()))
    }
}

/// `Ok` also when AWS says the change is there already (`code`): it happened on an earlier try.
fn already<T>(answer: PortResult<T>, code: &str) -> PortResult<()> {
    match answer {
        Err(PortError::Rejected { code: c, .. }) if c == code => Ok(()),
        other => other.map(|_| ()),
    }
}

fn build_err(e: aws_sdk_s3::error::BuildError) -> PortError {
    PortError::Rejected { code: "InvalidRequest".into(), message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints_become_regions() {
        assert_eq!(location_region(""), "us-east-1");
        assert_eq!(location_region("EU"), "eu-west-1");
        assert_eq!(location_region("ap-northeast-2"), "ap-northeast-2");
    }
}
