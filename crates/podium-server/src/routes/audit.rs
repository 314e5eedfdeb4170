//! `/audit`: the audit log, for dashboard users and administrators: this
//! host's, or the school's (every host's, from the audit stream).

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use podium_core::{AuditList, AuditRecord, ErrorBody, Timestamp};
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
    /// `true`: the school's log, every host's records each with its
    /// `host`, from the school's audit stream (with this host's own,
    /// delivered or not); this host's only otherwise. When the stream
    /// cannot be read, this host's records with `school_error` saying why.
    school: Option<bool>,
}

/// The audit log, oldest first (dashboard users and administrators).
/// With `school=true`, every host's records, oldest first by time; when
/// NATS cannot be reached the answer is still 200, with this host's
/// records and `school_error`.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Audit records; with `school=true` and the school's log out of reach, this host's with `school_error`", body = AuditList),
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
    let mut list = s.host.audit(&caller, since, limit)?;
    if q.school == Some(true)
        && let Some(node) = &s.cluster
    {
        for r in &mut list.records {
            r.host = Some(node.host().to_owned());
        }
        match node.school_audit(since, limit).await {
            Ok(school) => list.records = merged(list.records, school, limit),
            Err(e) => {
                tracing::info!("the school's audit log cannot be read: {e}");
                list.school_error = Some(e.to_string());
            }
        }
    }
    Ok(Json(list))
}

/// This host's records and the school's, each once (by host and number),
/// the newest `limit`, oldest first. This host's come from its registry
/// too, so the ones not delivered yet are there.
fn merged(own: Vec<AuditRecord>, school: Vec<AuditRecord>, limit: u32) -> Vec<AuditRecord> {
    let mut seen = std::collections::BTreeSet::new();
    let mut records: Vec<AuditRecord> = own
        .into_iter()
        .chain(school)
        .filter(|r| seen.insert((r.host.clone(), r.id)))
        .collect();
    podium_cluster::audit::newest(&mut records, usize::try_from(limit).unwrap_or(usize::MAX));
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use podium_core::AuditKind;

    fn record(host: &str, id: i64, at: i64) -> AuditRecord {
        AuditRecord {
            id,
            at: Timestamp::from_unix(at),
            actor: "root".into(),
            kind: AuditKind::Login,
            action: None,
            session: None,
            target_user: None,
            outcome: "done".into(),
            reason: None,
            duration_ms: None,
            applications: Vec::new(),
            host: Some(host.into()),
        }
    }

    #[test]
    fn each_record_once_newest_last() {
        let own = vec![record("a", 1, 10), record("a", 2, 40)];
        let school = vec![
            record("a", 1, 10),
            record("b", 1, 20),
            record("c", 1, 30),
            record("c", 2, 50),
        ];
        let got: Vec<(String, i64)> = merged(own, school, 4)
            .into_iter()
            .map(|r| (r.host.unwrap_or_default(), r.id))
            .collect();
        let want = [("b", 1), ("c", 1), ("a", 2), ("c", 2)].map(|(h, i)| (h.to_owned(), i));
        assert_eq!(got, want);
    }
}
