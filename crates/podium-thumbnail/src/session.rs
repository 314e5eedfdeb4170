//! One session's capture thread: an X client of its display that sleeps
//! until DAMAGE says the screen changed, and captures at most once per
//! interval while somebody watches (or once when a picture is asked for).
//!
//! It keeps each thumbnail's pixels between captures and remakes only the
//! parts the changes since the last capture reach: at each capture the X
//! server hands over the changed region (DAMAGE into an XFixes region),
//! only its rectangles are copied out of the X server and scaled, and the
//! kept picture is encoded again where it changed ([`crate::strips`]).
//!
//! The screen may change size at any time (a station follows its browser
//! window): the root window's `ConfigureNotify`, or a DAMAGE event's
//! geometry, gives the new size, and the kept pictures are made again
//! whole, with the new aspect ratio. A capture that the resize overtook
//! (its parts now off the screen) is taken again at the new size.

use crate::capture::Rect;
use crate::display::{Display, open};
use crate::encode::{self, Encoder};
use crate::hub::Hub;
use crate::scale::{self, Scaled, Scaler};
use crate::shared::Shared;
use crate::size::Size;
use crate::strips::Strips;
use crate::thumbnail::{Request, ThumbError, ThumbEvent, Thumbnail};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use podium_core::SessionId;
use podium_x11::DisplayAccess;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::ConnectionExt as _;
use x11rb::protocol::xfixes::ConnectionExt as _;

/// A change whose bounding box covers at most this fraction of the screen
/// is captured as that box, without asking the X server for its shape.
const SMALL_CHANGE: u64 = 16;
/// More separate changed parts than this are remade as one (their
/// bounding box): a round trip to the X server each costs more than the
/// pixels between them.
const MOST_PARTS: usize = 6;

/// A poll timeout for `left`, rounded up to whole milliseconds: rounded
/// down, the last fraction of a millisecond before a capture is due would
/// be a poll that returns at once, again and again.
fn until_due(left: Duration) -> PollTimeout {
    let ms = left.as_micros().div_ceil(1000);
    u16::try_from(ms).map_or(PollTimeout::MAX, PollTimeout::from)
}

/// Everything the thread needs.
pub(crate) struct Context {
    pub id: SessionId,
    pub owner: u32,
    pub access: DisplayAccess,
    pub shared: Arc<Shared>,
    pub requests: std::sync::mpsc::Receiver<Request>,
    pub wake: UnixStream,
    pub hub: Arc<Hub>,
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
                    answer_all(&ctx, &Err(ThumbError::Capture(e.to_string())));
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
            answer_all(&ctx, &Err(ThumbError::Capture(e.to_string())));
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
        kept: HashMap::new(),
        changed: Rect::default(),
    };
    worker.ctx.shared.dirty.store(true, Ordering::SeqCst);
    worker.run();
}

fn answer_all(ctx: &Context, result: &Result<Thumbnail, ThumbError>) {
    while let Ok(r) = ctx.requests.try_recv() {
        let _ = r.reply.send(result.clone());
    }
}

/// One part of one size's thumbnail to remake at a capture.
struct Plan {
    /// The size.
    size: Size,
    /// Its pixel size on this screen.
    dims: (u32, u32),
    /// Whether its picture is kept (else it is made whole).
    kept: bool,
    /// The part of the thumbnail to remake.
    dst: Rect,
    /// Which of the capture's screen parts it is made from.
    source: usize,
}

/// A capture that went wrong, in words for whoever asked.
fn capture_error(e: &dyn std::fmt::Display) -> ThumbError {
    ThumbError::Capture(e.to_string())
}

struct Worker {
    ctx: Context,
    display: Display,
    scaler: Scaler,
    encoder: Encoder,
    last: Option<Instant>,
    /// The screen's size, as the last DAMAGE or root `ConfigureNotify`
    /// event gave it.
    screen: (u32, u32),
    /// Each size's pixels as last made, remade in part after a change.
    kept: HashMap<Size, (Scaled, Strips)>,
    /// The bounding box of what changed since the last capture, as the
    /// DAMAGE events told it.
    changed: Rect,
}

impl Worker {
    fn run(&mut self) {
        let interval = self.ctx.hub.interval();
        loop {
            if self.ctx.shared.stop.load(Ordering::SeqCst) {
                let _ = self.display.conn.damage_destroy(self.display.damage);
                let _ = self.display.conn.xfixes_destroy_region(self.display.region);
                let _ = self.display.conn.flush();
                return;
            }
            let pending: Vec<Request> = self.ctx.requests.try_iter().collect();
            if !pending.is_empty() {
                let missing = pending.iter().any(|r| self.ctx.shared.frame(r.size).is_none());
                if (self.ctx.shared.is_dirty() || missing)
                    && let Err(e) = self.capture()
                {
                    for r in pending {
                        let _ = r.reply.send(Err(e.clone()));
                    }
                    continue;
                }
                for r in pending {
                    let _ = r
                        .reply
                        .send(self.ctx.shared.frame(r.size).ok_or(ThumbError::NoDisplay(self.ctx.id)));
                }
            }
            let mut timeout = PollTimeout::NONE;
            if self.ctx.shared.is_dirty() && self.ctx.hub.is_watched(self.ctx.owner) {
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
                timeout = until_due(interval - since);
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
                Ok(Some(Event::ConfigureNotify(c))) if c.window == self.display.root => {
                    self.resized((u32::from(c.width), u32::from(c.height)));
                }
                Ok(Some(Event::DamageNotify(e))) => {
                    let screen = (u32::from(e.geometry.width), u32::from(e.geometry.height));
                    self.resized(screen);
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

    /// The screen is now `screen` in size: every kept picture has the old
    /// shape, and the whole screen is to be captured again.
    fn resized(&mut self, screen: (u32, u32)) {
        if screen == self.screen {
            return;
        }
        tracing::debug!(
            session = self.ctx.id,
            width = screen.0,
            height = screen.1,
            "the screen was resized"
        );
        self.screen = screen;
        self.kept.clear();
        self.changed = Rect::screen(screen.0, screen.1);
        self.display.capturer.screen_resized(&self.display.conn, screen);
        self.ctx.shared.dirty.store(true, Ordering::SeqCst);
    }

    /// The changed rectangles since the last capture, taken out of the X
    /// server's damage (so a change during this capture raises a new event
    /// and brings another capture). A small bounding box is taken as it
    /// is; a large one may hold changes far apart (a clock in one corner,
    /// a cursor in another), so the X server is asked for the region itself.
    fn take_damage(&mut self) -> Result<Vec<Rect>, ThumbError> {
        let bbox = std::mem::take(&mut self.changed);
        let conn = &self.display.conn;
        let screen = u64::from(self.screen.0) * u64::from(self.screen.1);
        if !bbox.is_empty() && bbox.area() <= screen / SMALL_CHANGE {
            conn.damage_subtract(self.display.damage, x11rb::NONE, x11rb::NONE)
                .map_err(|e| capture_error(&e))?;
            return Ok(vec![bbox]);
        }
        conn.damage_subtract(self.display.damage, x11rb::NONE, self.display.region)
            .map_err(|e| capture_error(&e))?;
        let reply = conn
            .xfixes_fetch_region(self.display.region)
            .map_err(|e| capture_error(&e))?
            .reply()
            .map_err(|e| capture_error(&e))?;
        Ok(reply
            .rectangles
            .iter()
            .map(|r| {
                Rect {
                    x: u32::try_from(r.x).unwrap_or(0),
                    y: u32::try_from(r.y).unwrap_or(0),
                    w: u32::from(r.width),
                    h: u32::from(r.height),
                }
                .clamp(self.screen.0, self.screen.1)
            })
            .filter(|r| !r.is_empty())
            .collect())
    }

    /// Captures what changed; when the screen changed size under the
    /// capture, once more at its new size.
    fn capture(&mut self) -> Result<(), ThumbError> {
        let before = self.screen;
        match self.capture_once() {
            Err(ThumbError::NotNow(why)) if self.screen != before => {
                tracing::debug!(session = self.ctx.id, "capture overtaken by a resize ({why}); again");
                self.capture_once()
            }
            r => r,
        }
    }

    fn capture_once(&mut self) -> Result<(), ThumbError> {
        let changed = self.take_damage()?;
        self.ctx.shared.dirty.store(false, Ordering::SeqCst);
        let sizes = self.ctx.shared.wanted(&self.ctx.hub.pushed_sizes());
        self.forget_unwanted(&sizes);
        self.last = Some(Instant::now());
        let (plans, sources) = self.plan(&sizes, &changed);
        if plans.is_empty() {
            return Ok(());
        }
        let rows = self.remake(plans, &sources)?;
        let mut made = Vec::new();
        for (size, rows) in rows {
            let (picture, strips) = self
                .kept
                .get_mut(&size)
                .ok_or_else(|| capture_error(&"kept picture lost"))?;
            let jpeg = strips
                .update(&mut self.encoder, picture, rows)
                .map_err(|e| capture_error(&e))?;
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

    /// Each size's parts to remake (all of it for a size not kept yet),
    /// and the screen parts they are made from, each asked for once.
    fn plan(&self, sizes: &[Size], changed: &[Rect]) -> (Vec<Plan>, Vec<Rect>) {
        let screen = self.screen;
        let mut plans = Vec::new();
        let mut sources: Vec<Rect> = Vec::new();
        for &size in sizes {
            let dims = size.dimensions(screen.0, screen.1);
            let kept = self.kept.get(&size).is_some_and(|(k, _)| (k.width, k.height) == dims);
            let parts = if kept {
                scale::parts(changed, screen, dims, MOST_PARTS)
            } else {
                vec![Rect::screen(dims.0, dims.1)]
            };
            for dst in parts {
                let src = if kept {
                    scale::source(dst, screen, dims)
                } else {
                    Rect::screen(screen.0, screen.1)
                };
                let source = sources.iter().position(|s| *s == src).unwrap_or_else(|| {
                    sources.push(src);
                    sources.len() - 1
                });
                plans.push(Plan {
                    size,
                    dims,
                    kept,
                    dst,
                    source,
                });
            }
        }
        (plans, sources)
    }

    /// Copies `sources` out of the X server and scales them into the kept
    /// pictures as `plans` say; returns the strips of each size it changed.
    fn remake(&mut self, plans: Vec<Plan>, sources: &[Rect]) -> Result<HashMap<Size, BTreeSet<u32>>, ThumbError> {
        let screen = self.screen;
        let pixels = match self.display.capturer.grab_rects(&self.display.conn, sources, screen) {
            Ok(p) => p,
            Err(e @ ThumbError::TooLarge { .. }) => {
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
            Err(e) => {
                // Parts asked for off a screen that just shrank fail; the
                // resize's event may still be on its way.
                if let Ok(now) = self.display.capturer.screen_size(&self.display.conn)
                    && now != screen
                {
                    self.resized(now);
                    return Err(ThumbError::NotNow(format!(
                        "the screen was resized during the capture: {e}"
                    )));
                }
                return Err(capture_error(&e));
            }
        };
        self.ctx.hub.count_capture();
        self.ctx.hub.count_pixels(sources.iter().map(|r| r.area()).sum());
        let mut rows: HashMap<Size, BTreeSet<u32>> = HashMap::new();
        for p in plans {
            let (src, px) = (sources[p.source], &pixels[p.source]);
            if p.kept {
                let (picture, _) = self
                    .kept
                    .get_mut(&p.size)
                    .ok_or_else(|| capture_error(&"kept picture lost"))?;
                self.scaler
                    .scale_into(px, src, screen, picture, p.dst)
                    .map_err(|e| capture_error(&e))?;
            } else {
                let whole = self
                    .scaler
                    .scale(px, p.dims.0, p.dims.1)
                    .map_err(|e| capture_error(&e))?;
                self.kept.insert(p.size, (whole, Strips::default()));
            }
            rows.entry(p.size)
                .or_default()
                .extend(Strips::covering(p.dst.y, p.dst.y + p.dst.h));
        }
        Ok(rows)
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

    /// Stores new pictures and, if any differs, tells the watchers (with
    /// the pictures, for the streams that push them).
    fn publish(&self, made: Vec<(Size, Thumbnail)>) {
        let mut event = ThumbEvent {
            id: self.ctx.id,
            etags: BTreeMap::new(),
            pictures: BTreeMap::new(),
        };
        let mut frames = self.ctx.shared.frames.lock().unwrap_or_else(PoisonError::into_inner);
        for (size, t) in made {
            if frames.get(&size).is_none_or(|old| old.etag != t.etag) {
                event.etags.insert(size, t.etag.clone());
                event.pictures.insert(size, t.clone());
            }
            frames.insert(size, t);
        }
        drop(frames);
        if !event.etags.is_empty() {
            self.ctx.hub.publish(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_due_in_a_fraction_of_a_millisecond_is_waited_for_not_spun_for() {
        assert_eq!(until_due(Duration::from_micros(300)), PollTimeout::from(1u16));
        assert_eq!(until_due(Duration::from_micros(98_001)), PollTimeout::from(99u16));
        assert_eq!(until_due(Duration::from_millis(98)), PollTimeout::from(98u16));
        assert_eq!(until_due(Duration::ZERO), PollTimeout::ZERO);
    }
}
