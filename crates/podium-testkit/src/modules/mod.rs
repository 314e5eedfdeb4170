//! The check that no module uses a module that uses it back (`make lint`
//! runs it through `podium-modules-check`).
//!
//! Cargo forbids cycles between crates; inside a crate nothing does, and
//! two modules that use each other are one module in two files. The check
//! reads each crate's source files with `syn`, the way the compiler finds
//! its modules, and counts as a use of module `b` by module `a` every path
//! `a` writes that leads into `b`: in a `use` line, in place (`crate::b::f()`
//! in a function body, a type, a pattern, an `impl`), and inside macro
//! calls and attributes. Names brought in or re-exported by `use` lines are
//! followed to the module that defines them. Code under `#[cfg(test)]` is
//! left out, since a normal build leaves it out: a test module's
//! `use super::*` is not a cycle.
//!
//! cargo-modules 0.27 (`dependencies --acyclic`) was tried first. Its graph
//! is one of items, not modules, drawn from signatures and `use` lines: a
//! type and a method taking or returning it already make a cycle, so it
//! fails on every crate of this workspace, while two modules calling each
//! other's functions, by `use` lines or paths in place, pass. Building it
//! also takes some 23 minutes of CPU.

mod cfg;
pub mod graph;
pub mod refs;
pub mod report;
pub mod tree;
pub mod workspace;

#[cfg(test)]
mod tests;
