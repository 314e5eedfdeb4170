//! `make bench`: Podium's speed and memory targets, measured on this
//! machine with real sessions, written into docs/BENCHMARKS.md, and
//! judged: the run exits 1 naming every target missed or left without data.
//!
//! `podium-bench [--out FILE] [--only NAME]... [--minutes N] [--smoke]
//! [--targets real|impossible] [--thumbnail-interval-ms MS]` runs every
//! benchmark, or the named ones: `logoff-all` (50 sessions logged off at
//! once), `api` (`GET /api/v1/sessions` with 200 sessions and 20 clients),
//! `thumbnail-cost` (CPU per thumbnail against ImageMagick),
//! `thumbnails-live` (50 ticking desktops on one dashboard) and `desktops`
//! (10 real Xfce desktops with Writer and Firefox: memory and CPU per
//! pupil, and how many pupils a host of this size fits) and `school` (10
//! hosts × 50 sessions on one dashboard over NATS, 3 of them real hosts
//! in network namespaces and 7 simulated: "Log off all" of the school,
//! change to picture across hosts, a lost host, NATS traffic and the
//! dashboard host's CPU) and `project` (a teacher's scrolling desktop
//! projected to 1 and then to 30 stations: CPU of both, frames per
//! second at each station); and, only when
//! named, `load` (100 sessions: start, memory, CPU, API, log off, what is
//! left) and `soak` (sessions starting and ending for `--minutes`, 60 by
//! default, counting leaks), which `make bench` and `make soak` write into
//! docs/RELIABILITY.md.
//!
//! `--smoke` runs each with a few sessions for a few seconds (`desktops`:
//! one pupil with Writer only; `school`: 2 sessions per host; `project`:
//! 3 stations; `make
//! bench-smoke`, part of `make test`):
//! the figures mean nothing, the run proves the benchmarks work.
//! `--targets impossible` holds every figure to a target it cannot meet;
//! `--thumbnail-interval-ms 60000` starves the thumbnail benchmarks of
//! pictures. Both must fail the run.
#![forbid(unsafe_code)]

use podium_testkit::bench::judge::{Report, Targets};
use podium_testkit::bench::{
    Ctx, api, commit, cost, desktops, live, load, logoff, project, school, soak, write_section,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const ALL: [&str; 7] = [
    "logoff-all",
    "api",
    "thumbnail-cost",
    "thumbnails-live",
    "desktops",
    "school",
    "project",
];
/// Run only when named.
const EXTRA: [&str; 2] = ["load", "soak"];

fn usage() -> ExitCode {
    eprintln!(
        "Usage: podium-bench [--out FILE] [--minutes N] [--smoke] [--targets real|impossible] \
         [--thumbnail-interval-ms MS] [--only {}|{}|all]...",
        ALL.join("|"),
        EXTRA.join("|")
    );
    ExitCode::from(2)
}

fn run(name: &str, ctx: &Ctx) -> Report {
    match name {
        "logoff-all" => logoff::logoff_all(ctx, ctx.pick(50, 3)),
        "api" => api::sessions_list(ctx, ctx.pick(200, 5), ctx.pick(20, 3)),
        "thumbnail-cost" => cost::cost(ctx),
        "load" => load::hundred_sessions(ctx, ctx.pick(100, 3)),
        "soak" => soak::soak(ctx),
        "desktops" => desktops::desktops(ctx, ctx.pick(10, 1)),
        "school" => school::school(ctx, ctx.pick(50, 2)),
        "project" => project::project(ctx, ctx.pick(30, 3)),
        _ => live::live(ctx, ctx.pick(50, 3)),
    }
}

fn main() -> ExitCode {
    let mut out = PathBuf::from("docs/BENCHMARKS.md");
    let mut only: Vec<String> = Vec::new();
    let mut minutes: u64 = 60;
    let mut smoke = false;
    let mut targets = Targets::Real;
    let mut interval = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--smoke" {
            smoke = true;
            continue;
        }
        match (a.as_str(), args.next()) {
            ("--out", Some(v)) => out = PathBuf::from(v),
            ("--only", Some(v)) if v == "all" => only.extend(ALL.iter().chain(&EXTRA).map(|s| (*s).to_owned())),
            ("--only", Some(v)) if ALL.contains(&v.as_str()) || EXTRA.contains(&v.as_str()) => only.push(v),
            ("--minutes", Some(v)) if v.parse::<u64>().is_ok_and(|m| m > 0) => minutes = v.parse().unwrap_or(60),
            ("--targets", Some(v)) if v == "real" => targets = Targets::Real,
            ("--targets", Some(v)) if v == "impossible" => targets = Targets::Impossible,
            ("--thumbnail-interval-ms", Some(v)) if v.parse::<u32>().is_ok_and(|m| (100..=60_000).contains(&m)) => {
                interval = v.parse().ok();
            }
            _ => return usage(),
        }
    }
    if only.is_empty() {
        only = ALL.iter().map(|s| (*s).to_owned()).collect();
    }
    let podium = match std::env::current_exe() {
        Ok(p) => p.with_file_name("podium").to_string_lossy().into_owned(),
        Err(e) => {
            eprintln!("podium-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let ctx = Ctx {
        podium,
        targets,
        smoke,
        commit: commit(std::path::Path::new(".")),
        thumbnail_interval_ms: interval,
        soak: if smoke {
            Duration::from_secs(20)
        } else {
            Duration::from_secs(minutes * 60)
        },
    };
    let mut checks = Vec::new();
    for name in &only {
        let report = run(name, &ctx);
        println!("{}", report.body);
        if let Err(e) = write_section(&out, report.name, &report.body) {
            eprintln!("podium-bench: cannot write {}: {e}", out.display());
            return ExitCode::from(2);
        }
        checks.extend(report.checks.into_iter().map(|c| (report.name, c)));
    }
    println!("written to {}", out.display());
    for (name, c) in &checks {
        println!("{name}: {}", c.line());
    }
    let missed: Vec<_> = checks.iter().filter(|(_, c)| !c.met()).collect();
    if checks.is_empty() || !missed.is_empty() {
        for (name, c) in &missed {
            eprintln!("podium-bench: {name}: {}", c.line());
        }
        eprintln!(
            "podium-bench: {} of {} targets missed or without data",
            missed.len(),
            checks.len()
        );
        return ExitCode::from(1);
    }
    println!("podium-bench: all {} targets met", checks.len());
    ExitCode::SUCCESS
}
