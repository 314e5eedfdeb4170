//! Soak (`make soak`): sessions starting and ending without a pause for an
//! hour — from the CLI and from the web, logged off at once or after a short
//! warning — while a dashboard watches every desktop, then a count of what
//! is left: file descriptors, memory, cgroups, displays, workers, runtime
//! directories and zombies, before and after. The daemon's memory is
//! weighed twice at the same number of sessions, early and at the end: it
//! must not have grown by more than a tenth.

use super::census::{Census, cpu_seconds};
use super::judge::{Bound, Check, Report, table};
use super::{Ctx, rss_kib};
use crate::web::{Events, Web};
use crate::{Kit, TestUser};
use podium_core::Role;
use serde_json::json;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Users taking turns.
const POOL: usize = 16;
/// Pause between two operations.
const PACE: Duration = Duration::from_millis(150);
/// How often the counts are sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(60);
/// Sessions running when the daemon's memory is weighed.
const WEIGH_AT: usize = POOL / 2;

/// A small deterministic generator: the same run each time.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).unwrap_or(0)
    }
}

/// What the load did.
#[derive(Default)]
struct Tally {
    starts_cli: u64,
    starts_web: u64,
    logoffs_cli: u64,
    logoffs_web: u64,
    failures: Vec<String>,
}

impl Tally {
    fn fail(&mut self, what: String) {
        if self.failures.len() < 10 {
            self.failures.push(what);
        } else if self.failures.len() == 10 {
            self.failures.push("…".into());
        }
    }
}

/// Starts `u`'s session, every other time from the web station; its id.
fn start(kit: &Kit, u: &TestUser, web: bool, tally: &mut Tally) -> Option<u32> {
    if web {
        let r = Web::login(kit, u).post("/api/v1/station/session", &json!({}));
        let id = r.json()["session"]["id"].as_u64().and_then(|v| u32::try_from(v).ok());
        if r.status == 200 && id.is_some() {
            tally.starts_web += 1;
        } else {
            tally.fail(format!("web start of {}: {} {}", u.name, r.status, r.text));
        }
        id
    } else {
        let out = kit.cli().args(["session", "start", &u.name]).run();
        let id = out.stdout.trim().parse().ok();
        if out.code == 0 && id.is_some() {
            tally.starts_cli += 1;
        } else {
            tally.fail(format!("CLI start of {}: {}{}", u.name, out.stdout, out.stderr));
        }
        id
    }
}

/// Logs session `id` off (and waits until it ended), from the CLI or the API.
fn log_off(kit: &Kit, admin: &Web, id: u32, grace: u32, web: bool, tally: &mut Tally) {
    if web {
        let r = admin.post(
            "/api/v1/sessions/logoff",
            &json!({"sessions": [id], "grace_seconds": grace, "wait": true}),
        );
        if r.status == 200 && r.text.contains("\"done\"") {
            tally.logoffs_web += 1;
        } else {
            tally.fail(format!("web log off of {id}: {} {}", r.status, r.text));
        }
    } else {
        let out = kit
            .cli()
            .args([
                "session",
                "logoff",
                &id.to_string(),
                "--grace",
                &grace.to_string(),
                "--yes",
            ])
            .run();
        if out.code == 0 {
            tally.logoffs_cli += 1;
        } else {
            tally.fail(format!("CLI log off of {id}: {}{}", out.stdout, out.stderr));
        }
    }
}

/// Brings the sessions running to exactly [`WEIGH_AT`] (starting or
/// logging off, from the CLI), lets the daemon settle, and weighs it: its
/// resident memory in KiB. Nothing asks the allocator to give memory back
/// first: this is what the daemon holds on its own.
fn weigh(kit: &Kit, admin: &Web, users: &[TestUser], ids: &mut [Option<u32>], tally: &mut Tally) -> u64 {
    for (i, u) in users.iter().enumerate() {
        let running = ids.iter().flatten().count();
        match ids[i] {
            None if running < WEIGH_AT => ids[i] = start(kit, u, false, tally),
            Some(id) if running > WEIGH_AT => {
                log_off(kit, admin, id, 0, false, tally);
                ids[i] = None;
            }
            _ => {}
        }
    }
    std::thread::sleep(Duration::from_secs(3));
    rss_kib(kit.daemon_pid())
}

/// Runs the soak for `length`; its section and checks.
#[must_use]
pub fn soak(ctx: &Ctx) -> Report {
    let stale = super::census::clean_stale();
    let kit = Kit::start(&ctx.podium);
    let admin = TestUser::create_fresh(Role::Admin);
    let users: Vec<TestUser> = (0..POOL).map(|_| TestUser::create_fresh(Role::Standard)).collect();
    let admin_web = Web::login(&kit, &admin);
    let uids: Vec<u32> = users.iter().map(|u| u.uid).collect();
    let before = Census::take(&kit, &uids);
    let cpu0 = cpu_seconds(kit.daemon_pid());
    let t0 = Instant::now();
    let mut churn = churn(&kit, (&admin, &admin_web), &users, ctx.soak, t0);
    let ran = t0.elapsed();
    let out = kit
        .cli()
        .args(["session", "logoff", "--all", "--grace", "0", "--yes"])
        .run();
    if out.code != 0 {
        churn.tally.fail(format!("final log off: {}{}", out.stdout, out.stderr));
    }
    crate::wait_until(Duration::from_secs(30), "every session is gone", || {
        kit.sessions().sessions.is_empty()
    });
    // Idle threads of the daemon's blocking pool end after 10 s.
    std::thread::sleep(Duration::from_secs(12));
    let after = Census::take(&kit, &uids);
    let cpu = cpu_seconds(kit.daemon_pid()) - cpu0;
    let report = report(
        ctx,
        &Soaked {
            stale,
            ran,
            cpu,
            before,
            after,
            churn,
        },
    );
    drop(users);
    report
}

/// What happened while sessions came and went.
struct Churn {
    tally: Tally,
    /// The counts taken every minute.
    samples: Vec<(String, Census)>,
    /// Minutes when the daemon's list was not the sessions started.
    lost: Vec<String>,
    /// When the daemon was weighed early.
    weigh_early: Duration,
    early_rss: Option<u64>,
    late_rss: Option<u64>,
    events_seen: u64,
    thumbs_fetched: u64,
}

/// Starts and logs off sessions of `users` in turn for `length` from
/// `t0`, while an administrator's dashboard watches; weighs the daemon
/// early and at the end, and counts the host every minute.
fn churn(kit: &Kit, (admin, admin_web): (&TestUser, &Web), users: &[TestUser], length: Duration, t0: Instant) -> Churn {
    let uids: Vec<u32> = users.iter().map(|u| u.uid).collect();
    let stop = AtomicBool::new(false);
    let (events_seen, thumbs_fetched) = (AtomicU64::new(0), AtomicU64::new(0));
    let mut c = Churn {
        tally: Tally::default(),
        samples: Vec::new(),
        lost: Vec::new(),
        weigh_early: length / 6,
        early_rss: None,
        late_rss: None,
        events_seen: 0,
        thumbs_fetched: 0,
    };
    std::thread::scope(|scope| {
        scope.spawn(|| watch(kit, admin, &stop, &events_seen, &thumbs_fetched));
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut ids: Vec<Option<u32>> = vec![None; POOL];
        let mut next_sample = SAMPLE_EVERY;
        let mut n = 0u64;
        while t0.elapsed() < length {
            if c.early_rss.is_none() && t0.elapsed() >= c.weigh_early {
                c.early_rss = Some(weigh(kit, admin_web, users, &mut ids, &mut c.tally));
            }
            n += 1;
            let i = rng.below(POOL);
            let web = n.is_multiple_of(2);
            ids[i] = match ids[i] {
                None => start(kit, &users[i], web, &mut c.tally),
                Some(id) => {
                    let grace = u32::from(n.is_multiple_of(5));
                    log_off(kit, admin_web, id, grace, web, &mut c.tally);
                    None
                }
            };
            if t0.elapsed() >= next_sample {
                next_sample += SAMPLE_EVERY;
                sample(kit, &uids, &ids, t0.elapsed().as_secs() / 60, &mut c);
            }
            std::thread::sleep(PACE);
        }
        c.late_rss = Some(weigh(kit, admin_web, users, &mut ids, &mut c.tally));
        stop.store(true, Ordering::Relaxed);
    });
    c.events_seen = events_seen.load(Ordering::Relaxed);
    c.thumbs_fetched = thumbs_fetched.load(Ordering::Relaxed);
    c
}

/// A dashboard watching until `stop`: events, and each new thumbnail.
fn watch(kit: &Kit, admin: &TestUser, stop: &AtomicBool, events_seen: &AtomicU64, thumbs_fetched: &AtomicU64) {
    let watcher = Web::login(kit, admin);
    let Ok(mut events) = Events::connect(kit, watcher.cookie_header().as_deref(), Some(watcher.origin())) else {
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        let Some(e) = events.next(Duration::from_secs(1)) else {
            continue;
        };
        events_seen.fetch_add(1, Ordering::Relaxed);
        if e["type"] == "thumbnail_updated"
            && let Some(id) = e["id"].as_u64()
        {
            let (status, _, _) = watcher.get_bytes(&format!("/api/v1/sessions/{id}/thumbnail"), &[]);
            if status == 200 {
                thumbs_fetched.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The counts of `minute`, and whether the daemon lists exactly the
/// sessions started (`ids`).
fn sample(kit: &Kit, uids: &[u32], ids: &[Option<u32>], minute: u64, c: &mut Churn) {
    c.samples.push((format!("minute {minute}"), Census::take(kit, uids)));
    // Nothing lost: the daemon lists exactly the sessions started.
    let mut listed: Vec<u32> = kit.sessions().sessions.iter().map(|s| s.id).collect();
    let mut mine: Vec<u32> = ids.iter().flatten().copied().collect();
    listed.sort_unstable();
    mine.sort_unstable();
    if listed != mine {
        c.lost
            .push(format!("minute {minute}: listed {listed:?}, expected {mine:?}"));
    }
}

/// What the soak measured.
struct Soaked {
    /// Stale files removed from earlier runs.
    stale: usize,
    ran: Duration,
    /// The daemon's CPU seconds over the run.
    cpu: f64,
    before: Census,
    after: Census,
    churn: Churn,
}

/// The section and its checks.
fn report(ctx: &Ctx, s: &Soaked) -> Report {
    let c = &s.churn;
    let samples: Vec<(String, Census)> = std::iter::once(("before".to_owned(), s.before))
        .chain(c.samples.iter().cloned())
        .chain(std::iter::once(("after".to_owned(), s.after)))
        .collect();
    let leaks = s.after.leaks_since(&s.before);
    let peak_rss = samples.iter().map(|(_, c)| c.rss_kib).max().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let growth = match (c.early_rss, c.late_rss) {
        (Some(e), Some(l)) if e > 0 => Some((l as f64 / e as f64 - 1.0) * 100.0),
        _ => None,
    };
    let checks = checks(ctx, s, leaks.len(), growth);
    // Ten rows at most: the first, evenly spaced ones, the last.
    let step = (samples.len() / 10).max(1);
    let shown: Vec<(&str, Census)> = samples
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i + 1 == samples.len() || *i + 2 == samples.len())
        .map(|(_, (l, c))| (l.as_str(), *c))
        .collect();
    let mut report = body(ctx, s, peak_rss, growth, &leaks);
    report.push_str(&Census::table(&shown));
    for f in c.tally.failures.iter().chain(&c.lost) {
        let _ = writeln!(report, "\n- {}", f.replace('\n', " "));
    }
    report.push('\n');
    report.push_str(&table(&checks));
    Report {
        name: "soak",
        body: report,
        checks,
    }
}

/// What the soak is judged on.
#[allow(clippy::cast_precision_loss)]
fn checks(ctx: &Ctx, s: &Soaked, leaks: usize, growth: Option<f64>) -> Vec<Check> {
    let (tally, lost) = (&s.churn.tally, &s.churn.lost);
    vec![
        Check::new(
            "failed operations",
            Some(tally.failures.len() as f64),
            "",
            Bound::AtMost(0.0),
            ctx.targets,
        ),
        Check::new(
            "sessions lost or unknown",
            Some(lost.len() as f64),
            "",
            Bound::AtMost(0.0),
            ctx.targets,
        ),
        Check::new(
            "kinds of things left behind",
            Some(leaks as f64),
            "",
            Bound::AtMost(0.0),
            ctx.targets,
        ),
        Check::new(
            format!("daemon RSS growth at {WEIGH_AT} sessions, end against early"),
            growth,
            " %",
            Bound::AtMost(10.0),
            ctx.targets,
        ),
    ]
}

/// The section's text up to the table of counts.
fn body(ctx: &Ctx, s: &Soaked, peak_rss: u64, growth: Option<f64>, leaks: &[String]) -> String {
    let (c, stale, ran, cpu, before, after) = (&s.churn, s.stale, s.ran, s.cpu, &s.before, &s.after);
    let (tally, lost) = (&c.tally, &c.lost);
    let kib = |v: Option<u64>| v.map_or_else(|| "not weighed".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    format!(
        "## Soak: sessions starting and ending for {:.0} minutes\n\n\
         {}\n\n\
         Before it started, {stale} stale X sockets, lock files and runtime directories were removed, and \
         every test user has a uid nothing on the host belonged to.\n\n\
         {POOL} users take turns: a session is started (from the CLI, or by a web login and the station \
         page's request) or logged off (from the CLI or the API; one log off in five with a 1 s warning), \
         one operation every {} ms or so, while an administrator's dashboard holds the events WebSocket and \
         fetches every new thumbnail. Every minute the daemon's list is compared with the sessions started.\n\n\
         | measure | value |\n|---|---|\n\
         | sessions started | {} from the CLI · {} from the web |\n\
         | sessions logged off | {} from the CLI · {} from the API |\n\
         | failed operations | {} |\n\
         | sessions lost or unknown (list ≠ started) | {} |\n\
         | events received · thumbnails fetched | {} · {} |\n\
         | daemon CPU over the run | {:.1} s ({:.1} % of one core) |\n\
         | daemon RSS: before · peak · after | {:.1} · {:.1} · {:.1} MiB |\n\
         | daemon RSS with {WEIGH_AT} sessions, early (after {:.0} min) · at the end | {} · {} ({}) |\n\
         | left behind (fds, threads, cgroups, Xvnc, X sockets, workers, runtime dirs, zombies) | {} |\n\n",
        ran.as_secs_f64() / 60.0,
        ctx.header(),
        PACE.as_millis(),
        tally.starts_cli,
        tally.starts_web,
        tally.logoffs_cli,
        tally.logoffs_web,
        tally.failures.len(),
        lost.len(),
        c.events_seen,
        c.thumbs_fetched,
        cpu,
        cpu / ran.as_secs_f64() * 100.0,
        before.rss_kib as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        after.rss_kib as f64 / 1024.0,
        c.weigh_early.as_secs_f64() / 60.0,
        kib(c.early_rss),
        kib(c.late_rss),
        growth.map_or_else(|| "no figure".to_owned(), |g| format!("{g:+.1} %")),
        if leaks.is_empty() {
            "**nothing**: every count is back where it started".to_owned()
        } else {
            format!("**{}**", leaks.join(", "))
        },
    )
}
