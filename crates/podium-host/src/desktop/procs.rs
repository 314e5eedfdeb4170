//! The session's processes by program, read from `/proc`.

use crate::cgroup::{Part, SessionCgroup};

/// The processes of the session's desktop whose command name (`comm`, at
/// most 15 bytes) is `comm` and that still run as `uid`.
#[must_use]
pub fn named(cgroup: &SessionCgroup, comm: &str, uid: u32) -> Vec<i32> {
    cgroup
        .pids(Part::Desktop)
        .into_iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim_end() == comm)
                && real_uid(*pid) == Some(uid)
        })
        .collect()
}

/// Whether `pid` still runs (exists and is not a zombie waiting to be reaped).
#[must_use]
pub fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next()))
        .is_some_and(|state| !matches!(state, 'Z' | 'X'))
}

/// Waits until `pid` has exited, up to `until`; whether it has.
#[must_use]
pub fn wait_gone(pid: i32, until: std::time::Instant) -> bool {
    while running(pid) {
        if std::time::Instant::now() >= until {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    true
}

/// The real uid of `pid` (the first number of `Uid:` in its status).
#[must_use]
pub fn real_uid(pid: i32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_uid(&status)
}

fn parse_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_uid() {
        assert_eq!(parse_uid("Name:\tx\nUid:\t1001\t1001\t1001\t1001\n"), Some(1001));
        assert_eq!(parse_uid("Name:\tx\n"), None);
        assert_eq!(parse_uid("Uid:\tabc\n"), None);
    }

    #[test]
    fn tells_a_running_process_from_a_gone_one() {
        assert!(running(i32::try_from(std::process::id()).unwrap_or(i32::MAX)));
        let mut child = std::process::Command::new("true").spawn().expect("true runs");
        let pid = i32::try_from(child.id()).unwrap_or(i32::MAX);
        // Not reaped yet: a zombie no longer runs.
        assert!(wait_gone(
            pid,
            std::time::Instant::now() + std::time::Duration::from_secs(5)
        ));
        let _ = child.wait();
        assert!(!running(pid));
    }

    #[test]
    fn finds_this_test_by_its_name() {
        let me = std::process::id();
        assert_eq!(
            real_uid(i32::try_from(me).unwrap_or(i32::MAX)),
            Some(nix::unistd::getuid().as_raw())
        );
    }
}
