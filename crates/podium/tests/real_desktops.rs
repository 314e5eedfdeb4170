//! The log off keeps its promise on a real desktop: Debian's Xfce through
//! `/etc/X11/Xsession`, as a school runs it, with LibreOffice Writer
//! started at login as a pupil would. A sentence typed into a new document
//! and never saved is back at the pupil's next session; no log-out dialog
//! of the desktop shows up on the way; and nothing of the session is left.

use podium_core::Role;
use podium_testkit::desktop::{self, Desktop, Field, Seen};
use podium_testkit::web::Web;
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// LibreOffice's first start in a fresh profile, on a busy machine.
const OFFICE_START: Duration = Duration::from_secs(120);

/// Whether LibreOffice process of `uid` listens for Podium (the session
/// extension has started).
fn office_listens(uid: u32) -> bool {
    let offices: Vec<i32> = procfs::of_user(uid)
        .into_iter()
        .filter(|p| p.cmdline.contains("soffice.bin"))
        .map(|p| p.pid)
        .collect();
    let table = std::fs::read_to_string("/proc/net/unix").unwrap_or_default();
    offices
        .iter()
        .any(|pid| table.contains(&format!("@podium-office/{pid}")))
}

/// Windows a desktop shows when it is asked to log out by itself.
fn logout_dialogs(seen: &BTreeSet<Seen>) -> Vec<&Seen> {
    seen.iter()
        .filter(|s| {
            s.class == "Xfce4-session"
                || ["Log Out", "Log out", "Déconnexion", "Fermer la session"]
                    .iter()
                    .any(|t| s.title.contains(t))
        })
        .collect()
}

const SENTENCE: &str = "Le chat dort sur le tapis bleu.";
const NOTES: &str = "notes de Marie";
const ANSWER: &str = "Ma réponse au devoir";

#[test]
fn a_log_off_keeps_a_pupils_unsaved_work_and_says_what_it_ended() {
    let kit = Kit::start_with(PODIUM, desktop::XFCE);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create(Role::Dashboard);
    let homework = homework_page(&pupil);
    desktop::autostart(&pupil, "writer", "lowriter");
    desktop::autostart(&pupil, "mousepad", "mousepad");
    desktop::autostart(&pupil, "firefox", &format!("firefox file://{}", homework.display()));

    let id = kit.start_session(&pupil, None);
    let screen = Desktop::of(&kit, id, &pupil);
    type_the_pupils_work(&kit, &screen, pupil.uid);

    let result = log_off_watched(&kit, &screen, &teacher, &pupil, id, 10);
    check_each_applications_fate(&result);
    let log = kit.log();
    assert!(
        log.contains("the session manager logged the desktop out over XSMP"),
        "xfce4-session was not asked over XSMP: {}",
        kit.log_tail()
    );

    // The next session: the applications start again as the pupil has
    // them, and LibreOffice brings the document back, sentence included,
    // with no crash report.
    let id = kit.start_session(&pupil, None);
    let screen = Desktop::of(&kit, id, &pupil);
    check_writer_restored(&kit, &screen);
    check_firefox_restored(&screen);
}

/// Types a sentence into a new Writer document, notes into Mousepad and an
/// answer into the homework page's field, none of them saved.
fn type_the_pupils_work(kit: &Kit, screen: &Desktop, uid: u32) {
    let writer = screen.wait_window("LibreOffice Writer", OFFICE_START);
    wait_until(OFFICE_START, "LibreOffice listens for Podium", || office_listens(uid));
    let mousepad = screen.wait_window("Mousepad", OFFICE_START);
    let firefox = screen.wait_window("Devoir", OFFICE_START);
    for (window, text) in [(writer, SENTENCE), (mousepad, NOTES)] {
        if !screen.write(window, Field::Document, text) {
            screen.screenshot(&kit.path("typed.png"));
            panic!(
                "{text:?} could not be typed (screen: {})",
                kit.path("typed.png").display()
            );
        }
    }
    let _ = screen.wait_window("*Untitled 1 - Mousepad", Duration::from_secs(10));
    assert!(
        screen.write(firefox, Field::PageField, ANSWER),
        "the answer is typed into the form"
    );
}

/// Writer kept its document with the unsaved sentence; Mousepad, which
/// cannot keep its notes, is named as ended with unsaved work.
fn check_each_applications_fate(result: &serde_json::Value) {
    let apps = result["applications"].as_array().cloned().unwrap_or_default();
    let app = |name: &str| {
        apps.iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no outcome for {name}: {result}"))
    };
    let writer = app("LibreOffice Writer");
    assert_eq!(writer["fate"], "kept", "{result}");
    assert_eq!(writer["unsaved"], true, "{result}");
    assert_eq!(writer["titles"], json!(["Untitled 1"]), "{result}");
    let mousepad = app("Mousepad");
    assert_eq!(mousepad["unsaved"], true, "{result}");
    assert!(
        ["stopped", "forced"].contains(&mousepad["fate"].as_str().unwrap_or_default()),
        "Mousepad did not keep its notes, so the outcome must say it was ended: {result}"
    );
    let _ = app("Firefox");
}

/// The restored Writer document holds the sentence, read from the
/// document itself; LibreOffice shows no recovery dialog.
fn check_writer_restored(kit: &Kit, screen: &Desktop) {
    let restored = screen.wait_window("Untitled 1 - LibreOffice Writer", OFFICE_START);
    let mut text = String::new();
    for _ in 0..20 {
        text = screen.text(restored, Field::Document);
        if !text.trim().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    if text.trim() != SENTENCE {
        screen.screenshot(&kit.path("restored.png"));
    }
    assert_eq!(
        text.trim(),
        SENTENCE,
        "the sentence is back (screen: {})",
        kit.path("restored.png").display()
    );
    let windows = screen.windows();
    assert!(
        !windows.iter().any(|w| w.title.contains("Document Recovery")),
        "LibreOffice reported a crash: {windows:?}"
    );
}

/// Firefox shows no "crashed" page; whether the page and the typed answer
/// come back is Firefox's own session store's business, and reported.
fn check_firefox_restored(screen: &Desktop) {
    let firefox = screen.wait_window("Mozilla Firefox", OFFICE_START);
    std::thread::sleep(Duration::from_secs(3));
    let windows = screen.windows();
    assert!(
        !windows
            .iter()
            .any(|w| w.title.contains("Restore Session") || w.title.contains("Restauration de session")),
        "Firefox showed its crashed-session page: {windows:?}"
    );
    let page_back = windows.iter().any(|w| w.title.contains("Devoir"));
    let answer_back = page_back && screen.text(firefox, Field::PageField).trim() == ANSWER;
    eprintln!("Firefox after the log off: page back: {page_back}, typed answer back: {answer_back}");
}

/// Reads the screen until `words` show up (OCR of a French screen), for
/// up to 10 s; what was read last.
fn wait_for_words(kit: &Kit, screen: &Desktop, what: &str, words: &[&str]) -> String {
    let png = kit.path(&format!("{what}.png"));
    let mut read = String::new();
    for _ in 0..10 {
        read = screen.read_screen("fra", &png);
        if words.iter().all(|w| read.contains(w)) {
            return read;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    panic!(
        "the {what} does not say {words:?} on the screen ({}); read: {read:?}",
        png.display()
    );
}

/// Applications the desktop does not manage, which note what they get,
/// started at login: a window that stays when asked to close and quits on
/// SIGTERM (`delete-a`), one that ignores SIGTERM too (`delete-b`), and a
/// process without a window that notes SIGTERM and goes on (`term-c`).
fn noting_applications(kit: &Kit, pupil: &TestUser) {
    let client = kit.test_client();
    let script = pupil.home.join("apps.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             {c} note-delete \"$HOME/delete-a\" &\n\
             sh -c 'trap \"\" TERM; exec {c} note-delete \"$HOME/delete-b\"' &\n\
             sh -c 'trap \"date +%s%N >> \\\"$HOME/term-c\\\"\" TERM; while :; do sleep 0.2; done' &\n\
             wait\n",
            c = client.display()
        ),
    )
    .expect("the applications' script");
    std::os::unix::fs::chown(&script, Some(pupil.uid), Some(pupil.gid)).expect("chown");
    desktop::autostart(pupil, "apps", &format!("sh {}", script.display()));
}

/// Every window was asked to close, and every process got SIGTERM (after
/// the windows were asked) before anything was killed, the session manager
/// having logged out first.
fn check_the_order(kit: &Kit, pupil: &TestUser) {
    let noted = |name: &str| std::fs::read_to_string(pupil.home.join(name)).unwrap_or_default();
    assert!(!noted("delete-a").is_empty(), "the first window was not asked to close");
    assert!(
        !noted("delete-b").is_empty(),
        "the second window was not asked to close"
    );
    assert!(
        !noted("term-c").is_empty(),
        "the process without a window got no SIGTERM before the kill"
    );
    let first_term = noted("term-c").lines().filter_map(|l| l.parse::<u128>().ok()).min();
    let last_delete = noted("delete-a")
        .lines()
        .chain(noted("delete-b").lines())
        .filter_map(|l| l.parse::<u128>().ok())
        .max();
    assert!(
        last_delete < first_term,
        "WM_DELETE_WINDOW comes before SIGTERM: {last_delete:?} / {first_term:?}"
    );
    assert!(
        kit.log()
            .contains("the session manager logged the desktop out over XSMP"),
        "xfce4-session was not asked first: {}",
        kit.log_tail()
    );
}

#[test]
fn a_french_desktop_is_told_in_french_and_everything_is_asked_before_it_is_killed() {
    let kit = Kit::start_with(PODIUM, desktop::XFCE);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create(Role::Dashboard);
    noting_applications(&kit, &pupil);

    let out = kit
        .cli()
        .args(["session", "start", &pupil.name, "--locale", "fr_FR.UTF-8"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let id: u32 = out.stdout.trim().parse().expect("a session id");
    let screen = Desktop::of(&kit, id, &pupil);
    let _ = screen.wait_window("xfce4-panel", OFFICE_START);
    wait_until(Duration::from_secs(60), "both windows are up", || {
        screen
            .windows()
            .iter()
            .filter(|w| w.class == "podium-test-client")
            .count()
            == 2
    });

    let web = Web::login(&kit, &teacher);
    let ok = |r: podium_testkit::web::WebReply| assert_eq!(r.status, 200, "{}", r.text);
    ok(web.post("/api/v1/sessions/block", &json!({ "sessions": [id] })));
    let _ = wait_for_words(&kit, &screen, "block notice", &["poste", "bloqu"]);
    ok(web.post("/api/v1/sessions/unblock", &json!({ "sessions": [id] })));
    ok(web.post(
        "/api/v1/sessions/message",
        &json!({ "sessions": [id], "text": "Rangez vos affaires" }),
    ));
    let _ = wait_for_words(&kit, &screen, "message", &["Rangez", "Envoy"]);

    let logoff = std::thread::spawn({
        let web = Web::login(&kit, &teacher);
        move || {
            web.post(
                "/api/v1/sessions/logoff",
                &json!({ "sessions": [id], "grace_seconds": 15, "wait": true }),
            )
        }
    });
    let _ = wait_for_words(&kit, &screen, "log-off warning", &["session", "ferm"]);
    let r = logoff.join().expect("the log off");
    assert_eq!(r.status, 200, "{}", r.text);
    let result = &r.json()["results"][0];
    eprintln!("log off outcome: {result}");

    check_the_order(&kit, &pupil);
    let fates: Vec<String> = result["applications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|a| a["name"] == "podium-test-client")
        .map(|a| a["fate"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut fates = fates;
    fates.sort();
    assert_eq!(fates, vec!["forced".to_owned(), "stopped".to_owned()], "{result}");
    assert_eq!(result["ended"], "forced", "{result}");
    assert!(
        procfs::of_user(pupil.uid).is_empty(),
        "left running: {:?}",
        procfs::of_user(pupil.uid)
    );
}

/// A session manager that will not take Podium's XSMP request (here its
/// ICE cookie file is a link, which Podium refuses to follow as root) is
/// asked with the desktop's own D-Bus log-out call instead: still no
/// dialog, still the desktop's own way out, nothing left.
#[test]
fn a_manager_that_cannot_be_asked_over_xsmp_is_asked_over_d_bus() {
    let kit = Kit::start_with(PODIUM, desktop::XFCE);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create(Role::Dashboard);
    let id = kit.start_session(&pupil, None);
    let screen = Desktop::of(&kit, id, &pupil);
    let _ = screen.wait_window("xfce4-panel", OFFICE_START);
    let manager = procfs::of_user(pupil.uid)
        .into_iter()
        .find(|p| p.cmdline.starts_with("xfce4-session"))
        .expect("xfce4-session runs");
    let environ = std::fs::read(format!("/proc/{}/environ", manager.pid)).expect("its environment");
    let runtime = environ
        .split(|b| *b == 0)
        .find_map(|kv| kv.strip_prefix(b"XDG_RUNTIME_DIR="))
        .map(|v| std::path::PathBuf::from(String::from_utf8_lossy(v).into_owned()))
        .expect("XDG_RUNTIME_DIR");
    let address = environ
        .split(|b| *b == 0)
        .find_map(|kv| kv.strip_prefix(b"DBUS_SESSION_BUS_ADDRESS="))
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .expect("bus");
    // xfce4-session refuses to log out while it is still starting (its
    // D-Bus state 0); a pupil logged off that early is covered by the
    // retries, this test asks a settled desktop.
    wait_until(Duration::from_secs(60), "xfce4-session has settled", || {
        let state = std::process::Command::new("runuser")
            .args([
                "-u",
                &pupil.name,
                "--",
                "env",
                &format!("DBUS_SESSION_BUS_ADDRESS={address}"),
            ])
            .args([
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.xfce.SessionManager",
            ])
            .args(["/org/xfce/SessionManager", "org.xfce.Session.Manager.GetState"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        state.contains("uint32 1")
    });
    let cookies = runtime.join("ICEauthority");
    let moved = runtime.join("ICEauthority.real");
    std::fs::rename(&cookies, &moved).expect("move the ICE cookies");
    std::os::unix::fs::symlink(&moved, &cookies).expect("link them back");
    std::os::unix::fs::lchown(&cookies, Some(pupil.uid), Some(pupil.gid)).expect("the pupil's link");

    let result = log_off_watched(&kit, &screen, &teacher, &pupil, id, 2);
    assert_eq!(result["ended"], "closed", "{result}");
    let log = kit.log();
    assert!(
        log.contains("ICEauthority") && log.contains("asking over D-Bus"),
        "XSMP was not refused for the linked cookie file: {}",
        kit.log_tail()
    );
    assert!(
        log.contains("the session manager logged the desktop out over D-Bus"),
        "xfce4-session was not asked over D-Bus: {}",
        kit.log_tail()
    );
}

/// Logs session `id` off through the dashboard's API as `teacher` with
/// `grace` seconds, watching every window mapped meanwhile; its result,
/// once it is checked that no log-out dialog of the desktop showed and
/// that nothing of the pupil is left.
fn log_off_watched(
    kit: &Kit,
    screen: &Desktop,
    teacher: &TestUser,
    pupil: &TestUser,
    id: u32,
    grace: u32,
) -> serde_json::Value {
    let watch = screen.watch();
    let web = Web::login(kit, teacher);
    let r = web.post(
        "/api/v1/sessions/logoff",
        &json!({ "sessions": [id], "grace_seconds": grace, "wait": true }),
    );
    let seen = watch.stop();
    assert_eq!(r.status, 200, "{}", r.text);
    let result = r.json()["results"][0].clone();
    assert_eq!(result["outcome"], "done", "{result}");
    eprintln!("log off outcome: {result}");
    assert!(
        logout_dialogs(&seen).is_empty(),
        "a log-out dialog of the desktop showed: {:?}",
        logout_dialogs(&seen)
    );
    assert!(
        procfs::of_user(pupil.uid).is_empty(),
        "left running: {:?}",
        procfs::of_user(pupil.uid)
    );
    result
}

/// A homework page with a text field, in the pupil's home.
fn homework_page(pupil: &TestUser) -> std::path::PathBuf {
    let page = pupil.home.join("devoir.html");
    std::fs::write(
        &page,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Devoir</title></head>\
         <body style=\"margin:0\"><textarea id=\"t\" style=\"position:absolute;left:0;top:0;\
         width:600px;height:200px\"></textarea></body></html>",
    )
    .expect("homework page");
    std::os::unix::fs::chown(&page, Some(pupil.uid), Some(pupil.gid)).expect("chown the page");
    page
}
