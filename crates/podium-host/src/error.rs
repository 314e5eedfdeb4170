//! The one error type of the host crate.

use podium_core::SessionId;
use std::path::PathBuf;

/// What can go wrong making, watching or ending sessions on the host.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// A file or directory operation failed.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done ("create cgroup", "write") …
        what: &'static str,
        /// … to which path.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// No cgroup v2 hierarchy is mounted.
    #[error(
        "no cgroup v2 hierarchy is mounted (looked in /proc/self/mountinfo); Podium needs cgroup v2 to contain sessions"
    )]
    NoCgroup2,
    /// The user account does not exist.
    #[error("no such user: {0}")]
    UnknownUser(String),
    /// The account exists but cannot have a session.
    #[error("user {user} cannot have a session: {why}")]
    UnusableAccount {
        /// Login name.
        user: String,
        /// Why, e.g. "home directory /home/x does not exist".
        why: String,
    },
    /// The desktop command cannot be run.
    #[error("desktop command {command:?}: {why}")]
    BadCommand {
        /// The command as given.
        command: String,
        /// Why it cannot run.
        why: String,
    },
    /// The user has a session already.
    #[error("user {user} already has session {id}")]
    AlreadyRunning {
        /// Login name.
        user: String,
        /// The existing session.
        id: SessionId,
    },
    /// The session worker could not start the session.
    #[error("session could not start: {0}")]
    StartFailed(String),
    /// Talking to a session worker failed.
    #[error("session {id} worker: {message}")]
    Worker {
        /// The session.
        id: SessionId,
        /// What went wrong.
        message: String,
    },
    /// A message to or from a worker was not understood.
    #[error("malformed worker message: {0}")]
    Protocol(String),
    /// The registry database failed.
    #[error("registry {}: {source}", path.display())]
    Registry {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A PAM call failed.
    #[error(transparent)]
    Pam(#[from] crate::sys::pam::PamError),
    /// A process could not be started.
    #[error(transparent)]
    Spawn(#[from] crate::sys::spawn::SpawnError),
    /// A system call failed.
    #[error("{what}: {source}")]
    Sys {
        /// The call, in words.
        what: &'static str,
        /// errno.
        source: nix::Error,
    },
    /// The caller has no (running) session.
    #[error("no running session")]
    NoSuchSession,
    /// No such message is waiting on the caller's session.
    #[error("no message {0} is waiting")]
    NoSuchMessage(u64),
    /// The station is locked: the password must be given first.
    #[error("the station is locked")]
    Locked,
    /// The permission rule refused the request.
    #[error("{0}")]
    Refused(podium_core::Refusal),
    /// The request is malformed.
    #[error(transparent)]
    Invalid(#[from] podium_core::RequestError),
    /// An X11 request failed.
    #[error("display {display}: {message}")]
    X11 {
        /// The display, e.g. `:3`.
        display: String,
        /// What went wrong.
        message: String,
    },
}

impl HostError {
    /// An I/O error with the path and the operation it concerned.
    pub fn io(what: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> HostError {
        let path = path.into();
        move |source| HostError::Io { what, path, source }
    }

    /// A failed system call.
    pub fn sys(what: &'static str) -> impl FnOnce(nix::Error) -> HostError {
        move |source| HostError::Sys { what, source }
    }
}

/// Results of this crate.
pub type Result<T, E = HostError> = std::result::Result<T, E>;

impl HostError {
    /// Whether this failed because the disk holding the state directory is
    /// full (or out of inodes): something the administrator must fix, worth
    /// saying plainly to whoever asked.
    #[must_use]
    pub fn is_disk_full(&self) -> bool {
        match self {
            HostError::Registry { source, .. } => {
                matches!(source.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull))
            }
            HostError::Io { source, .. } => source.raw_os_error() == Some(libc::ENOSPC),
            _ => false,
        }
    }
}
