//! Route 53 Domains: availability, prices, registration and its operations. The API exists
//! only in us-east-1.

use super::{classify, millis, Aws};
use crate::ports::{
    Availability, Operation, OperationStatus, PortError, PortResult, RegisterRequest, Registrar, TldPrice, Usd,
};
use async_trait::async_trait;
use aws_sdk_route53domains::types::{ContactDetail, ContactType, CountryCode, DomainAvailability};
use lockstep_domain::DomainName;
use std::sync::Arc;

/// Where clients come from: per call from [`Aws`] (the acting team's), or one given client.
enum Source {
    Aws(Arc<Aws>),
    Fixed(aws_sdk_route53domains::Client),
}

pub struct Route53Domains {
    source: Source,
    /// moto refuses `DurationInYears = 1` ("ExpirationDate must be between 1 and 10 years"):
    /// in the sandbox lockstep registers for at least 2 years; AWS gets what the user chose.
    min_years: i32,
}

impl Route53Domains {
    pub fn new(aws: Arc<Aws>) -> Self {
        let min_years = if aws.sandbox { 2 } else { 1 };
        Route53Domains { source: Source::Aws(aws), min_years }
    }

    /// Over a given client (tests drive it with scripted replies).
    pub fn with_client(client: aws_sdk_route53domains::Client) -> Self {
        Route53Domains { source: Source::Fixed(client), min_years: 1 }
    }

    fn client(&self) -> aws_sdk_route53domains::Client {
        match &self.source {
            Source::Aws(aws) => aws.domains(),
            Source::Fixed(c) => c.clone(),
        }
    }
}

fn usd(p: Option<&aws_sdk_route53domains::types::PriceWithCurrency>) -> Option<Usd> {
    p.filter(|p| p.currency().eq_ignore_ascii_case("USD")).map(|p| Usd((p.price() * 100.0).round() as i64))
}

fn status(s: Option<&aws_sdk_route53domains::types::OperationStatus>) -> OperationStatus {
    use aws_sdk_route53domains::types::OperationStatus as S;
    match s {
        Some(S::Submitted) => OperationStatus::Submitted,
        Some(S::InProgress) => OperationStatus::InProgress,
        Some(S::Successful) => OperationStatus::Successful,
        Some(S::Failed) => OperationStatus::Failed,
        _ => OperationStatus::Error,
    }
}

fn contact(c: &lockstep_domain::contact::Contact) -> PortResult<ContactDetail> {
    Ok(ContactDetail::builder()
        .first_name(&c.first_name)
        .last_name(&c.last_name)
        .contact_type(ContactType::Person)
        .email(&c.email)
        .phone_number(&c.phone)
        .address_line1(&c.address_line1)
        .city(&c.city)
        .set_state(c.state.clone())
        .country_code(CountryCode::from(c.country_code.as_str()))
        .zip_code(&c.zip_code)
        .build())
}

#[async_trait]
impl Registrar for Route53Domains {
    async fn availability(&self, domain: &DomainName) -> PortResult<Availability> {
        let out =
            self.client().check_domain_availability().domain_name(domain.as_str()).send().await.map_err(classify)?;
        Ok(match out.availability() {
            Some(DomainAvailability::Available)
            | Some(DomainAvailability::AvailablePreorder)
            | Some(DomainAvailability::AvailableReserved) => Availability::Available,
            Some(DomainAvailability::DontKnow) | Some(DomainAvailability::Pending) | None => {
                Availability::Unknown("the registry did not answer".into())
            }
            Some(DomainAvailability::InvalidNameForTld) => {
                return Err(PortError::Rejected {
                    code: "InvalidNameForTld".into(),
                    message: format!("{domain} is not a valid name for its top-level domain"),
                })
            }
            Some(other) => Availability::Unavailable(other.as_str().to_string()),
        })
    }

    async fn suggestions(&self, domain: &DomainName, count: i32) -> PortResult<Vec<(String, bool)>> {
        let out = self
            .client()
            .get_domain_suggestions()
            .domain_name(domain.as_str())
            .suggestion_count(count)
            .only_available(false)
            .send()
            .await
            .map_err(classify)?;
        Ok(out
            .suggestions_list()
            .iter()
            .filter_map(|s| {
                Some((s.domain_name()?.to_string(), s.availability().is_some_and(|a| a.starts_with("AVAILABLE"))))
            })
            .collect())
    }

    async fn price(&self, tld: &str) -> PortResult<Option<TldPrice>> {
        // The price list is paged; walk it until the TLD shows up.
        let mut marker: Option<String> = None;
        loop {
            let page = self.client().list_prices().tld(tld).set_marker(marker.take()).send().await.map_err(classify)?;
            let found =
                page.prices().iter().find(|p| p.name().is_some_and(|n| n.eq_ignore_ascii_case(tld))).and_then(|p| {
                    Some(TldPrice {
                        tld: tld.to_string(),
                        registration: usd(p.registration_price())?,
                        renewal: usd(p.renewal_price())?,
                    })
                });
            if found.is_some() {
                return Ok(found);
            }
            match page.next_page_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => return Ok(None),
            }
        }
    }

    async fn register(&self, request: &RegisterRequest) -> PortResult<String> {
        let c = contact(&request.contact)?;
        let out = self
            .client()
            .register_domain()
            .domain_name(request.domain.as_str())
            .duration_in_years(request.years.max(self.min_years))
            .auto_renew(true)
            .admin_contact(c.clone())
            .registrant_contact(c.clone())
            .tech_contact(c)
            .privacy_protect_admin_contact(true)
            .privacy_protect_registrant_contact(true)
            .privacy_protect_tech_contact(true)
            .send()
            .await
            .map_err(classify)?;
        out.operation_id()
            .map(str::to_string)
            .ok_or_else(|| PortError::Unavailable("no operation id in the answer".into()))
    }

    async fn operation(&self, id: &str) -> PortResult<Operation> {
        let out = self.client().get_operation_detail().operation_id(id).send().await.map_err(classify)?;
        Ok(Operation {
            id: id.to_string(),
            status: status(out.status()),
            kind: out.r#type().map(|t| t.as_str().to_string()).unwrap_or_default(),
            domain: out.domain_name().map(str::to_string),
            message: out.message().map(str::to_string),
            submitted_ms: millis(out.submitted_date()),
        })
    }

    async fn recent_operations(&self, since_ms: i64) -> PortResult<Vec<Operation>> {
        let mut ops = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client()
                .list_operations()
                .submitted_since(aws_smithy_types::DateTime::from_millis(since_ms))
                .set_marker(marker.take())
                .send()
                .await
                .map_err(classify)?;
            for o in page.operations() {
                ops.push(Operation {
                    id: o.operation_id().unwrap_or_default().to_string(),
                    status: status(o.status()),
                    kind: o.r#type().map(|t| t.as_str().to_string()).unwrap_or_default(),
                    domain: o.domain_name().map(str::to_string),
                    message: o.message().map(str::to_string),
                    submitted_ms: millis(o.submitted_date()),
                });
            }
            match page.next_page_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        Ok(ops)
    }

    async fn nameservers(&self, domain: &DomainName) -> PortResult<Option<Vec<String>>> {
        match self.client().get_domain_detail().domain_name(domain.as_str()).send().await.map_err(classify) {
            Ok(out) => Ok(Some(
                out.nameservers().iter().map(|n| n.name().trim_end_matches('.').to_ascii_lowercase()).collect(),
            )),
            // "Domain is not associated with this account": registered elsewhere.
            Err(PortError::Rejected { code, .. }) if code == "InvalidInput" || code == "DomainNotFound" => Ok(None),
            Err(e) => Err(e),
        }
    }
}
