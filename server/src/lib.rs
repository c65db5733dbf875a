//! The lockstep server: configuration, start-up, the job engine, storage and AWS adapters.
//!
//! Layout: [`ports`] are the narrow traits for each external system; [`aws`] implements them
//! with the AWS SDK (the only module that may import it); [`steps`] are the wizard's durable
//! steps written against the ports; [`jobs`] runs them; [`store`] persists everything;
//! [`service`] is what the UI calls; [`http`] serves it.
#![forbid(unsafe_code)]

pub mod aws;
pub mod clock;
pub mod config;
pub mod faults;
pub mod http;
pub mod jobs;
pub mod ports;
pub mod sandbox;
pub mod service;
pub mod steps;
pub mod store;

use crate::aws::{Aws, AwsTarget};
use crate::clock::{Clock, SystemClock};
use crate::config::{AwsMode, ServeConfig};
use crate::jobs::{Engine, EngineConfig, Registry};
use crate::ports::{CertificateAuthority, DnsZones, Identity};
use crate::sandbox::MotoServer;
use crate::steps::cert::{self, CertDeps};
use crate::store::sqlite::SqliteStore;
use crate::store::Store;
use anyhow::Context;
use app::model::EnvInfo;
use leptos::prelude::LeptosOptions;
use lockstep_domain::StepKind;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Opens the store the URL names. SQLite is built in; other URLs get a clear error.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await.with_context(|| format!("opening the database {url}"))?))
    } else {
        anyhow::bail!(
            "unsupported database URL \"{url}\": use sqlite://PATH (PostgreSQL support is planned for several servers)"
        )
    }
}

/// The step handlers of every wizard step.
pub fn registry(ca: Arc<dyn CertificateAuthority>, dns: Arc<dyn DnsZones>, poll: Duration) -> Registry {
    let deps = Arc::new(CertDeps { ca, dns, poll });
    Registry::default()
        .with(StepKind::CertRequest, cert::Request(deps.clone()))
        .with(StepKind::CertAwaitRecords, cert::AwaitRecords(deps.clone()))
        .with(StepKind::CertUpsertValidation, cert::UpsertValidation(deps.clone()))
        .with(StepKind::CertAwaitDns, cert::AwaitDns(deps.clone()))
        .with(StepKind::CertAwaitIssued, cert::AwaitIssued(deps))
}

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    engine: Engine,
    moto: Option<MotoServer>,
    _data_lock: Option<std::fs::File>,
    pub env: EnvInfo,
}

impl Application {
    pub async fn build(config: ServeConfig) -> anyhow::Result<Application> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let db_url = config.database_url();

        // The embedded store is single-server: an exclusive lock on the data dir proves no
        // other lockstep uses this file, so leases left by a crashed predecessor can be
        // released at once instead of waiting for them to expire.
        let mut data_lock = None;
        if let Some(path) = db_url.strip_prefix("sqlite://").filter(|p| !p.contains(":memory:")) {
            let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the data directory {}", dir.display()))?;
            }
            let lock_path = path.with_extension("lock");
            let file = std::fs::File::create(&lock_path)?;
            file.try_lock().map_err(|_| {
                anyhow::anyhow!(
                    "another lockstep server is using {} (lock {} is held). Stop it first, or give this one another --data-dir",
                    path.display(),
                    lock_path.display()
                )
            })?;
            data_lock = Some(file);
        }
        let store = open_store(&db_url).await?;
        if data_lock.is_some() {
            let released = store.release_all_leases().await?;
            if released > 0 {
                info!(released, "resuming steps left running by a previous start");
            }
        }

        let (target, moto) = match (config.aws, &config.sandbox_endpoint) {
            (AwsMode::Real, _) => (AwsTarget::Real, None),
            (AwsMode::Sandbox, Some(endpoint)) => {
                (AwsTarget::Sandbox { endpoint: endpoint.clone(), account: config.sandbox_account.clone() }, None)
            }
            (AwsMode::Sandbox, None) => {
                let moto = MotoServer::start(&config.moto_server, config.sandbox_acm_wait).await?;
                (
                    AwsTarget::Sandbox { endpoint: moto.endpoint.clone(), account: config.sandbox_account.clone() },
                    Some(moto),
                )
            }
        };
        let aws = Arc::new(Aws::connect(&target).await);
        let dns: Arc<dyn DnsZones> = Arc::new(aws::route53::Route53(aws.clone()));
        let ca: Arc<dyn CertificateAuthority> = Arc::new(aws::acm::Acm(aws.clone()));
        let identity = aws::sts::StsIdentity(aws.clone());

        let account_id = match identity.account_id().await {
            Ok(a) => Some(a),
            Err(e) if aws.sandbox => {
                warn!(error = %e, "sandbox: could not read the account id");
                None
            }
            Err(e) => anyhow::bail!(
                "real AWS mode, but the AWS credentials do not work ({e}). Configure them (aws configure, aws sso login, AWS_PROFILE or an instance role) and start again"
            ),
        };
        if aws.sandbox {
            sandbox::seed(dns.as_ref()).await.context("seeding the sandbox")?;
        }
        let env = EnvInfo { sandbox: aws.sandbox, account_id };

        let poll = Duration::from_secs_f64(config.poll_secs.unwrap_or(if aws.sandbox { 1.0 } else { 10.0 }));
        let engine = Engine::new(
            store.clone(),
            clock.clone(),
            registry(ca, dns.clone(), poll),
            EngineConfig {
                workers: config.workers.max(1),
                lease: Duration::from_secs(config.lease_secs.max(1)),
                ..EngineConfig::default()
            },
        );
        let service =
            Arc::new(service::Lockstep { store: store.clone(), dns, clock, engine: engine.clone(), env: env.clone() });

        let listener = TcpListener::bind(config.bind).await.with_context(|| format!("listening on {}", config.bind))?;
        let addr = listener.local_addr()?;
        let site_root = config.site_root();
        let leptos_options = LeptosOptions::builder()
            .output_name("lockstep")
            .site_root(site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let router = http::router(leptos_options, service);
        Ok(Application { listener, router, engine, moto, _data_lock: data_lock, env })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then drains: stop accepting, stop claiming steps,
    /// let running steps finish (or release their leases), stop the sandbox emulator.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        let workers = self.engine.spawn(stop.clone());
        let served = axum::serve(self.listener, self.router).with_graceful_shutdown({
            let stop = stop.clone();
            async move {
                shutdown.await;
                info!("shutting down: draining requests and job workers");
                stop.cancel();
            }
        });
        let result = served.await;
        stop.cancel();
        let _ = workers.await;
        if let Some(moto) = self.moto {
            moto.stop().await;
        }
        info!("stopped");
        result.context("serving HTTP")
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
