//! Shared helpers for Podium's end-to-end tests, which run as root on a
//! real host: they create Unix users and groups, start real daemons with
//! their own socket, state directory and cgroup subtree, start real
//! sessions, and look at the host through `/proc` and cgroup files.
//!
//! Each [`Kit`] is isolated (its own daemon, directory, cgroup name and
//! users), so tests run in parallel. Everything it made is removed when it
//! is dropped, sessions first.
#![forbid(unsafe_code)]

pub mod access;
pub mod bench;
pub mod bins;
pub mod browser;
pub mod cli;
pub mod cluster;
pub mod deps;
pub mod desktop;
pub mod error;
pub mod faults;
pub mod host;
pub mod modules;
pub mod netlock;
pub mod procfs;
pub mod rfb;
pub mod screen;
pub mod system;
pub mod web;
pub mod xvnc;

pub use cli::Cli;
pub use error::TestkitError;
pub use host::Kit;
pub use system::{TestUser, wait_until};
