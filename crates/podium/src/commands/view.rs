//! `podium session view ID [--control] [--listen ADDR]`: a local VNC
//! listener for a native viewer, each of its connections relayed through
//! the daemon's viewer route (`/api/v1/sessions/{id}/vnc`) over the
//! daemon's Unix socket. The daemon decides, audits and filters exactly as
//! for the dashboard: this only carries bytes.

use super::Status;
use crate::client::Client;
use anyhow::{Context, Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use podium_core::ErrorBody;
use std::net::SocketAddr;
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The first port tried by default, VNC's usual one.
const FIRST_PORT: u16 = 5900;
/// How many ports after it are tried.
const PORTS_TRIED: u16 = 100;

/// Listens for native viewers until Ctrl-C.
pub async fn run(client: &Client, id: u32, control: bool, listen: Option<SocketAddr>) -> Result<Status> {
    let Client::Unix(socket) = client else {
        bail!("`podium session view` works with the local daemon only (no --server)");
    };
    let path = format!("/api/v1/sessions/{id}/vnc?control={control}");
    // Ask once before listening, so that a refusal is told at once.
    check(socket, &path).await?;
    let listener = bind(listen).await?;
    let addr = listener.local_addr().context("the listener's address")?;
    let what = if control { "control" } else { "view (read-only)" };
    println!("Session {id}, {what}: connect a VNC viewer to {addr} (vncviewer {addr}). Ctrl-C ends.");
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = accepted.context("accepting a viewer")?;
                let (socket, path) = (socket.clone(), path.clone());
                tokio::spawn(async move {
                    if let Err(e) = relay(tcp, &socket, &path).await {
                        eprintln!("viewer {peer}: {e:#}");
                    }
                });
            }
            _ = tokio::signal::ctrl_c() => return Ok(Status::Ok),
        }
    }
}

/// `ADDR`, or the first free loopback port from 5900.
async fn bind(listen: Option<SocketAddr>) -> Result<TcpListener> {
    if let Some(addr) = listen {
        return TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"));
    }
    for port in FIRST_PORT..FIRST_PORT + PORTS_TRIED {
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
            return Ok(l);
        }
    }
    bail!(
        "no free port on 127.0.0.1 from {FIRST_PORT} to {}; name one with --listen",
        FIRST_PORT + PORTS_TRIED - 1
    )
}

/// Opens the viewer route as a WebSocket over the daemon's socket.
async fn open(socket: &Path, path: &str) -> Result<tokio_tungstenite::WebSocketStream<UnixStream>> {
    let stream = UnixStream::connect(socket)
        .await
        .with_context(|| format!("cannot reach the daemon at {}", socket.display()))?;
    let mut req = format!("ws://localhost{path}").into_client_request()?;
    req.headers_mut().insert("sec-websocket-protocol", "binary".parse()?);
    match tokio_tungstenite::client_async(req, stream).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            let message = r
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice::<ErrorBody>(b).ok())
                .map_or_else(|| r.status().to_string(), |e| e.error.message);
            Err(anyhow!("{}: {message}", r.status()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens and closes the route once: a refusal or an unknown session is told now.
async fn check(socket: &Path, path: &str) -> Result<()> {
    let mut ws = open(socket, path).await?;
    let _ = ws.close(None).await;
    Ok(())
}

/// Carries one viewer's bytes both ways until either side closes.
async fn relay(tcp: TcpStream, socket: &Path, path: &str) -> Result<()> {
    let mut ws = open(socket, path).await?;
    let (mut from_viewer, mut to_viewer) = tcp.into_split();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            n = from_viewer.read(&mut buf) => match n? {
                0 => break,
                n => ws.send(Message::Binary(buf[..n].to_vec().into())).await?,
            },
            msg = ws.next() => match msg {
                Some(Ok(Message::Binary(b))) => to_viewer.write_all(&b).await?,
                Some(Ok(Message::Close(frame))) => {
                    if let Some(f) = frame {
                        eprintln!("the daemon closed the view: {}", f.reason);
                    }
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
        }
    }
    let _ = ws.close(None).await;
    Ok(())
}
