//! `/sessions/{id}/thumbnail`: the live picture of a desktop.

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
    documented!("/api/v1", thumbnail)
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
    let size = match q.size.as_deref() {
        None => Size::Medium,
        Some(w) => Size::from_word(w)
            .ok_or_else(|| AppError::bad_request(format!("\"size\" must be small, medium or large, not {w:?}")))?,
    };
    if !s.host.may_see(&caller, id) {
        return Err(AppError::not_found(format!("no session {id}")));
    }
    // Every failure is the display's, now: the client may ask again later.
    let thumb = s
        .thumbnails
        .get(id, size)
        .await
        .map_err(|e: ThumbError| AppError::new(ErrorCode::Unavailable, e.to_string()))?;
    let etag = HeaderValue::from_str(&thumb.etag).map_err(|e| AppError::internal(&e))?;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == thumb.etag || t.trim() == "*"));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    // Shared with the capture thread's copy, not copied.
    let body = axum::body::Bytes::from_owner(ArcBytes(thumb.jpeg));
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
