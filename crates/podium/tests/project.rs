//! Project my desktop (SPEC §5), end to end: a teacher's real session shown
//! on two pupils' stations as JPEG frames of the teacher's screen, the
//! pupils' keys typed through their own station relays doing nothing
//! meanwhile, a pupil's reconnect, the stop, the end when the teacher's
//! dashboard goes, the audit, and the refusals.

use podium_core::{ActionResults, AuditList, Outcome, Role};
use podium_testkit::rfb::Viewer;
use podium_testkit::web::{Events, Web};
use podium_testkit::{Kit, TestUser, wait_until};
use serde_json::json;
use std::time::{Duration, Instant};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SECOND: Duration = Duration::from_secs(1);

/// Desktops with a dark root window and a large xterm at +20+20.
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

/// Opens (or creates) `web`'s user's session; its id.
fn open_session(web: &Web) -> u32 {
    let r = web.post("/api/v1/station/session", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    u32::try_from(r.json()["session"]["id"].as_u64().expect("id")).expect("u32 id")
}

/// The open station relay of `web`'s user, with a viewer on it, its
/// pointer over the xterm.
fn station(kit: &Kit, web: &Web) -> Viewer {
    let ws = Events::station(kit, web, "").expect("the station relay opens");
    let mut v = Viewer::over_relay(ws).expect("RFB handshake");
    v.point(300, 200).expect("pointer over the xterm");
    v
}

/// `web`'s events stream, as the dashboard keeps one open.
fn events(kit: &Kit, web: &Web) -> Events {
    Events::connect(kit, web.cookie_header().as_deref(), Some(web.origin())).expect("events")
}

/// The projection stream of `web`'s user's station.
fn projection(kit: &Kit, web: &Web) -> Result<Events, u16> {
    Events::open(
        kit,
        "/api/v1/station/projection",
        web.cookie_header().as_deref(),
        Some(web.origin()),
    )
}

/// Decodes a frame: its size and its pixels (RGB).
fn decode(jpeg: &[u8]) -> ((u16, u16), Vec<u8>) {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let pixels = d.decode().expect("a frame is a JPEG");
    let info = d.info().expect("JPEG info");
    ((info.width, info.height), pixels)
}

/// Whether `user`'s session is projected onto now, as the API says.
fn projected_by(kit: &Kit, id: u32) -> Option<String> {
    kit.sessions()
        .sessions
        .into_iter()
        .find(|s| s.id == id)
        .and_then(|s| s.projected_by)
}

/// Runs `xsetroot -solid COLOR` on session `id`'s display: the screen changes.
fn paint_root(kit: &Kit, id: u32, user: &TestUser, color: &str) {
    let display = kit.display_of(id);
    let ok = std::process::Command::new("xsetroot")
        .args(["-display", &display, "-solid", color])
        .env("XAUTHORITY", format!("/run/user/{}/podium-Xauthority", user.uid))
        .status()
        .expect("xsetroot")
        .success();
    assert!(ok, "xsetroot on {display}");
}

/// Types a command into `viewer`'s xterm that makes `file` in `user`'s home.
fn type_touch(viewer: &mut Viewer, file: &str) {
    viewer.type_text(&format!("echo x > ~/{file}\n")).expect("typing");
}

/// The teacher's screen changes: so do both stations' frames.
fn frames_follow_the_teachers_screen(
    kit: &Kit,
    source: u32,
    teacher: &TestUser,
    (pa, pb): (&mut Events, &mut Events),
    before: &[u8],
) {
    paint_root(kit, source, teacher, "#c01010");
    let changed = (|| {
        let until = Instant::now() + 5 * SECOND;
        while Instant::now() < until {
            let f = pa.next_binary(until - Instant::now())?;
            let (_, px) = decode(&f);
            // The root shows to the right of the xterm, at (1200, 700).
            let at = (700 * 1280 + 1200) * 3;
            if px[at] > 150 && px[at + 1] < 80 && px[at] != before[at] {
                return Some(());
            }
        }
        None
    })();
    assert!(changed.is_some(), "a frame shows the teacher's new red background");
    assert!(pb.next_binary(5 * SECOND).is_some(), "bob gets the change too");
}

#[test]
fn a_teachers_desktop_is_projected_onto_two_stations_whose_keys_do_nothing_until_stopped() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let alice = TestUser::create(Role::Standard);
    let bob = TestUser::create(Role::Standard);
    let dash = Web::login(&kit, &teacher);
    let dashboard = events(&kit, &dash);
    let source = open_session(&dash);
    let (wa, wb) = (Web::login(&kit, &alice), Web::login(&kit, &bob));
    let (a, b) = (open_session(&wa), open_session(&wb));
    let mut va = station(&kit, &wa);
    let mut vb = station(&kit, &wb);

    // Nothing projected yet: the pupil's stream is refused cleanly, and a
    // plain GET is told the route is a WebSocket.
    assert_eq!(projection(&kit, &wa).err(), Some(404));
    assert_eq!(wa.get("/api/v1/station/projection").status, 400);

    let r = results(&dash.post("/api/v1/sessions/project", &json!({"sessions": [a, b]})));
    assert_eq!(outcome(&r, a), Outcome::Done, "{r:?}");
    assert_eq!(outcome(&r, b), Outcome::Done, "{r:?}");
    assert_eq!(projected_by(&kit, a).as_deref(), Some("Marie Curie"));
    assert_eq!(projected_by(&kit, b).as_deref(), Some("Marie Curie"));
    assert_eq!(projected_by(&kit, source), None);

    // Each pupil's station receives the teacher's screen, whole.
    let mut pa = projection(&kit, &wa).expect("alice's projection stream");
    let mut pb = projection(&kit, &wb).expect("bob's projection stream");
    let first_a = pa.next_binary(5 * SECOND).expect("a frame for alice");
    let first_b = pb.next_binary(5 * SECOND).expect("a frame for bob");
    let (size, before) = decode(&first_a);
    assert_eq!(size, (1280, 800), "the teacher's screen size");
    assert_eq!(decode(&first_b).0, (1280, 800));

    frames_follow_the_teachers_screen(&kit, source, &teacher, (&mut pa, &mut pb), &before);

    // The pupils' keys do nothing.
    type_touch(&mut va, "alice.txt");
    type_touch(&mut vb, "bob.txt");
    std::thread::sleep(2 * SECOND);
    assert!(
        !alice.home.join("alice.txt").exists(),
        "alice's keys arrived while projected"
    );
    assert!(!bob.home.join("bob.txt").exists(), "bob's keys arrived while projected");

    // A pupil who reconnects gets the projection again, at once, and a
    // new station relay is still without input.
    drop(pa);
    drop(va);
    let mut va = station(&kit, &wa);
    let mut pa = projection(&kit, &wa).expect("alice's stream again");
    assert_eq!(
        decode(&pa.next_binary(3 * SECOND).expect("the latest frame at once")).0,
        (1280, 800)
    );
    type_touch(&mut va, "alice.txt");
    std::thread::sleep(2 * SECOND);
    assert!(!alice.home.join("alice.txt").exists(), "keys arrived after a reconnect");

    // Stop: the streams close, and the pupils' own desktops take keys again.
    let r = results(&dash.post("/api/v1/sessions/project/stop", &json!({})));
    assert_eq!(outcome(&r, a), Outcome::Done, "{r:?}");
    assert_eq!(outcome(&r, b), Outcome::Done, "{r:?}");
    assert_eq!(pa.close_code(5 * SECOND), Some(4005), "alice's stream says it stopped");
    assert_eq!(pb.close_code(5 * SECOND), Some(4005), "bob's stream says it stopped");
    assert_eq!(projected_by(&kit, a), None);
    type_touch(&mut va, "alice.txt");
    type_touch(&mut vb, "bob.txt");
    wait_until(5 * SECOND, "alice's typed command ran", || {
        alice.home.join("alice.txt").exists()
    });
    wait_until(5 * SECOND, "bob's typed command ran", || {
        bob.home.join("bob.txt").exists()
    });

    closing_the_dashboard_ends_it_and_everything_is_audited(&kit, &dash, dashboard, (a, b, source), &bob, &mut vb);
}

/// Projected again (all), then the teacher's dashboard closes: it ends
/// within 5 s and the input comes back; the audit has a start and an end
/// per target, each time.
fn closing_the_dashboard_ends_it_and_everything_is_audited(
    kit: &Kit,
    dash: &Web,
    mut dashboard: Events,
    (a, b, source): (u32, u32, u32),
    bob: &TestUser,
    vb: &mut Viewer,
) {
    let r = results(&dash.post("/api/v1/sessions/project", &json!({"all": true})));
    assert_eq!(outcome(&r, a), Outcome::Done, "{r:?}");
    assert!(
        r.results
            .iter()
            .all(|x| x.session != source || x.outcome == Outcome::Refused),
        "all leaves the teacher's own: {r:?}"
    );
    assert!(projected_by(kit, b).is_some());
    assert!(dashboard.next(SECOND).is_some(), "the dashboard's stream is open");
    let closed = Instant::now();
    drop(dashboard);
    wait_until(5 * SECOND, "the projection ends with the dashboard", || {
        projected_by(kit, a).is_none() && projected_by(kit, b).is_none()
    });
    let took = closed.elapsed();
    assert!(took < 5 * SECOND, "ended after {took:?}");
    std::fs::remove_file(bob.home.join("bob.txt")).expect("remove");
    type_touch(vb, "bob.txt");
    wait_until(5 * SECOND, "bob's keys work again", || {
        bob.home.join("bob.txt").exists()
    });

    // The audit: a start and an end per target, each time.
    let audit: AuditList = dash.get("/api/v1/audit").parse();
    let of = |action: &str, id: u32| {
        audit
            .records
            .iter()
            .filter(|r| r.kind.as_str() == "project" && r.action.as_deref() == Some(action) && r.session == Some(id))
            .count()
    };
    for id in [a, b] {
        assert_eq!(of("start", id), 2, "{:#?}", audit.records);
        assert_eq!(of("end", id), 2, "{:#?}", audit.records);
    }
    assert!(
        audit.records.iter().any(|r| r.kind.as_str() == "project"
            && r.actor == "system"
            && r.reason.as_deref().is_some_and(|w| w.contains("dashboard"))),
        "the end by the closed dashboard says why"
    );
}

#[test]
fn the_cli_projects_until_stopped_and_nobody_projects_onto_an_administrator_or_without_a_desktop() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let admin = TestUser::create(Role::Admin);
    let alice = TestUser::create(Role::Standard);
    let idle = TestUser::create(Role::Dashboard);
    let source = kit.start_session(&teacher, None);
    let boss = kit.start_session(&admin, None);
    let a = kit.start_session(&alice, None);

    // Another host's session, or "all" of the school, is this host's business only.
    let dash = Web::login(&kit, &teacher);
    let r = dash.post("/api/v1/sessions/project", &json!({"sessions": ["elsewhere/4"]}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.parse::<ActionResults>().results[0].outcome, Outcome::Failed);

    // A teacher without a desktop here has nothing to project.
    let r = Web::login(&kit, &idle).post("/api/v1/sessions/project", &json!({"sessions": [a]}));
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("no desktop to project"), "{}", r.text);

    // The CLI, over the Unix socket: an administrator's session is refused,
    // the pupil's is done, and it lasts with no dashboard open at all.
    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "project", &boss.to_string(), &a.to_string()])
        .run();
    assert_eq!(out.code, 1, "one refused: {}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("administrator session"), "{}", out.stdout);
    assert_eq!(projected_by(&kit, a).as_deref(), Some("Marie Curie"));
    assert_eq!(projected_by(&kit, boss), None);
    std::thread::sleep(5 * SECOND);
    assert_eq!(projected_by(&kit, a).as_deref(), Some("Marie Curie"), "still projected");
    // Its own session, named, is refused too.
    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "project", &source.to_string(), "--json"])
        .run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("\"refused\""), "{}", out.stdout);

    let out = kit.cli().as_user(&teacher).args(["session", "project", "--stop"]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("done"), "{}", out.stdout);
    assert_eq!(projected_by(&kit, a), None);
    let audit = kit.cli().args(["audit", "--json"]).run().stdout;
    assert!(audit.contains("\"project\""), "{audit}");
}

#[test]
fn the_teacher_projects_onto_two_stations_in_a_real_browser_in_english_and_french() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let pupils = [
        TestUser::create_named(Role::Standard, "Alice Martin"),
        TestUser::create_named(Role::Standard, "Bruno Lefèvre"),
    ];
    let _source = kit.start_session(
        &teacher,
        Some("sh -c 'xsetroot -solid \"#b03060\"; exec xterm -geometry 80x24+300+200'"),
    );
    let config = json!({
        "teacher_color": "#b03060",
        "pupil_color": "#1e3a5f",
        "teacher": {"user": teacher.name, "password": teacher.password, "full_name": teacher.full_name},
        "pupils": pupils.iter().map(|p| json!({
            "user": p.name, "password": p.password, "full_name": p.full_name, "uid": p.uid, "home": p.home,
        })).collect::<Vec<_>>(),
    });
    podium_testkit::browser::walk(&kit, "project.mjs", config);
}
