//! The record of what a session's start has done so far, kept on disk in
//! the session's root-only directory as it grows: what the teardown, or a
//! reclaim after the worker died, works from.

use super::files::read_small;
use super::protocol::WorkerSpec;
use serde::{Deserialize, Serialize};
use std::fs;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

/// What has been set up so far: the record the teardown works from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Progress {
    /// The session's directory was made.
    pub run_dir: bool,
    /// The session's cgroup was made.
    pub cgroup: bool,
    /// Xvnc's pid, once started.
    pub xvnc_pid: Option<i32>,
    /// The display number, once Xvnc reported it.
    pub display: Option<u32>,
    /// `pam_setcred(ESTABLISH_CRED)` succeeded.
    pub pam_credentials: bool,
    /// `pam_open_session` succeeded.
    pub pam_session: bool,
    /// `XDG_RUNTIME_DIR`, and whether the worker made it.
    pub runtime_dir: Option<(PathBuf, bool)>,
    /// The user's X authority file.
    pub user_xauth: Option<PathBuf>,
    /// The desktop leader's pid.
    pub desktop_pid: Option<i32>,
    /// The display's cookie (hex).
    pub cookie: Option<String>,
    /// The locale of the desktop's messages (`LC_ALL`, `LC_MESSAGES` or `LANG`).
    pub locale: Option<String>,
    /// The worker that made it: a restarted daemon that finds it gone
    /// stops waiting for a session that was still starting.
    pub worker_pid: Option<i32>,
}

impl Progress {
    /// Writes the progress record (atomically) so a reclaim can finish the job.
    pub(super) fn save(&self, spec: &WorkerSpec) {
        if !self.run_dir {
            return;
        }
        let path = spec.progress_file();
        let tmp = path.with_extension("tmp");
        // Root's alone: it holds the display's cookie, and the session
        // directory around it is traversable (0711) by every user.
        let written = serde_json::to_vec(self)
            .map_err(std::io::Error::other)
            .and_then(|b| {
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&tmp)?;
                f.set_permissions(fs::Permissions::from_mode(0o600))?;
                std::io::Write::write_all(&mut f, &b)
            })
            .and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            tracing::warn!(session = spec.id, "cannot record progress: {e}");
        }
    }

    /// The progress record a worker left for session `spec`, if any.
    #[must_use]
    pub fn recorded(spec: &WorkerSpec) -> Option<Progress> {
        read_small(&spec.progress_file(), 64 * 1024).and_then(|t| serde_json::from_str::<Progress>(&t).ok())
    }
}
