//! What a session's capture thread and the service share: the latest
//! pictures, the sizes asked for lately, and the flags that wake or stop
//! the thread.

use crate::size::Size;
use crate::thumbnail::Thumbnail;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A size stays in demand this long after it was last asked for.
const WANTED_FOR: Duration = Duration::from_secs(60);
/// What the capture thread and the service share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) frames: Mutex<HashMap<Size, Thumbnail>>,
    pub(crate) wanted: Mutex<HashMap<Size, Instant>>,
    pub(crate) dirty: AtomicBool,
    pub(crate) stop: AtomicBool,
}

impl Shared {
    pub fn frame(&self, size: Size) -> Option<Thumbnail> {
        self.frames
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&size)
            .cloned()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty.load(Ordering::SeqCst)
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn want(&self, size: Size) {
        self.wanted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(size, Instant::now());
    }

    /// Sizes asked for recently, and `pushed` (sent to watchers); medium
    /// when there are none.
    pub(crate) fn wanted(&self, pushed: &[Size]) -> Vec<Size> {
        let mut w = self.wanted.lock().unwrap_or_else(PoisonError::into_inner);
        w.retain(|_, at| at.elapsed() < WANTED_FOR);
        let mut sizes: Vec<Size> = w.keys().copied().collect();
        sizes.extend(pushed.iter().filter(|s| !w.contains_key(s)));
        if sizes.is_empty() {
            sizes.push(Size::Medium);
        }
        sizes.sort();
        sizes
    }
}
