//! Notices drawn on a session's screen, above every window: today the
//! log-off warning with its countdown.
//!
//! A notice is an override-redirect window owned by the daemon's own X
//! connection: the user's window manager cannot move or close it, and it is
//! raised again every half second so new windows do not cover it. It does
//! not cover the whole screen, so the user can still save their work.

use super::DisplayAccess;
use super::canvas::{Canvas, Fonts, fonts};
use crate::error::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConfigureWindowAux, ConnectionExt, CreateGCAux, CreateWindowAux, EventMask, StackMode, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// The language a notice is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// From a locale such as `fr_FR.UTF-8`; English unless it is French.
    #[must_use]
    pub fn from_locale(locale: &str) -> Lang {
        if locale.starts_with("fr") { Lang::Fr } else { Lang::En }
    }
}

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
const BACKGROUND: u32 = 0x1f2937;
const ACCENT: u32 = 0xf59e0b;
const TITLE: u32 = 0xffffff;
const BODY: u32 = 0xd1d5db;

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
    let (title, body) = warning_text(lang, seconds, by);
    let text_x = 150.0;
    #[allow(clippy::cast_precision_loss)]
    let max = w as f32 - text_x - 24.0;
    let mut title_size = 25.0;
    while Canvas::measure(&f.bold, title_size, &title) > max && title_size > 14.0 {
        title_size -= 1.0;
    }
    c.text(&f.bold, title_size, text_x, 62, TITLE, &title);
    for (i, line) in Canvas::wrap(&f.regular, 17.0, &body, max).iter().take(3).enumerate() {
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
    stop: Arc<AtomicBool>,
    content: Arc<Mutex<Content>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notice").finish_non_exhaustive()
    }
}

struct Shown {
    conn: RustConnection,
    window: u32,
    gc: u32,
    depth: u8,
    width: u16,
}

impl Notice {
    /// Puts a notice on the display. Blocking: connects and draws the first
    /// frame before returning, so a display that cannot be reached is an error.
    ///
    /// # Errors
    /// When the display cannot be reached.
    pub fn show(access: &DisplayAccess, content: Content, lang: Lang) -> Result<Notice> {
        let shown = open_window(access)?;
        let stop = Arc::new(AtomicBool::new(false));
        let content = Arc::new(Mutex::new(content));
        let (s, c) = (stop.clone(), content.clone());
        draw(&shown, &c, lang);
        let thread = std::thread::Builder::new()
            .name(format!("notice {}", access.name()))
            .spawn(move || run(&shown, &s, &c, lang))
            .map_err(|e| access.error(e))?;
        Ok(Notice {
            stop,
            content,
            thread: Some(thread),
        })
    }

    /// Changes what the notice says (a log off brought forward).
    pub fn update(&self, content: Content) {
        if let Ok(mut c) = self.content.lock() {
            *c = content;
        }
    }

    /// Takes the notice away and waits until it is gone.
    pub fn close(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Notice {
    fn drop(&mut self) {
        self.finish();
    }
}

fn open_window(access: &DisplayAccess) -> Result<Shown> {
    let conn = access.connect()?;
    let e = |err: &dyn std::fmt::Display| access.error(err);
    let screen = conn.setup().roots.first().ok_or_else(|| e(&"no screen"))?.clone();
    let width = CARD_WIDTH.min(screen.width_in_pixels.saturating_sub(40)).max(320);
    let x = i16::try_from((screen.width_in_pixels.saturating_sub(width)) / 2).unwrap_or(0);
    let window = conn.generate_id().map_err(|x| e(&x))?;
    let aux = CreateWindowAux::new()
        .override_redirect(1)
        .background_pixel(BACKGROUND)
        .border_pixel(ACCENT)
        .event_mask(EventMask::EXPOSURE);
    conn.create_window(
        screen.root_depth,
        window,
        screen.root,
        x,
        TOP,
        width,
        CARD_HEIGHT,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &aux,
    )
    .map_err(|x| e(&x))?;
    let _ = conn.change_property8(
        x11rb::protocol::xproto::PropMode::REPLACE,
        window,
        x11rb::protocol::xproto::AtomEnum::WM_NAME,
        x11rb::protocol::xproto::AtomEnum::STRING,
        b"Podium notice",
    );
    let gc = conn.generate_id().map_err(|x| e(&x))?;
    conn.create_gc(gc, window, &CreateGCAux::new()).map_err(|x| e(&x))?;
    conn.map_window(window).map_err(|x| e(&x))?;
    conn.flush().map_err(|x| e(&x))?;
    Ok(Shown {
        conn,
        window,
        gc,
        depth: screen.root_depth,
        width,
    })
}

fn draw(s: &Shown, content: &Mutex<Content>, lang: Lang) -> Option<u64> {
    let f = fonts()?;
    let c = content.lock().ok()?.clone();
    let Content::LogoffWarning { deadline, requested_by } = c;
    let secs = seconds_left(deadline);
    let canvas = render_warning(f, s.width, lang, secs, &requested_by);
    canvas.put(&s.conn, s.window, s.gc, s.depth).ok()?;
    s.conn.flush().ok()?;
    Some(secs)
}

fn run(s: &Shown, stop: &AtomicBool, content: &Mutex<Content>, lang: Lang) {
    let mut last = None;
    let mut ticks = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let mut exposed = false;
        loop {
            match s.conn.poll_for_event() {
                Ok(Some(Event::Expose(_))) => exposed = true,
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        let now = content.lock().ok().map(|c| {
            let Content::LogoffWarning { deadline, .. } = &*c;
            seconds_left(*deadline)
        });
        if exposed || now != last {
            last = draw(s, content, lang);
            if last.is_none() {
                return;
            }
        }
        if ticks % 5 == 0 {
            let raised = s
                .conn
                .configure_window(s.window, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE));
            if raised.is_err() || s.conn.flush().is_err() {
                return;
            }
        }
        ticks = ticks.wrapping_add(1);
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = s.conn.destroy_window(s.window);
    let _ = s.conn.flush();
    let _ = s.conn.get_input_focus().map(|c| c.reply());
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
    fn warning_card_is_drawn() {
        let f = fonts().expect("fonts");
        let c = render_warning(f, 760, Lang::En, 9, "Marie Curie");
        assert_eq!((c.width(), c.height()), (760, CARD_HEIGHT));
        assert_eq!(c.pixel(78, 60), ACCENT);
    }
}
