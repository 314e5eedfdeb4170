//! The session's processes by program, read from `/proc`.

use crate::cgroup::{Part, SessionCgroup};

/// The processes of the session's desktop whose command name (`comm`, at
/// most 15 bytes) is `comm` and that still run as `uid`.
#[must_use]
pub fn named(cgroup: &SessionCgroup, comm: &str, uid: u32) -> Vec<i32> {
    cgroup
        .pids(Part::Desktop)
        .into_iter()
        .filter(|pid| self::comm(*pid).is_some_and(|c| c == comm) && real_uid(*pid) == Some(uid))
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

/// The command name of `pid` (`comm`, at most 15 bytes).
#[must_use]
pub fn comm(pid: i32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim_end().to_owned())
}

/// `pid`'s environment as it started, NUL-separated `NAME=value` entries
/// (empty when it cannot be read).
#[must_use]
pub fn environ(pid: i32) -> Vec<u8> {
    std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default()
}

/// The value of `name` in an `environ`, when set and not empty.
#[must_use]
pub fn var<'a>(environ: &'a [u8], name: &str) -> Option<&'a str> {
    environ
        .split(|b| *b == 0)
        .find_map(|kv| kv.strip_prefix(name.as_bytes()).and_then(|v| v.strip_prefix(b"=")))
        .filter(|v| !v.is_empty())
        .and_then(|v| std::str::from_utf8(v).ok())
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
    fn finds_a_variable_in_an_environment() {
        let env = b"HOME=/home/pupil\0DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/b\0EMPTY=\0XHOME=/x\0";
        assert_eq!(var(env, "HOME"), Some("/home/pupil"));
        assert_eq!(var(env, "DBUS_SESSION_BUS_ADDRESS"), Some("unix:path=/tmp/b"));
        assert_eq!(var(env, "EMPTY"), None, "an empty value counts as unset");
        assert_eq!(var(env, "HOM"), None, "a name is matched whole");
        assert_eq!(var(b"", "HOME"), None);
    }

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
