//! Public DNS, as the rest of the internet sees it.

use super::*;

/// Public DNS, as the rest of the internet sees it.
#[async_trait]
pub trait PublicDns: Send + Sync + 'static {
    /// The NS records of `name` (lower case, no trailing dot); empty when there are none.
    async fn ns(&self, name: &DomainName) -> PortResult<Vec<String>>;
    /// The IPv4 addresses `name` resolves to (CNAMEs followed); empty when it has none.
    async fn a(&self, name: &DomainName) -> PortResult<Vec<std::net::Ipv4Addr>>;
    /// The CNAME target of `name` (a host name, lower case, no trailing dot), if it has one.
    /// `name` may be a label like `_x1.api.team.com` that is not a valid host name.
    async fn cname(&self, name: &str) -> PortResult<Option<String>>;
    /// The CAA records at exactly `name`, as (tag, value); empty when there are none.
    async fn caa(&self, name: &str) -> PortResult<Vec<(String, String)>>;
}

/// Name servers compared without case or trailing dot.
pub fn same_nameservers(a: &[String], b: &[String]) -> bool {
    let norm = |v: &[String]| {
        let mut v: Vec<String> = v.iter().map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase()).collect();
        v.sort();
        v.dedup();
        v
    };
    !a.is_empty() && norm(a) == norm(b)
}
