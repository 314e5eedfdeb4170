//! Making Podium sessions real on a Linux host.
//!
//! A session is a TigerVNC display, a PAM session and the user's desktop,
//! all in one cgroup v2 group; the [`worker`] process (the `podium` binary
//! re-executed, one per session) holds them. The daemon side is the
//! [`host::Host`]: it starts workers, keeps the [`registry`], runs the
//! log-off sequence ([`host::logoff`]) with on-screen warnings and polite
//! window closing (through `podium-x11`), and takes sessions back after a
//! restart ([`host::recover`]).
//!
//! Not here: HTTP, roles' policy (that is `podium-core`'s one permission
//! function), drawing on a display (`podium-x11`), system calls
//! (`podium-sys`), thumbnails.
#![forbid(unsafe_code)]

pub mod cgroup;
pub mod classes;
pub mod desktop;
pub mod display;
pub mod error;
pub mod host;
pub mod live;
pub mod locale;
pub mod login;
pub mod reaper;
pub mod registry;
pub mod socket_dirs;
pub mod stats;
pub mod users;
pub mod worker;

pub use error::{HostError, Result};
pub use host::{Host, HostEvent};
