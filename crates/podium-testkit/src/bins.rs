//! The workspace's programs where the tests' users can run them.
//!
//! Test users run the CLI (`setpriv … podium`) and the test X client inside
//! their sessions. The build leaves them in the clone's `target/`, which a
//! user can reach only if every directory above it is searchable by others:
//! a clone in `/root` (0700) or in a `mktemp -d` directory is not. So the
//! tests run them from a root-owned, world-searchable directory instead,
//! one per build of each program (hard links where the file system allows,
//! copies otherwise), and never depend on where the clone is.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where the reachable programs live; `make clean-test-leftovers` empties it.
pub const BIN_CACHE: &str = "/var/tmp/podium-test-bin";

/// A path to `program` (a file of the build) that every user can execute.
///
/// # Panics
/// When the program is missing or cannot be placed (a test set-up error).
#[must_use]
pub fn reachable(program: &Path) -> PathBuf {
    let meta = std::fs::metadata(program).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): build the workspace first (`make test` does)",
            program.display()
        )
    });
    let name = program.file_name().expect("a program file");
    let cache = Path::new(BIN_CACHE);
    ensure_root_dir(cache);
    // A new build is a new file: a new directory, never a half-written one.
    let key = format!(
        "{:x}-{:x}-{:x}-{:x}",
        meta.dev(),
        meta.ino(),
        meta.mtime_nsec() + meta.mtime() * 1_000_000_000,
        meta.size()
    );
    let dir = cache.join(key);
    let target = dir.join(name);
    if target.exists() {
        return target;
    }
    // Unique to this call: threads of one process may place the same program at once.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let tmp = cache.join(format!(".tmp-{}-{call}-{}", std::process::id(), name.to_string_lossy()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp).expect("a directory for a test program");
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let placed = tmp.join(name);
    if std::fs::hard_link(program, &placed).is_err() {
        std::fs::copy(program, &placed).expect("copy a test program");
    }
    std::fs::set_permissions(&placed, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // Another test process may have placed it first: either copy is right.
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    assert!(target.exists(), "{} was not placed", target.display());
    target
}

/// Makes `dir` a directory of root's that only root may change, replacing
/// whatever else stands there (another user could have made it first in
/// the world-writable `/var/tmp`).
fn ensure_root_dir(dir: &Path) {
    if let Ok(m) = std::fs::symlink_metadata(dir)
        && !(m.is_dir() && m.uid() == 0 && m.mode() & 0o022 == 0)
    {
        if m.is_dir() {
            std::fs::remove_dir_all(dir).expect("remove a foreign test program directory");
        } else {
            std::fs::remove_file(dir).expect("remove what stands in for the test program directory");
        }
    }
    if let Err(e) = std::fs::create_dir(dir)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        panic!("cannot make {}: {e}", dir.display());
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod the test program directory");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_in_a_private_directory_is_placed_where_others_can_run_it() {
        let private = std::env::temp_dir().join(format!("podium-bins-test-{}", std::process::id()));
        std::fs::create_dir_all(&private).expect("dir");
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let program = private.join("hello");
        std::fs::write(&program, format!("#!/bin/sh\necho {}\n", std::process::id())).expect("write");
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");

        let placed = reachable(&program);
        assert!(placed.starts_with(BIN_CACHE), "{}", placed.display());
        for dir in placed.ancestors().skip(1) {
            let m = std::fs::metadata(dir).expect("ancestor");
            assert!(m.mode() & 0o001 != 0, "{} is searchable by others", dir.display());
        }
        assert_eq!(reachable(&program), placed, "the same build is placed once");
        std::fs::write(&program, "#!/bin/sh\necho rebuilt and longer\n").expect("rebuild");
        assert_ne!(reachable(&program), placed, "a new build gets its own place");
        let _ = std::fs::remove_dir_all(&private);
    }
}
