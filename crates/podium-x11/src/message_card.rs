//! What a message card says and how it looks: its texts in each language,
//! its layout on a screen of any size, and its pixels. The box that shows
//! it and listens for OK is [`crate::message`].

use crate::canvas::{Canvas, Fonts};
use crate::lang::Lang;
use crate::overlay::Rect;
use crate::palette::{ACCENT, ACCENT_DARK, BACKGROUND, BODY, LINE, MUTED, TITLE};
use crate::text;
use std::time::{Duration, SystemTime};

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

pub(crate) const MAX_WIDTH: u16 = 600;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::fonts;

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
