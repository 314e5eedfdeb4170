//! Reading one extended attribute of a file: systemd marks the cgroup it
//! delegates to a service with `trusted.delegate` (and `user.delegate`).

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The value of attribute `name` of `path`, or `None` when it has none.
/// Values longer than 256 bytes are not read (none of ours is).
///
/// # Errors
/// When the path cannot be read (not found, not allowed, a NUL byte in it).
pub fn get(path: &Path, name: &str) -> std::io::Result<Option<Vec<u8>>> {
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let c_name = CString::new(name).map_err(std::io::Error::other)?;
    let mut buf = [0u8; 256];
    // SAFETY: both strings are NUL-terminated and live across the call; the
    // kernel writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { libc::getxattr(c_path.as_ptr(), c_name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::ENODATA | libc::ENOTSUP | libc::ERANGE) => Ok(None),
            _ => Err(e),
        };
    }
    let n = usize::try_from(n).unwrap_or(0).min(buf.len());
    Ok(Some(buf[..n].to_vec()))
}

/// Sets attribute `name` of `path` to `value` (tests use it to mark a
/// cgroup delegated as systemd does).
///
/// # Errors
/// When the attribute cannot be set.
pub fn set(path: &Path, name: &str, value: &[u8]) -> std::io::Result<()> {
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let c_name = CString::new(name).map_err(std::io::Error::other)?;
    // SAFETY: both strings are NUL-terminated and live across the call; the
    // kernel reads `value.len()` bytes from `value`.
    let rc = unsafe { libc::setxattr(c_path.as_ptr(), c_name.as_ptr(), value.as_ptr().cast(), value.len(), 0) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_the_attribute_has_none_and_a_missing_file_is_an_error() {
        let dir = std::env::temp_dir();
        assert_eq!(get(&dir, "user.podium-never-set").expect("readable"), None);
        let e = get(Path::new("/nonexistent/podium"), "user.x").expect_err("no such file");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(get(Path::new("/tmp\0x"), "user.x").is_err(), "a NUL byte is refused");
    }

    #[test]
    fn what_is_set_is_read_back() {
        let file = std::env::temp_dir().join(format!("podium-xattr-{}", std::process::id()));
        std::fs::write(&file, "").expect("file");
        set(&file, "user.podium-test", b"1").expect("user attributes work here");
        assert_eq!(get(&file, "user.podium-test").expect("read"), Some(b"1".to_vec()));
        let _ = std::fs::remove_file(&file);
    }
}
