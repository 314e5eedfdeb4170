//! Log off, end to end: applications save, nothing survives, PAM closes,
//! the warning shows, and the audit log says how it went.

use podium_core::{ActionResults, AuditList, Outcome, Role};
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use std::time::{Duration, Instant};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// A desktop with every kind of process a log off has to deal with.
fn stubborn_desktop(kit: &Kit) -> String {
    let client = kit.test_client();
    let script = kit.script(
        "stubborn-desktop",
        &format!(
            r#"{client} save-on-delete "$HOME/saved-on-delete" &
sh -c 'trap "echo saved > \"$HOME/saved-on-term\"; exit 0" TERM; while :; do sleep 0.1; done' &
sh -c 'trap "" TERM HUP; while :; do sleep 0.2; done' &
setsid sh -c 'trap "" TERM HUP; sleep 1000 & sleep 1000 &' &
nohup sleep 1000 >/dev/null 2>&1 &
echo started > "$HOME/desktop-started"
wait"#,
            client = client.display()
        ),
    );
    script.to_string_lossy().into_owned()
}

/// After the log off of `user`'s session `id`: no process, no cgroup, no
/// session or runtime directory, and one PAM session opened and closed.
fn nothing_of_the_session_is_left(kit: &Kit, user: &TestUser, id: u32) {
    assert!(
        procfs::of_user(user.uid).is_empty(),
        "left behind: {:?}",
        procfs::of_user(user.uid)
    );
    assert!(procfs::in_cgroup(&kit.session_cgroup(id)).is_empty());
    assert!(!kit.session_cgroup_dir(id).exists(), "the cgroup is removed");
    assert!(!kit.session_run_dir(id).exists(), "the session directory is removed");
    let runtime = format!("/run/user/{}", user.uid);
    assert!(
        !std::path::Path::new(&runtime).exists(),
        "the runtime directory is removed"
    );
    let markers = user.pam_markers();
    assert_eq!(
        markers,
        vec!["open_session", "close_session"],
        "PAM session opened and closed once"
    );
}

#[test]
fn logoff_lets_applications_save_and_leaves_nothing_behind() {
    let kit = Kit::start_with(PODIUM, "terminate_timeout_seconds = 3");
    let user = TestUser::create(Role::Standard);
    let other = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, Some(&stubborn_desktop(&kit)));
    let other_id = kit.start_session(&other, Some("xclock"));
    wait_until(Duration::from_secs(10), "the desktop started everything", || {
        user.home.join("desktop-started").exists()
            && procfs::of_user(user.uid)
                .iter()
                .filter(|p| p.cmdline.starts_with("sleep 1000"))
                .count()
                == 3
    });
    // The escaped processes are re-parented, but still inside the session.
    for p in procfs::of_user(user.uid) {
        assert!(
            p.cgroup.starts_with(&kit.session_cgroup(id)),
            "{} escaped to {}",
            p.cmdline,
            p.cgroup
        );
    }
    let runtime = format!("/run/user/{}", user.uid);
    let xauthority = format!("{runtime}/podium-Xauthority");
    assert!(std::path::Path::new(&xauthority).exists());

    let out = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0", "--json"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let results: ActionResults = serde_json::from_str(&out.stdout).expect("results JSON");
    assert_eq!(results.results.len(), 1);
    assert_eq!(results.results[0].outcome, Outcome::Done);
    assert_eq!(
        results.results[0].ended,
        Some(podium_core::EndKind::Forced),
        "the TERM-ignoring processes had to be killed"
    );

    assert_eq!(
        std::fs::read_to_string(user.home.join("saved-on-delete"))
            .ok()
            .as_deref(),
        Some("saved on WM_DELETE_WINDOW\n")
    );
    assert_eq!(
        std::fs::read_to_string(user.home.join("saved-on-term")).ok().as_deref(),
        Some("saved\n")
    );
    nothing_of_the_session_is_left(&kit, &user, id);

    // The other session is untouched.
    let left = kit.sessions();
    assert_eq!(left.sessions.iter().map(|s| s.id).collect::<Vec<_>>(), vec![other_id]);
    assert!(
        procfs::of_user(other.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xclock"))
    );

    let audit: AuditList = serde_json::from_str(&kit.cli().args(["audit", "--json"]).run().stdout).expect("audit JSON");
    let rec = audit
        .records
        .iter()
        .find(|r| r.kind == podium_core::AuditKind::Logoff && r.session == Some(id))
        .expect("audit record");
    assert_eq!((rec.actor.as_str(), rec.outcome.as_str()), ("root", "forced"));
    assert_eq!(rec.target_user.as_deref(), Some(user.name.as_str()));
    let took = rec.duration_ms.expect("duration recorded");
    assert!(
        (1000..10_000).contains(&took),
        "the forced log off waited for the timeout: {took} ms"
    );
}

#[test]
fn polite_applications_end_as_closed_quickly() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let client = kit.test_client();
    let id = kit.start_session(
        &user,
        Some(&format!(
            "{} save-on-delete /tmp/podium-ignored-{}",
            client.display(),
            user.name
        )),
    );
    wait_until(Duration::from_secs(5), "the client runs", || {
        !procfs::of_user(user.uid).is_empty()
    });
    let started = Instant::now();
    let out = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("closed"), "{}", out.stdout);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "no waiting for the timeout: {:?}",
        started.elapsed()
    );
    let _ = std::fs::remove_file(format!("/tmp/podium-ignored-{}", user.name));
}

fn screenshot(display: &str, xauthority: &str) -> Vec<u8> {
    let out = std::process::Command::new("import")
        .args(["-display", display, "-window", "root", "rgb:-"])
        .env("XAUTHORITY", xauthority)
        .output()
        .expect("ImageMagick import");
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn warning_is_visible_on_the_display_during_the_grace_period() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, Some("xclock"));
    let display = kit.sessions().sessions[0].display.clone();
    let xauth = format!("/run/user/{}/podium-Xauthority", user.uid);
    wait_until(Duration::from_secs(5), "xclock runs", || {
        !procfs::of_user(user.uid).is_empty()
    });
    std::thread::sleep(Duration::from_millis(300));
    let before = screenshot(&display, &xauth);

    let started = Instant::now();
    let socket = kit.socket.to_string_lossy().into_owned();
    let handle = std::thread::spawn(move || {
        std::process::Command::new(PODIUM)
            .args([
                "--socket",
                &socket,
                "session",
                "logoff",
                &id.to_string(),
                "--grace",
                "3",
            ])
            .stdin(std::process::Stdio::null())
            .output()
    });
    std::thread::sleep(Duration::from_millis(1200));
    let during = screenshot(&display, &xauth);
    assert_eq!(before.len(), during.len(), "same screen size");
    let changed = before.chunks(3).zip(during.chunks(3)).filter(|(a, b)| a != b).count();
    assert!(
        changed > 20_000,
        "the warning covers a visible area ({changed} pixels changed)"
    );
    let listed = kit.sessions();
    assert_eq!(listed.sessions[0].state, podium_core::SessionState::Closing);
    assert!(listed.sessions[0].logoff_deadline.is_some());

    wait_until(Duration::from_secs(3), "2.5 s into the grace period", || {
        started.elapsed() >= Duration::from_millis(2500)
    });
    assert!(
        !procfs::of_user(user.uid).is_empty(),
        "the session lives until the grace period ends"
    );
    let out = handle.join().expect("logoff thread").expect("podium runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "nothing ended before the grace period"
    );
    assert!(procfs::of_user(user.uid).is_empty());
}

#[test]
fn asking_again_for_a_closing_session_is_not_an_error() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, Some("xclock")).to_string();
    let first = kit
        .cli()
        .args(["session", "logoff", &id, "--grace", "30", "--no-wait"])
        .run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    // A second request with a shorter grace brings the log off forward.
    let started = Instant::now();
    let second = kit.cli().args(["session", "logoff", &id, "--grace", "1"]).run();
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert!(second.stdout.contains("done"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the earlier deadline won: {:?}",
        started.elapsed()
    );
    assert!(procfs::of_user(user.uid).is_empty());
}
