//! Counters the daemon keeps about its own work, for `/metrics`.

use podium_core::EndKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the log-off duration histogram's buckets.
pub const LOGOFF_BUCKETS: [f64; 12] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 300.0, 900.0];

/// Log-off outcomes and durations.
#[derive(Debug, Default)]
pub struct Stats {
    closed: AtomicU64,
    forced: AtomicU64,
    failed: AtomicU64,
    buckets: [AtomicU64; LOGOFF_BUCKETS.len()],
    count: AtomicU64,
    sum_ms: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSnapshot {
    /// Log offs by outcome: closed, forced, failed.
    pub logoffs: [(EndKind, u64); 3],
    /// Cumulative bucket counts, same order as [`LOGOFF_BUCKETS`].
    pub buckets: Vec<(f64, u64)>,
    /// Number of log offs measured.
    pub count: u64,
    /// Their total duration, in seconds.
    pub sum_seconds: f64,
}

impl Stats {
    /// Counts a finished log off.
    pub fn logoff(&self, end: EndKind, took: Duration) {
        match end {
            EndKind::Closed => &self.closed,
            EndKind::Forced => &self.forced,
            EndKind::Failed => &self.failed,
        }
        .fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        for (bound, bucket) in LOGOFF_BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ms
            .fetch_add(u64::try_from(took.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// The counters now.
    #[must_use]
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let sum_seconds = get(&self.sum_ms) as f64 / 1000.0;
        StatsSnapshot {
            logoffs: [
                (EndKind::Closed, get(&self.closed)),
                (EndKind::Forced, get(&self.forced)),
                (EndKind::Failed, get(&self.failed)),
            ],
            buckets: LOGOFF_BUCKETS
                .iter()
                .zip(&self.buckets)
                .map(|(b, c)| (*b, get(c)))
                .collect(),
            count: get(&self.count),
            sum_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative() {
        let s = Stats::default();
        s.logoff(EndKind::Closed, Duration::from_millis(300));
        s.logoff(EndKind::Forced, Duration::from_secs(6));
        let snap = s.snapshot();
        assert_eq!(snap.count, 2);
        assert_eq!(snap.logoffs[0], (EndKind::Closed, 1));
        assert_eq!(snap.buckets[1], (0.25, 0));
        assert_eq!(snap.buckets[2], (0.5, 1));
        assert_eq!(snap.buckets[6], (10.0, 2));
        assert!((snap.sum_seconds - 6.3).abs() < 1e-9);
    }
}
