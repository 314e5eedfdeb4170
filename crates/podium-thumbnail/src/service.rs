//! The thumbnails of every session: one capture thread each, who watches,
//! the latest pictures, and the events that say a picture changed. Which
//! sessions have a display is told from outside ([`Service::start`],
//! [`Service::keep_only`]): the service knows displays, not the host.

use crate::hub::{Hub, WatchGuard, lock};
use crate::session;
use crate::shared::Shared;
use crate::size::Size;
use crate::thumbnail::{Request, ThumbError, ThumbEvent, Thumbnail};
use podium_core::SessionId;
use podium_x11::DisplayAccess;
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};

struct Handle {
    owner: u32,
    shared: Arc<Shared>,
    requests: std::sync::mpsc::Sender<Request>,
    waker: UnixStream,
}

impl Handle {
    fn wake(&self) {
        let _ = (&self.waker).write(&[1]);
    }
}

/// Every session's thumbnails.
pub struct Service {
    hub: Arc<Hub>,
    sessions: Mutex<HashMap<SessionId, Handle>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("interval", &self.hub.interval())
            .finish_non_exhaustive()
    }
}

impl Service {
    /// A service capturing each watched, changed desktop at most once per `interval`.
    #[must_use]
    pub fn new(interval: Duration) -> Arc<Service> {
        Arc::new(Service {
            hub: Arc::new(Hub::new(interval)),
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// The capture interval.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.hub.interval()
    }

    /// Captures made so far (the `podium_thumbnail_captures_total` metric).
    #[must_use]
    pub fn captures(&self) -> u64 {
        self.hub.captures()
    }

    /// Screen pixels copied out of the displays so far (the
    /// `podium_thumbnail_captured_pixels_total` metric): only the changed
    /// parts, so far fewer than captures × screen size.
    #[must_use]
    pub fn captured_pixels(&self) -> u64 {
        self.hub.captured_pixels()
    }

    /// New-picture events.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<ThumbEvent> {
        self.hub.subscribe()
    }

    /// Whether anybody watches the sessions of user `owner`.
    #[must_use]
    pub fn is_watched(&self, owner: u32) -> bool {
        self.hub.is_watched(owner)
    }

    /// Registers a watcher: one who sees every session (`oversees`), or
    /// only the sessions of `uid`. Capture threads wake up to catch up.
    #[must_use]
    pub fn watch(&self, uid: u32, oversees: bool) -> WatchGuard {
        self.watch_pushing(uid, oversees, None)
    }

    /// [`Service::watch`], for a watcher who is sent the pictures of
    /// `pushed` size themselves: that size is made at every capture.
    #[must_use]
    pub fn watch_pushing(&self, uid: u32, oversees: bool, pushed: Option<Size>) -> WatchGuard {
        let guard = self.hub.watch(uid, oversees, pushed);
        for h in lock(&self.sessions).values() {
            h.wake();
        }
        guard
    }

    /// Whether session `id` has a capture thread.
    #[must_use]
    pub fn is_capturing(&self, id: SessionId) -> bool {
        lock(&self.sessions).contains_key(&id)
    }

    /// Stops capturing every session not in `live` (after missed news).
    pub fn keep_only(&self, live: &[SessionId]) {
        let gone: Vec<SessionId> = lock(&self.sessions)
            .keys()
            .filter(|id| !live.contains(id))
            .copied()
            .collect();
        for id in gone {
            self.stop(id);
        }
    }

    /// Session `id`'s latest picture of `size`, if one was made (no capture).
    #[must_use]
    pub fn current(&self, id: SessionId, size: Size) -> Option<Thumbnail> {
        lock(&self.sessions).get(&id).and_then(|h| h.shared.frame(size))
    }

    /// Starts capturing session `id`'s display (no-op if it is already).
    pub fn start(self: &Arc<Self>, id: SessionId, owner: u32, access: DisplayAccess) {
        let mut sessions = lock(&self.sessions);
        if sessions.contains_key(&id) {
            return;
        }
        let Ok((waker, wake_rx)) = UnixStream::pair() else {
            tracing::error!(session = id, "cannot make a wake-up socket for thumbnails");
            return;
        };
        let shared = Arc::new(Shared::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = session::Context {
            id,
            owner,
            access,
            shared: shared.clone(),
            requests: rx,
            wake: wake_rx,
            hub: self.hub.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("thumbnails {id}"))
            .spawn(move || session::run(ctx));
        if let Err(e) = spawned {
            tracing::error!(session = id, "cannot start the thumbnail thread: {e}");
            return;
        }
        sessions.insert(
            id,
            Handle {
                owner,
                shared,
                requests: tx,
                waker,
            },
        );
    }

    /// Stops capturing session `id`.
    pub fn stop(&self, id: SessionId) {
        if let Some(h) = lock(&self.sessions).remove(&id) {
            h.shared.stop();
            h.wake();
        }
    }

    /// Session `id`'s thumbnail of `size`: the latest picture when it is
    /// current, else a fresh capture (one on demand even when nobody watches).
    ///
    /// # Errors
    /// [`ThumbError`] when the session has no display or capture failed.
    pub async fn get(&self, id: SessionId, size: Size) -> Result<Thumbnail, ThumbError> {
        let rx = {
            let sessions = lock(&self.sessions);
            let h = sessions.get(&id).ok_or(ThumbError::NoDisplay(id))?;
            h.shared.want(size);
            let watched = self.is_watched(h.owner);
            if let Some(t) = h.shared.frame(size)
                && (watched || !h.shared.is_dirty())
            {
                return Ok(t);
            }
            let (reply, rx) = oneshot::channel();
            h.requests
                .send(Request { size, reply })
                .map_err(|_| ThumbError::NoDisplay(id))?;
            h.wake();
            rx
        };
        match tokio::time::timeout(Duration::from_secs(5), rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ThumbError::NoDisplay(id)),
            Err(_) => Err(ThumbError::Capture("no picture within 5 s".into())),
        }
    }
}
