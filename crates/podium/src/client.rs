//! Talking to the daemon: HTTP over its Unix socket, the same API the web
//! uses, so `--json` prints exactly the API's body.

use anyhow::{Context, Result, anyhow};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use podium_core::ErrorBody;
use std::path::{Path, PathBuf};

/// A daemon to talk to.
#[derive(Debug, Clone)]
pub struct Client {
    socket: PathBuf,
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
                status: self.status,
                message: format!("unexpected answer from the daemon: {e}"),
            })
        } else {
            let message = serde_json::from_slice::<ErrorBody>(&self.body).map_or_else(
                |_| String::from_utf8_lossy(&self.body).into_owned(),
                |e| e.error.message,
            );
            Err(ApiFailure {
                status: self.status,
                message,
            })
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
    /// HTTP status.
    #[allow(dead_code)]
    pub status: StatusCode,
    /// The API's message.
    pub message: String,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiFailure {}

impl Client {
    /// A client for the daemon listening on `socket`.
    pub fn new(socket: &Path) -> Client {
        Client {
            socket: socket.to_owned(),
        }
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
        let stream = tokio::net::UnixStream::connect(&self.socket).await.with_context(|| {
            format!(
                "cannot reach the Podium daemon at {} (is `podium serve` running?)",
                self.socket.display()
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
}
