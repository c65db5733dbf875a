//! The frontend's pure rules: S3 endpoints, names within AWS's limits, which certificate
//! CloudFront accepts, which distribution may be reused, which names are taken, and the
//! distribution lockstep asks for. No I/O (unit-tested in `tests.rs`).

use super::messages;
use super::{CdnInput, OriginChoice, CACHING_OPTIMIZED, PRICE_CLASS};
use crate::ports::{
    CertStatus, CertificateInfo, DistributionInfo, DistributionSpec, DistributionStatus, OriginSpec, PortError,
    LOCKSTEP_COMMENT_PREFIX,
};
use lockstep_domain::{Arn, DomainName, Region, UserError};

/// Regions whose S3 website endpoint has a dash (`s3-website-REGION`); every other region uses
/// a dot (`s3-website.REGION`). From AWS's table of website endpoints.
const DASH_WEBSITE_REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-west-1",
    "sa-east-1",
    "us-gov-west-1",
];

/// The bucket's static-website endpoint host (HTTP only).
pub fn website_endpoint(bucket: &str, region: &Region) -> String {
    let r = region.as_str();
    if DASH_WEBSITE_REGIONS.contains(&r) {
        format!("{bucket}.s3-website-{r}.amazonaws.com")
    } else {
        format!("{bucket}.s3-website.{r}.amazonaws.com")
    }
}

/// The bucket's regional REST endpoint host.
pub fn rest_endpoint(bucket: &str, region: &Region) -> String {
    format!("{bucket}.s3.{}.amazonaws.com", region.as_str())
}

/// The Origin Access Control lockstep uses for a bucket (names are at most 64 characters).
pub fn oac_name(bucket: &str) -> String {
    let mut n = format!("lockstep-{bucket}");
    n.truncate(64);
    n
}

/// The comment on the distribution (at most 128 characters).
pub fn comment(project_slug: &str, bucket: &str) -> String {
    let mut c = format!("{LOCKSTEP_COMMENT_PREFIX} {project_slug} frontend (s3://{bucket})");
    while c.len() > 128 {
        c.pop();
    }
    c
}

/// The region in an ACM certificate ARN (`arn:aws:acm:REGION:ACCOUNT:certificate/ID`).
pub fn certificate_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "acm", region, _, _, ..] if !region.is_empty() => Some(region),
        _ => None,
    }
}

/// Refuses a certificate CloudFront cannot use because of where it is, from the ARN alone,
/// before anything is asked of ACM or CloudFront.
pub fn check_certificate_region(arn: &Arn) -> Result<(), UserError> {
    match certificate_region(arn.as_str()) {
        Some("us-east-1") => Ok(()),
        Some(region) => Err(messages::certificate_region_wrong(region)),
        None => Err(messages::not_a_certificate_arn(arn.as_str())),
    }
}

/// Refuses a certificate that is not ISSUED or does not cover every alias (one-label
/// wildcards: `*.example.com` covers `www.example.com`, not `example.com`). `info` is what ACM
/// in us-east-1 says about it.
pub fn check_certificate(info: &CertificateInfo, aliases: &[DomainName]) -> Result<(), UserError> {
    if info.status != CertStatus::Issued {
        let pending = info.status == CertStatus::PendingValidation;
        return Err(messages::certificate_not_issued(info.status.acm_word(), pending));
    }
    let mut names: Vec<DomainName> = info.names.iter().filter_map(|n| DomainName::parse(n).ok()).collect();
    if let Ok(d) = DomainName::parse(&info.domain) {
        names.push(d);
    }
    let missing: Vec<&str> =
        aliases.iter().filter(|a| !names.iter().any(|n| n.covers(a))).map(DomainName::as_str).collect();
    if !missing.is_empty() {
        let has: Vec<&str> = names.iter().map(DomainName::as_str).collect();
        return Err(messages::certificate_misses_names(&missing, &has));
    }
    Ok(())
}

fn sorted_aliases(aliases: &[DomainName]) -> Vec<String> {
    let mut v: Vec<String> = aliases.iter().map(|a| a.as_str().to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// A distribution lockstep made earlier for the same bucket origin and the same names.
pub fn reusable<'a>(
    all: &'a [DistributionInfo],
    origin_domain: &str,
    aliases: &[DomainName],
) -> Option<&'a DistributionInfo> {
    let want = sorted_aliases(aliases);
    all.iter().find(|d| {
        let mut have = d.aliases.clone();
        have.sort();
        have.dedup();
        d.enabled
            && d.comment.starts_with(LOCKSTEP_COMMENT_PREFIX)
            && d.origins.iter().any(|o| o.domain_name.eq_ignore_ascii_case(origin_domain))
            && have == want
    })
}

/// Aliases that already belong to one of the account's distributions: (alias, distribution).
pub fn alias_conflicts<'a>(
    aliases: &'a [DomainName],
    all: &'a [DistributionInfo],
) -> Vec<(&'a str, &'a DistributionInfo)> {
    aliases
        .iter()
        .filter_map(|a| all.iter().find(|d| d.aliases.iter().any(|x| x == a.as_str())).map(|d| (a.as_str(), d)))
        .collect()
}

/// The refusal for [`alias_conflicts`], naming each distribution.
pub fn conflict_error(conflicts: &[(&str, &DistributionInfo)]) -> UserError {
    let held: Vec<String> =
        conflicts.iter().map(|(a, d)| format!("{a} (distribution {}, {})", d.id, d.domain_name)).collect();
    messages::aliases_held(&held)
}

/// The distribution lockstep creates for this input and origin.
pub fn frontend_spec(inp: &CdnInput, origin: &OriginChoice, caller_reference: &str) -> DistributionSpec {
    DistributionSpec {
        caller_reference: caller_reference.to_string(),
        comment: comment(&inp.project_slug, &inp.bucket),
        origin: OriginSpec {
            kind: origin.kind,
            domain_name: origin.origin_domain.clone(),
            oac_id: origin.oac_id.clone(),
        },
        aliases: inp.aliases.clone(),
        certificate_arn: served_certificate(inp).map(|a| a.as_str().to_string()),
        default_root_object: "index.html".into(),
        spa_fallback_codes: vec![403, 404],
        cache_policy_id: CACHING_OPTIMIZED.into(),
        price_class: PRICE_CLASS.into(),
    }
}

/// The certificate the distribution serves: the input's when there are aliases, else none
/// (CloudFront's default certificate for `dxxxx.cloudfront.net`).
pub fn served_certificate(inp: &CdnInput) -> Option<&Arn> {
    if inp.aliases.is_empty() {
        None
    } else {
        inp.certificate_arn.as_ref()
    }
}

/// CloudFront's spelling of a distribution status.
pub fn status_text(s: &DistributionStatus) -> &str {
    match s {
        DistributionStatus::InProgress => "InProgress",
        DistributionStatus::Deployed => "Deployed",
        DistributionStatus::Other(o) => o,
    }
}

/// CloudFront says the distribution does not exist.
pub fn is_no_such_distribution(e: &PortError) -> bool {
    match e {
        PortError::NotFound(m) => m.contains("NoSuchDistribution"),
        PortError::Rejected { code, .. } => code == "NoSuchDistribution",
        _ => false,
    }
}
