//! `/sessions/{id}/thumbnail`: the live picture of a desktop; and
//! `/sessions/{host}/{id}/thumbnail`, of a desktop anywhere in the school.

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use podium_core::{ErrorBody, ErrorCode};
use podium_thumbnail::{Size, ThumbError};
use serde::Deserialize;

/// A thumbnail's bytes as a response body without a copy.
struct ArcBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The thumbnail route.
pub fn routes() -> Documented {
    documented!("/api/v1", thumbnail, school_thumbnail)
}

/// Query of the thumbnail route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ThumbQuery {
    /// `small` (160 px wide), `medium` (320 px, the default) or `large` (480 px).
    #[param(value_type = Option<String>, pattern = "^(small|medium|large)$")]
    size: Option<String>,
}

impl ThumbQuery {
    fn size(&self) -> Result<Size, AppError> {
        match self.size.as_deref() {
            None => Ok(Size::Medium),
            Some(w) => Size::from_word(w)
                .ok_or_else(|| AppError::bad_request(format!("\"size\" must be small, medium or large, not {w:?}"))),
        }
    }
}

/// How long another host's picture may take to come.
const REMOTE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// The session's desktop as a JPEG, at most about a second old while the
/// events stream is open, with a content `ETag`: send it back in
/// `If-None-Match` to get `304 Not Modified` when nothing changed. Visible
/// to whoever may see the session in the list.
#[utoipa::path(
    get,
    path = "/api/v1/sessions/{id}/thumbnail",
    tag = "sessions",
    params(
        ("id" = u32, Path, description = "Session id", minimum = 0, maximum = 4294967295_u64),
        ThumbQuery,
        ("if-none-match" = Option<String>, Header, description = "An ETag from an earlier answer"),
    ),
    responses(
        (status = 200, description = "The picture", content_type = "image/jpeg", body = Vec<u8>,
            headers(("etag" = String, description = "Content ETag"), ("cache-control" = String, description = "no-cache"))),
        (status = 304, description = "Unchanged since the ETag given",
            headers(("etag" = String, description = "Content ETag"))),
        (status = 400, description = "Malformed id or size", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Account not allowed", body = ErrorBody),
        (status = 404, description = "No such session, or not one the caller may see", body = ErrorBody),
        (status = 503, description = "The session has no display to show yet", body = ErrorBody),
    )
)]
pub(crate) async fn thumbnail(
    State(s): State<AppState>,
    Who(caller): Who,
    id: Result<Path<u32>, PathRejection>,
    query: Result<Query<ThumbQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Path(id) = id.map_err(|e| AppError::bad_request(format!("session id: {}", e.body_text())))?;
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let size = q.size()?;
    if !s.host.may_see(&caller, id) {
        return Err(AppError::not_found(format!("no session {id}")));
    }
    // Every failure is the display's, now: the client may ask again later.
    let thumb = s
        .thumbnails
        .get(id, size)
        .await
        .map_err(|e: ThumbError| AppError::new(ErrorCode::Unavailable, e.to_string()))?;
    // Shared with the capture thread's copy, not copied.
    picture(
        &headers,
        &thumb.etag,
        axum::body::Bytes::from_owner(ArcBytes(thumb.jpeg)),
    )
}

/// The desktop of session `id` of host `host` of the school as a JPEG,
/// as that host last sent it (asked for now if this host was not
/// watching it), with its `ETag`; this host's own sessions too. Visible to
/// whoever may see the session in the school's list.
#[utoipa::path(
    get,
    path = "/api/v1/sessions/{host}/{id}/thumbnail",
    tag = "sessions",
    params(
        ("host" = String, Path, description = "The host's name in the school", pattern = "^[a-z0-9][a-z0-9-]{0,31}$"),
        ("id" = u32, Path, description = "Session id on that host", minimum = 0, maximum = 4294967295_u64),
        ThumbQuery,
        ("if-none-match" = Option<String>, Header, description = "An ETag from an earlier answer"),
    ),
    responses(
        (status = 200, description = "The picture", content_type = "image/jpeg", body = Vec<u8>,
            headers(("etag" = String, description = "Content ETag"), ("cache-control" = String, description = "no-cache"))),
        (status = 304, description = "Unchanged since the ETag given",
            headers(("etag" = String, description = "Content ETag"))),
        (status = 400, description = "Malformed host, id or size", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Account not allowed", body = ErrorBody),
        (status = 404, description = "No such host or session, or not one the caller may see", body = ErrorBody),
        (status = 503, description = "The host sent no picture in time, or cannot be reached", body = ErrorBody),
    )
)]
pub(crate) async fn school_thumbnail(
    State(s): State<AppState>,
    Who(caller): Who,
    path: Result<Path<(String, u32)>, PathRejection>,
    query: Result<Query<ThumbQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Path((host, id)) =
        path.map_err(|e| AppError::bad_request(format!("host and session id: {}", e.body_text())))?;
    podium_core::config::check_host_name(&host).map_err(|why| AppError::bad_request(format!("the host {why}")))?;
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let size = q.size()?;
    if crate::school::here(&s).as_deref() == Some(host.as_str()) {
        return thumbnail(State(s), Who(caller), Ok(Path(id)), Ok(Query(q)), headers).await;
    }
    let unknown = || AppError::not_found(format!("no session {host}/{id}"));
    let node = s.cluster.as_ref().ok_or_else(unknown)?;
    let session = node.directory().session(&host, id).ok_or_else(unknown)?;
    if !podium_core::permission::may_see(&caller, session.uid) {
        return Err(unknown());
    }
    if node.directory().state_of(&host) != Some(podium_core::HostState::Reachable) {
        return Err(AppError::new(
            ErrorCode::Unavailable,
            format!("host {host} is unreachable"),
        ));
    }
    let p = node
        .picture(&host, id, size.as_str(), REMOTE_PATIENCE)
        .await
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Unavailable,
                format!("host {host} sent no picture of session {id} in time"),
            )
        })?;
    picture(&headers, &p.etag, p.jpeg)
}

/// A picture's answer: `304` when the client has it (`If-None-Match`).
fn picture(headers: &HeaderMap, tag: &str, body: axum::body::Bytes) -> Result<Response, AppError> {
    let etag = HeaderValue::from_str(tag).map_err(|e| AppError::internal(&e))?;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response())
}
