//! Making Podium sessions real on a Linux host.
//!
//! A session is a TigerVNC display, a PAM session and the user's desktop,
//! all in one cgroup v2 group; the [`worker`] process (the `podium` binary
//! re-executed, one per session) holds them. The daemon side is the
//! [`manager::Host`]: it starts workers, keeps the [`registry`], runs the
//! log-off sequence ([`logoff`]) with on-screen warnings and polite window
//! closing ([`x11`]), and takes sessions back after a restart.
//!
//! Not here: HTTP, roles' policy (that is `podium-core`'s one permission
//! function), thumbnails.
#![allow(clippy::too_many_lines)]

pub mod actions;
pub mod autologoff;
pub mod cgroup;
pub mod display;
pub mod error;
pub mod live;
pub mod locale;
pub mod login;
pub mod logoff;
pub mod manager;
pub mod reaper;
mod recover;
pub mod registry;
pub mod screen;
pub mod station;
pub mod stats;
pub mod sys;
pub mod users;
pub mod worker;
pub mod x11;
pub mod xauth;

pub use error::{HostError, Result};
pub use manager::{Host, HostEvent};
