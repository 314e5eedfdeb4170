//! Stopping one part of a session's cgroup: asked politely, then killed.

use crate::cgroup::{Part, SessionCgroup};
use crate::reaper::reap;
use nix::sys::signal::Signal;
use std::time::{Duration, Instant};

/// How long killed processes may take to disappear.
const KILL_WAIT: Duration = Duration::from_secs(3);
/// How often the end sequence looks at the cgroup.
const TICK: Duration = Duration::from_millis(10);

/// Asks every process of `part` to stop (SIGTERM, then SIGCONT so stopped
/// ones see it), waits up to `timeout` for the part to be empty, then kills
/// what is left. Returns the processes that had to be killed.
pub(super) fn stop_part(cg: &SessionCgroup, part: Part, timeout: Duration, problems: &mut Vec<String>) -> Vec<i32> {
    let deadline = Instant::now() + timeout;
    let mut asked = std::collections::HashSet::new();
    loop {
        reap();
        if !cg.populated(part) {
            return Vec::new();
        }
        let new = cg.signal(part, Signal::SIGTERM, &asked);
        if !new.is_empty() {
            // Stopped processes only see SIGTERM once they run again.
            cg.signal(part, Signal::SIGCONT, &std::collections::HashSet::new());
            asked.extend(new);
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(TICK);
    }
    let killed = cg.pids(part);
    if let Err(e) = cg.kill(part) {
        problems.push(e.to_string());
    }
    let deadline = Instant::now() + KILL_WAIT;
    while cg.populated(part) && Instant::now() < deadline {
        reap();
        std::thread::sleep(TICK);
    }
    reap();
    if cg.populated(part) {
        problems.push(format!("processes {:?} survived cgroup.kill", cg.pids(part)));
    }
    killed
}
