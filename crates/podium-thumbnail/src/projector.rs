//! One desktop shown full size to many viewers (the dashboard's "Project
//! my desktop"): captured once per change, encoded once, fanned out.
//!
//! Each VNC connection to an Xvnc costs its own encoding, and RFB's zlib
//! encodings keep state per connection, so thirty pupils as thirty VNC
//! viewers of the teacher's display would cost thirty encodes of every
//! change. A projector is one X client of the source display instead: it
//! sleeps until X DAMAGE says the screen changed, captures the whole
//! screen through MIT-SHM at most [`MAX_FPS`] times a second, encodes one
//! JPEG of it, and publishes that on a `watch` channel. Every frame is a
//! full picture, so a viewer that joins or reconnects needs nothing but
//! the latest one, and a slow viewer skips frames instead of queueing them
//! (the channel holds the latest only). The bytes are shared
//! ([`bytes::Bytes`]): thirty viewers cost thirty socket writes of the
//! same buffer, not thirty copies.
//!
//! Nobody subscribed means no capture: the thread ends when its last
//! receiver is gone, and a later viewer starts a new one.

use crate::capture::Rect;
use crate::display::{Display, open};
use crate::thumbnail::ThumbError;
use bytes::Bytes;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use podium_sys::turbojpeg::TurboJpeg;
use podium_x11::DisplayAccess;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::ConnectionExt as _;
use x11rb::protocol::xfixes::ConnectionExt as _;

/// The most frames a second a projection sends: smooth enough for a
/// teacher's pointer and scrolling text, and a bound on its CPU.
pub const MAX_FPS: u32 = 20;

/// JPEG quality of projected frames: text on a 1280×800 desktop stays
/// readable, and a frame is a third of quality 90's.
pub const QUALITY: u8 = 70;

/// The shortest time between two frames: a second over [`MAX_FPS`].
const FRAME_GAP: Duration = Duration::from_millis(50);

/// How often an idle projector looks whether anybody still watches.
const VIEWER_CHECK: Duration = Duration::from_millis(500);

/// One projected picture: a whole JPEG of the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The JPEG, shared by every viewer.
    pub jpeg: Bytes,
    /// The screen's width.
    pub width: u32,
    /// The screen's height.
    pub height: u32,
    /// Counts the frames of this projector, from 1.
    pub serial: u64,
}

/// What viewers receive: `None` until the first frame is made. The
/// channel closes when the projector ends (the display went away).
pub type Frames = watch::Receiver<Option<Frame>>;

struct Inner {
    /// The frames' sender, taken away when the thread ends, which closes
    /// every receiver. Subscribing and the thread's "anybody left?" check
    /// hold this lock, so a viewer never joins a projector that is ending.
    frames: Mutex<Option<watch::Sender<Option<Frame>>>>,
    made: AtomicU64,
}

impl Inner {
    fn frames(&self) -> MutexGuard<'_, Option<watch::Sender<Option<Frame>>>> {
        self.frames.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A capture thread of one display, for as long as somebody watches.
#[derive(Clone)]
pub struct Projector {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Projector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projector")
            .field("running", &self.is_running())
            .field("made", &self.frames_made())
            .finish()
    }
}

impl Projector {
    /// Starts projecting the display `access` reaches, for the viewer
    /// whose receiver this returns (and whoever [`Projector::subscribe`]s
    /// later). `name` is for the logs.
    ///
    /// # Errors
    /// When the capture thread cannot be started.
    pub fn start(access: DisplayAccess, name: String) -> Result<(Projector, Frames), ThumbError> {
        let (tx, rx) = watch::channel(None);
        let inner = Arc::new(Inner {
            frames: Mutex::new(Some(tx)),
            made: AtomicU64::new(0),
        });
        let thread = inner.clone();
        std::thread::Builder::new()
            .name(format!("project-{name}"))
            .spawn(move || run(&thread, &access, &name))
            .map_err(|e| ThumbError::Capture(format!("cannot start the projector: {e}")))?;
        Ok((Projector { inner }, rx))
    }

    /// Another viewer's frames, starting with the latest; `None` once the
    /// projector has ended (start another).
    #[must_use]
    pub fn subscribe(&self) -> Option<Frames> {
        self.inner.frames().as_ref().map(watch::Sender::subscribe)
    }

    /// Whether the capture thread still runs.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.inner.frames().is_some()
    }

    /// Frames encoded so far.
    #[must_use]
    pub fn frames_made(&self) -> u64 {
        self.inner.made.load(Ordering::Relaxed)
    }
}

/// The thread's body: captures until nobody watches or the display goes.
fn run(inner: &Inner, access: &DisplayAccess, name: &str) {
    let outcome = open(access).and_then(|d| {
        let jpeg = TurboJpeg::new().map_err(ThumbError::picture)?;
        tracing::debug!(session = name, shm = d.capturer.uses_shm(), "projecting");
        Capture {
            size: d.size,
            display: d,
            jpeg,
            dirty: true,
            last: None,
            subtracted: 0,
        }
        .run(inner)
    });
    if let Err(e) = outcome {
        tracing::warn!(session = name, "projection stopped: {e}");
    }
    // Closes every receiver: their viewers learn the picture is gone.
    inner.frames().take();
    tracing::debug!(session = name, "projector ended");
}

struct Capture {
    display: Display,
    jpeg: TurboJpeg,
    size: (u32, u32),
    /// Something changed since the last frame.
    dirty: bool,
    last: Option<Instant>,
    /// The sequence number of the last frame's damage subtraction: a
    /// damage event the X server sent before it is in that frame already.
    subtracted: u16,
}

impl Capture {
    fn run(&mut self, inner: &Inner) -> Result<(), ThumbError> {
        let result = self.frames(inner);
        let conn = &self.display.conn;
        let _ = conn.damage_destroy(self.display.damage);
        let _ = conn.xfixes_destroy_region(self.display.region);
        let _ = conn.flush();
        result
    }

    fn frames(&mut self, inner: &Inner) -> Result<(), ThumbError> {
        loop {
            {
                let mut frames = inner.frames();
                if frames.as_ref().is_none_or(|tx| tx.receiver_count() == 0) {
                    frames.take();
                    return Ok(());
                }
            }
            let mut timeout = VIEWER_CHECK;
            if self.dirty {
                let since = self.last.map_or(FRAME_GAP, |t| t.elapsed());
                if since >= FRAME_GAP {
                    self.frame(inner)?;
                    continue;
                }
                timeout = timeout.min(FRAME_GAP - since);
            }
            if !self.wait(timeout) {
                return Err(ThumbError::X("the display closed".into()));
            }
        }
    }

    /// Captures and publishes one frame.
    fn frame(&mut self, inner: &Inner) -> Result<(), ThumbError> {
        // Taken before the capture: a change made during it brings another.
        let cookie = self
            .display
            .conn
            .damage_subtract(self.display.damage, x11rb::NONE, x11rb::NONE)
            .map_err(ThumbError::x)?;
        // X carries the low 16 bits of a request's number in its events.
        self.subtracted = u16::try_from(cookie.sequence_number() & 0xffff).unwrap_or(0);
        self.dirty = false;
        self.last = Some(Instant::now());
        let (w, h) = self.size;
        if w == 0 || h == 0 || w > 65_500 || h > 65_500 {
            return Ok(());
        }
        let pixels = self
            .display
            .capturer
            .grab_rect(&self.display.conn, Rect::screen(w, h), (w, h))?;
        let (wu, hu) = (
            usize::try_from(w).map_err(ThumbError::picture)?,
            usize::try_from(h).map_err(ThumbError::picture)?,
        );
        let jpeg = self
            .jpeg
            .compress_bgrx(&pixels.data, wu, wu * 4, hu, QUALITY)
            .map_err(ThumbError::picture)?;
        let serial = inner.made.fetch_add(1, Ordering::Relaxed) + 1;
        let frame = Frame {
            jpeg: Bytes::from(jpeg),
            width: w,
            height: h,
            serial,
        };
        if let Some(tx) = inner.frames().as_ref() {
            tx.send_replace(Some(frame));
        }
        Ok(())
    }

    /// Sleeps until the display says something or `timeout` passes. False
    /// when the connection is gone.
    fn wait(&mut self, timeout: Duration) -> bool {
        let was_dirty = self.dirty;
        if !self.drain() {
            return false;
        }
        if !was_dirty && self.dirty {
            return true;
        }
        let ms = u16::try_from(timeout.as_micros().div_ceil(1000)).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.display.conn.stream().as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(ms)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return false,
        }
        self.drain()
    }

    /// Reads every waiting event: damage marks the screen changed and
    /// gives its size now.
    fn drain(&mut self) -> bool {
        loop {
            match self.display.conn.poll_for_event() {
                Ok(Some(Event::DamageNotify(e))) => {
                    self.size = (u32::from(e.geometry.width), u32::from(e.geometry.height));
                    // Sent before the last subtraction was done: that
                    // change is in the last frame.
                    let before = self.subtracted.wrapping_sub(e.sequence);
                    if self.last.is_none() || before == 0 || before >= 0x8000 {
                        self.dirty = true;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }
}
