//! Collecting exited processes. Both the daemon and each worker are child
//! subreapers: processes a session orphans (double forks, `nohup`) are
//! re-parented to them rather than to PID 1, which may not reap at all
//! (containers, some CI machines). Whoever is a subreaper must reap.

use crate::error::Result;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use std::time::Duration;

/// Reaps every exited child without blocking; returns their pids.
pub fn reap() -> Vec<i32> {
    let mut pids = Vec::new();
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(_) => return pids,
            Ok(status) => {
                if let Some(pid) = status.pid() {
                    pids.push(pid.as_raw());
                }
            }
        }
    }
}

/// Makes this process the reaper of its orphaned descendants.
///
/// # Errors
/// When the kernel refuses (it never does on Linux ≥ 3.4).
pub fn become_subreaper() -> Result<()> {
    nix::sys::prctl::set_child_subreaper(true).map_err(crate::error::HostError::sys("PR_SET_CHILD_SUBREAPER"))
}

/// The daemon's reaping loop: on every SIGCHLD, and every few seconds in
/// case signals were merged. Nothing else in the daemon may `wait`.
pub async fn reap_forever() {
    let mut sigchld = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::error!("cannot watch SIGCHLD ({e}); reaping every second instead");
            None
        }
    };
    loop {
        for pid in reap() {
            tracing::debug!(pid, "reaped");
        }
        match sigchld.as_mut() {
            Some(s) => {
                tokio::select! {
                    _ = s.recv() => {}
                    () = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
            None => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}
