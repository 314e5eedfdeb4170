//! Serving the API on the local Unix socket (mode 0666: anyone may talk,
//! the peer's uid decides what they may do).

use crate::app::router;
use crate::peer::PeerInfo;
use crate::state::AppState;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use tokio::net::UnixListener;

/// Binds the control socket (replacing a stale one) with mode 0666.
///
/// # Errors
/// When the directory cannot be made or the socket bound.
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
    Ok(listener)
}

/// Serves the API on `listener` until `shutdown` completes.
///
/// # Errors
/// When serving fails.
pub async fn serve(
    listener: UnixListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<PeerInfo>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
