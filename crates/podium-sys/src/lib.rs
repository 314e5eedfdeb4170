//! The only place in Podium with `unsafe` code: thin, safe wrappers around
//! the system calls and C libraries the host needs and that no safe crate
//! covers the way a session needs them — fork-to-exec with privilege drop
//! ([`spawn`]), PAM ([`pam`]), MIT-SHM segments ([`shm`]), pidfds
//! ([`pidfd`]), signals ([`signals`]), extended attributes ([`xattr`]) and
//! libjpeg-turbo ([`turbojpeg`]). Each `unsafe` block says why it is sound.
//!
//! Not here: any policy. Who may start what, and when, is decided above.
#![allow(unsafe_code)]

mod error;
pub mod pam;
pub mod pidfd;
pub mod random;
pub mod shm;
pub mod signals;
pub mod spawn;
pub mod turbojpeg;
pub mod xattr;

pub use error::{Result, SysError};
