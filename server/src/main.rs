//! `lockstep`: the server binary.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use lockstep_server::config::ServeConfig;
use lockstep_server::{shutdown_signal, Application};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "lockstep",
    version,
    about = "Take a student team's AWS deployment from plain HTTP to verified HTTPS, step by step."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web app (sandbox AWS and SQLite by default).
    Serve(Box<ServeConfig>),
    /// Check a deployed site from outside and explain every failure (no project or AWS needed).
    ///
    /// Exit status: 0 everything passed, 1 warnings, 2 failures, 3 the doctor could not run.
    Doctor(lockstep_server::doctor_cli::DoctorArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                // 2 means "the site has failures" for `lockstep doctor`; bad arguments are 3.
                _ => ExitCode::from(3),
            };
        }
    };
    match cli.command {
        Command::Doctor(args) => ExitCode::from(lockstep_server::doctor_cli::run(args).await),
        Command::Serve(config) => match serve(*config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("lockstep: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    let mode = if app.env.sandbox { "sandbox AWS (nothing real is created)" } else { "REAL AWS" };
    println!("lockstep is running on http://{addr}  ({mode}). Press Ctrl-C to stop.");
    app.run_until(shutdown_signal()).await
}
