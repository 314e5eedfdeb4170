//! Bad input gets a clear error, the right exit status, and leaves nothing
//! behind: no Xvnc, no cgroup, no runtime directory.

use podium_core::Role;
use podium_testkit::{Kit, TestUser, procfs};
use std::path::{Path, PathBuf};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

fn assert_nothing_left(kit: &Kit, user: &TestUser) {
    assert!(kit.sessions().sessions.is_empty(), "no session listed");
    assert!(procfs::of_user(user.uid).is_empty(), "no process of the user");
    let base = podium_testkit::host::cgroup2_root().join(&kit.cgroup_name);
    let leftovers = std::fs::read_dir(&base)
        .map(|d| d.flatten().filter(|e| e.path().is_dir()).count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "no session cgroup left under {}", base.display());
    assert!(
        procfs::all()
            .iter()
            .all(|p| !(p.cmdline.starts_with("Xvnc") && p.cgroup.contains(&kit.cgroup_name))),
        "no Xvnc left"
    );
    let run = kit.dir.join("run");
    let entries = std::fs::read_dir(&run)
        .map(|d| d.flatten().filter(|e| e.file_name() != "podium.pid").count())
        .unwrap_or(0);
    assert_eq!(entries, 0, "no session directory left in {}", run.display());
    assert!(
        !Path::new(&format!("/run/user/{}", user.uid)).exists(),
        "no runtime directory left"
    );
}

#[test]
fn starting_with_bad_input_fails_clearly_and_leaves_nothing() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);

    let out = kit.cli().args(["session", "start", "no-such-user-x"]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no such user: no-such-user-x"), "{}", out.stderr);

    let out = kit
        .cli()
        .args(["session", "start", &user.name, "--command", "no-such-desktop --flag"])
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no-such-desktop not found"), "{}", out.stderr);
    assert_nothing_left(&kit, &user);

    let homeless = TestUser::create_with(Role::Standard, false);
    let out = kit.cli().args(["session", "start", &homeless.name]).run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("home directory") && out.stderr.contains("does not exist"),
        "{}",
        out.stderr
    );
    assert_nothing_left(&kit, &homeless);

    // A program the user may not execute: found, but exec fails inside the
    // worker after the display and PAM session are up; all of it is undone.
    let private = kit.script("root-only-desktop", "exec xclock");
    std::fs::set_permissions(&private, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let out = kit
        .cli()
        .args(["session", "start", &user.name, "--command", &private.to_string_lossy()])
        .run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("cannot execute") && out.stderr.contains("Permission denied"),
        "{}",
        out.stderr
    );
    assert_nothing_left(&kit, &user);
    assert_eq!(
        user.pam_markers(),
        vec!["open_session", "close_session"],
        "the PAM session was closed again"
    );
}

#[test]
fn an_expired_account_is_refused_by_pam() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    podium_testkit::system::run("chage", &["-E", "0", &user.name]);
    let out = kit.cli().args(["session", "start", &user.name]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("pam_acct_mgmt"), "{}", out.stderr);
    assert_nothing_left(&kit, &user);
}

#[test]
fn a_second_session_for_the_same_user_is_refused() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, None);
    let out = kit.cli().args(["session", "start", &user.name]).run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!("already has session {id}")),
        "{}",
        out.stderr
    );
    assert_eq!(kit.sessions().sessions.len(), 1);
}

#[test]
fn a_missing_display_server_is_reported() {
    let kit = Kit::start_with(PODIUM, "xvnc = \"/nonexistent/Xvnc\"");
    let user = TestUser::create(Role::Standard);
    let out = kit.cli().args(["session", "start", &user.name]).run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("/nonexistent/Xvnc") && out.stderr.contains("No such file"),
        "{}",
        out.stderr
    );
    assert_nothing_left(&kit, &user);
}

/// One command's `--help`: its usage line, subcommands, positional
/// arguments and options.
#[derive(Debug, Default)]
struct Help {
    usage: String,
    subcommands: Vec<String>,
    /// (value name, required, repeatable)
    positionals: Vec<(String, bool, bool)>,
    /// (`--long`, value name for options that take one)
    options: Vec<(String, Option<String>)>,
}

fn podium(args: &[&str], socket: &Path) -> std::process::Child {
    std::process::Command::new(PODIUM)
        .args(args)
        .env("PODIUM_SOCKET", socket)
        .env_remove("PODIUM_SERVER")
        .env_remove("PODIUM_USER")
        .env_remove("PODIUM_PASSWORD")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run podium")
}

/// Runs `podium args`; a run that is still going after 20 s was accepted
/// (a daemon, the demo …): it is killed and the test fails.
fn run_podium(args: &[&str], socket: &Path) -> (i32, String, String) {
    let mut child = podium(args, socket);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("podium {args:?} was accepted and kept running");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn help(path: &[String], socket: &Path) -> Help {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let (code, text, err) = run_podium(&args, socket);
    assert_eq!(code, 0, "podium {args:?}: {err}");
    let mut h = Help::default();
    let mut section = "";
    for line in text.lines() {
        if let Some(u) = line.strip_prefix("Usage: ") {
            h.usage = u.to_owned();
            continue;
        }
        if !line.starts_with(' ') && line.ends_with(':') {
            section = if line == "Commands:" || line == "Arguments:" || line == "Options:" {
                line
            } else {
                ""
            };
            continue;
        }
        let item = line.trim_start();
        let indent = line.len() - item.len();
        let head = item.split("  ").next().unwrap_or("");
        match section {
            "Commands:" if indent == 2 => h.subcommands.push(head.to_owned()),
            "Arguments:" if indent == 2 && (head.starts_with('<') || head.starts_with('[')) => {
                let name = head.trim_end_matches("...").trim_matches(|c| "<>[]".contains(c));
                h.positionals
                    .push((name.to_owned(), head.starts_with('<'), head.ends_with("...")));
            }
            "Options:" if item.starts_with('-') => {
                let mut words = head.split([' ', ',']).filter(|w| !w.is_empty());
                let Some(long) = words.find(|w| w.starts_with("--")) else {
                    continue;
                };
                let value = words
                    .next()
                    .map(|v| v.trim_matches(|c| c == '<' || c == '>').to_owned());
                if long != "--help" && long != "--version" {
                    h.options.push((long.to_owned(), value));
                }
            }
            _ => {}
        }
    }
    assert!(!h.usage.is_empty(), "podium {args:?} prints its usage");
    h
}

/// A valid value and invalid ones for each kind of value the command line
/// takes (what `--help` shows between `<>`). A new kind fails the test
/// until its invalid values are written here.
fn values(name: &str, ctx: &UsageContext) -> (String, Vec<&'static str>) {
    match name {
        "ID" => (
            ctx.id.to_string(),
            vec![
                "abc",
                "-1",
                "1.5",
                "4294967296",
                "",
                "Room/3",
                "a/b",
                "a/",
                "/3",
                "a/3/4",
            ],
        ),
        "NAME=KEY" => (
            format!("a=U{}", "A".repeat(55)),
            vec!["a", "a=", "Room=UAAAA", "a=SUAAAA", "=UAAAA"],
        ),
        "SECS" => ("0".into(), vec!["-1", "601", "soon", "1e3", ""]),
        "LIMIT" => ("10".into(), vec!["0", "10001", "-1", "many"]),
        "USERS" => ("1".into(), vec!["0", "10", "three"]),
        "TIME" => (
            "2026-01-01T00:00:00Z".into(),
            vec!["yesterday", "2026-13-01T00:00:00Z", "1700000000"],
        ),
        "ADDR" => (
            "127.0.0.1:1".into(),
            vec!["localhost", "127.0.0.1", "300.0.0.1:80", "127.0.0.1:99999"],
        ),
        "SHELL" => ("bash".into(), vec!["powershell", ""]),
        "USER" | "NAME" => (ctx.user.clone(), vec![]),
        "TEXT" => ("hello".into(), vec![]),
        "CMD" => ("xclock".into(), vec![]),
        "LOCALE" => ("fr_FR.UTF-8".into(), vec!["fr FR", "../fr", "", "fr_FR;reboot"]),
        "PATH" => (ctx.socket.to_string_lossy().into_owned(), vec![]),
        "FILE" | "DIR" => (ctx.dir.to_string_lossy().into_owned(), vec![]),
        "URL" => ("https://127.0.0.1:1".into(), vec![]),
        "HTTP_URL" => (
            "https://example.org/".into(),
            vec![
                "ftp://example.org",
                "javascript:alert(1)",
                "file:///etc/passwd",
                "example.org",
                "https://",
                "https://a b",
                "",
            ],
        ),
        "PROGRAM" => ("calculator".into(), vec!["Calculator", "../bin/sh", "a b", ""]),
        other => panic!("the command line takes a new kind of value <{other}>: add its invalid values here"),
    }
}

struct UsageContext {
    id: u32,
    user: String,
    socket: PathBuf,
    dir: PathBuf,
}

/// The required parts of a usage line, each as the arguments that satisfy it.
fn required_parts(h: &Help, ctx: &UsageContext) -> Vec<Vec<String>> {
    let mut parts = Vec::new();
    let mut words = h
        .usage
        .split_whitespace()
        .skip_while(|w| !w.starts_with('[') && !w.starts_with('<'));
    while let Some(w) = words.next() {
        if w.starts_with('[') {
            continue;
        }
        if w.starts_with("--") {
            let value = words.next().expect("a required option's value");
            let name = value.trim_matches(|c| c == '<' || c == '>');
            parts.push(vec![w.to_owned(), values(name, ctx).0]);
        } else if let Some(flag) = w.strip_prefix('<').filter(|f| f.starts_with("--")) {
            // `<--url <HTTP_URL>|--program <PROGRAM>>`: one option of a
            // group, the first; the rest of the group is skipped.
            let value = words.next().expect("the option's value");
            let name = value
                .split('|')
                .next()
                .unwrap_or(value)
                .trim_matches(|c| c == '<' || c == '>');
            parts.push(vec![flag.to_owned(), values(name, ctx).0]);
            if !value.ends_with(">>") {
                for rest in words.by_ref() {
                    if rest.ends_with(">>") {
                        break;
                    }
                }
            }
        } else if let Some(inner) = w.strip_prefix('<') {
            // `<ID|--all>` (one of a group) or `<USER>`.
            let name = inner.trim_end_matches("...").trim_end_matches('>');
            let first = name.split('|').next().unwrap_or(name);
            parts.push(vec![values(first, ctx).0]);
        }
    }
    parts
}

/// The wrong ways to call the leaf command at `path`: an unknown flag, each
/// required part missing, a stray argument, each positional and option
/// with an invalid value, both sides of an either-or, and options for
/// talking to a daemon where they do not apply (these are checked here
/// to say so).
fn leaf_attempts(path: &[String], h: &Help, ctx: &UsageContext, socket: &Path) -> Vec<Vec<String>> {
    let mut attempts: Vec<Vec<String>> = Vec::new();
    let parts = required_parts(h, ctx);
    let skeleton: Vec<String> = parts.iter().flatten().cloned().collect();
    let line = |extra: &[String]| -> Vec<String> {
        path.iter()
            .chain(skeleton.iter())
            .chain(extra.iter())
            .cloned()
            .collect()
    };
    attempts.push(line(&["--no-such-flag".into()]));
    // Each required part missing.
    for i in 0..parts.len() {
        let rest: Vec<String> = parts
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .flat_map(|(_, p)| p.clone())
            .collect();
        attempts.push(path.iter().chain(rest.iter()).cloned().collect());
    }
    // A stray argument where none (or one) is taken.
    match h.positionals.as_slice() {
        [] => attempts.push(line(&["stray".into()])),
        [(_, false, false)] => attempts.push(line(&["a".into(), "b".into()])),
        _ => {}
    }
    attempts.extend(invalid_values(path, h, ctx, &skeleton));
    attempts.extend(misplaced_options(path, &skeleton, socket));
    attempts
}

/// `path` with each positional and each option given an invalid value (or
/// none), and with both sides of an either-or (`<ID|--all>`); `skeleton`
/// is a valid set of required parts.
fn invalid_values(path: &[String], h: &Help, ctx: &UsageContext, skeleton: &[String]) -> Vec<Vec<String>> {
    let mut attempts: Vec<Vec<String>> = Vec::new();
    let line = |extra: &[String]| -> Vec<String> {
        path.iter()
            .chain(skeleton.iter())
            .chain(extra.iter())
            .cloned()
            .collect()
    };
    // Each positional with an invalid value.
    for (name, _, _) in &h.positionals {
        let (valid, invalid) = values(name, ctx);
        for bad in invalid {
            let mut args: Vec<String> = path.to_vec();
            if skeleton.contains(&valid) {
                args.extend(
                    skeleton
                        .iter()
                        .map(|a| if *a == valid { bad.to_owned() } else { a.clone() }),
                );
            } else {
                args.extend(skeleton.iter().cloned());
                args.push(bad.to_owned());
            }
            attempts.push(args);
        }
    }
    for (long, value) in &h.options {
        match value {
            None => attempts.push(line(&[format!("{long}=yes")])),
            Some(v) => {
                attempts.push(line(std::slice::from_ref(long)));
                for bad in values(v, ctx).1 {
                    attempts.push(line(&[long.clone(), bad.to_owned()]));
                }
            }
        }
    }
    // Both sides of an either-or (`<ID|--all>`).
    if let Some(group) = h
        .usage
        .split_whitespace()
        .find(|w| w.starts_with('<') && w.contains('|'))
    {
        let flag = group
            .trim_matches(|c| c == '<' || c == '>')
            .split('|')
            .nth(1)
            .unwrap_or("");
        attempts.push(line(&[flag.to_owned()]));
    }
    attempts
}

/// `path` with options for talking to a daemon that it does not take: each
/// must be refused as not applying to the command.
fn misplaced_options(path: &[String], skeleton: &[String], socket: &Path) -> Vec<Vec<String>> {
    let mut attempts: Vec<Vec<String>> = Vec::new();
    let line = |extra: &[String]| -> Vec<String> {
        path.iter()
            .chain(skeleton.iter())
            .chain(extra.iter())
            .cloned()
            .collect()
    };
    // Options for talking to a daemon, given to a command that
    // talks to none, or only to the local one.
    let misplaced: &[&[&str]] = match path.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serve" | "demo"] => &[
            &["--server", "https://podium.example:8443"],
            &["--user", "teacher"],
            &["--ca-cert", "/etc/ssl/podium.pem"],
            &["--insecure"],
        ],
        ["check-config"] => &[&["--socket", "/run/podium/podium.sock"], &["--insecure"]],
        _ => &[],
    };
    for m in misplaced {
        let args = line(&m.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, _, stderr) = run_podium(&argv, socket);
        assert!(
            stderr.contains("does not apply to `podium"),
            "podium {argv:?}: {stderr}"
        );
        attempts.push(args);
    }
    attempts
}

#[test]
fn every_subcommand_refuses_missing_and_invalid_arguments_with_status_2_and_its_usage() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let newcomer = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, None);
    let empty_dir = kit.path("empty");
    std::fs::create_dir_all(&empty_dir).expect("dir");
    let ctx = UsageContext {
        id,
        user: newcomer.name.clone(),
        socket: kit.socket.clone(),
        dir: empty_dir.clone(),
    };
    let socket = kit.socket.clone();
    let snapshot = || {
        let list = kit.cli().args(["session", "list", "--json"]).run().stdout;
        let audit = kit.cli().args(["audit", "--json", "--limit", "10000"]).run().stdout;
        let dir = std::fs::read_dir(&empty_dir).map(Iterator::count).unwrap_or(0);
        (list, audit, newcomer.pam_markers().len(), dir)
    };
    let before = snapshot();

    // The command tree: what `--help` shows, and the internal commands it hides.
    let mut commands: Vec<Vec<String>> = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let visible_top = help(&[], &socket).subcommands;
    for hidden in ["manpages", "completions", "session-worker", "auth-check"] {
        assert!(!visible_top.contains(&hidden.to_owned()), "{hidden} is internal");
        todo.push(vec![hidden.to_owned()]);
    }
    let mut probes = 0;
    let mut leaves = 0;
    while let Some(path) = todo.pop() {
        let h = help(&path, &socket);
        let mut attempts: Vec<Vec<String>> = Vec::new();
        let with = |extra: &[&str]| -> Vec<String> {
            path.iter()
                .cloned()
                .chain(extra.iter().map(|s| (*s).to_owned()))
                .collect()
        };
        if !h.subcommands.is_empty() {
            // A command that needs a subcommand.
            attempts.push(with(&[]));
            attempts.push(with(&["frobnicate"]));
            attempts.push(with(&["--no-such-flag"]));
            for sub in &h.subcommands {
                let mut p = path.clone();
                p.push(sub.clone());
                todo.push(p);
            }
        } else {
            leaves += 1;
            attempts.extend(leaf_attempts(&path, &h, &ctx, &socket));
        }
        commands.push(path.clone());
        for args in attempts {
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = run_podium(&argv, &socket);
            assert_eq!(code, 2, "podium {argv:?} exits 2: {stdout}{stderr}");
            assert!(stderr.contains("Usage:"), "podium {argv:?} shows its usage: {stderr}");
            assert!(stdout.is_empty(), "podium {argv:?} printed {stdout}");
            probes += 1;
        }
        assert_eq!(snapshot(), before, "nothing changed on the host after podium {path:?}");
    }
    assert!(leaves >= 12, "every command reached: {commands:?}");
    println!(
        "CLI usage: {probes} bad invocations of {} commands ({leaves} leaves) all exit 2 with a usage message; nothing changed",
        commands.len()
    );

    let out = kit.cli().args(["session", "logoff", "999", "--grace", "0"]).run();
    assert_eq!(out.code, 1, "an unknown id is an outcome, not a usage error");
    assert!(out.stdout.contains("not_found"), "{}", out.stdout);
}
