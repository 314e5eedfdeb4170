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
//! The same capture serves "Project my desktop" ([`projector`]): one
//! display captured whole on each change, encoded once as a stateless
//! JPEG, and fanned out to every station that shows it.
//!
//! Why in the daemon and not in the session worker: the worker holds the
//! session's privileges and must stay small; capture needs no privilege
//! beyond the session's X cookie, and the daemon is where watchers and
//! HTTP requests are.
#![forbid(unsafe_code)]

pub mod capture;
mod display;
pub mod encode;
mod hub;
pub mod projector;
pub mod scale;
pub mod service;
pub mod session;
mod shared;
pub mod size;
pub mod strips;
pub mod thumbnail;

pub use hub::WatchGuard;
pub use service::Service;
pub use size::Size;
pub use thumbnail::{ThumbError, ThumbEvent, Thumbnail};
