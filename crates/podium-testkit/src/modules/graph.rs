//! From the paths a crate's modules write to which module uses which, and
//! the cycles among them.
//!
//! A path uses the module that holds what it names: `crate::a::b::f` uses
//! `a::b`; `crate::a::b` (a module) uses `a::b`; a name brought in by a
//! `use` line (or re-exported by one: `pub use inner::Thing`) is followed
//! to where it is defined, so `crate::Thing` uses `inner`, while the
//! re-exporting `use` line is itself a use of `inner` by its module.
//! Declaring a module (`mod x;`) is not a use of it.

use crate::modules::tree::Crate;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Module `from` uses module `to`, first seen as `path` at `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The using module.
    pub from: usize,
    /// The module used.
    pub to: usize,
    /// The path that says so, as written (`crate::routes::document`).
    pub path: String,
    /// Its line in `from`'s file.
    pub line: usize,
}

/// How deep re-exports are followed before giving up (a `use` loop).
const MAX_DEPTH: usize = 16;

/// What a path leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A module.
    Module(usize),
    /// An item defined in this module.
    Item(usize),
}

impl Target {
    fn home(self) -> usize {
        match self {
            Target::Module(m) | Target::Item(m) => m,
        }
    }
}

/// Every use of one module by another in `krate`, one per pair (the first
/// path seen), in module order.
#[must_use]
pub fn edges(krate: &Crate) -> Vec<Edge> {
    let mut seen = BTreeMap::new();
    for (m, module) in krate.modules.iter().enumerate() {
        for r in &module.refs {
            let Some(to) = resolve(krate, m, &r.path, 0).map(Target::home) else {
                continue;
            };
            if to != m {
                seen.entry((m, to)).or_insert_with(|| Edge {
                    from: m,
                    to,
                    path: r.path.join("::"),
                    line: r.line,
                });
            }
        }
    }
    seen.into_values().collect()
}

/// Where `path`, written in module `m`, leads inside the crate.
fn resolve(krate: &Crate, m: usize, path: &[String], depth: usize) -> Option<Target> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (first, rest) = path.split_first()?;
    let mut at = match first.as_str() {
        "crate" => Target::Module(0),
        "self" => Target::Module(m),
        "super" => Target::Module(krate.modules[m].parent?),
        name => lookup(krate, m, name, depth)?,
    };
    for segment in rest {
        let Target::Module(k) = at else {
            // `Type::method`, `Enum::Variant`: the item's module is the answer.
            break;
        };
        at = match segment.as_str() {
            "self" => Target::Module(k),
            "super" => Target::Module(krate.modules[k].parent?),
            // Something no source file defines (made by a macro, like
            // utoipa's `__path_login`) is taken as the module's own.
            name => match lookup(krate, k, name, depth) {
                Some(t) => t,
                None => break,
            },
        };
    }
    Some(at)
}

/// What `name` stands for in module `m`: a child module, an item defined
/// there, a name its `use` lines bring in, or one of its globs' names.
fn lookup(krate: &Crate, m: usize, name: &str, depth: usize) -> Option<Target> {
    let module = &krate.modules[m];
    if let Some(&c) = module.children.get(name) {
        return Some(Target::Module(c));
    }
    if module.items.contains(name) {
        return Some(Target::Item(m));
    }
    if let Some(path) = module.imports.get(name) {
        return resolve(krate, m, path, depth + 1);
    }
    module
        .globs
        .iter()
        .find_map(|glob| match resolve(krate, m, glob, depth + 1)? {
            Target::Module(g) if g != m => lookup(krate, g, name, depth + 1),
            _ => None,
        })
}

/// The groups of modules that use each other in a circle (strongly
/// connected components of two modules or more), each sorted, in order of
/// their first module.
#[must_use]
pub fn knots(modules: usize, edges: &[Edge]) -> Vec<Vec<usize>> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); modules];
    for e in edges {
        next[e.from].push(e.to);
    }
    let reach: Vec<BTreeSet<usize>> = (0..modules).map(|m| reachable(&next, m)).collect();
    let mut done = vec![false; modules];
    let mut knots = Vec::new();
    for m in 0..modules {
        if done[m] {
            continue;
        }
        let knot: Vec<usize> = (0..modules)
            .filter(|&o| o == m || (reach[m].contains(&o) && reach[o].contains(&m)))
            .collect();
        for &k in &knot {
            done[k] = true;
        }
        if knot.len() > 1 {
            knots.push(knot);
        }
    }
    knots
}

fn reachable(next: &[Vec<usize>], from: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([from]);
    while let Some(m) = queue.pop_front() {
        for &n in &next[m] {
            if seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    seen
}

/// A shortest circle through `start` within `knot`, as the edges that
/// make it, in order.
#[must_use]
pub fn shortest_cycle<'e>(knot: &[usize], start: usize, edges: &'e [Edge]) -> Vec<&'e Edge> {
    let inside: Vec<&Edge> = edges
        .iter()
        .filter(|e| knot.contains(&e.from) && knot.contains(&e.to))
        .collect();
    let mut came_by: BTreeMap<usize, &Edge> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    'search: while let Some(m) = queue.pop_front() {
        for e in inside.iter().filter(|e| e.from == m) {
            if e.to == start {
                came_by.insert(start, e);
                break 'search;
            }
            if let std::collections::btree_map::Entry::Vacant(v) = came_by.entry(e.to) {
                v.insert(e);
                queue.push_back(e.to);
            }
        }
    }
    let mut cycle = Vec::new();
    let mut at = start;
    while let Some(e) = came_by.get(&at) {
        cycle.push(*e);
        at = e.from;
        if at == start {
            break;
        }
    }
    cycle.reverse();
    cycle
}
