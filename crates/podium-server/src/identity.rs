//! Who is calling. On the Unix socket the kernel tells us (peer
//! credentials); on the web, the login cookie does. The role is looked up
//! at every request, so a change of groups takes effect without a restart.
//! Cookie-authenticated requests that change anything must come from a
//! page of this server (same `Origin`), which stops cross-site forgery.

use crate::auth::COOKIE;
use crate::error::AppError;
use crate::peer::PeerInfo;
use crate::peer::RemoteAddr;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use podium_core::Caller;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Who(pub Caller);

/// The value of cookie `name`, if the request carries it.
#[must_use]
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            line.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                (k == name && !v.is_empty()).then(|| v.to_owned())
            })
        })
}

/// `host[:port]` of an `Origin` or `Referer` value.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split('/').next().unwrap_or(rest))
}

/// Whether the request comes from a page of this server. A missing
/// `Origin` (and `Referer`) is accepted only when `allow_missing`: browsers
/// always send `Origin` on POST and WebSocket requests, scripts may not.
///
/// # Errors
/// 403 naming the foreign origin.
pub fn check_same_origin(headers: &HeaderMap, allow_missing: bool) -> Result<(), AppError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    // An `Origin` that is there but not plain ASCII is foreign, not missing.
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .map(|h| String::from_utf8_lossy(h.as_bytes()));
    match (origin.as_deref(), host) {
        (None, _) if allow_missing => Ok(()),
        (None, _) => Err(AppError::forbidden(
            "requests that change something need an Origin header from this server",
        )),
        (Some(o), Some(h)) if authority(o).is_some_and(|a| a.eq_ignore_ascii_case(h)) => Ok(()),
        (Some(o), _) => Err(AppError::forbidden(format!("cross-site request refused (origin {o})"))),
    }
}

impl FromRequestParts<AppState> for Who {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<PeerInfo>>() {
            let uid = peer
                .uid
                .ok_or_else(|| AppError::unauthorized("the peer's credentials are unknown"))?;
            return state
                .host
                .roles()
                .caller_for_uid(uid)
                .map(Who)
                .map_err(|_| AppError::unauthorized(format!("uid {uid} has no account")));
        }
        if parts.extensions.get::<ConnectInfo<RemoteAddr>>().is_none() {
            return Err(AppError::unauthorized("log in first"));
        }
        let token = cookie(&parts.headers, COOKIE).ok_or_else(|| AppError::unauthorized("log in first"))?;
        let (user, uid) = state
            .logins
            .check(&token)
            .ok_or_else(|| AppError::unauthorized("your login has expired; log in again"))?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            check_same_origin(&parts.headers, false)?;
        }
        let account = state
            .host
            .roles()
            .account_of_login(uid, &user)
            .map_err(|_| AppError::unauthorized(format!("{user} no longer exists")))?;
        let standing = state.host.roles().standing(&account);
        if !standing.may_log_on {
            return Err(AppError::forbidden("this account is not allowed to log on"));
        }
        Ok(Who(Caller {
            user: account.name,
            uid,
            role: standing.role,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; podium_session=tok; b=2")]);
        assert_eq!(cookie(&h, "podium_session").as_deref(), Some("tok"));
        assert_eq!(
            cookie(&headers(&[("cookie", "podium_session=")]), "podium_session"),
            None
        );
    }

    #[test]
    fn only_this_servers_pages_may_change_things() {
        let same = headers(&[("host", "school:8443"), ("origin", "https://school:8443")]);
        assert!(check_same_origin(&same, false).is_ok());
        let foreign = headers(&[("host", "school:8443"), ("origin", "https://evil.example")]);
        assert!(check_same_origin(&foreign, true).is_err());
        let referer = headers(&[("host", "school:8443"), ("referer", "https://school:8443/dashboard")]);
        assert!(check_same_origin(&referer, false).is_ok());
        let none = headers(&[("host", "school:8443")]);
        assert!(check_same_origin(&none, false).is_err());
        assert!(check_same_origin(&none, true).is_ok());
    }

    #[test]
    fn an_origin_that_is_not_ascii_is_foreign_not_missing() {
        let mut h = headers(&[("host", "school:8443")]);
        let origin = HeaderValue::from_bytes("https://\u{e9}cole:8443".as_bytes()).expect("a valid header value");
        h.insert(header::ORIGIN, origin);
        assert!(check_same_origin(&h, true).is_err());
        assert!(check_same_origin(&h, false).is_err());
    }
}
