//! S3 buckets.

use super::*;

/// S3 buckets, as far as the frontend step needs them.
#[async_trait]
pub trait Buckets: Send + Sync + 'static {
    /// The region the bucket lives in (GetBucketLocation), asked through the endpoint of
    /// `hint`, the region the project says it is in.
    async fn region(&self, hint: &Region, bucket: &str) -> PortResult<Region>;
    /// Whether static website hosting is on (GetBucketWebsite has a configuration).
    async fn website_enabled(&self, region: &Region, bucket: &str) -> PortResult<bool>;
    /// The bucket policy JSON; `None` when the bucket has none.
    async fn policy(&self, region: &Region, bucket: &str) -> PortResult<Option<String>>;
    async fn put_policy(&self, region: &Region, bucket: &str, policy: &str) -> PortResult<()>;
    /// Removes the bucket policy (when the last statement in it was lockstep's).
    async fn delete_policy(&self, region: &Region, bucket: &str) -> PortResult<()>;
}
