//! `make bench-smoke`: every benchmark still runs (a few sessions, a few
//! seconds each; the figures mean nothing and are judged by nothing in
//! CI), and a run fails — exit status 1, naming each figure — when a
//! target is missed or when a benchmark got no data.

use std::path::PathBuf;
use std::process::Command;

const BENCH: &str = env!("CARGO_BIN_EXE_podium-bench");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `podium-bench --smoke ARGS --out FILE`: exit status, the report
/// written, what it said on stderr.
fn bench(name: &str, args: &[&str]) -> (i32, String, String) {
    let out = std::env::temp_dir().join(format!("podium-bench-smoke-{name}-{}.md", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let run = Command::new(BENCH)
        .current_dir(repo())
        .arg("--smoke")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run podium-bench");
    let report = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    (
        run.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[test]
fn every_benchmark_runs_and_a_missed_target_fails_the_run() {
    let (code, report, stderr) = bench("all", &["--targets", "impossible", "--only", "all"]);
    assert_eq!(code, 1, "a missed target fails the run:\n{stderr}");
    for name in [
        "logoff-all",
        "api",
        "thumbnail-cost",
        "thumbnails-live",
        "desktops",
        "school",
        "project",
        "load",
        "soak",
    ] {
        let start = report
            .find(&format!("<!-- bench:{name} -->"))
            .unwrap_or_else(|| panic!("no {name} section in:\n{report}"));
        let section = &report[start..];
        assert!(
            section.contains("code at commit `"),
            "{name} says which code it measured"
        );
        assert!(
            section.contains("| target | figure | verdict |"),
            "{name} has its targets"
        );
        assert!(
            stderr.contains(&format!("podium-bench: {name}: MISSED")),
            "{name}'s impossible targets are named as missed:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("NO DATA"),
        "every benchmark measured something:\n{stderr}"
    );
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.ends_with("targets missed or without data"), "{last}");
    let counts: Vec<&str> = last.split_whitespace().collect();
    assert_eq!(counts.get(1), counts.get(3), "every target missed: {last}");
}

#[test]
fn a_benchmark_that_gets_no_pictures_fails_the_run() {
    // A capture a minute: after the first picture, no change is pictured
    // while the benchmarks watch, on one host or across the school's.
    let (code, report, stderr) = bench(
        "starved",
        &[
            "--only",
            "thumbnails-live",
            "--only",
            "school",
            "--thumbnail-interval-ms",
            "60000",
        ],
    );
    assert_eq!(code, 1, "no data fails the run:\n{stderr}");
    for name in ["thumbnails-live", "school"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&format!("podium-bench: {name}: NO DATA")) && l.contains("change to picture")),
            "{name}'s figure without data is named:\n{stderr}"
        );
        let start = report
            .find(&format!("<!-- bench:{name} -->"))
            .unwrap_or_else(|| panic!("no {name} section in:\n{report}"));
        let end = report[start..].find("<!-- /bench:").map_or(report.len(), |e| start + e);
        assert!(report[start..end].contains("no picture came"), "{name}: {report}");
    }
}
