//! Links every library crate of the workspace and does nothing else.
//!
//! `podium-deps-check` asks rustc for this program's link line (`cargo
//! rustc … -- --print link-args`): every `-l` library any crate of the
//! workspace brings, from a `#[link]` attribute or a build script, is on
//! it, and relinking this empty program takes a second where the real
//! binaries would take much longer.
#![forbid(unsafe_code)]

use podium_core as _;
use podium_host as _;
use podium_server as _;
use podium_sys as _;
use podium_testkit as _;
use podium_thumbnail as _;
use podium_x11 as _;

fn main() {}
