//! `scripts/debian-packages.txt`: which Debian package provides each
//! library the build links and each program something starts.

use crate::error::TestkitError;
use std::collections::BTreeSet;

/// What a row of the table is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A library the build links (`-lNAME`).
    Lib,
    /// A program something starts.
    Tool,
    /// A package needed for another reason (fonts, locales), named by itself.
    Package,
}

/// One line of `scripts/debian-packages.txt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Lib, tool or package.
    pub kind: Kind,
    /// The library's link name or the program's name (`-` for a package row).
    pub name: String,
    /// The Debian package that provides it.
    pub package: String,
}

/// The table of what Podium needs from Debian.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Its rows, in file order.
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads the table: `KIND NAME PACKAGE [why…]` per line, `#` comments.
    ///
    /// # Errors
    /// A line that is not of that shape, named by its number.
    pub fn parse(text: &str) -> Result<Table, TestkitError> {
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(kind), Some(name), Some(package)) = (words.next(), words.next(), words.next()) else {
                return Err(TestkitError::TableLine {
                    line: i + 1,
                    text: line.to_owned(),
                });
            };
            let kind = match kind {
                "lib" => Kind::Lib,
                "tool" => Kind::Tool,
                "package" => Kind::Package,
                other => {
                    return Err(TestkitError::TableKind {
                        line: i + 1,
                        kind: other.to_owned(),
                    });
                }
            };
            rows.push(Row {
                kind,
                name: name.to_owned(),
                package: package.to_owned(),
            });
        }
        Ok(Table { rows })
    }

    /// Every package the table names.
    #[must_use]
    pub fn packages(&self) -> BTreeSet<&str> {
        self.rows.iter().map(|r| r.package.as_str()).collect()
    }

    pub(super) fn package_of(&self, kind: Kind, name: &str) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.kind == kind && r.name == name)
            .map(|r| r.package.as_str())
    }
}
