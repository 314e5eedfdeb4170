//! A daemon killed with `kill -9` loses nothing: the restarted daemon takes
//! every session back, and can log them off cleanly.

use podium_core::Role;
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

#[test]
fn sessions_survive_kill_9_of_the_daemon_and_log_off_cleanly_after() {
    let mut kit = Kit::start(PODIUM);
    let users: Vec<TestUser> = (0..3).map(|_| TestUser::create(Role::Standard)).collect();
    for u in &users {
        let _ = kit.start_session(u, Some("xterm"));
    }
    let before = kit.sessions();
    let old_daemon = kit.daemon_pid();
    kit.kill_daemon();
    assert!(!podium_testkit::system::alive(old_daemon));
    for u in &users {
        assert!(
            !procfs::of_user(u.uid).is_empty(),
            "{}'s desktop survives the daemon",
            u.name
        );
    }

    kit.start_daemon();
    let after = kit.sessions();
    let key = |l: &podium_core::SessionList| {
        l.sessions
            .iter()
            .map(|s| (s.id, s.user.clone(), s.display.clone(), s.created_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&after), key(&before), "the same sessions, same ids and displays");

    let out = kit.cli().args(["session", "logoff", "--all", "--grace", "0"]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout.matches("done").count(), 3, "{}", out.stdout);
    for u in &users {
        assert!(procfs::of_user(u.uid).is_empty(), "{} has processes left", u.name);
        assert_eq!(u.pam_markers(), vec!["open_session", "close_session"]);
    }
    wait_until(Duration::from_secs(5), "no zombie under the daemon", || {
        procfs::descendants(kit.daemon_pid()).iter().all(|p| p.state != 'Z')
    });
    let audit = kit.cli().args(["audit"]).run().stdout;
    assert_eq!(audit.matches("logoff").count(), 3, "{audit}");
}

#[test]
fn a_session_that_ended_while_the_daemon_was_down_is_cleaned_and_audited() {
    let mut kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let script = kit.script("short-desktop", "xclock & sleep 3; kill $!");
    let id = kit.start_session(&user, Some(&script.to_string_lossy()));
    kit.kill_daemon();
    wait_until(Duration::from_secs(15), "the session ends on its own", || {
        procfs::of_user(user.uid).is_empty()
    });
    kit.start_daemon();
    wait_until(Duration::from_secs(10), "the ended session leaves the list", || {
        kit.sessions().sessions.is_empty()
    });
    let audit = kit.cli().args(["audit"]).run().stdout;
    assert!(
        audit.contains("session_end") && audit.contains("desktop program exited"),
        "{audit}"
    );
    assert!(!kit.session_cgroup_dir(id).exists());
    assert_eq!(user.pam_markers(), vec!["open_session", "close_session"]);
}

#[test]
fn a_killed_worker_is_cleaned_up_and_the_others_are_untouched() {
    let kit = Kit::start(PODIUM);
    let victim = TestUser::create(Role::Standard);
    let bystander = TestUser::create(Role::Standard);
    let id = kit.start_session(&victim, Some("xclock"));
    let other = kit.start_session(&bystander, Some("xclock"));
    let worker = procfs::all()
        .into_iter()
        .find(|p| {
            p.cmdline.contains("session-worker") && procfs::descendants(p.pid).iter().any(|c| c.uid == victim.uid)
        })
        .expect("the victim's worker");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(worker.pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill");
    wait_until(Duration::from_secs(15), "the session is cleaned up", || {
        kit.sessions().sessions.iter().all(|s| s.id != id) && procfs::of_user(victim.uid).is_empty()
    });
    assert!(!kit.session_cgroup_dir(id).exists());
    assert!(!kit.session_run_dir(id).exists());
    assert_eq!(
        kit.sessions().sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![other]
    );
    assert!(!procfs::of_user(bystander.uid).is_empty());
    let audit = kit.cli().args(["audit"]).run().stdout;
    assert!(audit.contains("session worker died"), "{audit}");
}

#[test]
fn a_killed_display_ends_only_its_own_session() {
    let kit = Kit::start(PODIUM);
    let victim = TestUser::create(Role::Standard);
    let bystander = TestUser::create(Role::Standard);
    let id = kit.start_session(&victim, Some("xclock"));
    let other = kit.start_session(&bystander, Some("xclock"));
    let xvnc = procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(id)));
    assert_eq!(xvnc.len(), 1);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(xvnc[0].pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill");
    wait_until(Duration::from_secs(15), "the session is gone", || {
        kit.sessions().sessions.iter().all(|s| s.id != id)
    });
    assert!(procfs::of_user(victim.uid).is_empty());
    assert!(!kit.session_cgroup_dir(id).exists());
    assert_eq!(
        kit.sessions().sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![other]
    );
    let audit = kit.cli().args(["audit"]).run().stdout;
    assert!(audit.contains("display server died"), "{audit}");
}
