//! `/metrics`, in Prometheus text format: sessions by state, log offs by
//! outcome and their duration, HTTP requests by route and status, failed
//! logins. Aggregates only, so it is served without a login.

use crate::documented::{Documented, documented};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

/// Middleware: counts every request by matched route and status.
pub async fn count_requests(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    s.metrics.request(route, response.status().as_u16());
    response
}

/// The `/metrics` route.
pub fn routes() -> Documented {
    documented!("", metrics)
}

/// Prometheus metrics (text format 0.0.4).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "metrics",
    security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String))
)]
async fn metrics(State(s): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        render(&s),
    )
        .into_response()
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The metrics text.
#[must_use]
pub fn render(s: &AppState) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP podium_sessions Sessions on this host, by state.\n# TYPE podium_sessions gauge"
    );
    for (state, n) in s.host.count_by_state() {
        let _ = writeln!(out, "podium_sessions{{state=\"{state}\"}} {n}");
    }
    let stats = s.host.stats().snapshot();
    let _ = writeln!(
        out,
        "# HELP podium_logoffs_total Finished log offs, by outcome.\n# TYPE podium_logoffs_total counter"
    );
    for (end, n) in stats.logoffs {
        let _ = writeln!(out, "podium_logoffs_total{{outcome=\"{end}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP podium_logoff_duration_seconds From the log-off request to the last process gone.\n# TYPE podium_logoff_duration_seconds histogram"
    );
    for (bound, n) in &stats.buckets {
        let _ = writeln!(out, "podium_logoff_duration_seconds_bucket{{le=\"{bound}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "podium_logoff_duration_seconds_bucket{{le=\"+Inf\"}} {}",
        stats.count
    );
    let _ = writeln!(out, "podium_logoff_duration_seconds_sum {}", stats.sum_seconds);
    let _ = writeln!(out, "podium_logoff_duration_seconds_count {}", stats.count);
    let _ = writeln!(
        out,
        "# HELP podium_thumbnail_captures_total Screen captures made for thumbnails.\n# TYPE podium_thumbnail_captures_total counter\npodium_thumbnail_captures_total {}",
        s.thumbnails.captures()
    );
    let _ = writeln!(
        out,
        "# HELP podium_thumbnail_captured_pixels_total Screen pixels copied for thumbnails (only what changed).\n# TYPE podium_thumbnail_captured_pixels_total counter\npodium_thumbnail_captured_pixels_total {}",
        s.thumbnails.captured_pixels()
    );
    let _ = writeln!(
        out,
        "# HELP podium_http_requests_total HTTP requests, by route and status.\n# TYPE podium_http_requests_total counter"
    );
    for ((route, status), n) in &s.metrics.requests() {
        let _ = writeln!(
            out,
            "podium_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
            escape(route)
        );
    }
    let _ = writeln!(
        out,
        "# HELP podium_login_failures_total Refused web logins, by reason.\n# TYPE podium_login_failures_total counter"
    );
    for reason in ["bad_credentials", "account_refused", "throttled"] {
        let _ = writeln!(
            out,
            "podium_login_failures_total{{reason=\"{reason}\"}} {}",
            s.metrics.login_failures(reason)
        );
    }
    out
}
