//! Faults, end to end: processes that try to escape a session, a fork
//! bomb, an application that never exits, `kill -9` of the daemon at the
//! worst moments, and a state directory that is read-only or full. After
//! each: nothing of the session is left (processes, cgroups, files, PAM),
//! nothing is lost (sessions, log offs, audit), and no zombie remains.

use podium_core::{ActionResults, AuditKind, AuditList, AuditRecord, EndKind, Outcome, Role, SessionState};
use podium_testkit::faults::{self, Mount, Standalone};
use podium_testkit::host::cgroup2_root;
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

fn audit(kit: &Kit) -> Vec<AuditRecord> {
    let out = kit.cli().args(["audit", "--json"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str::<AuditList>(&out.stdout)
        .expect("audit JSON")
        .records
}

/// The audit record of `kind` about session `id`.
fn record(records: &[AuditRecord], kind: AuditKind, id: u32) -> Option<&AuditRecord> {
    records.iter().find(|r| r.kind == kind && r.session == Some(id))
}

/// Restarts the daemon and waits until it lists no session; how long that took.
fn restart_until_no_session(kit: &mut Kit, what: &str) -> Duration {
    let restarted = Instant::now();
    kit.start_daemon();
    wait_until(Duration::from_secs(90), what, || kit.sessions().sessions.is_empty());
    restarted.elapsed()
}

/// The session workers of these users, from one look at `/proc`: the
/// parent of the user's display server and desktop.
fn workers_of(uids: &[u32]) -> Vec<Option<i32>> {
    let procs = procfs::all();
    let workers: Vec<i32> = procs
        .iter()
        .filter(|p| p.uid == 0 && p.cmdline.contains("session-worker"))
        .map(|p| p.pid)
        .collect();
    uids.iter()
        .map(|uid| {
            procs
                .iter()
                .find(|p| p.uid == *uid && workers.contains(&p.ppid))
                .map(|p| p.ppid)
        })
        .collect()
}

/// The session worker of `uid`'s session.
fn worker_of(uid: u32) -> Option<i32> {
    workers_of(&[uid])[0]
}

/// No zombie whose parent is the daemon, this test, or anything alive under them.
fn assert_no_zombies(kit: &Kit) {
    let parents = [kit.daemon_pid(), i32::try_from(std::process::id()).unwrap_or(0)];
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let zombies = faults::zombies_under(&parents);
        if zombies.is_empty() {
            return;
        }
        assert!(
            Instant::now() < until,
            "zombies under the daemon or the test: {:?}",
            zombies.iter().map(|z| (z.pid, z.ppid, &z.cmdline)).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Everything of session `id` is gone: processes, cgroups (v2 and the
/// process limit's), its directories, and PAM was closed as often as opened.
fn assert_cleaned(kit: &Kit, user: &TestUser, id: u32) {
    wait_until(Duration::from_secs(10), "the user's processes are gone", || {
        procfs::of_user(user.uid).is_empty()
    });
    assert!(procfs::in_cgroup(&kit.session_cgroup(id)).is_empty());
    assert!(
        !kit.session_cgroup_dir(id).exists(),
        "cgroup of session {id} left behind"
    );
    let (limit_dir, _) = faults::pids_limit_dir(&kit.cgroup_name, id);
    assert!(!limit_dir.exists(), "{} left behind", limit_dir.display());
    assert!(
        !kit.session_run_dir(id).exists(),
        "session directory of {id} left behind"
    );
    assert!(
        !Path::new(&format!("/run/user/{}", user.uid)).exists(),
        "runtime directory of {} left behind",
        user.name
    );
    let markers = user.pam_markers();
    let opened = markers.iter().filter(|m| *m == "open_session").count();
    let closed = markers.iter().filter(|m| *m == "close_session").count();
    assert_eq!(opened, closed, "PAM sessions of {}: {markers:?}", user.name);
}

/// Every entry of a cgroup directory (and the directory) is root's and
/// writable by nobody else.
fn assert_roots_alone(dir: &Path) {
    let mut checked = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let meta = std::fs::metadata(&d).expect("cgroup dir");
        assert_eq!(meta.uid(), 0, "{} is not root's", d.display());
        assert_eq!(meta.mode() & 0o022, 0, "{} is writable by others", d.display());
        for entry in std::fs::read_dir(&d).expect("list cgroup dir").flatten() {
            let m = entry.metadata().expect("cgroup file");
            if m.is_dir() {
                stack.push(entry.path());
                continue;
            }
            assert_eq!(m.uid(), 0, "{} is not root's", entry.path().display());
            assert_eq!(
                m.mode() & 0o022,
                0,
                "{} is writable by others ({:o})",
                entry.path().display(),
                m.mode()
            );
            checked += 1;
        }
    }
    assert!(checked > 5, "{} holds cgroup files", dir.display());
}

/// Signal numbers, for the `SigIgn` mask of `/proc/<pid>/status`.
mod libc_signal {
    pub const HUP: u32 = 1;
    pub const TERM: u32 = 15;
}

/// Session cgroups left under the kit's subtree, in cgroup v2 and in the
/// cgroup v1 pids hierarchy.
fn session_cgroups_left(kit: &Kit) -> Vec<PathBuf> {
    let mut bases = vec![cgroup2_root().join(&kit.cgroup_name)];
    bases.extend(faults::pids_v1_root().map(|v1| v1.join(&kit.cgroup_name)));
    bases
        .iter()
        .filter_map(|b| std::fs::read_dir(b).ok())
        .flat_map(|d| d.flatten().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("session-"))
        })
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A `setsid` double fork, `nohup`, a process ignoring SIGTERM and SIGHUP,
/// attempts to leave the cgroup, then a fork bomb: the limit holds, nothing
/// leaves, and after the log off nothing is left.
#[test]
fn escapes_and_a_fork_bomb_stay_inside_the_session_and_end_with_it() {
    const LIMIT: u64 = 64;
    let kit = Kit::start_with(
        PODIUM,
        &format!("max_processes = {LIMIT}\nterminate_timeout_seconds = 2"),
    );
    let user = TestUser::create(Role::Standard);
    let neighbour = TestUser::create(Role::Standard);
    let neighbour_id = kit.start_session(&neighbour, Some("xclock"));
    let v2 = cgroup2_root().display().to_string();
    let (_, limit_kind) = faults::pids_limit_dir(&kit.cgroup_name, neighbour_id);
    let v1 = faults::pids_v1_root()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    // Where this session's own process limit is, as the shell sees it.
    let limit_in_shell = if limit_kind == "cgroup v2" {
        format!("{v2}$session")
    } else {
        format!("{v1}$pids")
    };
    let v1_attempts = if v1.is_empty() {
        String::new()
    } else {
        format!(
            "try {v1}/cgroup.procs\ntry {v1}${{pids%/*}}/cgroup.procs\ntry {v1}${{pids%/*}}/session-{neighbour_id}/cgroup.procs\n"
        )
    };
    let script = kit.script(
        "escaping-desktop",
        &format!(
            r#"out="$HOME/escape"
cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
session=${{cg%/desktop}}
base=${{session%/*}}
pids=$(sed -n 's/^[0-9]*:pids://p' /proc/self/cgroup)
try() {{
  if (echo $$ > "$1") 2>>"$out.err"; then echo "MOVED $1" >> "$out"; else echo "refused $1" >> "$out"; fi
}}
try {v2}/cgroup.procs
try {v2}$base/cgroup.procs
try {v2}$base/session-{neighbour_id}/desktop/cgroup.procs
try {v2}$base/session-{neighbour_id}/cgroup.procs
try {v2}$session/display/cgroup.procs
try {v2}$session/cgroup.procs
{v1_attempts}if (echo 100000 > "{limit_in_shell}/pids.max") 2>>"$out.err"; then echo "RAISED" >> "$out"; else echo "refused pids.max" >> "$out"; fi
if mkdir "{v2}$cg/escape" 2>>"$out.err"; then echo "MADE $cg/escape" >> "$out"; else echo "refused mkdir" >> "$out"; fi
sed -n 's/^0:://p' /proc/self/cgroup > "$out.after"
setsid sh -c 'sleep 1001 & sleep 1001 &' &
nohup sleep 1002 >/dev/null 2>&1 &
sh -c 'trap "" TERM HUP; exec sleep 1003' &
echo ready > "$HOME/escapes-ready"
while [ ! -e "$HOME/go" ]; do sleep 0.1; done
sh -c 'while :; do sleep 1000 & done' 2> "$HOME/bomb.err"
echo ended > "$HOME/bomb-ended"
wait"#
        ),
    );
    let id = kit.start_session(&user, Some(&script.to_string_lossy()));
    let session_cg = kit.session_cgroup(id);
    wait_until(Duration::from_secs(20), "the escape attempts are done", || {
        user.home.join("escapes-ready").exists()
            && procfs::of_user(user.uid)
                .iter()
                .filter(|p| p.cmdline.starts_with("sleep 100"))
                .count()
                == 4
    });

    // Every attempt to leave the cgroup, join another one or change the
    // limit was refused by the kernel's permission check.
    let attempts = read(&user.home.join("escape"));
    let expected = 8 + if v1.is_empty() { 0 } else { 3 };
    assert_eq!(attempts.lines().count(), expected, "{attempts}");
    assert!(
        attempts.lines().all(|l| l.starts_with("refused ")),
        "an escape worked:\n{attempts}"
    );
    let errors = read(&user.home.join("escape.err"));
    eprintln!("escape attempts, as the shell saw them:\n{errors}");
    assert_eq!(errors.lines().count(), expected, "{errors}");
    assert!(
        errors
            .lines()
            .all(|l| l.contains("Permission denied") || l.contains("Operation not permitted")),
        "refused with EACCES or EPERM only:\n{errors}"
    );
    assert_eq!(
        read(&user.home.join("escape.after")).trim(),
        format!("{session_cg}/desktop")
    );
    for dir in [kit.session_cgroup_dir(id), kit.session_cgroup_dir(neighbour_id)] {
        assert_roots_alone(&dir);
    }
    let (limit_dir, limit_kind) = faults::pids_limit_dir(&kit.cgroup_name, id);
    assert_roots_alone(&limit_dir);
    assert_eq!(faults::read_number(&limit_dir.join("pids.max")), Some(LIMIT));

    // The escapees run on, re-parented to the session's worker, inside the session.
    let worker = worker_of(user.uid).expect("the session's worker");
    let procs = procfs::of_user(user.uid);
    let outside = procfs::outside(&procs, &session_cg);
    assert!(outside.is_empty(), "outside the session: {outside:?}");
    let double_forked: Vec<_> = procs.iter().filter(|p| p.cmdline == "sleep 1001").collect();
    assert_eq!(double_forked.len(), 2);
    assert!(
        double_forked.iter().all(|p| p.ppid == worker),
        "the setsid'd processes are orphans the worker adopted"
    );
    let stubborn = procs
        .iter()
        .find(|p| p.cmdline == "sleep 1003")
        .expect("the process ignoring TERM and HUP");
    let ignored = read(Path::new(&format!("/proc/{}/status", stubborn.pid)))
        .lines()
        .find_map(|l| {
            l.strip_prefix("SigIgn:")
                .map(|h| u64::from_str_radix(h.trim(), 16).unwrap_or(0))
        })
        .unwrap_or(0);
    let term_and_hup = (1 << (libc_signal::TERM - 1)) | (1 << (libc_signal::HUP - 1));
    assert_eq!(ignored & term_and_hup, term_and_hup, "SIGTERM and SIGHUP are ignored");

    // The fork bomb: the count never goes over the limit.
    std::fs::write(user.home.join("go"), "").expect("start the bomb");
    let started = Instant::now();
    let (mut most_tasks, mut most_procs) = (0u64, 0usize);
    let mut ended_at = None;
    while ended_at.is_none_or(|t: Instant| t.elapsed() < Duration::from_secs(1)) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the fork bomb did not stop: {}",
            read(&user.home.join("bomb.err"))
        );
        most_tasks = most_tasks.max(faults::read_number(&limit_dir.join("pids.current")).unwrap_or(0));
        most_procs = most_procs.max(procfs::in_cgroup(&session_cg).len());
        if ended_at.is_none() && user.home.join("bomb-ended").exists() {
            ended_at = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = faults::pids_refused(&limit_dir);
    eprintln!(
        "fork bomb ({limit_kind}): pids.max {LIMIT}, at most {most_tasks} tasks and {most_procs} processes, {refused} forks refused, ended after {:?}",
        ended_at.map(|t| t.duration_since(started))
    );
    assert!(refused >= 1, "the bomb ran into the limit (pids.events)");
    assert!(most_tasks <= LIMIT, "{most_tasks} tasks > {LIMIT}");
    assert!(most_procs <= usize::try_from(LIMIT).unwrap_or(usize::MAX));
    assert!(
        most_procs >= usize::try_from(LIMIT / 2).unwrap_or(0),
        "the bomb filled the session ({most_procs} processes)"
    );
    assert!(
        procfs::of_user(user.uid)
            .iter()
            .all(|p| p.cgroup.starts_with(&format!("{session_cg}/")))
    );
    assert!(
        procfs::of_user(neighbour.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xclock")),
        "the neighbour is untouched"
    );

    // Log off: everything goes, the TERM-ignoring process by force.
    let out = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0", "--json"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let results: ActionResults = serde_json::from_str(&out.stdout).expect("results");
    assert_eq!(results.results[0].outcome, Outcome::Done);
    assert_eq!(results.results[0].ended, Some(EndKind::Forced));
    assert_cleaned(&kit, &user, id);
    assert_eq!(user.pam_markers(), vec!["open_session", "close_session"]);
    let records = audit(&kit);
    let rec = record(&records, AuditKind::Logoff, id).expect("log off audited");
    assert_eq!(rec.outcome, "forced");
    assert_eq!(
        kit.sessions().sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![neighbour_id]
    );
    assert_no_zombies(&kit);
}

/// Writes the desktop of a session full of applications that save: some on
/// `WM_DELETE_WINDOW`, some on SIGTERM, and one stuck on its "Save?"
/// question that ignores both.
fn saving_desktop(kit: &Kit, name: &str, savers: usize) -> String {
    let client = kit.test_client().display().to_string();
    let mut body = String::new();
    for i in 0..savers {
        body.push_str(&format!("{client} save-on-delete \"$HOME/window-{i}\" &\n"));
        body.push_str(&format!(
            "sh -c 'trap \"echo saved on TERM > \\\"$HOME/term-{i}\\\"; exit 0\" TERM; sleep 1000 & wait' &\n"
        ));
    }
    body.push_str(&format!("sh -c 'trap \"\" TERM; exec {client} never-close' &\n"));
    body.push_str("echo started > \"$HOME/started\"\nwait\n");
    kit.script(name, &body).to_string_lossy().into_owned()
}

/// How many windows named `name` are viewable on `display` (a session of `uid`).
fn visible_windows(display: &str, uid: u32, name: &str) -> usize {
    Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", name])
        .env("DISPLAY", display)
        .env("XAUTHORITY", format!("/run/user/{uid}/podium-Xauthority"))
        .stdin(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
        .unwrap_or(0)
}

/// Waits until every application of the saving desktops runs and every
/// window is on the screen (only those get `WM_DELETE_WINDOW`): the pids
/// of the applications that never exit, one per session.
fn wait_for_every_application(kit: &Kit, users: &[TestUser], ids: &[u32], savers: usize) -> Vec<i32> {
    for u in users {
        wait_until(Duration::from_secs(20), "every application runs", || {
            let procs = procfs::of_user(u.uid);
            u.home.join("started").exists()
                && procs
                    .iter()
                    .filter(|p| p.cmdline.contains("podium-test-client"))
                    .count()
                    == savers + 1
                && procs.iter().filter(|p| p.cmdline == "sleep 1000").count() == savers
        });
    }
    let listed = kit.sessions();
    for (u, id) in users.iter().zip(ids) {
        let display = &listed.sessions.iter().find(|s| s.id == *id).expect("listed").display;
        wait_until(Duration::from_secs(20), "every window is mapped", || {
            visible_windows(display, u.uid, "podium-test-client") == savers + 1
        });
    }
    users
        .iter()
        .map(|u| {
            procfs::of_user(u.uid)
                .into_iter()
                .find(|p| p.cmdline.ends_with("never-close"))
                .expect("the stuck app")
                .pid
        })
        .collect()
}

/// One log off of two sessions, each with polite savers and one application
/// that never exits: every save lands, the stuck one is killed after the
/// terminate timeout, and the audit says `forced`.
#[test]
fn every_save_lands_and_an_app_that_never_exits_is_forced_after_the_timeout() {
    const SAVERS: usize = 5;
    const TIMEOUT_S: u64 = 3;
    let kit = Kit::start_with(PODIUM, &format!("terminate_timeout_seconds = {TIMEOUT_S}"));
    let users: Vec<TestUser> = (0..2).map(|_| TestUser::create(Role::Standard)).collect();
    let ids: Vec<u32> = users
        .iter()
        .enumerate()
        .map(|(n, u)| kit.start_session(u, Some(&saving_desktop(&kit, &format!("saving-desktop-{n}"), SAVERS))))
        .collect();
    let stuck = wait_for_every_application(&kit, &users, &ids, SAVERS);

    let asked = Instant::now();
    let out = kit
        .cli()
        .args(["session", "logoff", "--all", "--grace", "0", "--yes", "--json"])
        .run();
    let took = asked.elapsed();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let results: ActionResults = serde_json::from_str(&out.stdout).expect("results");
    assert_eq!(results.results.len(), 2);
    for r in &results.results {
        assert_eq!((r.outcome, r.ended), (Outcome::Done, Some(EndKind::Forced)), "{r:?}");
    }

    let mut landed = 0;
    for u in &users {
        for i in 0..SAVERS {
            if read(&u.home.join(format!("window-{i}"))) == "saved on WM_DELETE_WINDOW\n" {
                landed += 1;
            }
            if read(&u.home.join(format!("term-{i}"))) == "saved on TERM\n" {
                landed += 1;
            }
        }
    }
    eprintln!(
        "saves: {landed} of {} landed; log off of 2 sessions with a stuck app took {took:?} (terminate timeout {TIMEOUT_S} s)",
        2 * 2 * SAVERS
    );
    assert_eq!(landed, 2 * 2 * SAVERS, "every save landed");
    for pid in stuck {
        assert!(!podium_testkit::system::alive(pid), "the stuck app is gone");
    }
    let records = audit(&kit);
    for (u, id) in users.iter().zip(&ids) {
        assert_cleaned(&kit, u, *id);
        let rec = record(&records, AuditKind::Logoff, *id).expect("log off audited");
        assert_eq!(rec.outcome, "forced");
        let ms = rec.duration_ms.expect("duration");
        eprintln!("session {id}: forced after {ms} ms");
        assert!(
            ms >= TIMEOUT_S * 1000 - 500,
            "the stuck app had the whole terminate timeout: {ms} ms"
        );
        assert!(ms < TIMEOUT_S * 1000 + 15_000, "and not much more: {ms} ms");
    }
    assert_no_zombies(&kit);
}

/// A listing to compare across a restart.
fn key(kit: &Kit) -> Vec<(u32, String, String, i64)> {
    kit.sessions()
        .sessions
        .iter()
        .map(|s| (s.id, s.user.clone(), s.display.clone(), s.created_at.unix()))
        .collect()
}

/// The daemon killed with nothing under way: the sessions' workers and
/// display servers live on, and the next daemon takes every one back,
/// unchanged.
fn idle_sessions_survive_kill_9(
    kit: &mut Kit,
    ids: &[u32],
    workers: &[i32],
    displays: &[i32],
    before: &[(u32, String, String, i64)],
) {
    kit.kill_daemon();
    for pid in workers.iter().chain(displays) {
        assert!(podium_testkit::system::alive(*pid), "{pid} lives on without the daemon");
    }
    let restarted = Instant::now();
    let taken_back = |kit: &Kit| kit.log().matches("session taken back").count();
    let before_restart = taken_back(kit);
    kit.start_daemon();
    wait_until(Duration::from_secs(30), "every session is taken back", || {
        taken_back(kit) == before_restart + ids.len()
    });
    eprintln!(
        "{} idle sessions taken back {:?} after the restart",
        ids.len(),
        restarted.elapsed()
    );
    assert_eq!(key(kit), before, "the same sessions, ids, displays and start times");
    for (pid, id) in displays.iter().zip(ids) {
        assert_eq!(
            procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(*id)))[0].pid,
            *pid,
            "the same display server"
        );
    }
    assert_no_zombies(kit);
}

/// Every interrupted log off was audited once, by root, closed or forced
/// after its whole warning, and left nothing: no worker, no cgroup, no
/// zombie.
fn every_interrupted_log_off_ended_clean(kit: &Kit, users: &[TestUser], ids: &[u32], workers: &[i32]) {
    let records = audit(kit);
    for (u, id) in users.iter().zip(ids) {
        let rec =
            record(&records, AuditKind::Logoff, *id).unwrap_or_else(|| panic!("log off of {id} audited: {records:?}"));
        assert_eq!(rec.actor, "root");
        assert!(
            rec.outcome == "closed" || rec.outcome == "forced",
            "session {id}: {} ({:?})",
            rec.outcome,
            rec.reason
        );
        assert!(
            rec.duration_ms.is_some_and(|ms| ms >= 4900),
            "the warning lasted its 5 s: {:?}",
            rec.duration_ms
        );
        assert_cleaned(kit, u, *id);
        assert_eq!(u.pam_markers(), vec!["open_session", "close_session"]);
    }
    assert_eq!(
        records.iter().filter(|r| r.kind == AuditKind::Logoff).count(),
        ids.len(),
        "one log off record per session"
    );
    for &pid in workers {
        assert!(!podium_testkit::system::alive(pid), "worker {pid} ended");
    }
    assert_eq!(
        session_cgroups_left(kit),
        Vec::<PathBuf>::new(),
        "no session cgroup is left"
    );
    assert_no_zombies(kit);
}

/// Twenty sessions live through `kill -9` of the daemon twice: once idle,
/// once in the middle of logging them all off with a 5-second warning.
/// Every session comes back with its id, every interrupted log off
/// completes at its original deadline, and nothing is left.
#[test]
fn twenty_sessions_survive_kill_9_idle_and_in_the_middle_of_their_log_off() {
    const N: usize = 20;
    let mut kit = Kit::start(PODIUM);
    let users: Vec<TestUser> = (0..N).map(|_| TestUser::create(Role::Standard)).collect();
    let began = Instant::now();
    let ids: Vec<u32> = users.iter().map(|u| kit.start_session(u, Some("xclock"))).collect();
    eprintln!("started {N} sessions in {:?}", began.elapsed());
    let before = key(&kit);
    assert_eq!(before.len(), N);
    let uids: Vec<u32> = users.iter().map(|u| u.uid).collect();
    let workers: Vec<i32> = workers_of(&uids).into_iter().map(|w| w.expect("worker")).collect();
    let displays: Vec<i32> = ids
        .iter()
        .map(|id| procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(*id)))[0].pid)
        .collect();

    // (a) idle.
    idle_sessions_survive_kill_9(&mut kit, &ids, &workers, &displays, &before);

    // (b) in the middle of logging them all off with a 5-second warning.
    let out = kit
        .cli()
        .args(["session", "logoff", "--all", "--grace", "5", "--yes", "--no-wait"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let asked = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    let closing = kit.sessions();
    assert!(
        closing
            .sessions
            .iter()
            .all(|s| s.state == SessionState::Closing && s.logoff_deadline.is_some()),
        "every session is closing"
    );
    let deadlines: Vec<_> = closing
        .sessions
        .iter()
        .map(|s| (s.id, s.logoff_deadline.map(|d| d.unix())))
        .collect();
    let workers: Vec<i32> = workers_of(&uids).into_iter().map(|w| w.expect("worker")).collect();
    kit.kill_daemon();
    let killed = Instant::now();
    kit.start_daemon();
    let back = killed.elapsed();
    let after = kit.sessions();
    let resumed: Vec<_> = after
        .sessions
        .iter()
        .map(|s| (s.id, s.logoff_deadline.map(|d| d.unix())))
        .collect();
    // A session may already have ended when the listing is taken; those
    // listed keep the deadline they were given.
    for r in &resumed {
        assert!(deadlines.contains(r), "{r:?} kept its deadline: {deadlines:?}");
    }
    wait_until(Duration::from_secs(60), "every interrupted log off completes", || {
        kit.sessions().sessions.is_empty()
    });
    let done = killed.elapsed();
    eprintln!(
        "{N} interrupted log offs (grace 5 s, daemon killed 1.5 s in): daemon back after {back:?}, all ended {done:?} after the kill, {:?} after the request",
        asked.elapsed()
    );
    every_interrupted_log_off_ended_clean(&kit, &users, &ids, &workers);
}

/// A copy of Xvnc that first waits (or fails), to hold a session start open.
struct SlowXvnc {
    path: PathBuf,
}

impl SlowXvnc {
    fn new(then: &str) -> SlowXvnc {
        use std::os::unix::fs::PermissionsExt;
        let path = PathBuf::from(format!(
            "/tmp/podium-test-fault-xvnc-{}-{}",
            std::process::id(),
            then.len()
        ));
        std::fs::write(&path, format!("#!/bin/sh\nsleep 3\n{then}\n")).expect("write wrapper");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        SlowXvnc { path }
    }
}

impl Drop for SlowXvnc {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Starts a session in the background and kills the daemon while the
/// display is still coming up; returns the exit status of the start.
fn kill_daemon_mid_start(kit: &mut Kit, user: &TestUser) -> i32 {
    let start = Command::new(PODIUM)
        .arg("--socket")
        .arg(&kit.socket)
        .args(["session", "start", &user.name, "--command", "xclock"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("podium session start");
    wait_until(Duration::from_secs(20), "the display is starting", || {
        procfs::of_user(user.uid).iter().any(|p| p.cmdline == "sleep 3")
    });
    kit.kill_daemon();
    let out = start.wait_with_output().expect("start ends");
    eprintln!(
        "session start when its daemon was killed: {:?} {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    out.status.code().unwrap_or(-1)
}

/// `kill -9` of the daemon while a session is starting: the worker goes on,
/// and the restarted daemon takes the session back once it runs.
#[test]
fn a_session_starting_when_the_daemon_is_killed_is_taken_back() {
    let slow = SlowXvnc::new("exec /usr/bin/Xvnc \"$@\"");
    let mut kit = Kit::start_with(PODIUM, &format!("xvnc = \"{}\"", slow.path.display()));
    let user = TestUser::create(Role::Standard);
    let code = kill_daemon_mid_start(&mut kit, &user);
    assert_ne!(code, 0, "the start did not report success from a dead daemon");
    let worker = worker_of(user.uid).expect("the worker goes on");
    let restarted = Instant::now();
    kit.start_daemon();
    let first = kit.sessions();
    assert_eq!(first.sessions.len(), 1, "the half-started session is listed");
    let id = first.sessions[0].id;
    eprintln!(
        "restarted daemon lists session {id} as {:?} after {:?}",
        first.sessions[0].state,
        restarted.elapsed()
    );
    wait_until(Duration::from_secs(60), "the session is taken back", || {
        kit.sessions()
            .sessions
            .iter()
            .any(|s| s.id == id && s.state == SessionState::Disconnected && !s.display.is_empty())
    });
    eprintln!("taken back {:?} after the restart", restarted.elapsed());
    assert_eq!(worker_of(user.uid), Some(worker), "the same worker");
    let display = procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(id)));
    assert_eq!(display.len(), 1);
    assert!(
        display[0].cmdline.starts_with("/usr/bin/Xvnc"),
        "{}",
        display[0].cmdline
    );
    wait_until(Duration::from_secs(10), "the desktop runs", || {
        procfs::in_cgroup(&format!("{}/desktop", kit.session_cgroup(id)))
            .iter()
            .any(|p| p.cmdline.starts_with("xclock"))
    });
    assert_eq!(user.pam_markers(), vec!["open_session"]);

    let out = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_cleaned(&kit, &user, id);
    assert_eq!(user.pam_markers(), vec!["open_session", "close_session"]);
    assert!(kit.sessions().sessions.is_empty());
    assert_no_zombies(&kit);
}

/// `kill -9` of the daemon while a session is starting, and the start then
/// fails: the worker leaves the reason, the restarted daemon lets the
/// session go at once (not after the 40 s start timeout), audits the
/// failed start with that reason, and nothing of it is left.
#[test]
fn a_session_that_fails_to_start_while_the_daemon_is_down_is_cleaned() {
    let slow = SlowXvnc::new("echo 'no display for you' >&2; exit 1");
    let mut kit = Kit::start_with(PODIUM, &format!("xvnc = \"{}\"", slow.path.display()));
    let user = TestUser::create(Role::Standard);
    let id = {
        let code = kill_daemon_mid_start(&mut kit, &user);
        assert_ne!(code, 0);
        half_started(&kit)
    };
    let took = restart_until_no_session(&mut kit, "the failed session leaves the list");
    eprintln!("a start that failed while the daemon was down left the list {took:?} after the restart");
    assert!(
        took < Duration::from_secs(20),
        "the daemon waited {took:?}, as if for a worker still starting"
    );
    assert_cleaned(&kit, &user, id);
    assert!(
        user.pam_markers().is_empty(),
        "PAM was never opened: {:?}",
        user.pam_markers()
    );
    let records = audit(&kit);
    let failed = record(&records, AuditKind::SessionStart, id)
        .unwrap_or_else(|| panic!("the failed start is audited: {records:?}"));
    eprintln!("audited: {} {} {:?}", failed.actor, failed.outcome, failed.reason);
    assert_eq!(failed.outcome, "failed");
    let reason = failed.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("no display for you"),
        "the display's own words: {reason}"
    );
    assert_no_zombies(&kit);
}

/// The id of the one session whose directory exists.
fn half_started(kit: &Kit) -> u32 {
    let dirs: Vec<u32> = std::fs::read_dir(kit.dir.join("run"))
        .expect("run dir")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("session-")?.parse().ok())
        .collect();
    assert_eq!(dirs.len(), 1, "a half-started session: {dirs:?}");
    dirs[0]
}

/// `kill -9` of the daemon while a session is starting, then of the
/// session's worker: the restarted daemon sees from the worker's progress
/// record that nobody is starting the session any more, and cleans up at
/// once instead of waiting out the 40 s start timeout.
#[test]
fn a_starting_session_whose_worker_died_with_the_daemon_is_cleaned_at_once() {
    let slow = SlowXvnc::new("sleep 60; exec /usr/bin/Xvnc \"$@\"");
    let mut kit = Kit::start_with(PODIUM, &format!("xvnc = \"{}\"", slow.path.display()));
    let user = TestUser::create(Role::Standard);
    assert_ne!(kill_daemon_mid_start(&mut kit, &user), 0);
    let id = half_started(&kit);
    let worker = worker_of(user.uid).expect("the worker is starting the session");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(worker), nix::sys::signal::Signal::SIGKILL).expect("kill");
    wait_until(Duration::from_secs(10), "the worker is gone", || {
        procfs::Proc::read(worker).is_none_or(|p| p.state == 'Z')
    });
    let took = restart_until_no_session(&mut kit, "the session leaves the list");
    eprintln!("a start whose worker died left the list {took:?} after the restart");
    assert!(
        took < Duration::from_secs(20),
        "the daemon waited {took:?} for a dead worker"
    );
    assert_cleaned(&kit, &user, id);
    let records = audit(&kit);
    let end = record(&records, AuditKind::SessionEnd, id).unwrap_or_else(|| panic!("the end is audited: {records:?}"));
    assert!(
        end.reason.as_deref().unwrap_or("").contains("session worker died"),
        "{end:?}"
    );
    assert_no_zombies(&kit);
}

/// `podium serve` with its state directory on a read-only file system:
/// empty, and holding the state of an earlier run.
#[test]
fn a_read_only_state_directory_stops_the_daemon_with_an_error_naming_it() {
    let root = PathBuf::from(format!("/tmp/podium-test-fault-ro-{}", std::process::id()));
    let mount = Mount::tmpfs(&root, 4096, 0o700);
    let state = root.join("state");

    // Empty.
    let empty = Standalone::new(PODIUM, &root);
    mount.read_only();
    let ended = empty.run_until_exit(Duration::from_secs(30));
    eprintln!(
        "read-only, empty: {:?} after {:?}: {}",
        ended.code,
        ended.took,
        ended.stderr.trim()
    );
    assert_eq!(ended.code, Some(1), "{}", ended.stderr);
    assert!(ended.stderr.contains(&root.display().to_string()), "{}", ended.stderr);
    assert!(ended.stderr.contains("Read-only file system"), "{}", ended.stderr);
    assert!(!ended.stderr.contains("panicked"), "{}", ended.stderr);

    // With the state of an earlier run.
    mount.read_write();
    let mut earlier = Standalone::new(PODIUM, &state);
    earlier.start();
    assert_eq!(earlier.stop(), Some(0), "{}", earlier.log());
    assert!(state.join("podium.db").exists());
    mount.read_only();
    let ended = earlier.run_until_exit(Duration::from_secs(30));
    eprintln!(
        "read-only, earlier state: {:?} after {:?}: {}",
        ended.code,
        ended.took,
        ended.stderr.trim()
    );
    assert_eq!(ended.code, Some(1), "{}", ended.stderr);
    assert!(ended.stderr.contains(&state.display().to_string()), "{}", ended.stderr);
    assert!(
        ended.stderr.contains("cannot write the registry") && ended.stderr.contains("the file system is read-only"),
        "said plainly: {}",
        ended.stderr
    );
    assert_eq!(
        ended.stderr.matches("unable to open").count(),
        1,
        "SQLite's words once: {}",
        ended.stderr
    );
    assert!(!ended.stderr.contains("panicked"), "{}", ended.stderr);
    mount.read_write();
    assert_eq!(faults::integrity_check(&state.join("podium.db")), "ok");
    drop(earlier);
    drop(empty);
    drop(mount);
    assert!(!faults::mounted(&root));
    let _ = std::fs::remove_dir(&root);
}

/// `podium serve` on a full disk says so, naming the file; once space is
/// freed it starts — even when the disk filled up half-way through making
/// its certificate.
#[test]
fn a_full_disk_at_start_up_is_reported_and_recovered_from() {
    let root = PathBuf::from(format!("/tmp/podium-test-fault-full-{}", std::process::id()));
    let mount = Mount::tmpfs(&root, 256, 0o700);
    let state = root.join("state");
    std::fs::create_dir(&state).expect("state dir");
    let mut daemon = Standalone::new(PODIUM, &state);

    // Full to the last byte.
    let (filler, bytes) = mount.fill("filler");
    assert_eq!(mount.free_bytes(), 0, "{bytes} bytes written");
    let ended = daemon.run_until_exit(Duration::from_secs(30));
    eprintln!(
        "full disk: {:?} after {:?}: {}",
        ended.code,
        ended.took,
        ended.stderr.trim()
    );
    assert_eq!(ended.code, Some(1), "{}", ended.stderr);
    assert!(ended.stderr.contains(&state.display().to_string()), "{}", ended.stderr);
    assert!(ended.stderr.contains("No space left on device"), "{}", ended.stderr);
    assert!(!ended.stderr.contains("panicked"), "{}", ended.stderr);

    // One page left: the key fits, the certificate does not.
    std::fs::remove_dir_all(state.join("tls")).ok();
    let f = std::fs::OpenOptions::new().write(true).open(&filler).expect("filler");
    f.set_len(bytes - 4096).expect("free one page");
    drop(f);
    assert_eq!(mount.free_bytes(), 4096);
    let ended = daemon.run_until_exit(Duration::from_secs(30));
    eprintln!(
        "one page free: {:?} after {:?}: {}",
        ended.code,
        ended.took,
        ended.stderr.trim()
    );
    assert_eq!(ended.code, Some(1), "{}", ended.stderr);
    assert!(ended.stderr.contains("No space left on device"), "{}", ended.stderr);

    // Space freed: it starts, with a whole certificate.
    std::fs::remove_file(&filler).expect("free the space");
    daemon.start();
    assert!(
        std::fs::read_to_string(state.join("tls/cert.pem")).is_ok_and(|c| c.contains("BEGIN CERTIFICATE")),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0), "{}", daemon.log());

    // Full again, now with a registry and a certificate from that run.
    let (filler, _) = mount.fill("filler");
    let ended = daemon.run_until_exit(Duration::from_secs(30));
    eprintln!(
        "full disk, earlier state: {:?} after {:?}: {}",
        ended.code,
        ended.took,
        ended.stderr.trim()
    );
    assert_eq!(ended.code, Some(1), "{}", ended.stderr);
    assert!(
        ended.stderr.contains(&state.join("podium.db").display().to_string()),
        "{}",
        ended.stderr
    );
    assert!(
        ended.stderr.contains("the disk is full"),
        "said plainly: {}",
        ended.stderr
    );
    assert_eq!(
        ended.stderr.matches("disk I/O error").count(),
        1,
        "SQLite's words once: {}",
        ended.stderr
    );
    assert!(!ended.stderr.contains("panicked"), "{}", ended.stderr);
    std::fs::remove_file(&filler).expect("free the space");
    daemon.start();
    assert_eq!(daemon.stop(), Some(0), "{}", daemon.log());
    assert_eq!(faults::integrity_check(&state.join("podium.db")), "ok");
    drop(daemon);
    drop(mount);
    assert!(!faults::mounted(&root));
    let _ = std::fs::remove_dir(&root);
}

/// A session started while the registry's disk is full fails, saying why,
/// and nothing of it starts; the `running` sessions stay listed.
fn a_session_started_on_the_full_disk_fails_saying_why(kit: &Kit, running: usize) {
    let late = TestUser::create(Role::Standard);
    let out = kit.cli().args(["session", "start", &late.name]).run();
    eprintln!(
        "session start on the full disk: {} {}{}",
        out.code, out.stdout, out.stderr
    );
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(out.stderr.contains("disk is full"), "a clear reason: {}", out.stderr);
    assert!(kit.log().contains("database or disk is full"), "{}", kit.log_tail());
    assert!(procfs::of_user(late.uid).is_empty());
    assert_eq!(kit.sessions().sessions.len(), running);
}

/// The disk holding the registry fills up while sessions run; the daemon is
/// even killed then. Once space is freed and the daemon restarted, the
/// registry is intact and every session is there.
#[test]
fn a_disk_filling_up_under_a_running_daemon_does_not_corrupt_the_registry() {
    let mut kit = Kit::start_with(PODIUM, "terminate_timeout_seconds = 2");
    // The registry moves to a small file system of its own.
    kit.kill_daemon();
    let state = kit.dir.join("state");
    std::fs::remove_dir_all(&state).expect("old state");
    let mount = Mount::tmpfs(&state, 2048, 0o700);
    kit.start_daemon();
    let db = state.join("podium.db");

    let users: Vec<TestUser> = (0..3).map(|_| TestUser::create(Role::Standard)).collect();
    let ids: Vec<u32> = users.iter().map(|u| kit.start_session(u, Some("xclock"))).collect();
    let (filler, bytes) = mount.fill("filler");
    eprintln!("filled the state file system with {bytes} more bytes");

    // Writes until the registry runs out of space: messages are rows.
    let text = "x".repeat(500);
    let mut refusal = None;
    for n in 0..400 {
        let out = kit
            .cli()
            .args(["session", "message", &ids[2].to_string(), "--text", &text, "--json"])
            .run();
        if out.code != 0 {
            refusal = Some((n, out.stdout + &out.stderr));
            break;
        }
    }
    let (sent, why) = refusal.expect("the registry ran out of space");
    eprintln!("message {sent} refused on the full disk: {why}");
    assert!(why.contains("the host's disk is full"), "a clear reason: {why}");
    assert!(!why.contains("podium.db"), "file names are for the log: {why}");
    // A new session cannot be recorded: it fails, saying why, and nothing
    // of it starts.
    a_session_started_on_the_full_disk_fails_saying_why(&kit, ids.len());
    // A log off while the disk is full still ends the session.
    let out = kit
        .cli()
        .args(["session", "logoff", &ids[0].to_string(), "--grace", "0"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_cleaned(&kit, &users[0], ids[0]);
    // And the daemon dies with the disk still full.
    kit.kill_daemon();
    assert_eq!(faults::integrity_check(&db), "ok", "integrity on the full disk");

    std::fs::remove_file(&filler).expect("free the space");
    kit.start_daemon();
    assert_eq!(faults::integrity_check(&db), "ok");
    wait_until(Duration::from_secs(30), "the sessions are taken back", || {
        let s = kit.sessions().sessions;
        s.iter().all(|s| s.state == SessionState::Disconnected) && !s.iter().any(|s| s.id == ids[0])
    });
    let listed: Vec<u32> = kit.sessions().sessions.iter().map(|s| s.id).collect();
    for id in &ids[1..] {
        assert!(listed.contains(id), "session {id} is still there: {listed:?}");
    }
    // The session logged off on the full disk was cleaned up once, not twice.
    assert_eq!(users[0].pam_markers(), vec!["open_session", "close_session"]);
    let rows = faults::query(&db, "SELECT id FROM sessions ORDER BY id;");
    eprintln!(
        "registry rows after the restart: {:?}",
        rows.lines().collect::<Vec<_>>()
    );
    let records = audit(&kit);
    assert!(
        records.iter().any(|r| r.session == Some(ids[0])),
        "the end of session {} is audited: {records:?}",
        ids[0]
    );
    let out = kit
        .cli()
        .args(["session", "logoff", "--all", "--grace", "0", "--yes"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for (u, id) in users.iter().zip(&ids) {
        assert_cleaned(&kit, u, *id);
    }
    assert_eq!(faults::integrity_check(&db), "ok");
    assert_no_zombies(&kit);
    // Unmounted before the kit removes its directory.
    kit.kill_daemon();
    drop(mount);
    assert!(!faults::mounted(&state));
    drop(kit);
}
