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
//! cargo-modules (`dependencies --acyclic`) was the first candidate: it
//! looks at item signatures and `use` lines only, not at paths in function
//! bodies or macro input, so it misses most of the cycles this finds.

mod cfg;
pub mod graph;
pub mod refs;
pub mod report;
pub mod tree;
pub mod workspace;

#[cfg(test)]
mod tests;
