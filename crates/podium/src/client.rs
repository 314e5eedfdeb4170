//! Talking to the daemon: HTTP over its Unix socket (the peer's uid says
//! who we are), or HTTPS with a login (`--server`). Both speak the same
//! API, so `--json` prints exactly the API's body.

use anyhow::{Context, Result, anyhow, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use podium_core::{ErrorBody, LoginRequest};
use std::path::{Path, PathBuf};

/// A daemon to talk to.
#[derive(Debug, Clone)]
pub enum Client {
    /// The local control socket.
    Unix(PathBuf),
    /// A daemon over HTTPS, logged in.
    Web {
        /// `https://host:port`, no trailing slash.
        base: String,
        /// Holds the login cookie.
        http: reqwest::Client,
    },
}

/// A response: status and body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Raw body (JSON).
    pub body: Bytes,
}

impl Reply {
    /// The body as `T` on success, or the API's error message.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiFailure> {
        if self.status.is_success() {
            serde_json::from_slice(&self.body).map_err(|e| ApiFailure {
                message: format!("unexpected answer from the daemon: {e}"),
            })
        } else {
            let message = serde_json::from_slice::<ErrorBody>(&self.body).map_or_else(
                |_| format!("{}: {}", self.status, String::from_utf8_lossy(&self.body)),
                |e| e.error.message,
            );
            Err(ApiFailure { message })
        }
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An error answer from the API.
#[derive(Debug)]
pub struct ApiFailure {
    /// The API's message.
    pub message: String,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiFailure {}

/// How to reach a daemon over HTTPS.
#[derive(Debug)]
pub struct WebTarget<'a> {
    /// Base URL.
    pub url: &'a str,
    /// Login name.
    pub user: Option<&'a str>,
    /// A certificate to trust.
    pub ca_cert: Option<&'a Path>,
    /// Skip certificate checks.
    pub insecure: bool,
}

impl Client {
    /// A client for the daemon listening on `socket`.
    pub fn unix(socket: &Path) -> Client {
        Client::Unix(socket.to_owned())
    }

    /// Logs in to a daemon over HTTPS.
    pub async fn web(target: &WebTarget<'_>) -> Result<Client> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = target.url.trim_end_matches('/').to_owned();
        if !base.starts_with("https://") && !base.starts_with("http://127.") && !base.starts_with("http://[::1]") {
            bail!("--server must be an https:// URL (plain http only to a loopback address)");
        }
        let mut builder = reqwest::Client::builder().cookie_store(true);
        if let Some(ca) = target.ca_cert {
            let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
            builder = builder.tls_certs_only([cert]);
        }
        if target.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().context("cannot set up HTTPS")?;
        let user = match target.user {
            Some(u) => u.to_owned(),
            None => std::env::var("USER").context("give --user NAME")?,
        };
        let password = password_for(&user, &base)?;
        let client = Client::Web { base, http };
        let login = LoginRequest {
            username: user,
            password: password.to_string(),
            // The CLI is logged in where it asks, never sent to another host.
            station: false,
        };
        let reply = client.post("/api/v1/auth/login", &login).await?;
        reply
            .parse::<podium_core::Me>()
            .map_err(|e| anyhow!("login failed: {e}"))?;
        Ok(client)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.request(Method::GET, path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post<T: serde::Serialize>(&self, path: &str, body: &T) -> Result<Reply> {
        let body = serde_json::to_vec(body)?;
        self.request(Method::POST, path, Some(body)).await
    }

    async fn request(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<Reply> {
        match self {
            Client::Unix(socket) => unix_request(socket, method, path, body).await,
            Client::Web { base, http } => {
                let mut req = http
                    .request(method, format!("{base}{path}"))
                    .header("origin", base.as_str());
                if let Some(b) = body {
                    req = req.header("content-type", "application/json").body(b);
                }
                let res = req.send().await.with_context(|| format!("cannot reach {base}"))?;
                let status = StatusCode::from_u16(res.status().as_u16())?;
                let body = res.bytes().await?;
                Ok(Reply { status, body })
            }
        }
    }
}

async fn unix_request(socket: &Path, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<Reply> {
    let stream = tokio::net::UnixStream::connect(socket).await.with_context(|| {
        format!(
            "cannot reach the Podium daemon at {} (is `podium serve` running?)",
            socket.display()
        )
    })?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = Request::builder().method(method).uri(path).header("host", "localhost");
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| anyhow!("the daemon closed the connection: {e}"))?;
    let status = res.status();
    let body = res.into_body().collect().await?.to_bytes();
    Ok(Reply { status, body })
}

/// The password: `PODIUM_PASSWORD`, or asked on the terminal without echo.
fn password_for(user: &str, base: &str) -> Result<zeroize::Zeroizing<String>> {
    if let Ok(p) = std::env::var("PODIUM_PASSWORD") {
        return Ok(zeroize::Zeroizing::new(p));
    }
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("no password: set PODIUM_PASSWORD or run in a terminal");
    }
    eprint!("Password for {user} at {base}: ");
    std::io::stderr().flush()?;
    let saved = tcgetattr(&stdin).context("cannot read the terminal settings")?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet).context("cannot turn echo off")?;
    let mut line = zeroize::Zeroizing::new(String::new());
    let read = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
    eprintln!();
    read?;
    let trimmed = line.trim_end_matches(['\n', '\r']).to_owned();
    Ok(zeroize::Zeroizing::new(trimmed))
}
