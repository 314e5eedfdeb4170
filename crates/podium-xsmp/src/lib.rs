//! A client of the X Session Management Protocol (XSMP) over ICE, in
//! Rust alone, so Podium can ask a desktop's session manager
//! (xfce4-session, gnome-session, ksmserver …) to log the session out the
//! way the desktop's own log-out does: every application is asked to
//! save and quit, and the desktop ends itself, rather than having its
//! processes killed.
//!
//! The caller finds the manager's socket, checks who owns it and reads
//! the user's ICE authority file; this crate takes the connected stream
//! and the file's bytes ([`cookies_for`]), registers ([`Client::register`])
//! and asks for the log-out ([`Client::request_logout`]). Everything the
//! manager and the file say is input from a program the session's user
//! controls: lengths are bounded, nothing panics on it, and every wait
//! has a deadline. Blocking; no C libraries (libICE and libSM are not
//! linked).
//!
//! Modules: [`wire`] (the messages as values and as bytes, from `codec`,
//! `message`, `encode`, `decode`), `authority` (the cookie file), `conn`
//! (an ICE connection on a stream), `setup` (ICE and XSMP set-up with
//! authentication), `outgoing` (what Podium sends), `client` (the
//! conversation), `error`.
#![forbid(unsafe_code)]

mod authority;
mod client;
mod codec;
mod conn;
mod decode;
mod encode;
mod error;
mod message;
mod outgoing;
mod setup;
pub mod wire;

pub use authority::{Cookies, IceSocket, MAX_AUTHORITY, cookies_for};
pub use client::{Client, LogoutOutcome};
pub use error::{Result, XsmpError};

#[cfg(test)]
mod wire_tests;
