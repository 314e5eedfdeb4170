//! Security (SPEC §2, §8): nobody acts beyond their role, on either
//! channel, and the proof is the host's state rather than the answers
//! alone; a request from another site's page changes nothing; no display
//! can be reached over the network or by another user; logins are
//! throttled and audited, and passwords are never written down.
//!
//! Real users, real sessions, a real daemon; the expected answers are
//! written here from the specification, never asked of the product.

use podium_core::{ActionResults, AuditKind, AuditList, AuditRecord, Outcome, Role, SessionInfo, StationStatus};
use podium_testkit::access::{connect_unix_as, http_get_as, run_as};
use podium_testkit::web::{Events, Web, WebReply};
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SECOND: Duration = Duration::from_secs(1);
const ROLES: [Role; 3] = [Role::Standard, Role::Dashboard, Role::Admin];

// ---------------------------------------------------------------------------
// Helpers shared by the tests.

/// The whole audit log, as root reads it.
fn audit(kit: &Kit) -> Vec<AuditRecord> {
    let out = kit.cli().args(["audit", "--json", "--limit", "10000"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str::<AuditList>(&out.stdout)
        .expect("audit --json parses")
        .records
}

/// Session `id` as root lists it, if it is there.
fn info(kit: &Kit, id: u32) -> Option<SessionInfo> {
    kit.sessions().sessions.into_iter().find(|s| s.id == id)
}

/// The session of `user`, if they have one.
fn session_of(kit: &Kit, user: &TestUser) -> Option<SessionInfo> {
    kit.sessions().sessions.into_iter().find(|s| s.uid == user.uid)
}

fn state(kit: &Kit, id: u32) -> String {
    info(kit, id).map_or_else(|| "gone".to_owned(), |s| s.state.as_str().to_owned())
}

/// Opens `web`'s user's station relay (making their session active).
fn open_relay(kit: &Kit, web: &Web, id: u32) -> Events {
    let ws = Events::station(kit, web, "").expect("the station relay opens");
    wait_until(5 * SECOND, "the session is active", || state(kit, id) == "active");
    ws
}

fn station(web: &Web) -> StationStatus {
    let r = web.get("/api/v1/station");
    assert_eq!(r.status, 200, "{}", r.text);
    r.parse()
}

fn role_word(r: Role) -> &'static str {
    match r {
        Role::Standard => "standard",
        Role::Dashboard => "dashboard",
        Role::Admin => "admin",
    }
}

// ---------------------------------------------------------------------------
// 1. The permission matrix.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    /// The CLI (and, for thumbnails, plain HTTP) over the control socket.
    Socket,
    /// The HTTPS API with a login cookie.
    Https,
}

impl Channel {
    fn name(self) -> &'static str {
        match self {
            Channel::Socket => "socket",
            Channel::Https => "https",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A session of another user of this role.
    Other(Role),
    /// The caller's own session.
    Own,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Other(r) => role_word(r),
            Target::Own => "own",
        }
    }
}

/// The actions on a session, in the order the matrix performs them on each
/// target (log off last: it ends what the others need).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    Thumbnail,
    Message,
    Project,
    Block,
    Unblock,
    Open,
    Disconnect,
    Logoff,
    /// The dashboard's View: a viewer relay of the session (issue 19).
    View,
    /// Take control: a viewer relay that drives the desktop.
    Control,
}

const SESSION_ACTS: [Act; 10] = [
    Act::Thumbnail,
    Act::Message,
    Act::Project,
    Act::Block,
    Act::Unblock,
    Act::Open,
    Act::Disconnect,
    Act::Logoff,
    Act::View,
    Act::Control,
];

impl Act {
    fn word(self) -> &'static str {
        match self {
            Act::Thumbnail => "thumbnail",
            Act::Message => "message",
            Act::Project => "project",
            Act::Block => "block",
            Act::Unblock => "unblock",
            Act::Open => "open",
            Act::Disconnect => "disconnect",
            Act::Logoff => "logoff",
            Act::View => "view",
            Act::Control => "control",
        }
    }

    /// The audit record an action that was done leaves.
    fn audit_kind(self) -> Option<AuditKind> {
        match self {
            Act::Thumbnail => None,
            Act::Message => Some(AuditKind::Message),
            Act::Project => Some(AuditKind::Project),
            Act::Block => Some(AuditKind::Block),
            Act::Unblock => Some(AuditKind::Unblock),
            Act::Open => Some(AuditKind::Open),
            Act::Disconnect => Some(AuditKind::Disconnect),
            Act::Logoff => Some(AuditKind::Logoff),
            Act::View => Some(AuditKind::View),
            Act::Control => Some(AuditKind::Control),
        }
    }
}

/// SPEC §2, read on its own:
/// - a standard user may "disconnect and log off **their own** session"
///   and sees only it;
/// - a dashboard user has "all of the above, plus … see every controlled
///   session, log off / disconnect / block / unblock / message sessions of
///   standard users and of other dashboard users; never an administrator's";
///   Open… (§5) is one more action of the dashboard's, under the same rule;
/// - an administrator may do "everything";
/// - "an action never targets the caller's own session unless the caller
///   names it explicitly as their own log off" (disconnecting it is the
///   standard user's right above, which every role has).
fn spec_allows(caller: Role, target: Target, act: Act) -> bool {
    match (target, act) {
        (Target::Own, Act::Thumbnail | Act::Logoff | Act::Disconnect) => true,
        (
            Target::Own,
            Act::Message | Act::Project | Act::Block | Act::Unblock | Act::Open | Act::View | Act::Control,
        ) => false,
        (Target::Other(_), Act::Thumbnail) => caller != Role::Standard,
        (Target::Other(owner), _) => match caller {
            Role::Admin => true,
            Role::Dashboard => owner != Role::Admin,
            Role::Standard => false,
        },
    }
}

/// The audit log belongs to the dashboard, which standard users do not have.
fn spec_allows_audit(caller: Role) -> bool {
    caller != Role::Standard
}

/// SPEC §7: `session start USER` is for administrators only.
fn spec_allows_start_for_another(caller: Role) -> bool {
    caller == Role::Admin
}

/// When `act` is audited, the audit `records` hold exactly one record of
/// it by `actor` on session `id`: done when `allowed`, else refused.
fn audited_once(records: &[AuditRecord], actor: &str, id: u32, act: Act, allowed: bool, what: &str) {
    let Some(kind) = act.audit_kind() else {
        return;
    };
    let mine: Vec<&AuditRecord> = records
        .iter()
        .filter(|r| r.actor == actor && r.session == Some(id))
        .collect();
    let done = mine.iter().filter(|r| r.kind == kind).count();
    let refused = mine
        .iter()
        .filter(|r| r.kind == AuditKind::Refused && r.action.as_deref() == Some(act.word()))
        .count();
    // A view or a control is audited at its start and its end; a plain
    // GET of the viewer route (the socket's cell) starts neither.
    let done_expected: &[usize] = match act {
        Act::View | Act::Control if allowed => &[0, 2],
        _ if allowed => &[1],
        _ => &[0],
    };
    assert!(
        done_expected.contains(&done) && refused == usize::from(!allowed),
        "{what}: audited once, as done or refused: {mine:?}"
    );
}

/// `p` asks, over `channel`, for a session for `target`: whether it was
/// granted (a refusal must say why).
fn ask_start(kit: &Kit, channel: Channel, p: &Person, target: &TestUser, what: &str) -> bool {
    match channel {
        Channel::Socket => {
            let out = kit
                .cli()
                .as_user(&p.user)
                .args(["session", "start", &target.name, "--json"])
                .run();
            match out.code {
                0 => {
                    let s: SessionInfo = serde_json::from_str(&out.stdout).expect("session JSON");
                    assert_eq!(s.user, target.name, "{what}");
                    true
                }
                1 => {
                    assert!(out.stderr.contains("only administrators"), "{what}: {}", out.stderr);
                    false
                }
                c => panic!("{what}: exit {c}: {}{}", out.stdout, out.stderr),
            }
        }
        Channel::Https => {
            let r = p.web.post("/api/v1/sessions", &json!({"user": target.name}));
            match r.status {
                201 => true,
                403 => {
                    assert_eq!(r.json()["error"]["code"], "forbidden", "{what}");
                    false
                }
                s => panic!("{what}: {s}: {}", r.text),
            }
        }
    }
}

/// One user of the matrix, with their web login, session and station.
struct Person {
    role: Role,
    user: TestUser,
    web: Web,
    session: u32,
    relay: Option<Events>,
}

/// One checked cell.
struct Cell {
    channel: Channel,
    caller: Role,
    target: &'static str,
    action: &'static str,
    allowed: bool,
}

struct Matrix<'k> {
    kit: &'k Kit,
    /// Callers (standard, dashboard, administrator), then the targets'
    /// owners in the same order.
    people: Vec<Person>,
    /// Users with no session, one per role, to start sessions for.
    newcomers: Vec<(Role, TestUser)>,
    last_audit: i64,
    cells: Vec<Cell>,
}

impl Matrix<'_> {
    /// Audit records written since the last call.
    fn new_records(&mut self) -> Vec<AuditRecord> {
        let fresh: Vec<AuditRecord> = audit(self.kit).into_iter().filter(|r| r.id > self.last_audit).collect();
        if let Some(max) = fresh.iter().map(|r| r.id).max() {
            self.last_audit = max;
        }
        fresh
    }

    /// Asks for `act` on session `id` as person `caller`; whether it was
    /// reported done (`false`: refused, with a reason). Any other answer fails.
    fn ask(&self, channel: Channel, caller: usize, act: Act, id: u32, tag: &str) -> bool {
        let p = &self.people[caller];
        let what = format!("{} {} as {} on session {id}", channel.name(), act.word(), p.user.name);
        if act == Act::Thumbnail {
            let path = format!("/api/v1/sessions/{id}/thumbnail");
            let (status, content_type, body) = match channel {
                Channel::Socket => {
                    let r = http_get_as(&p.user, &self.kit.socket, &path);
                    (r.status, r.header("content-type").unwrap_or("").to_owned(), r.body)
                }
                Channel::Https => {
                    let (s, h, b) = p.web.get_bytes(&path, &[]);
                    let ct = h
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    (s, ct, b)
                }
            };
            return match status {
                200 => {
                    assert_eq!(content_type, "image/jpeg", "{what}");
                    assert!(body.starts_with(&[0xFF, 0xD8, 0xFF]), "{what}: a JPEG picture");
                    true
                }
                404 => {
                    assert!(!body.starts_with(&[0xFF, 0xD8]), "{what}: no picture with a refusal");
                    let v: Value = serde_json::from_slice(&body).expect("an error body");
                    assert_eq!(v["error"]["code"], "not_found", "{what}");
                    false
                }
                other => panic!("{what}: status {other}: {}", String::from_utf8_lossy(&body)),
            };
        }
        if matches!(act, Act::View | Act::Control) {
            return self.ask_view(channel, caller, act, id, &what);
        }
        let results: ActionResults = match channel {
            Channel::Socket => {
                let id_s = id.to_string();
                let mut args = vec!["session", act.word(), id_s.as_str()];
                match act {
                    Act::Logoff => args.extend(["--grace", "0", "--yes"]),
                    Act::Block => args.extend(["--message", tag]),
                    Act::Message => args.extend(["--text", tag]),
                    Act::Open => args.extend(["--program", "touch"]),
                    _ => {}
                }
                args.push("--json");
                let out = self.kit.cli().as_user(&p.user).args(&args).run();
                let r: ActionResults = serde_json::from_str(&out.stdout)
                    .unwrap_or_else(|e| panic!("{what}: {e}: {}{}", out.stdout, out.stderr));
                let done = r.results.iter().all(|x| x.outcome == Outcome::Done);
                assert_eq!(out.code, if done { 0 } else { 1 }, "{what}: exit status");
                r
            }
            Channel::Https => {
                let body = match act {
                    Act::Logoff => json!({"sessions": [id], "grace_seconds": 0, "wait": true}),
                    Act::Block => json!({"sessions": [id], "message": tag}),
                    Act::Message => json!({"sessions": [id], "text": tag}),
                    Act::Open => json!({"sessions": [id], "program": "touch"}),
                    _ => json!({"sessions": [id]}),
                };
                let r = p.web.post(&format!("/api/v1/sessions/{}", act.word()), &body);
                assert_eq!(r.status, 200, "{what}: {}", r.text);
                r.parse()
            }
        };
        assert_eq!(results.results.len(), 1, "{what}: {results:?}");
        let r = &results.results[0];
        assert_eq!(r.session, id, "{what}");
        match r.outcome {
            Outcome::Done => true,
            Outcome::Refused => {
                assert!(r.reason.as_deref().is_some_and(|x| !x.is_empty()), "{what}: a reason");
                false
            }
            other => panic!("{what}: outcome {other:?}: {r:?}"),
        }
    }

    /// View or Control: over HTTPS a real viewer relay, closed at once and
    /// waited for until its end is audited; over the socket a plain GET,
    /// which answers 400 (not a WebSocket) when allowed, 403 when not.
    fn ask_view(&self, channel: Channel, caller: usize, act: Act, id: u32, what: &str) -> bool {
        let p = &self.people[caller];
        let control = act == Act::Control;
        match channel {
            Channel::Socket => {
                let r = http_get_as(
                    &p.user,
                    &self.kit.socket,
                    &format!("/api/v1/sessions/{id}/vnc?control={control}"),
                );
                match r.status {
                    400 => true,
                    403 => false,
                    other => panic!("{what}: status {other}: {}", String::from_utf8_lossy(&r.body)),
                }
            }
            Channel::Https => match Events::viewer(self.kit, &p.web, id, control) {
                Ok(mut ws) => {
                    assert!(ws.next_binary(5 * SECOND).is_some(), "{what}: the desktop speaks");
                    drop(ws);
                    let kind = act.audit_kind();
                    wait_until(5 * SECOND, "the watch's end is audited", || {
                        audit(self.kit).iter().any(|r| {
                            Some(r.kind) == kind
                                && r.actor == p.user.name
                                && r.session == Some(id)
                                && r.action.as_deref() == Some("end")
                        })
                    });
                    true
                }
                Err(403) => false,
                Err(other) => panic!("{what}: status {other}"),
            },
        }
    }

    /// Makes the state `act` needs to show its effect: a blocked session
    /// to unblock, a connected station to disconnect.
    fn prepare(&mut self, target: usize, act: Act) {
        let kit = self.kit;
        let id = self.people[target].session;
        match act {
            Act::Unblock if !info(kit, id).expect("target listed").blocked => {
                let out = kit
                    .cli()
                    .args(["session", "block", &id.to_string(), "--message", "set up"])
                    .run();
                assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
            }
            Act::Disconnect if self.people[target].relay.is_none() || state(kit, id) != "active" => {
                self.people[target].relay = None;
                let ws = open_relay(kit, &self.people[target].web, id);
                self.people[target].relay = Some(ws);
            }
            _ => {}
        }
    }

    /// Checks on the host that `act` on `target` happened exactly when
    /// `allowed`, and that the audit log says so; then puts back what the
    /// next cells expect.
    fn check_effect(&mut self, caller: usize, target: usize, act: Act, allowed: bool, tag: &str) {
        let kit = self.kit;
        let id = self.people[target].session;
        let actor = self.people[caller].user.name.clone();
        let what = format!("{} on session {id} by {actor}", act.word());
        let records = self.new_records();
        audited_once(&records, &actor, id, act, allowed, &what);
        match act {
            Act::Thumbnail => {}
            Act::Message => {
                let waiting = station(&self.people[target].web).messages;
                let found: Vec<_> = waiting.iter().filter(|m| m.text == tag).collect();
                assert_eq!(found.len(), usize::from(allowed), "{what}: queued messages {waiting:?}");
                if allowed {
                    assert_eq!(found[0].from, actor);
                }
            }
            Act::Project => self.project_effect(caller, id, allowed, &what),
            Act::Block => {
                let s = info(kit, id).expect("target listed");
                assert_eq!(s.blocked, allowed, "{what}: blocked");
                if allowed {
                    assert_eq!(s.block_message.as_deref(), Some(tag), "{what}");
                }
            }
            Act::Unblock => {
                let s = info(kit, id).expect("target listed");
                assert_eq!(s.blocked, !allowed, "{what}: blocked");
                if s.blocked {
                    let out = kit.cli().args(["session", "unblock", &id.to_string()]).run();
                    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
                }
            }
            Act::Disconnect => {
                let relay = self.people[target].relay.as_mut().expect("a station was open");
                if allowed {
                    assert_eq!(
                        relay.close_code(5 * SECOND),
                        Some(4002),
                        "{what}: the station is dropped"
                    );
                    wait_until(5 * SECOND, "the session shows disconnected", || {
                        state(kit, id) == "disconnected"
                    });
                    self.people[target].relay = None;
                } else {
                    assert_eq!(relay.close_code(SECOND / 4), None, "{what}: the station stays");
                    assert_eq!(state(kit, id), "active", "{what}");
                }
            }
            Act::Open => self.open_effect(target, allowed, &what),
            Act::Logoff => self.logoff_effect(target, id, allowed, &what),
            // What a viewer may do is tests/view.rs's.
            Act::View | Act::Control => {}
        }
        // Whatever was asked, the other sessions are untouched.
        let listed: BTreeSet<u32> = kit.sessions().sessions.iter().map(|s| s.id).collect();
        for p in &self.people {
            assert!(
                listed.contains(&p.session),
                "{what}: session {} is still there",
                p.session
            );
        }
    }

    /// A projection onto session `id` by `caller` shows there when
    /// `allowed`, and `--stop` takes it away again.
    fn project_effect(&mut self, caller: usize, id: u32, allowed: bool, what: &str) {
        let kit = self.kit;
        let s = info(kit, id).expect("target listed");
        assert_eq!(s.projected_by.is_some(), allowed, "{what}: projected onto");
        if allowed {
            let p = &self.people[caller];
            let out = kit.cli().as_user(&p.user).args(["session", "project", "--stop"]).run();
            assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
            assert!(
                info(kit, id).expect("target listed").projected_by.is_none(),
                "{what}: stopped"
            );
        }
    }

    /// The program Open… starts ran in `target`'s session when `allowed`,
    /// and nothing ran otherwise.
    fn open_effect(&mut self, target: usize, allowed: bool, what: &str) {
        let marker = self.people[target].user.home.join(OPENED);
        if allowed {
            wait_until(5 * SECOND, "the opened program ran in the target's session", || {
                marker.exists()
            });
            let _ = std::fs::remove_file(&marker);
        } else {
            std::thread::sleep(SECOND / 4);
            assert!(!marker.exists(), "{what}: nothing ran");
        }
    }

    /// A log off of `target`'s session `id` ended it, every process and its
    /// cgroup when `allowed` (and a new session is started for the next
    /// cells), and touched nothing otherwise.
    fn logoff_effect(&mut self, target: usize, id: u32, allowed: bool, what: &str) {
        let kit = self.kit;
        let uid = self.people[target].user.uid;
        if allowed {
            assert!(info(kit, id).is_none(), "{what}: the session left the list");
            wait_until(5 * SECOND, "every process of the session is gone", || {
                procfs::of_user(uid).is_empty()
            });
            assert!(!kit.session_cgroup_dir(id).exists(), "{what}: its cgroup is gone");
            let p = &mut self.people[target];
            p.relay = None;
            p.session = kit.start_session(&p.user, None);
        } else {
            let s = info(kit, id).expect("a refused log off leaves the session");
            assert!(
                s.logoff_deadline.is_none() && s.state.as_str() != "closing",
                "{what}: {s:?}"
            );
            assert!(!procfs::of_user(uid).is_empty(), "{what}: its processes run");
        }
    }

    fn session_cell(&mut self, channel: Channel, caller: usize, target: Target, act: Act) {
        let t = match target {
            Target::Own => caller,
            Target::Other(r) => 3 + ROLES.iter().position(|x| *x == r).expect("a role"),
        };
        let caller_role = self.people[caller].role;
        self.prepare(t, act);
        let _ = self.new_records();
        let tag = format!(
            "{} {}>{} {} #{}",
            channel.name(),
            role_word(caller_role),
            target.name(),
            act.word(),
            self.cells.len()
        );
        let id = self.people[t].session;
        let allowed = self.ask(channel, caller, act, id, &tag);
        let expected = spec_allows(caller_role, target, act);
        assert_eq!(
            allowed,
            expected,
            "{} {} by a {} user on a {} session: the answer",
            channel.name(),
            act.word(),
            role_word(caller_role),
            target.name()
        );
        self.check_effect(caller, t, act, allowed, &tag);
        self.cells.push(Cell {
            channel,
            caller: caller_role,
            target: target.name(),
            action: act.word(),
            allowed,
        });
    }

    fn audit_cell(&mut self, channel: Channel, caller: usize) {
        let p = &self.people[caller];
        let allowed = match channel {
            Channel::Socket => {
                let out = self.kit.cli().as_user(&p.user).args(["audit", "--json"]).run();
                match out.code {
                    0 => {
                        let list: AuditList = serde_json::from_str(&out.stdout).expect("audit JSON");
                        assert!(!list.records.is_empty(), "the records are there to read");
                        true
                    }
                    1 => {
                        assert!(out.stdout.is_empty(), "nothing of the log shown: {}", out.stdout);
                        assert!(!out.stderr.trim().is_empty(), "a reason");
                        false
                    }
                    c => panic!("audit as {}: exit {c}: {}", p.user.name, out.stderr),
                }
            }
            Channel::Https => {
                let r = p.web.get("/api/v1/audit");
                match r.status {
                    200 => {
                        assert!(!r.parse::<AuditList>().records.is_empty());
                        true
                    }
                    403 => {
                        assert_eq!(r.json()["error"]["code"], "forbidden");
                        assert!(!r.text.contains("\"records\""));
                        false
                    }
                    s => panic!("GET /api/v1/audit as {}: {s}: {}", p.user.name, r.text),
                }
            }
        };
        assert_eq!(
            allowed,
            spec_allows_audit(p.role),
            "{} audit as {}",
            channel.name(),
            p.user.name
        );
        self.cells.push(Cell {
            channel,
            caller: p.role,
            target: "-",
            action: "audit",
            allowed,
        });
    }

    fn start_cell(&mut self, channel: Channel, caller: usize, newcomer: usize) {
        let kit = self.kit;
        let _ = self.new_records();
        let (target_role, target) = &self.newcomers[newcomer];
        let p = &self.people[caller];
        let what = format!(
            "{} start for {} ({}) as {}",
            channel.name(),
            target.name,
            role_word(*target_role),
            p.user.name
        );
        let markers = target.pam_markers().len();
        let allowed = ask_start(kit, channel, p, target, &what);
        assert_eq!(allowed, spec_allows_start_for_another(p.role), "{what}: the answer");
        let (caller_role, caller_name) = (p.role, p.user.name.clone());
        let (target_role, target_name, target_uid) = (*target_role, target.name.clone(), target.uid);
        let records = self.new_records();
        let mine: Vec<&AuditRecord> = records
            .iter()
            .filter(|r| r.actor == caller_name && r.target_user.as_deref() == Some(target_name.as_str()))
            .collect();
        let target = &self.newcomers[newcomer].1;
        if allowed {
            let s = session_of(kit, target).unwrap_or_else(|| panic!("{what}: a session is listed"));
            assert!(!procfs::of_user(target_uid).is_empty(), "{what}: its desktop runs");
            assert!(target.pam_markers().len() > markers, "{what}: a PAM session was opened");
            assert_eq!(
                mine.iter().filter(|r| r.kind == AuditKind::SessionStart).count(),
                1,
                "{what}: {mine:?}"
            );
            let out = kit
                .cli()
                .args(["session", "logoff", &s.id.to_string(), "--grace", "0"])
                .run();
            assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
            wait_until(5 * SECOND, "the started session is gone", || {
                procfs::of_user(target_uid).is_empty()
            });
        } else {
            assert!(session_of(kit, target).is_none(), "{what}: no session");
            assert!(procfs::of_user(target_uid).is_empty(), "{what}: no process");
            assert_eq!(target.pam_markers().len(), markers, "{what}: PAM was never asked");
            assert_eq!(
                mine.iter()
                    .filter(|r| r.kind == AuditKind::Refused && r.action.as_deref() == Some("start"))
                    .count(),
                1,
                "{what}: {mine:?}"
            );
        }
        self.cells.push(Cell {
            channel,
            caller: caller_role,
            target: role_word(target_role),
            action: "start",
            allowed,
        });
    }

    /// The table, as the test prints it.
    fn table(&self) -> String {
        let mut out = String::new();
        let total = self.cells.len();
        let allowed = self.cells.iter().filter(|c| c.allowed).count();
        out.push_str(&format!(
            "permission matrix: {total} cells checked, {allowed} allowed, {} refused\n",
            total - allowed
        ));
        for channel in [Channel::Socket, Channel::Https] {
            let cells: Vec<&Cell> = self.cells.iter().filter(|c| c.channel == channel).collect();
            let a = cells.iter().filter(|c| c.allowed).count();
            out.push_str(&format!(
                "  {}: {} cells, {a} allowed, {} refused\n",
                channel.name(),
                cells.len(),
                cells.len() - a
            ));
        }
        let mut actions: Vec<&str> = SESSION_ACTS.iter().map(|a| a.word()).collect();
        actions.extend(["audit", "start"]);
        out.push_str(&format!("\n{:<8} {:<10} {:<10}", "channel", "caller", "target"));
        for a in &actions {
            out.push_str(&format!(" {a:<10}"));
        }
        out.push('\n');
        for channel in [Channel::Socket, Channel::Https] {
            for caller in ROLES {
                for target in ["standard", "dashboard", "admin", "own", "-"] {
                    let row: Vec<String> = actions
                        .iter()
                        .map(|a| {
                            self.cells
                                .iter()
                                .find(|c| {
                                    c.channel == channel && c.caller == caller && c.target == target && c.action == *a
                                })
                                .map_or_else(
                                    || ".".to_owned(),
                                    |c| if c.allowed { "allowed" } else { "refused" }.to_owned(),
                                )
                        })
                        .collect();
                    if row.iter().all(|c| c == ".") {
                        continue;
                    }
                    out.push_str(&format!(
                        "{:<8} {:<10} {:<10}",
                        channel.name(),
                        role_word(caller),
                        target
                    ));
                    for c in row {
                        out.push_str(&format!(" {c:<10}"));
                    }
                    out.push('\n');
                }
            }
        }
        out.push_str(
            "(start: a session for another user of the target's role, who has none; audit: reading the audit log;\n \
             socket: the CLI over the control socket, and plain HTTP on it for thumbnails, which have no command)\n",
        );
        out
    }
}

/// The file the matrix's Open… program makes in its user's home.
const OPENED: &str = "podium-matrix-opened";

#[test]
fn permission_matrix_every_role_target_action_and_channel_acts_exactly_as_the_spec_says() {
    // A `command` line of its own keeps the default desktop a clock.
    let kit = Kit::start_with(
        PODIUM,
        &format!(
            "command = \"xclock\"\n\n[open]\n[[open.programs]]\nname = \"touch\"\nlabel = \"Touch\"\ncommand = [\"touch\", \"{OPENED}\"]\n"
        ),
    );
    let mut people = Vec::new();
    for role in ROLES.iter().chain(ROLES.iter()) {
        let user = TestUser::create(*role);
        let session = kit.start_session(&user, None);
        let web = Web::login(&kit, &user);
        people.push(Person {
            role: *role,
            user,
            web,
            session,
            relay: None,
        });
    }
    let newcomers = ROLES.iter().map(|r| (*r, TestUser::create(*r))).collect();
    let mut m = Matrix {
        kit: &kit,
        people,
        newcomers,
        last_audit: 0,
        cells: Vec::new(),
    };
    for channel in [Channel::Socket, Channel::Https] {
        for caller in 0..3 {
            for target in [
                Target::Other(Role::Standard),
                Target::Other(Role::Dashboard),
                Target::Other(Role::Admin),
                Target::Own,
            ] {
                for act in SESSION_ACTS {
                    m.session_cell(channel, caller, target, act);
                }
            }
            m.audit_cell(channel, caller);
            for newcomer in 0..3 {
                m.start_cell(channel, caller, newcomer);
            }
        }
    }
    let table = m.table();
    println!("{table}");
    // 3 callers × (4 targets × each action + audit + 3 starts) per channel.
    assert_eq!(m.cells.len(), 2 * 3 * (4 * SESSION_ACTS.len() + 1 + 3), "{table}");
}

// ---------------------------------------------------------------------------
// 3. Cookies and cross-site requests.

/// The ways a request can come from somewhere other than this server's own
/// pages: another site, a sandboxed page (`null`), another port of the same
/// host (another origin), only a foreign `Referer`, and no origin at all.
fn foreign_headers(base: &str) -> Vec<(&'static str, String)> {
    let host = base.trim_start_matches("https://");
    let ip = host.split(':').next().unwrap_or("127.0.0.1");
    vec![
        ("origin", "https://evil.example".to_owned()),
        ("origin", "null".to_owned()),
        ("origin", format!("https://{ip}:1")),
        ("origin", format!("http://{host}.evil.example")),
        ("referer", "https://evil.example/page".to_owned()),
    ]
}

/// `POST path` with `body` and exactly the given origin header (or none).
fn post_with(web: &Web, path: &str, body: &Value, header: Option<(&str, &str)>) -> WebReply {
    let mut req = web.http.post(format!("{}{path}", web.base)).json(body);
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    let r = req.send().expect("HTTPS request");
    WebReply {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        text: r.text().expect("body"),
    }
}

/// Every way of forging `path` is refused with 403 (and with no origin at
/// all too, when `no_origin_refused`); none sets a cookie.
fn assert_forgeries_refused(web: &Web, path: &str, body: &Value, no_origin_refused: bool) -> usize {
    let mut variants: Vec<Option<(&str, String)>> = foreign_headers(&web.base).into_iter().map(Some).collect();
    if no_origin_refused {
        variants.push(None);
    }
    for v in &variants {
        let r = post_with(web, path, body, v.as_ref().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(r.status, 403, "POST {path} with {v:?}: {}", r.text);
        assert_eq!(r.json()["error"]["code"], "forbidden", "POST {path} with {v:?}");
        assert!(
            !r.headers.contains_key("set-cookie"),
            "POST {path} with {v:?} set no cookie"
        );
    }
    variants.len()
}

/// Logs `admin` in, and checks the cookie: HttpOnly, Secure,
/// SameSite=Strict, for this host only, with a long random token.
fn logged_in_with_a_strict_cookie(kit: &Kit, admin: &TestUser) -> Web {
    let web_admin = Web::new(kit);
    let r = web_admin.try_login(&admin.name, &admin.password);
    assert_eq!(r.status, 200, "{}", r.text);
    let set_cookie = r.header("set-cookie").expect("a login cookie").to_owned();
    let mut parts = set_cookie.split(';').map(str::trim);
    let (name, token) = parts.next().and_then(|p| p.split_once('=')).expect("name=value");
    assert_eq!(name, "podium_session");
    assert!(token.len() >= 32, "a long random token: {set_cookie}");
    let attributes: BTreeSet<String> = parts.map(str::to_ascii_lowercase).collect();
    for a in ["httponly", "secure", "samesite=strict", "path=/"] {
        assert!(attributes.contains(a), "{a} in {set_cookie}");
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain=")),
        "no Domain: the cookie goes to this host only ({set_cookie})"
    );
    web_admin
}

/// The routes the API's own description lists as changing something are
/// exactly those this test forges requests to: how many.
fn every_state_changing_route_is_covered(kit: &Kit) -> usize {
    let doc = Web::new(kit).get("/api/v1/openapi.json").json();
    let mut changing: BTreeSet<String> = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                changing.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/sessions",
        "/api/v1/sessions/logoff",
        "/api/v1/sessions/disconnect",
        "/api/v1/sessions/block",
        "/api/v1/sessions/unblock",
        "/api/v1/sessions/message",
        "/api/v1/sessions/open",
        "/api/v1/sessions/project",
        "/api/v1/sessions/project/stop",
        "/api/v1/station/session",
        "/api/v1/station/lock",
        "/api/v1/station/unlock",
        "/api/v1/station/messages/{id}/dismiss",
    ]
    .iter()
    .map(|p| format!("POST {p}"))
    .collect();
    assert_eq!(changing, covered, "every state-changing route is checked below");
    covered.len()
}

/// A foreign page cannot log `walker` in, and PAM is not even asked; the
/// same login from this server's page works. The forged requests sent.
fn forged_logins_are_refused(kit: &Kit, walker: &TestUser) -> usize {
    let web_walker = Web::new(kit);
    let forged = assert_forgeries_refused(
        &web_walker,
        "/api/v1/auth/login",
        &json!({"username": walker.name, "password": walker.password}),
        false,
    );
    assert_eq!(walker.pam_auth_calls(), 0, "PAM was not even asked");
    assert_eq!(web_walker.get("/api/v1/me").status, 401, "not logged in");
    let r = web_walker.try_login(&walker.name, &walker.password);
    assert_eq!(r.status, 200, "the same login from this server's page: {}", r.text);
    forged
}

/// Starting a session, blocking, unblocking, sending a message and
/// dismissing it, each forged (refused, nothing done) and then done from
/// this server's page as a control. The forged requests sent.
fn forged_actions_are_refused(
    kit: &Kit,
    web_admin: &Web,
    web_pupil: &Web,
    latecomer: &TestUser,
    pupil_id: u32,
) -> usize {
    let mut forged = 0;
    // Start a session for somebody.
    let body = json!({"user": latecomer.name});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions", &body, true);
    assert!(session_of(kit, latecomer).is_none() && procfs::of_user(latecomer.uid).is_empty());
    assert!(latecomer.pam_markers().is_empty(), "no PAM session was opened");
    assert_eq!(web_admin.post("/api/v1/sessions", &body).status, 201, "control");
    assert!(session_of(kit, latecomer).is_some());

    // Block, then unblock.
    let body = json!({"sessions": [pupil_id], "message": "forged"});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/block", &body, true);
    assert!(!info(kit, pupil_id).expect("pupil").blocked, "not blocked");
    assert_eq!(web_admin.post("/api/v1/sessions/block", &body).status, 200, "control");
    assert!(info(kit, pupil_id).expect("pupil").blocked, "control: blocked");
    let body = json!({"sessions": [pupil_id]});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/unblock", &body, true);
    assert!(info(kit, pupil_id).expect("pupil").blocked, "still blocked");
    assert_eq!(web_admin.post("/api/v1/sessions/unblock", &body).status, 200, "control");
    assert!(!info(kit, pupil_id).expect("pupil").blocked, "control: unblocked");

    // A message, then its dismissal by the pupil.
    let body = json!({"sessions": [pupil_id], "text": "forged message"});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/message", &body, true);
    assert!(station(web_pupil).messages.is_empty(), "no message queued");
    assert_eq!(web_admin.post("/api/v1/sessions/message", &body).status, 200, "control");
    let waiting = station(web_pupil).messages;
    assert_eq!(waiting.len(), 1, "control: queued");
    let path = format!("/api/v1/station/messages/{}/dismiss", waiting[0].id);
    forged += assert_forgeries_refused(web_pupil, &path, &json!({}), true);
    assert_eq!(station(web_pupil).messages.len(), 1, "still waiting");
    assert_eq!(web_pupil.post(&path, &json!({})).status, 204, "control");
    assert!(station(web_pupil).messages.is_empty(), "control: dismissed");
    forged + forged_new_actions_are_refused(kit, web_admin, pupil_id)
}

/// Open…, Project my desktop and Stop projecting, each forged (refused,
/// nothing done) and then asked from this server's page as a control:
/// an unlisted program goes on to its own check (422); the administrator's
/// desktop is projected onto the pupil's, then no longer. The forged
/// requests sent.
fn forged_new_actions_are_refused(kit: &Kit, web_admin: &Web, pupil_id: u32) -> usize {
    let mut forged = 0;
    let body = json!({"sessions": [pupil_id], "program": "unlisted"});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/open", &body, true);
    assert_eq!(web_admin.post("/api/v1/sessions/open", &body).status, 422, "control");
    let projected = || info(kit, pupil_id).expect("pupil").projected_by.is_some();
    let body = json!({"sessions": [pupil_id]});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/project", &body, true);
    assert!(!projected(), "not projected onto");
    assert_eq!(web_admin.post("/api/v1/sessions/project", &body).status, 200, "control");
    assert!(projected(), "control: projected onto");
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/project/stop", &json!({}), true);
    assert!(projected(), "still projected onto");
    assert_eq!(
        web_admin.post("/api/v1/sessions/project/stop", &json!({})).status,
        200,
        "control"
    );
    wait_until(5 * SECOND, "control: the projection stopped", || !projected());
    forged
}

/// The events and VNC WebSockets refuse other origins, and the pupil's
/// station stays connected: the upgrades refused, and the pupil's events,
/// opened from this server's page as a control.
fn foreign_websockets_are_refused(kit: &Kit, web_pupil: &Web, relay: &mut Events, pupil_id: u32) -> (usize, Events) {
    let mut sockets = 0;
    for path in ["/api/v1/events", "/api/v1/station/vnc"] {
        for (_, origin) in foreign_headers(&web_pupil.base)
            .into_iter()
            .filter(|(k, _)| *k == "origin")
        {
            assert_eq!(
                Events::open(kit, path, web_pupil.cookie_header().as_deref(), Some(&origin)).err(),
                Some(403),
                "{path} from {origin}"
            );
            sockets += 1;
        }
    }
    assert_eq!(
        relay.close_code(SECOND / 2),
        None,
        "the pupil's station was not taken over"
    );
    assert_eq!(state(kit, pupil_id), "active");
    let mut events = Events::connect(kit, web_pupil.cookie_header().as_deref(), Some(web_pupil.origin()))
        .expect("control: this server's page opens the events");
    assert_eq!(events.next(5 * SECOND).expect("a snapshot")["type"], "snapshot");
    (sockets, events)
}

/// Disconnecting the pupil, locking and unlocking the administrator's own
/// station, and opening the newcomer's session: forged, then as controls.
/// The forged requests sent.
fn forged_station_changes_are_refused(
    kit: &Kit,
    (web_admin, admin): (&Web, &TestUser),
    web_newcomer: &Web,
    newcomer: &TestUser,
    (relay, pupil_id): (&mut Events, u32),
) -> usize {
    let mut forged = 0;
    // Disconnect.
    let body = json!({"sessions": [pupil_id]});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/disconnect", &body, true);
    assert_eq!(relay.close_code(SECOND / 2), None, "the station is still connected");
    assert_eq!(state(kit, pupil_id), "active");
    assert_eq!(
        web_admin.post("/api/v1/sessions/disconnect", &body).status,
        200,
        "control"
    );
    assert_eq!(relay.close_code(5 * SECOND), Some(4002), "control: dropped");

    // Lock and unlock one's own station.
    forged += assert_forgeries_refused(web_admin, "/api/v1/station/lock", &json!({}), true);
    assert!(!station(web_admin).locked, "not locked");
    assert_eq!(
        web_admin.post("/api/v1/station/lock", &json!({})).status,
        204,
        "control"
    );
    assert!(station(web_admin).locked, "control: locked");
    let asked = admin.pam_auth_calls();
    let body = json!({"password": admin.password});
    forged += assert_forgeries_refused(web_admin, "/api/v1/station/unlock", &body, true);
    assert!(station(web_admin).locked, "still locked");
    assert_eq!(admin.pam_auth_calls(), asked, "PAM was not asked");
    assert_eq!(web_admin.post("/api/v1/station/unlock", &body).status, 204, "control");
    assert!(!station(web_admin).locked, "control: unlocked");

    // Open (create) one's own session.
    forged += assert_forgeries_refused(web_newcomer, "/api/v1/station/session", &json!({}), true);
    assert!(station(web_newcomer).session.is_none(), "no session");
    assert!(procfs::of_user(newcomer.uid).is_empty() && newcomer.pam_markers().is_empty());
    assert_eq!(
        web_newcomer.post("/api/v1/station/session", &json!({})).status,
        200,
        "control"
    );
    assert!(station(web_newcomer).session.is_some(), "control: a session");
    forged
}

/// Logging the pupil's session off and logging the administrator out:
/// forged, then as controls (the cleared cookie keeps its attributes). The
/// forged requests sent.
fn forged_log_off_and_logout_are_refused(kit: &Kit, web_admin: &Web, pupil: &TestUser, pupil_id: u32) -> usize {
    let mut forged = 0;
    // Log off.
    let body = json!({"sessions": [pupil_id], "grace_seconds": 0, "wait": true});
    forged += assert_forgeries_refused(web_admin, "/api/v1/sessions/logoff", &body, true);
    let s = info(kit, pupil_id).expect("the pupil's session is still there");
    assert!(s.logoff_deadline.is_none() && !procfs::of_user(pupil.uid).is_empty());
    assert_eq!(web_admin.post("/api/v1/sessions/logoff", &body).status, 200, "control");
    assert!(info(kit, pupil_id).is_none(), "control: logged off");

    // Log out: a foreign page cannot end the login either.
    forged += assert_forgeries_refused(web_admin, "/api/v1/auth/logout", &json!({}), true);
    assert_eq!(web_admin.get("/api/v1/me").status, 200, "still logged in");
    let r = web_admin.post("/api/v1/auth/logout", &json!({}));
    assert_eq!(r.status, 204, "control");
    let cleared = r.header("set-cookie").unwrap_or("").to_owned();
    for a in ["HttpOnly", "Secure", "SameSite=Strict", "Max-Age=0"] {
        assert!(cleared.contains(a), "{a} in the cleared cookie {cleared}");
    }
    assert_eq!(web_admin.get("/api/v1/me").status, 401, "control: logged out");
    forged
}

/// Since `start` in the audit log, `users` have exactly the control
/// actions recorded: nothing forged, no refusal.
fn no_forged_request_reached_the_host(kit: &Kit, start: i64, users: &[&String]) {
    let recorded: Vec<AuditRecord> = audit(kit)
        .into_iter()
        .filter(|r| r.id > start && users.contains(&&r.actor))
        .collect();
    let forged_records: Vec<&AuditRecord> = recorded
        .iter()
        .filter(|r| r.reason.as_deref() == Some("forged"))
        .collect();
    assert!(forged_records.is_empty(), "{forged_records:?}");
    let per_kind = |k: AuditKind| recorded.iter().filter(|r| r.kind == k).count();
    // Exactly the controls: one start, block, unblock, message, disconnect,
    // log off, logout, one login; no refusal.
    assert_eq!(per_kind(AuditKind::SessionStart), 2, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Block), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Unblock), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Message), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Disconnect), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Logoff), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Logout), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Login), 1, "{recorded:?}");
    assert_eq!(per_kind(AuditKind::Refused), 0, "{recorded:?}");
}

#[test]
fn cross_site_requests_are_refused_on_every_state_changing_route_and_change_nothing() {
    let kit = Kit::start(PODIUM);
    let admin = TestUser::create(Role::Admin);
    let pupil = TestUser::create(Role::Standard);
    let newcomer = TestUser::create(Role::Standard);
    let walker = TestUser::create(Role::Standard);
    let latecomer = TestUser::create(Role::Standard);

    // The login cookie: HttpOnly, Secure, SameSite=Strict, for this host only.
    let web_admin = logged_in_with_a_strict_cookie(&kit, &admin);

    let admin_own = kit.start_session(&admin, None);
    let pupil_id = kit.start_session(&pupil, None);
    let web_pupil = Web::login(&kit, &pupil);
    let mut relay = open_relay(&kit, &web_pupil, pupil_id);
    let web_newcomer = Web::login(&kit, &newcomer);

    // Every route that changes something, from the API's own description.
    let routes = every_state_changing_route_is_covered(&kit);
    let start_of_forgeries = audit(&kit).iter().map(|r| r.id).max().unwrap_or(0);
    let mut forged = 0;

    // Log in: a foreign page may not log anybody in (no Origin: scripts may).
    forged += forged_logins_are_refused(&kit, &walker);
    // Start a session for somebody; block, then unblock; a message, then
    // its dismissal by the pupil.
    forged += forged_actions_are_refused(&kit, &web_admin, &web_pupil, &latecomer, pupil_id);
    // The WebSockets refuse other origins, and a refused relay takes
    // nothing over: the pupil's own station stays connected.
    let (sockets, _events) = foreign_websockets_are_refused(&kit, &web_pupil, &mut relay, pupil_id);
    // Disconnect; lock and unlock one's own station; open one's session.
    forged += forged_station_changes_are_refused(
        &kit,
        (&web_admin, &admin),
        &web_newcomer,
        &newcomer,
        (&mut relay, pupil_id),
    );
    // Log off; log out.
    forged += forged_log_off_and_logout_are_refused(&kit, &web_admin, &pupil, pupil_id);

    // Not one forged request reached the host: no action, refusal or
    // login of theirs was recorded.
    let users = [&admin.name, &pupil.name, &newcomer.name, &walker.name];
    no_forged_request_reached_the_host(&kit, start_of_forgeries, &users);
    println!(
        "cross-site: {routes} routes, {forged} forged requests refused with 403, {sockets} foreign WebSocket upgrades refused"
    );
    let _ = admin_own;
}

// ---------------------------------------------------------------------------
// 4. Displays: no network listener, nobody else's.

fn mode(path: &Path) -> (u32, u32) {
    let m = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (m.mode() & 0o7777, m.uid())
}

/// The Xvnc of session `id`, from its cgroup.
fn xvnc_of(kit: &Kit, id: u32) -> procfs::Proc {
    let mut found: Vec<procfs::Proc> = procfs::in_cgroup(&kit.session_cgroup(id))
        .into_iter()
        .filter(|p| p.cmdline.starts_with("Xvnc"))
        .collect();
    assert_eq!(found.len(), 1, "one Xvnc in session {id}: {found:?}");
    found.remove(0)
}

fn xdpyinfo(user: &TestUser, display: &str, xauthority: Option<&Path>) -> (bool, String) {
    let xauth = xauthority.map(|p| p.to_string_lossy().into_owned());
    let env: Vec<(&str, &str)> = xauth.iter().map(|x| ("XAUTHORITY", x.as_str())).collect();
    let ran = run_as(user, "xdpyinfo", &["-display", display], &env);
    let ok = ran.code == 0 && ran.text().contains("name of display");
    (ok, format!("{}{}", ran.text().lines().next().unwrap_or(""), ran.stderr))
}

/// Nothing of the sessions `ids` listens on TCP: not their display
/// servers, not their desktops, not their workers; while the daemon's own
/// HTTPS listener shows, which proves the check can see one.
fn no_session_listens_on_tcp(kit: &Kit, ids: &[u32]) {
    let listening = procfs::tcp_listen_inodes();
    let daemon_sockets = procfs::socket_inodes(kit.daemon_pid());
    assert!(
        !daemon_sockets.is_disjoint(&listening),
        "the daemon's HTTPS listener shows in /proc/net/tcp"
    );
    let mut checked = 0;
    for &id in ids {
        let xvnc = xvnc_of(kit, id);
        assert!(
            !procfs::socket_inodes(xvnc.pid).is_empty(),
            "Xvnc's sockets are visible"
        );
        let mut procs = procfs::in_cgroup(&kit.session_cgroup(id));
        procs.extend(
            procfs::descendants(kit.daemon_pid())
                .into_iter()
                .filter(|p| p.cmdline.contains("session-worker")),
        );
        for p in procs {
            let tcp: Vec<u64> = procfs::socket_inodes(p.pid).intersection(&listening).copied().collect();
            assert!(tcp.is_empty(), "{} ({}) listens on TCP: {tcp:?}", p.pid, p.cmdline);
            checked += 1;
        }
        let n: u16 = info(kit, id).expect("listed").display[1..]
            .parse()
            .expect("display number");
        for port in [6000 + n, 5900 + n] {
            for addr in ["127.0.0.1", "::1"] {
                assert!(
                    std::net::TcpStream::connect((addr, port)).is_err(),
                    "nothing answers on {addr} port {port}"
                );
            }
        }
    }
    assert!(checked >= 6, "display, desktop and worker of each session looked at");
}

/// `alice`'s session directory `dir` is root's and not listable, its
/// display directory hers alone, and no file in them is readable by
/// anybody else (`bruno` tries).
fn session_files_are_private(kit: &Kit, alice: &TestUser, bruno: &TestUser, dir: &Path) {
    let display_dir = dir.join("display");
    let vnc = display_dir.join("vnc.sock");
    let xauth = display_dir.join("xauth");
    let user_xauth = PathBuf::from(format!("/run/user/{}/podium-Xauthority", alice.uid));
    assert_eq!(mode(dir), (0o711, 0), "{}", dir.display());
    assert_eq!(mode(&display_dir), (0o700, alice.uid), "{}", display_dir.display());
    assert!(
        std::fs::symlink_metadata(&vnc)
            .expect("vnc.sock")
            .file_type()
            .is_socket()
    );
    let (vnc_mode, vnc_owner) = mode(&vnc);
    assert_eq!(vnc_mode, 0o600, "vnc.sock is 0600");
    assert!(
        vnc_owner == alice.uid || vnc_owner == 0,
        "vnc.sock is the user's or root's"
    );
    assert_eq!(mode(&xauth), (0o600, alice.uid), "{}", xauth.display());
    assert_eq!(mode(&user_xauth), (0o600, alice.uid), "{}", user_xauth.display());
    assert_eq!(
        mode(user_xauth.parent().expect("runtime dir")),
        (0o700, alice.uid),
        "the runtime directory"
    );
    assert_eq!(mode(&kit.dir.join("state")), (0o700, 0), "the state directory");
    for entry in std::fs::read_dir(dir).expect("session dir").flatten() {
        let path = entry.path();
        let (m, owner) = mode(&path);
        assert_eq!(m & 0o077, 0, "{} is {m:o}: nobody else's business", path.display());
        if path != display_dir {
            assert_eq!(owner, 0, "{} is root's", path.display());
        }
        if entry.file_type().expect("type").is_file() {
            let ran = run_as(bruno, "cat", &[&path.to_string_lossy()], &[]);
            assert_ne!(ran.code, 0, "another user reads {}: {}", path.display(), ran.text());
            assert!(ran.stderr.contains("Permission denied"), "{}", ran.stderr);
        }
    }
    for path in [&xauth, &user_xauth] {
        let ran = run_as(bruno, "cat", &[&path.to_string_lossy()], &[]);
        assert!(
            ran.code != 0 && ran.stdout.is_empty(),
            "another user reads {}",
            path.display()
        );
    }
}

#[test]
fn displays_have_no_network_listener_and_only_their_own_user_gets_in() {
    let kit = Kit::start(PODIUM);
    let alice = TestUser::create(Role::Standard);
    let bruno = TestUser::create(Role::Standard);
    let alice_id = kit.start_session(&alice, None);
    let bruno_id = kit.start_session(&bruno, None);

    // No TCP listener: not the display servers, not anything else of the
    // sessions, not their workers. The daemon's own HTTPS listener is seen
    // the same way, which shows the check can see one.
    no_session_listens_on_tcp(&kit, &[alice_id, bruno_id]);

    // The files: the session's directory is root's and not listable, the
    // display's directory the user's alone, and every file in them
    // unreadable by anybody else.
    let dir = kit.session_run_dir(alice_id);
    session_files_are_private(&kit, &alice, &bruno, &dir);
    let display_dir = dir.join("display");
    let vnc = display_dir.join("vnc.sock");
    let xauth = display_dir.join("xauth");
    let user_xauth = PathBuf::from(format!("/run/user/{}/podium-Xauthority", alice.uid));

    // The VNC socket: its user gets the desktop's greeting, nobody else
    // even reaches it. The worker's socket is root's alone.
    let greeting = connect_unix_as(&alice, &vnc).expect("the user opens their own VNC socket");
    assert_eq!(greeting, b"RFB 003.008\n");
    let refused = connect_unix_as(&bruno, &vnc)
        .expect_err("another user opens the VNC socket")
        .to_string();
    assert!(refused.contains("Permission denied"), "{refused}");
    let worker = connect_unix_as(&alice, &dir.join("worker.sock"))
        .expect_err("the user opens the worker's socket")
        .to_string();
    assert!(worker.contains("Permission denied"), "{worker}");

    // The X display: its user with their cookie gets in, and sees that
    // access control is on with nobody let in by host or user name.
    let display = info(&kit, alice_id).expect("listed").display;
    let (ok, why) = xdpyinfo(&alice, &display, Some(&user_xauth));
    assert!(ok, "the user's own display: {why}");
    let xhost = run_as(
        &alice,
        "xhost",
        &[],
        &[("DISPLAY", &display), ("XAUTHORITY", &user_xauth.to_string_lossy())],
    );
    assert_eq!(xhost.code, 0, "{}", xhost.stderr);
    let xhost = xhost.text();
    assert!(xhost.starts_with("access control enabled"), "{xhost}");
    assert_eq!(
        xhost.lines().count(),
        1,
        "no host or user allowed without a cookie: {xhost}"
    );
    // Another user: without a cookie, with the files' paths, with their own
    // session's cookie, and through the network — refused every time.
    let bruno_xauth = PathBuf::from(format!("/run/user/{}/podium-Xauthority", bruno.uid));
    for attempt in [
        None,
        Some(user_xauth.as_path()),
        Some(xauth.as_path()),
        Some(bruno_xauth.as_path()),
    ] {
        let (ok, why) = xdpyinfo(&bruno, &display, attempt);
        assert!(!ok, "another user on {display} with {attempt:?}: {why}");
        assert!(why.contains("unable to open display"), "{why}");
    }
    let (ok, why) = xdpyinfo(&alice, &format!("localhost{display}"), Some(&user_xauth));
    assert!(!ok, "the display over TCP, even with the cookie: {why}");
    // And bruno's own display works for bruno: the refusals are about alice's.
    let bruno_display = info(&kit, bruno_id).expect("listed").display;
    let (ok, why) = xdpyinfo(&bruno, &bruno_display, Some(&bruno_xauth));
    assert!(ok, "{why}");
}

#[test]
fn the_registry_holding_the_display_cookies_is_root_s_alone_even_in_a_readable_directory() {
    let mut kit = Kit::start(PODIUM);
    let alice = TestUser::create(Role::Standard);
    let bruno = TestUser::create(Role::Standard);
    let id = kit.start_session(&alice, None);
    // A state directory an administrator made readable, and registry files
    // left readable by an earlier version; the daemon restarts on them.
    let state = kit.dir.join("state");
    let db_files: Vec<PathBuf> = ["podium.db", "podium.db-wal", "podium.db-shm"]
        .iter()
        .map(|f| state.join(f))
        .collect();
    let chmod = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(m)).expect("chmod");
    };
    chmod(&state, 0o755);
    for f in &db_files {
        chmod(f, 0o644);
    }
    kit.kill_daemon();
    kit.start_daemon();
    assert!(info(&kit, id).is_some(), "the session was taken back");
    let progress: Value =
        serde_json::from_slice(&std::fs::read(kit.session_run_dir(id).join("progress.json")).expect("progress"))
            .expect("progress JSON");
    let cookie = progress["cookie"].as_str().expect("the display's cookie").to_owned();
    let registry: Vec<u8> = db_files
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap_or_default())
        .collect();
    assert!(contains(&registry, &cookie), "the registry holds the display's cookie");
    for f in &db_files {
        assert_eq!(mode(f), (0o600, 0), "{}", f.display());
        let ran = run_as(&bruno, "cat", &[&f.to_string_lossy()], &[]);
        assert!(
            ran.code != 0 && ran.stdout.is_empty(),
            "another user reads {}",
            f.display()
        );
        assert!(ran.stderr.contains("Permission denied"), "{}", ran.stderr);
    }
}

// ---------------------------------------------------------------------------
// 5. Logins: throttled, audited, and no password written down.

/// Every file under `dir`, read whole (the test's state, runtime and logs).
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                todo.push(e.path());
            } else if t.is_file()
                && let Ok(bytes) = std::fs::read(e.path())
            {
                out.push((e.path(), bytes));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// With the right password, a day's work: a desktop, a lock and an
/// unlock (with one `wrong` password first), and the command line against
/// the HTTPS API.
fn a_days_work(kit: &Kit, user: &TestUser, wrong: &str) {
    let web = Web::login(kit, user);
    assert_eq!(web.post("/api/v1/station/session", &json!({})).status, 200);
    assert_eq!(web.post("/api/v1/station/lock", &json!({})).status, 204);
    assert_eq!(
        web.post("/api/v1/station/unlock", &json!({"password": wrong})).status,
        401,
        "a wrong password does not unlock"
    );
    assert_eq!(
        web.post("/api/v1/station/unlock", &json!({"password": user.password}))
            .status,
        204
    );
    let out = std::process::Command::new(PODIUM)
        .args([
            "--server",
            &format!("https://{}", kit.https),
            "--user",
            &user.name,
            "--insecure",
        ])
        .args(["session", "list", "--json"])
        .env("PODIUM_PASSWORD", &user.password)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("podium --server");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Neither `user`'s password nor `wrong` is in the daemon's log, the audit
/// log, the registry database (and its WAL), or any other file the daemon
/// wrote; the user's name is, which shows these files were read.
fn no_password_is_written_down(kit: &Kit, user: &TestUser, wrong: &str) {
    let log = kit.log();
    assert!(log.contains(&user.name), "the log is being written");
    let audit_text = kit.cli().args(["audit", "--json"]).run().stdout;
    let files = files_under(&kit.dir);
    let db: Vec<&(PathBuf, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("podium.db"))
        })
        .collect();
    assert!(!db.is_empty(), "the registry database is among the files");
    assert!(
        db.iter().any(|(_, b)| contains(b, &user.name)),
        "the database holds the user's logins"
    );
    for secret in [user.password.as_str(), wrong] {
        assert!(!log.contains(secret), "a password in the daemon's log");
        assert!(!audit_text.contains(secret), "a password in the audit log");
        for (path, bytes) in &files {
            assert!(!contains(bytes, secret), "a password in {}", path.display());
        }
    }
    println!(
        "passwords: looked for in {} files ({} of the registry), the daemon's log and the audit log; found nowhere",
        files.len(),
        db.len()
    );
}

#[test]
fn failed_logins_lock_out_user_and_address_audited_and_no_password_is_ever_written_down() {
    let kit = Kit::start(PODIUM);
    let mut user = TestUser::create(Role::Dashboard);
    let other = TestUser::create(Role::Standard);
    // Distinctive passwords, right and wrong, to look for afterwards.
    let tag = format!("{}x{}", std::process::id(), kit.https.port());
    user.password = format!("Right-{tag}-Horse-Battery");
    podium_testkit::system::run(
        "sh",
        &["-c", &format!("echo '{}:{}' | chpasswd", user.name, user.password)],
    );
    let wrong = format!("Wrong-{tag}-Staple-Guess");

    // Right password, then a day's work: a desktop, a lock and an unlock
    // (one wrong password), the command line against the HTTPS API.
    a_days_work(&kit, &user, &wrong);

    // Wrong passwords: the unlock counted as one failure, so four more
    // make five, and the sixth attempt is refused without asking PAM, even
    // with the right password, and for anybody else from the same address.
    let login = |u: &str, p: &str| Web::new(&kit).try_login(u, p);
    for attempt in 1..=4 {
        let r = login(&user.name, &wrong);
        assert_eq!(r.status, 401, "wrong password {attempt}: {}", r.text);
    }
    let asked = user.pam_auth_calls();
    for p in [wrong.as_str(), user.password.as_str()] {
        let r = login(&user.name, p);
        assert_eq!(r.status, 429, "{}", r.text);
        assert_eq!(r.json()["error"]["code"], "too_many_requests");
    }
    assert_eq!(user.pam_auth_calls(), asked, "PAM was not asked while locked out");
    let r = login(&other.name, &other.password);
    assert_eq!(r.status, 429, "the address is locked out too: {}", r.text);
    assert_eq!(other.pam_auth_calls(), 0, "PAM was not asked for the other user");
    // The lock out is in the audit log, each refused attempt with its reason.
    let records = audit(&kit);
    let logins = |who: &str, outcome: &str| {
        records
            .iter()
            .filter(|r| r.kind == AuditKind::Login && r.actor == who && r.outcome == outcome)
            .collect::<Vec<_>>()
    };
    assert_eq!(logins(&user.name, "done").len(), 2, "the page and the command line");
    assert_eq!(logins(&user.name, "failed").len(), 4);
    let locked = logins(&user.name, "refused");
    assert_eq!(locked.len(), 2, "{records:?}");
    assert!(
        locked.iter().all(|r| r
            .reason
            .as_deref()
            .is_some_and(|x| x.contains("too many failed logins"))),
        "{locked:?}"
    );
    assert_eq!(logins(&other.name, "refused").len(), 1, "{records:?}");

    // Neither password is anywhere: not in the daemon's log, the audit log,
    // the registry database (and its WAL), nor any other file the daemon
    // wrote. The user's name is, which shows these files were read.
    no_password_is_written_down(&kit, &user, &wrong);
}

#[test]
fn wrong_passwords_sent_all_at_once_get_no_more_checks_than_the_limit() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let attempts = 15;
    let mut statuses: Vec<u16> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..attempts)
            .map(|i| {
                let (kit, name) = (&kit, user.name.as_str());
                s.spawn(move || Web::new(kit).try_login(name, &format!("guess-{i}")).status)
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("a login thread")).collect()
    });
    statuses.sort_unstable();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        user.pam_auth_calls(),
        5,
        "PAM asked five times, not {attempts}: {statuses:?}"
    );
    assert_eq!(checked, 5, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        attempts - 5,
        "{statuses:?}"
    );
    let records = audit(&kit);
    let refused = records
        .iter()
        .filter(|r| r.kind == AuditKind::Login && r.actor == user.name && r.outcome == "refused")
        .count();
    assert_eq!(refused, attempts - 5, "every throttled attempt audited");
}

#[test]
fn wrong_unlock_passwords_sent_all_at_once_get_no_more_checks_than_the_limit() {
    let kit = Kit::start(PODIUM);
    let user = TestUser::create(Role::Standard);
    let web = Web::login(&kit, &user);
    assert_eq!(web.post("/api/v1/station/session", &json!({})).status, 200);
    assert_eq!(web.post("/api/v1/station/lock", &json!({})).status, 204);
    let before = user.pam_auth_calls();
    let attempts = 15;
    let mut statuses: Vec<u16> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..attempts)
            .map(|i| {
                let web = &web;
                s.spawn(move || {
                    let body = json!({"password": format!("guess-{i}")});
                    web.post("/api/v1/station/unlock", &body).status
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("an unlock thread"))
            .collect()
    });
    statuses.sort_unstable();
    assert_eq!(
        user.pam_auth_calls() - before,
        5,
        "PAM asked five times, not {attempts}: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        attempts - 5,
        "{statuses:?}"
    );
    let status = web.get("/api/v1/station").json();
    assert_eq!(status["locked"], true, "still locked");
}

/// Behind a reverse proxy listed in `web.trusted_proxies`, the address the
/// proxy names in `X-Forwarded-For` is the client's: the throttle counts
/// per real address and the audit log shows it. From anyone else the
/// header is ignored, so a client cannot dodge the throttle by naming a
/// new address with each wrong password.
#[test]
fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let users: Vec<TestUser> = (0..3).map(|_| TestUser::create(Role::Standard)).collect();
    let login = |kit: &Kit, u: &TestUser, password: &str, from: &str| {
        Web::new(kit).post_with(
            "/api/v1/auth/login",
            &json!({"username": u.name, "password": password}),
            &[("x-forwarded-for", from)],
        )
    };

    // The tests' client connects from 127.0.0.1: here, a trusted proxy.
    let kit = Kit::start_with_web(PODIUM, "trusted_proxies = [\"127.0.0.1\", \"::1\"]\n");
    for attempt in 1..=5 {
        // The client's own claim (left) is not believed; the proxy's (right) is.
        let r = login(&kit, &users[0], "wrong", "6.6.6.6, 203.0.113.7");
        assert_eq!(r.status, 401, "wrong password {attempt}: {}", r.text);
    }
    let r = login(&kit, &users[1], &users[1].password, "203.0.113.7");
    assert_eq!(r.status, 429, "203.0.113.7 is locked out, whoever logs in: {}", r.text);
    let r = login(&kit, &users[1], &users[1].password, "203.0.113.8");
    assert_eq!(r.status, 200, "another address is not: {}", r.text);
    let r = login(&kit, &users[2], &users[2].password, "6.6.6.6");
    assert_eq!(r.status, 200, "nor the address the client made up: {}", r.text);
    let records = audit(&kit);
    let from = |who: &str, outcome: &str| {
        records
            .iter()
            .filter(|r| r.kind == AuditKind::Login && r.actor == who && r.outcome == outcome)
            .filter_map(|r| r.reason.clone())
            .collect::<Vec<_>>()
    };
    let failed = from(&users[0].name, "failed");
    assert_eq!(failed.len(), 5, "{records:?}");
    assert!(failed.iter().all(|r| r.ends_with("(from 203.0.113.7)")), "{failed:?}");
    assert_eq!(from(&users[1].name, "done"), ["from 203.0.113.8"]);
    assert!(from(&users[1].name, "refused")[0].contains("from 203.0.113.7"));
    drop(kit);

    // No trusted proxy: the header changes nothing.
    let kit = Kit::start(PODIUM);
    for attempt in 1..=5 {
        let r = login(&kit, &users[0], "wrong", &format!("203.0.113.{attempt}"));
        assert_eq!(r.status, 401, "wrong password {attempt}: {}", r.text);
    }
    let r = login(&kit, &users[1], &users[1].password, "203.0.113.99");
    assert_eq!(r.status, 429, "127.0.0.1 is locked out, whatever it claims: {}", r.text);
    let records = audit(&kit);
    let failed: Vec<String> = records
        .iter()
        .filter(|r| r.kind == AuditKind::Login && r.outcome == "failed")
        .filter_map(|r| r.reason.clone())
        .collect();
    assert!(failed.iter().all(|r| r.ends_with("(from 127.0.0.1)")), "{failed:?}");
}
