//! The `podium` binary: the daemon (`serve`), the demo, and the CLI that
//! talks to a running daemon over its Unix socket.
#![forbid(unsafe_code)]

mod cli;
mod client;
mod commands;
mod notify;
mod output;

use cli::{Cli, Command};
use commands::Status;
use std::process::ExitCode;

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PODIUM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Parses the command line; a usage error always ends with the usage of
/// the (sub)command concerned, and exit status 2.
fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches, error::ErrorKind};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    match parsed {
        Ok((cli, matches)) => {
            if let Some((message, name)) = cli::misplaced_option(&cli.command, &matches) {
                let mut root = Cli::command();
                root.build();
                let sub = root.find_subcommand(name).cloned().unwrap_or(root);
                eprintln!("error: {message}\n\n{}", sub.clone().render_usage());
                std::process::exit(2);
            }
            cli
        }
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => e.exit(),
        Err(e) => {
            let rendered = e.render().to_string();
            eprint!("{rendered}");
            if !rendered.contains("Usage:") {
                let mut sub = Cli::command();
                sub.build();
                for arg in std::env::args().skip(1).filter(|a| !a.starts_with('-')) {
                    match sub.find_subcommand(&arg).cloned() {
                        Some(next) => sub = next,
                        None => break,
                    }
                }
                eprintln!("\n{}", sub.render_usage());
            }
            std::process::exit(2);
        }
    }
}

fn main() -> ExitCode {
    let cli = parse();
    if let Command::AuthCheck = &cli.command {
        init_tracing("warn");
        return ExitCode::from(u8::try_from(podium_host::login::auth_check_main()).unwrap_or(1));
    }
    if let Command::SessionWorker(args) = &cli.command {
        // The worker is single-threaded: no async runtime, no threads.
        init_tracing("info");
        let code = if args.reclaim {
            podium_host::worker::reclaim_main()
        } else {
            podium_host::worker::worker_main()
        };
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    // Commands that need neither the daemon nor an async runtime.
    match &cli.command {
        Command::CheckConfig(args) => return exit_code(commands::check_config::run(args)),
        Command::Manpages { dir } => return exit_code(commands::generate::manpages(dir)),
        Command::Completions { shell } => return exit_code(commands::generate::completions(*shell)),
        Command::Cluster(cmd) => return exit_code(commands::cluster::run(cmd)),
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("podium: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    exit_code(runtime.block_on(run(cli)))
}

/// The exit status of a command (SPEC §7); an error is printed.
fn exit_code(result: anyhow::Result<Status>) -> ExitCode {
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Partial) => ExitCode::from(1),
        Err(e) => {
            eprintln!("podium: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<Status> {
    let conn = cli.conn;
    let socket = conn
        .socket
        .clone()
        .unwrap_or_else(|| podium_core::config::ServerConfig::default().socket);
    match cli.command {
        Command::Serve(args) => {
            init_tracing("info");
            commands::serve::run(args, conn.socket).await
        }
        Command::Demo(args) => commands::demo::run_demo(&socket, args).await,
        Command::Session(cmd) => commands::session::run(&connect(&conn, &socket).await?, cmd).await,
        Command::Audit(args) => commands::audit::run(&connect(&conn, &socket).await?, args).await,
        Command::Hosts(args) => commands::hosts::run(&connect(&conn, &socket).await?, args).await,
        Command::SessionWorker(_)
        | Command::Cluster(_)
        | Command::AuthCheck
        | Command::CheckConfig(_)
        | Command::Manpages { .. }
        | Command::Completions { .. } => Ok(Status::Ok),
    }
}

/// The daemon to talk to: `--server` over HTTPS with a login, or the local socket.
async fn connect(conn: &cli::ConnectArgs, socket: &std::path::Path) -> anyhow::Result<client::Client> {
    match &conn.server {
        Some(url) => {
            let target = client::WebTarget {
                url,
                user: conn.login_user.as_deref(),
                ca_cert: conn.ca_cert.as_deref(),
                insecure: conn.insecure,
            };
            client::Client::web(&target).await
        }
        None => {
            if conn.login_user.is_some() || conn.ca_cert.is_some() || conn.insecure {
                anyhow::bail!("--user, --ca-cert and --insecure go with --server");
            }
            Ok(client::Client::unix(socket))
        }
    }
}
