//! Every external system lockstep talks to, each behind its port ([`Adapters`]), wired to the
//! AWS SDK adapters (or the sandbox's stand-ins), and the step handlers built on them
//! ([`registry`]).

use crate::aws::{self, Aws};
use crate::jobs::Registry;
use crate::ports::{
    Buckets, CertificateAuthority, Distributions, DnsRecords, Firewall, HostedZones, HttpsProbe, Identity, InsideView,
    Instances, Invalidations, Listeners, LoadBalancers, Network, OriginAccess, PublicDns, Registrar, RunCommand,
    SandboxWorld, TargetGroups,
};
use crate::sandbox::{SandboxDns, SandboxRegistrar};
use crate::steps::certificate::{self, CertDeps};
use crate::steps::domain::{self, DomainDeps};
use crate::steps::frontend::{self as cdn_steps, CdnDeps};
use crate::steps::instance_https::{self, NginxDeps};
use crate::steps::load_balancer::{self, AlbDeps};
use crate::{net, paced, sandbox, secrets, steps};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Every external system lockstep talks to, each behind its port.
#[derive(Clone)]
pub struct Adapters {
    pub ca: Arc<dyn CertificateAuthority>,
    /// Route 53 hosted zones (finding, creating, deleting; their delegation set).
    pub zones: Arc<dyn HostedZones>,
    /// Route 53 records of a zone, and their changes.
    pub records: Arc<dyn DnsRecords>,
    pub registrar: Arc<dyn Registrar>,
    pub public_dns: Arc<dyn PublicDns>,
    pub instances: Arc<dyn Instances>,
    /// Present in the sandbox: lets the user play "I changed my registrar's name servers".
    pub sandbox_dns: Option<Arc<SandboxDns>>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
    /// The HTTPS doctor, and the ports it checks (80/443 unless a lab says otherwise).
    pub probe: Arc<dyn HttpsProbe>,
    pub probe_ports: (u16, u16),
    /// Facts from inside the account for the doctor (target health, security groups, S3).
    pub inside: Arc<dyn InsideView>,
    /// The instance's security groups (the free path opens 80 and 443).
    pub firewall: Arc<dyn Firewall>,
    /// Scripts on the instance (SSM Run Command).
    pub commands: Arc<dyn RunCommand>,
    /// Public address -> where a lab really serves it (`--public-address`); empty otherwise.
    pub address_map: Vec<(std::net::Ipv4Addr, std::net::Ipv4Addr)>,
    /// CloudFront distributions (the frontend step, teardown).
    pub distributions: Arc<dyn Distributions>,
    /// CloudFront invalidations (the frontend step).
    pub invalidations: Arc<dyn Invalidations>,
    /// CloudFront Origin Access Controls (the frontend step).
    pub origin_access: Arc<dyn OriginAccess>,
    /// S3 buckets (the frontend step: region, website hosting, policy).
    pub buckets: Arc<dyn Buckets>,
    /// Sandbox only: plays the team's existing resources (the frontend bucket).
    pub sandbox_world: Option<Arc<dyn SandboxWorld>>,
    /// What the new-project form picks from: running instances, SSM reach, buckets.
    pub instance_catalog: Arc<dyn crate::ports::InstanceCatalog>,
    pub ssm_reach: Arc<dyn crate::ports::SsmReach>,
    pub bucket_catalog: Arc<dyn crate::ports::BucketCatalog>,
    /// The instance's VPC, subnets and security groups (the ALB step).
    pub network: Arc<dyn Network>,
    /// Application load balancers (the ALB step, teardown).
    pub load_balancers: Arc<dyn LoadBalancers>,
    /// Target groups, their health check and targets (the ALB step, teardown).
    pub target_groups: Arc<dyn TargetGroups>,
    /// Load balancer listeners (the ALB step, teardown).
    pub listeners: Arc<dyn Listeners>,
    /// How long the ALB step waits on an unhealthy target before giving up.
    pub alb_unhealthy_limit: Duration,
    /// How long a teardown step waits out AWS's lag before it gives up with the reason.
    pub teardown_patience: Duration,
    /// Where status alerts go (Slack / Discord webhooks).
    pub webhook: Arc<dyn crate::ports::Webhook>,
    /// Seals secrets (webhook URLs) before they are stored.
    pub secrets: Arc<secrets::SecretBox>,
    /// Rendered public status pages, kept a few seconds; a finished re-check drops its page so
    /// the next visitor sees it at once (on this server; others within the cache's seconds).
    pub status_pages: Arc<crate::status_page::SharedCache>,
    /// Who AWS calls are made as (the server, or a team's role).
    pub identity: Arc<dyn Identity>,
    /// Whose credentials a team's AWS calls may use (the same rule the AWS clients apply).
    pub authority: Arc<aws::team_role::Authority>,
}

impl Adapters {
    /// The AWS SDK adapters for `aws`, with the sandbox stand-ins where the emulator falls
    /// short. `dns_server` pins public DNS lookups to one server (tests, the lab).
    pub fn for_aws(aws: Arc<Aws>, poll: Duration, dns_server: Option<SocketAddr>) -> anyhow::Result<Adapters> {
        // One adapter per AWS service, shared by the ports (capabilities) it serves.
        let route53 = Arc::new(aws::route53::Route53(aws.clone()));
        let zones: Arc<dyn HostedZones> = route53.clone();
        let records: Arc<dyn DnsRecords> = route53;
        // At most one describe per certificate / distribution per poll interval (paced.rs).
        let ca: Arc<dyn CertificateAuthority> =
            Arc::new(paced::PacedCa::new(Arc::new(aws::acm::Acm::new(aws.clone())), poll));
        let instances: Arc<dyn Instances> = Arc::new(aws::ec2::Ec2(aws.clone()));
        let firewall: Arc<dyn Firewall> = Arc::new(aws::ec2::Ec2(aws.clone()));
        let commands: Arc<dyn RunCommand> = Arc::new(aws::ssm::Ssm::new(aws.clone()));
        let real_registrar: Arc<dyn Registrar> = Arc::new(aws::domains::Route53Domains::new(aws.clone()));
        let (registrar, public_dns, sandbox_dns): (Arc<dyn Registrar>, Arc<dyn PublicDns>, _) = if aws.sandbox {
            let registrar: Arc<dyn Registrar> =
                Arc::new(SandboxRegistrar { inner: real_registrar, zones: zones.clone() });
            match dns_server {
                Some(addr) => (registrar, Arc::new(net::dns::HickoryDns::at(addr)?), None),
                None => {
                    let sandbox_dns = Arc::new(SandboxDns::new(zones.clone(), records.clone()));
                    (registrar, sandbox_dns.clone(), Some(sandbox_dns))
                }
            }
        } else {
            let public: Arc<dyn PublicDns> = match dns_server {
                Some(addr) => Arc::new(net::dns::HickoryDns::at(addr)?),
                None => Arc::new(net::dns::HickoryDns::system()?),
            };
            (real_registrar, public, None)
        };
        // The sandbox's names are the emulator's only: its check says which checks cannot run
        // there instead of failing them (issue 22). A lab (dns_server) serves real names.
        let probe: Arc<dyn HttpsProbe> = if aws.sandbox && dns_server.is_none() {
            Arc::new(sandbox::probe::SandboxProbe)
        } else {
            Arc::new(https_doctor(dns_server, None)?)
        };
        let inside: Arc<dyn InsideView> = Arc::new(aws::inside::AwsInside(aws.clone()));
        let cloudfront = Arc::new(aws::cloudfront::CloudFront::new(aws.clone()));
        let distributions: Arc<dyn Distributions> = Arc::new(paced::PacedDistributions::new(cloudfront.clone(), poll));
        let invalidations: Arc<dyn Invalidations> = cloudfront.clone();
        let origin_access: Arc<dyn OriginAccess> = cloudfront;
        let elb = Arc::new(aws::elb::Elb::new(aws.clone()));
        let load_balancers: Arc<dyn LoadBalancers> = elb.clone();
        let target_groups: Arc<dyn TargetGroups> = elb.clone();
        let listeners: Arc<dyn Listeners> = elb;
        let buckets: Arc<dyn Buckets> = Arc::new(aws::s3::S3(aws.clone()));
        let (instance_catalog, ssm_reach, bucket_catalog) = aws::catalog::adapters(&aws);
        Ok(Adapters {
            ca,
            zones,
            records,
            registrar,
            public_dns,
            instances,
            sandbox_dns,
            poll,
            probe,
            probe_ports: (80, 443),
            inside,
            firewall,
            commands,
            address_map: Vec::new(),
            distributions,
            invalidations,
            origin_access,
            buckets,
            sandbox_world: aws.sandbox.then(|| Arc::new(aws::s3::SandboxBuckets(aws.clone())) as Arc<dyn SandboxWorld>),
            instance_catalog,
            ssm_reach,
            bucket_catalog,
            network: Arc::new(aws::ec2::Ec2(aws.clone())),
            load_balancers,
            target_groups,
            listeners,
            alb_unhealthy_limit: load_balancer::UNHEALTHY_LIMIT,
            teardown_patience: steps::teardown::PATIENCE,
            webhook: Arc::new(net::webhook::HttpWebhook::new()),
            // Replaced by the server's own key at start (`Application::build`).
            secrets: Arc::new(secrets::SecretBox::ephemeral()),
            status_pages: Default::default(),
            identity: Arc::new(aws::sts::StsIdentity(aws.clone())),
            authority: aws.authority.clone(),
        })
    }
}

/// The HTTPS doctor: DNS from `dns_server` (or the system's resolvers), trust from `ca_file`
/// (or the system's store). It connects to public addresses only; a lab or test opts in to
/// loopback and private ones with `.allow_private_targets()`.
pub fn https_doctor(
    dns_server: Option<SocketAddr>,
    ca_file: Option<&std::path::Path>,
) -> anyhow::Result<lockstep_doctor::Doctor> {
    use lockstep_doctor::dns::{Dns, HickoryDns};
    let dns: Arc<dyn Dns> = Arc::new(
        match dns_server {
            Some(addr) => HickoryDns::at(addr),
            None => HickoryDns::system(),
        }
        .map_err(|e| anyhow::anyhow!("DNS resolver for the doctor: {e}"))?,
    );
    let roots = match ca_file {
        Some(p) => {
            let pem = std::fs::read(p).with_context(|| format!("reading the doctor's CA file {}", p.display()))?;
            lockstep_doctor::tls::roots_from_pem(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => lockstep_doctor::tls::system_roots(),
    };
    Ok(lockstep_doctor::Doctor::new(dns, roots))
}

/// The step handlers of every wizard step.
pub fn registry(a: &Adapters) -> Registry {
    let cert = Arc::new(CertDeps {
        ca: a.ca.clone(),
        records: a.records.clone(),
        zones: a.zones.clone(),
        public_dns: a.public_dns.clone(),
        poll: a.poll,
    });
    let dom = Arc::new(DomainDeps {
        zones: a.zones.clone(),
        registrar: a.registrar.clone(),
        public_dns: a.public_dns.clone(),
        delegation_poll: (a.poll * 6).max(Duration::from_millis(200)),
        registration_poll: (a.poll * 3).max(Duration::from_millis(200)),
    });
    let free = Arc::new(NginxDeps {
        firewall: a.firewall.clone(),
        records: a.records.clone(),
        public_dns: a.public_dns.clone(),
        instances: a.instances.clone(),
        commands: a.commands.clone(),
        probe: a.probe.clone(),
        poll: a.poll,
        address_map: a.address_map.clone(),
    });
    let cdn = Arc::new(CdnDeps {
        distributions: a.distributions.clone(),
        invalidations: a.invalidations.clone(),
        origin_access: a.origin_access.clone(),
        buckets: a.buckets.clone(),
        ca: a.ca.clone(),
        zones: a.zones.clone(),
        records: a.records.clone(),
        poll: a.poll,
    });
    let lb = Arc::new(AlbDeps {
        network: a.network.clone(),
        firewall: a.firewall.clone(),
        load_balancers: a.load_balancers.clone(),
        target_groups: a.target_groups.clone(),
        listeners: a.listeners.clone(),
        zones: a.zones.clone(),
        records: a.records.clone(),
        poll: a.poll,
        unhealthy_limit: a.alb_unhealthy_limit,
    });
    let down = Arc::new(steps::teardown::TeardownDeps {
        distributions: a.distributions.clone(),
        buckets: a.buckets.clone(),
        load_balancers: a.load_balancers.clone(),
        target_groups: a.target_groups.clone(),
        listeners: a.listeners.clone(),
        network: a.network.clone(),
        zones: a.zones.clone(),
        records: a.records.clone(),
        ca: a.ca.clone(),
        poll: a.poll,
        patience: a.teardown_patience,
    });
    Registry::default()
        .step(certificate::Request(cert.clone()))
        .step(certificate::AwaitRecords(cert.clone()))
        .step(certificate::UpsertValidation(cert.clone()))
        .step(certificate::AwaitDns(cert.clone()))
        .step(certificate::AwaitIssued(cert))
        .step(domain::ZoneCreate(dom.clone()))
        .step(domain::DelegationCheck(dom.clone()))
        .step(domain::Register(dom.clone()))
        .step(domain::AwaitRegistration(dom.clone()))
        .step(domain::FindZone(dom))
        .step(steps::doctor::Check { probe: a.probe.clone(), inside: a.inside.clone() })
        .step(instance_https::OpenPorts(free.clone()))
        .step(instance_https::DnsRecord(free.clone()))
        .step(instance_https::AwaitResolve(free.clone()))
        .step(instance_https::Install(free.clone()))
        .step(instance_https::Verify(free))
        .step(cdn_steps::Origin(cdn.clone()))
        .step(cdn_steps::Create(cdn.clone()))
        .step(cdn_steps::AwaitDeployed(cdn.clone()))
        .step(cdn_steps::Records(cdn.clone()))
        .step(cdn_steps::Invalidate(cdn))
        .step(load_balancer::FindNetwork(lb.clone()))
        .step(load_balancer::Security(lb.clone()))
        .step(load_balancer::TargetGroup(lb.clone()))
        .step(load_balancer::Create(lb.clone()))
        .step(load_balancer::Listeners(lb.clone()))
        .step(load_balancer::AwaitHealthy(lb.clone()))
        .step(load_balancer::Records(lb))
        .step(steps::teardown::DeleteCdn(down.clone()))
        .step(steps::teardown::DeleteAlb(down.clone()))
        .step(steps::teardown::DeleteNetwork(down.clone()))
        .step(steps::teardown::DeleteRecords(down.clone()))
        .step(steps::teardown::DeleteCertificates(down.clone()))
        .step(steps::teardown::DeleteZone(down.clone()))
        .step(steps::teardown::Verify(down))
        .step(steps::status::Record {
            webhook: a.webhook.clone(),
            secrets: a.secrets.clone(),
            pages: a.status_pages.clone(),
        })
}
