//! CloudFront: distributions in front of the S3 frontend, invalidations, Origin Access Controls.
//!
//! CloudFront is a global service: every call is signed for us-east-1 (see [`Aws::cloudfront`]).
//! The distribution config is built here from lockstep's [`DistributionSpec`]; what the spec does
//! not say is fixed for a single-page app (HTTP redirected to HTTPS, TLS 1.2 with SNI, HTTP/2,
//! IPv6, enabled).

use super::{classify, Aws};
use crate::ports::{
    DistributionInfo, DistributionSpec, DistributionStatus, Distributions, ErrorResponse, InvalidationInfo,
    Invalidations, OriginAccess, OriginKind, OriginSummary, PortError, PortResult,
};
use async_trait::async_trait;
use aws_sdk_cloudfront::types::{
    Aliases, CustomErrorResponse, CustomErrorResponses, CustomOriginConfig, DefaultCacheBehavior, DistributionConfig,
    HttpVersion, InvalidationBatch, MinimumProtocolVersion, OriginAccessControlConfig, OriginAccessControlOriginTypes,
    OriginAccessControlSigningBehaviors, OriginAccessControlSigningProtocols, OriginProtocolPolicy, OriginSslProtocols,
    Origins, Paths, PriceClass, S3OriginConfig, SslProtocol, SslSupportMethod, ViewerCertificate, ViewerProtocolPolicy,
};
use std::sync::Arc;

/// The id of lockstep's only origin in every distribution it creates.
const ORIGIN_ID: &str = "lockstep-s3";

pub enum CloudFront {
    /// The client of the team (or server) acting, picked per call.
    Aws(Arc<Aws>),
    /// One client (scripted replies in tests).
    Fixed(aws_sdk_cloudfront::Client),
}

impl CloudFront {
    pub fn new(aws: Arc<Aws>) -> CloudFront {
        CloudFront::Aws(aws)
    }
    /// Over a given client (scripted replies in tests).
    pub fn with_client(client: aws_sdk_cloudfront::Client) -> CloudFront {
        CloudFront::Fixed(client)
    }
    fn client(&self) -> aws_sdk_cloudfront::Client {
        match self {
            CloudFront::Aws(aws) => aws.cloudfront(),
            CloudFront::Fixed(c) => c.clone(),
        }
    }
}

fn invalid(e: impl std::fmt::Display) -> PortError {
    PortError::Rejected { code: "InvalidInput".into(), message: e.to_string() }
}

fn status(s: &str) -> DistributionStatus {
    match s {
        "InProgress" => DistributionStatus::InProgress,
        "Deployed" => DistributionStatus::Deployed,
        other => DistributionStatus::Other(other.to_string()),
    }
}

fn aliases(a: Option<&Aliases>) -> Vec<String> {
    a.map(|a| a.items().iter().map(|n| n.trim_end_matches('.').to_ascii_lowercase()).collect()).unwrap_or_default()
}

fn origins(o: Option<&Origins>) -> Vec<OriginSummary> {
    o.map(|o| {
        o.items()
            .iter()
            .map(|o| OriginSummary {
                id: o.id().to_string(),
                domain_name: o.domain_name().to_string(),
                protocol_policy: o.custom_origin_config().map(|c| c.origin_protocol_policy().as_str().to_string()),
                oac_id: o.origin_access_control_id().filter(|s| !s.is_empty()).map(str::to_string),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn error_responses(e: Option<&CustomErrorResponses>) -> Vec<ErrorResponse> {
    e.map(|e| {
        e.items()
            .iter()
            .map(|r| ErrorResponse {
                error_code: r.error_code(),
                page: r.response_page_path().map(str::to_string),
                response_code: r.response_code().map(str::to_string),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn certificate(v: Option<&aws_sdk_cloudfront::types::ViewerCertificate>) -> Option<String> {
    v.and_then(|v| v.acm_certificate_arn()).filter(|a| !a.is_empty()).map(str::to_string)
}

fn info(d: &aws_sdk_cloudfront::types::Distribution, etag: Option<&str>) -> DistributionInfo {
    let c = d.distribution_config();
    DistributionInfo {
        id: d.id().to_string(),
        arn: d.arn().to_string(),
        domain_name: d.domain_name().to_string(),
        status: status(d.status()),
        enabled: c.is_some_and(|c| c.enabled()),
        aliases: aliases(c.and_then(|c| c.aliases())),
        etag: etag.map(str::to_string),
        comment: c.map(|c| c.comment().to_string()).unwrap_or_default(),
        caller_reference: c.map(|c| c.caller_reference().to_string()),
        origins: origins(c.and_then(|c| c.origins())),
        viewer_protocol_policy: c
            .and_then(|c| c.default_cache_behavior())
            .map(|b| b.viewer_protocol_policy().as_str().to_string()),
        default_root_object: c.and_then(|c| c.default_root_object()).filter(|s| !s.is_empty()).map(str::to_string),
        error_responses: error_responses(c.and_then(|c| c.custom_error_responses())),
        certificate_arn: certificate(c.and_then(|c| c.viewer_certificate())),
        price_class: c.and_then(|c| c.price_class()).map(|p| p.as_str().to_string()),
    }
}

fn summary_info(s: &aws_sdk_cloudfront::types::DistributionSummary) -> DistributionInfo {
    DistributionInfo {
        id: s.id().to_string(),
        arn: s.arn().to_string(),
        domain_name: s.domain_name().to_string(),
        status: status(s.status()),
        enabled: s.enabled(),
        aliases: aliases(s.aliases()),
        etag: None,
        comment: s.comment().to_string(),
        caller_reference: None,
        origins: origins(s.origins()),
        viewer_protocol_policy: s.default_cache_behavior().map(|b| b.viewer_protocol_policy().as_str().to_string()),
        default_root_object: None,
        error_responses: error_responses(s.custom_error_responses()),
        certificate_arn: certificate(s.viewer_certificate()),
        price_class: Some(s.price_class().as_str().to_string()),
    }
}

/// The CloudFront distribution config for `spec` (public for the unit test of its shape).
pub fn distribution_config(spec: &DistributionSpec) -> Result<DistributionConfig, PortError> {
    let mut origin = aws_sdk_cloudfront::types::Origin::builder().id(ORIGIN_ID).domain_name(&spec.origin.domain_name);
    origin = match spec.origin.kind {
        // The website endpoint speaks only HTTP: a custom origin, http-only.
        OriginKind::Website => origin.custom_origin_config(
            CustomOriginConfig::builder()
                .http_port(80)
                .https_port(443)
                .origin_protocol_policy(OriginProtocolPolicy::HttpOnly)
                .origin_ssl_protocols(
                    OriginSslProtocols::builder().quantity(1).items(SslProtocol::TlSv12).build().map_err(invalid)?,
                )
                .build()
                .map_err(invalid)?,
        ),
        // The REST endpoint with an OAC: an S3 origin with an empty (legacy) access identity.
        OriginKind::RestOac => {
            let oac = spec.origin.oac_id.as_deref().ok_or_else(|| PortError::Rejected {
                code: "InvalidInput".into(),
                message: "a REST bucket origin needs an Origin Access Control".into(),
            })?;
            origin
                .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
                .origin_access_control_id(oac)
        }
    };
    let root = format!("/{}", spec.default_root_object.trim_start_matches('/'));
    let mut errors = CustomErrorResponses::builder().quantity(spec.spa_fallback_codes.len() as i32);
    for code in &spec.spa_fallback_codes {
        errors = errors.items(
            CustomErrorResponse::builder()
                .error_code(*code as i32)
                .response_page_path(&root)
                .response_code("200")
                .error_caching_min_ttl(10)
                .build()
                .map_err(invalid)?,
        );
    }
    let viewer = match &spec.certificate_arn {
        Some(arn) => ViewerCertificate::builder()
            .acm_certificate_arn(arn)
            .ssl_support_method(SslSupportMethod::SniOnly)
            .minimum_protocol_version(MinimumProtocolVersion::TlSv122021)
            .build(),
        None => ViewerCertificate::builder().cloud_front_default_certificate(true).build(),
    };
    DistributionConfig::builder()
        .caller_reference(&spec.caller_reference)
        .comment(&spec.comment)
        .enabled(true)
        .aliases(
            Aliases::builder()
                .quantity(spec.aliases.len() as i32)
                .set_items((!spec.aliases.is_empty()).then(|| spec.aliases.iter().map(|a| a.to_string()).collect()))
                .build()
                .map_err(invalid)?,
        )
        .default_root_object(&spec.default_root_object)
        .origins(Origins::builder().quantity(1).items(origin.build().map_err(invalid)?).build().map_err(invalid)?)
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(ORIGIN_ID)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .cache_policy_id(&spec.cache_policy_id)
                .compress(true)
                .build()
                .map_err(invalid)?,
        )
        .custom_error_responses(errors.build().map_err(invalid)?)
        .viewer_certificate(viewer)
        .price_class(PriceClass::from(spec.price_class.as_str()))
        .http_version(HttpVersion::Http2)
        .is_ipv6_enabled(true)
        .build()
        .map_err(invalid)
}

fn invalidation(i: &aws_sdk_cloudfront::types::Invalidation) -> InvalidationInfo {
    InvalidationInfo {
        id: i.id().to_string(),
        status: i.status().to_string(),
        caller_reference: i.invalidation_batch().map(|b| b.caller_reference().to_string()),
    }
}

#[async_trait]
impl Distributions for CloudFront {
    async fn list_distributions(&self) -> PortResult<Vec<DistributionInfo>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self.client().list_distributions().set_marker(marker.take()).send().await.map_err(classify)?;
            let Some(list) = page.distribution_list() else { break };
            for s in list.items() {
                if s.origins().is_none_or(|o| o.items().is_empty()) {
                    // Every real distribution has an origin, so AWS's summaries always carry
                    // them (and the aliases). The emulator's summaries carry neither (the SDK
                    // fills in an empty list): read the distribution itself.
                    out.push(self.distribution(s.id()).await?);
                } else {
                    out.push(summary_info(s));
                }
            }
            match (list.is_truncated(), list.next_marker()) {
                (true, Some(m)) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn disable_distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        let got = self.client().get_distribution_config().id(id).send().await.map_err(classify)?;
        let etag = got.e_tag().map(str::to_string).unwrap_or_default();
        let mut config = got
            .distribution_config
            .ok_or_else(|| PortError::Unavailable("no distribution config in the answer".into()))?;
        if !config.enabled {
            return self.distribution(id).await;
        }
        // The whole config goes back unchanged but for Enabled: UpdateDistribution replaces it.
        config.enabled = false;
        let out = self
            .client()
            .update_distribution()
            .id(id)
            .if_match(etag)
            .distribution_config(config)
            .send()
            .await
            .map_err(classify)?;
        out.distribution()
            .map(|d| info(d, out.e_tag()))
            .ok_or_else(|| PortError::Unavailable("no distribution in the answer".into()))
    }

    async fn delete_distribution(&self, id: &str, etag: &str) -> PortResult<()> {
        self.client().delete_distribution().id(id).if_match(etag).send().await.map_err(classify)?;
        Ok(())
    }

    async fn distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        let out = self.client().get_distribution().id(id).send().await.map_err(classify)?;
        out.distribution()
            .map(|d| info(d, out.e_tag()))
            .ok_or_else(|| PortError::NotFound(format!("CloudFront distribution {id}")))
    }

    async fn create_distribution(&self, spec: &DistributionSpec) -> PortResult<DistributionInfo> {
        let config = distribution_config(spec)?;
        let out = self.client().create_distribution().distribution_config(config).send().await.map_err(classify)?;
        out.distribution()
            .map(|d| info(d, out.e_tag()))
            .ok_or_else(|| PortError::Unavailable("no distribution in the answer".into()))
    }
}

#[async_trait]
impl Invalidations for CloudFront {
    async fn invalidate_all(&self, distribution_id: &str, caller_reference: &str) -> PortResult<InvalidationInfo> {
        let batch = InvalidationBatch::builder()
            .caller_reference(caller_reference)
            .paths(Paths::builder().quantity(1).items("/*").build().map_err(invalid)?)
            .build()
            .map_err(invalid)?;
        let out = self
            .client()
            .create_invalidation()
            .distribution_id(distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(classify)?;
        out.invalidation()
            .map(invalidation)
            .ok_or_else(|| PortError::Unavailable("no invalidation in the answer".into()))
    }

    async fn invalidation(&self, distribution_id: &str, id: &str) -> PortResult<InvalidationInfo> {
        let out =
            self.client().get_invalidation().distribution_id(distribution_id).id(id).send().await.map_err(classify)?;
        out.invalidation().map(invalidation).ok_or_else(|| PortError::NotFound(format!("invalidation {id}")))
    }

    async fn find_invalidation(
        &self,
        distribution_id: &str,
        caller_reference: &str,
    ) -> PortResult<Option<InvalidationInfo>> {
        // The list has no caller references; the newest few are enough (lockstep looks right
        // after its own attempt).
        let out = self
            .client()
            .list_invalidations()
            .distribution_id(distribution_id)
            .max_items(20)
            .send()
            .await
            .map_err(classify)?;
        let ids: Vec<String> =
            out.invalidation_list().map(|l| l.items().iter().map(|i| i.id().to_string()).collect()).unwrap_or_default();
        for id in ids {
            let inv = self.invalidation(distribution_id, &id).await?;
            if inv.caller_reference.as_deref() == Some(caller_reference) {
                return Ok(Some(inv));
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl OriginAccess for CloudFront {
    async fn ensure_origin_access_control(&self, name: &str) -> PortResult<String> {
        if let Some(id) = self.find_oac(name).await? {
            return Ok(id);
        }
        let config = OriginAccessControlConfig::builder()
            .name(name)
            .description("lockstep: CloudFront reads the private frontend bucket")
            .signing_protocol(OriginAccessControlSigningProtocols::Sigv4)
            .signing_behavior(OriginAccessControlSigningBehaviors::Always)
            .origin_access_control_origin_type(OriginAccessControlOriginTypes::S3)
            .build()
            .map_err(invalid)?;
        match self.client().create_origin_access_control().origin_access_control_config(config).send().await {
            Ok(out) => out
                .origin_access_control()
                .map(|o| o.id().to_string())
                .ok_or_else(|| PortError::Unavailable("no origin access control in the answer".into())),
            Err(e) => match classify(e) {
                // Made by a concurrent or earlier attempt between our look and our create.
                PortError::Rejected { code, .. } if code == "OriginAccessControlAlreadyExists" => self
                    .find_oac(name)
                    .await?
                    .ok_or_else(|| PortError::NotFound(format!("origin access control {name}"))),
                other => Err(other),
            },
        }
    }
}

impl CloudFront {
    async fn find_oac(&self, name: &str) -> PortResult<Option<String>> {
        let mut marker: Option<String> = None;
        loop {
            let page =
                self.client().list_origin_access_controls().set_marker(marker.take()).send().await.map_err(classify)?;
            let Some(list) = page.origin_access_control_list() else { return Ok(None) };
            if let Some(found) = list.items().iter().find(|o| o.name() == name) {
                return Ok(Some(found.id().to_string()));
            }
            match (list.is_truncated(), list.next_marker()) {
                (true, Some(m)) if !m.is_empty() => marker = Some(m.to_string()),
                _ => return Ok(None),
            }
        }
    }
}
