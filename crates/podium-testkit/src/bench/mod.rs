//! `make bench`: the benchmarks, and their helpers (statistics, machine
//! description, the commit measured, the section-by-section update of
//! docs/BENCHMARKS.md, the targets and their verdicts).

pub mod api;
pub mod census;
pub mod classroom;
pub mod cost;
pub mod cpu;
pub mod desktops;
pub mod judge;
pub mod live;
pub mod load;
pub mod logoff;
pub mod memory;
pub mod project;
pub mod school;
pub mod sizing;
pub mod soak;

use judge::Targets;
use std::path::Path;
use std::time::Duration;

/// What every benchmark of one run shares.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The `podium` binary measured.
    pub podium: String,
    /// How the figures are judged.
    pub targets: Targets,
    /// A few sessions and a few seconds per measure: proves the benchmarks
    /// run (`make bench-smoke`), times nothing.
    pub smoke: bool,
    /// The code measured: a commit, `+changes` when the tree differs from it.
    pub commit: String,
    /// The daemon's thumbnail interval instead of each benchmark's own
    /// (a long one starves the thumbnail benchmarks of pictures).
    pub thumbnail_interval_ms: Option<u32>,
    /// How long the soak runs.
    pub soak: Duration,
}

impl Ctx {
    /// `full` for a real run, `smoke` for a smoke run.
    pub fn pick<T>(&self, full: T, smoke: T) -> T {
        if self.smoke { smoke } else { full }
    }

    /// The line under each section's title: when, where, which code.
    #[must_use]
    pub fn header(&self) -> String {
        format!(
            "Run {} on {}, code at commit `{}`{}.",
            today(),
            machine(),
            self.commit,
            if self.smoke {
                " (smoke run: a few sessions, a few seconds; the figures mean nothing)"
            } else {
                ""
            }
        )
    }
}

/// The commit of the working tree in `dir` (`abc123def456`, with
/// `+changes` when tracked files other than the reports differ from it).
#[must_use]
pub fn commit(dir: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let Some(head) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown (not a git checkout)".into();
    };
    let changed = git(&["status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs"]).unwrap_or_default();
    if changed.is_empty() {
        head
    } else {
        format!("{head}+changes")
    }
}

/// CPU time of the calling thread.
#[must_use]
pub fn thread_cpu() -> Duration {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

/// CPU time of every child this process has waited for.
#[must_use]
pub fn children_cpu() -> Duration {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).map_or(Duration::ZERO, |u| {
        let tv = |t: nix::sys::time::TimeVal| {
            Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
                + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
        };
        tv(u.user_time()) + tv(u.system_time())
    })
}

/// Summary statistics of a set of durations, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Smallest.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Stats {
    /// Statistics of `samples` (which must not be empty).
    #[must_use]
    pub fn of(samples: &[Duration]) -> Stats {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = ((ms.len() as f64 - 1.0) * q).round() as usize;
            ms[i.min(ms.len() - 1)]
        };
        #[allow(clippy::cast_precision_loss)]
        let mean = ms.iter().sum::<f64>() / ms.len() as f64;
        Stats {
            min: at(0.0),
            p50: at(0.5),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
            mean,
        }
    }
}

/// "Intel Xeon … · 2 cores · 24 GiB · Linux 6.18", for the report.
#[must_use]
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:")?.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cpu} · {cores} cores · {} GiB · Linux {}",
        (mem_kb + 512 * 1024) / (1024 * 1024),
        kernel.trim()
    )
}

/// Today's date, UTC, from the system clock.
#[must_use]
pub fn today() -> String {
    podium_core::Timestamp::now().to_string()[..10].to_owned()
}

/// Replaces the section `name` of the benchmark report (between
/// `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`), or appends it, so
/// each benchmark rewrites only its own figures.
///
/// # Errors
/// When the file cannot be written.
pub fn write_section(path: &Path, name: &str, body: &str) -> std::io::Result<()> {
    let start = format!("<!-- bench:{name} -->");
    let end = format!("<!-- /bench:{name} -->");
    let mut text = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# Benchmarks\n\nWritten by `make bench`; each section is rewritten by the run that measured it.\n".into()
    });
    let section = format!("{start}\n{}\n{end}", body.trim_end());
    match (text.find(&start), text.find(&end)) {
        (Some(a), Some(b)) if b > a => text.replace_range(a..b + end.len(), &section),
        _ => {
            text.push('\n');
            text.push_str(&section);
            text.push('\n');
        }
    }
    std::fs::write(path, text)
}

/// Resident memory of a process in KiB.
#[must_use]
pub fn rss_kib(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:")?.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}
