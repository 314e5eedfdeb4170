//! Podium's HTTP API (SPEC §8): the routes, the caller's identity, and the
//! one error type that maps every failure to a status and a JSON body.
//!
//! The same router serves HTTPS (browsers, `--server` CLI) and the local
//! Unix socket, where the peer's credentials (`SO_PEERCRED`) say who is
//! calling — that is how the `podium` CLI talks to its daemon, so `--json`
//! prints exactly what the API returns. Making sessions real is
//! `podium-host`'s job; deciding who may act is `podium-core`'s.
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod client_addr;
pub mod cluster;
pub mod documented;
pub mod error;
pub mod http_metrics;
pub mod identity;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod password;
pub mod peer;
pub(crate) mod placement;
pub mod projection;
pub mod routes;
pub(crate) mod school;
pub mod state;
pub mod thumbnails;
pub mod tls;
pub mod ui;
pub mod unix;
// The dashboard's View and Take control.
pub(crate) mod viewer_relay;
pub(crate) mod vnc_socket;
pub mod web;

pub use app::router;
pub use state::AppState;
