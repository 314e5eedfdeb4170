//! Who is on the other end of a connection, as the listener saw it: the
//! address of a network client, or the uid of a Unix-socket peer.

use crate::tls::TlsListener;
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use std::net::SocketAddr;
use tokio::net::{TcpListener, UnixListener};

/// The remote end of a network connection.
#[derive(Clone, Copy, Debug)]
pub struct RemoteAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, TlsListener>> for RemoteAddr {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        RemoteAddr(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TcpListener>> for RemoteAddr {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        RemoteAddr(*stream.remote_addr())
    }
}

/// The peer of a Unix-socket connection.
#[derive(Clone, Copy, Debug)]
pub struct PeerInfo {
    /// The peer's uid, as the kernel saw it at connect time.
    pub uid: Option<u32>,
}

impl Connected<IncomingStream<'_, UnixListener>> for PeerInfo {
    fn connect_info(stream: IncomingStream<'_, UnixListener>) -> Self {
        PeerInfo {
            uid: stream.io().peer_cred().ok().map(|c| c.uid()),
        }
    }
}
