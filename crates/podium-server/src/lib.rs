//! Podium's HTTP API (SPEC §8): the routes, the caller's identity, and the
//! one error type that maps every failure to a status and a JSON body.
//!
//! The same router serves the local Unix socket, where the peer's
//! credentials (`SO_PEERCRED`) say who is calling — that is how the `podium`
//! CLI talks to the daemon, so `--json` prints exactly what the API returns.
//! Making sessions real is `podium-host`'s job; deciding who may act is
//! `podium-core`'s.
#![forbid(unsafe_code)]

pub mod error;
pub mod identity;
pub mod json;
pub mod routes;
pub mod unix;

use axum::Router;
use podium_host::Host;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The host and its sessions.
    pub host: Arc<Host>,
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", routes::api())
        .fallback(routes::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(json::BODY_LIMIT))
        .with_state(state)
}
