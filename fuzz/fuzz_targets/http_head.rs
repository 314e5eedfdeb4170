//! What the server reads from a request's head before any body: the login
//! cookie, the `Origin`/`Referer` check against `Host` that stops
//! cross-site requests, and the query parameters the routes parse
//! (`since` and `limit` of the audit log, a thumbnail's `size`, the
//! station's `session`). The input is a request head as it comes over the
//! wire: a request line, then `Name: value` lines.
#![no_main]

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri, header};
use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use podium_core::Timestamp;
use podium_server::auth::COOKIE;
use podium_server::identity::{check_same_origin, cookie};
use podium_thumbnail::Size;
use std::collections::HashMap;

/// `host[:port]` of a URL, as a browser's `Origin` carries it.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    rest.split('/').next()
}

/// The header as text, whatever bytes it holds.
fn text(h: &HeaderValue) -> String {
    String::from_utf8_lossy(h.as_bytes()).into_owned()
}

fn check_origin(headers: &HeaderMap) {
    let host = headers.get(header::HOST).map(text);
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .map(text);
    // Same origin: the page's authority is the Host it asked (both plain
    // ASCII, as browsers send them).
    let same = match (&origin, &host) {
        (Some(o), Some(h)) if o.is_ascii() && h.is_ascii() => authority(o).is_some_and(|a| a.eq_ignore_ascii_case(h)),
        _ => false,
    };
    for allow_missing in [false, true] {
        match check_same_origin(headers, allow_missing) {
            Ok(()) => assert!(
                same || (allow_missing && origin.is_none()),
                "let in: origin {origin:?}, host {host:?}, allow_missing {allow_missing}"
            ),
            Err(e) => {
                assert!(!same, "refused a same-origin request: {origin:?}, host {host:?}");
                assert_eq!(e.into_response().status(), 403);
            }
        }
    }
}

fn check_cookie(headers: &HeaderMap) {
    if let Some(token) = cookie(headers, COOKIE) {
        assert!(!token.is_empty() && !token.contains(';'), "{token:?}");
        let pair = format!("{COOKIE}={token}");
        assert!(
            headers.get_all(header::COOKIE).iter().any(|v| text(v).contains(&pair)),
            "{token:?} is not in the Cookie headers"
        );
    }
}

fn check_query(uri: &Uri) {
    let Ok(Query(q)) = Query::<HashMap<String, String>>::try_from_uri(uri) else {
        return;
    };
    if let Some(since) = q.get("since")
        && let Some(t) = Timestamp::parse(since)
    {
        // Times go back out as RFC 3339 (the audit log, events): what is
        // printed must read back as the same instant.
        let shown = t.to_string();
        assert_eq!(Timestamp::parse(&shown), Some(t), "{since:?} is shown as {shown:?}");
    }
    if let Some(limit) = q.get("limit")
        && let Some(l) = limit.parse::<u32>().ok().filter(|l| (1..=10_000).contains(l))
    {
        assert!(l >= 1);
    }
    if let Some(word) = q.get("size")
        && let Some(size) = Size::from_word(word)
    {
        assert_eq!(size.as_str(), word);
        let (w, h) = size.dimensions(1280, 800);
        assert!(w >= 1 && h >= 1);
    }
    if let Some(id) = q.get("session") {
        let _ = id.parse::<u32>();
    }
}

fuzz_target!(|head: &str| {
    let mut lines = head.lines();
    let target = lines.next().and_then(|l| l.split(' ').nth(1)).unwrap_or("/");
    let mut headers = HeaderMap::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_bytes(value.trim().as_bytes()),
        ) {
            headers.append(n, v);
        }
    }
    check_cookie(&headers);
    check_origin(&headers);
    if let Ok(uri) = target.parse::<Uri>() {
        check_query(&uri);
    }
});
