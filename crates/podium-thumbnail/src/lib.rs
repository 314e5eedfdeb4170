//! Live thumbnails of every desktop, cheap enough to watch fifty of them on
//! two cores.
//!
//! Each session has a capture thread in the daemon, an X client of the
//! session's display ([`session`]). It asks the X server for DAMAGE
//! notifications on the root window, so a desktop that does not change
//! costs nothing at all; when something changed and somebody watches, it
//! captures the screen at most once per interval with MIT-SHM
//! ([`capture`]), scales it with SIMD ([`scale`]), encodes JPEG
//! ([`encode`]) and keeps the latest picture with a content ETag. Nobody
//! watching means no capture, except one fresh frame when a thumbnail is
//! asked for. The [`Service`] holds the threads and tells watchers when a
//! picture changed.
//!
//! Why in the daemon and not in the session worker: the worker holds the
//! session's privileges and must stay small; capture needs no privilege
//! beyond the session's X cookie, and the daemon is where watchers and
//! HTTP requests are.
#![forbid(unsafe_code)]
#![allow(clippy::too_many_lines)]

pub mod capture;
pub mod encode;
pub mod scale;
pub mod service;
pub mod session;
pub mod strips;

pub use service::{Service, ThumbError, ThumbEvent, Thumbnail, WatchGuard};

use std::fmt;

/// The sizes a thumbnail comes in (width; height follows the screen's aspect).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// 160 pixels wide (160×100 for 16:10).
    Small,
    /// 320 pixels wide (320×200 for 16:10).
    Medium,
    /// 480 pixels wide (480×300 for 16:10).
    Large,
}

impl Size {
    /// Every size.
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

    /// The word used in URLs and events.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    /// Parses [`Size::as_str`]'s words.
    #[must_use]
    pub fn from_word(w: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|s| s.as_str() == w)
    }

    /// Width of this size.
    #[must_use]
    pub fn width(self) -> u32 {
        match self {
            Size::Small => 160,
            Size::Medium => 320,
            Size::Large => 480,
        }
    }

    /// Pixel size of a thumbnail of a `w`×`h` screen: this size's width,
    /// the height keeping the screen's aspect ratio (never above the screen).
    #[must_use]
    pub fn dimensions(self, w: u32, h: u32) -> (u32, u32) {
        let tw = self.width().min(w.max(1));
        let th = (u64::from(tw) * u64::from(h) + u64::from(w.max(1)) / 2) / u64::from(w.max(1));
        (tw, u32::try_from(th).unwrap_or(1).clamp(1, h.max(1)))
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_the_aspect_ratio() {
        assert_eq!(Size::Small.dimensions(1280, 800), (160, 100));
        assert_eq!(Size::Medium.dimensions(1280, 800), (320, 200));
        assert_eq!(Size::Large.dimensions(1280, 800), (480, 300));
        assert_eq!(Size::Medium.dimensions(1920, 1080), (320, 180));
        assert_eq!(Size::Medium.dimensions(1024, 768), (320, 240));
        assert_eq!(
            Size::Large.dimensions(320, 200),
            (320, 200),
            "never larger than the screen"
        );
        assert_eq!(Size::from_word("medium"), Some(Size::Medium));
        assert_eq!(Size::from_word("huge"), None);
    }
}
