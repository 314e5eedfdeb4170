//! Serving the API on the network: HTTPS, and plain HTTP on loopback when
//! the configuration asks for it.

use crate::app::router;
use crate::peer::RemoteAddr;
use crate::state::AppState;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};

/// Serves the API on `listener` (a [`TlsListener`](crate::tls::TlsListener)
/// for HTTPS, a loopback `TcpListener` for plain HTTP) until `shutdown`
/// completes.
///
/// # Errors
/// When serving fails.
pub async fn serve<L>(
    listener: L,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener,
    L::Addr: std::fmt::Debug,
    RemoteAddr: for<'a> Connected<IncomingStream<'a, L>>,
{
    let app = router(state).into_make_service_with_connect_info::<RemoteAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
