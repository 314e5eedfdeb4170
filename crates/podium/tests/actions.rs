//! Disconnect, block and unblock, messages and the automatic log off of
//! abandoned sessions (SPEC §4), end to end: real sessions, a viewer that
//! types through the station relay as a browser would, pictures of the real
//! screens, and the host's processes.

use podium_core::{ActionResults, Outcome, Role};
use podium_testkit::rfb::Viewer;
use podium_testkit::screen::Shot;
use podium_testkit::web::{Events, Web};
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SECOND: Duration = Duration::from_secs(1);

/// Desktops with a dark root window and a large xterm at +20+20, so a
/// picture tells whether the xterm shows.
const DESKTOP: &str = "command = 'sh -c \"xsetroot -solid \\\"#1e3a5f\\\"; exec xterm -geometry 120x40+20+20\"'\n";

fn results(r: &podium_testkit::web::WebReply) -> ActionResults {
    assert_eq!(r.status, 200, "{}", r.text);
    r.parse()
}

fn outcome(r: &ActionResults, id: u32) -> Outcome {
    r.results
        .iter()
        .find(|x| x.session == id)
        .map(|x| x.outcome)
        .unwrap_or_else(|| panic!("no result for {id}: {r:?}"))
}

/// The session's display name and the user's X authority file.
fn display_of(kit: &Kit, id: u32, user: &TestUser) -> (String, PathBuf) {
    let list = kit.sessions();
    let s = list.sessions.iter().find(|s| s.id == id).expect("session listed");
    (
        s.display.clone(),
        PathBuf::from(format!("/run/user/{}/podium-Xauthority", user.uid)),
    )
}

fn shot(kit: &Kit, id: u32, user: &TestUser, name: Option<&str>) -> Shot {
    let (display, xauth) = display_of(kit, id, user);
    let png = name.map(|n| kit.path(n));
    Shot::take(&display, &xauth, png.as_deref())
}

/// The open station relay of `web`'s user, with a viewer on it.
fn station(kit: &Kit, web: &Web) -> Viewer {
    let ws = Events::station(kit, web, "").expect("the station relay opens");
    Viewer::over_relay(ws).expect("RFB handshake")
}

/// Opens (or creates) `web`'s user's session; its id.
fn open_session(web: &Web) -> u32 {
    let r = web.post("/api/v1/station/session", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    u32::try_from(r.json()["session"]["id"].as_u64().expect("id")).expect("u32 id")
}

/// Names of the windows on a display (xwininfo's tree).
fn window_names(kit: &Kit, id: u32, user: &TestUser) -> String {
    let (display, xauth) = display_of(kit, id, user);
    let out = std::process::Command::new("xwininfo")
        .args(["-display", &display, "-root", "-tree"])
        .env("XAUTHORITY", xauth)
        .output()
        .expect("xwininfo");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pids(uid: u32) -> Vec<i32> {
    let mut p: Vec<i32> = procfs::of_user(uid).iter().map(|p| p.pid).collect();
    p.sort_unstable();
    p
}

/// The user's processes once the desktop has settled: Xvnc, the xterm and
/// the xterm's shell, and nothing started or ended for half a second.
fn settled_pids(uid: u32) -> Vec<i32> {
    let mut last = Vec::new();
    let mut stable = 0;
    wait_until(10 * SECOND, "the desktop's processes settle", || {
        let now = pids(uid);
        stable = if now == last { stable + 1 } else { 0 };
        last = now;
        last.len() >= 3 && stable >= 10
    });
    last
}

#[test]
fn disconnect_drops_every_viewer_and_keeps_every_program() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let alice = TestUser::create(Role::Standard);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let web = Web::login(&kit, &alice);
    let id = open_session(&web);
    let mut relay = station(&kit, &web);
    relay.point(200, 200).expect("pointer");
    // A viewer on the VNC socket itself (root may open it): Disconnect drops it too.
    let socket = kit.session_run_dir(id).join("display/vnc.sock");
    let mut direct = Viewer::over_socket(&socket).expect("direct viewer");
    let before = settled_pids(alice.uid);

    let dash = Web::login(&kit, &teacher);
    let r = results(&dash.post("/api/v1/sessions/disconnect", &json!({"sessions": [id]})));
    assert_eq!(outcome(&r, id), Outcome::Done);
    assert!(relay.closed_within(5 * SECOND), "the station's relay is closed");
    assert!(direct.closed_within(5 * SECOND), "every VNC viewer is dropped");
    assert_eq!(kit.sessions().sessions[0].state.as_str(), "disconnected");
    assert_eq!(pids(alice.uid), before, "every program still runs");

    // The user comes back to the same session.
    assert_eq!(open_session(&web), id);
    let _again = station(&kit, &web);
    assert_eq!(kit.sessions().sessions[0].state.as_str(), "active");

    // The same from the command line, as the teacher.
    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "disconnect", &id.to_string()])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("done"), "{}", out.stdout);
    let audit = kit.cli().args(["audit", "--json"]).run().stdout;
    assert!(audit.contains("\"disconnect\""), "disconnects are audited: {audit}");
}

#[test]
fn block_covers_the_screen_and_ignores_the_station_until_unblocked() {
    let mut kit = Kit::start_with(PODIUM, DESKTOP);
    let alice = TestUser::create(Role::Standard);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let web = Web::login(&kit, &alice);
    let id = open_session(&web);
    let mut viewer = station(&kit, &web);
    viewer.point(300, 200).expect("pointer over the xterm");
    wait_until(10 * SECOND, "the xterm shows", || {
        shot(&kit, id, &alice, None).white() > 0.2
    });

    let dash = Web::login(&kit, &teacher);
    let r = results(&dash.post(
        "/api/v1/sessions/block",
        &json!({"sessions": [id], "message": "Eyes on the board, please"}),
    ));
    assert_eq!(outcome(&r, id), Outcome::Done, "{r:?}");
    let info = &kit.sessions().sessions[0];
    assert!(info.blocked);
    assert_eq!(info.block_message.as_deref(), Some("Eyes on the board, please"));
    let covered = shot(&kit, id, &alice, Some("blocked.png"));
    assert!(
        covered.white() < 0.01,
        "the notice covers the xterm ({:.3} white)",
        covered.white()
    );

    // Keys typed at the station do not reach the desktop.
    viewer.type_text("echo blocked > ~/blocked.txt\n").expect("typing");
    std::thread::sleep(2 * SECOND);
    assert!(
        !alice.home.join("blocked.txt").exists(),
        "typed while blocked, and it arrived"
    );

    // A window opened after the block does not come out on top of it.
    a_late_window_stays_under_the_notice(&kit, id, &alice);

    // Reconnecting does not undo it, nor does a restart of the daemon.
    drop(viewer);
    let mut viewer = station(&kit, &web);
    viewer.point(300, 200).expect("pointer");
    viewer.type_text("echo again > ~/blocked.txt\n").expect("typing");
    kit.kill_daemon();
    kit.start_daemon();
    wait_until(10 * SECOND, "the session is taken back blocked", || {
        kit.sessions().sessions.first().is_some_and(|s| s.blocked)
    });
    std::thread::sleep(SECOND);
    assert!(
        shot(&kit, id, &alice, None).white() < 0.01,
        "the notice is back after the restart"
    );
    let mut viewer = station(&kit, &web);
    viewer.point(300, 200).expect("pointer");
    viewer.type_text("echo restarted > ~/blocked.txt\n").expect("typing");
    std::thread::sleep(2 * SECOND);
    assert!(
        !alice.home.join("blocked.txt").exists(),
        "typed while blocked, and it arrived"
    );

    // Unblocked: the desktop shows and takes keys again.
    let r = results(&dash.post("/api/v1/sessions/unblock", &json!({"sessions": [id]})));
    assert_eq!(outcome(&r, id), Outcome::Done);
    assert!(!kit.sessions().sessions[0].blocked);
    wait_until(5 * SECOND, "the xterm shows again", || {
        shot(&kit, id, &alice, None).white() > 0.2
    });
    viewer.type_text("echo free > ~/free.txt\n").expect("typing");
    wait_until(5 * SECOND, "the typed command ran", || {
        alice.home.join("free.txt").exists()
    });
    assert_eq!(
        std::fs::read_to_string(alice.home.join("free.txt")).expect("read"),
        "free\n"
    );

    // The same from the command line, with the default notice.
    block_and_unblock_from_the_cli(&kit, id, &teacher);
}

/// A window opened on a blocked desktop stays under the notice.
fn a_late_window_stays_under_the_notice(kit: &Kit, id: u32, alice: &TestUser) {
    let (display, xauth) = display_of(kit, id, alice);
    let mut late = std::process::Command::new("setpriv")
        .args([
            format!("--reuid={}", alice.uid),
            format!("--regid={}", alice.gid),
            "--init-groups".into(),
        ])
        .args(["xterm", "-geometry", "80x24+400+300"])
        .env("DISPLAY", &display)
        .env("XAUTHORITY", &xauth)
        .spawn()
        .expect("start a late xterm");
    std::thread::sleep(2 * SECOND);
    let still = shot(kit, id, alice, None);
    let _ = late.kill();
    let _ = late.wait();
    assert!(
        still.white() < 0.01,
        "a new window covers the notice ({:.3} white)",
        still.white()
    );
}

/// `podium session block` (the default notice) and `unblock --all`, by a
/// dashboard user, and both in the audit log.
fn block_and_unblock_from_the_cli(kit: &Kit, id: u32, teacher: &TestUser) {
    let out = kit
        .cli()
        .as_user(teacher)
        .args(["session", "block", &id.to_string()])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let info = &kit.sessions().sessions[0];
    assert!(info.blocked && info.block_message.is_none(), "{info:?}");
    let out = kit.cli().as_user(teacher).args(["session", "unblock", "--all"]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let audit = kit.cli().args(["audit", "--json"]).run().stdout;
    assert!(audit.contains("\"block\"") && audit.contains("\"unblock\""), "{audit}");
}

#[test]
fn messages_wait_on_the_desktop_and_the_station_until_dismissed_in_turn() {
    let mut kit = Kit::start_with(PODIUM, DESKTOP);
    let alice = TestUser::create(Role::Standard);
    let bruno = TestUser::create(Role::Standard);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let web = Web::login(&kit, &alice);
    let id = open_session(&web);
    let dash = Web::login(&kit, &teacher);
    let mut alice_events = Events::connect(&kit, web.cookie_header().as_deref(), Some(web.origin())).expect("events");
    let mut teacher_events =
        Events::connect(&kit, dash.cookie_header().as_deref(), Some(dash.origin())).expect("events");

    for text in ["Pens down in five minutes", "Then save your work"] {
        let r = results(&dash.post("/api/v1/sessions/message", &json!({"sessions": [id], "text": text})));
        assert_eq!(outcome(&r, id), Outcome::Done, "{r:?}");
    }
    let status = web.get("/api/v1/station").json();
    let waiting = status["messages"].as_array().expect("messages").clone();
    assert_eq!(waiting.len(), 2, "{status}");
    assert_eq!(waiting[0]["text"], "Pens down in five minutes");
    assert_eq!(waiting[0]["from"], teacher.name.as_str());
    assert_eq!(waiting[0]["from_name"], "Marie Curie");
    let event = alice_events.wait_for("messages", 5 * SECOND).expect("the user is told");
    assert_eq!(event["id"], id);
    assert!(
        teacher_events.wait_for("messages", SECOND).is_none(),
        "messages are the user's own business"
    );
    assert!(
        window_names(&kit, id, &alice).contains("Podium message"),
        "the message is on the desktop"
    );
    shot(&kit, id, &alice, Some("message.png"));

    // Dismissed one by one; the next shows.
    let first = waiting[0]["id"].as_u64().expect("id");
    let second = waiting[1]["id"].as_u64().expect("id");
    let other = Web::login(&kit, &bruno);
    assert_eq!(
        other
            .post(&format!("/api/v1/station/messages/{first}/dismiss"), &json!({}))
            .status,
        404
    );
    assert_eq!(
        web.post(&format!("/api/v1/station/messages/{first}/dismiss"), &json!({}))
            .status,
        204
    );
    assert_eq!(
        web.post(&format!("/api/v1/station/messages/{first}/dismiss"), &json!({}))
            .status,
        404
    );
    assert_eq!(
        web.post("/api/v1/station/messages/nope/dismiss", &json!({})).status,
        400
    );
    let status = web.get("/api/v1/station").json();
    assert_eq!(status["messages"].as_array().map(Vec::len), Some(1));
    assert!(window_names(&kit, id, &alice).contains("Podium message"));

    // A waiting message outlasts a restart of the daemon.
    kit.kill_daemon();
    kit.start_daemon();
    wait_until(10 * SECOND, "the message is back on the desktop", || {
        window_names(&kit, id, &alice).contains("Podium message")
    });
    assert_eq!(web.get("/api/v1/station").json()["messages"][0]["id"], second);
    assert_eq!(
        web.post(&format!("/api/v1/station/messages/{second}/dismiss"), &json!({}))
            .status,
        204
    );
    wait_until(5 * SECOND, "the message box is gone", || {
        !window_names(&kit, id, &alice).contains("Podium message")
    });

    // Bad messages are refused whole; the CLI sends them too.
    bad_messages_are_refused_and_the_cli_sends_them(&kit, &dash, &web, &teacher, id);
}

/// Messages that are empty, missing or too long are refused whole; the
/// CLI sends a good one to every session, and wants its `--text`.
fn bad_messages_are_refused_and_the_cli_sends_them(kit: &Kit, dash: &Web, web: &Web, teacher: &TestUser, id: u32) {
    for body in [
        json!({"sessions": [id], "text": "  "}),
        json!({"sessions": [id]}),
        json!({"all": true, "text": "x".repeat(501)}),
    ] {
        assert_eq!(dash.post("/api/v1/sessions/message", &body).status, 400, "{body}");
    }
    let out = kit
        .cli()
        .as_user(teacher)
        .args(["session", "message", "--all", "--text", "Bonne journée"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        web.get("/api/v1/station").json()["messages"][0]["text"],
        "Bonne journée"
    );
    let out = kit.cli().args(["session", "message", "--all"]).run();
    assert_eq!(out.code, 2, "--text is required: {}", out.stderr);
}

#[test]
fn abandoned_sessions_are_logged_off_by_the_system_and_connected_ones_are_not() {
    let kit = Kit::start_with(PODIUM, &format!("{DESKTOP}disconnected_logoff_after = \"3s\"\n"));
    let alice = TestUser::create(Role::Standard);
    let bruno = TestUser::create(Role::Standard);
    let web = Web::login(&kit, &alice);
    let alice_id = open_session(&web);
    let relay = station(&kit, &web);
    let bruno_id = kit.start_session(&bruno, None);
    wait_until(20 * SECOND, "bruno's abandoned session is logged off", || {
        kit.sessions().sessions.iter().all(|s| s.id != bruno_id)
    });
    wait_until(10 * SECOND, "bruno's processes are gone", || {
        procfs::of_user(bruno.uid).is_empty()
    });
    assert!(
        kit.sessions().sessions.iter().any(|s| s.id == alice_id),
        "a connected session is not logged off"
    );
    let audit: serde_json::Value =
        serde_json::from_str(&kit.cli().args(["audit", "--json"]).run().stdout).expect("audit json");
    let records = audit["records"].as_array().expect("records");
    assert!(
        records
            .iter()
            .any(|r| r["kind"] == "logoff" && r["actor"] == "system" && r["session"] == bruno_id),
        "the automatic log off is audited as the system's: {audit}"
    );
    // Once nobody shows it, alice's session goes the same way.
    drop(relay);
    wait_until(20 * SECOND, "alice's session is logged off once abandoned", || {
        kit.sessions().sessions.is_empty()
    });
}

#[test]
fn a_dashboard_user_cannot_block_message_or_disconnect_an_administrators_session() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let admin = TestUser::create(Role::Admin);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create(Role::Dashboard);
    let admin_id = kit.start_session(&admin, None);
    let pupil_id = kit.start_session(&pupil, None);
    let dash = Web::login(&kit, &teacher);
    for (action, body) in [
        ("block", json!({"sessions": [admin_id, pupil_id]})),
        ("message", json!({"sessions": [admin_id, pupil_id], "text": "hello"})),
        ("disconnect", json!({"sessions": [admin_id, pupil_id]})),
        ("unblock", json!({"sessions": [admin_id, pupil_id]})),
    ] {
        let r = results(&dash.post(&format!("/api/v1/sessions/{action}"), &body));
        assert_eq!(outcome(&r, admin_id), Outcome::Refused, "{action}: {r:?}");
        assert_eq!(outcome(&r, pupil_id), Outcome::Done, "{action}: {r:?}");
        let refused = r
            .results
            .iter()
            .find(|x| x.session == admin_id)
            .expect("admin's result");
        assert_eq!(refused.reason.as_deref(), Some("administrator session"));
    }
    assert!(
        !kit.sessions()
            .sessions
            .iter()
            .find(|s| s.id == admin_id)
            .expect("admin")
            .blocked
    );
    // "All" leaves the administrator out, and says so.
    let r = results(&dash.post("/api/v1/sessions/block", &json!({"all": true})));
    assert_eq!(outcome(&r, admin_id), Outcome::Refused);
    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "block", &admin_id.to_string()])
        .run();
    assert_eq!(out.code, 1, "a refusal is exit status 1: {}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("administrator session"), "{}", out.stdout);
    // A standard user may not block anyone, their own session included.
    let own = Web::login(&kit, &pupil);
    let r = results(&own.post("/api/v1/sessions/block", &json!({"sessions": [pupil_id]})));
    assert_eq!(outcome(&r, pupil_id), Outcome::Refused, "{r:?}");
}
