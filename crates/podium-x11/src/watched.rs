//! The bar that tells a pupil their desktop is being watched or driven
//! from the dashboard: "Marie Curie is viewing your screen", "Marie Curie
//! has control of your desktop", in the session's language.
//!
//! A school's privacy rule: nobody looks at a desktop without its user
//! knowing. The bar is small and sits at the top centre of the screen,
//! above applications and the block notice (a blocked pupil is watched
//! too) and below the log-off warning, in an [`crate::overlay`] window. It
//! takes no input: the window's input shape is empty (XFIXES), so clicks
//! go through it to what is underneath, and it never asks for the focus.

use crate::access::DisplayAccess;
use crate::canvas::{Canvas, Fonts, fonts};
use crate::error::Result;
use crate::lang::Lang;
use crate::overlay::{Layer, Overlay, Rect, Runner, Spec};
use crate::palette::{ACCENT, BACKGROUND, BODY, TITLE};
use crate::text;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::shape::SK;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::EventMask;

/// `WM_NAME` of the bar's window, to find it with `xwininfo` or in tests.
pub const WINDOW_NAME: &str = "Podium watched";

/// Somebody watching the desktop, as the pupil is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watcher {
    /// Their full name (or login).
    pub name: String,
    /// Whether they drive the desktop, not only look at it.
    pub controls: bool,
}

const TITLE_SIZE: f32 = 16.0;
const DETAIL_SIZE: f32 = 14.0;
const PAD: i32 = 16;
const ICON: i32 = 22;
const LINE_ONE: u16 = 38;
const LINE_TWO: u16 = 58;
const MAX_WIDTH: u16 = 720;

/// "A", "A and B", "A and 2 others", with whether the verb is plural.
fn names(lang: Lang, who: &[&str]) -> (String, bool) {
    match (who, lang) {
        ([one], _) => ((*one).to_owned(), false),
        ([a, b], Lang::En) => (format!("{a} and {b}"), true),
        ([a, b], Lang::Fr) => (format!("{a} et {b}"), true),
        ([a, rest @ ..], Lang::En) => (format!("{a} and {} others", rest.len()), true),
        ([a, rest @ ..], Lang::Fr) => (format!("{a} et {} autres personnes", rest.len()), true),
        ([], _) => (String::new(), false),
    }
}

/// What the bar says: the main line, and a second one when some watchers
/// drive the desktop and others only look. `None` for nobody.
#[must_use]
pub fn watched_text(lang: Lang, watchers: &[Watcher]) -> Option<(String, Option<String>)> {
    let mut drivers: Vec<&str> = Vec::new();
    let mut viewers: Vec<&str> = Vec::new();
    for w in watchers {
        let list = if w.controls { &mut drivers } else { &mut viewers };
        if !list.contains(&w.name.as_str()) {
            list.push(&w.name);
        }
    }
    viewers.retain(|v| !drivers.contains(v));
    if drivers.is_empty() {
        if viewers.is_empty() {
            return None;
        }
        let (who, plural) = names(lang, &viewers);
        let line = match (lang, plural) {
            (Lang::En, false) => format!("{who} is viewing your screen"),
            (Lang::En, true) => format!("{who} are viewing your screen"),
            (Lang::Fr, false) => format!("{who} regarde votre écran"),
            (Lang::Fr, true) => format!("{who} regardent votre écran"),
        };
        return Some((line, None));
    }
    let (who, plural) = names(lang, &drivers);
    let line = match (lang, plural) {
        (Lang::En, false) => format!("{who} has control of your desktop"),
        (Lang::En, true) => format!("{who} have control of your desktop"),
        (Lang::Fr, false) => format!("{who} a le contrôle de votre bureau"),
        (Lang::Fr, true) => format!("{who} ont le contrôle de votre bureau"),
    };
    let also = (!viewers.is_empty()).then(|| {
        let (who, plural) = names(lang, &viewers);
        match (lang, plural) {
            (Lang::En, false) => format!("{who} is also viewing"),
            (Lang::En, true) => format!("{who} are also viewing"),
            (Lang::Fr, false) => format!("{who} regarde aussi"),
            (Lang::Fr, true) => format!("{who} regardent aussi"),
        }
    });
    Some((line, also))
}

/// The bar's lines as drawn (cleaned, cut to fit) and its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Where the window goes.
    pub rect: Rect,
    /// The main line.
    pub title: String,
    /// The second line, if any.
    pub detail: Option<String>,
    /// Whether somebody drives the desktop (the icon says so).
    pub controls: bool,
}

/// Lays the bar out on a screen of `screen` size; `None` for nobody.
#[must_use]
pub fn layout(f: &Fonts, screen: (u16, u16), lang: Lang, watchers: &[Watcher]) -> Option<Layout> {
    let cleaned: Vec<Watcher> = watchers
        .iter()
        .map(|w| Watcher {
            name: text::clean(&f.bold, &w.name).replace('\n', " "),
            controls: w.controls,
        })
        .collect();
    let (title, detail) = watched_text(lang, &cleaned)?;
    let max_width = MAX_WIDTH.min(screen.0.saturating_sub(24)).max(120);
    let chrome = PAD + ICON + 10 + PAD;
    #[allow(clippy::cast_precision_loss)]
    let room = (i32::from(max_width) - chrome) as f32;
    let title = text::fit(&f.bold, TITLE_SIZE, &title, room);
    let detail = detail.map(|d| text::fit(&f.regular, DETAIL_SIZE, &d, room));
    let widest = Canvas::measure(&f.bold, TITLE_SIZE, &title).max(
        detail
            .as_deref()
            .map_or(0.0, |d| Canvas::measure(&f.regular, DETAIL_SIZE, d)),
    );
    #[allow(clippy::cast_possible_truncation)]
    let width = u16::try_from(chrome + widest.ceil() as i32)
        .unwrap_or(max_width)
        .min(max_width);
    let height = if detail.is_some() { LINE_TWO } else { LINE_ONE };
    Some(Layout {
        rect: Rect {
            x: i16::try_from(screen.0.saturating_sub(width) / 2).unwrap_or(0),
            y: 0,
            width,
            height,
        },
        title,
        detail,
        controls: watchers.iter().any(|w| w.controls),
    })
}

/// Draws the bar.
#[must_use]
pub fn render(f: &Fonts, l: &Layout) -> Canvas {
    let (w, h) = (l.rect.width, l.rect.height);
    let mut c = Canvas::new(w, h, BACKGROUND);
    c.round_rect(0, i32::from(h) - 3, i32::from(w), 3, 0, ACCENT);
    let cy = if l.detail.is_some() { 22 } else { 18 };
    let cx = PAD + ICON / 2;
    if l.controls {
        // A pointer: somebody else's hand on the mouse.
        c.triangle((cx - 7, cy - 10), (cx - 7, cy + 8), (cx + 8, cy + 3), ACCENT);
    } else {
        // An eye: a ring of amber around a dark pupil.
        c.disc(cx, cy, 9, ACCENT);
        c.disc(cx, cy, 4, BACKGROUND);
    }
    #[allow(clippy::cast_precision_loss)]
    let x = (PAD + ICON + 10) as f32;
    c.text(&f.bold, TITLE_SIZE, x, cy + 6, TITLE, &l.title);
    if let Some(d) = &l.detail {
        c.text(&f.regular, DETAIL_SIZE, x, cy + 26, BODY, d);
    }
    c
}

/// The bar on screen. Dropping it (or [`WatchedNotice::close`]) takes it away.
pub struct WatchedNotice {
    watchers: Arc<Mutex<(u64, Vec<Watcher>)>>,
    runner: Runner,
}

impl std::fmt::Debug for WatchedNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchedNotice").finish_non_exhaustive()
    }
}

/// Lets every click through the window: an empty input shape.
fn click_through(o: &Overlay) -> bool {
    let set = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        o.conn.xfixes_query_version(5, 0)?.reply()?;
        let region = o.conn.generate_id()?;
        o.conn.xfixes_create_region(region, &[])?;
        o.conn
            .xfixes_set_window_shape_region(o.window, SK::INPUT, 0, 0, region)?;
        o.conn.xfixes_destroy_region(region)?;
        o.conn.flush()?;
        Ok(())
    };
    set().is_ok()
}

impl WatchedNotice {
    /// Shows the bar for `watchers` (at least one). Blocking: returns once
    /// the first frame is drawn, so a display that cannot be reached is an
    /// error.
    ///
    /// # Errors
    /// When the display cannot be reached, or nobody is watching.
    pub fn show(access: &DisplayAccess, lang: Lang, watchers: Vec<Watcher>) -> Result<WatchedNotice> {
        let f = fonts().ok_or_else(|| access.error("the built-in fonts are unreadable"))?;
        let place = |screen| layout(f, screen, lang, &watchers).map_or_else(Rect::default, |l| l.rect);
        let overlay = Overlay::open(
            access,
            &Spec {
                name: WINDOW_NAME,
                layer: Layer::Watched,
                background: BACKGROUND,
                geometry: &place,
                events: EventMask::EXPOSURE,
                root_events: EventMask::STRUCTURE_NOTIFY,
                mapped: true,
            },
        )?;
        if !click_through(&overlay) {
            tracing::debug!(display = %access.name(), "no XFIXES input shape: the watched bar takes clicks");
        }
        let first = layout(f, overlay.screen, lang, &watchers).ok_or_else(|| access.error("nobody is watching"))?;
        if !overlay.put(&render(f, &first)) {
            return Err(access.error("cannot draw the watched notice"));
        }
        let watchers = Arc::new(Mutex::new((0, watchers)));
        let shared = watchers.clone();
        let runner = Runner::spawn(access, "watched", move |stop| run(overlay, first, stop, &shared, lang))?;
        Ok(WatchedNotice { watchers, runner })
    }

    /// Changes who is listed (redrawn within 100 ms).
    pub fn update(&self, watchers: Vec<Watcher>) {
        if let Ok(mut w) = self.watchers.lock() {
            *w = (w.0.wrapping_add(1), watchers);
        }
    }

    /// Whether the bar is still on screen (false once its display is gone).
    #[must_use]
    pub fn is_shown(&self) -> bool {
        self.runner.running()
    }

    /// Takes the bar away and waits until it is gone.
    pub fn close(mut self) {
        self.runner.stop();
    }
}

fn run(mut o: Overlay, mut shown: Layout, stop: &AtomicBool, watchers: &Mutex<(u64, Vec<Watcher>)>, lang: Lang) {
    let mut drawn = 0;
    while !stop.load(Ordering::SeqCst) {
        let Some(events) = o.events(Duration::from_millis(100)) else {
            return;
        };
        let mut redraw = false;
        let mut resized = false;
        for e in &events {
            resized |= o.screen_resized(e);
            redraw |= matches!(e, Event::Expose(x) if x.count == 0);
        }
        let Ok((generation, who)) = watchers.lock().map(|w| w.clone()) else {
            return;
        };
        let Some(f) = fonts() else {
            return;
        };
        if resized || generation != drawn {
            drawn = generation;
            if let Some(fresh) = layout(f, o.screen, lang, &who) {
                redraw |= fresh != shown;
                if !o.set_geometry(fresh.rect) {
                    return;
                }
                shown = fresh;
            }
        }
        if redraw && !o.put(&render(f, &shown)) {
            return;
        }
        if !o.keep_on_top() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str, controls: bool) -> Watcher {
        Watcher {
            name: name.to_owned(),
            controls,
        }
    }

    #[test]
    fn the_bar_names_who_watches_in_both_languages() {
        let text = |lang, ws: &[Watcher]| watched_text(lang, ws).expect("somebody");
        assert_eq!(
            text(Lang::En, &[w("Marie Curie", false)]).0,
            "Marie Curie is viewing your screen"
        );
        assert_eq!(
            text(Lang::Fr, &[w("Marie Curie", false)]).0,
            "Marie Curie regarde votre écran"
        );
        assert_eq!(
            text(Lang::En, &[w("Marie Curie", true)]).0,
            "Marie Curie has control of your desktop"
        );
        assert_eq!(
            text(Lang::Fr, &[w("Marie Curie", true)]).0,
            "Marie Curie a le contrôle de votre bureau"
        );
        assert_eq!(
            text(Lang::En, &[w("Marie Curie", false), w("Paul Langevin", false)]).0,
            "Marie Curie and Paul Langevin are viewing your screen"
        );
        let three = [
            w("Marie Curie", false),
            w("Paul Langevin", false),
            w("Irène Joliot", false),
        ];
        assert_eq!(
            text(Lang::En, &three).0,
            "Marie Curie and 2 others are viewing your screen"
        );
        assert_eq!(
            text(Lang::Fr, &three).0,
            "Marie Curie et 2 autres personnes regardent votre écran"
        );
        assert_eq!(watched_text(Lang::En, &[]), None);
    }

    #[test]
    fn control_comes_first_and_viewers_follow_once() {
        let ws = [
            w("Paul Langevin", false),
            w("Marie Curie", true),
            w("Marie Curie", false),
            w("Paul Langevin", false),
        ];
        assert_eq!(
            watched_text(Lang::En, &ws),
            Some((
                "Marie Curie has control of your desktop".to_owned(),
                Some("Paul Langevin is also viewing".to_owned())
            ))
        );
        assert_eq!(
            watched_text(Lang::Fr, &ws).and_then(|t| t.1),
            Some("Paul Langevin regarde aussi".to_owned())
        );
    }

    #[test]
    fn the_bar_is_small_centred_at_the_top_and_fits_the_screen() {
        let f = fonts().expect("fonts");
        let l = layout(f, (1280, 800), Lang::En, &[w("Marie Curie", true)]).expect("a bar");
        assert_eq!(l.rect.y, 0);
        assert!(l.rect.width < 480 && l.rect.height == LINE_ONE, "{:?}", l.rect);
        let middle = i32::from(l.rect.x) + i32::from(l.rect.width) / 2;
        assert!((middle - 640).abs() <= 1);
        let c = render(f, &l);
        assert_eq!(c.pixel(0, LINE_ONE - 1), ACCENT);
        // A long name on a small screen is cut, never wider than the screen.
        let long = [w(&"Marie Salomea Skłodowska-Curie ".repeat(20), false)];
        for screen in [(320, 200), (1, 1), (u16::MAX, 600)] {
            let l = layout(f, screen, Lang::Fr, &long).expect("a bar");
            assert!(l.rect.width <= MAX_WIDTH, "{screen:?} {:?}", l.rect);
            assert!(l.title.ends_with(text::ELLIPSIS));
            let c = render(f, &l);
            assert_eq!(c.width(), l.rect.width);
        }
        let two = layout(f, (1280, 800), Lang::En, &[w("A", true), w("B", false)]).expect("a bar");
        assert_eq!(two.rect.height, LINE_TWO);
    }
}
