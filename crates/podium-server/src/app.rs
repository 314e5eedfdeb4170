//! The whole HTTP service: the documented API, the web UI, the answer to
//! unknown routes, and the layers every request goes through.

use crate::state::AppState;
use crate::{json, metrics, openapi, routes, ui};
use axum::Router;

/// The whole API.
pub fn router(state: AppState) -> Router {
    openapi::api()
        .router
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
