//! The frontend step: a CloudFront distribution in front of the project's S3 bucket, with the
//! project's names, the us-east-1 certificate, HTTP redirected to HTTPS, an SPA fallback, and
//! alias records in the hosted zone. Also the separate one-step invalidation run.
//!
//! Four durable sub-steps ([`STEPS`]), each safe to re-run after a crash at any point:
//! 1. `cdn.origin`: read the bucket's region and website hosting; website hosting on means the
//!    website endpoint as a custom HTTP-only origin, off means the REST endpoint signed by an
//!    Origin Access Control (created or reused by name);
//! 2. `cdn.create`: refuse early, with the reason and the fix, a certificate CloudFront cannot
//!    use (not in us-east-1, not ISSUED, not covering every alias) and an alias another
//!    distribution already has; reuse a distribution lockstep made earlier for the same bucket
//!    and names; else create one, the CallerReference committed before CreateDistribution so a
//!    retry never makes a second. With an OAC, the bucket policy gets the statement that lets
//!    this distribution (and only it) read;
//! 3. `cdn.await_deployed`: poll until CloudFront says Deployed (5-15 minutes on AWS);
//! 4. `cdn.records`: UPSERT alias A and AAAA records per name to the distribution, then wait
//!    for INSYNC; without names the frontend is `https://dxxxx.cloudfront.net`.
//!
//! ## Starting the runs (for the service layer)
//! The frontend run: `start_run(project_id, RUN_KIND, json(&CdnInput { .. }), &STEPS)` with
//! `bucket` / `bucket_region` from the project spec, `aliases` = the name plan's frontend names
//! (`plan.frontend`), `certificate_arn` = the ARN of the ISSUED us-east-1 certificate (the
//! certificate run's `cert.request` output) covering them (`None` when there are no aliases),
//! `zone_id` = `plan.zone_id` (`None` for a domain whose DNS is elsewhere), `project_slug` = the
//! project's name. After every redeploy of the frontend: `start_run(project_id,
//! INVALIDATE_RUN_KIND, json(&InvalidateInput { distribution_id }), &INVALIDATE_STEPS)` with the
//! id from the `cdn.create` output (`distribution_id`).

use super::port_error;
use crate::faults;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{
    AliasTarget, Buckets, Cdn, CertStatus, CertificateAuthority, CertificateInfo, ChangeStatus, DistributionInfo,
    DistributionSpec, DistributionStatus, DnsZones, OriginKind, OriginSpec, PortError, RecordSet, CLOUDFRONT_ZONE_ID,
    LOCKSTEP_COMMENT_PREFIX,
};
use async_trait::async_trait;
use lockstep_domain::RunKind;
use lockstep_domain::{msg, DomainName, Region, StepKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Frontend;

/// The steps of a frontend run, in order.
pub const STEPS: [StepKind; 4] =
    [StepKind::CdnOrigin, StepKind::CdnCreate, StepKind::CdnAwaitDeployed, StepKind::CdnRecords];

/// The one-step run that clears CloudFront's cache after a redeploy.
pub const INVALIDATE_RUN_KIND: RunKind = RunKind::FrontendInvalidate;
pub const INVALIDATE_STEPS: [StepKind; 1] = [StepKind::CdnInvalidate];

/// AWS's managed cache policy "CachingOptimized".
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// The cheapest price class: edge locations in North America and Europe only (Asian visitors
/// are served from there too, a little slower). AWS bills per request and GB either way.
pub const PRICE_CLASS: &str = "PriceClass_100";

/// What a frontend run acts on, fixed when the run starts (from the project and its name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdnInput {
    pub bucket: String,
    /// Where the project says the bucket is (the step reads the real one and uses that).
    pub bucket_region: Region,
    /// The frontend names (CloudFront aliases); empty = only `dxxxx.cloudfront.net`.
    pub aliases: Vec<DomainName>,
    /// An ISSUED ACM certificate in us-east-1 covering every alias.
    pub certificate_arn: Option<String>,
    /// The hosted zone for the alias records; `None` when the domain's DNS is elsewhere.
    pub zone_id: Option<String>,
    /// Names the distribution's comment.
    pub project_slug: String,
}

/// What an invalidation run acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidateInput {
    pub distribution_id: String,
}

pub struct CdnDeps {
    pub cdn: Arc<dyn Cdn>,
    pub buckets: Arc<dyn Buckets>,
    pub ca: Arc<dyn CertificateAuthority>,
    pub dns: Arc<dyn DnsZones>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
}

/// The `cdn.origin` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginChoice {
    pub bucket: String,
    pub region: Region,
    pub kind: OriginKind,
    pub origin_domain: String,
    pub oac_id: Option<String>,
}

fn input<T: serde::de::DeserializeOwned>(ctx: &StepCtx) -> Result<T, StepError> {
    serde_json::from_value(ctx.input().clone()).map_err(|e| StepError::Store(format!("frontend run input: {e}")))
}

fn store_err(what: &str) -> impl Fn(serde_json::Error) -> StepError + '_ {
    move |e| StepError::Store(format!("{what}: {e}"))
}

// ---- Pure rules (unit-tested below) ----

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

/// Refuses a certificate CloudFront cannot use, before anything is asked of CloudFront. `info`
/// is what ACM in us-east-1 says about it (the region is checked first, from the ARN alone).
pub fn check_certificate_region(arn: &str) -> Result<(), UserError> {
    match certificate_region(arn) {
        Some("us-east-1") => Ok(()),
        Some(region) => Err(UserError {
            ko: lockstep_domain::ko(
                format!("인증서가 {region} 리전에 있지만, CloudFront는 us-east-1(버지니아 북부) 리전의 인증서만 사용합니다."),
                "CloudFront는 글로벌 서비스라서 us-east-1에 있는 ACM 인증서만 읽습니다. 앱 리전에 있는 인증서는 그 리전의 로드 밸런서에는 쓸 수 있지만, CloudFront에는 쓸 수 없습니다.",
                "us-east-1에서 인증서를 다시 요청한 뒤(lockstep의 인증서 단계가 프론트엔드 이름에 대해 이 작업을 해 줍니다) 프론트엔드 단계를 다시 시작하세요.",
            ),
            what: format!("The certificate is in {region}, but CloudFront only uses certificates from us-east-1 (N. Virginia)."),
            why: "CloudFront is a global service and reads certificates from ACM in us-east-1 only; a certificate in your app's region works for a load balancer there, not for CloudFront.".into(),
            fix: "Request the certificate again in us-east-1 (lockstep's certificate step does this for the frontend names), then start the frontend step again.".into(),
        }),
        None => Err(UserError {
            ko: lockstep_domain::ko(
                format!("\"{arn}\"은(는) ACM 인증서 ARN이 아닙니다."),
                "CloudFront에는 ACM 인증서의 ARN(arn:aws:acm:us-east-1:ACCOUNT:certificate/ID)이 필요합니다.",
                "먼저 인증서 단계를 완료하세요. lockstep이 인증서의 ARN을 자동으로 넘겨줍니다.",
            ),
            what: format!("\"{arn}\" is not an ACM certificate ARN."),
            why: "CloudFront needs the ARN of an ACM certificate (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID).".into(),
            fix: "Finish the certificate step first; lockstep passes its ARN on by itself.".into(),
        }),
    }
}

/// Refuses a certificate that is not ISSUED or does not cover every alias (one-label
/// wildcards: `*.example.com` covers `www.example.com`, not `example.com`).
pub fn check_certificate(info: &CertificateInfo, aliases: &[DomainName]) -> Result<(), UserError> {
    if info.status != CertStatus::Issued {
        let status = match &info.status {
            CertStatus::PendingValidation => "PENDING_VALIDATION".to_string(),
            CertStatus::Other(s) => s.clone(),
            other => format!("{other:?}").to_ascii_uppercase(),
        };
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("인증서가 아직 발급되지 않았습니다. ACM 상태: {status}."),
                "CloudFront는 발급 완료(ISSUED) 상태의 인증서만 받습니다. 다른 상태의 인증서로는 AWS가 배포 생성을 거부합니다.",
                if info.status == CertStatus::PendingValidation {
                    "인증서 단계가 끝날 때까지 기다린 뒤(ACM 상태가 ISSUED가 될 때까지 기다리며, 보통 3~10분 걸립니다) 여기서 \"다시 시도\"를 누르세요."
                } else {
                    "이 인증서는 더 이상 발급될 수 없습니다. 인증서 단계에서 새 인증서를 요청한 뒤 프론트엔드 단계를 다시 시작하세요."
                },
            ),
            what: format!("The certificate is not issued yet: ACM says {status}."),
            why:
                "CloudFront accepts only an ISSUED certificate; AWS refuses to create the distribution with any other."
                    .into(),
            fix: if info.status == CertStatus::PendingValidation {
                "Let the certificate step finish (it waits until ACM says ISSUED, usually 3-10 minutes), then press Retry here.".into()
            } else {
                "This certificate can no longer be issued: request a new one in the certificate step, then start the frontend step again.".into()
            },
        });
    }
    let mut names: Vec<DomainName> = info.names.iter().filter_map(|n| DomainName::parse(n).ok()).collect();
    if let Ok(d) = DomainName::parse(&info.domain) {
        names.push(d);
    }
    let missing: Vec<&str> =
        aliases.iter().filter(|a| !names.iter().any(|n| n.covers(a))).map(DomainName::as_str).collect();
    if !missing.is_empty() {
        let has: Vec<&str> = names.iter().map(DomainName::as_str).collect();
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("인증서에 {}이(가) 포함되어 있지 않습니다.", missing.join(", ")),
                format!(
                    "이 인증서는 {}만 포함합니다. CloudFront에는 모든 대체 도메인 이름을 포함하는 인증서가 필요하며, 포함되지 않은 이름에서는 브라우저가 이름 오류(ERR_CERT_COMMON_NAME_INVALID)를 표시합니다. 와일드카드는 정확히 한 단계만 포함합니다. *.example.com은 www.example.com은 포함하지만 example.com은 포함하지 않습니다.",
                    has.join(", ")
                ),
                "프로젝트의 이름들로 인증서 단계를 다시 실행한 뒤(모든 이름을 포함하는 인증서 하나를 요청합니다) 프론트엔드 단계를 다시 시작하세요.",
            ),
            what: format!("The certificate does not cover {}.", missing.join(", ")),
            why: format!(
                "It is for {} only. CloudFront needs a certificate that covers every alternate name; browsers would show a name error (ERR_CERT_COMMON_NAME_INVALID) for the rest. A wildcard covers exactly one label: *.example.com covers www.example.com but not example.com.",
                has.join(", ")
            ),
            fix: "Run the certificate step again for the project's names (it requests one certificate covering all of them), then start the frontend step again.".into(),
        });
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

fn conflict_error(conflicts: &[(&str, &DistributionInfo)]) -> UserError {
    let list: Vec<String> =
        conflicts.iter().map(|(a, d)| format!("{a} (distribution {}, {})", d.id, d.domain_name)).collect();
    UserError {
        ko: lockstep_domain::ko(
            format!("이 이름들은 이미 계정의 다른 CloudFront 배포에 연결되어 있습니다: {}.", list.join("; ")),
            "하나의 이름은 AWS 전체에서 단 하나의 CloudFront 배포에만 대체 도메인 이름으로 지정할 수 있습니다. 같은 이름으로 배포를 하나 더 만들면 실패합니다(CNAMEAlreadyExists).",
            "그 배포가 이 프론트엔드의 예전 사본이라면, CloudFront 콘솔에서 열어 설정(Settings) > 대체 도메인 이름(Alternate domain names)에서 이름을 제거하세요(또는 배포를 비활성화한 뒤 삭제하세요). 그런 다음 \"다시 시도\"를 누르세요.",
        ),
        what: format!("These names already belong to another CloudFront distribution in your account: {}.", list.join("; ")),
        why: "A name can be the alternate domain name of only one CloudFront distribution in all of AWS; creating another with it fails (CNAMEAlreadyExists).".into(),
        fix: "If that distribution is an old copy of this frontend, open it in the CloudFront console and remove the name under Settings > Alternate domain names (or disable and delete it), then press Retry.".into(),
    }
}

/// CloudFront's CNAMEAlreadyExists, in plain words.
pub fn cname_taken(aliases: &[DomainName], message: &str) -> UserError {
    let names: Vec<&str> = aliases.iter().map(DomainName::as_str).collect();
    UserError {
        ko: lockstep_domain::ko(
            format!(
                "CloudFront가 이름 {}을(를) 거부했습니다. 다른 배포가 이미 그중 하나를 사용하고 있습니다(CNAMEAlreadyExists).",
                names.join(", ")
            ),
            format!(
                "하나의 이름은 AWS 전체에서 단 하나의 CloudFront 배포에만 연결될 수 있습니다. 이 계정에는 그 이름을 가진 배포가 없으므로, 아마 다른 AWS 계정에 있을 것입니다. 예전 수업용 계정이나 팀원의 계정, 또는 튜토리얼을 따라 하며 직접 만든 배포일 수 있습니다. AWS 메시지: {message}"
            ),
            "그 이름을 가진 계정에서 해당 배포의 이름을 제거한 뒤(CloudFront 콘솔 > 해당 배포 > 설정(Settings) > 대체 도메인 이름(Alternate domain names)) \"다시 시도\"를 누르세요. 그 계정에 아무도 접근할 수 없다면, 도메인 소유를 증명하면 AWS Support가 이름을 옮겨 줄 수 있습니다.",
        ),
        what: format!(
            "CloudFront refused the names {}: another distribution already uses one of them (CNAMEAlreadyExists).",
            names.join(", ")
        ),
        why: format!(
            "A name can belong to only one CloudFront distribution in all of AWS. None in this account has it, so it is probably in another AWS account: an old class account, a teammate's, or one made by hand while following a tutorial. AWS said: {message}"
        ),
        fix: "Remove the name from that distribution (CloudFront console > the distribution > Settings > Alternate domain names) in the account that has it, then press Retry. If nobody can reach that account, AWS Support can move the name once you prove you own the domain.".into(),
    }
}

/// The statement id lockstep adds to a bucket policy for one distribution.
pub fn policy_sid(distribution_id: &str) -> String {
    let id: String = distribution_id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("LockstepCloudFrontRead{id}")
}

/// The bucket policy with the statement letting the distribution read every object through its
/// Origin Access Control, merged into `existing`. `Ok(None)` when it is there already.
pub fn merge_policy(
    existing: Option<&str>,
    bucket: &str,
    distribution_id: &str,
    distribution_arn: &str,
) -> Result<Option<String>, String> {
    let mut doc: Value = match existing.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => serde_json::from_str(text).map_err(|e| format!("the bucket policy is not valid JSON ({e})"))?,
        None => json!({ "Version": "2012-10-17", "Statement": [] }),
    };
    let resource = format!("arn:aws:s3:::{bucket}/*");
    let obj = doc.as_object_mut().ok_or("the bucket policy is not a JSON object")?;
    let statements = obj.entry("Statement").or_insert_with(|| json!([]));
    if statements.is_object() {
        *statements = json!([statements.take()]);
    }
    let list = statements.as_array_mut().ok_or("the bucket policy's Statement is not a list")?;
    let grants = |s: &Value| {
        let principal_ok = s["Principal"]["Service"] == json!("cloudfront.amazonaws.com")
            || s["Principal"]["Service"].as_array().is_some_and(|a| a.contains(&json!("cloudfront.amazonaws.com")));
        let action_ok = s["Action"] == json!("s3:GetObject")
            || s["Action"].as_array().is_some_and(|a| a.contains(&json!("s3:GetObject")));
        let resource_ok =
            s["Resource"] == json!(resource) || s["Resource"].as_array().is_some_and(|a| a.contains(&json!(resource)));
        s["Effect"] == "Allow"
            && principal_ok
            && action_ok
            && resource_ok
            && s["Condition"]["StringEquals"]["AWS:SourceArn"] == json!(distribution_arn)
    };
    if list.iter().any(grants) {
        return Ok(None);
    }
    let sid = policy_sid(distribution_id);
    list.retain(|s| s["Sid"] != json!(sid));
    list.push(json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": { "Service": "cloudfront.amazonaws.com" },
        "Action": "s3:GetObject",
        "Resource": resource,
        "Condition": { "StringEquals": { "AWS:SourceArn": distribution_arn } },
    }));
    if !obj.contains_key("Version") {
        obj.insert("Version".into(), json!("2012-10-17"));
    }
    serde_json::to_string(&doc).map(Some).map_err(|e| e.to_string())
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
        certificate_arn: if inp.aliases.is_empty() { None } else { inp.certificate_arn.clone() },
        default_root_object: "index.html".into(),
        spa_fallback_codes: vec![403, 404],
        cache_policy_id: CACHING_OPTIMIZED.into(),
        price_class: PRICE_CLASS.into(),
    }
}

fn status_text(s: &DistributionStatus) -> &str {
    match s {
        DistributionStatus::InProgress => "InProgress",
        DistributionStatus::Deployed => "Deployed",
        DistributionStatus::Other(o) => o,
    }
}

// ---- The steps ----

pub struct Origin(pub Arc<CdnDeps>);
pub struct Create(pub Arc<CdnDeps>);
pub struct AwaitDeployed(pub Arc<CdnDeps>);
pub struct Records(pub Arc<CdnDeps>);
pub struct Invalidate(pub Arc<CdnDeps>);

fn bucket_missing(bucket: &str, region: &Region) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 S3 버킷 {bucket}을(를) 찾을 수 없습니다."),
            format!("이 AWS 계정에 그 버킷이 없거나(lockstep은 {region} 리전에서 찾아보았습니다) 이름에 오타가 있습니다."),
            "S3 콘솔에서 버킷 이름을 확인하고(빌드한 프론트엔드를 업로드하는 버킷이어야 합니다) 프로젝트에서 고친 뒤, 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: format!("lockstep cannot find the S3 bucket {bucket}."),
        why: format!("It does not exist in this AWS account (lockstep looked from {region}), or the name has a typo."),
        fix: "Check the bucket name in the S3 console (it must be the bucket your built frontend is uploaded to), fix it in the project, then start the frontend step again.".into(),
    }
}

#[async_trait]
impl StepHandler for Origin {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp: CdnInput = input(ctx)?;
        let region = match self.0.buckets.region(&inp.bucket_region, &inp.bucket).await {
            Ok(r) => r,
            Err(PortError::NotFound(_)) => {
                return Err(StepError::Fatal(bucket_missing(&inp.bucket, &inp.bucket_region)))
            }
            Err(e) => {
                let task = msg(
                    format!("looking up where the bucket {} is", inp.bucket),
                    format!("버킷 {}의 위치 조회", inp.bucket),
                );
                return Err(port_error(&task, e));
            }
        };
        let task = msg(
            format!("reading the website settings of the bucket {}", inp.bucket),
            format!("버킷 {}의 웹 사이트 설정 읽기", inp.bucket),
        );
        let website = self.0.buckets.website_enabled(&region, &inp.bucket).await.map_err(|e| port_error(&task, e))?;
        let (moved, moved_ko) = if region != inp.bucket_region {
            (
                format!(" (the project says {}, but the bucket is in {region})", inp.bucket_region),
                format!(" (프로젝트에는 {}(으)로 되어 있지만 버킷은 {region}에 있습니다)", inp.bucket_region),
            )
        } else {
            (String::new(), String::new())
        };
        let (choice, note) = if website {
            let domain = website_endpoint(&inp.bucket, &region);
            (
                OriginChoice { bucket: inp.bucket.clone(), region: region.clone(), kind: OriginKind::Website, origin_domain: domain.clone(), oac_id: None },
                msg(
                    format!("Static website hosting is on{moved}: CloudFront will fetch from http://{domain} (the website endpoint speaks only HTTP; visitors still get HTTPS from CloudFront). The bucket must stay publicly readable."),
                    format!("정적 웹 사이트 호스팅이 켜져 있습니다{moved_ko}. CloudFront는 http://{domain}에서 파일을 가져옵니다(웹 사이트 엔드포인트는 HTTP만 지원하지만, 방문자는 CloudFront에서 HTTPS로 받습니다). 버킷은 계속 공개 읽기가 가능해야 합니다."),
                ),
            )
        } else {
            let name = oac_name(&inp.bucket);
            ctx.note(&msg(
                format!("Website hosting is off: finding or creating the Origin Access Control {name}"),
                format!("웹 사이트 호스팅이 꺼져 있습니다. 원본 액세스 제어(OAC) {name}을(를) 찾거나 만드는 중"),
            ))
            .await?;
            let oac = self.0.cdn.ensure_origin_access_control(&name).await.map_err(|e| {
                port_error(
                    &msg("creating the CloudFront Origin Access Control", "CloudFront 원본 액세스 제어(OAC) 생성"),
                    e,
                )
            })?;
            let domain = rest_endpoint(&inp.bucket, &region);
            (
                OriginChoice { bucket: inp.bucket.clone(), region: region.clone(), kind: OriginKind::RestOac, origin_domain: domain.clone(), oac_id: Some(oac.clone()) },
                msg(
                    format!("Static website hosting is off{moved}: CloudFront will read {domain} signed by the Origin Access Control {name} ({oac}); the bucket stays private."),
                    format!("정적 웹 사이트 호스팅이 꺼져 있습니다{moved_ko}. CloudFront는 원본 액세스 제어 {name}({oac})로 서명한 요청으로 {domain}을(를) 읽습니다. 버킷은 비공개로 유지됩니다."),
                ),
            )
        };
        let output = serde_json::to_value(&choice).map_err(store_err("origin choice"))?;
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

#[async_trait]
impl StepHandler for Create {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp: CdnInput = input(ctx)?;
        let origin: OriginChoice =
            serde_json::from_value(ctx.output_value(StepKind::CdnOrigin).await?).map_err(store_err("origin choice"))?;

        let dist = match ctx.effect_result("cloudfront.create").await? {
            Some(done) => done,
            None => {
                let (dist, reused) = self.create_or_reuse(ctx, &inp, &origin).await?;
                let done = json!({ "id": dist.id, "arn": dist.arn, "domain_name": dist.domain_name, "reused": reused });
                ctx.record_effect("cloudfront.create", &done).await?;
                done
            }
        };
        let reused = dist["reused"] == json!(true);
        let id = dist["id"].as_str().unwrap_or_default().to_string();
        let arn = dist["arn"].as_str().unwrap_or_default().to_string();
        let domain_name = dist["domain_name"].as_str().unwrap_or_default().to_string();

        // With an OAC the bucket stays private: its policy must let this distribution read.
        let mut policy = Value::Null;
        if origin.kind == OriginKind::RestOac {
            let existing = self.0.buckets.policy(&origin.region, &origin.bucket).await.map_err(|e| {
                let bucket = &origin.bucket;
                port_error(
                    &msg(format!("reading the policy of the bucket {bucket}"), format!("버킷 {bucket}의 정책 읽기")),
                    e,
                )
            })?;
            match merge_policy(existing.as_deref(), &origin.bucket, &id, &arn) {
                Ok(None) => policy = json!("already allowed"),
                Ok(Some(text)) => {
                    ctx.note(&msg(
                        format!("Letting {id} read s3://{}/* (bucket policy)", origin.bucket),
                        format!("{id}이(가) s3://{}/*를 읽을 수 있게 하는 중(버킷 정책)", origin.bucket),
                    ))
                    .await?;
                    let task = msg(
                        format!("adding CloudFront's read permission to the policy of the bucket {}", origin.bucket),
                        format!("버킷 {}의 정책에 CloudFront 읽기 권한 추가", origin.bucket),
                    );
                    self.0
                        .buckets
                        .put_policy(&origin.region, &origin.bucket, &text)
                        .await
                        .map_err(|e| port_error(&task, e))?;
                    policy = json!("added");
                }
                Err(why) => {
                    return Err(StepError::Fatal(UserError {
                        ko: lockstep_domain::ko(
                            format!("lockstep이 버킷 {}의 정책에 CloudFront 읽기 권한을 추가할 수 없습니다.", origin.bucket),
                            format!("현재 정책을 읽을 수 없습니다: {why}."),
                            format!("S3 콘솔(권한 > 버킷 정책)에서 버킷 정책을 고치거나 삭제한 뒤 \"다시 시도\"를 누르세요. lockstep은 {arn}에 대해 cloudfront.amazonaws.com이 arn:aws:s3:::{}/*에 s3:GetObject를 할 수 있도록 허용하는 문(Statement)을 추가합니다.", origin.bucket),
                        ),
                        what: format!("lockstep cannot add CloudFront's read permission to the policy of the bucket {}.", origin.bucket),
                        why: format!("The current policy cannot be read: {why}."),
                        fix: format!("Fix or delete the bucket policy in the S3 console (Permissions > Bucket policy), then press Retry. lockstep adds a statement allowing cloudfront.amazonaws.com to s3:GetObject on arn:aws:s3:::{}/* for {arn}.", origin.bucket),
                    }))
                }
            }
        }

        let output = json!({
            "distribution_id": id,
            "arn": arn,
            "domain_name": domain_name,
            "origin_kind": origin.kind,
            "origin_domain": origin.origin_domain,
            "oac_id": origin.oac_id,
            "aliases": inp.aliases,
            "certificate_arn": if inp.aliases.is_empty() { None } else { inp.certificate_arn.clone() },
            "price_class": PRICE_CLASS,
            "reused": reused,
            "bucket_policy": policy,
            "created": created_by_create(reused, &id, &origin, &policy),
        });
        let verb = if reused { "Reusing" } else { "Created" };
        let verb_ko = if reused { "재사용합니다" } else { "만들었습니다" };
        Ok(StepOutcome::Done {
            output,
            note: Some(msg(
                format!("{verb} distribution {id} ({domain_name}), price class 100 (the cheapest: North America and Europe edges)"),
                format!("배포 {id}({domain_name})을(를) {verb_ko}. 가격 등급은 100입니다(가장 저렴함: 북미와 유럽의 엣지 로케이션)."),
            )),
        })
    }
}

/// What `cdn.create` made (for teardown): the distribution unless reused, and the bucket-policy
/// statement when it added one.
fn created_by_create(reused: bool, id: &str, origin: &OriginChoice, policy: &Value) -> Vec<Value> {
    let mut v = Vec::new();
    if !reused {
        v.push(json!({ "kind": "cloudfront_distribution", "id": id, "region": "global" }));
    }
    if policy == &json!("added") {
        v.push(json!({ "kind": "bucket_policy_statement", "id": format!("{}:{id}", origin.bucket), "region": origin.region }));
    }
    v
}

impl Create {
    async fn create_or_reuse(
        &self,
        ctx: &StepCtx,
        inp: &CdnInput,
        origin: &OriginChoice,
    ) -> Result<(DistributionInfo, bool), StepError> {
        // The certificate first: nothing is created when CloudFront would refuse it anyway.
        if !inp.aliases.is_empty() {
            let Some(arn) = &inp.certificate_arn else {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        "프론트엔드에 사용자 지정 이름이 있지만 인증서가 없습니다.",
                        "CloudFront는 그 이름을 포함하는 us-east-1의 ACM 인증서가 있어야만 사용자 지정 이름을 HTTPS로 제공합니다.",
                        "인증서 단계를 완료한 뒤(us-east-1에서 인증서를 요청합니다) 프론트엔드 단계를 다시 시작하세요.",
                    ),
                    what: "The frontend has custom names but no certificate.".into(),
                    why: "CloudFront serves a custom name over HTTPS only with an ACM certificate from us-east-1 that covers it.".into(),
                    fix: "Finish the certificate step (it requests the certificate in us-east-1), then start the frontend step again.".into(),
                }));
            };
            check_certificate_region(arn).map_err(StepError::Fatal)?;
            let info = match self.0.ca.describe(&Region::us_east_1(), arn).await {
                Ok(i) => i,
                Err(PortError::NotFound(_)) => {
                    return Err(StepError::Fatal(UserError {
                        ko: lockstep_domain::ko(
                            "ACM(us-east-1)에서 인증서를 찾을 수 없습니다.",
                            "콘솔에서 삭제되었거나, 다른 AWS 계정의 인증서일 수 있습니다.",
                            "인증서 단계를 다시 실행한 뒤 프론트엔드 단계를 다시 시작하세요.",
                        ),
                        what: "The certificate was not found in ACM (us-east-1).".into(),
                        why: "It may have been deleted in the console, or it belongs to another AWS account.".into(),
                        fix: "Run the certificate step again, then start the frontend step again.".into(),
                    }))
                }
                Err(e) => {
                    let task = msg("reading the certificate from ACM in us-east-1", "us-east-1의 ACM에서 인증서 읽기");
                    return Err(port_error(&task, e));
                }
            };
            check_certificate(&info, &inp.aliases).map_err(StepError::Fatal)?;
        }

        // Committed before any call: every retry sends the same CallerReference.
        let (token, _) = ctx.effect_token("cloudfront.create").await?;
        ctx.note(&msg(
            "Looking for an existing distribution and for names already in use",
            "기존 배포와 이미 사용 중인 이름을 찾는 중",
        ))
        .await?;
        let all = self.0.cdn.list_distributions().await.map_err(|e| port_error(&listing_distributions(), e))?;
        if let Some(d) = reusable(&all, &origin.origin_domain, &inp.aliases) {
            // Made earlier by lockstep: by an earlier attempt of this very step (a crash after
            // the call), or by an earlier run.
            let full = self.0.cdn.distribution(&d.id).await.map_err(|e| port_error(&reading_a_distribution(), e))?;
            let ours = full.caller_reference.as_deref() == Some(token.as_str());
            return Ok((full, !ours));
        }
        let conflicts = alias_conflicts(&inp.aliases, &all);
        if !conflicts.is_empty() {
            return Err(StepError::Fatal(conflict_error(&conflicts)));
        }

        faults::point("cdn.create.before_call").await;
        let spec = frontend_spec(inp, origin, &token);
        ctx.note(&msg(
            format!("Creating the CloudFront distribution for s3://{}", inp.bucket),
            format!("s3://{}용 CloudFront 배포를 만드는 중", inp.bucket),
        ))
        .await?;
        let created = match self.0.cdn.create_distribution(&spec).await {
            Ok(d) => d,
            Err(PortError::Rejected { code, message }) if code == "CNAMEAlreadyExists" => {
                return Err(StepError::Fatal(cname_taken(&inp.aliases, &message)))
            }
            Err(PortError::Rejected { code, message }) if code == "DistributionAlreadyExists" => {
                // An earlier attempt created it with this CallerReference: find and reuse it.
                match self.by_caller_reference(&token).await? {
                    Some(d) => d,
                    None => {
                        return Err(port_error(&creating_the_distribution(), PortError::Rejected { code, message }))
                    }
                }
            }
            Err(e) => return Err(port_error(&creating_the_distribution(), e)),
        };
        faults::point("cdn.create.after_call").await;
        Ok((created, false))
    }

    /// The lockstep distribution created with `reference` (listed afresh: the earlier list
    /// may predate it).
    async fn by_caller_reference(&self, reference: &str) -> Result<Option<DistributionInfo>, StepError> {
        let all = self.0.cdn.list_distributions().await.map_err(|e| port_error(&listing_distributions(), e))?;
        for d in all.iter().filter(|d| d.comment.starts_with(LOCKSTEP_COMMENT_PREFIX)) {
            let full = self.0.cdn.distribution(&d.id).await.map_err(|e| port_error(&reading_a_distribution(), e))?;
            if full.caller_reference.as_deref() == Some(reference) {
                return Ok(Some(full));
            }
        }
        Ok(None)
    }
}

fn listing_distributions() -> lockstep_domain::Message {
    msg("listing CloudFront distributions", "CloudFront 배포 목록 조회")
}

fn reading_a_distribution() -> lockstep_domain::Message {
    msg("reading a CloudFront distribution", "CloudFront 배포 읽기")
}

fn creating_the_distribution() -> lockstep_domain::Message {
    msg("creating the CloudFront distribution", "CloudFront 배포 생성")
}

async fn created(ctx: &StepCtx) -> Result<(String, String), StepError> {
    let out = ctx.output_value(StepKind::CdnCreate).await?;
    let id = out["distribution_id"].as_str().ok_or_else(|| StepError::Store("no distribution id".into()))?;
    Ok((id.to_string(), out["domain_name"].as_str().unwrap_or_default().to_string()))
}

#[async_trait]
impl StepHandler for AwaitDeployed {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let (id, _) = created(ctx).await?;
        let d = self
            .0
            .cdn
            .distribution(&id)
            .await
            .map_err(|e| port_error(&msg("reading the CloudFront distribution", "CloudFront 배포 읽기"), e))?;
        if d.status == DistributionStatus::Deployed {
            return Ok(StepOutcome::Done {
                output: json!({ "distribution_id": d.id, "domain_name": d.domain_name, "status": "Deployed" }),
                note: Some(msg(
                    format!("CloudFront says Deployed: https://{} answers from every edge location", d.domain_name),
                    format!(
                        "CloudFront 상태는 Deployed입니다. 모든 엣지 로케이션에서 https://{}이(가) 응답합니다.",
                        d.domain_name
                    ),
                )),
            });
        }
        let minutes = (ctx.now_ms() - ctx.started_at()) / 60_000;
        let mut note = msg(
            format!(
                "CloudFront says {}: it is copying the distribution to its edge locations. {minutes} min so far; it usually takes 5-15 minutes.",
                status_text(&d.status)
            ),
            format!(
                "CloudFront 상태는 {}입니다. 배포를 엣지 로케이션에 복사하고 있습니다. 지금까지 {minutes}분 지났고, 보통 5~15분 걸립니다.",
                status_text(&d.status)
            ),
        );
        if minutes >= 45 {
            note = note.then(&msg(
                "This is longer than usual: check the AWS Health Dashboard for CloudFront; lockstep keeps checking.",
                "평소보다 오래 걸리고 있습니다. AWS Health Dashboard에서 CloudFront 상태를 확인하세요. lockstep은 계속 확인합니다.",
            ));
        }
        Ok(StepOutcome::Poll { after: self.0.poll.max(Duration::from_millis(50)), note })
    }
}

#[async_trait]
impl StepHandler for Records {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp: CdnInput = input(ctx)?;
        let (id, domain_name) = created(ctx).await?;
        if inp.aliases.is_empty() {
            return Ok(StepOutcome::Done {
                output: json!({ "url": format!("https://{domain_name}"), "records": [] }),
                note: Some(msg(
                    format!("No custom names: your frontend is https://{domain_name}"),
                    format!("사용자 지정 이름이 없습니다. 프론트엔드 주소는 https://{domain_name}입니다."),
                )),
            });
        }
        let Some(zone_id) = inp.zone_id.clone() else {
            let lines: Vec<String> = inp.aliases.iter().map(|a| format!("{a} CNAME {domain_name}")).collect();
            return Ok(StepOutcome::Done {
                output: json!({ "url": format!("https://{}", inp.aliases[0]), "records": [], "add_by_hand": lines }),
                note: Some(msg(
                    format!(
                        "Your DNS is not in Route 53: add these records at your DNS provider: {} (a bare domain needs an ALIAS/ANAME record, if the provider has one).",
                        lines.join("; ")
                    ),
                    format!(
                        "DNS가 Route 53에 있지 않습니다. DNS 제공 업체에서 다음 레코드를 추가하세요: {} (루트 도메인에는 제공 업체가 지원한다면 ALIAS/ANAME 레코드가 필요합니다).",
                        lines.join("; ")
                    ),
                )),
            });
        };
        let change = match ctx.effect_result("route53.cdn_records").await? {
            Some(v) => v["change_id"].as_str().unwrap_or_default().to_string(),
            None => {
                // UPSERT is idempotent; the ledger entry keeps the change id across polls.
                ctx.effect_token("route53.cdn_records").await?;
                let zone = self
                    .0
                    .dns
                    .get_zone(&zone_id)
                    .await
                    .map_err(|e| port_error(&msg("reading the hosted zone", "호스팅 영역 읽기"), e))?;
                let zone_name =
                    DomainName::parse(&zone.name).map_err(|e| StepError::Store(format!("zone name: {e}")))?;
                let outside: Vec<&str> =
                    inp.aliases.iter().filter(|a| !a.is_within(&zone_name)).map(DomainName::as_str).collect();
                if !outside.is_empty() {
                    return Err(StepError::Fatal(UserError {
                        ko: lockstep_domain::ko(
                            format!("{}은(는) 호스팅 영역 {} 안에 있지 않습니다.", outside.join(", "), zone.name),
                            "Route 53은 영역 안에 있는 이름에 대해서만 레코드를 추가할 수 있습니다.",
                            "1단계에서 프론트엔드 이름이 들어 있는 호스팅 영역을 선택한 뒤 프론트엔드 단계를 다시 시작하세요.",
                        ),
                        what: format!("{} is not inside the hosted zone {}.", outside.join(", "), zone.name),
                        why: "Route 53 can only add records for names inside the zone.".into(),
                        fix: "Choose the hosted zone that contains the frontend names in step 1, then start the frontend step again.".into(),
                    }));
                }
                let target = AliasTarget {
                    dns_name: domain_name.clone(),
                    hosted_zone_id: CLOUDFRONT_ZONE_ID.into(),
                    evaluate_target_health: false,
                };
                let sets: Vec<RecordSet> = inp
                    .aliases
                    .iter()
                    .flat_map(|a| ["A", "AAAA"].map(|t| RecordSet::alias(a.as_str(), t, target.clone())))
                    .collect();
                ctx.note(&msg(
                    format!("Pointing {} at {domain_name} (alias A and AAAA)", join(&inp.aliases)),
                    format!("{}이(가) {domain_name}을(를) 가리키도록 설정하는 중(별칭 A, AAAA)", join(&inp.aliases)),
                ))
                .await?;
                let task = msg(
                    format!("adding the alias records to the zone {}", zone.name),
                    format!("영역 {}에 별칭 레코드 추가", zone.name),
                );
                let change = self.0.dns.upsert(&zone_id, &sets).await.map_err(|e| port_error(&task, e))?;
                ctx.record_effect("route53.cdn_records", &json!({ "change_id": change })).await?;
                change
            }
        };
        match self
            .0
            .dns
            .change_status(&change)
            .await
            .map_err(|e| port_error(&msg("checking the Route 53 change", "Route 53 변경 사항 확인"), e))?
        {
            ChangeStatus::InSync => Ok(StepOutcome::Done {
                output: json!({
                    "created": inp.aliases.iter().flat_map(|a| ["A", "AAAA"].map(|t| json!({
                        "kind": "route53_record",
                        "id": format!("{zone_id}:{a}:{t}"),
                        "region": "global",
                    }))).collect::<Vec<_>>(),
                    "url": format!("https://{}", inp.aliases[0]),
                    "records": inp.aliases.iter().flat_map(|a| [format!("{a} A ALIAS {domain_name}"), format!("{a} AAAA ALIAS {domain_name}")]).collect::<Vec<_>>(),
                    "change_id": change,
                    "distribution_id": id,
                }),
                note: Some(msg(
                    format!("{} now point at CloudFront ({domain_name})", join(&inp.aliases)),
                    format!("{}이(가) 이제 CloudFront({domain_name})를 가리킵니다.", join(&inp.aliases)),
                )),
            }),
            ChangeStatus::Pending => Ok(StepOutcome::Poll {
                after: self.0.poll.min(Duration::from_secs(5)),
                note: msg(
                    "Route 53 is still publishing the alias records to its name servers (PENDING).",
                    "Route 53이 아직 네임서버에 별칭 레코드를 게시하는 중입니다(PENDING).",
                ),
            }),
        }
    }
}

#[async_trait]
impl StepHandler for Invalidate {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp: InvalidateInput = input(ctx)?;
        let dist = &inp.distribution_id;
        let id = match ctx.effect_result("cloudfront.invalidate").await? {
            Some(v) => v["id"].as_str().unwrap_or_default().to_string(),
            None => {
                let (token, _) = ctx.effect_token("cloudfront.invalidate").await?;
                // After a crash between the call and saving its id, look for it first: AWS
                // would answer the same CallerReference with the same invalidation anyway.
                let found = if ctx.attempts() > 1 {
                    self.0.cdn.find_invalidation(dist, &token).await.map_err(|e| {
                        port_error(&msg("listing the distribution's invalidations", "배포의 무효화 목록 조회"), e)
                    })?
                } else {
                    None
                };
                faults::point("cdn.invalidate.before_call").await;
                let inv = match found {
                    Some(i) => i,
                    None => self.0.cdn.invalidate_all(dist, &token).await.map_err(|e| match e {
                        PortError::NotFound(_) | PortError::Rejected { .. } if is_no_such_distribution(&e) => {
                            StepError::Fatal(UserError {
                                ko: lockstep_domain::ko(
                                    format!("CloudFront 배포 {dist}이(가) 더 이상 존재하지 않습니다."),
                                    "lockstep이 만든 뒤에 (콘솔에서 또는 리소스 정리로) 삭제되었습니다.",
                                    "프론트엔드 단계를 다시 실행해 배포를 만든 뒤, 필요하면 캐시를 비우세요.",
                                ),
                                what: format!("The CloudFront distribution {dist} no longer exists."),
                                why: "It was deleted (in the console or by a teardown) after lockstep created it.".into(),
                                fix: "Run the frontend step again to create a distribution, then clear the cache if needed.".into(),
                            })
                        }
                        other => port_error(&msg("asking CloudFront to clear its cache", "CloudFront에 캐시 비우기 요청"), other),
                    })?,
                };
                ctx.record_effect("cloudfront.invalidate", &json!({ "id": inv.id })).await?;
                inv.id
            }
        };
        let inv = self
            .0
            .cdn
            .invalidation(dist, &id)
            .await
            .map_err(|e| port_error(&msg("reading the invalidation", "무효화 읽기"), e))?;
        if inv.completed() {
            Ok(StepOutcome::Done {
                output: json!({ "distribution_id": dist, "invalidation_id": inv.id, "status": inv.status }),
                note: Some(msg(
                    "CloudFront cleared its cache: visitors get the newly uploaded files.",
                    "CloudFront가 캐시를 비웠습니다. 이제 방문자는 새로 업로드한 파일을 받습니다.",
                )),
            })
        } else {
            Ok(StepOutcome::Poll {
                after: (self.0.poll * 2).max(Duration::from_millis(50)),
                note: msg(
                    format!(
                        "CloudFront says {}: clearing /* at every edge location (usually 1-5 minutes).",
                        inv.status
                    ),
                    format!(
                        "CloudFront 상태는 {}입니다. 모든 엣지 로케이션에서 /*를 비우는 중입니다(보통 1~5분 걸립니다).",
                        inv.status
                    ),
                ),
            })
        }
    }
}

fn is_no_such_distribution(e: &PortError) -> bool {
    match e {
        PortError::NotFound(m) => m.contains("NoSuchDistribution"),
        PortError::Rejected { code, .. } => code == "NoSuchDistribution",
        _ => false,
    }
}

fn join(names: &[DomainName]) -> String {
    names.iter().map(DomainName::as_str).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::OriginSummary;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }
    fn r(s: &str) -> Region {
        Region::parse(s).unwrap()
    }

    fn cert(domain: &str, names: &[&str], status: CertStatus) -> CertificateInfo {
        CertificateInfo {
            arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc".into(),
            domain: domain.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            status,
            validation: vec![],
            failure_reason: None,
            in_use_by: vec![],
            created_at_ms: None,
            not_after_ms: None,
        }
    }

    fn dist(id: &str, comment: &str, origin: &str, aliases: &[&str]) -> DistributionInfo {
        DistributionInfo {
            id: id.into(),
            arn: format!("arn:aws:cloudfront::123456789012:distribution/{id}"),
            domain_name: format!("{}.cloudfront.net", id.to_ascii_lowercase()),
            status: DistributionStatus::Deployed,
            enabled: true,
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            etag: None,
            comment: comment.into(),
            caller_reference: None,
            origins: vec![OriginSummary {
                id: "o".into(),
                domain_name: origin.into(),
                protocol_policy: None,
                oac_id: None,
            }],
            viewer_protocol_policy: None,
            default_root_object: None,
            error_responses: vec![],
            certificate_arn: None,
            price_class: None,
        }
    }

    #[test]
    fn website_endpoints_use_a_dash_in_old_regions_and_a_dot_in_newer_ones() {
        assert_eq!(website_endpoint("shop", &r("us-east-1")), "shop.s3-website-us-east-1.amazonaws.com");
        assert_eq!(website_endpoint("shop", &r("ap-northeast-1")), "shop.s3-website-ap-northeast-1.amazonaws.com");
        assert_eq!(website_endpoint("shop", &r("ap-northeast-2")), "shop.s3-website.ap-northeast-2.amazonaws.com");
        assert_eq!(website_endpoint("shop", &r("eu-central-1")), "shop.s3-website.eu-central-1.amazonaws.com");
        assert_eq!(rest_endpoint("shop", &r("ap-northeast-2")), "shop.s3.ap-northeast-2.amazonaws.com");
    }

    #[test]
    fn names_fit_aws_limits() {
        let long = "b".repeat(63);
        assert_eq!(oac_name(&long).len(), 64);
        assert!(comment(&"p".repeat(100), &long).len() <= 128);
        assert!(comment("shop", "shop-web").starts_with(LOCKSTEP_COMMENT_PREFIX));
    }

    #[test]
    fn only_us_east_1_certificates_pass() {
        assert!(check_certificate_region("arn:aws:acm:us-east-1:123456789012:certificate/abc").is_ok());
        let e = check_certificate_region("arn:aws:acm:ap-northeast-2:123456789012:certificate/abc").unwrap_err();
        assert!(e.what.contains("ap-northeast-2") && e.what.contains("us-east-1"), "{e:?}");
        assert!(check_certificate_region("not-an-arn").is_err());
    }

    #[test]
    fn a_certificate_must_be_issued_and_cover_every_alias() {
        let aliases = [n("example.com"), n("www.example.com")];
        assert!(check_certificate(
            &cert("example.com", &["example.com", "www.example.com"], CertStatus::Issued),
            &aliases
        )
        .is_ok());
        // A one-label wildcard covers www but not the apex, and not two labels down.
        assert!(check_certificate(
            &cert("example.com", &["example.com", "*.example.com"], CertStatus::Issued),
            &aliases
        )
        .is_ok());
        let e =
            check_certificate(&cert("*.example.com", &["*.example.com"], CertStatus::Issued), &aliases).unwrap_err();
        assert!(e.what.contains("example.com") && !e.what.contains("www"), "{e:?}");
        let e = check_certificate(
            &cert("example.com", &["example.com", "*.example.com"], CertStatus::Issued),
            &[n("a.b.example.com")],
        )
        .unwrap_err();
        assert!(e.what.contains("a.b.example.com"), "{e:?}");
        let e = check_certificate(
            &cert("example.com", &["example.com", "www.example.com"], CertStatus::PendingValidation),
            &aliases,
        )
        .unwrap_err();
        assert!(e.what.contains("PENDING_VALIDATION") && e.fix.contains("certificate step"), "{e:?}");
        assert!(check_certificate(
            &cert("example.com", &["example.com", "www.example.com"], CertStatus::Expired),
            &aliases
        )
        .is_err());
    }

    #[test]
    fn reuse_needs_lockstep_same_origin_and_same_names() {
        let origin = "shop.s3-website.ap-northeast-2.amazonaws.com";
        let all = vec![
            dist("E1", "made by hand", origin, &["www.example.com"]),
            dist("E2", "lockstep: shop frontend", "other.s3.amazonaws.com", &["www.example.com"]),
            dist("E3", "lockstep: shop frontend", origin, &["example.com", "www.example.com"]),
        ];
        assert_eq!(
            reusable(&all, origin, &[n("www.example.com"), n("example.com")]).map(|d| d.id.as_str()),
            Some("E3")
        );
        assert!(reusable(&all, origin, &[n("www.example.com")]).is_none());
        let mut disabled = all.clone();
        disabled[2].enabled = false;
        assert!(reusable(&disabled, origin, &[n("www.example.com"), n("example.com")]).is_none());
        let aliases = [n("www.example.com"), n("new.example.com")];
        let c = alias_conflicts(&aliases, &all);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].0, c[0].1.id.as_str()), ("www.example.com", "E1"));
        let e = conflict_error(&c);
        assert!(e.what.contains("www.example.com") && e.what.contains("E1") && e.why.contains("CNAMEAlreadyExists"));
    }

    #[test]
    fn the_bucket_policy_statement_is_merged_once() {
        let arn = "arn:aws:cloudfront::123456789012:distribution/E3";
        let first = merge_policy(None, "shop", "E3", arn).unwrap().unwrap();
        let doc: Value = serde_json::from_str(&first).unwrap();
        let st = &doc["Statement"][0];
        assert_eq!(st["Principal"]["Service"], "cloudfront.amazonaws.com");
        assert_eq!(st["Action"], "s3:GetObject");
        assert_eq!(st["Resource"], "arn:aws:s3:::shop/*");
        assert_eq!(st["Condition"]["StringEquals"]["AWS:SourceArn"], arn);
        assert_eq!(merge_policy(Some(&first), "shop", "E3", arn).unwrap(), None, "idempotent");

        // Someone else's statement (a single object, not a list) is kept.
        let other = r#"{"Version":"2012-10-17","Statement":{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shop/*"}}"#;
        let merged: Value =
            serde_json::from_str(&merge_policy(Some(other), "shop", "E3", arn).unwrap().unwrap()).unwrap();
        let list = merged["Statement"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["Sid"], "Public");
        assert!(merge_policy(Some("{not json"), "shop", "E3", arn).is_err());
    }

    #[test]
    fn the_spec_is_the_spa_default() {
        let inp = CdnInput {
            bucket: "shop".into(),
            bucket_region: r("ap-northeast-2"),
            aliases: vec![],
            certificate_arn: Some("arn:aws:acm:us-east-1:1:certificate/x".into()),
            zone_id: None,
            project_slug: "shop".into(),
        };
        let origin = OriginChoice {
            bucket: "shop".into(),
            region: r("ap-northeast-2"),
            kind: OriginKind::Website,
            origin_domain: website_endpoint("shop", &r("ap-northeast-2")),
            oac_id: None,
        };
        let spec = frontend_spec(&inp, &origin, "ref");
        assert_eq!(spec.certificate_arn, None, "no aliases: CloudFront's default certificate");
        assert_eq!(spec.spa_fallback_codes, vec![403, 404]);
        assert_eq!(spec.default_root_object, "index.html");
        assert_eq!((spec.cache_policy_id.as_str(), spec.price_class.as_str()), (CACHING_OPTIMIZED, "PriceClass_100"));
        let e = cname_taken(
            &[n("www.example.com")],
            "One or more of the CNAMEs you provided are already associated with a different resource.",
        );
        assert!(e.what.contains("www.example.com") && e.fix.contains("Alternate domain names"));
    }
}
