//! The files a session's worker makes and removes as root in places the
//! user can write to: never following a symlink, never blocking on a FIFO,
//! never reading more than a few kilobytes of what the user could replace.

use crate::error::{HostError, Result};
use crate::users::Account;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub(super) fn remove_if_there(path: &Path, problems: &mut Vec<String>, remove: fn(&Path) -> std::io::Result<()>) {
    match remove(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => problems.push(format!("cannot remove {}: {e}", path.display())),
    }
}

/// Reads at most `limit` bytes of a regular file without following a
/// symlink or blocking on a FIFO: for files a user could have replaced.
pub(super) fn read_small(path: &Path, limit: u64) -> Option<String> {
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    f.take(limit).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Makes `dir` (fresh), 0700 and the user's, without following a symlink.
pub(super) fn make_private_dir(dir: &Path, account: &Account) -> Result<()> {
    fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(HostError::io("create", dir))?;
    let handle = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(dir)
        .map_err(HostError::io("open", dir))?;
    handle
        .set_permissions(fs::Permissions::from_mode(0o700))
        .map_err(HostError::io("chmod", dir))?;
    std::os::unix::fs::fchown(&handle, Some(account.uid), Some(account.gid)).map_err(HostError::io("chown", dir))
}

/// Whether `dir` is a mount point (its device differs from its parent's).
pub(super) fn is_mount_point(dir: &Path) -> bool {
    let (Ok(d), Some(Ok(p))) = (fs::symlink_metadata(dir), dir.parent().map(fs::metadata)) else {
        return false;
    };
    d.dev() != p.dev()
}

/// `XDG_RUNTIME_DIR`: `/run/user/<uid>`, the user's if it exists already
/// (another login made it), else made 0700 for the user here. Returns the
/// path and whether we made it.
pub(super) fn ensure_runtime_dir(account: &Account) -> Result<(PathBuf, bool)> {
    let dir = PathBuf::from(format!("/run/user/{}", account.uid));
    if let Ok(meta) = fs::symlink_metadata(&dir) {
        if meta.is_dir() && meta.uid() == account.uid {
            return Ok((dir, false));
        }
        return Err(HostError::UnusableAccount {
            user: account.name.clone(),
            why: format!("{} exists but is not the user's directory", dir.display()),
        });
    }
    let parent = Path::new("/run/user");
    if !parent.exists() {
        fs::DirBuilder::new()
            .mode(0o755)
            .create(parent)
            .map_err(HostError::io("create", parent))?;
    }
    make_private_dir(&dir, account)?;
    Ok((dir, true))
}

/// An X server killed hard leaves its lock file and socket; remove them if
/// they are this session's server's. Xvnc runs as the user, so the lock is
/// read like any file the user could have replaced.
pub(super) fn remove_stale_x_files(display: u32, xvnc_pid: i32, uid: u32) {
    let lock = PathBuf::from(format!("/tmp/.X{display}-lock"));
    let owned = fs::symlink_metadata(&lock).is_ok_and(|m| m.is_file() && m.uid() == uid);
    let pid = read_small(&lock, 32).and_then(|t| t.trim().parse::<i32>().ok());
    if owned && pid == Some(xvnc_pid) {
        let _ = fs::remove_file(&lock);
        let _ = fs::remove_file(podium_x11::x_socket(display));
    }
}
