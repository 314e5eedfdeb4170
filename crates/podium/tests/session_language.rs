//! Each session speaks its own user's language, on one host: a pupil who
//! picked French on the login page gets a French desktop (`LANG`) and
//! French notices — the block notice, a message and the log-off warning,
//! read off the real display and compared with renderings of the French
//! text — while an English pupil beside them gets English ones; and the
//! choice is remembered for their next session.

use podium_core::Role;
use podium_testkit::web::Web;
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use podium_x11::canvas::{Canvas, Fonts, fonts};
use podium_x11::message::{self, ButtonState, QueuedMessage};
use podium_x11::{Lang, block, notice};
use serde_json::json;
use std::time::{Duration, SystemTime};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, ImageFormat, MapState, Window};
use x11rb::rust_connection::RustConnection;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// A pupil's session, opened from the station page with `language` picked.
fn open_station(kit: &Kit, pupil: &TestUser, language: &str) -> u32 {
    let web = Web::login(kit, pupil);
    let r = web.post("/api/v1/station/session", &json!({ "language": language }));
    assert_eq!(r.status, 200, "{}", r.text);
    u32::try_from(r.json()["session"]["id"].as_u64().expect("a session id")).expect("small")
}

/// A variable of the environment the session's desktop runs with.
fn desktop_var(kit: &Kit, id: u32, name: &str) -> Option<String> {
    let desktop = format!("{}/desktop", kit.session_cgroup(id));
    let pid = procfs::in_cgroup(&desktop).first().expect("the desktop runs").pid;
    let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("environ");
    environ.split(|b| *b == 0).find_map(|kv| {
        let kv = String::from_utf8_lossy(kv);
        kv.strip_prefix(&format!("{name}=")).map(str::to_owned)
    })
}

/// An X connection to session `id`'s display, as root with its cookie.
fn connect(kit: &Kit, user: &TestUser, id: u32) -> RustConnection {
    kit.display_access(id, user).connect().expect("the session's display")
}

fn wm_name(conn: &RustConnection, w: Window) -> Option<String> {
    let p = conn
        .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
        .ok()?
        .reply()
        .ok()?;
    Some(String::from_utf8_lossy(&p.value).into_owned())
}

/// Podium's window called `name`, once it is mapped.
fn window(conn: &RustConnection, name: &str) -> Option<Window> {
    let root = conn.setup().roots[0].root;
    let tree = conn.query_tree(root).ok()?.reply().ok()?;
    tree.children.into_iter().find(|&w| {
        wm_name(conn, w).as_deref() == Some(name)
            && conn
                .get_window_attributes(w)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|a| a.map_state == MapState::VIEWABLE)
    })
}

/// The pixels (`0xRRGGBB`) of a part of a window.
fn pixels(conn: &RustConnection, w: Window, (x, y): (i16, i16), (width, height): (u16, u16)) -> Vec<u32> {
    let img = conn
        .get_image(ImageFormat::Z_PIXMAP, w, x, y, width, height, !0)
        .expect("get image")
        .reply()
        .expect("image");
    img.data
        .chunks_exact(4)
        .map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]) & 0xff_ffff)
        .collect()
}

fn canvas_pixels(c: &Canvas) -> Vec<u32> {
    (0..c.height())
        .flat_map(|y| (0..c.width()).map(move |x| (x, y)))
        .map(|(x, y)| c.pixel(x, y))
        .collect()
}

/// Waits until the part of `name` at `at` shows one of `pictures`; which.
fn shows(conn: &RustConnection, name: &str, at: (i16, i16), pictures: &[(&str, Canvas)]) -> String {
    let mut seen = String::new();
    wait_until(Duration::from_secs(10), &format!("{name} shows its text"), || {
        let Some(w) = window(conn, name) else { return false };
        for (label, c) in pictures {
            if pixels(conn, w, at, (c.width(), c.height())) == canvas_pixels(c) {
                seen = (*label).to_owned();
                return true;
            }
        }
        false
    });
    seen
}

/// Each session's desktop, its user and the language it must speak.
type Speakers<'u> = [(u32, &'u TestUser, &'static str); 2];

/// Blocking both sessions shows each one the notice in its language, with
/// the default text; then they are unblocked.
fn block_notices_speak(kit: &Kit, web: &Web, f: &'static Fonts, sessions: &Speakers<'_>) {
    let screen = (1280, 800);
    let ids = [sessions[0].0, sessions[1].0];
    let r = web.post("/api/v1/sessions/block", &json!({ "sessions": ids }));
    assert_eq!(r.status, 200, "{}", r.text);
    for &(id, user, want) in sessions {
        let conn = connect(kit, user, id);
        let pictures: Vec<(&str, block::Picture)> = [("fr", Lang::Fr), ("en", Lang::En)]
            .into_iter()
            .map(|(l, lang)| (l, block::render(f, screen, lang, "")))
            .collect();
        let at = pictures[0].1.at;
        assert_eq!(at, pictures[1].1.at, "both cards sit at the same place");
        let canvases: Vec<(&str, Canvas)> = pictures.into_iter().map(|(l, p)| (l, p.canvas)).collect();
        assert_eq!(
            shows(&conn, "Podium block", at, &canvases),
            want,
            "session {id}'s block notice"
        );
    }
    let r = web.post("/api/v1/sessions/unblock", &json!({ "sessions": ids }));
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A message to both sessions shows its title and "sent just now" in each
/// one's language.
fn messages_speak(kit: &Kit, web: &Web, f: &'static Fonts, sessions: &Speakers<'_>, teacher_name: &str) {
    let screen = (1280, 800);
    let ids = [sessions[0].0, sessions[1].0];
    let r = web.post(
        "/api/v1/sessions/message",
        &json!({ "sessions": ids, "text": "Rangez vos affaires / Tidy up" }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    for &(id, user, want) in sessions {
        let conn = connect(kit, user, id);
        let m = QueuedMessage {
            id: 0,
            from: teacher_name.to_owned(),
            text: "Rangez vos affaires / Tidy up".into(),
            sent_at: SystemTime::now(),
        };
        let canvases: Vec<(&str, Canvas)> = [("fr", Lang::Fr), ("en", Lang::En)]
            .into_iter()
            .map(|(l, lang)| {
                let layout = message::layout(f, screen, lang, &m, 1, SystemTime::now());
                (l, message::render(f, &layout, ButtonState::Ready))
            })
            .collect();
        assert_eq!(
            shows(&conn, "Podium message", (0, 0), &canvases),
            want,
            "session {id}'s message"
        );
    }
}

#[test]
fn each_session_speaks_its_users_language_on_screen() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let (claire, emma) = (TestUser::create(Role::Standard), TestUser::create(Role::Standard));
    let fr = open_station(&kit, &claire, "fr");
    let en = open_station(&kit, &emma, "en");
    let lang_of = |id| desktop_var(&kit, id, "LANG").unwrap_or_default();
    assert!(
        lang_of(fr).starts_with("fr_"),
        "the French pupil's LANG: {}",
        lang_of(fr)
    );
    let english = lang_of(en);
    assert!(
        english.starts_with("en_") || english == "C.UTF-8",
        "the English pupil's LANG: {english}"
    );
    assert_eq!(desktop_var(&kit, fr, "LANGUAGE").as_deref(), Some("fr_FR:fr"));

    let f = fonts().expect("the notices' fonts");
    let web = Web::login(&kit, &teacher);
    let sessions = [(fr, &claire, "fr"), (en, &emma, "en")];

    // The block notice, with its default text.
    block_notices_speak(&kit, &web, f, &sessions);
    // A message: its title and "sent just now" are in the user's language.
    messages_speak(&kit, &web, f, &sessions, &teacher.full_name);
    // The log-off warning, with its countdown.
    let grace = 60;
    let r = web.post(
        "/api/v1/sessions/logoff",
        &json!({ "sessions": [fr, en], "grace_seconds": grace }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    for (id, user, want) in sessions {
        let conn = connect(&kit, user, id);
        let width = 760;
        let canvases: Vec<(&str, Canvas)> = (grace - 15..=grace)
            .flat_map(|secs| {
                [("fr", Lang::Fr), ("en", Lang::En)]
                    .map(|(l, lang)| (l, notice::render_warning(f, width, lang, secs, &teacher.full_name)))
            })
            .collect();
        assert_eq!(
            shows(&conn, "Podium notice", (0, 0), &canvases),
            want,
            "session {id}'s log-off warning"
        );
    }
    let r = web.post(
        "/api/v1/sessions/logoff",
        &json!({ "sessions": [fr, en], "grace_seconds": 0, "wait": true }),
    );
    assert_eq!(r.status, 200, "{}", r.text);

    // Remembered: the next session from the station is French again, even
    // when the page does not say.
    let web_claire = Web::login(&kit, &claire);
    let r = web_claire.post("/api/v1/station/session", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let again = u32::try_from(r.json()["session"]["id"].as_u64().expect("id")).expect("small");
    assert!(lang_of(again).starts_with("fr_"), "remembered: {}", lang_of(again));
}

#[test]
fn an_administrator_may_start_a_session_in_a_given_locale_and_a_bad_one_is_refused() {
    let kit = Kit::start(PODIUM);
    let pupil = TestUser::create(Role::Standard);
    let out = kit
        .cli()
        .args(["session", "start", &pupil.name, "--locale", "fr_FR.UTF-8"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let id: u32 = out.stdout.trim().parse().expect("an id");
    assert_eq!(desktop_var(&kit, id, "LANG").as_deref(), Some("fr_FR.UTF-8"));

    let other = TestUser::create(Role::Standard);
    let out = kit
        .cli()
        .args(["session", "start", &other.name, "--locale", "fr_FR;reboot"])
        .run();
    assert_eq!(out.code, 2, "a usage error: {}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("not a locale name"), "{}", out.stderr);
    // The API says the same to a client that does not check.
    let admin = TestUser::create(Role::Admin);
    let r = Web::login(&kit, &admin).post(
        "/api/v1/sessions",
        &json!({ "user": other.name, "locale": "fr_FR;reboot" }),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.starts_with("\"locale\" is not a locale name"), "{message}");
    let web = Web::login(&kit, &other);
    let r = web.post("/api/v1/station/session", &json!({ "language": "de" }));
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("language"), "{}", r.text);
}
