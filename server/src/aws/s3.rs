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
