//! What hosts tell each other besides their sessions (whose copies are
//! the sessions' own JSON): a load record, which is also the heartbeat.

use serde::{Deserialize, Serialize};

/// A host's heartbeat: sent every [`HostLoad::EVERY`] on its own subject.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostLoad {
    /// The host's name.
    pub host: String,
    /// Sessions running.
    pub sessions: u32,
    /// Sessions it takes (`[cluster] capacity`).
    pub capacity: u32,
    /// Memory available, in KiB (`MemAvailable`).
    pub memory_available_kib: u64,
    /// Memory in all, in KiB.
    pub memory_total_kib: u64,
    /// The 1-minute load average.
    pub load1: f64,
    /// Processors.
    pub cpus: u32,
    /// Where browsers reach it, when configured.
    pub address: Option<String>,
    /// When it was sent, milliseconds since the Unix epoch (the sender's clock).
    pub sent_ms: u64,
}

impl HostLoad {
    /// How often a host says it is alive.
    pub const EVERY: std::time::Duration = std::time::Duration::from_secs(2);
    /// How long without a heartbeat before a host is shown unreachable.
    pub const MISSING_AFTER: std::time::Duration = std::time::Duration::from_secs(6);

    /// Room left for sessions, as a share of capacity (placement sends a
    /// pupil to the host with the most).
    #[must_use]
    pub fn room(&self) -> f64 {
        if self.capacity == 0 {
            return 0.0;
        }
        (f64::from(self.capacity) - f64::from(self.sessions)) / f64::from(self.capacity)
    }

    /// This machine's load now, for `host`.
    #[must_use]
    pub fn measure(host: &str, sessions: u32, capacity: u32, address: Option<String>) -> HostLoad {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let field = |name: &str| {
            meminfo
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        let load1 = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0.0);
        let cpus = std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX));
        HostLoad {
            host: host.to_owned(),
            sessions,
            capacity,
            memory_available_kib: field("MemAvailable"),
            memory_total_kib: field("MemTotal"),
            load1,
            cpus,
            address,
            sent_ms: now_ms(),
        }
    }
}

/// Milliseconds since the Unix epoch.
#[must_use]
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_a_share_of_capacity() {
        let mut load = HostLoad::measure("a", 10, 40, None);
        assert!((load.room() - 0.75).abs() < 1e-9);
        assert!(load.memory_total_kib > 0 && load.cpus >= 1);
        load.capacity = 0;
        assert!(load.room().abs() < f64::EPSILON);
        let text = serde_json::to_string(&load).expect("json");
        let back: HostLoad = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, load);
    }
}
