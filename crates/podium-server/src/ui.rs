//! The web pages (login, dashboard, station), built into the binary: the
//! files of `web/` are ES modules served as they are, with no build step,
//! so `cargo build` alone makes a complete daemon and nothing is fetched
//! from elsewhere at run time.

use crate::state::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

static APP: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../web/app");
static VENDOR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../web/vendor");
static INDEX: &str = include_str!("../../../web/index.html");

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/app/{*path}", get(app))
        .route("/vendor/{*path}", get(vendor))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("html") => "text/html; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// The Content-Security-Policy: only this server's scripts (and the
/// page's import map, by its hash), styles, pictures and connections.
fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let map = INDEX
            .split_once("<script type=\"importmap\">")
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .map_or("", |(map, _)| map);
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(map.as_bytes()));
        format!(
            "default-src 'none'; script-src 'self' 'sha256-{hash}'; style-src 'self'; img-src 'self' blob: data:; \
             connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        )
    })
}

fn etag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12])
    )
}

fn serve(path: &str, bytes: &'static [u8], headers: &HeaderMap) -> Response {
    let tag = etag(bytes);
    let fresh = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(v) = HeaderValue::from_str(csp()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", INDEX.as_bytes(), &headers)
}

fn file(dir: &'static Dir<'static>, path: &str, headers: &HeaderMap) -> Response {
    match dir.get_file(path) {
        Some(f) if !path.contains("..") => serve(path, f.contents(), headers),
        _ => crate::error::AppError::not_found(format!("no file {path}")).into_response(),
    }
}

async fn app(Path(path): Path<String>, headers: HeaderMap) -> Response {
    file(&APP, &path, &headers)
}

async fn vendor(Path(path): Path<String>, headers: HeaderMap) -> Response {
    file(&VENDOR, &path, &headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_and_their_modules_are_built_in() {
        assert!(INDEX.contains("type=\"importmap\""));
        for f in ["main.js", "dashboard.js", "styles.css"] {
            assert!(APP.get_file(f).is_some(), "{f}");
        }
        for f in ["preact.mjs", "preact-hooks.mjs", "htm.mjs", "htm-preact.mjs"] {
            assert!(VENDOR.get_file(f).is_some(), "{f}");
        }
        assert!(csp().contains("'sha256-"), "{}", csp());
    }
}
