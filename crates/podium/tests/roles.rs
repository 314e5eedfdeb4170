//! "Log off all users" and named log offs, as each role: one rule decides,
//! per session, and every refusal is reported.

use podium_core::{ActionResults, Outcome, Role};
use podium_testkit::{Kit, TestUser, procfs};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

fn outcome_of(results: &ActionResults, id: u32) -> (Outcome, Option<String>) {
    let r = results
        .results
        .iter()
        .find(|r| r.session == id)
        .unwrap_or_else(|| panic!("session {id} missing from {results:?}"));
    (r.outcome, r.reason.clone())
}

/// A standard user's `logoff --all` refuses every session of the four and
/// ends none; they see only their own session (`own`), and naming
/// another's (`other`) is refused too.
fn a_standard_user_may_act_on_no_one_else(kit: &Kit, std1: &TestUser, own: u32, other: u32) {
    let out = kit
        .cli()
        .as_user(std1)
        .args(["session", "logoff", "--all", "--grace", "0", "--json"])
        .run();
    assert_eq!(out.code, 1, "refusals exit 1: {}{}", out.stdout, out.stderr);
    let r: ActionResults = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(r.results.len(), 4);
    assert!(
        r.results
            .iter()
            .all(|r| r.outcome == Outcome::Refused && r.reason.is_some()),
        "{r:?}"
    );
    assert_eq!(kit.sessions().sessions.len(), 4);
    // …and may see only their own session.
    let listed: podium_core::SessionList =
        serde_json::from_str(&kit.cli().as_user(std1).args(["session", "list", "--json"]).run().stdout).expect("JSON");
    assert_eq!(listed.sessions.iter().map(|s| s.id).collect::<Vec<_>>(), vec![own]);
    // Naming someone else's session is refused too.
    let out = kit
        .cli()
        .as_user(std1)
        .args(["session", "logoff", &other.to_string(), "--grace", "0"])
        .run();
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("refused") && out.stdout.contains("not your session"),
        "{}",
        out.stdout
    );
}

#[test]
fn logoff_all_acts_per_session_as_each_role_may() {
    let kit = Kit::start(PODIUM);
    let std1 = TestUser::create(Role::Standard);
    let std2 = TestUser::create(Role::Standard);
    let dash = TestUser::create(Role::Dashboard);
    let adm = TestUser::create(Role::Admin);
    let s1 = kit.start_session(&std1, None);
    let s2 = kit.start_session(&std2, None);
    let sd = kit.start_session(&dash, None);
    let sa = kit.start_session(&adm, None);

    // A standard user: every target refused, nothing ends.
    a_standard_user_may_act_on_no_one_else(&kit, &std1, s1, s2);

    // A dashboard user: standard sessions end; the administrator's and their own stay.
    let out = kit
        .cli()
        .as_user(&dash)
        .args(["session", "logoff", "--all", "--grace", "0", "--json"])
        .run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let r: ActionResults = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(outcome_of(&r, s1).0, Outcome::Done);
    assert_eq!(outcome_of(&r, s2).0, Outcome::Done);
    assert_eq!(
        outcome_of(&r, sa),
        (Outcome::Refused, Some("administrator session".into()))
    );
    assert_eq!(outcome_of(&r, sd).0, Outcome::Refused);
    let table = kit
        .cli()
        .as_user(&dash)
        .args(["session", "logoff", &sa.to_string(), "--grace", "0"])
        .run();
    assert!(
        table.stdout.contains("administrator session"),
        "the reason is printed: {}",
        table.stdout
    );
    let left: Vec<u32> = kit.sessions().sessions.iter().map(|s| s.id).collect();
    assert_eq!(left, vec![sd, sa]);
    assert!(procfs::of_user(std1.uid).is_empty() && procfs::of_user(std2.uid).is_empty());
    assert!(!procfs::of_user(adm.uid).is_empty() && !procfs::of_user(dash.uid).is_empty());

    // A user may log off their own session by naming it.
    let out = kit
        .cli()
        .as_user(&dash)
        .args(["session", "logoff", &sd.to_string(), "--grace", "0"])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    // Root ends everything else.
    let out = kit.cli().args(["session", "logoff", "--all", "--grace", "0"]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(kit.sessions().sessions.is_empty());
    assert!(procfs::of_user(adm.uid).is_empty());

    // Every refusal was audited.
    let audit = kit.cli().args(["audit", "--json"]).run();
    let audit: podium_core::AuditList = serde_json::from_str(&audit.stdout).expect("JSON");
    let refusals = audit
        .records
        .iter()
        .filter(|r| r.kind == podium_core::AuditKind::Refused)
        .count();
    // std1 --all: 3 (own session left out silently), std1 named: 1, dash --all: 1, dash named: 1.
    assert_eq!(refusals, 6, "every refusal audited once");
}

#[test]
fn only_administrators_start_sessions_for_others_and_read_the_audit() {
    let kit = Kit::start(PODIUM);
    let dash = TestUser::create(Role::Dashboard);
    let std1 = TestUser::create(Role::Standard);
    let out = kit.cli().as_user(&dash).args(["session", "start", &std1.name]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("only administrators"), "{}", out.stderr);
    assert!(kit.sessions().sessions.is_empty());
    // The same answer for an account that does not exist: no probing.
    let nobody = kit
        .cli()
        .as_user(&dash)
        .args(["session", "start", "pt-no-such-account"])
        .run();
    assert_eq!((nobody.code, nobody.stderr.as_str()), (out.code, out.stderr.as_str()));
    let out = kit.cli().as_user(&std1).args(["audit"]).run();
    assert_eq!(out.code, 1, "standard users do not read the audit log");
    let out = kit.cli().as_user(&dash).args(["audit"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}
