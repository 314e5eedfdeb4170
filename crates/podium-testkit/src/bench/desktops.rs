//! The capacity of a real host: ten pupils' Xfce desktops with LibreOffice
//! Writer and Firefox open, what each session costs in memory and CPU,
//! idle and with pupils typing, and how many pupils a host of this
//! machine's size fits, as a MultiPoint or RDS sizing guide would say it.

use super::classroom::{self, PAGE_TITLE, Pupil, SessionMemory, Stretch, WRITER};
use super::judge::{Bound, Check, Report, table};
use super::logoff::{LogoffTiming, log_off_all, say_gone};
use super::memory::{self, Held};
use super::sizing::{self, Cost, Fit, Host};
use super::{Ctx, Stats};
use crate::{Kit, desktop, procfs};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// What the pupils typed, and what CPU it took.
#[derive(Debug, Clone, Copy, Default)]
struct Typing {
    /// One pupil typing, the others idle.
    one: Stretch,
    /// Every pupil typing at once.
    all: Stretch,
    /// Pupils who typed (those whose Writer was up).
    typists: usize,
    /// Characters typed, in all.
    typed: usize,
    /// The smallest share of what a pupil typed that their document holds.
    kept: Option<f64>,
}

/// What the benchmark measured, in the order it happened.
struct Measured {
    n: usize,
    writer_only: bool,
    settle: Duration,
    ready: Vec<Option<Duration>>,
    sessions: Vec<SessionMemory>,
    daemon: Held,
    /// `MemAvailable` before the first session and with all running, KiB.
    available: (u64, u64),
    idle: Stretch,
    typing: Typing,
    logoff: LogoffTiming,
    /// Processes of the pupils or the sessions, and session cgroups, left
    /// after the log off.
    left: (usize, usize),
    took: Duration,
}

/// Runs the benchmark with `n` pupils; its section and checks.
#[must_use]
pub fn desktops(ctx: &Ctx, n: usize) -> Report {
    let m = measure(ctx, n);
    let host = Host {
        ram_gib: memory::total_kib() as f64 / (1024.0 * 1024.0),
        cores: std::thread::available_parallelism().map_or(0.0, |c| f64::from(u32::try_from(c.get()).unwrap_or(0))),
    };
    report(ctx, &m, host)
}

fn measure(ctx: &Ctx, n: usize) -> Measured {
    let t = Instant::now();
    let kit = Kit::start_measured_with(&ctx.podium, desktop::XFCE, "");
    let users = classroom::accounts(n, ctx.smoke);
    let before = memory::available_kib();
    let titles: &[&str] = if ctx.smoke { &[WRITER] } else { &[WRITER, PAGE_TITLE] };
    let pupils = classroom::start(
        &kit,
        users,
        titles,
        ctx.pick(Duration::from_secs(300), Duration::from_secs(120)),
    );
    let settle = ctx.pick(Duration::from_secs(30), Duration::from_secs(5));
    std::thread::sleep(settle);
    let (sessions, daemon) = classroom::memory(&kit, &pupils);
    let after = memory::available_kib();

    let stretch = ctx.pick(Duration::from_secs(60), Duration::from_secs(5));
    let ids: Vec<u32> = pupils.iter().map(|p| p.id).collect();
    let idle = classroom::measure(&kit, &ids, || std::thread::sleep(stretch));
    let typing = typing(&kit, &pupils, stretch);

    let uids: Vec<u32> = pupils.iter().map(|p| p.user.uid).collect();
    let logoff = log_off_all(&kit, &uids);
    let left = leftovers(&kit, &uids);
    let ready = pupils.iter().map(|p| p.ready).collect();
    drop(pupils);
    drop(kit);
    Measured {
        n,
        writer_only: ctx.smoke,
        settle,
        ready,
        sessions,
        daemon,
        available: (before, after),
        idle,
        typing,
        logoff,
        left,
        took: t.elapsed(),
    }
}

/// One pupil types for `stretch`, then every pupil at once; then each
/// document is read back.
fn typing(kit: &Kit, pupils: &[Pupil], stretch: Duration) -> Typing {
    let writers = classroom::writers(pupils);
    let Some((first, _)) = writers.first() else {
        return Typing::default();
    };
    let ids: Vec<u32> = pupils.iter().map(|p| p.id).collect();
    let mut typed = vec![0; writers.len()];
    let one = classroom::measure(kit, &ids, || typed[0] += classroom::type_for(&first.screen, stretch));
    let all = classroom::measure(kit, &ids, || {
        std::thread::scope(|s| {
            let typists: Vec<_> = writers
                .iter()
                .map(|(p, _)| s.spawn(|| classroom::type_for(&p.screen, stretch)))
                .collect();
            for (t, typist) in typed.iter_mut().zip(typists) {
                *t += typist.join().unwrap_or(0);
            }
        });
    });
    #[allow(clippy::cast_precision_loss)]
    let kept = writers
        .iter()
        .zip(&typed)
        .map(|((p, w), t)| classroom::document_chars(&p.screen, *w) as f64 / (*t).max(1) as f64)
        .fold(None, |min: Option<f64>, k| Some(min.map_or(k, |m| m.min(k))));
    Typing {
        one,
        all,
        typists: writers.len(),
        typed: typed.iter().sum(),
        kept,
    }
}

/// Processes of the pupils or in the sessions' cgroups, and session
/// cgroups, still there.
fn leftovers(kit: &Kit, uids: &[u32]) -> (usize, usize) {
    let cgroup = format!("/{}/", kit.cgroup_name);
    let processes = procfs::all()
        .iter()
        .filter(|p| p.state != 'Z' && (uids.contains(&p.uid) || p.cgroup.starts_with(&cgroup)))
        .count();
    let cgroups = std::fs::read_dir(kit.sessions_cgroup_dir()).map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("session-"))
            .count()
    });
    (processes, cgroups)
}

/// What one session costs, for the sizing: its mean PSS with its share of
/// the daemon's; its share of the idle CPU; and what a typing pupil adds,
/// the larger of one pupil typing alone and every pupil at once (per pupil).
#[allow(clippy::cast_precision_loss)]
fn cost(m: &Measured) -> Cost {
    let n = m.sessions.len().max(1) as f64;
    let mean = m.sessions.iter().map(|s| s.total().mib()).sum::<f64>() / n;
    let idle = m.idle.percent();
    let all = (m.typing.all.percent() - idle) / m.typing.typists.max(1) as f64;
    Cost {
        memory_mib: mean + m.daemon.mib() / n,
        idle_percent: idle / n,
        typing_percent: (m.typing.one.percent() - idle).max(all).max(0.0),
    }
}

/// The figures held to a target: every session came up, each holds
/// memory, the typing reached the documents, the host fits pupils, and
/// nothing is left after the log off.
#[allow(clippy::cast_precision_loss)]
fn checks(ctx: &Ctx, m: &Measured, fit: Option<Fit>) -> Vec<Check> {
    let up = m.ready.iter().filter(|r| r.is_some()).count();
    let smallest = m.sessions.iter().map(|s| s.total().mib()).reduce(f64::min);
    vec![
        Check::new(
            "sessions with every window up",
            Some(up as f64),
            "",
            Bound::AtLeast(m.n as f64),
            ctx.targets,
        ),
        Check::new(
            "PSS of the smallest session",
            smallest,
            " MiB",
            Bound::AtLeast(1.0),
            ctx.targets,
        ),
        Check::new(
            "share of the typed characters in each pupil's document",
            m.typing.kept.map(|k| k * 100.0),
            " %",
            Bound::AtLeast(90.0),
            ctx.targets,
        ),
        Check::new(
            "pupils a host of this size fits",
            fit.map(|f| f64::from(f.pupils())),
            "",
            Bound::AtLeast(1.0),
            ctx.targets,
        ),
        Check::new(
            "processes and session cgroups left after the log off",
            Some((m.left.0 + m.left.1) as f64),
            "",
            Bound::AtMost(0.0),
            ctx.targets,
        ),
    ]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The memory rows of the section's table.
#[allow(clippy::cast_precision_loss)]
fn memory_rows(m: &Measured) -> String {
    let n = m.sessions.len().max(1) as f64;
    let totals: Vec<f64> = m.sessions.iter().map(|s| s.total().mib()).collect();
    let (min, max) = (
        totals.iter().copied().fold(f64::INFINITY, f64::min),
        totals.iter().copied().fold(0.0, f64::max),
    );
    let mean_of = |f: fn(&SessionMemory) -> Held| m.sessions.iter().map(|s| f(s).mib()).sum::<f64>() / n;
    let processes = m.sessions.iter().map(|s| s.total().processes).sum::<usize>() as f64 / n;
    let outside: usize = m.sessions.iter().map(|s| s.outside.processes).sum();
    let (before, after) = m.available;
    let drop = mib(before) - mib(after);
    let pss: f64 = totals.iter().sum::<f64>() + m.daemon.mib();
    format!(
        "| memory per session (PSS of all its processes) | mean **{:.0} MiB** · max **{max:.0} MiB** · min {min:.0} MiB |\n\
         | of which, mean per session | Xvnc {:.0} MiB · Xfce and the rest of the desktop {:.0} MiB · Writer {:.0} MiB · Firefox {:.0} MiB ({processes:.0} processes; {outside} of the pupils outside their session's cgroups) |\n\
         | daemon and session workers | {:.0} MiB PSS ({} processes), {:.1} MiB per session |\n\
         | host `MemAvailable` | {:.2} GiB before the first session · {:.2} GiB with {} running · drop **{drop:.0} MiB** ({:.0} MiB per session; the sessions' and the daemon's PSS add up to {pss:.0} MiB) |\n",
        totals.iter().sum::<f64>() / n,
        mean_of(|s| s.xvnc),
        mean_of(|s| s.desktop),
        mean_of(|s| s.writer),
        mean_of(|s| s.firefox),
        m.daemon.mib(),
        m.daemon.processes,
        m.daemon.mib() / n,
        mib(before) / 1024.0,
        mib(after) / 1024.0,
        m.sessions.len(),
        drop / n,
    )
}

/// The CPU table: each stretch, by who used the CPU.
#[allow(clippy::cast_precision_loss)]
fn cpu_table(m: &Measured) -> String {
    let n = m.sessions.len().max(1) as f64;
    let t = &m.typing;
    let rows = [
        (format!("idle, {:.0} s", m.idle.host.wall.as_secs_f64()), m.idle),
        (
            format!("one pupil typing, {:.0} s", t.one.host.wall.as_secs_f64()),
            t.one,
        ),
        (
            format!(
                "every pupil typing at once ({}), {:.0} s",
                t.typists,
                t.all.host.wall.as_secs_f64()
            ),
            t.all,
        ),
    ];
    let mut table = String::from(
        "| stretch | Xvnc | desktops | daemon and workers | **all, % of one core** | per session | the whole host (other work included) | load average |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for (what, s) in rows {
        let _ = writeln!(
            table,
            "| {what} | {:.2} % | {:.2} % | {:.2} % | **{:.2} %** | {:.2} % | {:.1} % | {:.2} |",
            s.xvnc.percent(),
            s.desktops.percent(),
            s.daemon.percent(),
            s.percent(),
            s.percent() / n,
            s.host.percent(),
            s.load,
        );
    }
    table
}

/// How many sessions had every window up, and how soon.
fn windows_up(m: &Measured) -> String {
    let ready: Vec<Duration> = m.ready.iter().flatten().copied().collect();
    if ready.is_empty() {
        return "none".to_owned();
    }
    let s = Stats::of(&ready);
    format!(
        "{}/{} · min {:.0} s · median {:.0} s · max {:.0} s",
        ready.len(),
        m.n,
        s.min / 1000.0,
        s.p50 / 1000.0,
        s.max / 1000.0
    )
}

/// The section and its checks.
fn report(ctx: &Ctx, m: &Measured, host: Host) -> Report {
    let n = m.n;
    let cost = cost(m);
    let fit = Fit::of(host, cost);
    let checks = checks(ctx, m, fit);
    let apps = if m.writer_only {
        "LibreOffice Writer"
    } else {
        "LibreOffice Writer and Firefox"
    };
    let up = windows_up(m);
    let t = &m.typing;
    #[allow(clippy::cast_precision_loss)]
    let rate =
        t.typed as f64 / (t.one.host.wall + t.all.host.wall * u32::try_from(t.typists).unwrap_or(1)).as_secs_f64();
    let (left, cgroups) = m.left;
    let body = format!(
        "## Capacity: {pupils} on real Xfce desktops with {apps} open\n\n\
         {header}\n\n\
         {pupils}, each with a session started through the daemon (`podium session start`: Xvnc 1280×800, a PAM \
         session, `/etc/X11/Xsession`, here Xfce) that opens {apps}{page} at login (Xfce's autostart); each \
         session started once the one before had its windows up, then {settle} s to settle. **Memory**: the PSS \
         (`Pss:` of `/proc/PID/smaps_rollup`: each shared page split between the processes that map it, so \
         libraries shared between sessions count once across them) of every process of each session — Xvnc's \
         `display` cgroup, the `desktop` cgroup, and any process of the pupil outside them — with the daemon and \
         the session workers apart. **CPU**: `cpu.stat` of the sessions' `display` and `desktop` cgroups and of the \
         daemon's (workers included), as % of one core; pupils type prose into Writer with `xdotool` at 5 \
         characters a second, which reach the X server as from a keyboard. No station watches, so no VNC picture is \
         encoded or relayed while they type. Other work shared the host during the run; its CPU and load average \
         say how much.\n\n\
         | measure | value |\n|---|---|\n\
         | every window up ({apps}), from the session's start | {up} |\n\
         {memory}\
         | typing | {typed} characters at {rate:.1} a second per pupil; each document holds at least {kept} of what was typed into it |\n\
         | log off all, grace 0: until every process is gone | {gone} ({done}/{n} done); left afterwards: {left} processes, {cgroups} session cgroups |\n\
         | the benchmark, in all | {took:.1} min |\n\n\
         {cpu}\n\
         ### How many pupils fit\n\n\
         {sizing}\n\
         Memory per session is the mean PSS above with its share of the daemon's; idle CPU per session is the idle \
         stretch's total divided by {n}, the daemon's share included; a typing pupil's CPU is what typing added over \
         idle, the larger of one pupil alone and all at once (per pupil). Not measured here: what the stations cost \
         (Xvnc encoding each screen for its station, the daemon relaying it), which adds to the CPU per session. The \
         pupils here read a light page and type; a class watching videos or on heavy sites needs its own measure.\n\n\
         {checks}",
        header = ctx.header(),
        pupils = if n == 1 {
            "1 pupil".to_owned()
        } else {
            format!("{n} pupils")
        },
        page = if m.writer_only { "" } else { " on a local lesson page" },
        settle = m.settle.as_secs(),
        memory = memory_rows(m),
        typed = t.typed,
        kept = t
            .kept
            .map_or_else(|| "no data".to_owned(), |k| format!("{:.0} %", k * 100.0)),
        gone = say_gone(m.logoff.gone_at),
        done = m.logoff.done,
        took = m.took.as_secs_f64() / 60.0,
        cpu = cpu_table(m),
        sizing = sizing::rule(host, cost, &format!("Xfce with {apps} open")),
        checks = table(&checks),
    );
    Report {
        name: "desktops",
        body,
        checks,
    }
}
