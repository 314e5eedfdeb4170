//! Open… (SPEC §5), end to end: a website or a listed program started on
//! real sessions, proved by what the started program itself saw — its
//! uid, its cgroup, its display — and by the host's `/proc`; bad requests
//! refused with a clear 4xx; refusals, failures and the audit log.

use podium_core::{Action, ActionResults, AuditKind, AuditList, AuditRecord, Outcome, ProgramList, Role};
use podium_testkit::web::{Web, WebReply};
use podium_testkit::{Kit, TestUser, wait_until};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SECOND: Duration = Duration::from_secs(1);

/// What the recording program writes into the user's home: who it ran as,
/// where, and with what, then stays a moment so its process can be looked at.
const RECORDER: &str = r#"out="$HOME/podium-opened-$1"
{
  echo "pid=$$"
  echo "uid=$(id -u)"
  echo "display=$DISPLAY"
  echo "xauthority=$XAUTHORITY"
  echo "home=$HOME"
  echo "runtime=$XDG_RUNTIME_DIR"
  echo "cgroup=$(grep '^0::' /proc/self/cgroup)"
  shift
  for a in "$@"; do echo "arg=$a"; done
} > "$out.tmp" && mv "$out.tmp" "$out"
exec sleep 60"#;

/// A host directory of scripts the sessions' users may run.
struct Scripts {
    dir: PathBuf,
}

impl Scripts {
    fn new() -> Scripts {
        let dir = PathBuf::from(format!("/tmp/podium-open-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scripts dir");
        set_mode(&dir, 0o755);
        let s = Scripts { dir };
        s.write("recorder", RECORDER);
        s
    }

    fn write(&self, name: &str, body: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
        set_mode(&path, 0o755);
        path
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scripts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).expect("chmod");
}

/// The `[open]` section: the URL opener records its URL as `web`, the
/// program `marker` records itself as `program`, and `missing` is not
/// installed.
fn open_config(s: &Scripts) -> String {
    let recorder = s.path("recorder");
    format!(
        "\n[open]\nurl_command = [\"{recorder}\", \"web\"]\n\n\
         [[open.programs]]\nname = \"marker\"\nlabel = \"Marker\"\nlabel_fr = \"Marqueur\"\ncommand = [\"{recorder}\", \"program\", \"two words\", \"$HOME;id\"]\n\n\
         [[open.programs]]\nname = \"missing\"\nlabel = \"Missing\"\ncommand = [\"no-such-program-podium\", \"--flag\"]\n"
    )
}

/// A daemon with [`open_config`] whose desktops are a clock (the config's
/// `command` lines would otherwise leave the system's full desktop).
fn kit(s: &Scripts) -> Kit {
    Kit::start_with(PODIUM, &format!("command = \"xclock\"\n{}", open_config(s)))
}

/// What the recorder wrote for `what` in `user`'s home, once it has.
fn recorded(user: &TestUser, what: &str) -> BTreeMap<String, Vec<String>> {
    let path = user.home.join(format!("podium-opened-{what}"));
    wait_until(10 * SECOND, "the opened program records itself", || path.exists());
    parse_record(&std::fs::read_to_string(&path).expect("read the record"))
}

fn parse_record(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            m.entry(k.to_owned()).or_default().push(v.to_owned());
        }
    }
    m
}

fn one<'a>(r: &'a BTreeMap<String, Vec<String>>, key: &str) -> &'a str {
    r.get(key).and_then(|v| v.first()).map_or("", String::as_str)
}

fn results(r: &WebReply) -> ActionResults {
    assert_eq!(r.status, 200, "{}", r.text);
    r.parse()
}

fn outcome_of(r: &ActionResults, id: u32) -> (Outcome, String) {
    let x = r
        .results
        .iter()
        .find(|x| x.session == id)
        .unwrap_or_else(|| panic!("no result for {id}: {r:?}"));
    (x.outcome, x.reason.clone().unwrap_or_default())
}

fn audit(kit: &Kit) -> Vec<AuditRecord> {
    let out = kit.cli().args(["audit", "--json", "--limit", "10000"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str::<AuditList>(&out.stdout)
        .expect("audit JSON")
        .records
}

/// The session's cgroup as `/proc/PID/cgroup` writes it (`0::/…/desktop`).
fn desktop_cgroup_line(kit: &Kit, id: u32) -> String {
    let dir = kit.session_cgroup_dir(id).join("desktop");
    let rel = dir
        .strip_prefix(podium_testkit::host::cgroup2_root())
        .expect("under the cgroup root");
    format!("0::/{}", rel.display())
}

/// `pid`'s real uid, from `/proc`.
fn uid_of(pid: i32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

fn display_of(kit: &Kit, id: u32) -> String {
    kit.sessions()
        .sessions
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| s.display)
        .expect("session listed")
}

/// `GET /api/v1/programs` as a dashboard user: names and labels, in the
/// config's order, and never a command.
fn lists_the_programs_without_their_commands(web: &Web) {
    let list: ProgramList = {
        let r = web.get("/api/v1/programs");
        assert_eq!(r.status, 200, "{}", r.text);
        r.parse()
    };
    let names: Vec<(&str, &str, Option<&str>)> = list
        .programs
        .iter()
        .map(|p| (p.name.as_str(), p.label.as_str(), p.label_fr.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("marker", "Marker", Some("Marqueur")), ("missing", "Missing", None)]
    );
    assert!(
        !web.get("/api/v1/programs").text.contains("recorder"),
        "commands stay on the host"
    );
}

/// The recorded program ran as `pupil`, on session `id`'s display, inside
/// its cgroup, with its words as configured; `/proc` agrees while it runs.
fn ran_inside_the_session(kit: &Kit, pupil: &TestUser, id: u32) {
    let rec = recorded(pupil, "program");
    assert_eq!(one(&rec, "uid"), pupil.uid.to_string(), "runs as the session's user");
    assert_eq!(one(&rec, "display"), display_of(kit, id), "on the session's display");
    assert_eq!(one(&rec, "home"), pupil.home.to_string_lossy());
    assert_eq!(
        one(&rec, "xauthority"),
        format!("/run/user/{}/podium-Xauthority", pupil.uid)
    );
    assert_eq!(
        one(&rec, "cgroup"),
        desktop_cgroup_line(kit, id),
        "inside the session's cgroup"
    );
    assert_eq!(
        rec["arg"],
        ["two words", "$HOME;id"],
        "the configured words arrive as they are, no shell in between"
    );
    // The host's own view of the process, while it runs.
    let pid: i32 = one(&rec, "pid").parse().expect("pid");
    assert_eq!(uid_of(pid), Some(pupil.uid), "/proc says the user's uid");
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).expect("its cgroup");
    let v2 = cgroup.lines().find(|l| l.starts_with("0::")).unwrap_or("");
    assert_eq!(v2, desktop_cgroup_line(kit, id));
    let procs = std::fs::read_to_string(kit.session_cgroup_dir(id).join("desktop/cgroup.procs")).expect("procs");
    assert!(
        procs.lines().any(|l| l == pid.to_string()),
        "listed in the session's cgroup"
    );
}

#[test]
fn a_listed_program_runs_as_each_user_inside_their_session() {
    let scripts = Scripts::new();
    let kit = kit(&scripts);
    let pupils = [TestUser::create(Role::Standard), TestUser::create(Role::Standard)];
    let ids: Vec<u32> = pupils.iter().map(|p| kit.start_session(p, None)).collect();
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let web = Web::login(&kit, &teacher);

    lists_the_programs_without_their_commands(&web);

    let r = results(&web.post("/api/v1/sessions/open", &json!({"sessions": ids, "program": "marker"})));
    for (pupil, id) in pupils.iter().zip(&ids) {
        assert_eq!(outcome_of(&r, *id).0, Outcome::Done, "{r:?}");
        ran_inside_the_session(&kit, pupil, *id);
    }

    // A website, from the CLI as root: the URL is one argument, as given.
    let url = "https://example.org/a b?c=1&d=$(id)#x";
    let out = kit
        .cli()
        .args(["session", "open", &ids[0].to_string(), "--url", url])
        .run();
    assert_eq!(
        out.code, 2,
        "a space is refused before anything is sent: {}",
        out.stderr
    );
    let url = "https://example.org/a?c=1&d=$(id);`id`#x";
    let out = kit
        .cli()
        .args(["session", "open", &ids[0].to_string(), "--url", url])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("done"), "{}", out.stdout);
    let rec = recorded(&pupils[0], "web");
    assert_eq!(rec["arg"], [url], "the URL reaches the opener as one word");
    assert_eq!(one(&rec, "uid"), pupils[0].uid.to_string());

    // One audit record per target, with what was opened.
    let records = audit(&kit);
    for id in &ids {
        let mine: Vec<&AuditRecord> = records
            .iter()
            .filter(|r| r.kind == AuditKind::Open && r.session == Some(*id) && r.actor == teacher.name)
            .collect();
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!(mine[0].outcome, "done");
        assert_eq!(mine[0].reason.as_deref(), Some("program marker"));
    }
    assert!(
        records.iter().any(|r| r.kind == AuditKind::Open
            && r.actor == "root"
            && r.reason.as_deref() == Some(&format!("url {url}")))
    );

    // The session's end ends what was opened.
    let out = kit
        .cli()
        .args(["session", "logoff", &ids[1].to_string(), "--grace", "0", "--yes"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pid: i32 = one(
        &parse_record(&std::fs::read_to_string(pupils[1].home.join("podium-opened-program")).expect("record")),
        "pid",
    )
    .parse()
    .expect("pid");
    wait_until(5 * SECOND, "the opened program ends with its session", || {
        uid_of(pid).is_none()
    });
}

/// The CLI refuses bad addresses and program names with its usage (status
/// 2), naming the reason, and an unknown program with status 1.
fn the_cli_refuses_them_too(kit: &Kit) {
    for (args, says) in [
        (vec!["--url", "ftp://example.org"], "not ftp:"),
        (vec!["--url", "javascript:alert(1)"], "not javascript:"),
        (vec!["--program", "Calculator"], "not a program name"),
    ] {
        let mut all = vec!["session", "open"];
        all.push("--all");
        all.extend(args);
        let out = kit.cli().args(&all).run();
        assert_eq!(out.code, 2, "{all:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{all:?}: {}", out.stderr);
    }
    let out = kit
        .cli()
        .args(["session", "open"])
        .args(["--all", "--program", "calculator"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("no program \"calculator\" is configured"),
        "{}",
        out.stderr
    );
}

/// Bodies `POST /sessions/open` refuses for session `id`: each with its
/// status and what the answer must say.
fn bad_bodies(id: u32) -> Vec<(serde_json::Value, u16, &'static str)> {
    let long = format!("https://example.org/{}", "a".repeat(2100));
    vec![
        (
            json!({"sessions": [id], "url": "ftp://example.org/file"}),
            400,
            "not ftp:",
        ),
        (
            json!({"sessions": [id], "url": "javascript:alert(1)"}),
            400,
            "not javascript:",
        ),
        (json!({"sessions": [id], "url": "file:///etc/shadow"}), 400, "not file:"),
        (
            json!({"sessions": [id], "url": "example.org"}),
            400,
            "must start with http",
        ),
        (json!({"sessions": [id], "url": "https://"}), 400, "names no web site"),
        (
            json!({"sessions": [id], "url": "https://example.org/\nrm"}),
            400,
            "control character",
        ),
        (json!({"sessions": [id], "url": "https://exa mple.org"}), 400, "space"),
        (json!({"sessions": [id], "url": long}), 400, "longer than 2048"),
        (json!({"sessions": [id]}), 400, "exactly one of"),
        (
            json!({"sessions": [id], "url": "https://example.org", "program": "marker"}),
            400,
            "exactly one of",
        ),
        (
            json!({"sessions": [id], "program": "../../bin/sh"}),
            400,
            "not a program name",
        ),
        (
            json!({"sessions": [id], "program": "calculator"}),
            422,
            "no program \\\"calculator\\\"",
        ),
        (json!({"url": "https://example.org"}), 400, "\\\"sessions\\\""),
        (
            json!({"sessions": [id], "url": "https://example.org", "shell": true}),
            400,
            "shell",
        ),
    ]
}

#[test]
fn bad_addresses_and_unknown_programs_are_refused_before_anything_starts() {
    let scripts = Scripts::new();
    let kit = kit(&scripts);
    let pupil = TestUser::create(Role::Standard);
    let id = kit.start_session(&pupil, None);
    let admin = TestUser::create(Role::Admin);
    let web = Web::login(&kit, &admin);
    let cases = bad_bodies(id);
    for (body, status, says) in &cases {
        let r = web.post("/api/v1/sessions/open", body);
        assert_eq!(r.status, *status, "{body}: {}", r.text);
        assert!(r.text.contains(says), "{body}: the answer says {says:?}: {}", r.text);
    }
    let r = web.post(
        "/api/v1/sessions/open",
        &json!({"sessions": [id], "program": "calculator"}),
    );
    assert!(
        r.text.contains("marker, missing"),
        "the configured names are listed: {}",
        r.text
    );
    std::thread::sleep(SECOND);
    assert!(!pupil.home.join("podium-opened-web").exists(), "nothing was opened");
    assert!(
        !audit(&kit).iter().any(|r| r.kind == AuditKind::Open),
        "nothing to audit"
    );

    the_cli_refuses_them_too(&kit);

    // The list is for the dashboard's users.
    let pupil_web = Web::login(&kit, &pupil);
    assert_eq!(pupil_web.get("/api/v1/programs").status, 403);
    let out = kit.cli().as_user(&pupil).args(["session", "programs"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let out = kit.cli().args(["session", "programs"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("marker") && out.stdout.contains("Marqueur"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_program_that_is_not_installed_fails_on_each_session_with_the_reason() {
    let scripts = Scripts::new();
    let kit = kit(&scripts);
    let pupils = [TestUser::create(Role::Standard), TestUser::create(Role::Standard)];
    let ids: Vec<u32> = pupils.iter().map(|p| kit.start_session(p, None)).collect();
    let teacher = TestUser::create(Role::Dashboard);
    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "open"])
        .args(["--all", "--program", "missing", "--json"])
        .run();
    assert_eq!(out.code, 1, "a failed target is exit status 1: {}", out.stderr);
    let r: ActionResults = serde_json::from_str(&out.stdout).expect("results JSON");
    for id in &ids {
        let (outcome, reason) = outcome_of(&r, *id);
        assert_eq!(outcome, Outcome::Failed);
        assert!(
            reason.contains("no-such-program-podium not found in /usr/local/bin"),
            "{reason}"
        );
    }
    let records = audit(&kit);
    let failed: Vec<&AuditRecord> = records.iter().filter(|r| r.kind == AuditKind::Open).collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().all(|r| {
        r.outcome == "failed"
            && r.reason
                .as_deref()
                .is_some_and(|x| x.starts_with("program missing: no-such-program-podium not found"))
    }));
    // The table says it too.
    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "open"])
        .args(["--all", "--program", "missing"])
        .run();
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("failed") && out.stdout.contains("not found"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_dashboard_user_cannot_open_anything_on_an_administrators_session() {
    let scripts = Scripts::new();
    let kit = kit(&scripts);
    let admin = TestUser::create(Role::Admin);
    let pupil = TestUser::create(Role::Standard);
    let admin_id = kit.start_session(&admin, None);
    let pupil_id = kit.start_session(&pupil, None);
    let teacher = TestUser::create(Role::Dashboard);
    let web = Web::login(&kit, &teacher);
    let body = json!({"sessions": [admin_id, pupil_id], "url": "https://example.org/"});
    let r = results(&web.post("/api/v1/sessions/open", &body));
    assert_eq!(
        outcome_of(&r, admin_id),
        (Outcome::Refused, "administrator session".to_owned())
    );
    assert_eq!(outcome_of(&r, pupil_id).0, Outcome::Done);
    let refused = r
        .results
        .iter()
        .find(|x| x.session == admin_id)
        .expect("admin's result");
    assert_eq!(refused.code.map(|c| c.as_str()), Some("administrator_session"));
    recorded(&pupil, "web");
    std::thread::sleep(SECOND);
    assert!(
        !admin.home.join("podium-opened-web").exists(),
        "nothing ran on the administrator's desktop"
    );
    let records = audit(&kit);
    let on_admin: Vec<&AuditRecord> = records
        .iter()
        .filter(|r| r.session == Some(admin_id) && r.actor == teacher.name)
        .collect();
    assert_eq!(on_admin.len(), 1, "{on_admin:?}");
    assert_eq!(on_admin[0].kind, AuditKind::Refused);
    assert_eq!(on_admin[0].action.as_deref(), Some(Action::Open.as_str()));
    assert!(
        on_admin[0]
            .reason
            .as_deref()
            .is_some_and(|x| x.contains("url https://example.org/")),
        "{on_admin:?}"
    );
    // A pupil opens nothing: not on another's desktop, not on their own.
    let pupil_web = Web::login(&kit, &pupil);
    for target in [admin_id, pupil_id] {
        let r = results(&pupil_web.post(
            "/api/v1/sessions/open",
            &json!({"sessions": [target], "program": "marker"}),
        ));
        assert_eq!(outcome_of(&r, target).0, Outcome::Refused, "{r:?}");
    }
    // "All" leaves the caller's own session alone.
    let admin_web = Web::login(&kit, &admin);
    let r = results(&admin_web.post("/api/v1/sessions/open", &json!({"all": true, "program": "marker"})));
    assert_eq!(outcome_of(&r, pupil_id).0, Outcome::Done);
    assert_eq!(outcome_of(&r, admin_id).0, Outcome::Refused);
    std::thread::sleep(SECOND);
    assert!(!admin.home.join("podium-opened-program").exists());
}

/// Talks to a session's worker as the daemon does, on a connection of its own.
fn ask_worker(kit: &Kit, id: u32, request: &serde_json::Value) -> serde_json::Value {
    let socket = kit.session_run_dir(id).join("worker.sock");
    let mut stream = std::os::unix::net::UnixStream::connect(&socket).expect("connect to the worker");
    stream.set_read_timeout(Some(15 * SECOND)).expect("timeout");
    writeln!(stream, "{request}").expect("send");
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).expect("answer");
    serde_json::from_str(&line).expect("JSON answer")
}

#[test]
fn the_worker_refuses_what_it_cannot_start_and_says_why() {
    let scripts = Scripts::new();
    let kit = kit(&scripts);
    let pupil = TestUser::create(Role::Standard);
    let id = kit.start_session(&pupil, None);
    let failed = |request: serde_json::Value| -> String {
        let answer = ask_worker(&kit, id, &json!({"launch": request}));
        answer["launch_failed"]["why"]
            .as_str()
            .unwrap_or_else(|| panic!("{request}: not a failure: {answer}"))
            .to_owned()
    };
    assert!(failed(json!({"program": "/bin/true", "argv": []})).contains("1 to 256 words"));
    assert!(failed(json!({"program": "true", "argv": ["true"]})).contains("not an absolute path"));
    let why = failed(json!({"program": "/nonexistent/prog", "argv": ["prog"]}));
    assert!(why.contains("execute") && why.contains("No such file"), "{why}");
    let private = scripts.write("root-only", "exit 0");
    set_mode(&private, 0o700);
    let why = failed(json!({"program": private, "argv": ["root-only"]}));
    assert!(
        why.contains("Permission denied"),
        "the user's rights, not root's: {why}"
    );
    // A good one still works on the same worker, and the worker reaps it.
    let answer = ask_worker(&kit, id, &json!({"launch": {"program": "/bin/true", "argv": ["true"]}}));
    let pid = answer["launched"]["pid"].as_i64().expect("a pid");
    wait_until(5 * SECOND, "the worker reaps what it started", || {
        !Path::new(&format!("/proc/{pid}")).exists()
    });
    // A session that is logging off opens nothing.
    let out = kit
        .cli()
        .args([
            "session",
            "logoff",
            &id.to_string(),
            "--grace",
            "5",
            "--no-wait",
            "--yes",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = kit
        .cli()
        .args(["session", "open", &id.to_string(), "--program", "marker", "--json"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("logging off"), "{}", out.stdout);
    assert!(!pupil.home.join("podium-opened-program").exists());
}

/// `name` in `pid`'s environment as it started.
fn env_of(pid: i32, name: &str) -> Option<String> {
    let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    let prefix = format!("{name}=");
    env.split(|b| *b == 0)
        .find_map(|v| v.strip_prefix(prefix.as_bytes()))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Waits up to 30 s for a web browser showing example.org among `uid`'s
/// processes, in the cgroup `cgroup` (`0::/…`); it, and the processes seen.
fn browser_of(uid: u32, cgroup: &str) -> (podium_testkit::procfs::Proc, String) {
    let is_browser = |p: &podium_testkit::procfs::Proc| {
        ["firefox", "chromium", "x-www-browser"]
            .iter()
            .any(|b| p.cmdline.contains(b))
            && p.cmdline.contains("https://example.org/")
            && cgroup.ends_with(&p.cgroup)
    };
    let until = std::time::Instant::now() + 30 * SECOND;
    loop {
        let now = podium_testkit::procfs::of_user(uid);
        let seen = now
            .iter()
            .map(|p| format!("{} [{}]", p.cmdline, p.cgroup))
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(b) = now.into_iter().find(|p| is_browser(p)) {
            return (b, seen);
        }
        assert!(
            std::time::Instant::now() < until,
            "no browser after 30 s; the user's processes:\n{seen}"
        );
        std::thread::sleep(SECOND / 5);
    }
}

/// The default opener, `xdg-open`, on this machine's own browsers: the
/// request is answered at once (the worker waits only for the `exec`),
/// the browser starts as the user inside the session, on its display,
/// with no network to reach, and the log off ends all of it.
#[test]
fn the_default_opener_starts_the_users_browser_inside_the_session() {
    // The system's own desktop (Xfce here), up and running as in a classroom.
    let kit = Kit::start_with(PODIUM, "command = \"/etc/X11/Xsession\"\n");
    let pupil = TestUser::create(Role::Standard);
    let id = kit.start_session(&pupil, None);
    let procs = || podium_testkit::procfs::of_user(pupil.uid);
    wait_until(60 * SECOND, "the desktop's panel runs", || {
        procs().iter().any(|p| p.cmdline.starts_with("xfce4-panel"))
    });
    let manager = procs()
        .into_iter()
        .find(|p| p.cmdline.starts_with("xfce4-session"))
        .expect("the session manager");
    let desktop_bus = env_of(manager.pid, "DBUS_SESSION_BUS_ADDRESS").expect("the desktop's session bus");

    let started = std::time::Instant::now();
    let out = kit
        .cli()
        .args([
            "session",
            "open",
            &id.to_string(),
            "--url",
            "https://example.org/",
            "--json",
        ])
        .run();
    let answered = started.elapsed();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(answered < 5 * SECOND, "answered in {answered:?}");
    let cgroup = desktop_cgroup_line(&kit, id);
    let (browser, seen) = browser_of(pupil.uid, &cgroup);
    println!("answered in {answered:?}; the user's processes:\n{seen}");
    assert_eq!(
        env_of(browser.pid, "DBUS_SESSION_BUS_ADDRESS").as_deref(),
        Some(desktop_bus.as_str()),
        "the browser is on the desktop's own D-Bus"
    );
    assert_eq!(env_of(browser.pid, "XDG_CURRENT_DESKTOP").as_deref(), Some("XFCE"));
    let session = cgroup.trim_start_matches("0::").trim_end_matches("/desktop").to_owned();
    assert!(
        podium_testkit::procfs::of_user(pupil.uid)
            .iter()
            .all(|p| p.cgroup.starts_with(&format!("{session}/"))),
        "every process of the user is in the session: {seen}"
    );
    // Let it draw, for a picture of what the pupil sees.
    std::thread::sleep(10 * SECOND);
    let display = display_of(&kit, id);
    let xauth = PathBuf::from(format!("/run/user/{}/podium-Xauthority", pupil.uid));
    let png = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots/open-website-on-desktop.png");
    let _ = podium_testkit::screen::Shot::take(&display, &xauth, Some(&png));
    println!("picture: {}", png.display());
    let out = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0", "--yes"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    wait_until(10 * SECOND, "the browser ends with the session", || {
        podium_testkit::procfs::of_user(pupil.uid).is_empty()
    });
}

/// Open… from the dashboard in a real browser (tests/e2e/open.mjs), in
/// English and French: two pupils chosen, the listed program opened on
/// both, an ftp:// address refused in the dialog.
#[test]
fn the_dashboard_opens_a_program_on_two_pupils_and_refuses_ftp_in_english_and_french() {
    let scripts = Scripts::new();
    // The system's own desktop (Xfce), as in a classroom.
    let kit = Kit::start_with(PODIUM, &open_config(&scripts));
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let pupils = [
        TestUser::create_named(Role::Standard, "Alice Martin"),
        TestUser::create_named(Role::Standard, "Bruno Lefèvre"),
        TestUser::create_named(Role::Standard, "Chloé Dubois"),
    ];
    for p in &pupils {
        let _ = kit.start_session(p, None);
    }
    let config = json!({
        "teacher": {"user": teacher.name, "password": teacher.password, "uid": teacher.uid},
        "pupils": pupils.iter().map(|p| json!({
            "user": p.name, "full_name": p.full_name, "uid": p.uid, "home": p.home,
        })).collect::<Vec<_>>(),
    });
    podium_testkit::browser::walk(&kit, "open.mjs", config);
    let opened = audit(&kit)
        .into_iter()
        .filter(|r| r.kind == AuditKind::Open && r.actor == teacher.name && r.outcome == "done")
        .count();
    assert_eq!(opened, 4, "two pupils, twice, each audited");
}
