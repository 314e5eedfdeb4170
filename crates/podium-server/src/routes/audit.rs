//! `/audit`: the audit log, for dashboard users and administrators.

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use podium_core::{AuditList, ErrorBody, Timestamp};
use serde::Deserialize;

/// The audit route.
pub fn routes() -> Documented {
    documented!("/api/v1", audit)
}

/// Query of `GET /audit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// RFC 3339 time: records at or after it.
    #[param(format = DateTime)]
    since: Option<String>,
    /// At most this many records (the newest), 1–10000, default 1000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    limit: Option<String>,
}

/// The audit log, oldest first (dashboard users and administrators).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Audit records", body = AuditList),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Standard users do not read the audit log", body = ErrorBody),
    )
)]
pub(crate) async fn audit(
    State(s): State<AppState>,
    Who(caller): Who,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditList>, AppError> {
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let since = match q.since.as_deref() {
        None => None,
        Some(t) => Some(
            Timestamp::parse(t)
                .ok_or_else(|| AppError::bad_request(format!("\"since\" is not an RFC 3339 time: {t:?}")))?,
        ),
    };
    let limit = match q.limit.as_deref() {
        None => 1000,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=10_000).contains(l))
            .ok_or_else(|| AppError::bad_request(format!("\"limit\" must be 1 to 10000, not {l:?}")))?,
    };
    Ok(Json(s.host.audit(&caller, since, limit)?))
}
