//! What the table or `install-deps.sh` lacks for what the build links and
//! the code starts.

use super::programs::Use;
use super::table::{Kind, Table};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Something the table or `install-deps.sh` lacks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// A library on the link line has no `lib` row.
    UnknownLib(String),
    /// A program is started somewhere and has no `tool` row.
    UnknownTool(Use),
    /// The table names a package `install-deps.sh` does not install.
    NotInstalled {
        /// The row that needs it.
        row: String,
        /// The package.
        package: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownLib(l) => write!(
                f,
                "the build links -l{l}, and scripts/debian-packages.txt names no package for it (add `lib {l} PACKAGE`)"
            ),
            Problem::UnknownTool(u) => write!(
                f,
                "{} runs `{}`, and scripts/debian-packages.txt names no package for it (add `tool {} PACKAGE`)",
                u.at, u.program, u.program
            ),
            Problem::NotInstalled { row, package } => {
                write!(
                    f,
                    "{row} needs the package {package}, which scripts/install-deps.sh does not install"
                )
            }
        }
    }
}

/// Compares what is needed with the table and with what `install-deps.sh`
/// installs (`installs`: its `--list`). `own` programs (the workspace's
/// binaries) need no package.
#[must_use]
pub fn check(
    table: &Table,
    installs: &BTreeSet<String>,
    libs: &BTreeSet<String>,
    uses: &[Use],
    own: &BTreeSet<String>,
) -> Vec<Problem> {
    let mut problems = BTreeSet::new();
    for lib in libs {
        match table.package_of(Kind::Lib, lib) {
            None => {
                problems.insert(Problem::UnknownLib(lib.clone()));
            }
            Some(p) if !installs.contains(p) => {
                problems.insert(Problem::NotInstalled {
                    row: format!("-l{lib}"),
                    package: p.to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    let mut first_use: BTreeMap<&str, &Use> = BTreeMap::new();
    for u in uses {
        if !own.contains(&u.program) {
            first_use.entry(u.program.as_str()).or_insert(u);
        }
    }
    for (program, u) in first_use {
        match table.package_of(Kind::Tool, program) {
            None => {
                problems.insert(Problem::UnknownTool((*u).clone()));
            }
            Some(p) if !installs.contains(p) => {
                problems.insert(Problem::NotInstalled {
                    row: format!("`{program}` ({})", u.at),
                    package: p.to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    for row in table.rows.iter().filter(|r| r.kind == Kind::Package) {
        if !installs.contains(&row.package) {
            problems.insert(Problem::NotInstalled {
                row: "the table".into(),
                package: row.package.clone(),
            });
        }
    }
    problems.into_iter().collect()
}
