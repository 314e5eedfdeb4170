//! `make lint`'s module check: no module of a workspace crate uses a
//! module that uses it back (see `podium_testkit::modules`).
//!
//! `podium-modules-check [--manifest-path FILE] [PACKAGE...]` checks every
//! library and binary crate of the named packages of the workspace (of
//! every package when none is named). Exits 1 naming each knot of modules
//! that use each other, with circles through all of them and the path and
//! line behind each step; 2 when it cannot read the workspace or a source
//! file.
#![forbid(unsafe_code)]

use podium_testkit::modules::report::{self, Knot};
use podium_testkit::modules::tree::Crate;
use podium_testkit::modules::workspace;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut manifest = None;
    let mut packages = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--manifest-path" => match args.next() {
                Some(m) => manifest = Some(PathBuf::from(m)),
                None => return usage(),
            },
            s if s.starts_with('-') => return usage(),
            _ => packages.push(a),
        }
    }
    match run(manifest.as_deref(), &packages) {
        Ok(knots) if knots.is_empty() => ExitCode::SUCCESS,
        Ok(knots) => {
            for k in &knots {
                eprint!("podium-modules-check: {k}");
            }
            eprintln!(
                "podium-modules-check: {} knot(s) of modules that use each other",
                knots.len()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("podium-modules-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: podium-modules-check [--manifest-path FILE] [PACKAGE...]");
    ExitCode::from(2)
}

fn run(manifest: Option<&std::path::Path>, packages: &[String]) -> Result<Vec<Knot>, String> {
    let (root, targets) = workspace::targets(manifest).map_err(|e| e.to_string())?;
    for p in packages {
        if !targets.iter().any(|t| &t.package == p) {
            return Err(format!("no package {p} in the workspace"));
        }
    }
    let chosen: Vec<_> = targets
        .iter()
        .filter(|t| packages.is_empty() || packages.contains(&t.package))
        .collect();
    let mut found = Vec::new();
    let mut modules = 0;
    for t in &chosen {
        let krate = Crate::read(&t.crate_name, &t.root).map_err(|e| e.to_string())?;
        modules += krate.modules.len();
        found.extend(report::knots(&krate, &t.label, &root));
    }
    println!(
        "podium-modules-check: {} crates, {modules} modules, {} knot(s) of modules that use each other",
        chosen.len(),
        found.len()
    );
    Ok(found)
}
