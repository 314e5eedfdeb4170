//! The check that keeps `scripts/install-deps.sh` honest (`make test` runs
//! it through `podium-deps-check`).
//!
//! A fresh Debian machine has only its image's packages; everything else
//! the build links and the tests run must be installed by
//! `scripts/install-deps.sh`, or the README's two commands fail there while
//! passing on every machine where somebody installed the package by hand.
//! So the check never asks this machine what it has. It compares two
//! things the repository says with one table the repository keeps
//! (`scripts/debian-packages.txt`, which `install-deps.sh` installs):
//!
//! - every `-l` library on the link line of the workspace (rustc's
//!   `--print link-args`, so `#[link]` attributes and build scripts of every
//!   crate count) needs a `lib` row;
//! - every program the code and the tests start needs a `tool` row: the
//!   command words of string literals in Rust and JavaScript, and of shell
//!   scripts, that name a program (an executable in `/usr/bin` or
//!   `/usr/sbin`).
//!
//! Which words name programs is the only thing taken from the machine, and
//! it errs the safe way: where a program is installed, its name is known,
//! so a test that runs it must have its row; where it is not, the test
//! itself fails.

mod check;
mod link;
mod literals;
mod programs;
mod table;
mod words;

pub use check::{Problem, check};
pub use link::linked_libs;
pub use literals::Source;
pub use programs::{Use, programs_in};
pub use table::{Kind, Row, Table};
pub use words::command_words;

#[cfg(test)]
mod tests;
