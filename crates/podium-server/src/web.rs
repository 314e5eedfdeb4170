//! Serving the API on the network: HTTPS, and plain HTTP on loopback when
//! the configuration asks for it.

use crate::tls::TlsListener;
use crate::{AppState, router};
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use std::net::SocketAddr;
use tokio::net::TcpListener;

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

/// Serves HTTPS on `listener` until `shutdown` completes.
///
/// # Errors
/// When serving fails.
pub async fn serve_https(
    listener: TlsListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<RemoteAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serves plain HTTP on a loopback `listener` until `shutdown` completes.
///
/// # Errors
/// When serving fails.
pub async fn serve_plain(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<RemoteAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
