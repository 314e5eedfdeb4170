//! Real sessions on the real host: Xvnc on a Unix socket, the user's
//! processes with the user's ids and groups, all inside the session's
//! cgroup, listed with the JSON shape of the spec.

use podium_core::Role;
use podium_testkit::{Kit, TestUser, procfs};
use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// The pid of the user's desktop program (not their display server).
fn desktop_of(uid: u32) -> i32 {
    procfs::of_user(uid)
        .into_iter()
        .find(|p| p.cmdline.starts_with("xclock"))
        .expect("xclock runs")
        .pid
}

/// Every process of `user` runs with the user's groups, inside the
/// session's cgroup: the display server in its `display` part, the rest in
/// `desktop`.
fn every_process_is_the_users_and_inside(user: &TestUser, cgroup: &str) {
    podium_testkit::wait_until(Duration::from_secs(5), "xclock runs", || {
        procfs::of_user(user.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xclock"))
    });
    let expected_groups = {
        let name = std::ffi::CString::new(user.name.as_str()).expect("name");
        let mut g: Vec<u32> = nix::unistd::getgrouplist(&name, nix::unistd::Gid::from_raw(user.gid))
            .expect("getgrouplist")
            .into_iter()
            .map(|g| g.as_raw())
            .collect();
        g.sort_unstable();
        g
    };
    assert!(expected_groups.len() >= 2, "the test user has a supplementary group");
    for p in procfs::of_user(user.uid) {
        // The display server runs as the user too, in the display part.
        let part = if p.cmdline.starts_with("Xvnc") {
            "display"
        } else {
            "desktop"
        };
        let inside = format!("{cgroup}/{part}");
        assert_eq!(
            p.cgroup, inside,
            "process {} ({}) is outside the session",
            p.pid, p.cmdline
        );
        let mut groups = p.groups.clone();
        groups.sort_unstable();
        assert_eq!(groups, expected_groups, "process {} has the user's groups", p.pid);
    }
}

/// The session's only Xvnc runs as the user, listens on no TCP port, and
/// its directories and sockets are the user's alone (the worker's, root's).
fn the_display_is_the_users_alone(kit: &Kit, user: &TestUser, id: u32, tcp_listeners: &HashSet<u64>) {
    let xvnc = procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(id)));
    assert_eq!(xvnc.len(), 1, "one Xvnc per session: {xvnc:?}");
    assert!(xvnc[0].cmdline.starts_with("Xvnc"), "{}", xvnc[0].cmdline);
    assert_eq!(
        xvnc[0].uid, user.uid,
        "the display server runs as the user, not as root"
    );
    assert!(xvnc[0].cmdline.contains("-nolisten tcp"));
    let sockets = procfs::socket_inodes(xvnc[0].pid);
    assert!(!sockets.is_empty());
    assert!(
        sockets.is_disjoint(tcp_listeners),
        "Xvnc of session {id} listens on TCP"
    );
    let mode = |p: &std::path::Path| {
        let m = std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        (m.uid(), m.permissions().mode() & 0o777)
    };
    let run = kit.session_run_dir(id);
    assert_eq!(mode(&run), (0, 0o711), "session directory: root's, not listable");
    assert_eq!(
        mode(&run.join("display")),
        (user.uid, 0o700),
        "display directory: the user's alone"
    );
    assert_eq!(
        mode(&run.join("display/vnc.sock")),
        (user.uid, 0o600),
        "VNC socket: the user's, 0600"
    );
    assert_eq!(
        mode(&run.join("worker.sock")),
        (0, 0o600),
        "worker socket: root's, 0600"
    );
}

/// The session's process limit is the default, and the desktop has the
/// usual environment and a runtime directory of the user's alone.
fn limited_and_given_its_environment(kit: &Kit, user: &TestUser, id: u32) {
    let desktop_pid = desktop_of(user.uid);
    let v1_line = std::fs::read_to_string(format!("/proc/{desktop_pid}/cgroup"))
        .expect("cgroup file")
        .lines()
        .find_map(|l| l.split_once(":pids:").map(|(_, p)| p.to_owned()));
    let pids_max = match v1_line.filter(|p| p != "/") {
        Some(v1) => std::fs::read_to_string(format!("/sys/fs/cgroup/pids{v1}/pids.max")),
        None => std::fs::read_to_string(kit.session_cgroup_dir(id).join("pids.max")),
    };
    assert_eq!(
        pids_max.expect("a pids limit applies").trim(),
        "1024",
        "session.max_processes default"
    );
    // The environment the desktop got.
    let env = std::fs::read(format!("/proc/{}/environ", desktop_of(user.uid))).expect("environ");
    let env = String::from_utf8_lossy(&env);
    for var in [
        "HOME=",
        "USER=",
        "LOGNAME=",
        "SHELL=",
        "PATH=",
        "DISPLAY=:",
        "XAUTHORITY=",
        "XDG_RUNTIME_DIR=",
        "XDG_SESSION_TYPE=x11",
    ] {
        assert!(env.split('\0').any(|e| e.starts_with(var)), "{var} is set");
    }
    let runtime = format!("/run/user/{}", user.uid);
    let meta = std::fs::metadata(&runtime).expect("runtime dir");
    assert_eq!((meta.uid(), meta.permissions().mode() & 0o777), (user.uid, 0o700));
}

/// Another account (`b`) reaches neither the VNC socket nor the worker
/// socket of `a`'s session `id`.
fn another_account_reaches_no_socket(kit: &Kit, id: u32, (a, b): (&TestUser, &TestUser)) {
    for socket in ["display/vnc.sock", "worker.sock"] {
        let path = kit.session_run_dir(id).join(socket);
        let probe = std::process::Command::new("setpriv")
            .args([
                format!("--reuid={}", b.uid),
                format!("--regid={}", b.gid),
                "--init-groups".into(),
            ])
            .args([
                "python3",
                "-c",
                "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])",
            ])
            .arg(&path)
            .output()
            .expect("probe");
        let err = String::from_utf8_lossy(&probe.stderr);
        assert!(!probe.status.success(), "{} reached {}'s {socket}", b.name, a.name);
        assert!(err.contains("Permission denied"), "{err}");
    }
}

/// `session list --json` shows the sessions of `users` with exactly the
/// keys of the spec and the right values.
fn listed_as_in_the_spec(kit: &Kit, users: &[TestUser]) {
    let out = kit.cli().args(["session", "list", "--json"]).run();
    assert_eq!(out.code, 0);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let sessions = value["sessions"].as_array().expect("a sessions array");
    assert_eq!(sessions.len(), 3);
    let spec_keys = [
        "id",
        "user",
        "uid",
        "full_name",
        "role",
        "station",
        "state",
        "blocked",
        "block_message",
        "display",
        "created_at",
        "connected_at",
        "logoff_deadline",
    ];
    for (s, user) in sessions.iter().zip(users) {
        let mut keys: Vec<&str> = s.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = spec_keys.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(s["user"], user.name.as_str());
        assert_eq!(s["uid"], user.uid);
        assert_eq!(s["full_name"], user.full_name.as_str());
        assert_eq!(s["role"], "standard");
        assert_eq!(s["state"], "disconnected");
        assert_eq!(s["blocked"], false);
        assert!(s["display"].as_str().is_some_and(|d| d.starts_with(':')));
        let created = s["created_at"].as_str().expect("created_at");
        assert!(
            podium_core::Timestamp::parse(created).is_some() && created.ends_with('Z'),
            "{created}"
        );
    }
}

#[test]
fn three_sessions_are_real_contained_and_listed_as_in_the_spec() {
    let kit = Kit::start(PODIUM);
    let users: Vec<TestUser> = (0..3).map(|_| TestUser::create(Role::Standard)).collect();
    let ids: Vec<u32> = users.iter().map(|u| kit.start_session(u, Some("xclock"))).collect();
    let tcp_listeners = procfs::tcp_listen_inodes();

    for (user, id) in users.iter().zip(&ids) {
        let cgroup = kit.session_cgroup(*id);
        // The user's program: their uid, their groups, inside the desktop group.
        every_process_is_the_users_and_inside(user, &cgroup);
        // The display: Xvnc in the display group, VNC on a root-only Unix socket, no TCP.
        the_display_is_the_users_alone(&kit, user, *id, &tcp_listeners);
        // The process limit, on whichever pids controller this host has;
        // the desktop's environment and runtime directory.
        limited_and_given_its_environment(&kit, user, *id);
    }

    // Another account reaches neither the VNC socket nor the worker socket.
    another_account_reaches_no_socket(&kit, ids[0], (&users[0], &users[1]));
    listed_as_in_the_spec(&kit, &users);
}

#[test]
fn session_processes_start_with_no_blocked_or_ignored_signal() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let _ = kit.start_session(&user, Some("xclock"));
    podium_testkit::wait_until(Duration::from_secs(5), "xclock runs", || {
        procfs::of_user(user.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xclock"))
    });
    // (Xvnc sets its own dispositions once running; the desktop gets none.)
    for p in procfs::of_user(user.uid)
        .into_iter()
        .filter(|p| !p.cmdline.starts_with("Xvnc"))
    {
        let status = std::fs::read_to_string(format!("/proc/{}/status", p.pid)).expect("status");
        for field in ["SigBlk:", "SigIgn:"] {
            let mask = status.lines().find_map(|l| l.strip_prefix(field)).expect(field).trim();
            assert!(mask.chars().all(|c| c == '0'), "{} has {field} {mask}", p.cmdline);
        }
    }
}

#[test]
fn a_fifo_in_place_of_xsession_errors_does_not_hang_the_start() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let fifo = user.home.join(".xsession-errors");
    podium_testkit::system::run("mkfifo", &[&fifo.to_string_lossy()]);
    podium_testkit::system::run(
        "chown",
        &[&format!("{}:{}", user.uid, user.gid), &fifo.to_string_lossy()],
    );
    let started = std::time::Instant::now();
    let _ = kit.start_session(&user, Some("xclock"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "start took {:?}",
        started.elapsed()
    );
    podium_testkit::wait_until(Duration::from_secs(5), "xclock runs", || {
        procfs::of_user(user.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xclock"))
    });
}
