//! Every JSON body the API reads, parsed exactly the way the server does
//! (`JsonBody`, axum's JSON extractor behind it, the same error mapping),
//! then checked the way the host checks it before acting. Whatever the
//! bytes: a 4xx, never a panic or a 5xx; and a body that is accepted obeys
//! the documented limits and reads back the same once written (the CLI
//! sends these same types).
#![no_main]

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Request, header};
use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use podium_core::CoreError;
use podium_core::limits::{MAX_COMMAND_LEN, MAX_GRACE_SECONDS, MAX_MESSAGE_LEN, MAX_PASSWORD_LEN};
use podium_core::request::is_login_name;
use podium_core::{
    BlockRequest, LoginRequest, LogoffRequest, MessageRequest, StartRequest, Targets, TargetsRequest, UnlockRequest,
};
use podium_server::error::AppError;
use podium_server::json::JsonBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// The body as the route's `JsonBody<T>` extractor sees it.
fn extract<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/sessions/logoff")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(data.to_vec()))
        .expect("a request with a fixed head");
    let mut future = std::pin::pin!(JsonBody::<T>::from_request(request, &()));
    // The body is in memory: the extractor finishes at its first poll.
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(JsonBody(value))) => Some(value),
        Poll::Ready(Err(e)) => {
            refused(e);
            None
        }
        Poll::Pending => panic!("reading a body held in memory waited"),
    }
}

/// A refusal is the client's fault, and said so with a 4xx.
fn refused(e: AppError) {
    let status = e.into_response().status();
    assert!(status.is_client_error(), "a bad body answered {status}");
}

/// What the host refuses (`CoreError`) is a 4xx too.
fn invalid(e: CoreError) {
    refused(AppError::from(e));
}

/// Written out as JSON (what the CLI sends), the body reads back the same.
fn reads_back<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_vec(value).expect("request bodies serialize");
    let back = extract::<T>(&json).unwrap_or_else(|| panic!("{value:?} written as {json:?} is refused"));
    assert_eq!(&back, value);
}

/// The documented meaning of `sessions` and `all`.
fn check_targets(targets: &Targets, sessions: &[u32], all: bool) {
    match targets {
        Targets::All => assert!(all && sessions.is_empty()),
        Targets::Ids(ids) => {
            assert!(!all && !ids.is_empty());
            let mut seen = std::collections::BTreeSet::new();
            assert!(ids.iter().all(|id| seen.insert(*id)), "ids repeat: {ids:?}");
            assert!(ids.iter().all(|id| sessions.contains(id)));
            assert!(sessions.iter().all(|id| ids.contains(id)));
        }
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fuzz_target!(|data: &[u8]| {
    if let Some(r) = extract::<LogoffRequest>(data) {
        match r.targets() {
            Ok(t) => {
                check_targets(&t, &r.sessions, r.all);
                assert!(r.grace_seconds.is_none_or(|g| g <= MAX_GRACE_SECONDS));
            }
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
    if let Some(r) = extract::<TargetsRequest>(data) {
        match r.targets() {
            Ok(t) => check_targets(&t, &r.sessions, r.all),
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
    if let Some(r) = extract::<BlockRequest>(data) {
        match r.targets() {
            Ok(t) => {
                check_targets(&t, &r.sessions, r.all);
                assert!(chars(r.message.as_deref().unwrap_or("")) <= MAX_MESSAGE_LEN);
                if let Some(m) = r.custom_message() {
                    assert!(!m.is_empty() && m == m.trim() && chars(&m) <= MAX_MESSAGE_LEN);
                }
            }
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
    if let Some(r) = extract::<MessageRequest>(data) {
        match r.targets() {
            Ok(t) => {
                check_targets(&t, &r.sessions, r.all);
                assert!(!r.text.trim().is_empty() && chars(&r.text) <= MAX_MESSAGE_LEN);
            }
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
    if let Some(r) = extract::<StartRequest>(data) {
        match r.validate() {
            Ok(()) => {
                assert!(is_login_name(&r.user) && r.user.len() <= 32);
                assert!(r.user.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
                if let Some(c) = &r.command {
                    assert!(!c.trim().is_empty() && c.len() <= MAX_COMMAND_LEN && !c.contains('\0'));
                    // What the host does next with an accepted command:
                    // split it and look for its program (a refusal is fine).
                    if let Ok((program, argv)) = podium_host::host::start::resolve_command(c) {
                        assert!(!argv.is_empty() && program.is_file());
                    }
                }
            }
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
    if let Some(r) = extract::<LoginRequest>(data) {
        match r.validate() {
            Ok(()) => {
                assert!(is_login_name(&r.username));
                assert!((1..=MAX_PASSWORD_LEN).contains(&chars(&r.password)));
            }
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
    if let Some(r) = extract::<UnlockRequest>(data) {
        match r.validate() {
            Ok(()) => assert!((1..=MAX_PASSWORD_LEN).contains(&chars(&r.password))),
            Err(e) => invalid(e),
        }
        reads_back(&r);
    }
});
