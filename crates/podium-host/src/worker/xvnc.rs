//! Waiting for Xvnc to open its display, and saying why it did not.

use super::files::read_small;
use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant};

/// Reads the display number Xvnc writes to `-displayfd` once it accepts clients.
pub(super) fn read_display_number(fd: OwnedFd, timeout: Duration) -> Option<u32> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let deadline = Instant::now() + timeout;
    let mut file = fs::File::from(fd);
    let mut text = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        let t = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, t) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return None,
        }
        let mut buf = [0u8; 16];
        match file.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => {
                text.extend_from_slice(&buf[..n]);
                if text.contains(&b'\n') {
                    return std::str::from_utf8(&text).ok()?.trim().parse().ok();
                }
                if text.len() > 16 {
                    return None;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// The last lines Xvnc wrote before it gave up, for the person who asked.
pub(super) fn log_tail(log_path: &Path) -> String {
    let log = read_small(log_path, 64 * 1024).unwrap_or_default();
    let tail: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).rev().take(3).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    tail.join(" / ")
}
