//! Serving the API on the network: HTTPS, and plain HTTP on loopback when
//! the configuration asks for it.

use crate::app::router;
use crate::peer::RemoteAddr;
use crate::state::AppState;
use crate::tls::TlsListener;
use tokio::net::TcpListener;

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
