//! Bad input gets a clear error, the right exit status, and leaves nothing
//! behind: no Xvnc, no cgroup, no runtime directory.

use podium_core::Role;
use podium_testkit::{Kit, TestUser, procfs};
use std::path::Path;

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

#[test]
fn usage_errors_exit_2_with_a_usage_message() {
    let kit = Kit::start(PODIUM);
    for args in [
        vec!["session", "logoff", "abc"],
        vec!["session", "logoff"],
        vec!["session", "logoff", "1", "--all"],
        vec!["session", "logoff", "1", "--grace", "601"],
        vec!["session", "logoff", "1", "--grace", "soon"],
        vec!["session", "start"],
        vec!["session", "frobnicate"],
        vec!["audit", "--since", "yesterday"],
        vec!["audit", "--limit", "0"],
        vec!["serve", "--bogus"],
        vec![],
    ] {
        let out = kit.cli().args(&args).run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("Usage:"), "{args:?}: {}", out.stderr);
    }
    let out = kit.cli().args(["session", "logoff", "999", "--grace", "0"]).run();
    assert_eq!(out.code, 1, "an unknown id is an outcome, not a usage error");
    assert!(out.stdout.contains("not_found"), "{}", out.stdout);
}
