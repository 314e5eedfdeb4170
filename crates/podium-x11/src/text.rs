//! Text from people, made safe to draw: a teacher's message or a user's
//! full name may hold anything. Control and invisible formatting
//! characters are removed, characters the built-in fonts lack are drawn as
//! U+FFFD, and lines are wrapped to a width and capped with an ellipsis.
//!
//! Glyphs are drawn one after the other, left to right, without shaping:
//! scripts that need it (Arabic, scripts written right to left) come out
//! legible letter by letter rather than correctly joined, never as a crash.

use crate::canvas::Canvas;
use fontdue::Font;

/// The longest text laid out, in characters: far more than any notice
/// shows, and a bound on the work any input can cause.
pub const MAX_CHARS: usize = 2000;

/// Drawn at the end of text that was cut short.
pub const ELLIPSIS: char = '\u{2026}';

const REPLACEMENT: char = '\u{fffd}';

/// Characters that change how the text around them is shown but draw
/// nothing themselves: bidirectional controls, zero-width characters,
/// variation selectors, tags. Drawn one by one, they would be boxes.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e0fff}')
}

/// `text` as lines of printable characters: line breaks of any kind become
/// `\n` (at most one blank line in a row), tabs become spaces, control and
/// invisible characters go, runs of spaces become one, and the whole is at
/// most [`MAX_CHARS`] long and trimmed.
#[must_use]
pub fn sanitize(text: &str) -> String {
    let mut out = String::new();
    let mut newlines = 0;
    let mut chars = text.chars().take(MAX_CHARS).peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => '\n',
            '\t' => ' ',
            c if c.is_control() || is_invisible(c) => continue,
            // No-break spaces keep their meaning (French puts them before `:`).
            '\u{a0}' | '\u{2007}' | '\u{202f}' => c,
            c if c.is_whitespace() => ' ',
            c => c,
        };
        match c {
            '\n' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                newlines += 1;
                if newlines <= 2 && !out.is_empty() {
                    out.push('\n');
                }
            }
            ' ' if out.is_empty() || out.ends_with(' ') || out.ends_with('\n') => {}
            c => {
                newlines = 0;
                out.push(c);
            }
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// `text` with every character `font` cannot draw replaced by U+FFFD (or
/// `?` if even that is missing).
#[must_use]
pub fn drawable(font: &Font, text: &str) -> String {
    let fallback = if font.lookup_glyph_index(REPLACEMENT) == 0 {
        '?'
    } else {
        REPLACEMENT
    };
    text.chars()
        .map(|c| {
            if c == '\n' || c == ' ' || font.lookup_glyph_index(c) != 0 {
                c
            } else {
                fallback
            }
        })
        .collect()
}

/// Text from outside, ready for [`wrap`] or [`fit`] with `font`:
/// [`sanitize`] then [`drawable`].
#[must_use]
pub fn clean(font: &Font, text: &str) -> String {
    drawable(font, &sanitize(text))
}

fn width(font: &Font, size: f32, text: &str) -> f32 {
    Canvas::measure(font, size, text)
}

/// `line` shortened until it fits in `max` pixels with an ellipsis after it.
fn with_ellipsis(font: &Font, size: f32, line: &str, max: f32) -> String {
    // Cut at the first character that no longer fits with the ellipsis
    // after it, in one pass: a long line must not cost a measure of the
    // whole line for every character taken off. Adding up in the same
    // order as `width`, the loop below then only trims.
    let ellipsis = font.metrics(ELLIPSIS, size).advance_width;
    let mut so_far = 0.0;
    let end = line
        .char_indices()
        .find(|(_, c)| {
            so_far += font.metrics(*c, size).advance_width;
            so_far + ellipsis > max
        })
        .map_or(line.len(), |(i, _)| i);
    let mut line = line[..end].trim_end().to_owned();
    loop {
        let candidate = format!("{line}{ELLIPSIS}");
        if line.is_empty() || width(font, size, &candidate) <= max {
            return candidate;
        }
        line.pop();
        line.truncate(line.trim_end().len());
    }
}

/// `text` on one line no wider than `max` pixels, cut with an ellipsis if
/// it is too long. Line breaks become spaces.
#[must_use]
pub fn fit(font: &Font, size: f32, text: &str, max: f32) -> String {
    let one_line = text.replace('\n', " ");
    if width(font, size, &one_line) <= max {
        one_line
    } else {
        with_ellipsis(font, size, &one_line, max)
    }
}

/// Splits a word too wide for a line into pieces that fit.
fn split_word(font: &Font, size: f32, word: &str, max: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    for c in word.chars() {
        let w = font.metrics(c, size).advance_width;
        if piece_width + w > max && !piece.is_empty() {
            pieces.push(std::mem::take(&mut piece));
            piece_width = 0.0;
        }
        piece.push(c);
        piece_width += w;
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// Lays `text` (already [`clean`]) out in lines no wider than `max`
/// pixels: words wrap, words wider than a line are split, `\n` starts a
/// new line. At most `max_lines` lines; if there was more, the last one
/// ends with an ellipsis.
#[must_use]
pub fn wrap(font: &Font, size: f32, text: &str, max: f32, max_lines: usize) -> Vec<String> {
    let space = font.metrics(' ', size).advance_width;
    let mut lines: Vec<String> = Vec::new();
    let mut more = false;
    'paragraphs: for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            for piece in split_word(font, size, word, max) {
                let w = width(font, size, &piece);
                if line.is_empty() {
                    (line, line_width) = (piece, w);
                } else if line_width + space + w <= max {
                    line.push(' ');
                    line.push_str(&piece);
                    line_width += space + w;
                } else {
                    lines.push(std::mem::replace(&mut line, piece));
                    line_width = w;
                }
                if lines.len() >= max_lines {
                    more = true;
                    break 'paragraphs;
                }
            }
        }
        lines.push(line);
        if lines.len() > max_lines {
            more = true;
            break;
        }
    }
    if more || lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = with_ellipsis(font, size, last, max);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::fonts;

    #[test]
    fn sanitize_strips_controls_and_invisible_characters() {
        assert_eq!(sanitize("a\u{0}b\u{7}c\u{1b}[31md"), "abc[31md");
        assert_eq!(sanitize("\u{202e}evil\u{202c} \u{200b}x\u{feff}"), "evil x");
        assert_eq!(sanitize("  one\t\ttwo   three  "), "one two three");
    }

    #[test]
    fn sanitize_keeps_paragraphs_but_not_runs_of_blank_lines() {
        assert_eq!(sanitize("a\r\nb\rc\u{2028}d"), "a\nb\nc\nd");
        assert_eq!(sanitize("\n\na  \n\n\n\n\nb\n\n"), "a\n\nb");
    }

    #[test]
    fn sanitize_bounds_the_length() {
        let long = "x".repeat(MAX_CHARS * 10);
        assert_eq!(sanitize(&long).chars().count(), MAX_CHARS);
    }

    #[test]
    fn characters_the_font_lacks_become_the_replacement_glyph() {
        let f = fonts().expect("fonts");
        let s = clean(&f.regular, "ok 🦖 漢字 \u{1f1eb}\u{1f1f7} \u{e000} été 😀 שלום مرحبا");
        assert!(
            s.starts_with("ok \u{fffd} \u{fffd}\u{fffd} \u{fffd}\u{fffd} \u{fffd} été"),
            "{s}"
        );
        // DejaVu Sans has the classic emoticons.
        assert!(s.contains('😀'), "{s}");
        // DejaVu Sans has Hebrew and Arabic letters: they stay.
        assert!(s.contains("שלום") && s.contains("مرحبا"), "{s}");
    }

    #[test]
    fn long_text_wraps_within_the_width() {
        let f = fonts().expect("fonts");
        let text = "The quick brown fox jumps over the lazy dog again and again until the end of the lesson.";
        let lines = wrap(&f.regular, 20.0, text, 300.0, 10);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(Canvas::measure(&f.regular, 20.0, l) <= 300.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    /// A long line is cut in one pass: fitting the longest text a notice
    /// takes once measured the whole line again for every character taken
    /// off (seconds for a 2000-character name; found by `make fuzz`).
    #[test]
    fn a_long_line_is_cut_to_the_longest_part_that_fits() {
        let f = fonts().expect("fonts");
        let long = "abcdefghij".repeat(MAX_CHARS / 10);
        let one = fit(&f.bold, 21.0, &long, 300.0);
        assert!(one.ends_with(ELLIPSIS), "{one}");
        assert!(Canvas::measure(&f.bold, 21.0, &one) <= 300.0, "{one}");
        let kept = one.trim_end_matches(ELLIPSIS);
        assert!(long.starts_with(kept));
        let one_more = format!("{}{ELLIPSIS}", &long[..kept.len() + 1]);
        assert!(
            Canvas::measure(&f.bold, 21.0, &one_more) > 300.0,
            "{one} could hold one more"
        );
    }

    #[test]
    fn too_many_lines_end_with_an_ellipsis() {
        let f = fonts().expect("fonts");
        let text = "word ".repeat(200);
        let lines = wrap(&f.regular, 20.0, &text, 200.0, 3);
        assert_eq!(lines.len(), 3);
        let last = lines.last().expect("a line");
        assert!(last.ends_with(ELLIPSIS), "{last}");
        assert!(Canvas::measure(&f.regular, 20.0, last) <= 200.0);
        // Paragraph breaks count as lines too.
        let lines = wrap(&f.regular, 20.0, "a\nb\nc\nd\ne", 200.0, 3);
        assert_eq!(lines, vec!["a", "b", "c\u{2026}"]);
    }

    #[test]
    fn words_wider_than_a_line_are_split() {
        let f = fonts().expect("fonts");
        let lines = wrap(&f.regular, 20.0, &"W".repeat(100), 150.0, 50);
        assert!(lines.len() > 5, "{lines:?}");
        assert!(lines.iter().all(|l| Canvas::measure(&f.regular, 20.0, l) <= 150.0));
        assert_eq!(lines.concat(), "W".repeat(100));
    }

    #[test]
    fn fit_cuts_one_line_with_an_ellipsis() {
        let f = fonts().expect("fonts");
        assert_eq!(fit(&f.bold, 20.0, "Marie Curie", 400.0), "Marie Curie");
        let long = fit(&f.bold, 20.0, &"Marie Curie ".repeat(20), 400.0);
        assert!(long.ends_with(ELLIPSIS));
        assert!(Canvas::measure(&f.bold, 20.0, &long) <= 400.0);
        // Even a width nothing fits in gives an answer.
        assert_eq!(fit(&f.bold, 20.0, "Marie", 1.0), "\u{2026}");
    }

    #[test]
    fn nothing_panics_on_hostile_text() {
        let f = fonts().expect("fonts");
        let nasty = [
            String::new(),
            "\n\n\n".into(),
            "\u{0}\u{1}\u{7f}\u{9f}".into(),
            "e\u{301}\u{301}\u{301}\u{301}".into(),
            "\u{10ffff}\u{fffe}\u{d7ff}".into(),
            "👩‍👩‍👧‍👦".repeat(300),
            "ﷺ".repeat(50),
            "\u{202e}".repeat(1000),
        ];
        for s in nasty {
            let c = clean(&f.regular, &s);
            let _ = wrap(&f.regular, 24.0, &c, 320.0, 4);
            let _ = wrap(&f.regular, 24.0, &c, 0.0, 0);
            let _ = fit(&f.bold, 24.0, &c, 50.0);
        }
    }
}
