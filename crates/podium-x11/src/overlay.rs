//! The window every on-screen notice lives in, and the thread that keeps
//! it there.
//!
//! An overlay is an override-redirect window on its own X connection: the
//! user's window manager neither frames, moves nor closes it. Applications
//! can still map windows over it, so it is put back on top — *restacked* —
//! periodically or, for the block, as soon as another window maps or moves.
//! Podium's own overlays are stacked by [`Layer`] (a message under a block
//! under a log-off warning); each one marks its window with its layer, and
//! an overlay that finds a higher one above it stays just below, so two
//! overlays never fight over the top.

use crate::access::DisplayAccess;
use crate::canvas::{Canvas, Rgb};
use crate::error::Result;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::errors::ReplyOrIdError;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ChangeWindowAttributesAux, ConfigureWindowAux, ConnectionExt, CreateGCAux, CreateWindowAux,
    EventMask, Gcontext, PropMode, StackMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// Where an overlay sits among Podium's overlays, bottom to top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// A message from a teacher: above applications.
    Message = 1,
    /// The block notice: above messages, covering everything else.
    Block = 2,
    /// The bar saying who watches the desktop: a blocked pupil is watched too.
    Watched = 3,
    /// The log-off warning: even a blocked user sees their session is ending.
    Warning = 4,
}

/// The property on an overlay's window that holds its [`Layer`].
const LAYER_PROPERTY: &[u8] = b"_PODIUM_OVERLAY_LAYER";

/// How often an overlay restacks itself without being asked to.
const RESTACK_EVERY: Duration = Duration::from_millis(500);

/// The shortest time between two restacks, so a program that raises
/// itself whenever it is covered cannot make us spin.
const RESTACK_AT_MOST_EVERY: Duration = Duration::from_millis(20);

/// A rectangle on the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: i16,
    /// Top edge.
    pub y: i16,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
}

impl Rect {
    /// Whether (x, y) is inside.
    #[must_use]
    pub fn contains(&self, x: i32, y: i32) -> bool {
        let (left, top) = (i32::from(self.x), i32::from(self.y));
        x >= left && y >= top && x < left + i32::from(self.width) && y < top + i32::from(self.height)
    }

    /// A `width`×`height` rectangle centred on a screen of `screen` size.
    #[must_use]
    pub fn centred(screen: (u16, u16), width: u16, height: u16) -> Rect {
        let (width, height) = (width.min(screen.0), height.min(screen.1));
        Rect {
            x: i16::try_from((screen.0 - width) / 2).unwrap_or(0),
            y: i16::try_from((screen.1 - height) / 2).unwrap_or(0),
            width,
            height,
        }
    }
}

/// What an overlay's window is.
pub(crate) struct Spec<'a> {
    /// Its `WM_NAME`, to find it with `xwininfo` or in tests.
    pub name: &'a str,
    pub layer: Layer,
    /// Shown where nothing is drawn yet.
    pub background: Rgb,
    /// Where it goes, given the screen's size.
    pub geometry: &'a dyn Fn((u16, u16)) -> Rect,
    /// Events wanted on the window.
    pub events: EventMask,
    /// Events wanted on the root window.
    pub root_events: EventMask,
    /// Whether to show it at once.
    pub mapped: bool,
}

/// An overlay's window and connection. Dropping it destroys the window.
pub(crate) struct Overlay {
    pub conn: RustConnection,
    pub window: Window,
    pub root: Window,
    /// The screen's size, kept up to date by [`Overlay::screen_resized`].
    pub screen: (u16, u16),
    /// The window's place and size.
    pub geometry: Rect,
    gc: Gcontext,
    depth: u8,
    layer: Layer,
    layer_atom: Atom,
    mapped: bool,
    last_restack: Instant,
    restack_wanted: bool,
}

impl Overlay {
    /// Creates the window (mapped or not) and draws nothing yet.
    pub fn open(access: &DisplayAccess, spec: &Spec<'_>) -> Result<Overlay> {
        let conn = access.connect()?;
        let e = |err: &dyn std::fmt::Display| access.error(err);
        let screen = conn.setup().roots.first().ok_or_else(|| e(&"no screen"))?.clone();
        let size = (screen.width_in_pixels, screen.height_in_pixels);
        let geometry = (spec.geometry)(size);
        let layer_atom = conn
            .intern_atom(false, LAYER_PROPERTY)
            .map_err(|x| e(&x))?
            .reply()
            .map_err(|x| e(&x))?
            .atom;
        let window = conn.generate_id().map_err(|x| e(&x))?;
        let aux = CreateWindowAux::new()
            .override_redirect(1)
            .background_pixel(spec.background)
            .border_pixel(spec.background)
            .event_mask(spec.events);
        conn.create_window(
            screen.root_depth,
            window,
            screen.root,
            geometry.x,
            geometry.y,
            geometry.width.max(1),
            geometry.height.max(1),
            0,
            WindowClass::INPUT_OUTPUT,
            screen.root_visual,
            &aux,
        )
        .map_err(|x| e(&x))?;
        conn.change_property8(
            PropMode::REPLACE,
            window,
            AtomEnum::WM_NAME,
            AtomEnum::STRING,
            spec.name.as_bytes(),
        )
        .map_err(|x| e(&x))?;
        conn.change_property32(
            PropMode::REPLACE,
            window,
            layer_atom,
            AtomEnum::CARDINAL,
            &[spec.layer as u32],
        )
        .map_err(|x| e(&x))?;
        if spec.root_events != EventMask::NO_EVENT {
            conn.change_window_attributes(
                screen.root,
                &ChangeWindowAttributesAux::new().event_mask(spec.root_events),
            )
            .map_err(|x| e(&x))?;
        }
        let gc = conn.generate_id().map_err(|x| e(&x))?;
        conn.create_gc(gc, window, &CreateGCAux::new()).map_err(|x| e(&x))?;
        if spec.mapped {
            conn.map_window(window).map_err(|x| e(&x))?;
        }
        // A round trip, so a refused request shows up here and not later.
        conn.get_input_focus().map_err(|x| e(&x))?.reply().map_err(|x| e(&x))?;
        Ok(Overlay {
            conn,
            window,
            root: screen.root,
            screen: size,
            geometry,
            gc,
            depth: screen.root_depth,
            layer: spec.layer,
            layer_atom,
            mapped: spec.mapped,
            last_restack: Instant::now(),
            restack_wanted: spec.mapped,
        })
    }

    /// Draws `canvas` at the window's top left corner.
    pub fn put(&self, canvas: &Canvas) -> bool {
        self.put_at(canvas, (0, 0))
    }

    /// Draws `canvas` with its top left corner at `at` in the window.
    pub fn put_at(&self, canvas: &Canvas, at: (i16, i16)) -> bool {
        canvas.put(&self.conn, self.window, self.gc, self.depth, at).is_ok() && self.conn.flush().is_ok()
    }

    /// Paints the whole window in its background colour (the X server does
    /// the painting, whatever the window's size).
    pub fn clear(&self) -> bool {
        self.conn.clear_area(false, self.window, 0, 0, 0, 0).is_ok() && self.conn.flush().is_ok()
    }

    /// Moves and resizes the window.
    pub fn set_geometry(&mut self, r: Rect) -> bool {
        if r == self.geometry {
            return true;
        }
        self.geometry = r;
        let aux = ConfigureWindowAux::new()
            .x(i32::from(r.x))
            .y(i32::from(r.y))
            .width(u32::from(r.width.max(1)))
            .height(u32::from(r.height.max(1)));
        self.conn.configure_window(self.window, &aux).is_ok() && self.conn.flush().is_ok()
    }

    /// Shows or hides the window.
    pub fn set_mapped(&mut self, mapped: bool) -> bool {
        if mapped == self.mapped {
            return true;
        }
        self.mapped = mapped;
        let sent = if mapped {
            self.restack_wanted = true;
            self.conn.map_window(self.window).is_ok()
        } else {
            self.conn.unmap_window(self.window).is_ok()
        };
        sent && self.conn.flush().is_ok()
    }

    /// Whether the window is shown.
    pub fn mapped(&self) -> bool {
        self.mapped
    }

    /// Handles a change of the root window's size; true if it was one.
    pub fn screen_resized(&mut self, event: &Event) -> bool {
        match event {
            Event::ConfigureNotify(c) if c.window == self.root => {
                let size = (c.width, c.height);
                let changed = size != self.screen;
                self.screen = size;
                changed
            }
            _ => false,
        }
    }

    /// Whether `event` may have put another window above ours (with
    /// `SUBSTRUCTURE_NOTIFY` selected on the root window).
    pub fn covered_by(&self, event: &Event) -> bool {
        match event {
            Event::MapNotify(m) => m.window != self.window,
            Event::ConfigureNotify(c) => c.window != self.window && c.window != self.root,
            Event::CirculateNotify(c) => c.window != self.window,
            Event::ReparentNotify(r) => r.window != self.window && r.parent == self.root,
            _ => false,
        }
    }

    /// Asks for a restack as soon as allowed.
    pub fn want_restack(&mut self) {
        self.restack_wanted = true;
    }

    /// Restacks if one was asked for, or if [`RESTACK_EVERY`] has passed.
    /// False when the connection is gone.
    pub fn keep_on_top(&mut self) -> bool {
        let since = self.last_restack.elapsed();
        let due = since >= RESTACK_EVERY || (self.restack_wanted && since >= RESTACK_AT_MOST_EVERY);
        if !due || !self.mapped {
            return true;
        }
        self.last_restack = Instant::now();
        self.restack_wanted = false;
        self.restack().is_ok()
    }

    /// Puts the window directly below the lowest Podium overlay of a layer
    /// at least as high as ours that is above it, or on top if there is
    /// none; does nothing when it is there already, so that restacking
    /// never causes more restacking.
    fn restack(&self) -> std::result::Result<(), ReplyOrIdError> {
        let tree = self.conn.query_tree(self.root)?.reply()?;
        let Some(position) = tree.children.iter().position(|w| *w == self.window) else {
            return Ok(());
        };
        let above = &tree.children[position + 1..];
        if above.is_empty() {
            return Ok(());
        }
        let cookies = above
            .iter()
            .map(|w| {
                self.conn
                    .get_property(false, *w, self.layer_atom, AtomEnum::CARDINAL, 0, 1)
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut ceiling = None;
        for (w, cookie) in above.iter().zip(cookies) {
            // A window may be gone since the tree was read: it has no layer.
            let layer = cookie.reply().ok().and_then(|r| r.value32().and_then(|mut v| v.next()));
            if ceiling.is_none() && layer.is_some_and(|l| l >= self.layer as u32) {
                ceiling = Some(*w);
            }
        }
        let aux = match ceiling {
            Some(c) if above.first() == Some(&c) => return Ok(()),
            Some(c) => ConfigureWindowAux::new().sibling(c).stack_mode(StackMode::BELOW),
            None => ConfigureWindowAux::new().stack_mode(StackMode::ABOVE),
        };
        self.conn.configure_window(self.window, &aux)?;
        self.conn.flush()?;
        Ok(())
    }

    /// The events that have arrived, waiting up to `max` (less if a
    /// restack is due sooner) for the first. `None` when the connection is
    /// gone.
    pub fn events(&self, max: Duration) -> Option<Vec<Event>> {
        let mut events = self.drain()?;
        if events.is_empty() {
            let until_restack = if self.restack_wanted {
                RESTACK_AT_MOST_EVERY.saturating_sub(self.last_restack.elapsed())
            } else {
                RESTACK_EVERY.saturating_sub(self.last_restack.elapsed())
            };
            let timeout = max.min(until_restack);
            let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
            let mut fds = [PollFd::new(self.conn.stream().as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::from(ms)) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(_) => return None,
            }
            events = self.drain()?;
        }
        Some(events)
    }

    fn drain(&self) -> Option<Vec<Event>> {
        let mut events = Vec::new();
        loop {
            match self.conn.poll_for_event() {
                Ok(Some(e)) => events.push(e),
                Ok(None) => return Some(events),
                Err(_) => return None,
            }
        }
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = self.conn.destroy_window(self.window);
        let _ = self.conn.flush();
        // A round trip, so the window is gone when the caller goes on.
        let _ = self.conn.get_input_focus().map(|c| c.reply());
    }
}

/// The thread that runs an overlay. Dropping it (or [`Runner::stop`])
/// stops the thread and waits for it, which takes the window away.
pub(crate) struct Runner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Runner {
    /// Runs `body` on a thread named `name`; `body` returns when the flag
    /// it is given becomes true.
    pub fn spawn(
        access: &DisplayAccess,
        name: &str,
        body: impl FnOnce(&AtomicBool) + Send + 'static,
    ) -> Result<Runner> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("{name} {}", access.name()))
            .spawn(move || body(&flag))
            .map_err(|e| access.error(e))?;
        Ok(Runner {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits until it is done.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Whether the thread is still running (its display may have gone).
    pub fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_are_centred_and_hit_tested() {
        let r = Rect::centred((1280, 800), 600, 300);
        assert_eq!(
            r,
            Rect {
                x: 340,
                y: 250,
                width: 600,
                height: 300
            }
        );
        assert!(r.contains(340, 250) && r.contains(939, 549));
        assert!(!r.contains(940, 300) && !r.contains(339, 300) && !r.contains(400, 550));
        // Larger than the screen: clamped to it.
        assert_eq!(
            Rect::centred((300, 200), 600, 300),
            Rect {
                x: 0,
                y: 0,
                width: 300,
                height: 200
            }
        );
    }

    #[test]
    fn layers_go_message_block_warning() {
        assert!(Layer::Message < Layer::Block && Layer::Block < Layer::Warning);
        assert!(Layer::Block < Layer::Watched && Layer::Watched < Layer::Warning);
    }
}
