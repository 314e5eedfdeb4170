//! A pupil's login on a host of a school's cluster: shown here, or handed
//! to the host that runs their desktop, or to the one with the most room
//! (`podium_cluster::placement` chooses); and this host's own admission of
//! a new desktop, which has the last word whoever chose it.
//!
//! Dashboard users and administrators are never handed off: they log in
//! where they are, and are admitted there.

use crate::error::AppError;
use crate::state::AppState;
use podium_cluster::{Here, Node, Placement};
use podium_core::{Caller, ErrorCode, Handoff, Role};

/// Where a standard user's station login goes: `None` for this host,
/// or the hand-off to another host, with its one-time login.
///
/// # Errors
/// 503 naming the host when the user's session runs on a host that cannot
/// be reached now: they get no second session elsewhere.
pub(crate) fn handoff(s: &AppState, caller: &Caller) -> Result<Option<Handoff>, AppError> {
    let Some(node) = &s.cluster else {
        return Ok(None);
    };
    if caller.role != Role::Standard || s.host.own_session(caller).is_some() {
        return Ok(None);
    }
    let here = Here {
        host: node.host().to_owned(),
        sessions: u32::try_from(s.host.all_sessions().len()).unwrap_or(u32::MAX),
        capacity: s.host.config().cluster.capacity,
    };
    let directory = node.directory();
    match podium_cluster::placement::place(&here, &directory.hosts(), &directory.sessions(), &caller.user) {
        Placement::Here => Ok(None),
        Placement::Handoff {
            host,
            address,
            existing,
        } => {
            let token = node
                .sign_handoff(&host, &caller.user)
                .map_err(|e| AppError::internal(&e))?;
            tracing::info!(user = %caller.user, to = %host, existing, "login handed to another host");
            Ok(Some(Handoff {
                url: format!("{address}/api/v1/auth/handoff?token={token}"),
                host,
            }))
        }
        Placement::Unreachable { host } => Err(unreachable(&host)),
    }
}

/// The user's desktop is on `host`, which cannot be reached now.
fn unreachable(host: &str) -> AppError {
    AppError::new(
        ErrorCode::Unavailable,
        format!(
            "your desktop is on host {host}, which cannot be reached now; try again in a moment or ask your teacher"
        ),
    )
    .about_host(host)
}

/// Whether this host takes a new desktop for `caller`, a standard user
/// on a host of a school's cluster: not when another host runs their
/// session (never a second one), nor when this host is full.
///
/// # Errors
/// 409 naming the host of their session; 503 naming this host when it
/// already runs `[cluster] capacity` sessions.
pub(crate) fn admit(s: &AppState, caller: &Caller) -> Result<(), AppError> {
    let Some(node) = &s.cluster else {
        return Ok(());
    };
    if caller.role != Role::Standard {
        return Ok(());
    }
    if let Some(host) = elsewhere(node, &caller.user) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("your desktop runs on host {host}; log in again to be taken there"),
        )
        .about_host(host));
    }
    let capacity = s.host.config().cluster.capacity;
    let running = s.host.all_sessions().len();
    if running >= usize::try_from(capacity).unwrap_or(usize::MAX) {
        tracing::warn!(user = %caller.user, running, capacity, "host full: a new desktop refused");
        return Err(AppError::new(
            ErrorCode::Unavailable,
            format!(
                "host {} is full ({running} of {capacity} sessions); try again in a moment or ask your teacher",
                node.host()
            ),
        )
        .about_host(node.host()));
    }
    Ok(())
}

/// Another host that runs a session of `user`, as the directory knows.
fn elsewhere(node: &Node, user: &str) -> Option<String> {
    node.directory()
        .sessions()
        .into_iter()
        .find(|(host, s)| s.user == user && host != node.host())
        .map(|(host, _)| host)
}
