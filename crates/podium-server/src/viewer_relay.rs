//! The relay between a dashboard viewer's WebSocket and a session's VNC
//! socket. Unlike the station's, it reads every RFB message
//! ([`podium_rfb`]): a viewer who only views sends no key, pointer,
//! clipboard or resize to the desktop; a controller's keys and pointer go
//! to the host's own input ([`Watch::key`], [`Watch::pointer`]), never to
//! Xvnc, which may have its input off for a block; the desktop's clipboard
//! reaches no viewer. The viewer must answer pings: a closed or dead tab
//! ends the watch (and control) within 5 s.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use podium_core::SessionId;
use podium_host::host::watch::Watch;
use podium_rfb::client::{ClientKind, ClientMessage, ClientReader};
use podium_rfb::server::ServerReader;
use podium_rfb::{RfbError, encodings};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::net::unix::OwnedWriteHalf;

/// How often the viewer is pinged.
const PING_EVERY: Duration = Duration::from_secs(2);
/// A viewer silent this long is gone.
const GONE_AFTER: Duration = Duration::from_secs(5);

/// Who watches what, for the logs.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    /// The viewer's login name.
    pub(crate) viewer: String,
    /// The session watched.
    pub(crate) session: SessionId,
}

/// Why the relay ends.
enum End {
    /// Either side closed; nothing to say.
    Quiet,
    /// Close the WebSocket with this code and reason.
    Close(u16, &'static str),
}

/// Relays until either side closes, the session ends or the viewer stops
/// answering. Dropping the watch at the end audits it.
pub(crate) async fn relay(mut socket: WebSocket, stream: UnixStream, watch: Watch, who: Who) {
    tracing::info!(session = who.session, viewer = %who.viewer, control = watch.controls(), "viewer connected");
    let end = run(&mut socket, stream, &watch, &who).await;
    if let End::Close(code, reason) = end {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
    tracing::info!(session = who.session, viewer = %who.viewer, "viewer gone");
    drop(watch);
}

async fn run(socket: &mut WebSocket, stream: UnixStream, watch: &Watch, who: &Who) -> End {
    let (mut from_vnc, mut to_vnc) = stream.into_split();
    let mut client = ClientReader::new();
    let mut server = ServerReader::new();
    let mut ended = watch.ended();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(64 * 1024);
    loop {
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(data))) => {
                    heard = Instant::now();
                    client.push(&data);
                    if let Err(e) = from_viewer(&mut client, &mut server, &mut to_vnc, watch).await {
                        return e;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return End::Quiet,
                Some(Ok(_)) => heard = Instant::now(),
            },
            n = from_vnc.read(&mut buf) => match n {
                Ok(0) | Err(_) => {
                    if *ended.borrow() {
                        return End::Close(4004, "session ended");
                    }
                    tracing::warn!(session = who.session, "the desktop's VNC stream ended");
                    return End::Close(1011, "the desktop stopped answering");
                }
                Ok(n) => {
                    out.clear();
                    if let Err(e) = server.feed(&buf[..n], &mut out) {
                        tracing::warn!(session = who.session, "viewer relay: the desktop sent {e}");
                        return End::Close(4005, "unsupported VNC message");
                    }
                    if !out.is_empty() && socket.send(Message::Binary(out.clone().into())).await.is_err() {
                        return End::Quiet;
                    }
                }
            },
            _ = ping.tick() => {
                if heard.elapsed() > GONE_AFTER {
                    tracing::info!(session = who.session, viewer = %who.viewer, "viewer stopped answering");
                    return End::Close(4006, "no answer from the viewer");
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return End::Quiet;
                }
            }
            changed = ended.changed() => {
                if changed.is_err() || *ended.borrow() {
                    return End::Close(4004, "session ended");
                }
            }
        }
    }
}

/// Acts on every whole message the viewer sent.
async fn from_viewer(
    client: &mut ClientReader,
    server: &mut ServerReader,
    to_vnc: &mut OwnedWriteHalf,
    watch: &Watch,
) -> Result<(), End> {
    loop {
        let msg = match client.next_message() {
            Ok(Some(msg)) => msg,
            Ok(None) => return Ok(()),
            Err(e) => return Err(unreadable(&e)),
        };
        if let Some(bytes) = filter(msg, server, watch)
            && to_vnc.write_all(&bytes).await.is_err()
        {
            return Err(End::Close(1011, "the desktop stopped answering"));
        }
    }
}

fn unreadable(e: &RfbError) -> End {
    tracing::warn!("viewer relay: the viewer sent {e}");
    End::Close(4005, "unsupported VNC message")
}

/// What of a viewer's message goes to Xvnc, if anything.
fn filter(msg: ClientMessage, server: &mut ServerReader, watch: &Watch) -> Option<Vec<u8>> {
    match msg.kind {
        // Never drop the pupil's own station off the desktop.
        ClientKind::ClientInit { .. } => Some(vec![1]),
        ClientKind::SetPixelFormat(pf) => {
            server.set_pixel_format(pf);
            Some(msg.bytes)
        }
        ClientKind::SetEncodings => Some(encodings::rewrite(&msg.bytes)),
        ClientKind::Version
        | ClientKind::SecurityType
        | ClientKind::UpdateRequest
        | ClientKind::ContinuousUpdates
        | ClientKind::Fence => Some(msg.bytes),
        ClientKind::Key { down, keysym } | ClientKind::QemuKey { down, keysym } => {
            if watch.controls() {
                watch.key(keysym, down);
            }
            None
        }
        ClientKind::Pointer { buttons, x, y } => {
            if watch.controls() {
                watch.pointer(buttons, x, y);
            }
            None
        }
        // The pupil's clipboard and screen size stay theirs; no viewer
        // shuts their desktop down.
        ClientKind::CutText | ClientKind::SetDesktopSize | ClientKind::Xvp => None,
    }
}
