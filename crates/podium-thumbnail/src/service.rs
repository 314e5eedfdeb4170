//! The thumbnails of every session: one capture thread each, who watches,
//! the latest pictures, and the events that say a picture changed.

use crate::Size;
use crate::session::{self, Shared};
use podium_core::SessionId;
use podium_host::x11::DisplayAccess;
use podium_host::{Host, HostEvent};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};

/// One encoded thumbnail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thumbnail {
    /// JPEG bytes.
    pub jpeg: Arc<Vec<u8>>,
    /// Content ETag (quoted).
    pub etag: String,
}

/// "Session `id` has new pictures", with the ETag of each size made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThumbEvent {
    /// The session.
    pub id: SessionId,
    /// New ETags by size.
    pub etags: BTreeMap<Size, String>,
    /// The pictures made, for streams that push them.
    pub pictures: BTreeMap<Size, Thumbnail>,
}

/// Why no thumbnail could be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThumbError {
    /// The session has no display to look at (yet, or any more).
    #[error("session {0} has no display to show")]
    NoDisplay(SessionId),
    /// Capturing failed.
    #[error("the display could not be captured: {0}")]
    Capture(String),
    /// The display cannot be captured as it is now (its screen is too
    /// large), but may be later: capturing goes on.
    #[error("the display cannot be shown now: {0}")]
    NotNow(String),
}

pub(crate) struct Request {
    pub size: Size,
    pub reply: oneshot::Sender<Result<Thumbnail, ThumbError>>,
}

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

#[derive(Debug, Default)]
struct Watchers {
    overseers: usize,
    by_uid: HashMap<u32, usize>,
    /// Sizes pushed to watchers, and how many watchers want each.
    pushed: HashMap<Size, usize>,
}

/// Every session's thumbnails.
pub struct Service {
    interval: Duration,
    sessions: Mutex<HashMap<SessionId, Handle>>,
    watchers: Mutex<Watchers>,
    events: broadcast::Sender<ThumbEvent>,
    captures: AtomicU64,
    captured_pixels: AtomicU64,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// Someone watching thumbnails (an events stream). Dropping it stops the watching.
pub struct WatchGuard {
    service: Arc<Service>,
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
        let mut w = self.service.watchers();
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Service {
    /// A service capturing each watched, changed desktop at most once per `interval`.
    #[must_use]
    pub fn new(interval: Duration) -> Arc<Service> {
        Arc::new(Service {
            interval,
            sessions: Mutex::new(HashMap::new()),
            watchers: Mutex::new(Watchers::default()),
            events: broadcast::channel(1024).0,
            captures: AtomicU64::new(0),
            captured_pixels: AtomicU64::new(0),
        })
    }

    fn watchers(&self) -> MutexGuard<'_, Watchers> {
        lock(&self.watchers)
    }

    /// The capture interval.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Captures made so far (the `podium_thumbnail_captures_total` metric).
    #[must_use]
    pub fn captures(&self) -> u64 {
        self.captures.load(Ordering::Relaxed)
    }

    /// Screen pixels copied out of the displays so far (the
    /// `podium_thumbnail_captured_pixels_total` metric): only the changed
    /// parts, so far fewer than captures × screen size.
    #[must_use]
    pub fn captured_pixels(&self) -> u64 {
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

    /// New-picture events.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<ThumbEvent> {
        self.events.subscribe()
    }

    /// Whether anybody watches the sessions of user `owner`.
    #[must_use]
    pub fn is_watched(&self, owner: u32) -> bool {
        let w = self.watchers();
        w.overseers > 0 || w.by_uid.contains_key(&owner)
    }

    /// Registers a watcher: one who sees every session (`oversees`), or
    /// only the sessions of `uid`. Capture threads wake up to catch up.
    #[must_use]
    pub fn watch(self: &Arc<Self>, uid: u32, oversees: bool) -> WatchGuard {
        self.watch_pushing(uid, oversees, None)
    }

    /// [`Service::watch`], for a watcher who is sent the pictures of
    /// `pushed` size themselves: that size is made at every capture.
    #[must_use]
    pub fn watch_pushing(self: &Arc<Self>, uid: u32, oversees: bool, pushed: Option<Size>) -> WatchGuard {
        {
            let mut w = self.watchers();
            if let Some(size) = pushed {
                *w.pushed.entry(size).or_default() += 1;
            }
            if oversees {
                w.overseers += 1;
            } else {
                *w.by_uid.entry(uid).or_default() += 1;
            }
        }
        for h in lock(&self.sessions).values() {
            h.wake();
        }
        WatchGuard {
            service: self.clone(),
            uid,
            oversees,
            pushed,
        }
    }

    /// The sizes watchers are sent.
    pub(crate) fn pushed_sizes(&self) -> Vec<Size> {
        self.watchers().pushed.keys().copied().collect()
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
            service: self.clone(),
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

    /// Keeps a capture thread for every session of `host` that has a
    /// display, from now on.
    pub fn follow(self: &Arc<Self>, host: Arc<Host>) {
        let service = self.clone();
        let mut events = host.subscribe();
        for info in host
            .list(&podium_core::Caller {
                user: "root".into(),
                uid: 0,
                role: podium_core::Role::Admin,
            })
            .sessions
        {
            service.consider(&host, info.id, info.uid, &info.display);
        }
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(HostEvent::Added(i) | HostEvent::Changed(i)) => service.consider(&host, i.id, i.uid, &i.display),
                    Ok(HostEvent::Removed { id, .. }) => service.stop(id),
                    Ok(HostEvent::Messages { .. }) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let caller = podium_core::Caller {
                            user: "root".into(),
                            uid: 0,
                            role: podium_core::Role::Admin,
                        };
                        let live: Vec<SessionId> = host.list(&caller).sessions.iter().map(|s| s.id).collect();
                        let gone: Vec<SessionId> = lock(&service.sessions)
                            .keys()
                            .filter(|id| !live.contains(id))
                            .copied()
                            .collect();
                        for id in gone {
                            service.stop(id);
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }

    fn consider(self: &Arc<Self>, host: &Host, id: SessionId, uid: u32, display: &str) {
        if display.is_empty() || lock(&self.sessions).contains_key(&id) {
            return;
        }
        if let Some(access) = host.display_access(id) {
            self.start(id, uid, access);
        }
    }
}
