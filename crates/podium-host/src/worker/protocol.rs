//! What the daemon and a session worker say to each other.
//!
//! The daemon starts a worker with a [`WorkerSpec`] on its stdin and reads
//! one [`StartReport`] line from its stdout. Afterwards they talk over the
//! worker's Unix socket (`<run dir>/session-<id>/worker.sock`, root only),
//! one JSON object per line: the daemon sends [`Request`]s, the worker
//! answers [`Reply`]s and, once, announces the end of the session with
//! [`Reply::Ended`]. A daemon that restarts reconnects to the same socket.

use crate::cgroup::SessionCgroup;
use podium_core::{EndKind, SessionId, Timestamp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The most a single protocol line may hold; longer input is refused.
pub const MAX_LINE: usize = 64 * 1024;

/// Everything a worker needs to make one session real.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSpec {
    /// The session's id.
    pub id: SessionId,
    /// Login name.
    pub user: String,
    /// User id.
    pub uid: u32,
    /// Primary group.
    pub gid: u32,
    /// Home directory (the desktop's working directory).
    pub home: PathBuf,
    /// Login shell (`SHELL`).
    pub shell: PathBuf,
    /// Absolute path of the desktop program.
    pub program: PathBuf,
    /// The desktop's argv, argv\[0\] included.
    pub argv: Vec<String>,
    /// `PATH` for the session.
    pub path_env: String,
    /// Screen size, `WIDTHxHEIGHT`.
    pub geometry: String,
    /// PAM service.
    pub pam_service: String,
    /// The Xvnc binary.
    pub xvnc: PathBuf,
    /// The session's private directory (VNC socket, X authority, worker socket).
    pub run_dir: PathBuf,
    /// The session's cgroup.
    pub cgroup: SessionCgroup,
    /// Limit on the session's processes (cgroup `pids.max`).
    pub max_processes: u32,
    /// Time programs get to quit when the session ends without a log off
    /// (the desktop exited, the worker was stopped).
    pub terminate_timeout_ms: u64,
    /// Title of the VNC desktop.
    pub desktop_name: String,
    /// Where the worker leaves its [`EndReport`] for a daemon that was not there.
    pub ended_dir: PathBuf,
    /// The user's own locale, over the PAM environment's
    /// ([`crate::locale`] says whose choice it is).
    #[serde(default)]
    pub locale: Option<String>,
    /// Whether a station may give the desktop its own size (RFB
    /// `SetDesktopSize`, which Xvnc accepts by default). Sessions recorded
    /// before the setting existed did follow.
    #[serde(default = "follows")]
    pub follow_station_size: bool,
}

fn follows() -> bool {
    true
}

impl WorkerSpec {
    /// The worker's control socket.
    #[must_use]
    pub fn socket(&self) -> PathBuf {
        self.run_dir.join("worker.sock")
    }

    /// The directory of the session's display server, which runs as the
    /// user: its X authority file and VNC socket, the user's alone.
    #[must_use]
    pub fn display_dir(&self) -> PathBuf {
        self.run_dir.join("display")
    }

    /// The session's VNC socket (made by Xvnc, the user's, 0600).
    #[must_use]
    pub fn vnc_socket(&self) -> PathBuf {
        self.display_dir().join("vnc.sock")
    }

    /// Xvnc's X authority file (`-auth`).
    #[must_use]
    pub fn display_xauth(&self) -> PathBuf {
        self.display_dir().join("xauth")
    }

    /// The worker's record of what it has set up, for a reclaim.
    #[must_use]
    pub fn progress_file(&self) -> PathBuf {
        self.run_dir.join("progress.json")
    }

    /// Where the end report of session `id` is written.
    #[must_use]
    pub fn ended_file(ended_dir: &Path, id: SessionId) -> PathBuf {
        ended_dir.join(format!("session-{id}.json"))
    }
}

/// The session as it runs, once started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Running {
    /// X display number.
    pub display: u32,
    /// The worker's pid.
    pub worker_pid: i32,
    /// Xvnc's pid.
    pub xvnc_pid: i32,
    /// The desktop command's pid.
    pub desktop_pid: i32,
    /// `XDG_RUNTIME_DIR`.
    pub runtime_dir: PathBuf,
    /// Whether the worker created it (and so removes it at the end).
    pub runtime_dir_created: bool,
    /// The user's X authority file.
    pub xauthority: PathBuf,
    /// The display's cookie, hex (the daemon's X connections use it).
    pub cookie: String,
    /// The locale of the desktop's messages, for notices in the user's language.
    #[serde(default)]
    pub locale: Option<String>,
}

/// The one line a worker prints on stdout after trying to start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StartReport {
    /// The session runs.
    Ready(Running),
    /// It could not start; everything made on the way was undone.
    Failed {
        /// What went wrong, for the person who asked.
        message: String,
    },
}

/// Daemon → worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Ask how the session is.
    Status,
    /// End the session: SIGTERM to every program, wait up to `timeout_ms`
    /// for them to go, kill what is left, stop the display, close PAM,
    /// remove the session's files.
    Terminate {
        /// Time the programs get before the kill.
        timeout_ms: u64,
    },
    /// A log off is closing the desktop's programs: if the desktop command
    /// exits meanwhile (a session manager does once it has logged out), do
    /// not end the session yet — the applications still running get their
    /// `WM_DELETE_WINDOW` and SIGTERM first. The hold lasts until a
    /// [`Request::Terminate`], or `for_ms` at most, should the daemon go.
    Hold {
        /// How long to wait for the daemon's `Terminate`.
        for_ms: u64,
    },
    /// Open…: start `program` (an absolute path) with `argv` (argv\[0\]
    /// included) as the session's user, in the desktop's cgroup, with the
    /// desktop's environment. Answered on the same connection with
    /// [`Reply::Launched`] or [`Reply::LaunchFailed`].
    Launch {
        /// The program's absolute path.
        program: PathBuf,
        /// Its arguments, argv\[0\] included.
        argv: Vec<String>,
    },
}

/// Worker → daemon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    /// The answer to [`Request::Status`].
    Status {
        /// The running session.
        running: Running,
        /// Whether it is being ended.
        ending: bool,
    },
    /// The session is over; the worker exits after sending this.
    Ended(EndReport),
    /// The answer to [`Request::Launch`]: the program runs (it has been
    /// `exec`uted) with this pid.
    Launched {
        /// The new process.
        pid: i32,
    },
    /// The answer to [`Request::Launch`]: it could not be started, and why.
    LaunchFailed {
        /// What went wrong, for the person who asked.
        why: String,
    },
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndCause {
    /// The daemon asked (a log off).
    Terminated,
    /// The desktop command exited (the user logged out from inside).
    DesktopExited,
    /// The X server died.
    DisplayDied,
    /// The worker was told to stop by a signal (system shutdown).
    WorkerStopped,
    /// The worker died; the daemon cleaned up after it.
    WorkerDied,
    /// The session never ran: its start failed while no daemon was there
    /// to hear it (the problem says why).
    StartFailed,
}

impl EndCause {
    /// In words, for the audit log.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            EndCause::Terminated => "logged off",
            EndCause::DesktopExited => "desktop program exited",
            EndCause::DisplayDied => "display server died",
            EndCause::WorkerStopped => "session worker was stopped",
            EndCause::WorkerDied => "session worker died",
            EndCause::StartFailed => "session did not start",
        }
    }
}

/// How a session ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndReport {
    /// The session.
    pub id: SessionId,
    /// Closed, forced or failed.
    pub end: EndKind,
    /// What started the end.
    pub cause: EndCause,
    /// What went wrong, when something did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The desktop's processes killed at the terminate timeout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub killed: Vec<i32>,
    /// When the last step finished.
    pub finished_at: Timestamp,
}

/// What the daemon gives a reclaiming worker: a session whose worker died.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReclaimSpec {
    /// How the session was made.
    pub spec: WorkerSpec,
    /// What it became, if it got that far.
    pub running: Option<Running>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_one_line_of_json() {
        let line = serde_json::to_string(&Request::Terminate { timeout_ms: 5000 }).expect("serializes");
        assert_eq!(line, r#"{"terminate":{"timeout_ms":5000}}"#);
        assert_eq!(
            serde_json::to_string(&Request::Status).expect("serializes"),
            r#""status""#
        );
        assert!(serde_json::from_str::<Request>(r#"{"terminate":{"timeout_ms":"x"}}"#).is_err());
    }

    #[test]
    fn a_launch_and_its_answers_are_one_line_each() {
        let launch = Request::Launch {
            program: PathBuf::from("/usr/bin/xdg-open"),
            argv: vec!["xdg-open".into(), "https://example.org/a b".into()],
        };
        let line = serde_json::to_string(&launch).expect("serializes");
        assert_eq!(
            line,
            r#"{"launch":{"program":"/usr/bin/xdg-open","argv":["xdg-open","https://example.org/a b"]}}"#
        );
        assert_eq!(serde_json::from_str::<Request>(&line).expect("parses"), launch);
        assert!(serde_json::from_str::<Request>(r#"{"launch":{"program":"/bin/sh","argv":[],"shell":true}}"#).is_err());
        assert_eq!(
            serde_json::to_string(&Reply::Launched { pid: 42 }).expect("serializes"),
            r#"{"launched":{"pid":42}}"#
        );
        assert_eq!(
            serde_json::to_string(&Reply::LaunchFailed { why: "no".into() }).expect("serializes"),
            r#"{"launch_failed":{"why":"no"}}"#
        );
    }
}
