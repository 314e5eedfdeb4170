//! The crates of a Cargo workspace, as `cargo metadata` lists them: every
//! library and binary target of its packages, with its root file.

use crate::error::TestkitError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One library or binary crate of a workspace package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The package it belongs to (`podium-server`).
    pub package: String,
    /// How the report names it: `podium-server (lib)`, `podium (bin podium)`.
    pub label: String,
    /// Its name as code spells it (`podium_server`).
    pub crate_name: String,
    /// Its root file (`src/lib.rs`, `src/main.rs`, `src/bin/x.rs`).
    pub root: PathBuf,
}

/// The workspace's root directory and its library and binary crates, from
/// `cargo metadata --no-deps` on `manifest` (the current workspace when
/// `None`).
///
/// # Errors
/// When cargo cannot be run or says something unexpected.
pub fn targets(manifest: Option<&Path>) -> Result<(PathBuf, Vec<Target>), TestkitError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--no-deps", "--format-version", "1"]);
    if let Some(m) = manifest {
        cmd.arg("--manifest-path").arg(m);
    }
    let out = cmd.output().map_err(|source| TestkitError::CargoRun { source })?;
    if !out.status.success() {
        return Err(TestkitError::CargoFailed {
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|source| TestkitError::CargoJson { source })?;
    let root = meta["workspace_root"].as_str().ok_or(TestkitError::CargoField {
        field: "workspace_root",
    })?;
    let mut targets = Vec::new();
    let packages = meta["packages"]
        .as_array()
        .ok_or(TestkitError::CargoField { field: "packages" })?;
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        for t in package["targets"].as_array().into_iter().flatten() {
            if let Some(target) = target(name, t) {
                targets.push(target);
            }
        }
    }
    Ok((PathBuf::from(root), targets))
}

/// A `cargo metadata` target, when it is a library or a binary.
fn target(package: &str, t: &serde_json::Value) -> Option<Target> {
    let kinds: Vec<&str> = t["kind"].as_array()?.iter().filter_map(|k| k.as_str()).collect();
    let name = t["name"].as_str()?;
    let label = if kinds
        .iter()
        .any(|k| matches!(*k, "lib" | "rlib" | "dylib" | "proc-macro"))
    {
        format!("{package} (lib)")
    } else if kinds.contains(&"bin") {
        format!("{package} (bin {name})")
    } else {
        return None;
    };
    Some(Target {
        package: package.to_owned(),
        label,
        crate_name: name.replace('-', "_"),
        root: PathBuf::from(t["src_path"].as_str()?),
    })
}
