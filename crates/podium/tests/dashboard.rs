//! The Podium Dashboard in a real browser: the walks in tests/e2e
//! (dashboard.mjs, logoff-results.mjs, systems.mjs) drive Debian's Chromium
//! with playwright-core against this real daemon, with real users and
//! sessions; these tests set them up and check each run.

use podium_core::Role;
use podium_testkit::{Kit, TestUser, browser};
use serde_json::json;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

#[test]
fn the_dashboard_works_in_a_real_browser_in_english_and_french() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let admin = TestUser::create_named(Role::Admin, "Paul Martin");
    let pupils = [
        TestUser::create_named(Role::Standard, "Alice Martin"),
        TestUser::create_named(Role::Standard, "Bruno Lefèvre"),
        TestUser::create_named(Role::Standard, "Chloé Dubois"),
    ];
    // Each desktop has its own colour and exercise, read from the user's home.
    let desktop = kit.script(
        "pupil-desktop",
        "read COLOR TITLE < \"$HOME/.podium-test-desktop\" || COLOR='#1f4e79'\n\
         xsetroot -solid \"$COLOR\"\n\
         xclock -geometry 220x220+40+40 -update 1 &\n\
         xeyes -geometry 200x140+300+40 &\n\
         xterm -geometry 90x22+40+320 -T \"$TITLE\" -e sh -c \"echo $TITLE; echo; ls -l /usr/share | head -30; exec sleep 100000\" &\n\
         wait",
    );
    let desktop = desktop.to_string_lossy().into_owned();
    let looks = [
        "#1f4e79 Fractions",
        "#5b2c6f Geography",
        "#1e6f5c Poetry",
        "#7b3f00 Marking",
        "#2e4053 Admin",
    ];
    for (u, look) in pupils.iter().chain([&teacher, &admin]).zip(looks) {
        std::fs::write(u.home.join(".podium-test-desktop"), format!("{look}\n")).expect("desktop settings");
    }
    for u in &pupils {
        let _ = kit.start_session(u, Some(&desktop));
    }
    let config = json!({
        "desktop": desktop,
        "teacher": {"user": teacher.name, "password": teacher.password, "uid": teacher.uid},
        "admin": {"user": admin.name, "uid": admin.uid},
        "pupils": pupils.iter().map(|p| json!({"user": p.name, "full_name": p.full_name, "uid": p.uid})).collect::<Vec<_>>(),
    });
    browser::walk(&kit, "dashboard.mjs", config);
}

/// A log off from the dashboard names, in each session's line of the
/// results, the application that had to be forced to close with its
/// unsaved work, once the session is gone: in English and in French.
#[test]
fn log_off_results_name_the_application_forced_to_close_in_english_and_french() {
    let kit = Kit::start_with(PODIUM, "terminate_timeout_seconds = 4");
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let pupils = [
        TestUser::create_named(Role::Standard, "Alice Martin"),
        TestUser::create_named(Role::Standard, "Bruno Lefèvre"),
        TestUser::create_named(Role::Standard, "Chloé Dubois"),
    ];
    let client = kit.test_client().display().to_string();
    // A notebook stuck on its "Save?" question, deaf to SIGTERM: forced.
    let stuck = kit.script(
        "stuck-desktop",
        &format!(
            "xsetroot -solid '#1f4e79'\n\
             xclock -geometry 220x220+40+40 -update 1 &\n\
             sh -c 'trap \"\" TERM; exec {client} never-close Notebook \"*Fractions - Notebook\"' &\n\
             wait"
        ),
    );
    let plain = kit.script(
        "plain-desktop",
        "xsetroot -solid '#5b2c6f'\n\
         xclock -geometry 220x220+40+40 -update 1 &\n\
         xeyes -geometry 200x140+300+40 &\n\
         wait",
    );
    let (stuck, plain) = (
        stuck.to_string_lossy().into_owned(),
        plain.to_string_lossy().into_owned(),
    );
    for (u, desktop) in pupils.iter().zip([&stuck, &plain, &plain]) {
        let _ = kit.start_session(u, Some(desktop));
    }
    let config = json!({
        "stuck_desktop": stuck,
        "plain_desktop": plain,
        "teacher": {"user": teacher.name, "password": teacher.password, "uid": teacher.uid},
        "pupils": pupils.iter().map(|p| json!({"user": p.name, "full_name": p.full_name, "uid": p.uid})).collect::<Vec<_>>(),
    });
    browser::walk(&kit, "logoff-results.mjs", config);
}

/// The Systems tab on a single host with two pupils' sessions: one row,
/// this host, reachable, "2 / 50", refreshed every 2 s only while shown;
/// "Systèmes" and "Joignable" in French; no such tab for a pupil, whom
/// `GET /api/v1/hosts` refuses.
#[test]
fn the_systems_tab_shows_this_host_reachable_with_its_sessions_and_only_to_dashboard_users() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let pupils = [
        TestUser::create_named(Role::Standard, "Alice Martin"),
        TestUser::create_named(Role::Standard, "Bruno Lefèvre"),
    ];
    let desktop = kit.script(
        "pupil-desktop",
        "xsetroot -solid '#1f4e79'\n\
         xclock -geometry 220x220+40+40 -update 1 &\n\
         wait",
    );
    let desktop = desktop.to_string_lossy().into_owned();
    for u in &pupils {
        let _ = kit.start_session(u, Some(&desktop));
    }
    let config = json!({
        "desktop": desktop,
        "teacher": {"user": teacher.name, "password": teacher.password, "uid": teacher.uid},
        "pupils": pupils.iter().map(|p| json!({"user": p.name, "password": p.password, "full_name": p.full_name, "uid": p.uid})).collect::<Vec<_>>(),
    });
    browser::walk(&kit, "systems.mjs", config);
}
