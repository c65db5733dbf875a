//! Labels the domain crate gives in English only (a framework, a domain source, an AWS region,
//! a doctor area, a ledger resource kind, the warning about shared free names, a step's title),
//! in the page's locale. The English texts in `locales/en.json` are the domain's own, byte for byte: the tests
//! in `i18n_tests.rs` compare them, so a changed domain label fails there instead of drifting.

use crate::i18n::*;
use lockstep_domain::doctor::Area;
use lockstep_domain::ledger::ResourceKind;
use lockstep_domain::plan::{DomainSource, MagicProvider};
use lockstep_domain::{Framework, StepKind};

/// The framework's name; only "Something else" is a phrase to translate, the rest are names.
pub fn framework(l: Locale, f: Framework) -> &'static str {
    match f {
        Framework::Other => td_string!(l, labels.framework_other),
        named => named.label(),
    }
}

/// Where the project's domain comes from.
pub fn source(l: Locale, s: DomainSource) -> &'static str {
    match s {
        DomainSource::ExistingZone => td_string!(l, labels.source.existing_zone),
        DomainSource::OtherRegistrar => td_string!(l, labels.source.other_registrar),
        DomainSource::Route53Purchase => td_string!(l, labels.source.route53_purchase),
        DomainSource::Magic(MagicProvider::NipIo) => td_string!(l, labels.source.nip_io),
        DomainSource::Magic(MagicProvider::SslipIo) => td_string!(l, labels.source.sslip_io),
        DomainSource::InstanceIp => td_string!(l, labels.source.instance_ip),
    }
}

/// An AWS region's name, as the AWS console writes it in that language; `fallback` (the
/// domain's English name) for a region this file does not know yet.
pub fn region(l: Locale, code: &str, fallback: &'static str) -> &'static str {
    match code {
        "ap-northeast-2" => td_string!(l, labels.region.ap_northeast_2),
        "ap-northeast-1" => td_string!(l, labels.region.ap_northeast_1),
        "ap-northeast-3" => td_string!(l, labels.region.ap_northeast_3),
        "ap-southeast-1" => td_string!(l, labels.region.ap_southeast_1),
        "ap-southeast-2" => td_string!(l, labels.region.ap_southeast_2),
        "ap-south-1" => td_string!(l, labels.region.ap_south_1),
        "ap-east-1" => td_string!(l, labels.region.ap_east_1),
        "us-east-1" => td_string!(l, labels.region.us_east_1),
        "us-east-2" => td_string!(l, labels.region.us_east_2),
        "us-west-1" => td_string!(l, labels.region.us_west_1),
        "us-west-2" => td_string!(l, labels.region.us_west_2),
        "ca-central-1" => td_string!(l, labels.region.ca_central_1),
        "eu-west-1" => td_string!(l, labels.region.eu_west_1),
        "eu-west-2" => td_string!(l, labels.region.eu_west_2),
        "eu-west-3" => td_string!(l, labels.region.eu_west_3),
        "eu-central-1" => td_string!(l, labels.region.eu_central_1),
        "eu-north-1" => td_string!(l, labels.region.eu_north_1),
        "sa-east-1" => td_string!(l, labels.region.sa_east_1),
        _ => fallback,
    }
}

/// A group of the HTTPS doctor's report.
pub fn area(l: Locale, a: Area) -> &'static str {
    match a {
        Area::Dns => td_string!(l, labels.area.dns),
        Area::Tcp => td_string!(l, labels.area.tcp),
        Area::Tls => td_string!(l, labels.area.tls),
        Area::Http => td_string!(l, labels.area.http),
        Area::Cors => td_string!(l, labels.area.cors),
        Area::Cookies => td_string!(l, labels.area.cookies),
        Area::MixedContent => td_string!(l, labels.area.mixed_content),
        Area::Freshness => td_string!(l, labels.area.freshness),
        Area::Aws => td_string!(l, labels.area.aws),
    }
}

/// A ledger resource kind in the reader's language.
pub fn resource_kind(l: Locale, kind: ResourceKind) -> String {
    let known = match kind {
        ResourceKind::CloudfrontDistribution => td_string!(l, labels.kind.cloudfront_distribution),
        ResourceKind::BucketPolicyStatement => td_string!(l, labels.kind.bucket_policy_statement),
        ResourceKind::Listener => td_string!(l, labels.kind.listener),
        ResourceKind::LoadBalancer => td_string!(l, labels.kind.load_balancer),
        ResourceKind::TargetGroup => td_string!(l, labels.kind.target_group),
        ResourceKind::SgRule => td_string!(l, labels.kind.sg_rule),
        ResourceKind::SecurityGroup => td_string!(l, labels.kind.security_group),
        ResourceKind::Route53Record => td_string!(l, labels.kind.route53_record),
        ResourceKind::AcmCertificate => td_string!(l, labels.kind.acm_certificate),
        ResourceKind::OriginAccessControl => td_string!(l, labels.kind.origin_access_control),
        ResourceKind::HostedZone => td_string!(l, labels.kind.hosted_zone),
    };
    known.to_string()
}

/// A step's title in the timeline ([`StepKind::title`] in English).
pub fn step_title(l: Locale, kind: StepKind) -> &'static str {
    match kind {
        StepKind::CertificateRequest => td_string!(l, labels.step.cert_request),
        StepKind::CertificateAwaitRecords => td_string!(l, labels.step.cert_await_records),
        StepKind::CertificateUpsertValidation => td_string!(l, labels.step.cert_upsert_validation),
        StepKind::CertificateAwaitDns => td_string!(l, labels.step.cert_await_dns),
        StepKind::CertificateAwaitIssued => td_string!(l, labels.step.cert_await_issued),
        StepKind::ZoneCreate => td_string!(l, labels.step.zone_create),
        StepKind::DelegationCheck => td_string!(l, labels.step.zone_delegation),
        StepKind::DomainRegister => td_string!(l, labels.step.domain_register),
        StepKind::DomainAwaitRegistration => td_string!(l, labels.step.domain_await_registration),
        StepKind::DomainFindZone => td_string!(l, labels.step.domain_find_zone),
        StepKind::DoctorCheck => td_string!(l, labels.step.doctor_check),
        StepKind::InstanceHttpsOpenPorts => td_string!(l, labels.step.nginx_open_ports),
        StepKind::InstanceHttpsDnsRecord => td_string!(l, labels.step.nginx_dns_record),
        StepKind::InstanceHttpsAwaitResolve => td_string!(l, labels.step.nginx_await_resolve),
        StepKind::InstanceHttpsInstall => td_string!(l, labels.step.nginx_install),
        StepKind::InstanceHttpsVerify => td_string!(l, labels.step.nginx_verify),
        StepKind::FrontendOrigin => td_string!(l, labels.step.cdn_origin),
        StepKind::FrontendCreate => td_string!(l, labels.step.cdn_create),
        StepKind::FrontendAwaitDeployed => td_string!(l, labels.step.cdn_await_deployed),
        StepKind::FrontendRecords => td_string!(l, labels.step.cdn_records),
        StepKind::FrontendInvalidate => td_string!(l, labels.step.cdn_invalidate),
        StepKind::LoadBalancerNetwork => td_string!(l, labels.step.alb_network),
        StepKind::LoadBalancerSecurity => td_string!(l, labels.step.alb_security),
        StepKind::LoadBalancerTargetGroup => td_string!(l, labels.step.alb_target_group),
        StepKind::LoadBalancerCreate => td_string!(l, labels.step.alb_create),
        StepKind::LoadBalancerAwaitHealthy => td_string!(l, labels.step.alb_await_healthy),
        StepKind::LoadBalancerListeners => td_string!(l, labels.step.alb_listeners),
        StepKind::LoadBalancerRecords => td_string!(l, labels.step.alb_records),
        StepKind::TeardownFrontend => td_string!(l, labels.step.teardown_cdn),
        StepKind::TeardownLoadBalancer => td_string!(l, labels.step.teardown_alb),
        StepKind::TeardownNetwork => td_string!(l, labels.step.teardown_network),
        StepKind::TeardownRecords => td_string!(l, labels.step.teardown_records),
        StepKind::TeardownCertificates => td_string!(l, labels.step.teardown_certificates),
        StepKind::TeardownZone => td_string!(l, labels.step.teardown_zone),
        StepKind::TeardownVerify => td_string!(l, labels.step.teardown_verify),
        StepKind::StatusRecord => td_string!(l, labels.step.status_record),
        StepKind::Noop => td_string!(l, labels.step.noop),
    }
}

/// `lockstep_domain::plan::MAGIC_WARNING`, in the locale.
pub fn magic_warning(l: Locale) -> &'static str {
    td_string!(l, labels.magic_warning)
}
