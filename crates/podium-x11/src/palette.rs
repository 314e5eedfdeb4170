//! The notices' palette: a dark slate card, amber for what needs attention.

use crate::canvas::Rgb;
/// Cards.
pub const BACKGROUND: Rgb = 0x1f2937;
/// Behind a card that covers the screen.
pub const BACKDROP: Rgb = 0x111827;
/// Lines and borders on a card.
pub const LINE: Rgb = 0x374151;
/// What needs attention.
pub const ACCENT: Rgb = 0xf59e0b;
/// The accent, pressed.
pub const ACCENT_DARK: Rgb = 0xb45309;
/// Titles.
pub const TITLE: Rgb = 0xffffff;
/// Body text.
pub const BODY: Rgb = 0xd1d5db;
/// Secondary text.
pub const MUTED: Rgb = 0x9ca3af;
