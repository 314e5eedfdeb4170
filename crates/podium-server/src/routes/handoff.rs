//! `/auth/handoff`: a login another host of the school handed to this
//! one. A pupil typed their password at host A; A chose this host to show
//! their desktop and signed their name for this host alone, for half a
//! minute, once. The browser brings that here, and this host logs the
//! pupil in as its own login route does after the password: the account
//! must exist here and be allowed to log on, the login is audited, and
//! refused hand-offs count against the address like wrong passwords.
//!
//! Login cookies, the `Origin` check and certificates stay per host: the
//! cookie is this host's, set by this host for the page it serves next.

use super::auth::{allowed, audit, log_in, session_cookie};
use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use podium_core::{AuditOutcome, ErrorBody, ErrorCode};
use podium_host::users::Account;
use serde::Deserialize;

/// The hand-off route.
pub fn routes() -> Documented {
    documented!("/api/v1", handoff)
}

/// Longer than any token a host signs (about 350 characters).
const MAX_TOKEN: usize = 2048;

/// Query of `/auth/handoff`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HandoffQuery {
    /// The one-time login another host signed for this one.
    #[param(max_length = 2048)]
    token: String,
}

/// Take a login another host of the school handed to this one (the URL of
/// a login answer's `handoff`): the token, signed by that host for this
/// host alone, is good once and for 30 s. Sets this host's login cookie as
/// `POST /auth/login` does and sends the browser to the station page.
#[utoipa::path(
    get,
    path = "/api/v1/auth/handoff",
    tag = "auth",
    security(()),
    params(HandoffQuery),
    responses(
        (status = 303, description = "Logged in: the cookie is set, and the browser goes to the station page",
            headers(
                ("set-cookie" = String, description = "podium_session=…; HttpOnly; Secure; SameSite=Strict"),
                ("location" = String, description = "/"),
            )),
        (status = 400, description = "No token, a token too long, or not over HTTPS", body = ErrorBody),
        (status = 401, description = "The token is not good here: malformed, not signed by a host of this \
            host's `[cluster.peers]`, meant for another host, expired or already used", body = ErrorBody),
        (status = 403, description = "The account does not exist on this host, or may not log on", body = ErrorBody),
        (status = 404, description = "This host is not part of a school's cluster", body = ErrorBody),
        (status = 429, description = "Too many refused logins from this address; try again later", body = ErrorBody),
    )
)]
async fn handoff(
    State(s): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    query: Result<Query<HandoffQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Some(ip) = crate::client_addr::of_request(&s, &extensions, &headers) else {
        return Err(AppError::bad_request(
            "a hand-off comes over HTTPS; on the local socket the daemon knows who you are",
        ));
    };
    let Some(node) = s.cluster.clone() else {
        return Err(AppError::not_found("this host is not part of a school's cluster"));
    };
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    if q.token.len() > MAX_TOKEN {
        return Err(AppError::bad_request(format!(
            "\"token\" is longer than {MAX_TOKEN} characters"
        )));
    }
    let keys = [format!("addr:{ip}")];
    if s.throttle.blocked(&keys) {
        s.metrics.login_failure("throttled");
        return Err(AppError::new(
            ErrorCode::TooManyRequests,
            "too many failed logins; try again in a minute",
        ));
    }
    let claims = match node.verify_handoff(&q.token) {
        Ok(claims) => claims,
        Err(why) => {
            s.throttle.fail(&keys);
            s.metrics.login_failure("handoff_refused");
            tracing::warn!(%ip, "refused a login hand-off: {why}");
            return Err(AppError::unauthorized(why));
        }
    };
    let Ok(account) = Account::by_name(&claims.user) else {
        s.metrics.login_failure("account_refused");
        let why = format!(
            "user {} has no account on host {}: the school's hosts must share their user accounts",
            claims.user,
            node.host()
        );
        audit(
            &s,
            &claims.user,
            AuditOutcome::Refused,
            format!("{why} (handed by host {}, from {ip})", claims.issuer),
        );
        return Err(AppError::forbidden(why));
    };
    let (account, standing) = allowed(&s, account, ip)?;
    let how = format!("from {ip}; handed by host {}", claims.issuer);
    let (_, token) = log_in(&s, account, standing, &how)?;
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    let h = response.headers_mut();
    h.insert(header::SET_COOKIE, session_cookie(&token)?);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The token is in this URL: the next page must not pass it on.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}
