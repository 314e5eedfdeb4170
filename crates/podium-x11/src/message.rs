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

use crate::Result;
use crate::access::DisplayAccess;
use crate::canvas::{Canvas, Fonts, fonts};
use crate::lang::Lang;
use crate::overlay::{Layer, Overlay, Rect, Runner, Spec};
use crate::palette::{ACCENT, ACCENT_DARK, BACKGROUND, BODY, LINE, MUTED, TITLE};
use crate::text;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{ConnectionExt, EventMask, GrabMode, NotifyDetail, Time};

/// A message waiting to be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMessage {
    /// Sent back on the dismissal channel when the user presses OK.
    pub id: u64,
    /// The sender's full name.
    pub from: String,
    /// What they wrote.
    pub text: String,
    /// When they sent it.
    pub sent_at: SystemTime,
}

const MAX_WIDTH: u16 = 600;
const PAD: i32 = 28;
const STRIP: i32 = 5;
const ICON_RADIUS: i32 = 24;
const COLUMN: i32 = PAD + 2 * ICON_RADIUS + 18;
const TITLE_SIZE: f32 = 21.0;
const SMALL_SIZE: f32 = 15.0;
const BODY_SIZE: f32 = 18.0;
const BODY_LINE: i32 = 27;
const BODY_LINES: usize = 8;
const BUTTON: (i32, i32) = (104, 40);

/// A message must be on screen this long before OK counts, so a double
/// click or a held-down Return does not skip the next one unread.
const READ_AT_LEAST: Duration = Duration::from_millis(300);

/// Return, keypad Enter and space.
const OK_KEYSYMS: [u32; 3] = [0xff0d, 0xff8d, 0x0020];

/// "Message from Marie Curie".
#[must_use]
pub fn title(lang: Lang, from: &str) -> String {
    let from = from.trim();
    match lang {
        Lang::En if from.is_empty() => "Message".to_owned(),
        Lang::En => format!("Message from {from}"),
        Lang::Fr if from.is_empty() => "Message".to_owned(),
        Lang::Fr => {
            // « de » is elided before a vowel: « Message d’Anne ».
            let vowel = from
                .chars()
                .next()
                .is_some_and(|c| "AEIOUYÀÂÉÈÊËÎÏÔÛÜaeiouyàâéèêëîïôûü".contains(c));
            if vowel {
                format!("Message d’{from}")
            } else {
                format!("Message de {from}")
            }
        }
    }
}

/// "1 of 3", or nothing when there is one message.
#[must_use]
pub fn position(lang: Lang, index: usize, count: usize) -> Option<String> {
    (count > 1).then(|| match lang {
        Lang::En => format!("{} of {count}", index + 1),
        Lang::Fr => format!("{} sur {count}", index + 1),
    })
}

/// "Sent 3 minutes ago". Relative, so it needs no time zone.
#[must_use]
pub fn sent_ago(lang: Lang, ago: Duration) -> String {
    let minutes = ago.as_secs() / 60;
    let (n, unit_en, unit_fr) = if minutes < 60 {
        (minutes, "minute", "minute")
    } else {
        (minutes / 60, "hour", "heure")
    };
    let s = if n == 1 { "" } else { "s" };
    match lang {
        Lang::En if minutes == 0 => "Sent just now".to_owned(),
        Lang::Fr if minutes == 0 => "Envoyé à l’instant".to_owned(),
        Lang::En => format!("Sent {n} {unit_en}{s} ago"),
        Lang::Fr => format!("Envoyé il y a {n} {unit_fr}{s}"),
    }
}

/// Where the parts of the card go, and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The card, centred on the screen.
    pub card: Rect,
    /// The OK button, in the card's coordinates.
    pub button: Rect,
    /// The title line, as drawn.
    pub title: String,
    /// "Sent … ago", as drawn.
    pub sent: String,
    /// The message, as drawn.
    pub lines: Vec<String>,
    /// "1 of 3", as drawn.
    pub position: Option<String>,
}

/// Lays out the first of `count` messages on a screen of `screen` size.
#[must_use]
pub fn layout(f: &Fonts, screen: (u16, u16), lang: Lang, m: &QueuedMessage, count: usize, now: SystemTime) -> Layout {
    let width = MAX_WIDTH.min(screen.0.saturating_sub(40)).max(280);
    let w = i32::from(width);
    #[allow(clippy::cast_precision_loss)]
    let column = (w - COLUMN - PAD).max(40) as f32;
    let from = text::sanitize(&m.from).replace('\n', " ");
    let title = text::fit(
        &f.bold,
        TITLE_SIZE,
        &text::drawable(&f.bold, &title(lang, &from)),
        column,
    );
    let sent = sent_ago(lang, now.duration_since(m.sent_at).unwrap_or_default());
    // As many lines as fit on the screen, up to BODY_LINES.
    let fixed = STRIP + PAD + 2 * ICON_RADIUS + 20 + 24 + BUTTON.1 + PAD;
    let room = (i32::from(screen.1) - 40 - fixed) / BODY_LINE;
    let max_lines = usize::try_from(room).unwrap_or(0).clamp(1, BODY_LINES);
    let lines = text::wrap(
        &f.regular,
        BODY_SIZE,
        &text::clean(&f.regular, &m.text),
        column,
        max_lines,
    );
    let body = i32::try_from(lines.len()).unwrap_or(0) * BODY_LINE;
    let button_top = STRIP + PAD + 2 * ICON_RADIUS + 20 + body + 24;
    let height = button_top + BUTTON.1 + PAD;
    let button = Rect {
        x: i16::try_from(w - PAD - BUTTON.0).unwrap_or(0),
        y: i16::try_from(button_top).unwrap_or(0),
        width: u16::try_from(BUTTON.0).unwrap_or(0),
        height: u16::try_from(BUTTON.1).unwrap_or(0),
    };
    Layout {
        card: Rect::centred(screen, width, u16::try_from(height).unwrap_or(u16::MAX)),
        button,
        title,
        sent,
        lines,
        position: position(lang, 0, count),
    }
}

/// How the OK button looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonState {
    /// Waiting for a click.
    Ready,
    /// Held down, or pressed and waiting for the next message.
    Pressed,
}

/// A speech bubble in `color`, centred on (cx, cy).
fn bubble(c: &mut Canvas, cx: i32, cy: i32, color: u32, dots: u32) {
    c.round_rect(cx - 13, cy - 11, 26, 18, 6, color);
    c.triangle((cx - 9, cy + 5), (cx - 1, cy + 5), (cx - 10, cy + 12), color);
    for dx in [-6, 0, 6] {
        c.disc(cx + dx, cy - 2, 2, dots);
    }
}

/// Draws the card.
#[must_use]
pub fn render(f: &Fonts, l: &Layout, button: ButtonState) -> Canvas {
    let (w, h) = (i32::from(l.card.width), i32::from(l.card.height));
    let mut c = Canvas::new(l.card.width, l.card.height, BACKGROUND);
    c.round_rect(0, 0, w, STRIP, 0, ACCENT);
    // A hairline border: the card may sit on a dark or a light desktop.
    for (x, y, bw, bh) in [(0, 0, 1, h), (w - 1, 0, 1, h), (0, h - 1, w, 1)] {
        c.round_rect(x, y, bw, bh, 0, LINE);
    }
    let (cx, cy) = (PAD + ICON_RADIUS, STRIP + PAD + ICON_RADIUS);
    c.disc(cx, cy, ICON_RADIUS, ACCENT);
    bubble(&mut c, cx, cy, BACKGROUND, ACCENT);
    #[allow(clippy::cast_precision_loss)]
    let column = COLUMN as f32;
    c.text(&f.bold, TITLE_SIZE, column, STRIP + PAD + 21, TITLE, &l.title);
    c.text(&f.regular, SMALL_SIZE, column, STRIP + PAD + 45, MUTED, &l.sent);
    let mut baseline = STRIP + PAD + 2 * ICON_RADIUS + 20 + 19;
    for line in &l.lines {
        c.text(&f.regular, BODY_SIZE, column, baseline, BODY, line);
        baseline += BODY_LINE;
    }
    let b = l.button;
    let (bx, by) = (i32::from(b.x), i32::from(b.y));
    if let Some(p) = &l.position {
        c.text(&f.regular, SMALL_SIZE, column, by + 26, MUTED, p);
    }
    let (fill, label) = match button {
        ButtonState::Ready => (ACCENT, BACKGROUND),
        ButtonState::Pressed => (ACCENT_DARK, TITLE),
    };
    c.round_rect(bx, by, i32::from(b.width), i32::from(b.height), 8, fill);
    let ok_w = Canvas::measure(&f.bold, 18.0, "OK");
    #[allow(clippy::cast_precision_loss)]
    c.text(
        &f.bold,
        18.0,
        (bx + i32::from(b.width) / 2) as f32 - ok_w / 2.0,
        by + 27,
        label,
        "OK",
    );
    c
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> QueuedMessage {
        QueuedMessage {
            id: 7,
            from: "Marie Curie".into(),
            text: text.into(),
            sent_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000),
        }
    }

    #[test]
    fn titles_and_positions_in_both_languages() {
        assert_eq!(title(Lang::En, "Marie Curie"), "Message from Marie Curie");
        assert_eq!(title(Lang::Fr, "Marie Curie"), "Message de Marie Curie");
        assert_eq!(title(Lang::Fr, "Émile Zola"), "Message d’Émile Zola");
        assert_eq!(title(Lang::En, "  "), "Message");
        assert_eq!(position(Lang::En, 0, 3).as_deref(), Some("1 of 3"));
        assert_eq!(position(Lang::Fr, 0, 3).as_deref(), Some("1 sur 3"));
        assert_eq!(position(Lang::En, 0, 1), None);
    }

    #[test]
    fn sent_time_is_relative() {
        let m = |n: u64| Duration::from_secs(60 * n);
        assert_eq!(sent_ago(Lang::En, Duration::from_secs(20)), "Sent just now");
        assert_eq!(sent_ago(Lang::En, m(1)), "Sent 1 minute ago");
        assert_eq!(sent_ago(Lang::En, m(5)), "Sent 5 minutes ago");
        assert_eq!(sent_ago(Lang::En, m(125)), "Sent 2 hours ago");
        assert_eq!(sent_ago(Lang::Fr, Duration::ZERO), "Envoyé à l’instant");
        assert_eq!(sent_ago(Lang::Fr, m(1)), "Envoyé il y a 1 minute");
        assert_eq!(sent_ago(Lang::Fr, m(60)), "Envoyé il y a 1 heure");
    }

    #[test]
    fn the_card_grows_with_the_text_and_stays_on_screen() {
        let f = fonts().expect("fonts");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let short = layout(f, (1280, 800), Lang::En, &message("Hello"), 1, now);
        let long = layout(
            f,
            (1280, 800),
            Lang::En,
            &message(&"Open page 42. ".repeat(100)),
            3,
            now,
        );
        assert_eq!(short.card.width, MAX_WIDTH);
        assert!(long.card.height > short.card.height);
        assert_eq!(long.lines.len(), BODY_LINES);
        assert!(long.lines[BODY_LINES - 1].ends_with(text::ELLIPSIS));
        assert_eq!(long.position.as_deref(), Some("1 of 3"));
        for size in [(1280, 800), (1024, 768), (320, 240)] {
            let l = layout(f, size, Lang::Fr, &message(&"Ouvrez la page 42. ".repeat(100)), 2, now);
            let c = render(f, &l, ButtonState::Ready);
            assert_eq!((c.width(), c.height()), (l.card.width, l.card.height));
            assert!(i32::from(l.card.x) + i32::from(l.card.width) <= i32::from(size.0));
            // The button is inside the card, and drawn in the accent colour.
            let b = l.button;
            assert!(b.x >= 0 && b.y >= 0);
            assert!(i32::from(b.x) + i32::from(b.width) <= i32::from(l.card.width));
            assert!(i32::from(b.y) + i32::from(b.height) <= i32::from(l.card.height));
            let bx = u16::try_from(b.x).expect("x") + 4;
            let by = u16::try_from(b.y).expect("y") + b.height / 2;
            assert_eq!(c.pixel(bx, by), ACCENT);
            let c = render(f, &l, ButtonState::Pressed);
            assert_eq!(c.pixel(bx, by), ACCENT_DARK);
        }
    }

    #[test]
    fn only_the_button_is_ok() {
        let f = fonts().expect("fonts");
        let l = layout(f, (1280, 800), Lang::En, &message("Hello"), 1, SystemTime::now());
        let b = l.button;
        let (x, y) = (i32::from(b.x), i32::from(b.y));
        assert!(b.contains(x, y) && b.contains(x + 103, y + 39));
        assert!(!b.contains(x - 1, y) && !b.contains(x, y + 40) && !b.contains(10, 10));
    }

    #[test]
    fn hostile_senders_and_texts_are_drawn() {
        let f = fonts().expect("fonts");
        let mut m = message("\u{0}\u{1b}[2J 🎉🎉 \u{202e}txet\n\n\n\nשלום");
        m.from = format!("{}\u{7}\n😀", "Very Long Name ".repeat(20));
        let l = layout(f, (1280, 800), Lang::En, &m, 1, SystemTime::now());
        assert!(l.title.ends_with(text::ELLIPSIS), "{}", l.title);
        assert_eq!(l.lines, vec!["[2J \u{fffd}\u{fffd} txet", "", "שלום"]);
        let _ = render(f, &l, ButtonState::Ready);
    }
}
