//! The HTTPS API with real PAM users: login, cookies, roles, visibility,
//! per-session outcomes, events, bad input, metrics.

use podium_core::{ActionResults, Outcome, Role};
use podium_testkit::web::{Events, Web};
use podium_testkit::{Kit, TestUser, procfs};
use serde_json::json;
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

fn assert_error(r: &podium_testkit::web::WebReply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    let body = r.json();
    assert_eq!(body["error"]["code"], code, "{}", r.text);
    assert!(
        body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

#[test]
fn login_sets_a_strict_cookie_and_me_tells_each_role() {
    let kit = Kit::start(PODIUM);
    for (role, word) in [
        (Role::Standard, "standard"),
        (Role::Dashboard, "dashboard"),
        (Role::Admin, "admin"),
    ] {
        let user = TestUser::create(role);
        let web = Web::new(&kit);
        assert_error(&web.get("/api/v1/me"), 401, "unauthorized");
        let r = web.try_login(&user.name, &user.password);
        assert_eq!(r.status, 200, "{}", r.text);
        let cookie = r.header("set-cookie").expect("a cookie").to_owned();
        for flag in ["podium_session=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(flag), "{flag} missing from {cookie}");
        }
        assert_eq!(
            r.json(),
            json!({"user": user.name, "full_name": user.full_name, "role": word})
        );
        assert_eq!(web.get("/api/v1/me").json()["role"], word);
        // Logging out ends the login at once.
        assert_eq!(web.post("/api/v1/auth/logout", &json!({})).status, 204);
        assert_error(&web.get("/api/v1/me"), 401, "unauthorized");
    }
}

#[test]
fn wrong_locked_expired_and_denied_accounts_cannot_log_in() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let web = Web::new(&kit);
    let wrong = web.try_login(&user.name, "not-it");
    assert_error(&wrong, 401, "unauthorized");
    let unknown = web.try_login("nobody-here", "x");
    assert_error(&unknown, 401, "unauthorized");
    assert_eq!(
        wrong.json()["error"]["message"],
        unknown.json()["error"]["message"],
        "unknown users look like wrong passwords"
    );

    let locked = TestUser::create(Role::Standard);
    podium_testkit::system::run("usermod", &["-L", &locked.name]);
    let r = web.try_login(&locked.name, &locked.password);
    assert_error(&r, 401, "unauthorized");

    let expired = TestUser::create(Role::Standard);
    podium_testkit::system::run("chage", &["-E", "0", &expired.name]);
    let r = web.try_login(&expired.name, &expired.password);
    assert_error(&r, 403, "forbidden");
    assert!(r.text.contains("expired"), "{}", r.text);

    let denied = TestUser::create(Role::Standard);
    denied.join("podium-deny");
    let r = web.try_login(&denied.name, &denied.password);
    assert_error(&r, 403, "forbidden");

    let audit = kit.cli().args(["audit"]).run().stdout;
    assert!(audit.matches("login").count() >= 5, "every attempt audited: {audit}");
    assert!(!audit.contains(&user.password), "no password in the audit log");
    assert!(
        !kit.log().contains(&user.password) && !kit.log().contains(&locked.password),
        "no password in the daemon's log"
    );
}

#[test]
fn the_sixth_wrong_password_in_a_minute_is_refused_without_asking_pam() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let web = Web::new(&kit);
    for attempt in 1..=5 {
        let r = web.try_login(&user.name, &format!("guess-{attempt}"));
        assert_error(&r, 401, "unauthorized");
    }
    assert_eq!(user.pam_auth_calls(), 5, "PAM was asked five times");
    let r = web.try_login(&user.name, "guess-6");
    assert_error(&r, 429, "too_many_requests");
    // Even the right password waits out the window.
    let r = web.try_login(&user.name, &user.password);
    assert_error(&r, 429, "too_many_requests");
    assert_eq!(user.pam_auth_calls(), 5, "PAM was not asked again");
    let audit = kit.cli().args(["audit", "--json"]).run().stdout;
    let audit: podium_core::AuditList = serde_json::from_str(&audit).expect("JSON");
    let refused = audit
        .records
        .iter()
        .filter(|r| r.kind == podium_core::AuditKind::Login && r.outcome == "refused" && r.actor == user.name)
        .count();
    assert_eq!(refused, 2, "both throttled attempts audited: {audit:?}");
    let metrics = Web::new(&kit).get("/metrics").text;
    assert!(
        metrics.contains("podium_login_failures_total{reason=\"bad_credentials\"} 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("podium_login_failures_total{reason=\"throttled\"} 2"),
        "{metrics}"
    );
}

#[test]
fn each_role_sees_the_sessions_it_may() {
    let kit = Kit::start(PODIUM);
    let std1 = TestUser::create(Role::Standard);
    let std2 = TestUser::create(Role::Standard);
    let dash = TestUser::create(Role::Dashboard);
    let adm = TestUser::create(Role::Admin);
    let s1 = kit.start_session(&std1, None);
    let _ = kit.start_session(&std2, None);
    let _ = kit.start_session(&adm, None);
    let ids = |w: &Web| -> Vec<u64> {
        w.get("/api/v1/sessions").json()["sessions"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|s| s["id"].as_u64())
            .collect()
    };
    assert_eq!(ids(&Web::login(&kit, &std1)), vec![u64::from(s1)]);
    assert_eq!(ids(&Web::login(&kit, &dash)).len(), 3);
    assert_eq!(ids(&Web::login(&kit, &adm)).len(), 3);
    let listed = Web::login(&kit, &adm).get("/api/v1/sessions").json();
    let roles: Vec<&str> = listed["sessions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["role"].as_str())
        .collect();
    assert_eq!(roles, vec!["standard", "standard", "admin"]);
}

fn permitted(caller: Role, target: Role) -> bool {
    caller == Role::Admin || (caller == Role::Dashboard && target != Role::Admin)
}

fn logoff(web: &Web, body: serde_json::Value) -> ActionResults {
    let r = web.post("/api/v1/sessions/logoff", &body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.parse()
}

#[test]
fn permission_matrix_over_https_acts_exactly_as_the_rule_says() {
    let kit = Kit::start(PODIUM);
    let roles = [Role::Standard, Role::Dashboard, Role::Admin];
    let targets: Vec<(Role, TestUser)> = roles.iter().map(|r| (*r, TestUser::create(*r))).collect();
    let mut cells = 0;
    for caller_role in roles {
        let caller = TestUser::create(caller_role);
        let web = Web::login(&kit, &caller);
        let mut own = kit.start_session(&caller, None);
        let mut ids: Vec<u32> = targets.iter().map(|(_, u)| kit.start_session(u, None)).collect();

        // Log off one, named.
        for (i, (target_role, target)) in targets.iter().enumerate() {
            let r = logoff(&web, json!({"sessions": [ids[i]], "grace_seconds": 0, "wait": true}));
            let expect = if permitted(caller_role, *target_role) {
                Outcome::Done
            } else {
                Outcome::Refused
            };
            assert_eq!(r.results.len(), 1);
            assert_eq!(r.results[0].outcome, expect, "{caller_role} → {target_role} (one)");
            assert_eq!(
                procfs::of_user(target.uid).is_empty(),
                expect == Outcome::Done,
                "host state matches the outcome"
            );
            if expect == Outcome::Done {
                ids[i] = kit.start_session(target, None);
            } else {
                assert!(r.results[0].reason.is_some());
            }
            cells += 1;
        }

        // Log off all: every other session is decided on its own; the caller's stays.
        let r = logoff(&web, json!({"all": true, "grace_seconds": 0, "wait": true}));
        assert_eq!(r.results.len(), 4, "{r:?}");
        for (i, (target_role, target)) in targets.iter().enumerate() {
            let res = r
                .results
                .iter()
                .find(|x| x.session == ids[i])
                .expect("every target reported");
            let expect = if permitted(caller_role, *target_role) {
                Outcome::Done
            } else {
                Outcome::Refused
            };
            assert_eq!(res.outcome, expect, "{caller_role} → {target_role} (all)");
            assert_eq!(procfs::of_user(target.uid).is_empty(), expect == Outcome::Done);
            if expect == Outcome::Done {
                ids[i] = kit.start_session(target, None);
            }
            cells += 1;
        }
        let mine = r
            .results
            .iter()
            .find(|x| x.session == own)
            .expect("own session reported");
        assert_eq!(
            mine.outcome,
            Outcome::Refused,
            "\"all\" leaves the caller's own session"
        );
        assert!(!procfs::of_user(caller.uid).is_empty());

        // Naming one's own session logs it off.
        let r = logoff(&web, json!({"sessions": [own], "grace_seconds": 0, "wait": true}));
        assert_eq!(
            r.results[0].outcome,
            Outcome::Done,
            "{caller_role} logs off their own session"
        );
        assert!(procfs::of_user(caller.uid).is_empty());
        own = 0;
        let _ = own;
        cells += 1;

        for id in ids {
            let _ = kit
                .cli()
                .args(["session", "logoff", &id.to_string(), "--grace", "0"])
                .run();
        }
    }
    assert_eq!(cells, 3 * (3 + 3 + 1));
}

#[test]
fn a_mixed_request_logs_off_only_what_is_allowed_and_says_why() {
    let kit = Kit::start(PODIUM);
    let dash = TestUser::create(Role::Dashboard);
    let std1 = TestUser::create(Role::Standard);
    let adm = TestUser::create(Role::Admin);
    let s = kit.start_session(&std1, None);
    let a = kit.start_session(&adm, None);
    let web = Web::login(&kit, &dash);
    let r = logoff(&web, json!({"sessions": [s, a, 999], "grace_seconds": 0, "wait": true}));
    let by_id = |id: u32| r.results.iter().find(|x| x.session == id).expect("reported").clone();
    assert_eq!(by_id(s).outcome, Outcome::Done);
    assert_eq!(
        (by_id(a).outcome, by_id(a).reason.as_deref()),
        (Outcome::Refused, Some("administrator session"))
    );
    assert_eq!(by_id(999).outcome, Outcome::NotFound);
    assert!(procfs::of_user(std1.uid).is_empty());
    assert!(!procfs::of_user(adm.uid).is_empty());
}

#[test]
fn events_show_sessions_coming_and_going_and_refuse_other_origins() {
    let kit = Kit::start(PODIUM);
    let dash = TestUser::create(Role::Dashboard);
    let std1 = TestUser::create(Role::Standard);
    let web = Web::login(&kit, &dash);
    let cookie = web.cookie_header().expect("login cookie");

    assert_eq!(
        Events::connect(&kit, None, Some(web.origin())).err(),
        Some(401),
        "not logged in"
    );
    assert_eq!(
        Events::connect(&kit, Some(&cookie), Some("https://evil.example")).err(),
        Some(403),
        "foreign origin"
    );

    let mut events = Events::connect(&kit, Some(&cookie), Some(web.origin())).expect("upgrade");
    let first = events.next(Duration::from_secs(5)).expect("a snapshot first");
    assert_eq!(first, json!({"type": "snapshot", "sessions": []}));
    let id = kit.start_session(&std1, None);
    let added = events
        .wait_for("session_added", Duration::from_secs(5))
        .expect("session_added");
    assert_eq!(added["session"]["id"], id);
    assert_eq!(added["session"]["user"], std1.name.as_str());
    let _ = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0"])
        .run();
    let removed = events
        .wait_for("session_removed", Duration::from_secs(10))
        .expect("session_removed");
    // A log off's end comes with it, and what it did to the desktop's one
    // application: xclock closes when asked (it may not have shown its
    // window yet, the session being this young; then it is not listed).
    assert_eq!(removed["type"], "session_removed");
    assert_eq!(removed["id"], id);
    assert_eq!(removed["end"], "closed", "{removed}");
    let apps = removed["applications"].as_array().cloned().unwrap_or_default();
    assert!(apps.len() <= 1, "{removed}");
    for app in apps {
        assert_eq!(
            app,
            json!({"name": "XClock", "titles": ["xclock"], "fate": "closed", "unsaved": false})
        );
    }
    let keys: Vec<&String> = removed.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert!(
        keys.iter()
            .all(|k| ["type", "id", "end", "applications"].contains(&k.as_str())),
        "{removed}"
    );

    // A standard user's stream shows only their own session.
    let other = TestUser::create(Role::Standard);
    let mine = Web::login(&kit, &std1);
    let mut own_events = Events::connect(&kit, mine.cookie_header().as_deref(), Some(mine.origin())).expect("upgrade");
    assert_eq!(
        own_events.next(Duration::from_secs(5)).expect("snapshot")["type"],
        "snapshot"
    );
    let _ = kit.start_session(&other, None);
    let own = kit.start_session(&std1, None);
    let seen = own_events
        .wait_for("session_added", Duration::from_secs(5))
        .expect("own session_added");
    assert_eq!(seen["session"]["id"], own, "the other user's session was not shown");
}

#[test]
fn bad_requests_get_a_4xx_in_the_error_format_never_a_5xx() {
    let kit = Kit::start(PODIUM);
    let adm = TestUser::create(Role::Admin);
    let web = Web::login(&kit, &adm);
    assert_error(
        &web.post_raw("/api/v1/sessions/logoff", "application/json", b"{".to_vec()),
        400,
        "bad_request",
    );
    assert_error(
        &web.post("/api/v1/sessions/logoff", &json!({"sessions": "3"})),
        400,
        "bad_request",
    );
    assert_error(
        &web.post("/api/v1/sessions/logoff", &json!({"all": true, "force": true})),
        400,
        "bad_request",
    );
    assert_error(&web.post("/api/v1/sessions/logoff", &json!({})), 400, "bad_request");
    assert_error(
        &web.post("/api/v1/sessions/logoff", &json!({"all": true, "grace_seconds": 601})),
        400,
        "bad_request",
    );
    assert_error(
        &web.post("/api/v1/sessions/logoff", &json!({"sessions": [-1]})),
        400,
        "bad_request",
    );
    assert_error(
        &web.post_raw("/api/v1/sessions/logoff", "text/plain", b"all".to_vec()),
        415,
        "unsupported_media_type",
    );
    let huge = format!("{{\"sessions\":[{}1]}}", "1,".repeat(40_000));
    assert_error(
        &web.post_raw("/api/v1/sessions/logoff", "application/json", huge.into_bytes()),
        413,
        "payload_too_large",
    );
    assert_error(&web.get("/api/v1/sessions/logoff"), 405, "method_not_allowed");
    assert_error(&web.get("/api/v1/nothing-here"), 404, "not_found");
    assert_error(&web.get("/api/v1/audit?limit=zero"), 400, "bad_request");
    assert_error(&web.get("/api/v1/audit?since=yesterday"), 400, "bad_request");
    // A login handed over by another host: this host is in no school.
    assert_error(&web.get("/api/v1/auth/handoff?token=a.b"), 404, "not_found");
    assert_error(
        &web.post("/api/v1/sessions", &json!({"user": "../etc"})),
        400,
        "bad_request",
    );
    assert_error(
        &web.post("/api/v1/sessions", &json!({"user": "nobody-at-all"})),
        404,
        "not_found",
    );
    // Cross-site: a page elsewhere cannot use the cookie to act.
    let forged = web.post_from(
        "/api/v1/sessions/logoff",
        &json!({"all": true}),
        Some("https://evil.example"),
    );
    assert_error(&forged, 403, "forbidden");
    let no_origin = web.post_from("/api/v1/sessions/logoff", &json!({"all": true}), None);
    assert_error(&no_origin, 403, "forbidden");
    assert!(!kit.log().contains("panicked"), "no panic in the daemon's log");
}

#[test]
fn metrics_count_sessions_logoffs_and_requests() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, None);
    let web = Web::new(&kit);
    let m = web.get("/metrics");
    assert_eq!(m.status, 200);
    assert!(
        m.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/plain")
    );
    assert!(
        m.text.contains("podium_sessions{state=\"disconnected\"} 1"),
        "{}",
        m.text
    );
    let _ = kit
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0"])
        .run();
    let m = web.get("/metrics").text;
    assert!(m.contains("podium_logoffs_total{outcome=\"closed\"} 1"), "{m}");
    assert!(m.contains("podium_logoff_duration_seconds_count 1"), "{m}");
    assert!(
        m.contains("podium_http_requests_total{route=\"/metrics\",status=\"200\"} 1"),
        "{m}"
    );
}

#[test]
fn the_cli_talks_to_a_remote_daemon_with_a_login() {
    let kit = Kit::start(PODIUM);
    let dash = TestUser::create(Role::Dashboard);
    let std1 = TestUser::create(Role::Standard);
    let id = kit.start_session(&std1, None);
    let url = format!("https://{}", kit.https);
    let cert = kit.dir.join("state/tls/cert.pem");
    let run = |password: &str, args: &[&str]| {
        std::process::Command::new(PODIUM)
            .args([
                "--server",
                &url,
                "--user",
                &dash.name,
                "--ca-cert",
                &cert.to_string_lossy(),
            ])
            .args(args)
            .env("PODIUM_PASSWORD", password)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("podium")
    };
    let out = run(&dash.password, &["session", "list", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let local = kit.cli().args(["session", "list", "--json"]).run().stdout;
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        local,
        "the same JSON as the API over the socket"
    );
    let out = run("wrong", &["session", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong user name or password"));
    let out = run(&dash.password, &["session", "logoff", &id.to_string(), "--grace", "0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(procfs::of_user(std1.uid).is_empty());
}

#[test]
fn the_openapi_document_covers_every_route() {
    let kit = Kit::start(PODIUM);
    let doc = Web::new(&kit).get("/api/v1/openapi.json").json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/handoff", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/sessions", "get"),
        ("/api/v1/sessions", "post"),
        ("/api/v1/sessions/logoff", "post"),
        ("/api/v1/audit", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for s in [
        "SessionInfo",
        "SessionList",
        "ActionResults",
        "LogoffRequest",
        "ErrorBody",
        "Event",
        "AuditList",
        "Me",
        "LoginAnswer",
        "Handoff",
    ] {
        assert!(schemas.contains_key(s), "schema {s}");
    }
}
