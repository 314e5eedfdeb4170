//! `podium serve`: the daemon.

use super::Status;
use crate::cli::ServeArgs;
use anyhow::{Context, Result, bail};
use podium_core::Config;
use podium_core::config::DEFAULT_PATH;
use podium_host::Host;
use podium_server::AppState;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::broadcast;
use tokio::task::JoinSet;

/// Reads the config: the given file (which must exist), or the default
/// file when present, or the defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config> {
    let (path, required) = match path {
        Some(p) => (p.to_owned(), true),
        None => (PathBuf::from(DEFAULT_PATH), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Config::parse(&text, &path.to_string_lossy())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Config::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Runs the daemon until SIGTERM or SIGINT. Sessions keep running after it
/// stops; the next start takes them back.
pub async fn run(args: ServeArgs, socket_override: Option<PathBuf>) -> Result<Status> {
    if !nix::unistd::geteuid().is_root() {
        bail!("podium serve must run as root: it starts sessions for other users");
    }
    let config = configure(args, socket_override)?;
    let (state, tls, adopted) = start_host(&config).await?;
    let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut servers = listen(&config, tls, state, &stop).await?;

    let pid_file = config.server.run_dir.join("podium.pid");
    std::fs::write(&pid_file, format!("{}\n", std::process::id()))
        .with_context(|| format!("cannot write {}", pid_file.display()))?;
    tracing::info!(
        socket = %config.server.socket.display(),
        https = %config.web.listen,
        sessions = adopted,
        "podium is ready"
    );
    // Under systemd (Type=notify), the unit is started only now.
    if let Err(e) = crate::notify::notify("READY=1") {
        tracing::warn!("cannot tell systemd the daemon is ready: {e}");
    }
    tokio::select! {
        () = shutdown_signal() => {}
        Some(ended) = servers.join_next() => {
            if let Ok(Err(e)) = ended {
                tracing::error!("a listener failed: {e}");
            }
        }
    }
    if let Err(e) = crate::notify::notify("STOPPING=1") {
        tracing::warn!("cannot tell systemd the daemon is stopping: {e}");
    }
    let _ = stop.send(());
    while servers.join_next().await.is_some() {}
    tracing::info!("podium stopped; sessions keep running and will be taken back at the next start");
    let _ = std::fs::remove_file(&pid_file);
    Ok(Status::Ok)
}

/// The config with the command line's overrides, and its state directory
/// made.
fn configure(args: ServeArgs, socket_override: Option<PathBuf>) -> Result<Config> {
    let mut config = load_config(args.config.as_deref())?;
    if let Some(dir) = args.state_dir {
        config.server.state_dir = dir;
    }
    if let Some(socket) = socket_override {
        config.server.socket = socket;
    }
    if let Some(listen) = args.listen {
        config.web.listen = listen;
    }
    // The state directory holds the TLS key: root's alone, made so before
    // anything creates files in it.
    std::fs::DirBuilder::new()
        .mode(0o700)
        .recursive(true)
        .create(&config.server.state_dir)
        .with_context(|| format!("cannot create {}", config.server.state_dir.display()))?;
    Ok(config)
}

/// Reads (or makes) the TLS certificate, opens the host, takes back the
/// sessions still running, and starts what runs beside the API (automatic
/// log off, the reaper, thumbnails): the API's state, the TLS config, and
/// how many sessions were taken back.
async fn start_host(config: &Config) -> Result<(AppState, Arc<rustls::ServerConfig>, usize)> {
    podium_host::reaper::become_subreaper()?;
    let exe = std::env::current_exe().context("cannot find the podium binary to start session workers")?;
    let tls = podium_server::tls::server_config(
        config.tls.cert.as_deref(),
        config.tls.key.as_deref(),
        &config.server.state_dir,
    )?;
    let host = Host::open(config.clone(), exe)?;
    let adopted = host.recover()?;
    host.start_auto_logoff();
    tokio::spawn(podium_host::reaper::reap_forever());
    let thumbnails = podium_thumbnail::Service::new(std::time::Duration::from_millis(u64::from(
        config.thumbnails.interval_ms,
    )));
    podium_server::thumbnails::follow(&thumbnails, host.clone());
    let mut state = AppState::new(host.clone(), thumbnails.clone());
    if config.cluster.enabled() {
        let node = podium_server::cluster::join(&host, &thumbnails)
            .await
            .context("cannot join the school's cluster")?;
        tracing::info!(host = %config.cluster.host, "part of the school's cluster");
        state = state.with_cluster(node);
    }
    Ok((state, tls, adopted))
}

/// Serves the API on HTTPS, on plain HTTP when configured, and on the
/// Unix socket, each until `stop` sends.
async fn listen(
    config: &Config,
    tls: Arc<rustls::ServerConfig>,
    state: AppState,
    stop: &broadcast::Sender<()>,
) -> Result<JoinSet<std::io::Result<()>>> {
    let stopped = |stop: &broadcast::Sender<()>| {
        let mut rx = stop.subscribe();
        async move {
            let _ = rx.recv().await;
        }
    };
    let mut servers = JoinSet::new();
    let tcp = tokio::net::TcpListener::bind(config.web.listen)
        .await
        .with_context(|| format!("cannot listen on {} (HTTPS)", config.web.listen))?;
    let https = podium_server::tls::TlsListener::new(tcp, tls)?;
    servers.spawn(podium_server::web::serve(https, state.clone(), stopped(stop)));
    if let Some(addr) = config.web.plain_http {
        let plain = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (HTTP)"))?;
        servers.spawn(podium_server::web::serve(plain, state.clone(), stopped(stop)));
    }
    let unix = podium_server::unix::bind(&config.server.socket)
        .with_context(|| format!("cannot listen on {}", config.server.socket.display()))?;
    servers.spawn(podium_server::unix::serve(unix, state, stopped(stop)));
    Ok(servers)
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
