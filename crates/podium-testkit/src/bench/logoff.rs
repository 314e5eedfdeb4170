//! Start N sessions one after another, then log them all off with no
//! grace period, and time until every process is gone.

use super::judge::{Bound, Check, Report, table};
use super::{Ctx, Stats, rss_kib};
use crate::{Kit, TestUser, procfs};
use podium_core::Role;
use std::time::{Duration, Instant};

/// How long `podium session logoff --all --grace 0` took.
pub(crate) struct LogoffTiming {
    /// When the last process of the sessions was gone (none: not in 60 s).
    pub gone_at: Option<Duration>,
    /// When the CLI call returned.
    pub cli_time: Duration,
    /// Sessions the CLI reported `done`.
    pub done: usize,
}

/// Logs every session off at once, with no grace, watching `/proc` until no
/// process of `uids` or of the daemon's cgroups is left.
pub(crate) fn log_off_all(kit: &Kit, uids: &[u32]) -> LogoffTiming {
    let cgroup = format!("/{}/", kit.cgroup_name);
    let t0 = Instant::now();
    let socket = kit.socket.to_string_lossy().into_owned();
    let podium = kit.podium.clone();
    let cli = std::thread::spawn(move || {
        let t = Instant::now();
        let out = std::process::Command::new(podium)
            .args([
                "--socket", &socket, "session", "logoff", "--all", "--grace", "0", "--yes",
            ])
            .stdin(std::process::Stdio::null())
            .output();
        (t.elapsed(), out)
    });
    let mut gone_at = None;
    while t0.elapsed() < Duration::from_secs(60) {
        let left = procfs::all()
            .into_iter()
            .filter(|p| p.state != 'Z' && (uids.contains(&p.uid) || p.cgroup.starts_with(&cgroup)))
            .count();
        if left == 0 {
            gone_at = Some(t0.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let (cli_time, out) = cli.join().expect("CLI thread");
    let done = out
        .map(|o| String::from_utf8_lossy(&o.stdout).matches(" done ").count())
        .unwrap_or(0);
    LogoffTiming {
        gone_at,
        cli_time,
        done,
    }
}

/// When the last process was gone ([`LogoffTiming::gone_at`]), in words
/// for the report.
pub(crate) fn say_gone(gone_at: Option<Duration>) -> String {
    gone_at.map_or_else(|| "not within 60 s".to_owned(), |g| format!("{:.2} s", g.as_secs_f64()))
}

/// Starts a session running `xclock` (an X client that idles) for each of
/// `users`, one after another; how long each start took.
pub(crate) fn start_clocks(kit: &Kit, users: &[TestUser]) -> Vec<Duration> {
    users
        .iter()
        .map(|u| {
            let t = Instant::now();
            let _ = kit.start_session(u, Some("xclock"));
            t.elapsed()
        })
        .collect()
}

/// Waits up to `limit` until every one of `users` has their `xclock` running.
pub(crate) fn wait_for_clocks(users: &[TestUser], limit: Duration) {
    crate::wait_until(limit, "every desktop runs", || {
        users
            .iter()
            .all(|u| procfs::of_user(u.uid).iter().any(|p| p.cmdline.starts_with("xclock")))
    });
}

/// Runs the benchmark; its section and checks.
#[must_use]
pub fn logoff_all(ctx: &Ctx, n: usize) -> Report {
    let kit = Kit::start(&ctx.podium);
    let users: Vec<TestUser> = (0..n).map(|_| TestUser::create_fresh(Role::Standard)).collect();
    let starts = start_clocks(&kit, &users);
    wait_for_clocks(&users, Duration::from_secs(30));
    let daemon_rss = rss_kib(kit.daemon_pid());
    let xvnc: Vec<procfs::Proc> = procfs::all()
        .into_iter()
        .filter(|p| p.cgroup.starts_with(&format!("/{}/", kit.cgroup_name)) && p.cmdline.starts_with("Xvnc"))
        .collect();
    let xvnc_rss: u64 = xvnc.iter().map(|p| rss_kib(p.pid)).sum::<u64>() / xvnc.len().max(1) as u64;
    let workers: Vec<procfs::Proc> = procfs::descendants(kit.daemon_pid())
        .into_iter()
        .filter(|p| p.cmdline.contains("session-worker"))
        .collect();
    let worker_rss: u64 = workers.iter().map(|p| rss_kib(p.pid)).sum::<u64>() / workers.len().max(1) as u64;

    let uids: Vec<u32> = users.iter().map(|u| u.uid).collect();
    let LogoffTiming {
        gone_at,
        cli_time,
        done,
    } = log_off_all(&kit, &uids);
    let s = Stats::of(&starts);
    let gone = say_gone(gone_at);
    let checks = vec![Check::new(
        format!("log off all {n}, grace 0: every process gone"),
        gone_at.map(|g| g.as_secs_f64()),
        " s",
        Bound::Below(1.0),
        ctx.targets,
    )];
    drop(users);
    let body = format!(
        "## Start {n} sessions, then log them all off\n\n\
         {}\n\n\
         Each session: Xvnc 1280×800 + a PAM session + `xclock` (an X client that idles), started one after \
         another with `podium session start`, then `podium session logoff --all --grace 0`.\n\n\
         | measure | value |\n|---|---|\n\
         | start time per session (CLI call until the daemon reports the desktop started) | min {:.0} ms · median {:.0} ms · p95 {:.0} ms · max {:.0} ms |\n\
         | {n} sessions started, in all | {:.1} s |\n\
         | memory with {n} sessions | daemon {} MiB · per session: Xvnc {} MiB, worker {} MiB |\n\
         | log off all: until every process of the {n} sessions is gone | **{gone}** |\n\
         | log off all: CLI call returns with every outcome | {:.2} s ({done}/{n} done) |\n\n{}",
        ctx.header(),
        s.min,
        s.p50,
        s.p95,
        s.max,
        starts.iter().sum::<Duration>().as_secs_f64(),
        daemon_rss / 1024,
        xvnc_rss / 1024,
        worker_rss / 1024,
        cli_time.as_secs_f64(),
        table(&checks),
    );
    Report {
        name: "logoff-all",
        body,
        checks,
    }
}
