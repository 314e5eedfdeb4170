//! Load: 100 real sessions on this machine — start time per session, the
//! daemon's memory and CPU, `GET /api/v1/sessions` under 20 clients, log
//! off of all of them — and a count of what is left afterwards.

use super::api::hammer;
use super::census::{Census, cpu_seconds};
use super::judge::{Bound, Check, Report, table};
use super::logoff::{LogoffTiming, log_off_all, say_gone, start_clocks, wait_for_clocks};
use super::{Ctx, Stats};
use crate::{Kit, TestUser};
use podium_core::Role;
use std::time::{Duration, Instant};

/// How long the idle CPU of the daemon is measured.
const IDLE: Duration = Duration::from_secs(10);

/// Runs the benchmark with `n` sessions; its section and checks.
#[must_use]
pub fn hundred_sessions(ctx: &Ctx, n: usize) -> Report {
    report(ctx, n, &measure(ctx, n))
}

/// What the benchmark measured, in the order it happened.
struct Load {
    /// Stale files removed from earlier runs.
    stale: usize,
    before: Census,
    /// Each session's start time.
    starts: Vec<Duration>,
    started_in: Duration,
    start_cpu: f64,
    loaded: Census,
    /// The daemon's CPU with the sessions idle, in cores.
    idle_cpu: f64,
    list: Vec<Duration>,
    list_wall: Duration,
    me: Vec<Duration>,
    api_cpu: f64,
    after_api: Census,
    logoff: LogoffTiming,
    after: Census,
}

/// `n` sessions started, left idle, listed under load, logged off, with
/// the host counted between each step.
fn measure(ctx: &Ctx, n: usize) -> Load {
    let stale = super::census::clean_stale();
    let kit = Kit::start(&ctx.podium);
    let admin = TestUser::create_fresh(Role::Admin);
    let users: Vec<TestUser> = (0..n).map(|_| TestUser::create_fresh(Role::Standard)).collect();
    let uids: Vec<u32> = users.iter().map(|u| u.uid).collect();
    let before = Census::take(&kit, &uids);

    let cpu0 = cpu_seconds(kit.daemon_pid());
    let t_all = Instant::now();
    let starts = start_clocks(&kit, &users);
    let started_in = t_all.elapsed();
    let start_cpu = cpu_seconds(kit.daemon_pid()) - cpu0;
    wait_for_clocks(&users, Duration::from_secs(60));
    let loaded = Census::take(&kit, &uids);

    // Idle: sessions running, nobody watching.
    let idle = ctx.pick(IDLE, Duration::from_secs(2));
    let cpu1 = cpu_seconds(kit.daemon_pid());
    std::thread::sleep(idle);
    let idle_cpu = (cpu_seconds(kit.daemon_pid()) - cpu1) / idle.as_secs_f64();

    let cpu2 = cpu_seconds(kit.daemon_pid());
    let per_client = ctx.pick(100, 10);
    let (list, list_wall) = hammer(&kit, &admin, 20, "/api/v1/sessions", per_client);
    let (me, _) = hammer(&kit, &admin, 20, "/api/v1/me", per_client);
    let api_cpu = cpu_seconds(kit.daemon_pid()) - cpu2;
    let after_api = Census::take(&kit, &uids);

    let logoff = log_off_all(&kit, &uids);
    // Idle threads of the daemon's blocking pool end after 10 s.
    std::thread::sleep(Duration::from_secs(12));
    let after = Census::take(&kit, &uids);
    drop(users);
    Load {
        stale,
        before,
        starts,
        started_in,
        start_cpu,
        loaded,
        idle_cpu,
        list,
        list_wall,
        me,
        api_cpu,
        after_api,
        logoff,
        after,
    }
}

/// The section and its checks.
fn report(ctx: &Ctx, n: usize, load: &Load) -> Report {
    let Load {
        stale,
        before,
        loaded,
        after_api,
        after,
        ..
    } = *load;
    let (list, me, done) = (&load.list, &load.me, load.logoff.done);
    let leaks = after.leaks_since(&before);
    let (s, l, m) = (Stats::of(&load.starts), Stats::of(list), Stats::of(me));
    let gone = say_gone(load.logoff.gone_at);
    #[allow(clippy::cast_precision_loss)]
    let rate = list.len() as f64 / load.list_wall.as_secs_f64();
    let left = if leaks.is_empty() {
        "nothing: every count is back where it started".to_owned()
    } else {
        format!("**{}**", leaks.join(", "))
    };
    let checks = checks(ctx, n, l.p99, leaks.len());
    let body = format!(
        "## Load: {n} sessions\n\n\
         {}\n\n\
         Before it started, {stale} stale X sockets, lock files and runtime directories that earlier runs \
         left on the host were removed, and every test user has a uid nothing on the host belonged to, so \
         the counts below start from nothing.\n\n\
         {n} real sessions (Xvnc 1280×800 + PAM + `xclock`), started one after another with `podium session start`; \
         then 10 s idle with nobody watching; then 20 HTTPS clients × 100 requests of `GET /api/v1/sessions` \
         (and of `GET /api/v1/me` as the reference); then `podium session logoff --all --grace 0`. \
         Daemon CPU is its user + system time from `/proc/PID/stat`.\n\n\
         | measure | value |\n|---|---|\n\
         | start time per session | min {:.0} ms · median {:.0} ms · p95 {:.0} ms · max {:.0} ms |\n\
         | {n} sessions started, in all | {:.1} s (daemon CPU {:.2} s) |\n\
         | daemon with {n} sessions | RSS {:.1} MiB · {} threads · {} fds |\n\
         | daemon CPU, {n} idle sessions | {:.2} % of one core |\n\
         | `GET /api/v1/sessions`, 20 clients | p50 {:.1} ms · p99 **{:.1} ms** · {:.0} requests/s |\n\
         | `GET /api/v1/me` (reference), 20 clients | p50 {:.1} ms · p99 {:.1} ms |\n\
         | daemon CPU for the {} requests | {:.2} s |\n\
         | log off all: until every process is gone | **{gone}** |\n\
         | log off all: CLI call returns | {:.2} s ({done}/{n} done) |\n\
         | left behind after the log off | {left} |\n\n\
         {}\n{}",
        ctx.header(),
        s.min,
        s.p50,
        s.p95,
        s.max,
        load.started_in.as_secs_f64(),
        load.start_cpu,
        loaded.rss_kib as f64 / 1024.0,
        loaded.threads,
        loaded.fds,
        load.idle_cpu * 100.0,
        l.p50,
        l.p99,
        rate,
        m.p50,
        m.p99,
        list.len() + me.len(),
        load.api_cpu,
        load.logoff.cli_time.as_secs_f64(),
        Census::table(&[
            ("before", before),
            ("{n} running", loaded),
            ("after the API load", after_api),
            ("after log off", after)
        ])
        .replace("{n}", &n.to_string()),
        table(&checks),
    );
    Report {
        name: "load",
        body,
        checks,
    }
}

/// What the load is judged on: the list's p99, and what is left behind.
#[allow(clippy::cast_precision_loss)]
fn checks(ctx: &Ctx, n: usize, list_p99: f64, leaks: usize) -> Vec<Check> {
    vec![
        Check::new(
            format!("`GET /api/v1/sessions` p99, {n} sessions, 20 clients"),
            Some(list_p99),
            " ms",
            Bound::Below(20.0),
            ctx.targets,
        ),
        Check::new(
            "kinds of things left behind after the log off",
            Some(leaks as f64),
            "",
            Bound::AtMost(0.0),
            ctx.targets,
        ),
    ]
}
