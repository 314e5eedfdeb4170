//! `make bench`: the benchmarks, and their helpers (statistics, machine
//! description, the section-by-section update of docs/BENCHMARKS.md).

pub mod api;
pub mod census;
pub mod load;
pub mod logoff;
pub mod soak;
pub mod thumbs;

use std::path::Path;
use std::time::Duration;

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
