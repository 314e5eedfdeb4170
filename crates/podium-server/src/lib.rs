//! Podium's HTTP API (SPEC §8): the routes, the caller's identity, and the
//! one error type that maps every failure to a status and a JSON body.
//!
//! The same router serves HTTPS (browsers, `--server` CLI) and the local
//! Unix socket, where the peer's credentials (`SO_PEERCRED`) say who is
//! calling — that is how the `podium` CLI talks to its daemon, so `--json`
//! prints exactly what the API returns. Making sessions real is
//! `podium-host`'s job; deciding who may act is `podium-core`'s.
#![forbid(unsafe_code)]

pub mod auth;
pub mod client_addr;
pub mod error;
pub mod identity;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod thumbnails;
pub mod tls;
pub mod ui;
pub mod unix;
pub mod web;

use axum::Router;
use podium_host::Host;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The host and its sessions.
    pub host: Arc<Host>,
    /// Web logins.
    pub logins: Arc<auth::Logins>,
    /// Failed-login throttle.
    pub throttle: Arc<auth::Throttle>,
    /// HTTP counters.
    pub metrics: Arc<metrics::HttpMetrics>,
    /// Live desktop thumbnails.
    pub thumbnails: Arc<podium_thumbnail::Service>,
}

impl AppState {
    /// The state for `host`, with its web settings and `thumbnails`.
    #[must_use]
    pub fn new(host: Arc<Host>, thumbnails: Arc<podium_thumbnail::Service>) -> AppState {
        let web = host.config().web.clone();
        let idle = std::time::Duration::from_secs(u64::from(web.idle_timeout_minutes) * 60);
        AppState {
            logins: Arc::new(auth::Logins::load(host.clone(), idle)),
            throttle: Arc::new(auth::Throttle::new(
                web.max_login_failures,
                std::time::Duration::from_secs(u64::from(web.login_failure_window_seconds)),
            )),
            metrics: Arc::new(metrics::HttpMetrics::default()),
            thumbnails,
            host,
        }
    }
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", routes::api())
        .merge(metrics::router())
        .merge(ui::router())
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn(json::read_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(json::BODY_LIMIT))
        .with_state(state)
}
