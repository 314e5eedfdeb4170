//! Notices drawn on a session's screen, above every window: today the
//! log-off warning with its countdown.
//!
//! A notice is an override-redirect window owned by the daemon's own X
//! connection ([`crate::overlay`]): the user's window manager cannot move
//! or close it, and it is raised again every half second so new windows do
//! not cover it — above a block notice too, so a blocked user still sees
//! that their session is ending. It does not cover the whole screen, so
//! the user can still save their work.

use crate::access::DisplayAccess;
use crate::canvas::{Canvas, Fonts, fonts};
use crate::error::Result;
use crate::lang::Lang;
use crate::overlay::{Layer, Overlay, Rect, Runner, Spec};
use crate::text;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use x11rb::protocol::Event;
use x11rb::protocol::xproto::EventMask;

/// What a notice says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// "Your session will be logged off in N seconds".
    LogoffWarning {
        /// When the countdown reaches zero.
        deadline: SystemTime,
        /// Full name (or login) of who asked.
        requested_by: String,
    },
}

const CARD_WIDTH: u16 = 760;
const CARD_HEIGHT: u16 = 150;
const TOP: i16 = 36;

use crate::palette::{ACCENT, BACKGROUND, BODY, TITLE};

fn seconds_left(deadline: SystemTime) -> u64 {
    let left = deadline.duration_since(SystemTime::now()).unwrap_or_default();
    left.as_secs() + u64::from(left.subsec_nanos() > 0)
}

/// The texts of a warning, in `lang`.
#[must_use]
pub fn warning_text(lang: Lang, seconds: u64, by: &str) -> (String, String) {
    match lang {
        Lang::En => (
            format!(
                "Your session will be logged off in {seconds} second{}",
                if seconds == 1 { "" } else { "s" }
            ),
            format!("Requested by {by}. Save your work now: open applications will be asked to close."),
        ),
        Lang::Fr => (
            format!(
                "Votre session sera fermée dans {seconds} seconde{}",
                if seconds > 1 { "s" } else { "" }
            ),
            format!("Demandé par {by}. Enregistrez votre travail : les applications ouvertes vont être fermées."),
        ),
    }
}

/// Draws the warning card.
#[must_use]
pub fn render_warning(f: &Fonts, width: u16, lang: Lang, seconds: u64, by: &str) -> Canvas {
    let mut c = Canvas::new(width, CARD_HEIGHT, BACKGROUND);
    let w = i32::from(width);
    c.round_rect(0, 0, w, 5, 0, ACCENT);
    let (cx, cy, r) = (78, 80, 46);
    c.disc(cx, cy, r, ACCENT);
    let number = seconds.to_string();
    let size = if number.len() > 2 { 30.0 } else { 40.0 };
    let nw = Canvas::measure(&f.bold, size, &number);
    #[allow(clippy::cast_precision_loss)]
    c.text(&f.bold, size, cx as f32 - nw / 2.0, cy + 14, BACKGROUND, &number);
    let by = text::sanitize(by).replace('\n', " ");
    let (title, body) = warning_text(lang, seconds, &by);
    let body = text::drawable(&f.regular, &body);
    let text_x = 150.0;
    #[allow(clippy::cast_precision_loss)]
    let max = w as f32 - text_x - 24.0;
    let mut title_size = 25.0;
    while Canvas::measure(&f.bold, title_size, &title) > max && title_size > 14.0 {
        title_size -= 1.0;
    }
    c.text(&f.bold, title_size, text_x, 62, TITLE, &title);
    for (i, line) in text::wrap(&f.regular, 17.0, &body, max, 2).iter().enumerate() {
        c.text(
            &f.regular,
            17.0,
            text_x,
            94 + 24 * i32::try_from(i).unwrap_or(0),
            BODY,
            line,
        );
    }
    c
}

/// A notice on screen. Dropping it (or [`Notice::close`]) takes it away.
pub struct Notice {
    content: Arc<Mutex<Content>>,
    runner: Runner,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notice").finish_non_exhaustive()
    }
}

/// The warning card: across the top of the screen, centred.
fn placement(screen: (u16, u16)) -> Rect {
    let width = CARD_WIDTH.min(screen.0.saturating_sub(40)).max(320);
    Rect {
        x: i16::try_from(screen.0.saturating_sub(width) / 2).unwrap_or(0),
        y: TOP,
        width,
        height: CARD_HEIGHT,
    }
}

impl Notice {
    /// Puts a notice on the display. Blocking: connects and draws the first
    /// frame before returning, so a display that cannot be reached is an error.
    ///
    /// # Errors
    /// When the display cannot be reached.
    pub fn show(access: &DisplayAccess, content: Content, lang: Lang) -> Result<Notice> {
        let overlay = Overlay::open(
            access,
            &Spec {
                name: "Podium notice",
                layer: Layer::Warning,
                background: BACKGROUND,
                geometry: &placement,
                events: EventMask::EXPOSURE,
                root_events: EventMask::STRUCTURE_NOTIFY,
                mapped: true,
            },
        )?;
        let content = Arc::new(Mutex::new(content));
        let shared = content.clone();
        draw(&overlay, &shared, lang);
        let runner = Runner::spawn(access, "notice", move |stop| run(overlay, stop, &shared, lang))?;
        Ok(Notice { content, runner })
    }

    /// Changes what the notice says (a log off brought forward).
    pub fn update(&self, content: Content) {
        if let Ok(mut c) = self.content.lock() {
            *c = content;
        }
    }

    /// Takes the notice away and waits until it is gone.
    pub fn close(mut self) {
        self.runner.stop();
    }
}

fn draw(o: &Overlay, content: &Mutex<Content>, lang: Lang) -> Option<u64> {
    let f = fonts()?;
    let c = content.lock().ok()?.clone();
    let Content::LogoffWarning { deadline, requested_by } = c;
    let secs = seconds_left(deadline);
    let canvas = render_warning(f, o.geometry.width, lang, secs, &requested_by);
    o.put(&canvas).then_some(secs)
}

fn run(mut o: Overlay, stop: &AtomicBool, content: &Mutex<Content>, lang: Lang) {
    let mut last = None;
    while !stop.load(Ordering::SeqCst) {
        let Some(events) = o.events(Duration::from_millis(100)) else {
            return;
        };
        let mut redraw = false;
        for e in &events {
            if o.screen_resized(e) {
                let r = placement(o.screen);
                redraw |= r.width != o.geometry.width;
                if !o.set_geometry(r) {
                    return;
                }
            }
            redraw |= matches!(e, Event::Expose(x) if x.count == 0);
        }
        let now = content.lock().ok().map(|c| {
            let Content::LogoffWarning { deadline, .. } = &*c;
            seconds_left(*deadline)
        });
        if redraw || now != last {
            last = draw(&o, content, lang);
            if last.is_none() {
                return;
            }
        }
        if !o.keep_on_top() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_says_seconds_and_who_in_both_languages() {
        assert_eq!(
            warning_text(Lang::En, 1, "Ann").0,
            "Your session will be logged off in 1 second"
        );
        assert_eq!(
            warning_text(Lang::En, 10, "Ann").0,
            "Your session will be logged off in 10 seconds"
        );
        assert!(warning_text(Lang::Fr, 3, "Ann").1.contains("Ann"));
        assert_eq!(Lang::from_locale("fr_FR.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }

    #[test]
    fn language_comes_from_lc_all_then_lc_messages_then_lang() {
        let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        assert_eq!(Lang::from_env(&env(&[("LANG", "fr_FR.UTF-8")])), Lang::Fr);
        assert_eq!(
            Lang::from_env(&env(&[("LANG", "fr_FR.UTF-8"), ("LC_ALL", "C")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env(&env(&[("LANG", "en_GB.UTF-8"), ("LC_MESSAGES", "fr_CA.UTF-8")])),
            Lang::Fr
        );
        assert_eq!(Lang::from_env(&env(&[("LC_ALL", ""), ("LANG", "fr_BE")])), Lang::Fr);
        assert_eq!(Lang::from_env(&[]), Lang::En);
    }

    #[test]
    fn warning_card_is_drawn() {
        let f = fonts().expect("fonts");
        let c = render_warning(f, 760, Lang::En, 9, "Marie Curie");
        assert_eq!((c.width(), c.height()), (760, CARD_HEIGHT));
        assert_eq!(c.pixel(78, 60), ACCENT);
    }
}
