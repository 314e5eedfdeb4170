//! What the benchmark does to the school, one step after another: time a
//! real host's log off for the simulated hosts to copy, measure the school
//! unwatched and watched, lose a host, and log everyone off in one click.

use super::super::census::cpu_seconds;
use super::super::cpu::{Meter, Used};
use super::setup::{REAL, School};
use super::sim::SIZE;
use super::watch::{self, Watched};
use crate::TestUser;
use crate::cluster::Traffic;
use crate::web::{Events, Web};
use podium_core::{ActionResults, EndKind, Outcome};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The host whose log off the simulated hosts copy, and the one lost.
pub(crate) const MEASURED_HOST: &str = "c";

/// A real host's own waited log off of all its sessions at once.
#[derive(Debug, Default)]
pub(crate) struct Calibration {
    /// Until the CLI had every outcome.
    pub took: Duration,
    /// Each session's time from the request to gone, and how it ended.
    pub endings: Vec<(Duration, EndKind)>,
}

/// Times host c's log off of its sessions, gives the times to the
/// simulated hosts, and starts c's sessions again.
///
/// # Errors
/// When the log off did not say how each session ended.
pub(crate) fn calibrate(school: &mut School) -> Result<Calibration, String> {
    let host = school
        .hosts
        .iter_mut()
        .find(|h| h.name == MEASURED_HOST)
        .ok_or("no host c")?;
    let t = Instant::now();
    let out = host
        .kit
        .cli()
        .args(["session", "logoff", "--all", "--grace", "0", "--yes", "--json"])
        .run();
    let took = t.elapsed();
    let results: ActionResults = serde_json::from_str(&out.stdout)
        .map_err(|e| format!("host c's log off said {e}: {}{}", out.stdout, out.stderr))?;
    let endings: Vec<(Duration, EndKind)> = results
        .results
        .iter()
        .filter_map(|r| Some((Duration::from_millis(r.duration_ms?), r.ended?)))
        .collect();
    if endings.len() != host.pupils.len() {
        return Err(format!(
            "host c's log off told how {} of {} sessions ended",
            endings.len(),
            host.pupils.len()
        ));
    }
    crate::wait_until(Duration::from_secs(15), "host c's pupils are gone", || {
        host.pupils_left() == 0
    });
    host.start_desktops();
    school.sims.borrowed().set_endings(endings.clone());
    Ok(Calibration { took, endings })
}

/// CPU and NATS traffic over a stretch.
#[derive(Debug, Default, Clone)]
pub(crate) struct Usage {
    /// The teacher's host's daemon and session workers.
    pub daemon: Used,
    /// The teacher's host's X servers.
    pub xvnc: Used,
    /// The three NATS servers, seconds of CPU.
    pub nats_cpu: f64,
    /// The servers' traffic.
    pub traffic: Traffic,
    /// How long.
    pub wall: Duration,
}

/// Measures what [`Usage`] says from now on.
struct UsageMeter {
    daemon: Meter,
    xvnc: Meter,
    nats_cpu: f64,
    traffic: Traffic,
    at: Instant,
}

fn nats_cpu(school: &School) -> f64 {
    school.nats.pids().into_iter().map(cpu_seconds).sum()
}

impl UsageMeter {
    fn start(school: &School) -> UsageMeter {
        let a = school.teacher_host();
        UsageMeter {
            daemon: Meter::start(vec![a.kit.daemon_cgroup()]),
            xvnc: Meter::start(a.logs.keys().map(|id| a.kit.display_cgroup(*id)).collect()),
            nats_cpu: nats_cpu(school),
            traffic: school.nats.traffic(),
            at: Instant::now(),
        }
    }

    fn read(&self, school: &School) -> Usage {
        Usage {
            daemon: self.daemon.read(),
            xvnc: self.xvnc.read(),
            nats_cpu: nats_cpu(school) - self.nats_cpu,
            traffic: school.nats.traffic().since(&self.traffic),
            wall: self.at.elapsed(),
        }
    }
}

/// The school with nobody watching, for `length`.
pub(crate) fn unwatched(school: &School, length: Duration) -> Usage {
    let meter = UsageMeter::start(school);
    std::thread::sleep(length);
    meter.read(school)
}

/// What the watched stretch measured.
#[derive(Debug, Default)]
pub(crate) struct Watching {
    pub watched: Watched,
    pub usage: Usage,
    /// Real thumbnails the simulated hosts were given.
    pub jpegs: usize,
    /// Their mean size, bytes.
    pub jpeg_bytes: usize,
}

/// The teacher's dashboard on host a showing the whole school's small
/// pictures for `length` (after taking real thumbnails of host b's
/// desktops for the simulated hosts for at most `collect_for`, and
/// letting the first pictures pass).
///
/// # Errors
/// When the events stream cannot be opened.
pub(crate) fn watched(
    school: &School,
    teacher: &TestUser,
    collect_for: Duration,
    length: Duration,
) -> Result<Watching, String> {
    let a = school.teacher_host();
    let web = Web::login(&a.kit, teacher);
    let mut events = Events::open(
        &a.kit,
        &format!("/api/v1/events?school=true&thumbnails={SIZE}"),
        web.cookie_header().as_deref(),
        Some(web.origin()),
    )
    .map_err(|status| format!("the events stream was refused: {status}"))?;
    let jpegs = watch::collect(&mut events, "b", 16, collect_for);
    let (count, bytes) = (jpegs.len(), jpegs.iter().map(Vec::len).sum::<usize>());
    school.sims.borrowed().set_jpegs(jpegs);
    watch::drain(&mut events, Duration::from_secs(3));
    let logs = school
        .hosts
        .iter()
        .flat_map(|h| h.logs.iter().map(|(id, log)| ((h.name.to_owned(), *id), log.clone())))
        .collect();
    let meter = UsageMeter::start(school);
    let watched = watch::watch(&mut events, &logs, length);
    let usage = meter.read(school);
    Ok(Watching {
        watched,
        usage,
        jpegs: count,
        jpeg_bytes: bytes / count.max(1),
    })
}

/// What losing host c cost.
#[derive(Debug, Default)]
pub(crate) struct Loss {
    /// Until host a showed c unreachable, its sessions kept
    /// (`None`: not within 15 s).
    pub unreachable_after: Option<Duration>,
    /// Sessions of the other hosts host a did not show reachable then.
    pub others_lost: Option<u64>,
    /// c's sessions host a still listed.
    pub kept: Option<u64>,
    /// A block of a session on b, on a simulated host and on c, from
    /// host a's dashboard, while c was lost: outcome per host.
    pub outcomes: BTreeMap<String, String>,
    /// How long that answer took.
    pub action_took: Duration,
    /// Until c was back with its sessions after its restart.
    pub back_after: Option<Duration>,
}

/// `kill -9` of host c's daemon: how long until host a shows it
/// unreachable, what else a then shows, whether an action on the other
/// hosts still works; then c's restart.
pub(crate) fn lose_a_host(school: &mut School, teacher: &TestUser) -> Loss {
    let mut loss = Loss::default();
    if let Some(host) = school.hosts.iter_mut().find(|h| h.name == MEASURED_HOST) {
        host.kit.kill_daemon();
    }
    let n = school.n as u64;
    let mut want: BTreeMap<String, (String, u64)> = school
        .names()
        .into_iter()
        .map(|h| (h, ("reachable".to_owned(), n)))
        .collect();
    want.insert(MEASURED_HOST.to_owned(), ("unreachable".to_owned(), n));
    loss.unreachable_after = school.wait_to_see(&want, Duration::from_secs(15)).ok();
    if let Ok(seen) = school.seen() {
        loss.others_lost = Some(
            school
                .names()
                .iter()
                .filter(|h| *h != MEASURED_HOST)
                .map(|h| match seen.get(h) {
                    Some((state, sessions)) if state == "reachable" => n.saturating_sub(*sessions),
                    _ => n,
                })
                .sum(),
        );
        loss.kept = seen.get(MEASURED_HOST).map(|(_, sessions)| *sessions);
    }
    let targets: Vec<String> = [("b", school.host("b").and_then(|h| h.logs.keys().next().copied()))]
        .into_iter()
        .chain([("sim1", school.sims.a_session_of("sim1"))])
        .chain([(
            MEASURED_HOST,
            school.host(MEASURED_HOST).and_then(|h| h.logs.keys().next().copied()),
        )])
        .filter_map(|(h, id)| id.map(|id| format!("{h}/{id}")))
        .collect();
    let web = Web::login(&school.teacher_host().kit, teacher);
    let t = Instant::now();
    let reply = web.post(
        "/api/v1/sessions/block",
        &json!({"sessions": targets, "message": "A benchmark checks this host"}),
    );
    loss.action_took = t.elapsed();
    if let Ok(results) = serde_json::from_str::<ActionResults>(&reply.text) {
        for r in results.results {
            let host = r.host.clone().unwrap_or_else(|| REAL[0].to_owned());
            let outcome = match r.reason {
                Some(why) => format!("{} ({why})", r.outcome),
                None => r.outcome.to_string(),
            };
            loss.outcomes.insert(host, outcome);
        }
    }
    let _ = web.post("/api/v1/sessions/unblock", &json!({"sessions": targets}));
    if let Some(host) = school.hosts.iter_mut().find(|h| h.name == MEASURED_HOST) {
        host.kit.start_daemon();
    }
    loss.back_after = school.wait_for_everyone(Duration::from_secs(30)).ok();
    loss
}

/// One host's share of the click's answer.
#[derive(Debug, Default, Clone)]
pub(crate) struct HostOutcomes {
    /// Results for its sessions.
    pub results: usize,
    /// Ended `closed`.
    pub closed: usize,
    /// Ended `forced`.
    pub forced: usize,
    /// Anything else: accepted without an ending, refused, failed.
    pub other: usize,
    /// The longest of its sessions' log off, request to gone.
    pub slowest_ms: u64,
}

/// "Log off all users" of the school, grace 0, from host a's dashboard.
#[derive(Debug, Default)]
pub(crate) struct Click {
    /// Until the answer came (`None`: no answer with results).
    pub answered: Option<Duration>,
    /// The answer's status and, when not 200, its text.
    pub status: u16,
    pub problem: Option<String>,
    /// Outcomes by host.
    pub hosts: BTreeMap<String, HostOutcomes>,
    /// The real pupils' processes running when the answer came.
    pub left_at_answer: usize,
    /// From the click until no process of a real pupil was left
    /// (`None`: some still ran 10 s after).
    pub gone_after: Option<Duration>,
    /// The real pupils' processes still running 10 s after the click.
    pub left_after: usize,
    /// From the click until host a showed no session anywhere.
    pub emptied_after: Option<Duration>,
    /// Sessions the simulated hosts still ran afterwards.
    pub sims_left: usize,
}

impl Click {
    /// Results that are a final outcome: done, and ended closed or forced.
    #[must_use]
    pub(crate) fn finals(&self) -> usize {
        self.hosts.values().map(|h| h.closed + h.forced).sum()
    }
}

/// `POST /api/v1/sessions/logoff {"all": true, "school": true,
/// "grace_seconds": 0, "wait": true}` as the teacher on host a, timed
/// from the request to the answer; then how long until nothing of the
/// real pupils ran and host a listed no session.
pub(crate) fn click(school: &School, teacher: &TestUser) -> Click {
    let web = Web::login(&school.teacher_host().kit, teacher);
    let mut click = Click::default();
    let t = Instant::now();
    let reply = web.post(
        "/api/v1/sessions/logoff",
        &json!({"all": true, "school": true, "grace_seconds": 0, "wait": true}),
    );
    let answered = t.elapsed();
    click.left_at_answer = school.pupils_left();
    click.status = reply.status;
    match serde_json::from_str::<ActionResults>(&reply.text) {
        Ok(results) if reply.status == 200 => {
            click.answered = Some(answered);
            for r in results.results {
                let h = click
                    .hosts
                    .entry(r.host.clone().unwrap_or_else(|| REAL[0].to_owned()))
                    .or_default();
                h.results += 1;
                match (r.outcome, r.ended) {
                    (Outcome::Done, Some(EndKind::Closed)) => h.closed += 1,
                    (Outcome::Done, Some(EndKind::Forced)) => h.forced += 1,
                    _ => h.other += 1,
                }
                h.slowest_ms = h.slowest_ms.max(r.duration_ms.unwrap_or(0));
            }
        }
        _ => click.problem = Some(reply.text.chars().take(300).collect()),
    }
    while t.elapsed() < Duration::from_secs(10) {
        if school.pupils_left() == 0 {
            click.gone_after = Some(t.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    click.left_after = school.pupils_left();
    let nobody: BTreeMap<String, (String, u64)> = school
        .names()
        .into_iter()
        .map(|h| (h, ("reachable".to_owned(), 0)))
        .collect();
    click.emptied_after = school
        .wait_to_see(&nobody, Duration::from_secs(15).saturating_sub(t.elapsed()))
        .ok()
        .map(|_| t.elapsed());
    click.sims_left = school.sims.sessions_left();
    click
}
