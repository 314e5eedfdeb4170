//! Who is calling. On the Unix socket the kernel tells us (peer
//! credentials); the role is looked up at every request, so a change of
//! groups takes effect without a restart.

use crate::AppState;
use crate::error::AppError;
use crate::unix::PeerInfo;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use podium_core::Caller;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Who(pub Caller);

impl FromRequestParts<AppState> for Who {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<PeerInfo>>() {
            let uid = peer
                .uid
                .ok_or_else(|| AppError::unauthorized("the peer's credentials are unknown"))?;
            return state
                .host
                .roles()
                .caller_for_uid(uid)
                .map(Who)
                .map_err(|_| AppError::unauthorized(format!("uid {uid} has no account")));
        }
        Err(AppError::unauthorized("log in first"))
    }
}
