//! The report: each knot of modules that use each other in a crate, named
//! the way the code names them, with circles through every one of its
//! modules and the path and line behind each step.

use crate::modules::graph::{self, Edge};
use crate::modules::tree::Crate;
use std::fmt;
use std::path::Path;

/// Modules of one crate that use each other, directly or around a circle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knot {
    /// The crate, as `package (lib)` or `package (bin NAME)`.
    pub target: String,
    /// Its modules (`podium_server::openapi`, …).
    pub modules: Vec<String>,
    /// Shortest circles that, together, pass through every module.
    pub circles: Vec<Vec<Step>>,
}

/// One step of a circle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The using module (`podium_server::openapi`).
    pub from: String,
    /// The module it uses.
    pub to: String,
    /// The path written (`crate::routes::document`).
    pub path: String,
    /// `file:line` of that path.
    pub at: String,
}

/// The knots of modules in `krate`; `target` names the crate in the
/// report, and files are shown relative to `base`.
#[must_use]
pub fn knots(krate: &Crate, target: &str, base: &Path) -> Vec<Knot> {
    let edges = graph::edges(krate);
    graph::knots(krate.modules.len(), &edges)
        .into_iter()
        .map(|knot| Knot {
            target: target.to_owned(),
            modules: knot.iter().map(|&m| krate.display(m)).collect(),
            circles: circles(&knot, &edges)
                .into_iter()
                .map(|c| c.into_iter().map(|e| step(krate, e, base)).collect())
                .collect(),
        })
        .collect()
}

/// A shortest circle through the first module no circle so far passes
/// through, until every module of the knot is on one.
fn circles<'e>(knot: &[usize], edges: &'e [Edge]) -> Vec<Vec<&'e Edge>> {
    let mut found: Vec<Vec<&Edge>> = Vec::new();
    for &m in knot {
        if found.iter().flatten().any(|e| e.from == m) {
            continue;
        }
        found.push(graph::shortest_cycle(knot, m, edges));
    }
    found
}

fn step(krate: &Crate, e: &Edge, base: &Path) -> Step {
    let file = &krate.modules[e.from].file;
    Step {
        from: krate.display(e.from),
        to: krate.display(e.to),
        path: e.path.clone(),
        at: format!("{}:{}", file.strip_prefix(base).unwrap_or(file).display(), e.line),
    }
}

impl fmt::Display for Knot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: modules that use each other: {}",
            self.target,
            self.modules.join(", ")
        )?;
        for circle in &self.circles {
            let mut names: Vec<&str> = circle.iter().map(|s| s.from.as_str()).collect();
            names.extend(circle.first().map(|s| s.from.as_str()));
            writeln!(f, "    {}", names.join(" → "))?;
            for s in circle {
                writeln!(f, "        {} uses {}: `{}` at {}", s.from, s.to, s.path, s.at)?;
            }
        }
        Ok(())
    }
}
