//! Under systemd with `Delegate=yes`, Podium's cgroups sit inside the cgroup
//! systemd delegated to `podium.service`, as systemd expects: the daemon
//! moves into a `daemon` leaf, sessions go under it, nothing is made at the
//! cgroup root, and log off and restart work there as anywhere.
//!
//! The host has no systemd running, so the test does what systemd does:
//! it makes the service's cgroup, marks it with `trusted.delegate`, and
//! starts the daemon in it.
//!
//! Where the delegated cgroup offers the v2 pids controller, the sessions'
//! process limit would need it passed down from the service's cgroup, which
//! keeps systemd from restarting the service while sessions run: there the
//! sessions stay under the cgroup root. This host keeps pids on cgroup v1,
//! so it takes the nested path; the test checks whichever path the host
//! takes.

use podium_core::{Role, SessionState};
use podium_host::cgroup::DAEMON_LEAF;
use podium_testkit::host::cgroup2_root;
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use std::path::Path;
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// `dir` as `/proc/PID/cgroup` names it.
fn rel(dir: &Path) -> String {
    format!(
        "/{}",
        dir.strip_prefix(cgroup2_root()).expect("under the v2 root").display()
    )
}

fn pids_in(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The daemon sits in the leaf, and the service's own cgroup holds nobody.
fn check_daemon_in_its_leaf(kit: &Kit, service: &Path) {
    let daemon = procfs::Proc::read(kit.daemon_pid()).expect("the daemon runs");
    assert_eq!(daemon.cgroup, rel(&service.join(DAEMON_LEAF)), "the daemon's cgroup");
    assert_eq!(
        pids_in(service),
        Vec::<String>::new(),
        "no process left in the service's cgroup"
    );
}

#[test]
fn sessions_live_in_the_delegated_cgroup_through_a_restart_and_a_log_off() {
    let mut kit = Kit::start_delegated(PODIUM);
    let service = kit.delegated.clone().expect("a delegated cgroup");
    let nested = kit.nests_in_delegated();
    eprintln!("the delegated cgroup offers pids on v2: {}", !nested);
    if nested {
        check_daemon_in_its_leaf(&kit, &service);
        assert!(
            !cgroup2_root().join(&kit.cgroup_name).exists(),
            "nothing is made at the cgroup root"
        );
        assert!(kit.log().contains("cgroup systemd delegated"), "{}", kit.log_tail());
    } else {
        assert!(
            kit.log().contains("sessions stay under the cgroup root"),
            "{}",
            kit.log_tail()
        );
        assert!(!service.join(DAEMON_LEAF).exists(), "no leaf when not nesting");
    }

    let user = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, Some("xclock"));
    let cgroup = kit.session_cgroup(id);
    assert_eq!(
        cgroup.starts_with(&rel(&service)),
        nested,
        "the session's cgroup {cgroup} is under the service's only when nesting"
    );
    wait_until(Duration::from_secs(10), "xclock runs", || {
        procfs::of_user(user.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xclock"))
    });
    let processes = procfs::of_user(user.uid);
    assert!(processes.len() >= 2, "Xvnc and xclock: {processes:?}");
    let outside = procfs::outside(&processes, &cgroup);
    assert!(outside.is_empty(), "outside the session: {outside:?}");
    // The session's worker stays with the daemon (in the leaf when nesting).
    let home = if nested {
        service.join(DAEMON_LEAF)
    } else {
        service.clone()
    };
    assert!(
        procfs::in_cgroup(&rel(&home)).iter().any(|p| p.pid != kit.daemon_pid()),
        "the session's worker is in {}",
        home.display()
    );

    // systemd restarts the daemon in the service's cgroup again.
    kit.kill_daemon();
    kit.start_daemon();
    if nested {
        check_daemon_in_its_leaf(&kit, &service);
    }
    let list = kit.sessions();
    let s = list
        .sessions
        .iter()
        .find(|s| s.id == id)
        .expect("the session was taken back");
    assert!(
        matches!(s.state, SessionState::Active | SessionState::Disconnected),
        "{:?}",
        s.state
    );

    let out = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0", "--yes"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    wait_until(Duration::from_secs(15), "every process of the session is gone", || {
        procfs::of_user(user.uid).is_empty() && !kit.session_cgroup_dir(id).exists()
    });
}
