//! The one rule that decides who may act on which session (SPEC §2).
//!
//! HTTP handlers and the Unix-socket CLI both call [`decide`]; nothing else
//! in Podium decides. Every decision is per session, so a request for five
//! sessions of which one is forbidden acts on four and refuses one.

use crate::reason::ReasonCode;
use crate::{Action, Role};
use std::fmt;

/// The person asking, as the server established it (SO_PEERCRED or login).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Login name.
    pub user: String,
    /// Numeric user id.
    pub uid: u32,
    /// Role derived from the user's groups at the time of the request.
    pub role: Role,
}

/// How a session came to be a target: named by id, or swept up by "all".
/// "All" never includes the caller's own session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// The caller gave this session's id.
    Named,
    /// The caller asked for every session.
    All,
}

/// Why an action on one session was refused: English for people
/// ([`Refusal::reason`]) and a stable word for programs ([`Refusal::code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// "All" leaves the caller's own session alone.
    OwnSessionInAll,
    /// Block, unblock and message are never aimed at oneself.
    OwnSession,
    /// Dashboard users never act on an administrator's session.
    AdministratorSession,
    /// Standard users act on their own session only.
    NotYourSession,
    /// Only a session's own user can lock it.
    LockIsPersonal,
    /// Starting a session for somebody else is for administrators.
    StartForOthers,
    /// The account may not have sessions at all.
    NotAllowedToLogOn,
}

impl Refusal {
    /// Every refusal.
    pub const ALL: [Refusal; 7] = [
        Refusal::OwnSessionInAll,
        Refusal::OwnSession,
        Refusal::AdministratorSession,
        Refusal::NotYourSession,
        Refusal::LockIsPersonal,
        Refusal::StartForOthers,
        Refusal::NotAllowedToLogOn,
    ];

    /// The reason as the API and CLI print it, and as the audit log keeps
    /// it: changing a text here changes what stored records say.
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::OwnSessionInAll => "your own session (name its id to act on it)",
            Refusal::OwnSession => "your own session",
            Refusal::AdministratorSession => "administrator session",
            Refusal::NotYourSession => "not your session",
            Refusal::LockIsPersonal => "only the session's user can lock it",
            Refusal::StartForOthers => "only administrators start sessions for other users",
            Refusal::NotAllowedToLogOn => "this account is not allowed to log on",
        }
    }

    /// The reason as the `code` of a refused result: the dashboard
    /// translates by it, so it stays the same when the English is reworded.
    #[must_use]
    pub fn code(self) -> ReasonCode {
        match self {
            Refusal::OwnSessionInAll => ReasonCode::OwnSessionInAll,
            Refusal::OwnSession => ReasonCode::OwnSession,
            Refusal::AdministratorSession => ReasonCode::AdministratorSession,
            Refusal::NotYourSession => ReasonCode::NotYourSession,
            Refusal::LockIsPersonal => ReasonCode::LockIsPersonal,
            Refusal::StartForOthers => ReasonCode::StartForOthers,
            Refusal::NotAllowedToLogOn => ReasonCode::NotAllowedToLogOn,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// May `caller` see the session of the user `owner_uid` in lists, events and
/// thumbnails?
#[must_use]
pub fn may_see(caller: &Caller, owner_uid: u32) -> bool {
    caller.role.oversees() || caller.uid == owner_uid
}

/// May `caller` perform `action` on a session owned by `owner_uid`, whose
/// role is `owner_role`, selected as `selection`?
///
/// # Errors
/// The [`Refusal`] to report for this session.
pub fn decide(
    caller: &Caller,
    owner_uid: u32,
    owner_role: Role,
    action: Action,
    selection: Selection,
) -> Result<(), Refusal> {
    let own = caller.uid == owner_uid;
    if own {
        return match (selection, action) {
            (Selection::All, _) => Err(Refusal::OwnSessionInAll),
            (Selection::Named, Action::Logoff | Action::Disconnect | Action::Lock) => Ok(()),
            (Selection::Named, _) => Err(Refusal::OwnSession),
        };
    }
    if action == Action::Lock {
        return Err(Refusal::LockIsPersonal);
    }
    match (caller.role, owner_role) {
        (Role::Admin, _) => Ok(()),
        (Role::Dashboard, Role::Admin) => Err(Refusal::AdministratorSession),
        (Role::Dashboard, _) => Ok(()),
        (Role::Standard, _) => Err(Refusal::NotYourSession),
    }
}

/// May `caller` start a session for the user `target_uid`? Administrators
/// start sessions for anyone (scripts, the demo); everybody else only for
/// themselves, through a station login. `target_may_log_on` says whether
/// the account passes the host's log-on rule (uid range, deny group).
///
/// # Errors
/// The [`Refusal`] to report.
pub fn may_start(caller: &Caller, target_uid: u32, target_may_log_on: bool) -> Result<(), Refusal> {
    if caller.uid != target_uid && caller.role != Role::Admin {
        return Err(Refusal::StartForOthers);
    }
    if !target_may_log_on {
        return Err(Refusal::NotAllowedToLogOn);
    }
    Ok(())
}

/// May `caller` ask for a session for the login name `user`, before the
/// account is even looked up? Anyone but an administrator only for
/// themselves: refused here, the answer never tells whether `user` exists.
///
/// # Errors
/// [`Refusal::StartForOthers`].
pub fn may_ask_to_start(caller: &Caller, user: &str) -> Result<(), Refusal> {
    if caller.role != Role::Admin && user != caller.user {
        return Err(Refusal::StartForOthers);
    }
    Ok(())
}

/// May `caller` read the audit log? Those who oversee sessions: dashboard
/// users and administrators.
///
/// # Errors
/// [`Refusal::NotYourSession`] for standard users.
pub fn may_read_audit(caller: &Caller) -> Result<(), Refusal> {
    if caller.role.oversees() {
        Ok(())
    } else {
        Err(Refusal::NotYourSession)
    }
}

/// May `caller` see the school's hosts (the dashboard's Systems tab)? The
/// same people as the audit log.
///
/// # Errors
/// [`Refusal::NotYourSession`] for standard users.
pub fn may_see_hosts(caller: &Caller) -> Result<(), Refusal> {
    may_read_audit(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role) -> Caller {
        Caller {
            user: "me".into(),
            uid: 5000,
            role,
        }
    }

    /// The expected answer for every role × target role × action × selection,
    /// written out independently of [`decide`] so the table is the spec.
    fn expected(caller: Role, own: bool, target: Role, action: Action, sel: Selection) -> bool {
        if own {
            return sel == Selection::Named && matches!(action, Action::Logoff | Action::Disconnect | Action::Lock);
        }
        if action == Action::Lock {
            return false;
        }
        match caller {
            Role::Admin => true,
            Role::Dashboard => target != Role::Admin,
            Role::Standard => false,
        }
    }

    #[test]
    fn every_role_target_action_and_selection_matches_the_table() {
        let roles = [Role::Standard, Role::Dashboard, Role::Admin];
        let mut cells = 0;
        for c in roles {
            for t in roles {
                for own in [false, true] {
                    if own && c != t {
                        continue;
                    }
                    for a in Action::ALL {
                        for sel in [Selection::Named, Selection::All] {
                            let owner = if own { 5000 } else { 6000 };
                            let got = decide(&caller(c), owner, t, a, sel).is_ok();
                            assert_eq!(got, expected(c, own, t, a, sel), "{c} own={own} {t} {a} {sel:?}");
                            cells += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cells, (3 * 3 + 3) * Action::ALL.len() * 2);
    }

    #[test]
    fn dashboard_user_is_told_why_an_admin_session_is_refused() {
        let r = decide(&caller(Role::Dashboard), 1, Role::Admin, Action::Logoff, Selection::All);
        assert_eq!(r, Err(Refusal::AdministratorSession));
        assert_eq!(r.unwrap_err().reason(), "administrator session");
    }

    /// Each refusal's code and English reason, written out: both are
    /// published (JSON, translations, stored audit records) and must not move.
    fn published(r: Refusal) -> (&'static str, &'static str) {
        match r {
            Refusal::OwnSessionInAll => ("own_session_in_all", "your own session (name its id to act on it)"),
            Refusal::OwnSession => ("own_session", "your own session"),
            Refusal::AdministratorSession => ("administrator_session", "administrator session"),
            Refusal::NotYourSession => ("not_your_session", "not your session"),
            Refusal::LockIsPersonal => ("lock_is_personal", "only the session's user can lock it"),
            Refusal::StartForOthers => ("start_for_others", "only administrators start sessions for other users"),
            Refusal::NotAllowedToLogOn => ("not_allowed_to_log_on", "this account is not allowed to log on"),
        }
    }

    #[test]
    fn every_refusal_has_its_own_stable_code_beside_its_unchanged_reason() {
        let mut codes = std::collections::HashSet::new();
        for r in Refusal::ALL {
            let (code, reason) = published(r);
            assert_eq!(r.code().as_str(), code, "{r:?}");
            assert_eq!(
                serde_json::to_string(&r.code()).expect("serializes"),
                format!("\"{code}\"")
            );
            assert_eq!(r.reason(), reason, "{r:?}");
            assert_eq!(r.to_string(), reason, "{r:?}");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code} is snake_case"
            );
            assert!(codes.insert(code), "{code} is used twice");
        }
        assert_eq!(codes.len(), Refusal::ALL.len());
    }

    #[test]
    fn all_never_includes_the_callers_own_session() {
        for role in [Role::Standard, Role::Dashboard, Role::Admin] {
            let r = decide(&caller(role), 5000, role, Action::Logoff, Selection::All);
            assert_eq!(r, Err(Refusal::OwnSessionInAll));
        }
    }

    #[test]
    fn standard_users_see_only_their_own_sessions() {
        assert!(may_see(&caller(Role::Standard), 5000));
        assert!(!may_see(&caller(Role::Standard), 6000));
        assert!(may_see(&caller(Role::Dashboard), 6000));
        assert!(may_see(&caller(Role::Admin), 6000));
    }

    #[test]
    fn only_administrators_start_sessions_for_others() {
        assert!(may_start(&caller(Role::Admin), 6000, true).is_ok());
        assert_eq!(
            may_start(&caller(Role::Dashboard), 6000, true),
            Err(Refusal::StartForOthers)
        );
        assert_eq!(
            may_start(&caller(Role::Standard), 6000, true),
            Err(Refusal::StartForOthers)
        );
        assert!(may_start(&caller(Role::Standard), 5000, true).is_ok());
        assert_eq!(
            may_start(&caller(Role::Admin), 6000, false),
            Err(Refusal::NotAllowedToLogOn)
        );
    }

    #[test]
    fn who_may_ask_to_start_and_read_the_audit_log() {
        let caller = |role, user: &str| Caller {
            user: user.into(),
            uid: 1000,
            role,
        };
        for (role, own, other, audit) in [
            (Role::Admin, Ok(()), Ok(()), Ok(())),
            (Role::Dashboard, Ok(()), Err(Refusal::StartForOthers), Ok(())),
            (
                Role::Standard,
                Ok(()),
                Err(Refusal::StartForOthers),
                Err(Refusal::NotYourSession),
            ),
        ] {
            let c = caller(role, "marie");
            assert_eq!(may_ask_to_start(&c, "marie"), own, "{role:?} for themselves");
            assert_eq!(may_ask_to_start(&c, "pierre"), other, "{role:?} for another");
            assert_eq!(may_read_audit(&c), audit, "{role:?} reading the audit log");
        }
    }
}
