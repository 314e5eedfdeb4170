//! What the service and every capture thread share: the capture interval,
//! who watches, the new-picture events and the counters. Capture threads
//! hold this, not the service, so they never reach back into the map of
//! threads that owns them.

use crate::size::Size;
use crate::thumbnail::ThumbEvent;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Debug, Default)]
struct Watchers {
    overseers: usize,
    by_uid: HashMap<u32, usize>,
    /// Sizes pushed to watchers, and how many watchers want each.
    pushed: HashMap<Size, usize>,
}

/// The state shared by the service and its capture threads.
#[derive(Debug)]
pub(crate) struct Hub {
    interval: Duration,
    watchers: Mutex<Watchers>,
    events: broadcast::Sender<ThumbEvent>,
    captures: AtomicU64,
    captured_pixels: AtomicU64,
}

/// A lock that survives a panicked holder: counts and maps stay usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hub {
    pub(crate) fn new(interval: Duration) -> Hub {
        Hub {
            interval,
            watchers: Mutex::new(Watchers::default()),
            events: broadcast::channel(1024).0,
            captures: AtomicU64::new(0),
            captured_pixels: AtomicU64::new(0),
        }
    }

    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    pub(crate) fn captures(&self) -> u64 {
        self.captures.load(Ordering::Relaxed)
    }

    pub(crate) fn captured_pixels(&self) -> u64 {
        self.captured_pixels.load(Ordering::Relaxed)
    }

    pub(crate) fn count_capture(&self) {
        self.captures.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_pixels(&self, pixels: u64) {
        self.captured_pixels.fetch_add(pixels, Ordering::Relaxed);
    }

    pub(crate) fn publish(&self, e: ThumbEvent) {
        let _ = self.events.send(e);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ThumbEvent> {
        self.events.subscribe()
    }

    pub(crate) fn is_watched(&self, owner: u32) -> bool {
        let w = lock(&self.watchers);
        w.overseers > 0 || w.by_uid.contains_key(&owner)
    }

    /// The sizes watchers are sent.
    pub(crate) fn pushed_sizes(&self) -> Vec<Size> {
        lock(&self.watchers).pushed.keys().copied().collect()
    }

    /// Counts a watcher in; it is counted out when the guard drops.
    pub(crate) fn watch(self: &Arc<Self>, uid: u32, oversees: bool, pushed: Option<Size>) -> WatchGuard {
        let mut w = lock(&self.watchers);
        if let Some(size) = pushed {
            *w.pushed.entry(size).or_default() += 1;
        }
        if oversees {
            w.overseers += 1;
        } else {
            *w.by_uid.entry(uid).or_default() += 1;
        }
        WatchGuard {
            hub: self.clone(),
            uid,
            oversees,
            pushed,
        }
    }
}

/// Someone watching thumbnails (an events stream). Dropping it stops the watching.
pub struct WatchGuard {
    hub: Arc<Hub>,
    uid: u32,
    oversees: bool,
    pushed: Option<Size>,
}

impl std::fmt::Debug for WatchGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchGuard").field("uid", &self.uid).finish()
    }
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        let mut w = lock(&self.hub.watchers);
        if let Some(size) = self.pushed
            && let Some(n) = w.pushed.get_mut(&size)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                w.pushed.remove(&size);
            }
        }
        if self.oversees {
            w.overseers = w.overseers.saturating_sub(1);
        } else if let Some(n) = w.by_uid.get_mut(&self.uid) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                w.by_uid.remove(&self.uid);
            }
        }
    }
}
