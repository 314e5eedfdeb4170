//! `make test`'s first check: everything the build links and everything
//! the code and tests start comes from a package `scripts/install-deps.sh`
//! installs (see `podium_testkit::deps`).
//!
//! `podium-deps-check [--root DIR] [--table FILE]`, in the repository (or
//! DIR), against `scripts/debian-packages.txt` (or FILE). Exits 1 naming
//! each library or program without its package, 2 when it cannot look.
#![forbid(unsafe_code)]

use podium_testkit::deps::{self, Source, Table};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut root = PathBuf::from(".");
    let mut table = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--root", Some(dir)) => root = PathBuf::from(dir),
            ("--table", Some(file)) => table = Some(PathBuf::from(file)),
            _ => {
                eprintln!("usage: podium-deps-check [--root DIR] [--table FILE]");
                return ExitCode::from(2);
            }
        }
    }
    let table = table.unwrap_or_else(|| root.join("scripts/debian-packages.txt"));
    match run(&root, &table) {
        Ok(problems) if problems.is_empty() => ExitCode::SUCCESS,
        Ok(problems) => {
            for p in &problems {
                eprintln!("podium-deps-check: {p}");
            }
            eprintln!("podium-deps-check: {} problem(s)", problems.len());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("podium-deps-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(root: &Path, table_path: &Path) -> Result<Vec<deps::Problem>, String> {
    let text = std::fs::read_to_string(table_path).map_err(|e| format!("cannot read {}: {e}", table_path.display()))?;
    let table = Table::parse(&text).map_err(|e| format!("{}: {e}", table_path.display()))?;
    let installs = install_list(root)?;
    let (libs, link_error) = link_libs(root)?;
    let programs = programs();
    let mut uses = Vec::new();
    let mut files = 0;
    for (file, lang) in sources(root) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let name = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        uses.extend(deps::programs_in(&name, &text, lang, &programs));
        files += 1;
    }
    let own = own_binaries(root);
    let problems = deps::check(&table, &installs, &libs, &uses, &own);
    let tools: BTreeSet<&str> = uses
        .iter()
        .map(|u| u.program.as_str())
        .filter(|p| !own.contains(*p))
        .collect();
    println!(
        "podium-deps-check: the build links {} librar{} ({}); {files} files start {} programs; \
         install-deps.sh installs {} packages",
        libs.len(),
        if libs.len() == 1 { "y" } else { "ies" },
        libs.iter().map(|l| format!("-l{l}")).collect::<Vec<_>>().join(" "),
        tools.len(),
        installs.len()
    );
    let unused: Vec<&str> = table
        .rows
        .iter()
        .filter(|r| match r.kind {
            deps::Kind::Lib => !libs.contains(&r.name),
            deps::Kind::Tool => !tools.contains(r.name.as_str()),
            deps::Kind::Package => false,
        })
        .map(|r| r.name.as_str())
        .collect();
    if !unused.is_empty() {
        println!(
            "podium-deps-check: named in the table but not found in use (kept: started in ways the check \
             does not read, or by other programs): {}",
            unused.join(" ")
        );
    }
    if let Some(e) = link_error {
        eprintln!("podium-deps-check: the probe did not link:\n{e}");
        if problems.is_empty() {
            return Err("the link failed for a reason the table does not explain".into());
        }
    }
    Ok(problems)
}

/// What `install-deps.sh --list` says it installs.
fn install_list(root: &Path) -> Result<BTreeSet<String>, String> {
    let out = Command::new("sh")
        .arg(root.join("scripts/install-deps.sh"))
        .arg("--list")
        .output()
        .map_err(|e| format!("cannot run scripts/install-deps.sh --list: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "scripts/install-deps.sh --list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect())
}

/// The `-l` libraries of the probe's link line, and the link's error if it failed.
fn link_libs(root: &Path) -> Result<(BTreeSet<String>, Option<String>), String> {
    // rustc prints the line only when it links: make the probe out of date.
    let probe = root.join("crates/podium-testkit/src/bin/podium-link-probe.rs");
    std::fs::File::options()
        .append(true)
        .open(&probe)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .map_err(|e| format!("cannot touch {}: {e}", probe.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "rustc",
            "--quiet",
            "-p",
            "podium-testkit",
            "--bin",
            "podium-link-probe",
            "--",
            "--print",
            "link-args",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("-fuse-ld") || l.contains("\"-o\""))
        .unwrap_or("");
    if line.is_empty() {
        return Err(format!(
            "cargo printed no link line for podium-link-probe:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let error = (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned());
    Ok((deps::linked_libs(line), error))
}

/// Names of the executables Debian's packages put on the PATH.
fn programs() -> BTreeSet<String> {
    ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.chars().next().is_some_and(char::is_alphanumeric))
        .collect()
}

/// The workspace's own binaries, which need no package.
fn own_binaries(root: &Path) -> BTreeSet<String> {
    let mut own = BTreeSet::new();
    for krate in std::fs::read_dir(root.join("crates")).into_iter().flatten().flatten() {
        let path = krate.path();
        if path.join("src/main.rs").exists() {
            own.insert(krate.file_name().to_string_lossy().into_owned());
        }
        for bin in std::fs::read_dir(path.join("src/bin")).into_iter().flatten().flatten() {
            if let Some(stem) = Path::new(&bin.file_name()).file_stem() {
                own.insert(stem.to_string_lossy().into_owned());
            }
        }
    }
    own
}

/// Every file whose strings or lines may start a program.
fn sources(root: &Path) -> Vec<(PathBuf, Source)> {
    let mut files = Vec::new();
    walk(&root.join("crates"), &mut |p| {
        // The check's own tests name programs on purpose.
        if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("podium-testkit/src/deps.rs") {
            files.push((p.to_path_buf(), Source::Rust));
        }
    });
    walk(&root.join("tests"), &mut |p| {
        if p.extension().is_some_and(|e| e == "mjs" || e == "js") {
            files.push((p.to_path_buf(), Source::JavaScript));
        }
    });
    walk(&root.join("scripts"), &mut |p| {
        if p.extension().is_some_and(|e| e == "sh") {
            files.push((p.to_path_buf(), Source::Shell));
        }
    });
    walk(&root.join("dist/debian"), &mut |p| {
        files.push((p.to_path_buf(), Source::Shell))
    });
    for f in ["Makefile", ".ci/run"] {
        files.push((root.join(f), Source::Shell));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "node_modules" || name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, f);
        } else {
            f(&p);
        }
    }
}
