//! At most one describe per resource per interval, whoever asks.
//!
//! Several steps read the same certificate or distribution (the records wait, the issue wait,
//! the frontend's certificate check, the doctor), and two runs may poll the same one. These
//! decorators keep the answer of a describe for `interval` (the poll interval: 10 s on real
//! AWS, 1 s in the sandbox) and hand it to any caller within that time, so AWS sees at most
//! one describe per resource per interval, while a step still learns of a change within one
//! interval. Anything that changes the resource (delete, disable) drops its cached answer.

use crate::ports::*;
use async_trait::async_trait;
use lockstep_domain::{DomainName, Region};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Answers by key, each kept for `interval`.
struct Memo<T> {
    interval: Duration,
    answers: Mutex<HashMap<String, (Instant, T)>>,
}

impl<T: Clone> Memo<T> {
    fn new(interval: Duration) -> Memo<T> {
        Memo { interval, answers: Mutex::new(HashMap::new()) }
    }
    fn get(&self, key: &str) -> Option<T> {
        let map = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key).filter(|(at, _)| at.elapsed() < self.interval).map(|(_, v)| v.clone())
    }
    fn put(&self, key: &str, v: T) {
        let mut map = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (at, _)| at.elapsed() < self.interval);
        map.insert(key.to_string(), (Instant::now(), v));
    }
    fn forget(&self, key: &str) {
        self.answers.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// ACM with paced describes.
pub struct PacedCa {
    inner: Arc<dyn CertificateAuthority>,
    memo: Memo<CertificateInfo>,
}

impl PacedCa {
    pub fn new(inner: Arc<dyn CertificateAuthority>, interval: Duration) -> PacedCa {
        PacedCa { inner, memo: Memo::new(interval) }
    }
}

#[async_trait]
impl CertificateAuthority for PacedCa {
    async fn request(&self, region: &Region, names: &[DomainName], token: &str) -> PortResult<String> {
        self.inner.request(region, names, token).await
    }
    async fn describe(&self, region: &Region, arn: &str) -> PortResult<CertificateInfo> {
        if let Some(info) = self.memo.get(arn) {
            return Ok(info);
        }
        let info = self.inner.describe(region, arn).await?;
        self.memo.put(arn, info.clone());
        Ok(info)
    }
    async fn list(&self, region: &Region) -> PortResult<Vec<CertificateSummary>> {
        self.inner.list(region).await
    }
    async fn delete(&self, region: &Region, arn: &str) -> PortResult<()> {
        self.memo.forget(arn);
        self.inner.delete(region, arn).await
    }
}

/// CloudFront distributions with paced reads.
pub struct PacedDistributions {
    inner: Arc<dyn Distributions>,
    memo: Memo<DistributionInfo>,
}

impl PacedDistributions {
    pub fn new(inner: Arc<dyn Distributions>, interval: Duration) -> PacedDistributions {
        PacedDistributions { inner, memo: Memo::new(interval) }
    }
}

#[async_trait]
impl Distributions for PacedDistributions {
    async fn list_distributions(&self) -> PortResult<Vec<DistributionInfo>> {
        self.inner.list_distributions().await
    }
    async fn distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        if let Some(d) = self.memo.get(id) {
            return Ok(d);
        }
        let d = self.inner.distribution(id).await?;
        self.memo.put(id, d.clone());
        Ok(d)
    }
    async fn create_distribution(&self, spec: &DistributionSpec) -> PortResult<DistributionInfo> {
        self.inner.create_distribution(spec).await
    }
    async fn disable_distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        self.memo.forget(id);
        let d = self.inner.disable_distribution(id).await;
        self.memo.forget(id);
        d
    }
    async fn delete_distribution(&self, id: &str, etag: &str) -> PortResult<()> {
        self.memo.forget(id);
        let r = self.inner.delete_distribution(id, etag).await;
        self.memo.forget(id);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);

    #[async_trait]
    impl CertificateAuthority for Counting {
        async fn request(&self, _: &Region, _: &[DomainName], _: &str) -> PortResult<String> {
            Ok("arn".into())
        }
        async fn describe(&self, _: &Region, arn: &str) -> PortResult<CertificateInfo> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(CertificateInfo {
                arn: arn.into(),
                domain: "api.team.com".into(),
                names: vec![],
                status: CertStatus::PendingValidation,
                validation: vec![],
                failure_reason: None,
                in_use_by: vec![],
                created_at_ms: None,
                not_after_ms: None,
            })
        }
        async fn list(&self, _: &Region) -> PortResult<Vec<CertificateSummary>> {
            Ok(vec![])
        }
        async fn delete(&self, _: &Region, _: &str) -> PortResult<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn one_describe_per_resource_per_interval() {
        let inner = Arc::new(Counting(AtomicUsize::new(0)));
        let paced = PacedCa::new(inner.clone(), Duration::from_millis(200));
        let r = Region::us_east_1();
        for _ in 0..5 {
            paced.describe(&r, "a").await.unwrap();
        }
        paced.describe(&r, "b").await.unwrap();
        assert_eq!(inner.0.load(Ordering::SeqCst), 2, "one per resource");
        tokio::time::sleep(Duration::from_millis(250)).await;
        paced.describe(&r, "a").await.unwrap();
        assert_eq!(inner.0.load(Ordering::SeqCst), 3, "asked again after the interval");
        paced.delete(&r, "a").await.unwrap();
        paced.describe(&r, "a").await.unwrap();
        assert_eq!(inner.0.load(Ordering::SeqCst), 4, "a delete drops the kept answer");
    }
}
