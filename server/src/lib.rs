//! The lockstep server: configuration, start-up, the job engine, storage and AWS adapters.
//!
//! Layout: [`ports`] are the narrow traits for each external system; [`aws`] implements them
//! with the AWS SDK (the only module that may import it); [`steps`] are the wizard's durable
//! steps written against the ports; [`jobs`] runs them; [`store`] persists everything;
//! [`service`] is what the UI calls; [`http`] serves it.
#![forbid(unsafe_code)]
// Leptos views nest deeply in their types (the project page): monomorphising them on the server
// needs more than the default 128 query depth (app and frontend set the same).
#![recursion_limit = "256"]

pub mod accounts;
mod adapters;
pub mod auth;
pub mod aws;
pub mod clock;
pub mod config;
pub mod doctor_cli;
pub mod edge;
pub mod faults;
pub mod history;
pub mod http;
pub mod jobs;
pub mod live;
pub mod net;
pub mod paced;
pub mod ports;
pub mod sandbox;
pub mod secrets;
pub mod service;
pub mod status_page;
pub mod steps;
pub mod store;
pub mod work;

pub use adapters::{https_doctor, registry, Adapters};

use crate::aws::{Aws, AwsTarget};
use crate::clock::{Clock, SystemClock};
use crate::config::{AwsMode, ServeConfig};
use crate::jobs::{Engine, EngineConfig};
use crate::sandbox::MotoServer;
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;
use anyhow::Context;
use app::model::EnvInfo;
use leptos::prelude::LeptosOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Opens the store the URL names: `sqlite://PATH` (embedded, one server) or
/// `postgres://...` / `postgresql://...` (shared by several servers).
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            SqliteStore::open(url)
                .await
                .with_context(|| format!("opening the database {}", store::redacted_url(url)))?,
        ))
    } else if is_shared_store(url) {
        // Not the URL itself in the message: it may carry a password.
        Ok(Arc::new(PgStore::open(url).await.context("opening the PostgreSQL database")?))
    } else {
        // Redacted: a mistyped scheme (`postgress://`, `mysql://`) still carries a password.
        anyhow::bail!(
            "unsupported database URL \"{}\": use sqlite://PATH or postgres://USER@HOST:PORT/DB",
            store::redacted_url(url)
        )
    }
}

/// `true` for a URL of a store several servers share (PostgreSQL).
pub fn is_shared_store(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    engine: Engine,
    moto: Option<MotoServer>,
    sessions: auth::AnySessionStore,
    service: Arc<service::Lockstep>,
    workers: usize,
    status_tick: Duration,
    _data_lock: Option<std::fs::File>,
    /// The sandbox's stand-in for the free path, when this server is to start it.
    lab: Option<LabPlan>,
    /// Cancelled when the server starts shutting down (job workers, the scheduler, live streams).
    stop: CancellationToken,
    pub env: EnvInfo,
}

impl Application {
    pub async fn build(config: ServeConfig) -> anyhow::Result<Application> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let db_url = config.database_url();
        // Checked before anything starts: a mistyped list must not open or close sign-up.
        let signup =
            lockstep_domain::account::SignupDomains::parse(&config.signup_domains).map_err(anyhow::Error::msg)?;
        if signup.is_empty() {
            info!("sign-up: by invite link only (--signup-domains opens it to e-mail domains)");
        } else {
            info!(domains = %signup.domains().join(","), "sign-up: open to these e-mail domains, by invite link for anyone else");
        }

        // The embedded store is single-server: an exclusive lock on the data dir proves no
        // other lockstep uses this file, so leases left by a crashed predecessor can be
        // released at once instead of waiting for them to expire. A shared store (PostgreSQL)
        // takes no lock and releases nothing: other servers are alive, and a dead one's
        // steps are taken over when their leases expire.
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
        if config.workers == 0 && db_url.starts_with("sqlite:") {
            anyhow::bail!(
                "--workers 0 makes a web-only server, which needs other servers to run the steps; with SQLite this server is the only one. Give it at least one worker, or use PostgreSQL (README: Running several servers)"
            );
        }
        let store = open_store(&db_url).await?;
        if data_lock.is_some() {
            let released = store.release_all_leases().await?;
            if released > 0 {
                info!(released, "resuming steps left running by a previous start");
            }
        }

        // Bound before anything is started that must be stopped again (moto, the sandbox's
        // stand-in): a taken port fails start-up before either runs.
        let listener = TcpListener::bind(config.bind).await.with_context(|| format!("listening on {}", config.bind))?;
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
        let mut aws = Aws::connect(&target).await;
        if aws.sandbox {
            if !config.server_credentials_for.is_empty() {
                warn!("--server-credentials-for applies to real AWS only: in the sandbox every team uses the emulator");
            }
        } else {
            // Real AWS: a team acts only through its own role, except the teams named here.
            aws = aws.with_authority(aws::team_role::Authority::real(&config.server_credentials_for));
        }
        let aws = Arc::new(aws);
        let poll = Duration::from_secs_f64(config.poll_secs.unwrap_or(if aws.sandbox { 1.0 } else { 10.0 }));
        let mut adapters = Adapters::for_aws(aws.clone(), poll, config.dns_server)?;
        if config.allow_private_targets {
            // Lab and tests only: the doctor and the webhooks may reach loopback and private
            // addresses (never the metadata service). Said loudly: it must not stay on.
            warn!("--allow-private-targets is on: the doctor and alert webhooks may connect to loopback and private addresses. Lab and tests only, never on a server people use");
            adapters.probe =
                Arc::new(https_doctor(config.dns_server, config.doctor_ca_file.as_deref())?.allow_private_targets());
            adapters.webhook = Arc::new(net::webhook::HttpWebhook::allow_private_targets(aws.sandbox));
        } else if config.doctor_ca_file.is_some() {
            adapters.probe = Arc::new(https_doctor(config.dns_server, config.doctor_ca_file.as_deref())?);
        }
        adapters.probe_ports = (config.doctor_http_port, config.doctor_https_port);
        adapters.address_map = config.address_map()?;
        adapters.secrets = Arc::new(secrets::SecretBox::load(config.secret_key.as_deref(), &config.data_dir())?);
        // The server's own identity (the trust policy teams paste names its account).
        // Start-up AWS work rides out transient faults (bounded, `sandbox::STARTUP_RETRY`).
        let identity = adapters.identity.clone();
        let server_identity = crate::work::collect_calls_as(
            crate::work::AwsAccess::Server,
            aws::retry_transient(sandbox::STARTUP_RETRY, || identity.account_id()),
        );
        let account_id = match server_identity.await.0 {
            Ok(a) => Some(a),
            Err((e, _)) if aws.sandbox => {
                warn!(error = %e, "sandbox: could not read the account id");
                None
            }
            Err((e, tries)) if e.is_retryable() => anyhow::bail!(
                "real AWS mode, but AWS did not answer the account check (STS GetCallerIdentity) after {tries} tries ({e}). AWS or the network is having trouble: wait a minute and start lockstep again.\n실제 AWS 모드인데 AWS가 계정 확인(STS GetCallerIdentity)에 {tries}번 시도해도 응답하지 않았습니다({e}). AWS나 네트워크에 문제가 있습니다. 잠시 기다린 뒤 lockstep을 다시 시작하세요."
            ),
            Err((e, _)) => anyhow::bail!(
                "real AWS mode, but the AWS credentials do not work ({e}). Configure them (aws configure, aws sso login, AWS_PROFILE or an instance role) and start again"
            ),
        };
        let mut demo_instance = None;
        if aws.sandbox {
            sandbox::seed(adapters.zones.as_ref()).await?;
            if let Some(world) = &adapters.sandbox_world {
                demo_instance = sandbox::demo_instance(world.as_ref()).await;
                sandbox::demo_bucket(world.as_ref()).await;
            }
        }
        // The free path's stand-in (issue 22 item 4): prepared here (its tools checked, the
        // demo instance mapped to it, its zone seeded), started in the background by
        // `run_until` so the URL is not held up by its ~8 s, stopped there on shutdown.
        let lab = match (aws.sandbox, config.sandbox_lab) {
            (true, config::SandboxLab::Auto) if config.dns_server.is_none() && config.doctor_ca_file.is_none() => {
                match sandbox::lab::preflight(&config.lab_script) {
                    Ok(()) => Some(prepare_lab(&mut adapters, &config, demo_instance.as_deref()).await?),
                    Err(why) => {
                        warn!("{}", why.banner());
                        None
                    }
                }
            }
            _ => None,
        };
        let env = EnvInfo { sandbox: aws.sandbox, account_id, demo_instance };

        let engine = Engine::new(
            store.clone(),
            clock.clone(),
            registry(&adapters),
            EngineConfig {
                workers: config.workers,
                lease: Duration::from_secs(config.lease_secs.max(1)),
                ..EngineConfig::default()
            },
        );
        let service = Arc::new(service::Lockstep {
            store: store.clone(),
            adapters,
            clock,
            engine: engine.clone(),
            env: env.clone(),
            signup,
        });

        let addr = listener.local_addr()?;
        let site_root = config.site_root();
        let leptos_options = LeptosOptions::builder()
            .output_name("lockstep")
            .site_root(site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let stop = CancellationToken::new();
        let http_config = http::HttpConfig {
            settings: auth::HttpSettings {
                public_origin: config.public_url.as_deref().map(public_origin),
                trust_forwarded_for: config.trust_forwarded_for,
            },
            secure_cookies: config.secure_cookies(),
            live: live::LiveLimits::default(),
            // Cancelled at shutdown (see `run_until`): live streams end instead of holding it up.
            shutdown: stop.clone(),
        };
        let router = http::router(leptos_options, service.clone(), http_config);
        let sessions = store.sessions().store();
        Ok(Application {
            listener,
            router,
            engine,
            moto,
            sessions,
            service,
            workers: config.workers,
            status_tick: Duration::from_secs_f64(config.status_tick_secs.max(0.05)),
            _data_lock: data_lock,
            lab,
            stop,
            env,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then drains: stop accepting, stop claiming steps,
    /// let running steps finish (or release their leases), stop the sandbox emulator.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop = self.stop.clone();
        let lab = self.lab.map(|plan| tokio::spawn(start_lab(plan)));
        let workers = self.engine.spawn(stop.clone());
        // Scheduled status re-checks: any server may claim a due one (one statement, so a
        // check runs once per interval across all servers); a web-only server leaves them.
        let scheduler = (self.workers > 0).then(|| {
            let service = self.service.clone();
            let stop = stop.clone();
            let tick = self.status_tick;
            tokio::spawn(async move { status_page::schedule(service, tick, stop).await })
        });
        // Sessions past their expiry are deleted hourly (a shared store: any server may do it).
        let sessions = self.sessions.clone();
        let sweeper = tokio::spawn(async move {
            use tower_sessions::ExpiredDeletion;
            let _ = sessions.continuously_delete_expired(Duration::from_secs(3600)).await;
        });
        let served = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown({
                let stop = stop.clone();
                async move {
                    shutdown.await;
                    info!("shutting down: draining requests and job workers");
                    stop.cancel();
                }
            });
        let result = served.await;
        stop.cancel();
        sweeper.abort();
        if let Some(s) = scheduler {
            let _ = s.await;
        }
        let _ = workers.await;
        if let Some(moto) = self.moto {
            moto.stop().await;
        }
        // A stand-in still starting is waited for (its start is bounded), then stopped.
        if let Some(Ok(Some(lab))) = match lab {
            Some(task) => Some(task.await),
            None => None,
        } {
            lab.stop().await;
        }
        info!("stopped");
        result.context("serving HTTP")
    }
}

/// What `run_until` needs to start the free path's stand-in.
struct LabPlan {
    script: std::path::PathBuf,
    dir: std::path::PathBuf,
    slot: sandbox::lab::LabSlot,
}

/// Points the sandbox at its stand-in before it runs: the HTTPS check of a name the stand-in
/// serves will run the real doctor against it once it is up ([`sandbox::lab::LabProbe`]; the
/// sandbox's notes until then), the demo instance's public address is served at the
/// stand-in's (so the free path's steps find "the instance" there), and the stand-in's zone is
/// a hosted zone to pick, delegated as the demo zone is.
async fn prepare_lab(
    adapters: &mut Adapters,
    config: &ServeConfig,
    demo_instance: Option<&str>,
) -> anyhow::Result<LabPlan> {
    if let Some(id) = demo_instance {
        let region = lockstep_domain::Region::parse(sandbox::DEMO_REGION).map_err(anyhow::Error::msg)?;
        match adapters.instances.public_ip(&region, id).await {
            Ok(Some(ip)) => adapters.address_map.push((ip, sandbox::lab::SERVED_AT)),
            Ok(None) => {
                warn!(instance = id, "sandbox: the demo instance has no public address to serve at the stand-in")
            }
            Err(e) => warn!(error = %e, "sandbox: could not read the demo instance's address"),
        }
    }
    let slot = sandbox::lab::LabSlot::default();
    adapters.probe = Arc::new(sandbox::lab::LabProbe::new(slot.clone(), adapters.address_map.clone()));
    sandbox::seed_zone(adapters.zones.as_ref(), sandbox::lab::ZONE).await?;
    if let Some(dns) = &adapters.sandbox_dns {
        dns.registrar_updated(&lockstep_domain::DomainName::parse(sandbox::lab::ZONE).map_err(anyhow::Error::msg)?);
    }
    Ok(LabPlan { script: config.lab_script.clone(), dir: config.data_dir().join("sandbox-lab"), slot })
}

/// Starts the stand-in and hands it to the [`sandbox::lab::LabProbe`]; `None` (said in one
/// line) when it does not come up.
async fn start_lab(plan: LabPlan) -> Option<sandbox::lab::SandboxLab> {
    let lab = match sandbox::lab::SandboxLab::start(&plan.script, &plan.dir).await {
        Ok(lab) => lab,
        Err(why) => {
            warn!("{}", why.banner());
            return None;
        }
    };
    match https_doctor(Some(lab.env.dns), Some(&lab.env.ca_bundle)) {
        Ok(doctor) => {
            let _ = plan.slot.set((lab.env.clone(), Arc::new(doctor.allow_private_targets())));
        }
        Err(e) => warn!(error = %e, "sandbox: the stand-in is up but its CA could not be read; its check stays off"),
    }
    Some(lab)
}

/// `https://host[:port]` of a public URL (what browsers send as `Origin`).
fn public_origin(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => url.to_string(),
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
