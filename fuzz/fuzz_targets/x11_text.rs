//! Text from people drawn on a session's screen: a teacher's message or
//! block notice, a sender's full name (`x11/text.rs`). Whatever the text,
//! `sanitize` gives what it documents, and wrapping it with the built-in
//! fonts at the sizes and widths the notices use stays within its lines
//! and its width.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_x11::canvas::{Canvas, fonts};
use podium_x11::text::{ELLIPSIS, MAX_CHARS, clean, fit, sanitize, wrap};

/// Measuring a line and adding up its words may round differently.
const SLACK: f32 = 0.5;

fn check_sanitized(s: &str) {
    assert!(s.chars().count() <= MAX_CHARS);
    assert!(s.chars().all(|c| c == '\n' || !c.is_control()), "{s:?}");
    assert!(
        !s.contains([
            '\t', '\r', '\u{85}', '\u{2028}', '\u{2029}', '\u{200b}', '\u{202e}', '\u{feff}'
        ]),
        "{s:?}"
    );
    assert!(
        !s.contains("  ") && !s.contains(" \n") && !s.contains("\n ") && !s.contains("\n\n\n"),
        "{s:?}"
    );
    assert!(
        !s.starts_with([' ', '\n']) && !s.ends_with(char::is_whitespace),
        "{s:?}"
    );
    assert_eq!(sanitize(s), s, "sanitizing twice changes {s:?}");
}

/// A line of more than one character is no wider than `max`; a single
/// character (or the ellipsis alone) is drawn even if it is wider.
fn check_width(font: &fontdue::Font, size: f32, line: &str, max: f32) {
    if line.chars().count() > 1 {
        let w = Canvas::measure(font, size, line);
        assert!(w <= max + SLACK, "{line:?} is {w} px wide, more than {max}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let s = sanitize(&text);
    check_sanitized(&s);
    let Some(f) = fonts() else {
        panic!("the built-in fonts do not load");
    };
    // Block notice (bold 30, a card 160 to 720 wide), message body
    // (regular 18), log-off warning (regular 17, two lines).
    for (font, size, max, max_lines) in [
        (&f.bold, 30.0, 64.0, 4),
        (&f.bold, 30.0, 624.0, 4),
        (&f.regular, 18.0, 40.0, 8),
        (&f.regular, 18.0, 446.0, 8),
        (&f.regular, 17.0, 1.0, 2),
    ] {
        let cleaned = clean(font, &text);
        assert!(
            cleaned
                .chars()
                .all(|c| c == '\n' || c == ' ' || font.lookup_glyph_index(c) != 0 || c == '?')
        );
        let lines = wrap(font, size, &cleaned, max, max_lines);
        assert!(lines.len() <= max_lines, "{} lines of {max_lines}", lines.len());
        for l in &lines {
            assert!(!l.contains('\n'));
            check_width(font, size, l, max);
        }
        // Nothing is lost unless the last line says so.
        if lines.last().is_none_or(|l| !l.ends_with(ELLIPSIS)) {
            let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<String>();
            assert_eq!(
                words(&lines.join(" ")),
                words(&cleaned),
                "{cleaned:?} wrapped as {lines:?}"
            );
        }
        let one = fit(font, size, &cleaned, max);
        assert!(!one.contains('\n'));
        check_width(font, size, &one, max);
    }
});
