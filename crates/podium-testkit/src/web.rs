//! The daemon's HTTPS API from a test: a logged-in client per user, and
//! the events WebSocket.

use crate::error::TestkitError;
use crate::host::Kit;
use crate::system::TestUser;
use reqwest::blocking::{Client, Response};
use std::sync::Arc;

/// A client that keeps its cookies (one web login).
#[derive(Debug)]
pub struct Web {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// The HTTP client (self-signed certificates accepted).
    pub http: Client,
    jar: Arc<reqwest::cookie::Jar>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct WebReply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub text: String,
}

impl WebReply {
    /// The value of header `name`, if it is there and plain text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The body as `T`.
    #[must_use]
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("unexpected body ({e}): {}", self.text))
    }
}

fn read(r: reqwest::Result<Response>) -> WebReply {
    let r = r.expect("HTTPS request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().expect("body");
    WebReply { status, headers, text }
}

impl Web {
    /// A fresh client (no login yet) for `kit`'s daemon.
    #[must_use]
    pub fn new(kit: &Kit) -> Web {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = Client::builder()
            .cookie_provider(jar.clone())
            .tls_danger_accept_invalid_certs(true)
            .build()
            .expect("HTTPS client");
        Web {
            base: format!("https://{}", kit.https),
            http,
            jar,
        }
    }

    /// A client logged in as `user`.
    #[must_use]
    pub fn login(kit: &Kit, user: &TestUser) -> Web {
        let w = Web::new(kit);
        let r = w.try_login(&user.name, &user.password);
        assert_eq!(r.status, 200, "login as {} failed: {}", user.name, r.text);
        w
    }

    /// `POST /api/v1/auth/login` with this name and password, from a page
    /// of this server; the answer, whatever it is.
    #[must_use]
    pub fn try_login(&self, username: &str, password: &str) -> WebReply {
        self.post(
            "/api/v1/auth/login",
            &serde_json::json!({"username": username, "password": password}),
        )
    }

    /// The origin pages of this server have.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.base
    }

    /// `GET path`.
    #[must_use]
    pub fn get(&self, path: &str) -> WebReply {
        read(self.http.get(format!("{}{path}", self.base)).send())
    }

    /// `GET path` with extra headers; the body is kept as bytes.
    #[must_use]
    pub fn get_bytes(&self, path: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().expect("HTTPS request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.bytes().expect("body").to_vec())
    }

    /// The value of a Prometheus counter or gauge line (`name{labels}` as written).
    #[must_use]
    pub fn metric(&self, series: &str) -> f64 {
        let text = self.get("/metrics").text;
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no metric {series} in:\n{text}"))
    }

    /// `POST path` with a JSON body, as a page of this server would (same Origin).
    #[must_use]
    pub fn post(&self, path: &str, body: &serde_json::Value) -> WebReply {
        self.post_from(path, body, Some(&self.base.clone()))
    }

    /// `POST path` with a JSON body and the given `Origin` (or none).
    #[must_use]
    pub fn post_from(&self, path: &str, body: &serde_json::Value, origin: Option<&str>) -> WebReply {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        read(req.send())
    }

    /// `POST path` with a JSON body, as a page of this server would, with
    /// more headers (such as a proxy's `X-Forwarded-For`).
    #[must_use]
    pub fn post_with(&self, path: &str, body: &serde_json::Value, headers: &[(&str, &str)]) -> WebReply {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", self.base.as_str())
            .json(body);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        read(req.send())
    }

    /// `POST path` with a raw body and content type.
    #[must_use]
    pub fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> WebReply {
        read(
            self.http
                .post(format!("{}{path}", self.base))
                .header("origin", self.base.as_str())
                .header("content-type", content_type)
                .body(body)
                .send(),
        )
    }

    /// The `Cookie` header this client sends (to hand to a WebSocket).
    #[must_use]
    pub fn cookie_header(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().expect("base URL");
        self.jar.cookies(&url).and_then(|v| v.to_str().ok().map(str::to_owned))
    }
}

/// A TLS client configuration that accepts any certificate (the test
/// daemon's is self-signed).
#[must_use]
pub fn insecure_tls() -> Arc<rustls::ClientConfig> {
    #[derive(Debug)]
    struct AcceptAll(Arc<rustls::crypto::CryptoProvider>);
    impl rustls::client::danger::ServerCertVerifier for AcceptAll {
        fn verify_server_cert(
            &self,
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &[rustls::pki_types::CertificateDer<'_>],
            _: &rustls::pki_types::ServerName<'_>,
            _: &[u8],
            _: rustls::pki_types::UnixTime,
        ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            m: &[u8],
            c: &rustls::pki_types::CertificateDer<'_>,
            d: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
        }
        fn verify_tls13_signature(
            &self,
            m: &[u8],
            c: &rustls::pki_types::CertificateDer<'_>,
            d: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAll(provider)))
        .with_no_client_auth();
    Arc::new(config)
}

/// A message of the events WebSocket.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A JSON event.
    Json(serde_json::Value),
    /// A picture the stream pushed (`?thumbnails=SIZE`).
    Picture {
        /// The session.
        id: u32,
        /// Its host, in a school of several hosts.
        host: Option<String>,
        /// Its ETag.
        etag: String,
        /// The JPEG.
        jpeg: Vec<u8>,
    },
}

/// A WebSocket of the daemon: the events, or a station's VNC relay.
pub struct Events {
    rt: tokio::runtime::Runtime,
    ws: tokio_tungstenite::WebSocketStream<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events")
    }
}

impl Events {
    /// Opens `/api/v1/events` with this `Cookie` header and `Origin`.
    /// `Err(status)` when the server refuses the upgrade.
    ///
    /// # Errors
    /// The HTTP status of a refused upgrade (0 when the connection failed).
    pub fn connect(kit: &Kit, cookie: Option<&str>, origin: Option<&str>) -> Result<Events, u16> {
        Events::open(kit, "/api/v1/events", cookie, origin)
    }

    /// Opens the station's VNC relay as `web`'s login, from its own origin,
    /// as the station page does; `query` follows the path (`""` for none).
    ///
    /// # Errors
    /// The HTTP status of a refused upgrade (0 when the connection failed).
    pub fn station(kit: &Kit, web: &Web, query: &str) -> Result<Events, u16> {
        Events::open(
            kit,
            &format!("/api/v1/station/vnc{query}"),
            web.cookie_header().as_deref(),
            Some(web.origin()),
        )
    }

    /// Opens the dashboard's viewer relay of session `id` as `web`'s
    /// login, from its own origin: viewing only, or in control.
    ///
    /// # Errors
    /// The HTTP status of a refused upgrade (0 when the connection failed).
    pub fn viewer(kit: &Kit, web: &Web, id: u32, control: bool) -> Result<Events, u16> {
        Events::open(
            kit,
            &format!("/api/v1/sessions/{id}/vnc?control={control}"),
            web.cookie_header().as_deref(),
            Some(web.origin()),
        )
    }

    /// Opens the WebSocket at `path` (with its query) with this `Cookie`
    /// header and `Origin`.
    ///
    /// # Errors
    /// The HTTP status of a refused upgrade (0 when the connection failed).
    pub fn open(kit: &Kit, path: &str, cookie: Option<&str>, origin: Option<&str>) -> Result<Events, u16> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let addr = kit.https;
        let result = rt.block_on(async {
            let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|_| 0u16)?;
            let name = rustls::pki_types::ServerName::try_from("localhost").map_err(|_| 0u16)?;
            let tls = tokio_rustls::TlsConnector::from(insecure_tls())
                .connect(name, tcp)
                .await
                .map_err(|_| 0u16)?;
            let mut req = format!("wss://{addr}{path}").into_client_request().map_err(|_| 0u16)?;
            if let Some(c) = cookie {
                req.headers_mut().insert("cookie", c.parse().map_err(|_| 0u16)?);
            }
            if let Some(o) = origin {
                req.headers_mut().insert("origin", o.parse().map_err(|_| 0u16)?);
            }
            match tokio_tungstenite::client_async(req, tls).await {
                Ok((ws, _)) => Ok(ws),
                Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
                Err(_) => Err(0),
            }
        });
        result.map(|ws| Events { rt, ws })
    }

    /// Opens `/api/v1/events?thumbnails=SIZE` as `web`'s login, from its
    /// own origin, as the dashboard does: the pictures come on the stream.
    ///
    /// # Errors
    /// The HTTP status of a refused upgrade (0 when the connection failed).
    pub fn pictures(kit: &Kit, web: &Web, size: &str) -> Result<Events, u16> {
        Events::open(
            kit,
            &format!("/api/v1/events?thumbnails={size}"),
            web.cookie_header().as_deref(),
            Some(web.origin()),
        )
    }

    /// The next message, JSON or picture; `None` when none comes within
    /// `timeout` or the socket closed.
    pub fn next_message(&mut self, timeout: std::time::Duration) -> Option<Message> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message as Ws;
        let ws = &mut self.ws;
        self.rt.block_on(async {
            loop {
                match tokio::time::timeout(timeout, ws.next()).await {
                    Ok(Some(Ok(Ws::Text(t)))) => return serde_json::from_str(&t).ok().map(Message::Json),
                    Ok(Some(Ok(Ws::Binary(b)))) => {
                        let f = podium_core::PictureFrame::decode(&b)?;
                        return Some(Message::Picture {
                            id: f.id,
                            host: f.host.map(str::to_owned),
                            etag: f.etag.to_owned(),
                            jpeg: f.jpeg.to_vec(),
                        });
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => return None,
                }
            }
        })
    }

    /// The next JSON message, or `None` when none comes within `timeout`.
    pub fn next(&mut self, timeout: std::time::Duration) -> Option<serde_json::Value> {
        use futures_util::StreamExt;
        let ws = &mut self.ws;
        self.rt.block_on(async {
            loop {
                match tokio::time::timeout(timeout, ws.next()).await {
                    Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => {
                        return serde_json::from_str(&t).ok();
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => return None,
                }
            }
        })
    }

    /// The next binary message, or `None` when none comes within `timeout`
    /// or the socket closed.
    pub fn next_binary(&mut self, timeout: std::time::Duration) -> Option<Vec<u8>> {
        use futures_util::StreamExt;
        let ws = &mut self.ws;
        self.rt.block_on(async {
            loop {
                match tokio::time::timeout(timeout, ws.next()).await {
                    Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Binary(b)))) => return Some(b.to_vec()),
                    Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))))
                    | Ok(None | Some(Err(_)))
                    | Err(_) => {
                        return None;
                    }
                    Ok(Some(Ok(_))) => {}
                }
            }
        })
    }

    /// The next binary message within `timeout` (`Ok(None)` when none
    /// came), or the close code when the socket closed (`Err(None)` without one).
    ///
    /// # Errors
    /// The socket closed.
    pub fn poll_binary(&mut self, timeout: std::time::Duration) -> Result<Option<Vec<u8>>, Option<u16>> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message as Ws;
        let ws = &mut self.ws;
        self.rt.block_on(async {
            let until = tokio::time::Instant::now() + timeout;
            loop {
                match tokio::time::timeout_at(until, ws.next()).await {
                    Ok(Some(Ok(Ws::Binary(b)))) => return Ok(Some(b.to_vec())),
                    Ok(Some(Ok(Ws::Close(frame)))) => return Err(frame.map(|f| u16::from(f.code))),
                    Ok(None | Some(Err(_))) => return Err(None),
                    Ok(Some(Ok(_))) => {}
                    Err(_) => return Ok(None),
                }
            }
        })
    }

    /// Sends a binary message.
    ///
    /// # Errors
    /// When the socket is closed.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), TestkitError> {
        use futures_util::SinkExt;
        let ws = &mut self.ws;
        let msg = tokio_tungstenite::tungstenite::Message::Binary(data.to_vec().into());
        self.rt
            .block_on(ws.send(msg))
            .map_err(|source| TestkitError::WebSocketSend { source })
    }

    /// Waits up to `timeout` for the server to close the socket: its close
    /// code, or `None` when it did not close (or closed without a code).
    pub fn close_code(&mut self, timeout: std::time::Duration) -> Option<u16> {
        use futures_util::StreamExt;
        let ws = &mut self.ws;
        self.rt.block_on(async {
            let until = tokio::time::Instant::now() + timeout;
            loop {
                match tokio::time::timeout_at(until, ws.next()).await {
                    Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame)))) => {
                        return frame.map(|f| u16::from(f.code));
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(None | Some(Err(_))) | Err(_) => return None,
                }
            }
        })
    }

    /// Waits up to `timeout` for a message with `"type": kind`, skipping others.
    pub fn wait_for(&mut self, kind: &str, timeout: std::time::Duration) -> Option<serde_json::Value> {
        let until = std::time::Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            let m = self.next(left)?;
            if m["type"] == kind {
                return Some(m);
            }
        }
    }
}
