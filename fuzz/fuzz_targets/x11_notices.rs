//! The notices Podium draws on a session's screen, laid out and drawn for
//! any screen size (the user may resize their screen with RandR) and any
//! text: a block notice with a teacher's message, a message card with its
//! sender's name, the log-off warning with who asked.
//!
//! Input: screen width and height (two little-endian u16), a flags byte
//! (bit 0: French), the number of messages waiting, then the sender's name
//! and the text, separated by a NUL byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_x11::block;
use podium_x11::canvas::fonts;
use podium_x11::message::{self, ButtonState, QueuedMessage};
use podium_x11::Lang;
use podium_x11::notice::render_warning;
use std::time::{Duration, SystemTime};

/// Screens larger than this are laid out but not drawn, to keep each run
/// fast; drawing clips the same way at any size.
const DRAW_MAX: (u16, u16) = (1920, 1200);

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<6>() else {
        return;
    };
    let screen = (
        u16::from_le_bytes([head[0], head[1]]),
        u16::from_le_bytes([head[2], head[3]]),
    );
    let lang = if head[4] & 1 == 0 { Lang::En } else { Lang::Fr };
    let count = usize::from(head[5]).max(1);
    let text = String::from_utf8_lossy(rest);
    let (from, body) = text.split_once('\0').unwrap_or(("", &text));
    let Some(f) = fonts() else {
        panic!("the built-in fonts do not load");
    };
    let drawable = screen.0 <= DRAW_MAX.0 && screen.1 <= DRAW_MAX.1;

    let l = block::layout(f, screen, lang, body);
    assert!((1..=4).contains(&l.lines.len()), "{:?}", l.lines);
    if drawable {
        // Only the card is drawn (the X server paints the backdrop): it
        // lies inside the screen, whatever the screen's size. A picture is
        // at least one pixel each way, so a side of 0 (which X never
        // reports: a window is at least 1×1) holds exactly that pixel.
        let p = block::render(f, screen, lang, body);
        let (x, y) = (i32::from(p.at.0), i32::from(p.at.1));
        let (w, h) = (i32::from(screen.0.max(1)), i32::from(screen.1.max(1)));
        assert!(x >= 0 && y >= 0, "{:?}", p.at);
        assert!(x + i32::from(p.canvas.width()) <= w, "{:?} on {screen:?}", p.at);
        assert!(y + i32::from(p.canvas.height()) <= h, "{:?} on {screen:?}", p.at);
    }

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let m = QueuedMessage {
        id: 1,
        from: from.to_owned(),
        text: body.to_owned(),
        sent_at: now - Duration::from_secs(u64::from(head[5]) * 97),
    };
    let l = message::layout(f, screen, lang, &m, count, now);
    assert!((1..=8).contains(&l.lines.len()), "{:?}", l.lines);
    assert!(
        l.card.width <= screen.0 && l.card.height <= screen.1,
        "{:?} on {screen:?}",
        l.card
    );
    let c = message::render(f, &l, ButtonState::Ready);
    assert_eq!((c.width(), c.height()), (l.card.width, l.card.height));

    // The warning card is 320 to 760 wide, as the screen allows.
    let width = screen.0.saturating_sub(40).clamp(320, 760);
    let c = render_warning(f, width, lang, u64::from(head[5]) * 7, from);
    assert_eq!(c.width(), width);
});
