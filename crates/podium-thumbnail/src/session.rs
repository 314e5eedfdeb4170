//! One session's capture thread: an X client of its display that sleeps
//! until DAMAGE says the screen changed, and captures at most once per
//! interval while somebody watches (or once when a picture is asked for).

use crate::capture::{CaptureError, Capturer};
use crate::scale::Scaler;
use crate::service::{Request, Service, ThumbError, ThumbEvent, Thumbnail};
use crate::{Size, encode};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use podium_core::SessionId;
use podium_host::x11::DisplayAccess;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};
use x11rb::rust_connection::RustConnection;

/// A size stays in demand this long after it was last asked for.
const WANTED_FOR: Duration = Duration::from_secs(60);

/// What the capture thread and the service share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    frames: Mutex<HashMap<Size, Thumbnail>>,
    wanted: Mutex<HashMap<Size, Instant>>,
    dirty: AtomicBool,
    stop: AtomicBool,
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

    /// Sizes asked for recently; medium when none was.
    fn wanted(&self) -> Vec<Size> {
        let mut w = self.wanted.lock().unwrap_or_else(PoisonError::into_inner);
        w.retain(|_, at| at.elapsed() < WANTED_FOR);
        let mut sizes: Vec<Size> = w.keys().copied().collect();
        if sizes.is_empty() {
            sizes.push(Size::Medium);
        }
        sizes.sort();
        sizes
    }
}

/// Everything the thread needs.
pub(crate) struct Context {
    pub id: SessionId,
    pub owner: u32,
    pub access: DisplayAccess,
    pub shared: Arc<Shared>,
    pub requests: std::sync::mpsc::Receiver<Request>,
    pub wake: UnixStream,
    pub service: Arc<Service>,
}

struct Display {
    conn: RustConnection,
    damage: u32,
    capturer: Capturer,
}

fn open(access: &DisplayAccess) -> Result<Display, String> {
    let conn = access.connect().map_err(|e| e.to_string())?;
    let root = conn.setup().roots.first().map(|s| s.root).ok_or("no screen")?;
    conn.damage_query_version(1, 1)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let damage = conn.generate_id().map_err(|e| e.to_string())?;
    // NonEmpty: one event when the screen starts to differ from what we
    // captured last, none while it keeps changing until we look again.
    conn.damage_create(damage, root, ReportLevel::NON_EMPTY)
        .map_err(|e| e.to_string())?;
    let capturer = Capturer::new(&conn, root).map_err(|e| e.to_string())?;
    conn.flush().map_err(|e| e.to_string())?;
    Ok(Display { conn, damage, capturer })
}

/// The thread's body.
pub(crate) fn run(ctx: Context) {
    let display = {
        let mut tries = 0;
        loop {
            match open(&ctx.access) {
                Ok(d) => break d,
                Err(e) if tries < 25 && !ctx.shared.stop.load(Ordering::SeqCst) => {
                    tracing::debug!(session = ctx.id, "display not ready for thumbnails: {e}");
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => {
                    tracing::warn!(session = ctx.id, "no thumbnails for this session: {e}");
                    answer_all(&ctx, &Err(ThumbError::Capture(e)));
                    return;
                }
            }
        }
    };
    let shm = display.capturer.uses_shm();
    tracing::debug!(session = ctx.id, shm, "watching the display for thumbnails");
    let mut worker = Worker {
        ctx,
        display,
        scaler: Scaler::default(),
        last: None,
    };
    worker.ctx.shared.dirty.store(true, Ordering::SeqCst);
    worker.run();
}

fn answer_all(ctx: &Context, result: &Result<Thumbnail, ThumbError>) {
    while let Ok(r) = ctx.requests.try_recv() {
        let _ = r.reply.send(result.clone());
    }
}

struct Worker {
    ctx: Context,
    display: Display,
    scaler: Scaler,
    last: Option<Instant>,
}

impl Worker {
    fn run(&mut self) {
        let interval = self.ctx.service.interval();
        loop {
            if self.ctx.shared.stop.load(Ordering::SeqCst) {
                let _ = self.display.conn.damage_destroy(self.display.damage);
                let _ = self.display.conn.flush();
                return;
            }
            let pending: Vec<Request> = self.ctx.requests.try_iter().collect();
            if !pending.is_empty() {
                let missing = pending.iter().any(|r| self.ctx.shared.frame(r.size).is_none());
                if self.ctx.shared.is_dirty() || missing {
                    if let Err(e) = self.capture() {
                        for r in pending {
                            let _ = r.reply.send(Err(e.clone()));
                        }
                        continue;
                    }
                }
                for r in pending {
                    let _ = r
                        .reply
                        .send(self.ctx.shared.frame(r.size).ok_or(ThumbError::NoDisplay(self.ctx.id)));
                }
            }
            let mut timeout = PollTimeout::NONE;
            if self.ctx.shared.is_dirty() && self.ctx.service.is_watched(self.ctx.owner) {
                let since = self.last.map_or(interval, |t| t.elapsed());
                if since >= interval {
                    match self.capture() {
                        Ok(()) => {}
                        // Until the next change: the screen may shrink.
                        Err(e @ ThumbError::NotNow(_)) => {
                            tracing::debug!(session = self.ctx.id, "no thumbnail: {e}");
                        }
                        Err(e) => {
                            tracing::warn!(session = self.ctx.id, "thumbnail capture failed: {e}");
                            return;
                        }
                    }
                    continue;
                }
                timeout = PollTimeout::try_from(interval - since).unwrap_or(PollTimeout::MAX);
            }
            if !self.wait(timeout) {
                tracing::debug!(session = self.ctx.id, "display closed; thumbnails stop");
                return;
            }
        }
    }

    /// Sleeps until the display, a request or a wake-up needs us, or the
    /// timeout passes. False when the display connection is gone.
    fn wait(&mut self, timeout: PollTimeout) -> bool {
        let was_dirty = self.ctx.shared.is_dirty();
        if !self.drain_events() {
            return false;
        }
        // A damage event read off the socket while a reply was awaited (a
        // change during the last capture) is already queued: act on it now,
        // since the socket will not wake the poll for it.
        if !was_dirty && self.ctx.shared.is_dirty() {
            return true;
        }
        let ready = {
            let mut fds = [
                PollFd::new(self.display.conn.stream().as_fd(), PollFlags::POLLIN),
                PollFd::new(self.ctx.wake.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, timeout) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(_) => return false,
            }
            fds[1].revents().is_some_and(|r| !r.is_empty())
        };
        if ready {
            let mut buf = [0u8; 64];
            let _ = (&self.ctx.wake).read(&mut buf);
        }
        self.drain_events()
    }

    /// Reads every event waiting; a damage event marks the screen changed.
    fn drain_events(&mut self) -> bool {
        loop {
            match self.display.conn.poll_for_event() {
                Ok(Some(Event::DamageNotify(_))) => self.ctx.shared.dirty.store(true, Ordering::SeqCst),
                Ok(Some(_)) => {}
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }

    fn capture(&mut self) -> Result<(), ThumbError> {
        let err = |e: &dyn std::fmt::Display| ThumbError::Capture(e.to_string());
        // Subtract first: a change while we capture raises a new event.
        self.display
            .conn
            .damage_subtract(self.display.damage, x11rb::NONE, x11rb::NONE)
            .map_err(|e| err(&e))?;
        self.ctx.shared.dirty.store(false, Ordering::SeqCst);
        let grabbed = self.display.capturer.grab(&self.display.conn);
        self.last = Some(Instant::now());
        let pixels = match grabbed {
            Ok(p) => p,
            Err(e @ CaptureError::TooLarge { .. }) => {
                // No stale picture: asking for one says why there is none.
                self.ctx
                    .shared
                    .frames
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clear();
                return Err(ThumbError::NotNow(e.to_string()));
            }
            Err(e) => return Err(err(&e)),
        };
        self.ctx.service.count_capture();
        let mut etags = BTreeMap::new();
        let mut made = Vec::new();
        for size in self.ctx.shared.wanted() {
            let (w, h) = size.dimensions(pixels.width, pixels.height);
            let scaled = self.scaler.scale(&pixels, w, h).map_err(|e| err(&e))?;
            let jpeg = encode::jpeg(&scaled).map_err(|e| err(&e))?;
            let etag = encode::etag(&jpeg);
            etags.insert(size, etag.clone());
            made.push((
                size,
                Thumbnail {
                    jpeg: Arc::new(jpeg),
                    etag,
                },
            ));
        }
        let changed = {
            let mut frames = self.ctx.shared.frames.lock().unwrap_or_else(PoisonError::into_inner);
            let mut changed = false;
            for (size, t) in made {
                if frames.get(&size).is_none_or(|old| old.etag != t.etag) {
                    changed = true;
                }
                frames.insert(size, t);
            }
            changed
        };
        if changed {
            self.ctx.service.publish(ThumbEvent { id: self.ctx.id, etags });
        }
        Ok(())
    }
}
