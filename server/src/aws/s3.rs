//! S3 buckets for the frontend step: where the bucket lives, whether it is a static website,
//! and its policy (CloudFront's Origin Access Control needs a statement there).

use super::ec2::done_or_already;
use super::ec2_api::{Call, Permission, Source};
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
        let ec2 = self.0.ec2(region.as_str());
        let find = Call::new("DescribeInstances")
            .filter("tag:Name", &["lockstep-demo"])
            .filter("instance-state-name", &["running"]);
        let found = ec2.send(find).await?;
        let running = found.items_at(&["reservationSet", "instancesSet"]);
        if let Some(id) = running.iter().find_map(|i| i.text_of("instanceId")) {
            return Ok(id.to_string());
        }
        let vpcs = ec2.send(Call::new("DescribeVpcs")).await?;
        let vpc = vpcs
            .items("vpcSet")
            .find(|v| v.flag("isDefault"))
            .and_then(|v| v.text_of("vpcId"))
            .ok_or_else(|| PortError::NotFound(format!("a default VPC in {region}")))?
            .to_string();
        // Every call below is safe to make again: start-up tries again after a fault, and a
        // call whose answer was lost (then sent again) has already happened. Like a real
        // default VPC: its subnets route to an internet gateway (moto's do not).
        let igws = ec2.send(Call::new("DescribeInternetGateways").filter("attachment.vpc-id", &[&vpc])).await?;
        let igw = match igws.items("internetGatewaySet").find_map(|g| g.text_of("internetGatewayId")) {
            Some(igw) => igw.to_string(),
            None => {
                let made = ec2.send(Call::new("CreateInternetGateway")).await?;
                let igw =
                    made.child("internetGateway").and_then(|g| g.text_of("internetGatewayId")).unwrap_or_default();
                let attach = Call::new("AttachInternetGateway")
                    .named("InternetGatewayId", "gateway", igw)
                    .named("VpcId", "to", &vpc);
                done_or_already(ec2.send(attach).await, &["Resource.AlreadyAssociated"])?;
                igw.to_string()
            }
        };
        let tables = ec2.send(Call::new("DescribeRouteTables").filter("vpc-id", &[&vpc])).await?;
        let main = tables.items("routeTableSet").find(|t| t.items("associationSet").any(|a| a.flag("main")));
        if let Some(main) = main.and_then(|t| t.text_of("routeTableId")) {
            let route = Call::new("CreateRoute")
                .named("RouteTableId", "route table", main)
                .named("DestinationCidrBlock", "to", "0.0.0.0/0")
                .named("GatewayId", "via", &igw);
            done_or_already(ec2.send(route).await, &["RouteAlreadyExists"])?;
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
        let world = Source { source: "0.0.0.0/0".into(), description: None };
        let ssh = Permission { ipv4: vec![world], ..Permission::tcp(22) };
        let ssh = Call::new("AuthorizeSecurityGroupIngress").named("GroupId", "group", &sg).permission(&ssh);
        done_or_already(ec2.send(ssh).await, &["InvalidPermission.Duplicate"])?;
        // Sent once, without retries: the emulator ignores the client token, so a call sent
        // again after its answer was lost makes a second instance. The next try finds the
        // first one by its tag.
        let run = Call::new("RunInstances")
            .named("ImageId", "image", "ami-03cf127a")
            .param("InstanceType", "t2.micro")
            .param("MinCount", "1")
            .param("MaxCount", "1")
            .list("SecurityGroupId", "security group", "security groups", &[&sg])
            .name_instance("lockstep-demo")
            .once();
        let run = ec2.send(run).await?;
        let id = run.items("instancesSet").find_map(|i| i.text_of("instanceId")).map(str::to_string);
        id.ok_or_else(|| PortError::Unavailable("RunInstances returned no instance".into()))
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
