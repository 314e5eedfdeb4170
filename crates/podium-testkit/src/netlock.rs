//! Keeping the browser walks and the several-hosts tests apart.
//!
//! Chromium abandons a page load with `ERR_NETWORK_CHANGED` when the
//! machine's network interfaces change, and the several-hosts tests change
//! them (a bridge, a veth per host). A lock file shared by every test
//! process keeps the two apart: browser walks hold it shared (they run
//! together), a test bridge holds it alone for as long as it exists. A
//! walk in the process that holds it alone (a walk on the several hosts'
//! dashboard) is already apart, and takes nothing.

use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Exclusive locks this process holds.
static ALONE_HERE: AtomicUsize = AtomicUsize::new(0);

/// Where the lock lives: in `/run/lock`, which nothing of the tests cleans.
const PATH: &str = "/run/lock/podium-test-network";

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct NetLock {
    _held: Option<Flock<File>>,
    alone: bool,
}

impl Drop for NetLock {
    fn drop(&mut self) {
        if self.alone {
            ALONE_HERE.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl NetLock {
    /// Shared: for a browser walk.
    #[must_use]
    pub fn shared() -> NetLock {
        if ALONE_HERE.load(Ordering::SeqCst) > 0 {
            return NetLock {
                _held: None,
                alone: false,
            };
        }
        NetLock::take(FlockArg::LockShared)
    }

    /// Alone: while the machine's interfaces change.
    #[must_use]
    pub fn exclusive() -> NetLock {
        let mut lock = NetLock::take(FlockArg::LockExclusive);
        ALONE_HERE.fetch_add(1, Ordering::SeqCst);
        lock.alone = true;
        lock
    }

    fn take(how: FlockArg) -> NetLock {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PATH)
            .or_else(|_| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open("/tmp/podium-test-network.lock")
            });
        // Without a lock file the tests still run, only less apart.
        let held = file.ok().and_then(|f| Flock::lock(f, how).ok());
        NetLock {
            _held: held,
            alone: false,
        }
    }
}
