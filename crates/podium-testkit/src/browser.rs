//! The browser walks (tests/e2e/*.mjs): Debian's Chromium driven by
//! playwright-core against a test daemon, given its address and what the
//! test set up in `PODIUM_E2E`, reporting `N passed, N failed`.

use crate::Kit;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `tests/e2e/<script>` against `kit`'s daemon with `config` (a JSON
/// object) plus the daemon's `url`, `podium`, `socket` and the
/// `screenshots` folder (docs/screenshots), and checks that every step
/// passed and the daemon did not panic.
///
/// # Panics
/// When the walk cannot run, a step fails, or the daemon panicked.
pub fn walk(kit: &Kit, script: &str, mut config: serde_json::Value) {
    let e2e = root().join("tests/e2e");
    assert!(
        e2e.join("node_modules/playwright-core").exists() && Path::new("/usr/bin/chromium").exists(),
        "the browser tests need `npm ci` in tests/e2e and Debian's chromium: `make test` installs both"
    );
    let screenshots = root().join("docs/screenshots");
    std::fs::create_dir_all(&screenshots).expect("screenshot directory");
    let fields = config.as_object_mut().expect("the walk's config is a JSON object");
    fields.insert("url".into(), format!("https://{}/", kit.https).into());
    fields.insert("podium".into(), kit.podium.to_string_lossy().into_owned().into());
    fields.insert("socket".into(), kit.socket.to_string_lossy().into_owned().into());
    fields.insert("screenshots".into(), screenshots.to_string_lossy().into_owned().into());
    // No several-hosts test changes the machine's interfaces meanwhile.
    let _apart = crate::netlock::NetLock::shared();
    let out = std::process::Command::new("node")
        .arg(e2e.join(script))
        .env("PODIUM_E2E", config.to_string())
        .current_dir(&e2e)
        .output()
        .expect("run node");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{report}");
    assert!(
        out.status.success(),
        "the browser walk failed:\n{report}\n{}",
        kit.log_tail()
    );
    assert!(report.contains(" passed, 0 failed"), "{report}");
    assert!(!kit.log().contains("panicked"));
}
