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
/// Taken first, briefly by a walk and for its whole wait by a bridge, so
/// that a bridge waiting for the lock goes before walks that come later.
const TURNSTILE: &str = "/run/lock/podium-test-network-turnstile";

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
        // Through the turnstile, which a waiting bridge holds: walks that
        // keep overlapping cannot keep it out for ever.
        let turn = lock(TURNSTILE, FlockArg::LockShared);
        let held = lock(PATH, FlockArg::LockShared);
        drop(turn);
        NetLock {
            _held: held,
            alone: false,
        }
    }

    /// Alone: while the machine's interfaces change.
    #[must_use]
    pub fn exclusive() -> NetLock {
        let turn = lock(TURNSTILE, FlockArg::LockExclusive);
        let held = lock(PATH, FlockArg::LockExclusive);
        drop(turn);
        ALONE_HERE.fetch_add(1, Ordering::SeqCst);
        NetLock {
            _held: held,
            alone: true,
        }
    }
}

/// `path` locked as `how` (in /tmp when /run/lock cannot be written);
/// without a lock file the tests still run, only less apart.
fn lock(path: &str, how: FlockArg) -> Option<Flock<File>> {
    let open = |p: &str| {
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(p)
    };
    let fallback = format!("/tmp/{}.lock", path.rsplit('/').next().unwrap_or("podium-test-network"));
    let file = open(path).or_else(|_| open(&fallback));
    file.ok().and_then(|f| Flock::lock(f, how).ok())
}
