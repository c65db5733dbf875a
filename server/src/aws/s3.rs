//! S3 buckets for the frontend step: where the bucket lives, whether it is a static website,
//! and its policy (CloudFront's Origin Access Control needs a statement there).

use super::{classify, Aws};
use crate::ports::{Buckets, PortError, PortResult};
use async_trait::async_trait;
use lockstep_domain::Region;
use std::sync::Arc;

pub struct S3(pub Arc<Aws>);

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
        let out =
            self.0.s3(hint.as_str()).get_bucket_location().bucket(bucket).send().await.map_err(|e| {
                match classify(e) {
                    PortError::Rejected { code, message } if code == "NoSuchBucket" => {
                        PortError::NotFound(format!("S3 bucket {bucket} ({message})"))
                    }
                    other => other,
                }
            })?;
        let constraint = out.location_constraint().map(|c| c.as_str().to_string()).unwrap_or_default();
        let region = location_region(&constraint);
        Region::parse(&region).map_err(|_| PortError::Rejected {
            code: "UnsupportedRegion".into(),
            message: format!("the bucket {bucket} is in {region}, a region lockstep does not offer"),
        })
    }

    async fn website_enabled(&self, region: &Region, bucket: &str) -> PortResult<bool> {
        match self.0.s3(region.as_str()).get_bucket_website().bucket(bucket).send().await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "NoSuchWebsiteConfiguration" => Ok(false),
                PortError::NotFound(m) if m.contains("NoSuchWebsiteConfiguration") => Ok(false),
                other => Err(other),
            },
        }
    }

    async fn policy(&self, region: &Region, bucket: &str) -> PortResult<Option<String>> {
        match self.0.s3(region.as_str()).get_bucket_policy().bucket(bucket).send().await {
            Ok(out) => Ok(out.policy().map(str::to_string)),
            Err(e) => match classify(e) {
                PortError::Rejected { code, .. } if code == "NoSuchBucketPolicy" => Ok(None),
                PortError::NotFound(m) if m.contains("NoSuchBucketPolicy") => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn put_policy(&self, region: &Region, bucket: &str, policy: &str) -> PortResult<()> {
        self.0.s3(region.as_str()).put_bucket_policy().bucket(bucket).policy(policy).send().await.map_err(classify)?;
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
            Ok(_) => {}
            Err(PortError::Rejected { code, .. }) if code.starts_with("BucketAlready") => return Ok(()),
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
