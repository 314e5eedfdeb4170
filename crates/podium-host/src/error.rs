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
    /// Open…: the program asked for is not in the administrator's list.
    #[error("no program {name:?} is configured (the list: {})", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownProgram {
        /// The name asked for.
        name: String,
        /// The names the config lists.
        known: Vec<String>,
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
    /// The spec a worker was started with is not valid JSON of its kind.
    #[error("malformed session spec: {0}")]
    BadSpec(String),
    /// The registry database failed.
    #[error("registry {}: {}", path.display(), sqlite_words(sqlite))]
    Registry {
        /// The database file.
        path: PathBuf,
        /// SQLite's error (its words are in the message already: not a
        /// `source`, or they would be printed twice).
        sqlite: rusqlite::Error,
    },
    /// The registry cannot be written because of the file system it is on
    /// (read-only, or full): the administrator's to fix, said plainly.
    #[error("cannot write the registry {}: {why} (SQLite: {})", path.display(), sqlite_words(sqlite))]
    Storage {
        /// The database file.
        path: PathBuf,
        /// "the file system is read-only", "the disk is full".
        why: &'static str,
        /// Whether the disk is full.
        full: bool,
        /// SQLite's error.
        sqlite: rusqlite::Error,
    },
    /// A PAM call failed, or a process could not be started.
    #[error(transparent)]
    System(#[from] podium_sys::SysError),
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
    /// Project my desktop needs a desktop: the caller has no running
    /// session on this host.
    #[error("you have no desktop to project: open your own desktop on this host first")]
    NoDesktopToProject,
    /// Nothing is projected onto the caller's session.
    #[error("no desktop is projected onto your session")]
    NotProjected,
    /// The station is locked: the password must be given first.
    #[error("the station is locked")]
    Locked,
    /// The session is still starting: its display cannot be acted on yet.
    #[error("the session is still starting; try again in a moment")]
    StillStarting,
    /// The session has no display running (starting, or ending).
    #[error("the session's display is not running")]
    NoDisplay,
    /// The blocking task that talks to the display was lost.
    #[error("the desktop could not be reached: {0}")]
    Unreachable(String),
    /// The permission rule refused the request.
    #[error("{0}")]
    Refused(podium_core::Refusal),
    /// The request is malformed.
    #[error(transparent)]
    Invalid(#[from] podium_core::CoreError),
    /// An X11 request failed, or a display's cookie could not be handled.
    #[error(transparent)]
    X11(#[from] podium_x11::X11Error),
    /// One of the desktop's own programs (its session manager, LibreOffice)
    /// did not do what a log off asked of it; the log off goes on without.
    #[error("{program} (process {pid}): {why}")]
    DesktopProgram {
        /// The program, as a teacher would name it.
        program: &'static str,
        /// Its process.
        pid: i32,
        /// What went wrong.
        why: String,
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
            HostError::Registry { sqlite, .. } => {
                matches!(sqlite.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull))
            }
            HostError::Io { source, .. } => source.raw_os_error() == Some(libc::ENOSPC),
            HostError::Storage { full, .. } => *full,
            HostError::X11(e) => e.is_disk_full(),
            _ => false,
        }
    }

    /// What to tell whoever asked: [`DISK_FULL`] when the disk is full (the
    /// file names and SQLite's words are for the log), else the error.
    #[must_use]
    pub fn reason(&self) -> String {
        if self.is_disk_full() {
            DISK_FULL.to_owned()
        } else {
            self.to_string()
        }
    }
}

/// The reason given for anything refused because the host's disk is full.
pub const DISK_FULL: &str = "the host's disk is full: Podium cannot record anything until an administrator frees space";

/// SQLite's words for an error, once: rusqlite repeats its message and
/// then the code's own description ("disk I/O error: disk I/O error:
/// Error code 4874: disk I/O error").
fn sqlite_words(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(code, Some(message)) if message.as_str() != code.to_string() => message.clone(),
        rusqlite::Error::SqliteFailure(code, _) => match code.code {
            rusqlite::ErrorCode::Unknown => code.to_string(),
            _ => rusqlite::ffi::code_to_str(code.extended_code).to_owned(),
        },
        other => other.to_string(),
    }
}

/// The registry error for `source`, said plainly when the file system
/// under `dir` is read-only or full.
pub(crate) fn registry_error(path: &std::path::Path, dir: &std::path::Path, sqlite: rusqlite::Error) -> HostError {
    use nix::sys::statvfs::{FsFlags, statvfs};
    let path = path.to_path_buf();
    match statvfs(dir) {
        Ok(s) if s.flags().contains(FsFlags::ST_RDONLY) => HostError::Storage {
            path,
            why: "the file system is read-only",
            full: false,
            sqlite,
        },
        // Root may use the reserved blocks too: nearly nothing left, for root,
        // is full (SQLite needs room for its journal, not one block).
        Ok(s)
            if s.blocks_free().saturating_mul(s.fragment_size()) < 1 << 20
                || (s.files() > 0 && s.files_free() == 0) =>
        {
            HostError::Storage {
                path,
                why: "the disk is full",
                full: true,
                sqlite,
            }
        }
        _ => HostError::Registry { path, sqlite },
    }
}
