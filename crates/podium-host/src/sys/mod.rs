//! The only place in Podium with `unsafe` code: thin, safe wrappers around
//! the system calls and C libraries the host needs and that no safe crate
//! covers the way a session needs them (fork-to-exec with privilege drop,
//! PAM). Each `unsafe` block says why it is sound.
#![allow(unsafe_code)]

pub mod pam;
pub mod pidfd;
pub mod shm;
pub mod signals;
pub mod spawn;
pub mod turbojpeg;
pub mod xattr;
