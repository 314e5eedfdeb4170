//! One session's capture thread: an X client of its display that sleeps
//! until DAMAGE says the screen changed, and captures at most once per
//! interval while somebody watches (or once when a picture is asked for).
//!
//! It keeps each thumbnail's pixels between captures and remakes only the
//! part the changes since the last capture reach: DAMAGE reports the
//! bounding box of what changed, only that box is copied out of the X
//! server and scaled, and the kept picture is encoded again.

use crate::Size;
use crate::capture::{CaptureError, Capturer, Rect};
use crate::encode::{self, Encoder};
use crate::scale::{self, Scaled, Scaler};
use crate::service::{Request, Service, ThumbError, ThumbEvent, Thumbnail};
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
    /// The screen's size when the connection was made.
    size: (u32, u32),
}

fn open(access: &DisplayAccess) -> Result<Display, String> {
    let conn = access.connect().map_err(|e| e.to_string())?;
    let screen = conn.setup().roots.first().ok_or("no screen")?;
    let (root, size) = (
        screen.root,
        (u32::from(screen.width_in_pixels), u32::from(screen.height_in_pixels)),
    );
    conn.damage_query_version(1, 1)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let damage = conn.generate_id().map_err(|e| e.to_string())?;
    // BoundingBox: an event when the changed area grows beyond what was
    // reported since we last looked (none while changes stay inside it),
    // carrying that area and the screen's size.
    conn.damage_create(damage, root, ReportLevel::BOUNDING_BOX)
        .map_err(|e| e.to_string())?;
    let capturer = Capturer::new(&conn, root).map_err(|e| e.to_string())?;
    conn.flush().map_err(|e| e.to_string())?;
    Ok(Display {
        conn,
        damage,
        capturer,
        size,
    })
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
    let encoder = match Encoder::new() {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(session = ctx.id, "no thumbnails for this session: {e}");
            answer_all(&ctx, &Err(ThumbError::Capture(e)));
            return;
        }
    };
    let screen = display.size;
    let mut worker = Worker {
        ctx,
        display,
        scaler: Scaler::default(),
        encoder,
        last: None,
        screen,
        changed: Rect::default(),
        kept: HashMap::new(),
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
    encoder: Encoder,
    last: Option<Instant>,
    /// The screen's size, as the last DAMAGE event gave it.
    screen: (u32, u32),
    /// What changed since the last capture (its bounding box).
    changed: Rect,
    /// Each size's pixels as last made, remade in part after a change.
    kept: HashMap<Size, Scaled>,
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

    /// Reads every event waiting; a damage event marks the screen changed
    /// and says where, and how large the screen is now.
    fn drain_events(&mut self) -> bool {
        loop {
            match self.display.conn.poll_for_event() {
                Ok(Some(Event::DamageNotify(e))) => {
                    let screen = (u32::from(e.geometry.width), u32::from(e.geometry.height));
                    if screen != self.screen {
                        // Resized: every kept picture has the old shape.
                        self.screen = screen;
                        self.kept.clear();
                    }
                    let area = Rect {
                        x: u32::try_from(e.area.x).unwrap_or(0),
                        y: u32::try_from(e.area.y).unwrap_or(0),
                        w: u32::from(e.area.width),
                        h: u32::from(e.area.height),
                    };
                    self.changed = self.changed.union(area.clamp(screen.0, screen.1));
                    self.ctx.shared.dirty.store(true, Ordering::SeqCst);
                }
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
        let changed = std::mem::take(&mut self.changed);
        let screen = self.screen;
        let sizes = self.ctx.shared.wanted();
        self.forget_unwanted(&sizes);

        // Each size's part to remake (all of it for a size not kept yet),
        // and the screen part that covers them all.
        let mut plans = Vec::new();
        let mut source = Rect::default();
        for &size in &sizes {
            let dims = size.dimensions(screen.0, screen.1);
            let kept = self.kept.get(&size).is_some_and(|k| (k.width, k.height) == dims);
            let (dst, src) = if kept {
                scale::affected(changed, screen, dims)
            } else {
                (Rect::screen(dims.0, dims.1), Rect::screen(screen.0, screen.1))
            };
            if !dst.is_empty() {
                plans.push((size, dims, kept, dst));
                source = source.union(src);
            }
        }
        self.last = Some(Instant::now());
        if plans.is_empty() {
            return Ok(());
        }
        let grabbed = self.display.capturer.grab_rect(&self.display.conn, source, screen);
        let pixels = match grabbed {
            Ok(p) => p,
            Err(e @ CaptureError::TooLarge { .. }) => {
                // No stale picture: asking for one says why there is none.
                self.kept.clear();
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
        self.ctx.service.count_capture(source.area());
        let mut made = Vec::new();
        for (size, dims, kept, dst) in plans {
            let picture = if kept {
                let picture = self.kept.get_mut(&size).ok_or_else(|| err(&"kept picture lost"))?;
                self.scaler
                    .scale_into(&pixels, source, screen, picture, dst)
                    .map_err(|e| err(&e))?;
                picture
            } else {
                let whole = self.scaler.scale(&pixels, dims.0, dims.1).map_err(|e| err(&e))?;
                self.kept.entry(size).insert_entry(whole).into_mut()
            };
            let jpeg = self.encoder.jpeg(picture).map_err(|e| err(&e))?;
            let etag = encode::etag(&jpeg);
            made.push((
                size,
                Thumbnail {
                    jpeg: Arc::new(jpeg),
                    etag,
                },
            ));
        }
        self.publish(made);
        Ok(())
    }

    /// Drops the pictures of sizes nobody asked for lately: they were not
    /// kept up to date, so a later request captures them whole.
    fn forget_unwanted(&mut self, sizes: &[Size]) {
        self.kept.retain(|s, _| sizes.contains(s));
        self.ctx
            .shared
            .frames
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|s, _| sizes.contains(s));
    }

    /// Stores new pictures and, if any differs, tells the watchers.
    fn publish(&self, made: Vec<(Size, Thumbnail)>) {
        let mut etags = BTreeMap::new();
        let changed = {
            let mut frames = self.ctx.shared.frames.lock().unwrap_or_else(PoisonError::into_inner);
            let mut changed = false;
            for (size, t) in made {
                if frames.get(&size).is_none_or(|old| old.etag != t.etag) {
                    changed = true;
                }
                etags.insert(size, t.etag.clone());
                frames.insert(size, t);
            }
            changed
        };
        if changed {
            let all = self.ctx.shared.frames.lock().unwrap_or_else(PoisonError::into_inner);
            for (size, t) in all.iter() {
                etags.entry(*size).or_insert_with(|| t.etag.clone());
            }
            drop(all);
            self.ctx.service.publish(ThumbEvent { id: self.ctx.id, etags });
        }
    }
}
