//! CPU time as cgroup v2 counts it (`cpu.stat`'s `usage_usec`): every
//! process of a group, threads and processes that already ended included,
//! to the microsecond. `/proc/PID/stat` counts in 10 ms ticks and forgets
//! ended threads, too coarse for a thumbnail's share of a millisecond.
//!
//! A benchmark daemon runs in a cgroup of its own ([`crate::Kit`]'s
//! `start_measured`), so its group holds the daemon, the session workers
//! and the helpers they start; each session's Xvnc is alone in its
//! `display` group.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// CPU used so far by the processes of the cgroup `dir` (zero when it is gone).
#[must_use]
pub fn usage(dir: &Path) -> Duration {
    std::fs::read_to_string(dir.join("cpu.stat"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("usage_usec ")?.trim().parse::<u64>().ok())
        })
        .map_or(Duration::ZERO, Duration::from_micros)
}

/// CPU used by a set of cgroups over a stretch of time.
#[derive(Debug, Clone)]
pub struct Meter {
    groups: Vec<PathBuf>,
    start: Vec<Duration>,
    at: Instant,
}

/// What a [`Meter`] measured.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Used {
    /// CPU time of all the groups together.
    pub cpu: Duration,
    /// Wall time it was measured over.
    pub wall: Duration,
}

impl Used {
    /// CPU as a share of one core, in percent.
    #[must_use]
    pub fn percent(self) -> f64 {
        if self.wall.is_zero() {
            return f64::NAN;
        }
        self.cpu.as_secs_f64() / self.wall.as_secs_f64() * 100.0
    }

    /// This stretch's CPU less what `baseline` would have used in as long.
    #[must_use]
    pub fn extra_over(self, baseline: Used) -> Duration {
        if baseline.wall.is_zero() {
            return self.cpu;
        }
        let expected = baseline.cpu.as_secs_f64() * self.wall.as_secs_f64() / baseline.wall.as_secs_f64();
        Duration::from_secs_f64((self.cpu.as_secs_f64() - expected).max(0.0))
    }

    /// Two stretches as one.
    #[must_use]
    pub fn plus(self, o: Used) -> Used {
        Used {
            cpu: self.cpu + o.cpu,
            wall: self.wall + o.wall,
        }
    }
}

impl Meter {
    /// Starts measuring `groups` now.
    #[must_use]
    pub fn start(groups: Vec<PathBuf>) -> Meter {
        let start = groups.iter().map(|g| usage(g)).collect();
        Meter {
            groups,
            start,
            at: Instant::now(),
        }
    }

    /// What the groups used since the start.
    #[must_use]
    pub fn read(&self) -> Used {
        let cpu = self
            .groups
            .iter()
            .zip(&self.start)
            .map(|(g, s)| usage(g).saturating_sub(*s))
            .sum();
        Used {
            cpu,
            wall: self.at.elapsed(),
        }
    }
}

/// CPU time the whole host has spent busy since it booted, every process
/// counted (a neighbour's build as much as the benchmark's sessions), from
/// the first line of /proc/stat: what contended with a measure.
#[must_use]
pub fn host_busy() -> Duration {
    busy_of(&std::fs::read_to_string("/proc/stat").unwrap_or_default())
}

/// The busy time of /proc/stat's `cpu` line: user, nice, system, irq,
/// softirq and steal (not idle, not I/O wait; guest time is already in user).
fn busy_of(stat: &str) -> Duration {
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return Duration::ZERO;
    };
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let busy: u64 = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| ticks.get(i)).sum();
    // /proc counts in USER_HZ, which Linux fixes at 100 for user space.
    Duration::from_millis(busy * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_is_taken_off_in_proportion_to_time() {
        let busy = Used {
            cpu: Duration::from_millis(300),
            wall: Duration::from_secs(10),
        };
        let idle = Used {
            cpu: Duration::from_millis(100),
            wall: Duration::from_secs(5),
        };
        assert_eq!(busy.extra_over(idle), Duration::from_millis(100));
        assert_eq!(idle.extra_over(busy), Duration::ZERO, "never below nothing");
        assert!((busy.percent() - 3.0).abs() < 1e-9);
        assert!(Used::default().percent().is_nan(), "no time measured is no figure");
        assert_eq!(busy.plus(idle).wall, Duration::from_secs(15));
    }

    #[test]
    fn the_host_is_busy_outside_idle_and_io_wait() {
        let stat = "cpu  100 20 30 1000 50 5 6 7 0 0\ncpu0 50 10 15 500 25 2 3 3 0 0\n";
        assert_eq!(busy_of(stat), Duration::from_millis((100 + 20 + 30 + 5 + 6 + 7) * 10));
        assert_eq!(busy_of(""), Duration::ZERO);
        assert!(host_busy() > Duration::ZERO);
    }

    #[test]
    fn a_missing_group_has_used_nothing() {
        assert_eq!(usage(Path::new("/nonexistent/cgroup")), Duration::ZERO);
    }
}
