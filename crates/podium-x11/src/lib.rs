//! X11 work the daemon does on a session's display, as a client holding
//! the session's cookie ([`xauth`], [`access`]): asking windows to close
//! ([`windows`]), drawing notices on top of everything — the log-off
//! warning ([`notice`]), the block notice ([`block`]), messages
//! ([`message`]), all in [`overlay`] windows drawn with [`canvas`] and
//! [`text`] in the [`palette`]'s colours — and telling Xvnc to ignore its
//! viewers' input or drop them ([`vncext`]). While somebody watches the
//! desktop from the dashboard, a bar says who ([`watched`]), and a
//! teacher who takes control drives it through XTEST ([`xtest`], with the
//! keysyms looked up in [`keymap`]), beside the VNC input a block turns off.
//!
//! Everything here is blocking (x11rb's pure-Rust connection); the daemon
//! runs it on blocking threads, never on its async workers. Not here:
//! which session a display belongs to, or who may draw on it.
#![forbid(unsafe_code)]

pub mod access;
pub mod block;
pub mod canvas;
mod error;
pub mod keymap;
pub mod lang;
pub mod message;
pub mod message_card;
pub mod notice;
pub mod overlay;
pub mod palette;
pub mod text;
pub mod vncext;
pub mod watched;
pub mod windows;
pub mod xauth;
pub mod xtest;

pub use access::{DisplayAccess, x_socket};
pub use error::{Result, X11Error};
pub use lang::Lang;
