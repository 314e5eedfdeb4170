//! Messages from a teacher on a session's screen, one at a time, until the
//! user presses OK.
//!
//! The caller owns the queue: [`MessageBox::update`] gives it the messages
//! still to be read and the box shows the first; when the user clicks OK
//! (or presses Return or space with the pointer over the box) the box sends
//! that message's id on its dismissal channel and waits for the caller's
//! next `update`. The box is a centred override-redirect card above
//! applications and below a block notice ([`crate::overlay::Layer`]).
//! While the pointer is over it, it holds the keyboard (an override-redirect
//! window is never given the focus), so Return reaches it and not the
//! application behind.

use crate::access::DisplayAccess;
use crate::canvas::fonts;
use crate::error::Result;
use crate::lang::Lang;
use crate::message_card::MAX_WIDTH;
pub use crate::message_card::{ButtonState, Layout, QueuedMessage, layout, position, render, sent_ago, title};
use crate::overlay::{Layer, Overlay, Rect, Runner, Spec};
use crate::palette::BACKGROUND;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{ConnectionExt, EventMask, GrabMode, NotifyDetail, Time};

/// A message must be on screen this long before OK counts, so a double
/// click or a held-down Return does not skip the next one unread.
const READ_AT_LEAST: Duration = Duration::from_millis(300);

/// Return, keypad Enter and space.
const OK_KEYSYMS: [u32; 3] = [0xff0d, 0xff8d, 0x0020];

struct Queue {
    generation: u64,
    messages: Vec<QueuedMessage>,
}

/// Messages on a display. Dropping it (or [`MessageBox::close`]) takes the
/// box away.
pub struct MessageBox {
    queue: Arc<Mutex<Queue>>,
    dismissals: Mutex<Option<UnboundedReceiver<u64>>>,
    runner: Runner,
}

impl std::fmt::Debug for MessageBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageBox").finish_non_exhaustive()
    }
}

impl MessageBox {
    /// Opens the box on the display, showing the first of `messages` (or
    /// nothing yet if there are none). Blocking: returns once the window
    /// exists, so a display that cannot be reached is an error.
    ///
    /// # Errors
    /// When the display cannot be reached.
    pub fn show(access: &DisplayAccess, lang: Lang, messages: Vec<QueuedMessage>) -> Result<MessageBox> {
        let overlay = Overlay::open(
            access,
            &Spec {
                name: "Podium message",
                layer: Layer::Message,
                background: BACKGROUND,
                geometry: &|screen| Rect::centred(screen, MAX_WIDTH, 200),
                events: EventMask::EXPOSURE
                    | EventMask::BUTTON_PRESS
                    | EventMask::BUTTON_RELEASE
                    | EventMask::KEY_PRESS
                    | EventMask::ENTER_WINDOW
                    | EventMask::LEAVE_WINDOW,
                root_events: EventMask::STRUCTURE_NOTIFY,
                mapped: false,
            },
        )?;
        let queue = Arc::new(Mutex::new(Queue {
            generation: 1,
            messages,
        }));
        let (tx, rx) = unbounded_channel();
        let shared = queue.clone();
        let runner = Runner::spawn(access, "messages", move |stop| {
            Shown::new(overlay, lang, tx).run(stop, &shared);
        })?;
        Ok(MessageBox {
            queue,
            dismissals: Mutex::new(Some(rx)),
            runner,
        })
    }

    /// The queue changed: show its first message, or hide the box when it
    /// is empty (within 100 ms).
    pub fn update(&self, messages: Vec<QueuedMessage>) {
        if let Ok(mut q) = self.queue.lock() {
            q.generation = q.generation.wrapping_add(1);
            q.messages = messages;
        }
    }

    /// The ids of the messages the user dismissed, in order, as they are
    /// dismissed; the receiver ends when the box is gone (closed, or its
    /// display ended). There is one such receiver: the first call takes
    /// it, and later calls get one that ends at once.
    pub fn dismissed(&self) -> UnboundedReceiver<u64> {
        self.dismissals
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .unwrap_or_else(|| unbounded_channel().1)
    }

    /// Whether the box still runs (false once its display is gone).
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.runner.running()
    }

    /// Takes the box away and waits until it is gone.
    pub fn close(mut self) {
        self.runner.stop();
    }
}

/// The keycodes that type one of [`OK_KEYSYMS`].
fn ok_keycodes(conn: &impl Connection) -> Vec<u8> {
    let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
    let Some(map) = conn
        .get_keyboard_mapping(min, max.saturating_sub(min).saturating_add(1))
        .ok()
        .and_then(|c| c.reply().ok())
    else {
        return Vec::new();
    };
    let per = usize::from(map.keysyms_per_keycode);
    if per == 0 {
        return Vec::new();
    }
    map.keysyms
        .chunks(per)
        .zip(min..=max)
        .filter(|(syms, _)| syms.iter().any(|s| OK_KEYSYMS.contains(s)))
        .map(|(_, code)| code)
        .collect()
}

/// The box's thread: what is on screen and how it reacts.
struct Shown {
    o: Overlay,
    lang: Lang,
    tx: UnboundedSender<u64>,
    generation: u64,
    first: Option<QueuedMessage>,
    count: usize,
    layout: Option<Layout>,
    since: Instant,
    held: bool,
    awaiting: Option<u64>,
    keys: Vec<u8>,
    grabbed: bool,
}

impl Shown {
    fn new(o: Overlay, lang: Lang, tx: UnboundedSender<u64>) -> Shown {
        let keys = ok_keycodes(&o.conn);
        Shown {
            o,
            lang,
            tx,
            generation: 0,
            first: None,
            count: 0,
            layout: None,
            since: Instant::now(),
            held: false,
            awaiting: None,
            keys,
            grabbed: false,
        }
    }

    fn run(mut self, stop: &AtomicBool, queue: &Mutex<Queue>) {
        let mut redraw = false;
        while !stop.load(Ordering::SeqCst) {
            self.take_queue(queue);
            if !self.refresh(redraw) || !self.o.keep_on_top() {
                return;
            }
            let Some(events) = self.o.events(Duration::from_millis(100)) else {
                return;
            };
            redraw = false;
            for e in &events {
                redraw |= self.handle(e);
            }
        }
        self.ungrab();
    }

    /// Takes the caller's queue if it changed.
    fn take_queue(&mut self, queue: &Mutex<Queue>) {
        let Ok(q) = queue.lock() else {
            return;
        };
        if q.generation == self.generation {
            return;
        }
        self.generation = q.generation;
        let first = q.messages.first().cloned();
        self.count = q.messages.len();
        drop(q);
        let id = first.as_ref().map(|m| m.id);
        if id != self.first.as_ref().map(|m| m.id) {
            self.since = Instant::now();
            self.held = false;
        }
        if id != self.awaiting {
            self.awaiting = None;
        }
        self.first = first;
        self.layout = None;
    }

    /// Reacts to one event; true if the card must be drawn again.
    fn handle(&mut self, e: &Event) -> bool {
        if self.o.screen_resized(e) {
            self.layout = None;
            return true;
        }
        match e {
            Event::Expose(x) => x.count == 0,
            Event::MappingNotify(_) => {
                self.keys = ok_keycodes(&self.o.conn);
                false
            }
            Event::EnterNotify(x) if x.detail != NotifyDetail::INFERIOR => {
                self.grab();
                false
            }
            Event::LeaveNotify(x) if x.detail != NotifyDetail::INFERIOR => {
                self.ungrab();
                false
            }
            Event::ButtonPress(b) if b.detail == 1 => {
                let on_button = self.on_button(b.event_x, b.event_y);
                let changed = on_button != self.held;
                self.held = on_button;
                changed
            }
            Event::ButtonRelease(b) if b.detail == 1 => {
                let was_held = std::mem::take(&mut self.held);
                if was_held && self.on_button(b.event_x, b.event_y) {
                    self.dismiss();
                }
                true
            }
            Event::KeyPress(k) if self.keys.contains(&k.detail) => {
                self.dismiss();
                true
            }
            _ => false,
        }
    }

    fn on_button(&self, x: i16, y: i16) -> bool {
        self.layout
            .as_ref()
            .is_some_and(|l| l.button.contains(i32::from(x), i32::from(y)))
    }

    /// OK on the first message: send its id, once.
    fn dismiss(&mut self) {
        let Some(m) = &self.first else {
            return;
        };
        if self.awaiting == Some(m.id) || self.since.elapsed() < READ_AT_LEAST {
            return;
        }
        self.awaiting = Some(m.id);
        let _ = self.tx.send(m.id);
    }

    fn grab(&mut self) {
        if !self.o.mapped() {
            return;
        }
        let time = Time::CURRENT_TIME;
        self.grabbed = self
            .o
            .conn
            .grab_keyboard(false, self.o.window, time, GrabMode::ASYNC, GrabMode::ASYNC)
            .is_ok();
        let _ = self.o.conn.flush();
    }

    fn ungrab(&mut self) {
        if std::mem::take(&mut self.grabbed) {
            let _ = self.o.conn.ungrab_keyboard(Time::CURRENT_TIME);
            let _ = self.o.conn.flush();
        }
    }

    /// Lays out, shows or hides, and draws as needed; false when the
    /// connection is gone.
    fn refresh(&mut self, mut redraw: bool) -> bool {
        let Some(f) = fonts() else {
            return false;
        };
        let Some(first) = &self.first else {
            self.ungrab();
            return self.o.set_mapped(false);
        };
        let fresh = layout(f, self.o.screen, self.lang, first, self.count, SystemTime::now());
        if self.layout.as_ref() != Some(&fresh) {
            if !self.o.set_geometry(fresh.card) {
                return false;
            }
            self.layout = Some(fresh);
            redraw = true;
        }
        if !self.o.mapped() {
            redraw = true;
            if !self.o.set_mapped(true) {
                return false;
            }
        }
        if !redraw {
            return true;
        }
        let state = if self.held || self.awaiting.is_some() {
            ButtonState::Pressed
        } else {
            ButtonState::Ready
        };
        self.layout.as_ref().is_none_or(|l| self.o.put(&render(f, l, state)))
    }
}
