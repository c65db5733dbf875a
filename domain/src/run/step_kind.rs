//! Every kind of durable step: its stored key, its title and how long it usually waits.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every kind of durable step lockstep knows. Its key ([`StepKind::key`]) and its serde name
/// are stored in the database: a variant renamed in the code keeps its stored name with
/// `#[serde(rename)]` (the paid and free paths' steps were `Alb*`, `Cert*`, `Cdn*`, `Nginx*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// Ask ACM for a DNS-validated certificate (idempotency token persisted first).
    #[serde(rename = "CertRequest")]
    CertificateRequest,
    /// Wait until ACM publishes the validation CNAME (it may be missing for seconds).
    #[serde(rename = "CertAwaitRecords")]
    CertificateAwaitRecords,
    /// UPSERT the validation CNAME into the project's hosted zone.
    #[serde(rename = "CertUpsertValidation")]
    CertificateUpsertValidation,
    /// Wait until Route 53 reports the change INSYNC on its name servers.
    #[serde(rename = "CertAwaitDns")]
    CertificateAwaitDns,
    /// Wait until ACM says ISSUED.
    #[serde(rename = "CertAwaitIssued")]
    CertificateAwaitIssued,
    /// Create (or reuse) the hosted zone for a domain registered elsewhere.
    ZoneCreate,
    /// Compare the registrar's name servers with the zone's until they match.
    DelegationCheck,
    /// Register a domain through Route 53 Domains (bills the account).
    DomainRegister,
    /// Wait for the registration operation to succeed.
    DomainAwaitRegistration,
    /// Find the hosted zone Route 53 created for the new domain and save the name plan.
    DomainFindZone,
    /// Run the HTTPS doctor against the project's names and store its report.
    DoctorCheck,
    /// Free path: open 80 and 443 on the instance's security group; point out risky open ports.
    #[serde(rename = "NginxOpenPorts")]
    InstanceHttpsOpenPorts,
    /// Free path: the API name's A record to the instance's public IP (own domain only).
    #[serde(rename = "NginxDnsRecord")]
    InstanceHttpsDnsRecord,
    /// Free path: wait until public DNS answers the API name with the instance's IP.
    #[serde(rename = "NginxAwaitResolve")]
    InstanceHttpsAwaitResolve,
    /// Free path: nginx + certbot on the instance (SSM Run Command, or the team runs the script).
    #[serde(rename = "NginxInstall")]
    InstanceHttpsInstall,
    /// Free path: verify from outside (DNS, TLS and chain, redirect, the proxy reaching the app).
    #[serde(rename = "NginxVerify")]
    InstanceHttpsVerify,
    /// Read the frontend bucket (region, website hosting) and choose how CloudFront reaches
    /// it: the website endpoint over HTTP, or the REST endpoint with an Origin Access Control.
    #[serde(rename = "CdnOrigin")]
    FrontendOrigin,
    /// Check the certificate and the aliases, then create (or reuse) the CloudFront
    /// distribution (CallerReference persisted first).
    #[serde(rename = "CdnCreate")]
    FrontendCreate,
    /// Wait until CloudFront says Deployed.
    #[serde(rename = "CdnAwaitDeployed")]
    FrontendAwaitDeployed,
    /// UPSERT alias A/AAAA records for each alias to the distribution.
    #[serde(rename = "CdnRecords")]
    FrontendRecords,
    /// Invalidate every cached path (`/*`) and wait until it completes.
    #[serde(rename = "CdnInvalidate")]
    FrontendInvalidate,
    /// ALB: the instance's VPC and one subnet in each of two availability zones.
    #[serde(rename = "AlbNetwork")]
    LoadBalancerNetwork,
    /// ALB: its security group (80/443 from anywhere) and the instance's rule letting it in.
    #[serde(rename = "AlbSecurity")]
    LoadBalancerSecurity,
    /// ALB: the target group (protocol HTTP, the app port, the health path) with the instance.
    #[serde(rename = "AlbTargetGroup")]
    LoadBalancerTargetGroup,
    /// ALB: create (or reuse) the internet-facing load balancer and wait until it is active.
    #[serde(rename = "AlbCreate")]
    LoadBalancerCreate,
    /// ALB: wait until the instance passes the health checks, explaining each failure reason.
    #[serde(rename = "AlbAwaitHealthy")]
    LoadBalancerAwaitHealthy,
    /// ALB: HTTPS:443 with the certificate forwarding to the group; HTTP:80 redirecting to HTTPS.
    #[serde(rename = "AlbListeners")]
    LoadBalancerListeners,
    /// ALB: alias A/AAAA records for the API name to the load balancer (or the CNAME to add).
    #[serde(rename = "AlbRecords")]
    LoadBalancerRecords,
    /// Teardown: CloudFront: disable, wait until the change is deployed, delete; then the bucket-policy statement.
    #[serde(rename = "TeardownCdn")]
    TeardownFrontend,
    /// Teardown: The ALB's listeners, the ALB (waiting until it is gone), then its target group.
    #[serde(rename = "TeardownAlb")]
    TeardownLoadBalancer,
    /// Teardown: The security-group rules lockstep added, then the groups it created (AWS refuses while the deleted load balancer's network interfaces linger).
    TeardownNetwork,
    /// Teardown: The Route 53 records lockstep added (aliases, A records, validation CNAMEs).
    TeardownRecords,
    /// Teardown: The ACM certificates lockstep requested that nothing uses any more.
    TeardownCertificates,
    /// Teardown: The hosted zone lockstep created, only when the user confirmed it.
    TeardownZone,
    /// Teardown: Lists AWS for every resource of the ledger and fails when one still exists.
    TeardownVerify,
    /// Scheduled re-check: store the doctor's result per name and send the alerts it makes due.
    StatusRecord,
    /// A step that does nothing but count: used by the job-engine benchmark and tests.
    Noop,
}

/// Every kind, for lookups by key.
pub(super) const ALL_KINDS: [StepKind; 37] = [
    StepKind::CertificateRequest,
    StepKind::CertificateAwaitRecords,
    StepKind::CertificateUpsertValidation,
    StepKind::CertificateAwaitDns,
    StepKind::CertificateAwaitIssued,
    StepKind::ZoneCreate,
    StepKind::DelegationCheck,
    StepKind::DomainRegister,
    StepKind::DomainAwaitRegistration,
    StepKind::DomainFindZone,
    StepKind::DoctorCheck,
    StepKind::InstanceHttpsOpenPorts,
    StepKind::InstanceHttpsDnsRecord,
    StepKind::InstanceHttpsAwaitResolve,
    StepKind::InstanceHttpsInstall,
    StepKind::InstanceHttpsVerify,
    StepKind::FrontendOrigin,
    StepKind::FrontendCreate,
    StepKind::FrontendAwaitDeployed,
    StepKind::FrontendRecords,
    StepKind::FrontendInvalidate,
    StepKind::LoadBalancerNetwork,
    StepKind::LoadBalancerSecurity,
    StepKind::LoadBalancerTargetGroup,
    StepKind::LoadBalancerCreate,
    StepKind::LoadBalancerAwaitHealthy,
    StepKind::LoadBalancerListeners,
    StepKind::LoadBalancerRecords,
    StepKind::TeardownFrontend,
    StepKind::TeardownLoadBalancer,
    StepKind::TeardownNetwork,
    StepKind::TeardownRecords,
    StepKind::TeardownCertificates,
    StepKind::TeardownZone,
    StepKind::TeardownVerify,
    StepKind::StatusRecord,
    StepKind::Noop,
];

impl StepKind {
    /// Every kind (the app's translated titles are compared with [`StepKind::title`] over it).
    pub const ALL: [StepKind; 37] = ALL_KINDS;

    pub fn key(self) -> &'static str {
        match self {
            StepKind::CertificateRequest => "cert.request",
            StepKind::CertificateAwaitRecords => "cert.await_records",
            StepKind::CertificateUpsertValidation => "cert.upsert_validation",
            StepKind::CertificateAwaitDns => "cert.await_dns",
            StepKind::CertificateAwaitIssued => "cert.await_issued",
            StepKind::ZoneCreate => "zone.create",
            StepKind::DelegationCheck => "zone.delegation",
            StepKind::DomainRegister => "domain.register",
            StepKind::DomainAwaitRegistration => "domain.await_registration",
            StepKind::DomainFindZone => "domain.find_zone",
            StepKind::DoctorCheck => "doctor.check",
            StepKind::InstanceHttpsOpenPorts => "nginx.open_ports",
            StepKind::InstanceHttpsDnsRecord => "nginx.dns_record",
            StepKind::InstanceHttpsAwaitResolve => "nginx.await_resolve",
            StepKind::InstanceHttpsInstall => "nginx.install",
            StepKind::InstanceHttpsVerify => "nginx.verify",
            StepKind::FrontendOrigin => "cdn.origin",
            StepKind::FrontendCreate => "cdn.create",
            StepKind::FrontendAwaitDeployed => "cdn.await_deployed",
            StepKind::FrontendRecords => "cdn.records",
            StepKind::FrontendInvalidate => "cdn.invalidate",
            StepKind::LoadBalancerNetwork => "alb.network",
            StepKind::LoadBalancerSecurity => "alb.security",
            StepKind::LoadBalancerTargetGroup => "alb.target_group",
            StepKind::LoadBalancerCreate => "alb.create",
            StepKind::LoadBalancerAwaitHealthy => "alb.await_healthy",
            StepKind::LoadBalancerListeners => "alb.listeners",
            StepKind::LoadBalancerRecords => "alb.records",
            StepKind::TeardownFrontend => "teardown.cdn",
            StepKind::TeardownLoadBalancer => "teardown.alb",
            StepKind::TeardownNetwork => "teardown.network",
            StepKind::TeardownRecords => "teardown.records",
            StepKind::TeardownCertificates => "teardown.certificates",
            StepKind::TeardownZone => "teardown.zone",
            StepKind::TeardownVerify => "teardown.verify",
            StepKind::StatusRecord => "status.record",
            StepKind::Noop => "noop",
        }
    }

    pub fn from_key(s: &str) -> Option<StepKind> {
        ALL_KINDS.into_iter().find(|k| k.key() == s)
    }

    /// The line in the timeline.
    pub fn title(self) -> &'static str {
        match self {
            StepKind::CertificateRequest => "Request the certificate from ACM",
            StepKind::CertificateAwaitRecords => "Wait for ACM's validation record",
            StepKind::CertificateUpsertValidation => "Add the validation record to your hosted zone",
            StepKind::CertificateAwaitDns => "Wait for Route 53 to publish the record",
            StepKind::CertificateAwaitIssued => "Wait for ACM to issue the certificate",
            StepKind::ZoneCreate => "Create the Route 53 hosted zone",
            StepKind::DelegationCheck => "Check the domain's name servers point at the zone",
            StepKind::DomainRegister => "Register the domain with Route 53 Domains",
            StepKind::DomainAwaitRegistration => "Wait for the registration to complete",
            StepKind::DomainFindZone => "Find the hosted zone Route 53 created",
            StepKind::DoctorCheck => "Check HTTPS from outside, as a browser would",
            StepKind::InstanceHttpsOpenPorts => "Open ports 80 and 443 on the instance's security group",
            StepKind::InstanceHttpsDnsRecord => "Point the API name at the instance",
            StepKind::InstanceHttpsAwaitResolve => "Wait until the name resolves to the instance",
            StepKind::InstanceHttpsInstall => "Install nginx and get the Let's Encrypt certificate",
            StepKind::InstanceHttpsVerify => "Verify HTTPS from outside",
            StepKind::FrontendOrigin => "Look at the frontend bucket and choose the CloudFront origin",
            StepKind::FrontendCreate => "Create the CloudFront distribution",
            StepKind::FrontendAwaitDeployed => "Wait for CloudFront to deploy to its edge locations",
            StepKind::FrontendRecords => "Point your names at CloudFront (alias records)",
            StepKind::FrontendInvalidate => "Clear CloudFront's cache (invalidate /*)",
            StepKind::LoadBalancerNetwork => "Find the instance's network and two availability zones",
            StepKind::LoadBalancerSecurity => "Set up the load balancer's security group and let it reach the app",
            StepKind::LoadBalancerTargetGroup => "Create the target group (HTTP to the app port) with the instance",
            StepKind::LoadBalancerCreate => "Create the load balancer",
            StepKind::LoadBalancerAwaitHealthy => "Wait until the app passes the load balancer's health checks",
            StepKind::LoadBalancerListeners => "Add HTTPS (443) with the certificate and redirect HTTP (80)",
            StepKind::LoadBalancerRecords => "Point the API name at the load balancer",
            StepKind::TeardownFrontend => "Disable and delete the CloudFront distribution",
            StepKind::TeardownLoadBalancer => "Delete the listeners, the load balancer and the target group",
            StepKind::TeardownNetwork => "Remove the security-group rules and groups lockstep added",
            StepKind::TeardownRecords => "Delete the DNS records lockstep added",
            StepKind::TeardownCertificates => "Delete the certificates no longer in use",
            StepKind::TeardownZone => "Delete the hosted zone (only if you confirmed)",
            StepKind::TeardownVerify => "List AWS to prove nothing lockstep created is left",
            StepKind::StatusRecord => "Record the result on the status page and send due alerts",
            StepKind::Noop => "No-op",
        }
    }

    /// How long this step usually takes on real AWS, shown beside the elapsed time so a
    /// waiting student knows whether to worry.
    pub fn typical_wait_secs(self) -> u32 {
        match self {
            StepKind::CertificateRequest => 2,
            StepKind::CertificateAwaitRecords => 10,
            StepKind::CertificateUpsertValidation => 2,
            StepKind::CertificateAwaitDns => 60,
            // Seed 003: "DNS validation takes 3 to 10 minutes".
            StepKind::CertificateAwaitIssued => 300,
            StepKind::ZoneCreate => 3,
            // Registrars publish NS changes within minutes; resolvers may cache the old ones
            // for up to the TTL (often 1-2 days at the TLD).
            StepKind::DelegationCheck => 3600,
            StepKind::DomainRegister => 5,
            // AWS: usually 15 minutes for .com, up to 3 days for some TLDs.
            StepKind::DomainAwaitRegistration => 900,
            StepKind::DomainFindZone => 30,
            StepKind::DoctorCheck => 2,
            StepKind::InstanceHttpsOpenPorts => 2,
            StepKind::InstanceHttpsDnsRecord => 2,
            // Route 53 answers within a minute; a resolver that cached the old answer waits
            // out its TTL (60 s for lockstep's records).
            StepKind::InstanceHttpsAwaitResolve => 60,
            // dnf/apt installs and certbot: 1-3 minutes on a t2.micro.
            StepKind::InstanceHttpsInstall => 180,
            StepKind::InstanceHttpsVerify => 3,
            StepKind::FrontendOrigin => 2,
            StepKind::FrontendCreate => 5,
            // A new distribution takes about 5-15 minutes to reach every edge location.
            StepKind::FrontendAwaitDeployed => 600,
            StepKind::FrontendRecords => 60,
            // Invalidations usually complete within a few minutes.
            StepKind::FrontendInvalidate => 120,
            StepKind::LoadBalancerNetwork => 2,
            StepKind::LoadBalancerSecurity => 3,
            StepKind::LoadBalancerTargetGroup => 3,
            // A new application load balancer is "provisioning" for about 3 minutes.
            StepKind::LoadBalancerCreate => 180,
            // Registration plus the first passing checks (5 x 30 s by default, often sooner):
            // about 1-2 minutes once the app answers.
            StepKind::LoadBalancerAwaitHealthy => 90,
            StepKind::LoadBalancerListeners => 3,
            StepKind::LoadBalancerRecords => 60,
            // Disabling deploys like any change (5-15 minutes) before the delete is allowed.
            StepKind::TeardownFrontend => 900,
            StepKind::TeardownLoadBalancer => 60,
            // The deleted load balancer's network interfaces linger for a minute or two.
            StepKind::TeardownNetwork => 120,
            StepKind::TeardownRecords => 5,
            // ACM notices a certificate is no longer attached within a few minutes.
            StepKind::TeardownCertificates => 60,
            StepKind::TeardownZone => 3,
            StepKind::TeardownVerify => 5,
            StepKind::StatusRecord => 1,
            StepKind::Noop => 0,
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
