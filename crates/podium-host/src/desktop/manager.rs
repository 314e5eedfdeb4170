//! The session's own session manager (xfce4-session, gnome-session,
//! ksmserver …), asked over XSMP to log the session out the way its own
//! log-out does: every application it manages saves and quits, and the
//! desktop ends itself.
//!
//! The manager is a process of the session's desktop, of the session's
//! user, listening on `/tmp/.ICE-unix/<pid>` (and on the abstract socket of
//! the same name, which Podium uses). The daemon connects with the user's
//! own ICE cookie, after checking that the listener is that process
//! (`SO_PEERCRED`); the cookie file is opened without following links and
//! used only when it is the user's own regular file, since its path is in
//! a directory the user controls.

use super::procs;
use super::socket::{self, Address};
use crate::cgroup::{Part, SessionCgroup};
use crate::error::{HostError, Result};
use crate::users::Account;
use podium_xsmp::{Client, IceSocket, LogoutOutcome, MAX_AUTHORITY};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How the program is named in messages.
const PROGRAM: &str = "the session manager";
/// Where ICE listeners put their sockets.
const ICE_DIR: &str = "/tmp/.ICE-unix";
/// A manager still starting drops a client that asks it to log out; how
/// long to wait before asking again.
const RETRY: Duration = Duration::from_millis(300);

/// What the session manager did when asked.
#[derive(Debug, PartialEq, Eq)]
pub enum Asked {
    /// The session has no session manager.
    NoManager,
    /// It logged the session out and has exited.
    LoggedOut {
        /// Its process.
        pid: i32,
        /// How it was asked.
        route: Route,
    },
    /// An application refused the log out (the manager said "cancelled").
    Cancelled {
        /// Its process.
        pid: i32,
    },
}

/// How the session manager was asked to log out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Over XSMP, as one of its clients.
    Xsmp,
    /// With the desktop's own log-out call on the session's D-Bus, after
    /// XSMP did not work.
    DBus,
}

impl Route {
    /// As the log names it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Route::Xsmp => "XSMP",
            Route::DBus => "D-Bus",
        }
    }
}

/// The session manager of the session's desktop: a process of `uid` in
/// the desktop's cgroup with an ICE socket named after it.
#[must_use]
pub fn find(cgroup: &SessionCgroup, uid: u32) -> Option<i32> {
    cgroup.pids(Part::Desktop).into_iter().find(|pid| {
        let path = Path::new(ICE_DIR).join(pid.to_string());
        std::fs::symlink_metadata(&path).is_ok_and(|m| m.uid() == uid) && procs::real_uid(*pid) == Some(uid)
    })
}

/// Asks the session manager of the session, if it has one, to log out:
/// over XSMP first (a global shutdown save, no interaction, fast: no
/// dialog), for at most half of `patience`; if that does not work, with
/// the desktop's own D-Bus call ([`super::bus`]). Then waits for it to
/// exit. All within `patience`.
///
/// # Errors
/// [`HostError::DesktopProgram`] when neither way works, saying why for each.
pub fn log_out(cgroup: &SessionCgroup, account: &Account, patience: Duration) -> Result<Asked> {
    let Some(pid) = find(cgroup, account.uid) else {
        return Ok(Asked::NoManager);
    };
    let start = Instant::now();
    let xsmp = match over_xsmp(pid, account, start + patience / 2, start + patience) {
        Ok(asked) => return Ok(asked),
        Err(e) => why(e),
    };
    if !procs::running(pid) {
        return Err(HostError::DesktopProgram {
            program: PROGRAM,
            pid,
            why: xsmp,
        });
    }
    tracing::info!(
        pid,
        "the session manager did not take the request over XSMP ({xsmp}); asking over D-Bus"
    );
    match super::bus::log_out(cgroup, account, pid, start + patience) {
        Ok(()) => Ok(Asked::LoggedOut {
            pid,
            route: Route::DBus,
        }),
        Err(e) => Err(HostError::DesktopProgram {
            program: PROGRAM,
            pid,
            why: format!("over XSMP: {xsmp}; over D-Bus: {}", why(e)),
        }),
    }
}

/// What went wrong, without the program's name (the caller names it once).
fn why(e: HostError) -> String {
    match e {
        HostError::DesktopProgram { why, .. } => why,
        e => e.to_string(),
    }
}

/// The XSMP request to manager `pid`: taken by `asked_by`, followed
/// through (the manager gone) by `until`.
fn over_xsmp(pid: i32, account: &Account, asked_by: Instant, until: Instant) -> Result<Asked> {
    let uid = account.uid;
    let fail = |why: String| HostError::DesktopProgram {
        program: PROGRAM,
        pid,
        why,
    };
    let authority = read_authority(&authority_path(pid, &account.home), uid, pid)?;
    let manager = u32::try_from(pid).map_err(|_| fail("a negative pid".into()))?;
    let cookies =
        podium_xsmp::cookies_for(&authority, manager, IceSocket::Abstract).map_err(|e| fail(e.to_string()))?;
    let address = Address::Abstract(IceSocket::Abstract.address(manager).trim_start_matches('@').to_owned());
    loop {
        let left = asked_by.saturating_duration_since(Instant::now());
        if left < RETRY {
            return Err(fail("did not take the request in time".into()));
        }
        let stream = socket::connect(PROGRAM, pid, uid, &address, left)?;
        let outcome = Client::register(stream, &cookies, left).and_then(|c| c.request_logout(left));
        match outcome {
            Ok(LogoutOutcome::Cancelled) => return Ok(Asked::Cancelled { pid }),
            Ok(LogoutOutcome::Died | LogoutOutcome::ManagerClosed) => {
                if !procs::wait_gone(pid, until) {
                    return Err(fail("logged out, but has not exited".into()));
                }
                return Ok(Asked::LoggedOut {
                    pid,
                    route: Route::Xsmp,
                });
            }
            // Still starting, or busy with another save: ask again.
            Err(podium_xsmp::XsmpError::Dropped) if Instant::now() + RETRY < asked_by => std::thread::sleep(RETRY),
            Err(e) => return Err(fail(e.to_string())),
        }
    }
}

/// The user's ICE authority file, where libICE looks for it with the
/// manager's environment: `ICEAUTHORITY`, else `ICEauthority` in
/// `XDG_RUNTIME_DIR` (a Podium session has one), else `~/.ICEauthority`.
fn authority_path(pid: i32, home: &Path) -> PathBuf {
    choose_authority(&procs::environ(pid), home)
}

fn choose_authority(environ: &[u8], home: &Path) -> PathBuf {
    let var = |name: &str| {
        procs::var(environ, name)
            .filter(|v| v.starts_with('/'))
            .map(PathBuf::from)
    };
    var("ICEAUTHORITY")
        .or_else(|| var("XDG_RUNTIME_DIR").map(|d| d.join("ICEauthority")))
        .unwrap_or_else(|| home.join(".ICEauthority"))
}

/// Reads the user's cookie file as root without being fooled: no symbolic
/// link followed, only a regular file the user owns, at most
/// [`MAX_AUTHORITY`] bytes (for the manager `pid`'s errors).
fn read_authority(path: &Path, uid: u32, pid: i32) -> Result<Vec<u8>> {
    let fail = |why: String| HostError::DesktopProgram {
        program: PROGRAM,
        pid,
        why,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| fail(format!("cannot open {}: {e}", path.display())))?;
    let meta = file
        .metadata()
        .map_err(|e| fail(format!("cannot look at {}: {e}", path.display())))?;
    if !meta.file_type().is_file() || meta.uid() != uid {
        return Err(fail(format!("{} is not the user's own file", path.display())));
    }
    let mut bytes = Vec::new();
    file.take(MAX_AUTHORITY as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() > MAX_AUTHORITY {
        return Err(fail(format!("{} is larger than {MAX_AUTHORITY} bytes", path.display())));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("podium-manager-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    #[test]
    fn reads_only_the_users_own_regular_file() {
        let dir = scratch("own");
        let me = nix::unistd::getuid().as_raw();
        let file = dir.join("ICEauthority");
        std::fs::write(&file, b"cookie").expect("write");
        let read = |path: &Path, uid: u32| read_authority(path, uid, 7).map_err(|e| e.to_string());
        assert_eq!(read(&file, me), Ok(b"cookie".to_vec()));
        let other = read(&file, me + 1);
        assert!(other.is_err_and(|e| e.contains("not the user's own file") && e.contains("process 7")));
        let link = dir.join("link");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        assert!(read(&link, me).is_err(), "a symbolic link is not followed");
        assert!(read(&dir, me).is_err(), "a directory is not a cookie file");
        std::fs::write(&file, vec![0u8; MAX_AUTHORITY + 1]).expect("write");
        assert!(read(&file, me).is_err_and(|e| e.contains("larger")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_cookie_file_is_where_libice_looks() {
        let home = Path::new("/home/pupil");
        assert_eq!(
            choose_authority(b"HOME=/home/pupil\0XDG_RUNTIME_DIR=/run/user/1001\0", home),
            PathBuf::from("/run/user/1001/ICEauthority")
        );
        assert_eq!(
            choose_authority(b"XDG_RUNTIME_DIR=/run/user/1001\0ICEAUTHORITY=/tmp/ice\0", home),
            PathBuf::from("/tmp/ice")
        );
        assert_eq!(choose_authority(b"HOME=/x\0", home), home.join(".ICEauthority"));
        assert_eq!(
            choose_authority(b"XDG_RUNTIME_DIR=\0ICEAUTHORITY=relative\0", home),
            home.join(".ICEauthority"),
            "empty or relative values are not used"
        );
        assert_eq!(choose_authority(b"", home), home.join(".ICEauthority"));
    }
}
