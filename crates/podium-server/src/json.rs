//! JSON request bodies, with every way a body can be wrong turned into a
//! 4xx in the API's error format (axum's own rejections are plain text).

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use podium_core::ErrorCode;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(r) => Err(rejection(&r)),
        }
    }
}

/// A JSON body of type `T` that may be left out: an empty body or `null`
/// is `None`, anything else must be `T`, with the same errors as
/// [`JsonBody`].
#[derive(Debug, Clone)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
            AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than {BODY_LIMIT} bytes"),
            )
        })?;
        if bytes.is_empty() {
            return Ok(OptionalJsonBody(None));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        JsonBody::<Option<T>>::from_request(req, state)
            .await
            .map(|JsonBody(v)| OptionalJsonBody(v))
    }
}

/// Reads every request's body (up to [`BODY_LIMIT`]) before anything looks
/// at the request. A request refused before its body was read (not logged
/// in, a cross-site `Origin`, a wrong `Content-Type`) would otherwise leave
/// the body unread: the server must then drop the connection, and a client
/// that sends its next request on that kept-alive connection meanwhile
/// gets a broken connection instead of an answer.
pub async fn read_body(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => {
            let mut r = AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than {BODY_LIMIT} bytes"),
            )
            .into_response();
            // What is left of the body is not read: say the connection ends.
            r.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            r
        }
    }
}

fn rejection(r: &JsonRejection) -> AppError {
    match r {
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            ErrorCode::UnsupportedMediaType,
            "the body must be JSON (Content-Type: application/json)",
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::bad_request(format!("malformed JSON: {}", inner(e))),
        JsonRejection::JsonDataError(e) => AppError::bad_request(format!("unexpected JSON: {}", inner(e))),
        JsonRejection::BytesRejection(_) => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {BODY_LIMIT} bytes"),
        ),
        _ => AppError::bad_request(r.body_text()),
    }
}

/// The serde message without axum's prefix.
fn inner(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(next) = src {
        s = next.to_string();
        src = next.source();
    }
    s
}
