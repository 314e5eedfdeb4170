//! The shared socket directories of X and ICE, `/tmp/.X11-unix` and
//! `/tmp/.ICE-unix`, made root's before any session starts.
//!
//! Whoever creates such a directory owns it, and the owner of a sticky
//! directory may remove anything in it. Left to the first session, a pupil
//! would own it: they could remove another pupil's session-manager socket
//! and listen in its place, so that pupil's applications would talk to
//! theirs. On a systemd host `systemd-tmpfiles` makes them at boot
//! (`x11.conf`); without it, the daemon does the same, and puts right a
//! directory someone else made first.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The directories, as X and libICE name them.
pub const DIRS: [&str; 2] = ["/tmp/.X11-unix", "/tmp/.ICE-unix"];

/// World-writable and sticky, as X and libICE expect.
const MODE: u32 = 0o1777;

/// Makes each of [`DIRS`] a directory of root with mode 1777. A problem is
/// logged, not fatal: a session may still start, and the log says what to
/// put right.
pub fn ensure_all() {
    for dir in DIRS {
        match ensure(Path::new(dir), 0) {
            Ok(Fixed::Already) => {}
            Ok(Fixed::Made) => tracing::info!(dir, "created the shared socket directory"),
            Ok(Fixed::Owner(uid)) => {
                tracing::warn!(
                    dir,
                    uid,
                    "the shared socket directory belonged to a user; it is root's again"
                );
            }
            Ok(Fixed::Mode(mode)) => tracing::warn!(dir, "the shared socket directory had mode {mode:o}; now 1777"),
            Err(e) => tracing::error!(dir, "cannot make the shared socket directory safe: {e}"),
        }
    }
}

/// What [`ensure`] had to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Fixed {
    /// Nothing: the directory was right.
    Already,
    /// It did not exist.
    Made,
    /// It belonged to this uid.
    Owner(u32),
    /// Its mode was this.
    Mode(u32),
}

/// Makes `dir` a directory of `owner` with mode 1777, without following a
/// symbolic link put in its place.
///
/// # Errors
/// When `dir` is not a directory (a link, a file) or cannot be created or
/// changed; the error says which.
pub fn ensure(dir: &Path, owner: u32) -> std::io::Result<Fixed> {
    let made = match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(e) => return Err(e),
    };
    // Opened without following links: the changes below apply to the
    // directory itself, whatever is renamed meanwhile.
    let handle = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("not a directory of its own ({e})")))?;
    let meta = handle.metadata()?;
    let mut fixed = if made { Fixed::Made } else { Fixed::Already };
    // Root's directory is root's group's too.
    let group = (owner == 0).then_some(0);
    if meta.uid() != owner || group.is_some_and(|g| meta.gid() != g) {
        std::os::unix::fs::fchown(&handle, Some(owner), group)?;
        if !made {
            fixed = Fixed::Owner(meta.uid());
        }
    }
    let mode = meta.mode() & 0o7777;
    if mode != MODE {
        handle.set_permissions(std::fs::Permissions::from_mode(MODE))?;
        if fixed == Fixed::Already {
            fixed = Fixed::Mode(mode);
        }
    }
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("podium-socket-dirs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    #[test]
    fn makes_and_puts_right_the_directory() {
        let me = nix::unistd::getuid().as_raw();
        let base = scratch("fix");
        let dir = base.join(".ICE-unix");
        assert_eq!(ensure(&dir, me).expect("made"), Fixed::Made);
        let meta = std::fs::metadata(&dir).expect("exists");
        assert_eq!(meta.mode() & 0o7777, 0o1777);
        assert_eq!(ensure(&dir, me).expect("again"), Fixed::Already);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(ensure(&dir, me).expect("mode"), Fixed::Mode(0o755));
        if me == 0 {
            std::os::unix::fs::chown(&dir, Some(4242), None).expect("chown");
            assert_eq!(ensure(&dir, 0).expect("owner"), Fixed::Owner(4242));
            assert_eq!(std::fs::metadata(&dir).expect("exists").uid(), 0);
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn a_link_or_a_file_in_its_place_is_refused_and_left_alone() {
        let me = nix::unistd::getuid().as_raw();
        let base = scratch("link");
        let target = base.join("elsewhere");
        std::fs::create_dir(&target).expect("target");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let link = base.join(".X11-unix");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let e = ensure(&link, me).expect_err("a link is refused");
        assert!(e.to_string().contains("not a directory of its own"), "{e}");
        let mode = std::fs::metadata(&target).expect("target").mode() & 0o7777;
        assert_eq!(mode, 0o700, "the link's target is untouched");
        let file = base.join(".ICE-unix");
        std::fs::write(&file, b"").expect("file");
        assert!(ensure(&file, me).is_err(), "a file is refused");
        let _ = std::fs::remove_dir_all(&base);
    }
}
