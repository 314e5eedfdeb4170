//! The API fuzzed against its own OpenAPI document with schemathesis, as a
//! logged-in administrator and without a login: no 5xx, no response that
//! breaks the schema, no panic in the daemon's log.

use podium_core::Role;
use podium_testkit::web::Web;
use podium_testkit::{Kit, TestUser};
use std::path::Path;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SCHEMATHESIS: &str = "/opt/podium-test-venv/bin/schemathesis";

/// Runs schemathesis; returns (exit code, number of generated test cases, output).
fn schemathesis(kit: &Kit, cookie: Option<&str>, extra: &[&str]) -> (i32, u64, String) {
    assert!(
        Path::new(SCHEMATHESIS).exists(),
        "{SCHEMATHESIS} is missing: `make test` (scripts/install-deps.sh) installs it"
    );
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let url = format!("https://{}/api/v1/openapi.json", kit.https);
    let origin = format!("Origin: https://{}", kit.https);
    let out = std::process::Command::new(SCHEMATHESIS)
        .args([
            "--config-file",
            config,
            "--no-color",
            "run",
            &url,
            "--tls-verify",
            "false",
            "-H",
            &origin,
        ])
        .args(["--checks", "all", "--max-examples", "150", "--seed", "20261125"])
        // The WebSockets: their upgrades are checked by web_api.rs and station.rs.
        .args([
            "--exclude-path",
            "/api/v1/events",
            "--exclude-path",
            "/api/v1/station/vnc",
            // Checked by project.rs.
            "--exclude-path",
            "/api/v1/station/projection",
        ])
        .args(extra)
        .env("PODIUM_SESSION_COOKIE", cookie.unwrap_or("no-login"))
        .args(["--request-timeout", "30"])
        .env(
            "SCHEMATHESIS_HOOKS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis_hooks.py"),
        )
        .current_dir(&kit.dir)
        .output()
        .expect("run schemathesis");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = text
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" generated")
                .and_then(|(n, _)| n.trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    (out.status.code().unwrap_or(-1), generated, text)
}

#[test]
fn schemathesis_finds_no_5xx_and_no_schema_violation() {
    // Short log offs: a waited one (`"wait": true`) answers when its
    // sessions have ended; schemathesis_hooks.py keeps its grace short.
    // Open… starts a harmless program rather than a browser per request.
    let kit = Kit::start_with(
        PODIUM,
        "command = \"xclock\"\ngrace_seconds = 1\nterminate_timeout_seconds = 2\n\n[open]\nurl_command = [\"true\"]\n\n\
         [[open.programs]]\nname = \"nothing\"\nlabel = \"Nothing\"\ncommand = [\"true\"]\n",
    );
    let admin = TestUser::create(Role::Admin);
    let users: Vec<TestUser> = (0..2).map(|_| TestUser::create(Role::Standard)).collect();
    for u in &users {
        let _ = kit.start_session(u, None);
    }
    let web = Web::login(&kit, &admin);
    let cookie = web.cookie_header().expect("cookie");
    let value = cookie.split_once('=').map(|(_, v)| v.to_owned()).expect("cookie value");

    let (code, logged_in, text) = schemathesis(&kit, Some(&value), &["--exclude-path", "/api/v1/auth/logout"]);
    println!("{text}");
    assert_eq!(code, 0, "schemathesis as an administrator found problems:\n{text}");
    let (code, anonymous, text) = schemathesis(&kit, None, &[]);
    println!("{text}");
    assert_eq!(code, 0, "schemathesis without a login found problems:\n{text}");
    println!("schemathesis generated {logged_in} cases logged in and {anonymous} without a login");
    assert!(
        logged_in + anonymous >= 1000,
        "at least 1000 generated cases ({logged_in} + {anonymous})"
    );
    let log = kit.log();
    assert!(!log.contains("panicked"), "the daemon panicked:\n{log}");
    assert!(
        !log.contains("internal error"),
        "the daemon reported an internal error:\n{log}"
    );
}
