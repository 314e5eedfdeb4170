//! The log off keeps its promise on a real desktop: Debian's Xfce through
//! `/etc/X11/Xsession`, as a school runs it, with LibreOffice Writer
//! started at login as a pupil would. A sentence typed into a new document
//! and never saved is back at the pupil's next session; no log-out dialog
//! of the desktop shows up on the way; and nothing of the session is left.

use podium_core::Role;
use podium_testkit::desktop::{self, Desktop, Seen};
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

#[test]
fn libreoffice_keeps_an_unsaved_sentence_across_a_log_off() {
    let kit = Kit::start_with(PODIUM, desktop::XFCE);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create(Role::Dashboard);
    desktop::autostart(&pupil, "writer", "lowriter");

    let id = kit.start_session(&pupil, None);
    let screen = Desktop::of(&kit, id, &pupil);
    let writer = screen.wait_window("LibreOffice Writer", OFFICE_START);
    wait_until(Duration::from_secs(30), "LibreOffice listens for Podium", || {
        office_listens(pupil.uid)
    });
    let sentence = "Le chat dort sur le tapis bleu.";
    if !screen.write_document(writer, sentence) {
        screen.screenshot(&kit.path("typed.png"));
        panic!(
            "the sentence could not be typed (screen: {})",
            kit.path("typed.png").display()
        );
    }

    let watch = screen.watch();
    let web = Web::login(&kit, &teacher);
    let r = web.post(
        "/api/v1/sessions/logoff",
        &json!({ "sessions": [id], "grace_seconds": 10, "wait": true }),
    );
    let seen = watch.stop();
    assert_eq!(r.status, 200, "{}", r.text);
    let result = &r.json()["results"][0];
    assert_eq!(result["outcome"], "done", "{result}");
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
    let log = kit.log();
    assert!(log.contains("LibreOffice kept its documents"), "{}", kit.log_tail());

    // The next session: LibreOffice starts again as the pupil has it, and
    // brings the document back, sentence included, with no crash report.
    let id = kit.start_session(&pupil, None);
    let screen = Desktop::of(&kit, id, &pupil);
    let restored = screen.wait_window("Untitled 1 - LibreOffice Writer", OFFICE_START);
    assert_eq!(screen.document_text(restored).trim(), sentence, "the sentence is back");
    let windows = screen.windows();
    assert!(
        !windows.iter().any(|w| w.title.contains("Document Recovery")),
        "LibreOffice reported a crash: {windows:?}"
    );
}
