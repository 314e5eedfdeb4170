//! HTTPS: the certificate (the configured one, or a self-signed one made
//! on first start in the state directory) and a listener that completes
//! TLS handshakes off the accept path, so one slow client cannot stall
//! the others.

use crate::error::AppError;
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::BufReader;
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A certificate problem, as the server's one error: what could not be
/// done, with which file (the daemon stops with it; no client sees it).
fn err(what: &'static str, path: &Path, message: impl std::fmt::Display) -> AppError {
    AppError::new(
        podium_core::ErrorCode::Internal,
        format!("{what} {}: {message}", path.display()),
    )
}

const READ_CERT: &str = "cannot read the certificate";
const READ_KEY: &str = "cannot read the private key";
const USE_CERT: &str = "cannot use the certificate";
const MAKE: &str = "cannot make a self-signed certificate in";
const WRITE: &str = "cannot write";

/// The certificate and key to serve: `cert`/`key` when configured, else
/// `<state_dir>/tls/{cert,key}.pem`, made self-signed for this host's
/// names if missing.
///
/// # Errors
/// When the files cannot be read, written or parsed.
pub fn server_config(cert: Option<&Path>, key: Option<&Path>, state_dir: &Path) -> Result<Arc<ServerConfig>, AppError> {
    let (cert_path, key_path) = match (cert, key) {
        (Some(c), Some(k)) => (c.to_owned(), k.to_owned()),
        _ => {
            let dir = state_dir.join("tls");
            let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
            if !c.exists() || !k.exists() {
                make_self_signed(&dir, &c, &k)?;
            }
            (c, k)
        }
    };
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut BufReader::new(
        std::fs::File::open(&cert_path).map_err(|e| err(READ_CERT, &cert_path, e))?,
    ))
    .collect::<Result<_, _>>()
    .map_err(|e| err(READ_CERT, &cert_path, e))?;
    if certs.is_empty() {
        return Err(err(READ_CERT, &cert_path, "the file holds no PEM certificate"));
    }
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut BufReader::new(
        std::fs::File::open(&key_path).map_err(|e| err(READ_KEY, &key_path, e))?,
    ))
    .map_err(|e| err(READ_KEY, &key_path, e))?
    .ok_or_else(|| err(READ_KEY, &key_path, "the file holds no PEM private key"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err(USE_CERT, &cert_path, e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| err(USE_CERT, &cert_path, e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn make_self_signed(dir: &Path, cert: &Path, key: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| err(MAKE, dir, e))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| err(MAKE, dir, e))?;
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "podium".into());
    let mut names = vec![host, "localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    names.dedup();
    let generated = rcgen::generate_simple_self_signed(names).map_err(|e| err(MAKE, dir, e))?;
    // Each file is written under a temporary name and renamed into place: a
    // full disk or a crash must not leave a truncated file that every later
    // start would refuse (a missing one is simply made again).
    let write = |path: &Path, text: &str, mode: u32| -> Result<(), AppError> {
        let tmp = path.with_extension("pem.tmp");
        let _ = std::fs::remove_file(&tmp);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)
            .and_then(|mut f| {
                std::io::Write::write_all(&mut f, text.as_bytes())?;
                f.sync_all()
            })
            .and_then(|()| std::fs::rename(&tmp, path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(WRITE, path, e)
        })
    };
    write(key, &generated.signing_key.serialize_pem(), 0o600)?;
    write(cert, &generated.cert.pem(), 0o644)?;
    tracing::info!(cert = %cert.display(), "made a self-signed certificate; install your own with [tls] cert and key");
    Ok(())
}

/// A TCP listener whose connections come out with TLS done.
#[derive(Debug)]
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

/// How long a client may take to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl TlsListener {
    /// Accepts on `tcp` and runs each handshake on its own task.
    ///
    /// # Errors
    /// When the listener's address cannot be read.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(async move {
            loop {
                let (stream, addr) = match tcp.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                if tx.is_closed() {
                    return;
                }
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%addr, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { incoming: rx, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(c) => c,
            // The accept task ended (its listener failed for good): never
            // hand out another connection.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
