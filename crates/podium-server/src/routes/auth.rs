//! `/auth`: web login and logout. On a host of a school's cluster, a
//! station's login may be handed to another host (`crate::placement`),
//! which takes it at its own `/auth/handoff` (`super::handoff`).

use crate::auth::COOKIE;
use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::{check_same_origin, cookie};
use crate::json::JsonBody;
use crate::password::{self, Verdict};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use podium_core::{AuditKind, AuditOutcome, Caller, ErrorBody, ErrorCode, LoginAnswer, LoginRequest, Me, NewAudit};
use podium_host::login;
use podium_host::users::{Account, Standing};
use std::net::IpAddr;
use zeroize::Zeroizing;

/// The auth routes.
pub fn routes() -> Documented {
    documented!("/api/v1", login, logout)
}

/// Audits a web login of `user` (by password here, or handed by another host).
pub(crate) fn audit(s: &AppState, user: &str, outcome: AuditOutcome, reason: String) {
    s.host
        .record(&NewAudit::new(user, AuditKind::Login, outcome).because(reason));
}

/// The login cookie carrying `token`.
pub(crate) fn session_cookie(token: &str) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict"))
        .map_err(|e| AppError::internal(&e))
}

/// Log in with a Unix account's password (PAM service `podium`: the
/// password is checked and the account must be allowed to log in now).
/// Sets an HttpOnly, Secure, SameSite=Strict session cookie. After too
/// many failures for a user or from an address, attempts are refused
/// without asking PAM.
///
/// On a host of a school's cluster, a standard user's login with
/// `"station": true` goes where their desktop is to be shown: the host that
/// runs their session, else the reachable host with the most room. When
/// that is another host, no cookie is set here: the answer's `handoff`
/// says where the browser goes to be logged in there. When their session
/// runs on a host that cannot be reached now, the login is refused (503,
/// with that `host`), and no second session is started.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in, and the cookie is set; or, with `handoff`, sent to another \
            host, and no cookie is set", body = LoginAnswer,
            headers(("set-cookie" = String, description = "podium_session=…; HttpOnly; Secure; SameSite=Strict"))),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 403, description = "Account not allowed to log in, or a cross-site request", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 429, description = "Too many failed logins; try again later", body = ErrorBody),
        (status = 503, description = "PAM could not be asked, or the user's desktop is on a host that \
            cannot be reached now (`host` names it)", body = ErrorBody),
    )
)]
async fn login(
    State(s): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    let Some(ip) = crate::client_addr::of_request(&s, &extensions, &headers) else {
        return Err(AppError::bad_request(
            "log in over HTTPS; on the local socket the daemon knows who you are",
        ));
    };
    check_same_origin(&headers, true)?;
    req.validate()?;
    let password = Zeroizing::new(req.password);
    match password::check(&s, &req.username, ip, password).await? {
        Verdict::Right => {}
        Verdict::Throttled => {
            audit(
                &s,
                &req.username,
                AuditOutcome::Refused,
                format!("too many failed logins (from {ip})"),
            );
            return Err(AppError::new(
                ErrorCode::TooManyRequests,
                "too many failed logins; try again in a minute",
            ));
        }
        Verdict::Refused(f) => return Err(refused(&s, &req.username, ip, &f)),
    }
    let (account, standing) = allowed_account(&s, &req.username, ip)?;
    if req.station
        && let Some(elsewhere) = hand_off(&s, &account, &standing, ip)?
    {
        return Ok(elsewhere);
    }
    let (me, token) = log_in(&s, account, standing, &format!("from {ip}"))?;
    logged_in(me, &token)
}

/// Logs `account` in on this host: who it is, and a new login token for
/// the cookie; the login is audited with `how` (from where, and whether
/// another host handed it over).
pub(crate) fn log_in(s: &AppState, account: Account, standing: Standing, how: &str) -> Result<(Me, String), AppError> {
    let token = s
        .logins
        .create(&account.name, account.uid)
        .map_err(|e| AppError::internal(&e))?;
    audit(s, &account.name, AuditOutcome::Done, how.to_owned());
    tracing::info!(user = %account.name, how, "web login");
    let me = Me {
        user: account.name,
        full_name: account.full_name,
        role: standing.role,
        host: crate::school::here(s),
    };
    Ok((me, token))
}

/// A station's login that goes to another host of the school: the answer
/// that sends the browser there, with no cookie here; `None` when the
/// login is this host's. Either way, and when it is refused, audited here.
///
/// # Errors
/// 503 when the user's desktop runs on a host that cannot be reached now.
fn hand_off(s: &AppState, account: &Account, standing: &Standing, ip: IpAddr) -> Result<Option<Response>, AppError> {
    let caller = Caller {
        user: account.name.clone(),
        uid: account.uid,
        role: standing.role,
    };
    let handoff = match crate::placement::handoff(s, &caller) {
        Ok(Some(handoff)) => handoff,
        Ok(None) => return Ok(None),
        Err(e) => {
            audit(s, &account.name, AuditOutcome::Refused, format!("{e} (from {ip})"));
            return Err(e);
        }
    };
    let how = format!("from {ip}; handed to host {}", handoff.host);
    audit(s, &account.name, AuditOutcome::Done, how);
    let answer = LoginAnswer {
        user: account.name.clone(),
        full_name: account.full_name.clone(),
        role: standing.role,
        host: crate::school::here(s),
        handoff: Some(handoff),
    };
    let mut response = Json(answer).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(Some(response))
}

/// A password PAM refused: counted, audited, and told apart (401 for a
/// wrong password, 403 for an account not allowed in now).
fn refused(s: &AppState, user: &str, ip: IpAddr, f: &login::Verdict) -> AppError {
    let reason = if matches!(f, login::Verdict::BadCredentials) {
        "bad_credentials"
    } else {
        "account_refused"
    };
    s.metrics.login_failure(reason);
    audit(s, user, AuditOutcome::Failed, format!("{f} (from {ip})"));
    let code = if matches!(f, login::Verdict::BadCredentials) {
        ErrorCode::Unauthorized
    } else {
        ErrorCode::Forbidden
    };
    AppError::new(code, f.to_string())
}

/// The account of a user whose password was right, when Podium lets it
/// log on, with its standing.
fn allowed_account(s: &AppState, user: &str, ip: IpAddr) -> Result<(Account, Standing), AppError> {
    let account = Account::by_name(user).map_err(|_| AppError::unauthorized("wrong user name or password"))?;
    allowed(s, account, ip)
}

/// `account` with its standing, when Podium lets it log on here now; a
/// refusal is counted and audited.
pub(crate) fn allowed(s: &AppState, account: Account, ip: IpAddr) -> Result<(Account, Standing), AppError> {
    let standing = s.host.roles().standing(&account);
    if !standing.may_log_on {
        s.metrics.login_failure("account_refused");
        audit(
            s,
            &account.name,
            AuditOutcome::Refused,
            format!("account not allowed to log on (from {ip})"),
        );
        return Err(AppError::forbidden("this account is not allowed to log on"));
    }
    Ok((account, standing))
}

/// The answer to a login: who logged in, and the cookie.
fn logged_in(me: Me, token: &str) -> Result<Response, AppError> {
    let mut response = Json(LoginAnswer::here(me)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(token)?);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// End the web login: the cookie stops working at once.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(()),
    responses(
        (status = 204, description = "Logged out (or was not logged in)"),
        (status = 403, description = "Cross-site request", body = ErrorBody),
    )
)]
async fn logout(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, COOKIE) {
        check_same_origin(&headers, false)?;
        if let Some((user, _)) = s.logins.check(&token) {
            s.host
                .record(&NewAudit::new(user, AuditKind::Logout, AuditOutcome::Done));
        }
        s.logins.remove(&token);
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("podium_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}
