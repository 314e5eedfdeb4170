//! The block notice: a full-screen window over every other, with a lock and
//! the teacher's words, while the station's keyboard and mouse are off.
//!
//! It covers the whole screen so nothing behind it can be read or clicked,
//! and it comes back on top as soon as another window maps, moves or is
//! raised (the root window's substructure events), not only on the half-
//! second timer: an application that maps its own override-redirect window
//! is covered again at once. Only a log-off warning goes above it.
//!
//! Turning the viewers' input off is [`crate::vncext::set_input_allowed`];
//! while the notice is shown it also checks every second that input is
//! still off — any program of the user's can ask Xvnc to turn it back on —
//! and turns it off again if not.
//!
//! While a teacher drives the desktop from the dashboard, the notice
//! stands aside ([`BlockNotice::set_aside`]): their keys and clicks come
//! through XTEST ([`crate::xtest`]) and must reach the applications, while
//! the pupil's own input stays off.

use crate::access::DisplayAccess;
use crate::canvas::{Canvas, Fonts, fonts};
use crate::error::Result;
use crate::lang::Lang;
use crate::overlay::{Layer, Overlay, Rect, Runner, Spec};
use crate::palette::{ACCENT, BACKDROP, BACKGROUND, LINE, MUTED, TITLE};
use crate::text;
use crate::vncext::{ACCEPT_KEYS, ACCEPT_POINTER, VncExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The notice's text with a count of its changes, shared with its runner.
type SharedMessage = Arc<Mutex<(u64, String)>>;
use std::time::{Duration, Instant};
use x11rb::protocol::Event;
use x11rb::protocol::xproto::EventMask;

/// How often the notice checks that the viewers' input is still off.
const INPUT_CHECK_EVERY: Duration = Duration::from_secs(1);

const CARD_MAX_WIDTH: i32 = 720;
const MESSAGE_SIZE: f32 = 30.0;
const MESSAGE_LINE: i32 = 42;
const MESSAGE_LINES: usize = 4;
const HINT_SIZE: f32 = 17.0;
const HINT_LINE: i32 = 25;
const LOCK_RADIUS: i32 = 44;

/// What the notice says when the teacher typed nothing.
#[must_use]
pub fn default_text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "This station is blocked.",
        Lang::Fr => "Ce poste est bloqué.",
    }
}

/// The line under the message, saying what a block does.
#[must_use]
pub fn hint_text(lang: Lang) -> &'static str {
    hint_for(lang, Purpose::Block)
}

/// Why the screen is covered: the same full-screen notice, with the
/// input held off, serves a block and a teacher's projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Purpose {
    /// A teacher blocked the station: a padlock.
    #[default]
    Block,
    /// A teacher's desktop is projected onto the station: a screen.
    Projection,
}

/// The line under the message, saying what the cover does.
#[must_use]
pub fn hint_for(lang: Lang, purpose: Purpose) -> &'static str {
    match (purpose, lang) {
        (Purpose::Block, Lang::En) => "The keyboard and mouse are turned off until the station is unblocked.",
        (Purpose::Block, Lang::Fr) => "Le clavier et la souris sont désactivés jusqu’au déblocage du poste.",
        (Purpose::Projection, Lang::En) => {
            "The keyboard and mouse are turned off while the teacher's screen is shown on your station."
        }
        (Purpose::Projection, Lang::Fr) => {
            "Le clavier et la souris sont désactivés pendant que l’écran de l’enseignant s’affiche sur votre poste."
        }
    }
}

/// What the projection cover says: whose screen is shown.
#[must_use]
pub fn projection_text(lang: Lang, by_name: &str) -> String {
    match lang {
        Lang::En => format!("{by_name} is showing their screen"),
        Lang::Fr => format!("{by_name} projette son écran"),
    }
}

/// Draws a screen on its stand in `color`, centred on (cx, cy), about 48
/// pixels high; `hole` is the colour of its glass.
fn monitor(c: &mut Canvas, cx: i32, cy: i32, color: u32, hole: u32) {
    c.round_rect(cx - 26, cy - 22, 52, 36, 5, color);
    c.round_rect(cx - 21, cy - 17, 42, 26, 2, hole);
    c.round_rect(cx - 4, cy + 14, 8, 8, 0, color);
    c.round_rect(cx - 14, cy + 21, 28, 5, 2, color);
}

/// The message's lines as drawn: cleaned, wrapped, at most
/// four; the default text when nothing printable is left.
#[must_use]
pub fn message_lines(f: &Fonts, lang: Lang, message: &str, max_width: f32) -> Vec<String> {
    let mut cleaned = text::clean(&f.bold, message);
    if cleaned.trim().is_empty() {
        cleaned = default_text(lang).to_owned();
    }
    text::wrap(&f.bold, MESSAGE_SIZE, &cleaned, max_width, MESSAGE_LINES)
}

/// Draws a padlock in `color` centred on (cx, cy), about 48 pixels high;
/// `hole` is the colour of its keyhole.
fn padlock(c: &mut Canvas, cx: i32, cy: i32, color: u32, hole: u32) {
    let shackle_y = cy - 10;
    c.arch(cx, shackle_y, 15, 5, color);
    c.round_rect(cx - 15, shackle_y, 5, 7, 0, color);
    c.round_rect(cx + 10, shackle_y, 5, 7, 0, color);
    c.round_rect(cx - 21, cy - 4, 42, 30, 6, color);
    c.disc(cx, cy + 8, 4, hole);
    c.round_rect(cx - 2, cy + 9, 4, 9, 1, hole);
}

fn centred_text(c: &mut Canvas, font: &fontdue::Font, size: f32, cx: i32, baseline: i32, color: u32, line: &str) {
    let w = Canvas::measure(font, size, line);
    #[allow(clippy::cast_precision_loss)]
    c.text(font, size, cx as f32 - w / 2.0, baseline, color, line);
}

/// Where the parts of a block notice go on a screen.
#[derive(Debug)]
pub struct Layout {
    /// The card in the middle.
    pub card: Rect,
    /// The centre of the lock's disc.
    pub lock: (i32, i32),
    /// The message, as drawn.
    pub lines: Vec<String>,
    /// The hint under it, as drawn.
    pub hint: Vec<String>,
}

/// Lays a block notice out on a screen of `screen` size.
#[must_use]
pub fn layout(f: &Fonts, screen: (u16, u16), lang: Lang, message: &str) -> Layout {
    layout_for(f, screen, lang, message, Purpose::Block)
}

/// Lays a notice for `purpose` out on a screen of `screen` size.
#[must_use]
pub fn layout_for(f: &Fonts, screen: (u16, u16), lang: Lang, message: &str, purpose: Purpose) -> Layout {
    let (sw, sh) = (i32::from(screen.0), i32::from(screen.1));
    let card_w = CARD_MAX_WIDTH.min(sw - 48).max(160);
    #[allow(clippy::cast_precision_loss)]
    let inner = (card_w - 2 * 48) as f32;
    let lines = message_lines(f, lang, message, inner);
    let hint = text::wrap(
        &f.regular,
        HINT_SIZE,
        &text::clean(&f.regular, hint_for(lang, purpose)),
        inner,
        2,
    );
    let count = |v: &Vec<String>| i32::try_from(v.len()).unwrap_or(0);
    let card_h = 48 + 2 * LOCK_RADIUS + 34 + count(&lines) * MESSAGE_LINE + 26 + 1 + 26 + count(&hint) * HINT_LINE + 30;
    let (x, y) = ((sw - card_w) / 2, ((sh - card_h) / 2).max(0));
    let clamp = |v: i32| u16::try_from(v.max(0)).unwrap_or(u16::MAX);
    Layout {
        card: Rect {
            x: coord(x),
            y: coord(y),
            width: clamp(card_w),
            height: clamp(card_h),
        },
        lock: (x + card_w / 2, y + 48 + LOCK_RADIUS),
        lines,
        hint,
    }
}

/// A picture's width or height (at least 1) from `i32` arithmetic.
fn extent(v: i32) -> u16 {
    u16::try_from(v.max(1)).unwrap_or(u16::MAX)
}

/// An X coordinate from `i32` arithmetic.
fn coord(v: i32) -> i16 {
    i16::try_from(v).unwrap_or(0)
}

/// How far the card's shadow reaches beyond it, and how much lower it sits.
const SHADOW_SPREAD: i32 = 24;
const SHADOW_DROP: i32 = 8;

/// A drawn block notice: the card with its shadow, and where it goes on
/// the screen. The rest of the screen is the window's background (the
/// backdrop colour), painted by the X server, so the picture stays the
/// card's size however large the user makes their screen.
pub struct Picture {
    /// The card and its shadow on the backdrop.
    pub canvas: Canvas,
    /// Where the canvas's top left corner goes.
    pub at: (i16, i16),
}

/// Draws a block notice for a screen of `screen` size.
#[must_use]
pub fn render(f: &Fonts, screen: (u16, u16), lang: Lang, message: &str) -> Picture {
    render_for(f, screen, lang, message, Purpose::Block)
}

/// Draws a notice for `purpose` for a screen of `screen` size.
#[must_use]
pub fn render_for(f: &Fonts, screen: (u16, u16), lang: Lang, message: &str, purpose: Purpose) -> Picture {
    let l = layout_for(f, screen, lang, message, purpose);
    let (sw, sh) = (i32::from(screen.0), i32::from(screen.1));
    let (cx0, cy0) = (i32::from(l.card.x), i32::from(l.card.y));
    let (x0, y0) = ((cx0 - SHADOW_SPREAD).max(0), (cy0 - SHADOW_SPREAD).max(0));
    let x1 = (cx0 + i32::from(l.card.width) + SHADOW_SPREAD).min(sw);
    let y1 = (cy0 + i32::from(l.card.height) + SHADOW_DROP + SHADOW_SPREAD).min(sh);
    let mut c = Canvas::new(extent(x1 - x0), extent(y1 - y0), BACKDROP);
    // Everything below is drawn in the canvas's coordinates.
    let (x, y) = (cx0 - x0, cy0 - y0);
    let (w, h) = (i32::from(l.card.width), i32::from(l.card.height));
    c.shadow(x, y, w, h, 18, SHADOW_SPREAD, SHADOW_DROP, 110);
    c.round_rect(x, y, w, h, 18, BACKGROUND);
    let (cx, cy) = (l.lock.0 - x0, l.lock.1 - y0);
    c.disc(cx, cy, LOCK_RADIUS, ACCENT);
    match purpose {
        Purpose::Block => padlock(&mut c, cx, cy, BACKGROUND, ACCENT),
        Purpose::Projection => monitor(&mut c, cx, cy, BACKGROUND, ACCENT),
    }
    let mut top = cy + LOCK_RADIUS + 34;
    for line in &l.lines {
        centred_text(&mut c, &f.bold, MESSAGE_SIZE, cx, top + 31, TITLE, line);
        top += MESSAGE_LINE;
    }
    top += 26;
    c.round_rect(cx - 40, top, 80, 1, 0, LINE);
    top += 1 + 26;
    for line in &l.hint {
        centred_text(&mut c, &f.regular, HINT_SIZE, cx, top + 18, MUTED, line);
        top += HINT_LINE;
    }
    Picture {
        canvas: c,
        at: (coord(x0), coord(y0)),
    }
}

/// A picture that replaces `old` with `new` in one piece: the union of
/// both places, backdrop where only the old card was. Drawing it instead
/// of wiping the window first leaves no moment without a card.
fn replacing(old: &Picture, new: &Picture) -> Picture {
    let edges = |p: &Picture| {
        let (x, y) = (i32::from(p.at.0), i32::from(p.at.1));
        (x, y, x + i32::from(p.canvas.width()), y + i32::from(p.canvas.height()))
    };
    let ((ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1)) = (edges(old), edges(new));
    let (x0, y0, x1, y1) = (ax0.min(bx0), ay0.min(by0), ax1.max(bx1), ay1.max(by1));
    let mut canvas = Canvas::new(extent(x1 - x0), extent(y1 - y0), BACKDROP);
    canvas.blit(&new.canvas, bx0 - x0, by0 - y0);
    Picture {
        canvas,
        at: (coord(x0), coord(y0)),
    }
}

/// A block notice on screen. Dropping it (or [`BlockNotice::close`]) takes
/// it away; it does not turn the viewers' input back on.
pub struct BlockNotice {
    message: SharedMessage,
    aside: Arc<AtomicBool>,
    runner: Runner,
}

impl std::fmt::Debug for BlockNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockNotice").finish_non_exhaustive()
    }
}

fn full_screen(screen: (u16, u16)) -> Rect {
    Rect {
        x: 0,
        y: 0,
        width: screen.0,
        height: screen.1,
    }
}

impl BlockNotice {
    /// Covers the display with the notice, saying `message` (the default
    /// text in `lang` when it is empty). Blocking: returns once the first
    /// frame is drawn, so a display that cannot be reached is an error.
    ///
    /// # Errors
    /// When the display cannot be reached.
    pub fn show(access: &DisplayAccess, lang: Lang, message: &str) -> Result<BlockNotice> {
        BlockNotice::show_for(access, lang, message, Purpose::Block)
    }

    /// Covers the display for `purpose`, as [`BlockNotice::show`] does.
    ///
    /// # Errors
    /// When the display cannot be reached.
    pub fn show_for(access: &DisplayAccess, lang: Lang, message: &str, purpose: Purpose) -> Result<BlockNotice> {
        let overlay = Overlay::open(
            access,
            &Spec {
                name: match purpose {
                    Purpose::Block => "Podium block",
                    Purpose::Projection => "Podium projection",
                },
                layer: Layer::Block,
                background: BACKDROP,
                geometry: &full_screen,
                events: EventMask::EXPOSURE,
                root_events: EventMask::SUBSTRUCTURE_NOTIFY | EventMask::STRUCTURE_NOTIFY,
                mapped: true,
            },
        )?;
        let f = fonts().ok_or_else(|| access.error("the built-in fonts are unreadable"))?;
        let picture = render_for(f, overlay.screen, lang, message, purpose);
        if !overlay.put_at(&picture.canvas, picture.at) {
            return Err(access.error("cannot draw the block notice"));
        }
        let message = Arc::new(Mutex::new((0, message.to_owned())));
        let aside = Arc::new(AtomicBool::new(false));
        let shared = (message.clone(), aside.clone());
        let display = access.clone();
        let runner = Runner::spawn(access, "block", move |stop| {
            run(overlay, picture, stop, &shared, (lang, purpose), &display);
        })?;
        Ok(BlockNotice { message, aside, runner })
    }

    /// Takes the notice off the screen while a teacher drives the desktop
    /// (`true`), so their clicks and keys reach the applications under
    /// it, and puts it back after (`false`). The viewers' input stays off
    /// either way: the pupil still cannot type.
    pub fn set_aside(&self, aside: bool) {
        self.aside.store(aside, Ordering::SeqCst);
    }

    /// Changes the message (the notice is redrawn within 100 ms).
    pub fn update(&self, message: &str) {
        if let Ok(mut m) = self.message.lock() {
            *m = (m.0.wrapping_add(1), message.to_owned());
        }
    }

    /// Whether the notice is still on screen (false once its display is gone).
    #[must_use]
    pub fn is_shown(&self) -> bool {
        self.runner.running()
    }

    /// Takes the notice away and waits until it is gone.
    pub fn close(mut self) {
        self.runner.stop();
    }
}

/// Turns the viewers' input off again if something turned it on.
fn hold_input_off(o: &Overlay, ext: VncExt, access: &DisplayAccess) {
    let on = [ACCEPT_KEYS, ACCEPT_POINTER]
        .iter()
        .any(|name| ext.get_bool(&o.conn, name).ok().flatten() == Some(true));
    if on {
        tracing::warn!(display = %access.name(), "input was turned back on during a block; turning it off");
        if let Err(e) = ext.set_input_allowed(&o.conn, access, false) {
            tracing::warn!(display = %access.name(), error = %e, "cannot turn input off");
        }
    }
}

/// Keeps the notice on top and drawn. The picture is drawn again only
/// when the message or the screen's size changes (over the old card's
/// place too: the new card may be smaller); an exposure sends the same
/// pixels again.
fn run(
    mut o: Overlay,
    mut picture: Picture,
    stop: &AtomicBool,
    (message, aside): &(SharedMessage, Arc<AtomicBool>),
    (lang, purpose): (Lang, Purpose),
    access: &DisplayAccess,
) {
    let ext = VncExt::find(&o.conn).ok().flatten();
    let mut drawn = 0;
    let mut checked = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let Some(events) = o.events(Duration::from_millis(100)) else {
            return;
        };
        let (mut exposed, mut resized) = (false, false);
        for e in &events {
            if o.screen_resized(e) {
                resized = true;
                if !o.set_geometry(full_screen(o.screen)) {
                    return;
                }
            }
            if o.covered_by(e) {
                o.want_restack();
            }
            exposed |= matches!(e, Event::Expose(x) if x.count == 0);
        }
        let shown = !aside.load(Ordering::SeqCst);
        if shown != o.mapped() && !o.set_mapped(shown) {
            return;
        }
        // Back on top first: being covered is what exposes the notice.
        if !o.keep_on_top() {
            return;
        }
        let Ok((generation, text)) = message.lock().map(|m| m.clone()) else {
            return;
        };
        if resized || generation != drawn {
            let Some(f) = fonts() else {
                return;
            };
            let fresh = render_for(f, o.screen, lang, &text, purpose);
            drawn = generation;
            if resized {
                // The old card may be anywhere on the new screen.
                if !o.clear() {
                    return;
                }
                exposed = true;
            } else {
                let whole = replacing(&picture, &fresh);
                if !o.put_at(&whole.canvas, whole.at) {
                    return;
                }
            }
            picture = fresh;
        }
        if exposed && !o.put_at(&picture.canvas, picture.at) {
            return;
        }
        if let Some(ext) = ext
            && checked.elapsed() >= INPUT_CHECK_EVERY
        {
            checked = Instant::now();
            hold_input_off(&o, ext, access);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_text_in_both_languages() {
        let f = fonts().expect("fonts");
        assert_eq!(default_text(Lang::En), "This station is blocked.");
        assert_eq!(default_text(Lang::Fr), "Ce poste est bloqué.");
        assert_eq!(message_lines(f, Lang::Fr, "", 600.0), vec!["Ce poste est bloqué."]);
        // Only invisible characters: the default text too.
        assert_eq!(
            message_lines(f, Lang::En, " \u{200b}\u{7}\n ", 600.0),
            vec!["This station is blocked."]
        );
    }

    #[test]
    fn a_long_message_is_capped_with_an_ellipsis() {
        let f = fonts().expect("fonts");
        let lines = message_lines(f, Lang::En, &"Eyes on the board please. ".repeat(30), 600.0);
        assert_eq!(lines.len(), MESSAGE_LINES);
        assert!(lines[MESSAGE_LINES - 1].ends_with(text::ELLIPSIS));
    }

    #[test]
    fn the_notice_covers_the_screen_at_common_sizes() {
        let f = fonts().expect("fonts");
        for size in [(1280, 800), (1024, 768), (640, 480), (3840, 2160)] {
            let message = "Eyes on the board 🦖 \u{202e}please";
            let Picture { canvas: c, at: origin } = render(f, size, Lang::En, message);
            // The picture lies on the screen; its corners are the backdrop,
            // like the rest of the screen, and the lock's disc is amber.
            assert!(origin.0 >= 0 && origin.1 >= 0, "{origin:?}");
            assert!(i32::from(origin.0) + i32::from(c.width()) <= i32::from(size.0));
            assert!(i32::from(origin.1) + i32::from(c.height()) <= i32::from(size.1));
            assert_eq!(c.pixel(0, 0), BACKDROP);
            assert_eq!(c.pixel(c.width() - 1, c.height() - 1), BACKDROP);
            let l = layout(f, size, Lang::En, message);
            let at = |x: i32, y: i32| {
                let x = u16::try_from(x - i32::from(origin.0)).expect("x");
                c.pixel(x, u16::try_from(y - i32::from(origin.1)).expect("y"))
            };
            assert_eq!(at(l.lock.0, l.lock.1 - LOCK_RADIUS + 3), ACCENT, "{size:?}");
            // The card fits on the screen with a margin, the text in the card.
            let card = l.card;
            assert!(card.x >= 20 && i32::from(card.x) + i32::from(card.width) <= i32::from(size.0) - 20);
            assert!(card.y >= 0 && i32::from(card.y) + i32::from(card.height) <= i32::from(size.1));
            assert_eq!(l.lines, vec!["Eyes on the board \u{fffd} please"]);
            for line in &l.lines {
                assert!(Canvas::measure(&f.bold, MESSAGE_SIZE, line) <= f32::from(card.width) - 96.0);
            }
        }
    }

    #[test]
    fn a_tiny_screen_does_not_panic() {
        let f = fonts().expect("fonts");
        for size in [(1, 1), (100, 50), (200, 2000)] {
            let p = render(f, size, Lang::Fr, "x");
            assert!(p.canvas.width() <= size.0 && p.canvas.height() <= size.1, "{size:?}");
        }
    }

    #[test]
    fn a_new_card_is_drawn_over_the_old_ones_place_too() {
        let f = fonts().expect("fonts");
        let screen = (1280, 800);
        let old = render(f, screen, Lang::En, &"Eyes on the board please. ".repeat(30));
        let new = render(f, screen, Lang::En, "");
        assert!(new.canvas.height() < old.canvas.height(), "a shorter card");
        let whole = replacing(&old, &new);
        assert_eq!(whole.at, old.at, "the old card's place, which holds the new one");
        assert_eq!(
            (whole.canvas.width(), whole.canvas.height()),
            (old.canvas.width(), old.canvas.height())
        );
        // The new card where it goes, backdrop where only the old one was.
        let dy = u16::try_from(new.at.1 - whole.at.1).expect("below");
        let dx = u16::try_from(new.at.0 - whole.at.0).expect("right");
        for (x, y) in [(40, 40), (new.canvas.width() / 2, new.canvas.height() / 2)] {
            assert_eq!(whole.canvas.pixel(dx + x, dy + y), new.canvas.pixel(x, y));
        }
        assert_eq!(whole.canvas.pixel(whole.canvas.width() / 2, 2), BACKDROP);
    }

    #[test]
    fn a_huge_screen_draws_no_more_than_the_card() {
        // A user may make their screen 16384×16384 (1 GiB at 4 bytes a
        // pixel); the notice's picture stays the card's size.
        let f = fonts().expect("fonts");
        for size in [(16384, 16384), (u16::MAX, u16::MAX), (u16::MAX, 600)] {
            let p = render(f, size, Lang::En, &"Eyes on the board please. ".repeat(30));
            let l = layout(f, size, Lang::En, "");
            assert!(
                p.canvas.width() <= 768 && p.canvas.height() <= 530,
                "{size:?} {}×{}",
                p.canvas.width(),
                p.canvas.height()
            );
            // Centred: the card is in the middle of the screen.
            let middle = i32::from(p.at.0) + i32::from(p.canvas.width()) / 2;
            assert!(
                (middle - i32::from(size.0) / 2).abs() <= 2 || size.0 > 32767,
                "{size:?} {:?}",
                p.at
            );
            assert!(l.card.width <= 720);
        }
    }
}
