//! `make bench`: Podium's speed and memory targets, measured on this
//! machine with real sessions, written into docs/BENCHMARKS.md.
//!
//! `podium-bench [--out FILE] [--only NAME]...` runs every benchmark, or
//! the named ones: `logoff-all` (50 sessions logged off at once), `api`
//! (`GET /api/v1/sessions` with 200 sessions and 20 clients),
//! `thumbnail-cost` (CPU per thumbnail against ImageMagick) and
//! `thumbnails-live` (50 ticking desktops on one dashboard); and, only when
//! named, `load` (100 sessions: start, memory, CPU, API, log off, what is
//! left) and `soak` (sessions starting and ending for `--minutes`, 60 by
//! default, counting leaks), which `make bench` and `make soak` write into
//! docs/RELIABILITY.md.

use podium_testkit::bench::{api, load, logoff, soak, thumbs, write_section};
use std::path::PathBuf;
use std::process::ExitCode;

const ALL: [&str; 4] = ["logoff-all", "api", "thumbnail-cost", "thumbnails-live"];
/// Run only when named.
const EXTRA: [&str; 2] = ["load", "soak"];

fn main() -> ExitCode {
    let mut out = PathBuf::from("docs/BENCHMARKS.md");
    let mut only: Vec<String> = Vec::new();
    let mut minutes: u64 = 60;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--out", Some(v)) => out = PathBuf::from(v),
            ("--only", Some(v)) if ALL.contains(&v.as_str()) || EXTRA.contains(&v.as_str()) => only.push(v),
            ("--minutes", Some(v)) if v.parse::<u64>().is_ok_and(|m| m > 0) => minutes = v.parse().unwrap_or(60),
            _ => {
                eprintln!(
                    "Usage: podium-bench [--out FILE] [--minutes N] [--only {}|{}]...",
                    ALL.join("|"),
                    EXTRA.join("|")
                );
                return ExitCode::from(2);
            }
        }
    }
    if only.is_empty() {
        only = ALL.iter().map(|s| (*s).to_owned()).collect();
    }
    let podium = match std::env::current_exe() {
        Ok(p) => p.with_file_name("podium").to_string_lossy().into_owned(),
        Err(e) => {
            eprintln!("podium-bench: {e}");
            return ExitCode::from(1);
        }
    };
    for name in &only {
        let report = match name.as_str() {
            "logoff-all" => logoff::logoff_all(&podium, 50),
            "api" => api::sessions_list(&podium, 200, 20),
            "thumbnail-cost" => thumbs::cost(&podium),
            "load" => load::hundred_sessions(&podium, 100),
            "soak" => soak::soak(&podium, std::time::Duration::from_secs(minutes * 60)),
            _ => thumbs::live(&podium, 50),
        };
        println!("{report}");
        if let Err(e) = write_section(&out, name, &report) {
            eprintln!("podium-bench: cannot write {}: {e}", out.display());
            return ExitCode::from(1);
        }
    }
    println!("written to {}", out.display());
    ExitCode::SUCCESS
}
