//! ACM: request, describe and list certificates.

use super::{classify, millis, Aws};
use crate::ports::{
    CertStatus, CertificateAuthority, CertificateInfo, CertificateSummary, PortError, PortResult, ValidationRecord,
};
use async_trait::async_trait;
use aws_sdk_acm::types::{CertificateStatus, ValidationMethod};
use lockstep_domain::{DomainName, Region};
use std::sync::Arc;

enum Source {
    Aws(Arc<Aws>),
    /// One client for every region (scripted replies in tests).
    Fixed(aws_sdk_acm::Client),
}

pub struct Acm(Source);

impl Acm {
    pub fn new(aws: Arc<Aws>) -> Acm {
        Acm(Source::Aws(aws))
    }
    /// Over a given client (scripted replies in tests); the region argument is then ignored.
    pub fn with_client(client: aws_sdk_acm::Client) -> Acm {
        Acm(Source::Fixed(client))
    }
    fn client(&self, region: &Region) -> aws_sdk_acm::Client {
        match &self.0 {
            Source::Aws(aws) => aws.acm(region.as_str()),
            Source::Fixed(c) => c.clone(),
        }
    }
}

fn status(s: Option<&CertificateStatus>) -> CertStatus {
    match s {
        Some(CertificateStatus::PendingValidation) => CertStatus::PendingValidation,
        Some(CertificateStatus::Issued) => CertStatus::Issued,
        Some(CertificateStatus::Failed) => CertStatus::Failed,
        Some(CertificateStatus::ValidationTimedOut) => CertStatus::ValidationTimedOut,
        Some(CertificateStatus::Revoked) => CertStatus::Revoked,
        Some(CertificateStatus::Expired) => CertStatus::Expired,
        Some(CertificateStatus::Inactive) => CertStatus::Inactive,
        Some(other) => CertStatus::Other(other.as_str().to_string()),
        None => CertStatus::Other("unknown".into()),
    }
}

#[async_trait]
impl CertificateAuthority for Acm {
    async fn request(&self, region: &Region, names: &[DomainName], idempotency_token: &str) -> PortResult<String> {
        let (first, rest) = names.split_first().ok_or_else(|| PortError::Rejected {
            code: "NoNames".into(),
            message: "a certificate needs at least one name".into(),
        })?;
        let mut req = self
            .client(region)
            .request_certificate()
            .domain_name(first.as_str())
            .validation_method(ValidationMethod::Dns)
            .idempotency_token(idempotency_token);
        if !rest.is_empty() {
            req = req.set_subject_alternative_names(Some(names.iter().map(|n| n.to_string()).collect()));
        }
        let out = req.send().await.map_err(classify)?;
        out.certificate_arn().map(str::to_string).ok_or_else(|| PortError::Unavailable("no ARN in the answer".into()))
    }

    async fn describe(&self, region: &Region, arn: &str) -> PortResult<CertificateInfo> {
        let out = self.client(region).describe_certificate().certificate_arn(arn).send().await.map_err(classify)?;
        let c = out.certificate().ok_or_else(|| PortError::NotFound(arn.to_string()))?;
        let validation = c
            .domain_validation_options()
            .iter()
            .filter_map(|d| {
                d.resource_record().map(|r| ValidationRecord {
                    domain: d.domain_name().to_string(),
                    name: r.name().trim_end_matches('.').to_string(),
                    rtype: r.r#type().as_str().to_string(),
                    value: r.value().to_string(),
                })
            })
            .collect();
        Ok(CertificateInfo {
            arn: arn.to_string(),
            domain: c.domain_name().unwrap_or_default().to_string(),
            names: c.subject_alternative_names().to_vec(),
            status: status(c.status()),
            validation,
            failure_reason: c.failure_reason().map(|r| r.as_str().to_string()),
            in_use_by: c.in_use_by().to_vec(),
            created_at_ms: millis(c.created_at()),
            not_after_ms: millis(c.not_after()),
        })
    }

    async fn list(&self, region: &Region) -> PortResult<Vec<CertificateSummary>> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page =
                self.client(region).list_certificates().set_next_token(next.take()).send().await.map_err(classify)?;
            for s in page.certificate_summary_list() {
                out.push(CertificateSummary {
                    arn: s.certificate_arn().unwrap_or_default().to_string(),
                    domain: s.domain_name().unwrap_or_default().to_string(),
                    status: status(s.status()),
                });
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn delete(&self, region: &Region, arn: &str) -> PortResult<()> {
        match self.client(region).delete_certificate().certificate_arn(arn).send().await {
            Ok(_) => Ok(()),
            Err(e) => Err(match classify(e) {
                // ACM says ResourceNotFoundException both for a deleted certificate and an
                // unknown ARN: either way there is nothing to delete.
                PortError::NotFound(m) => PortError::NotFound(m),
                other => other,
            }),
        }
    }
}
