//! The school as this host sees it: every host's last load record and a
//! copy of every host's sessions, read from NATS. A host not heard from
//! for [`HostLoad::MISSING_AFTER`] is unreachable: its sessions are kept
//! and shown greyed, never forgotten, until it says otherwise.

use crate::record::HostLoad;
use podium_core::{HostState, SessionInfo};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::broadcast;

/// A change of another host's session, as the directory learnt it: what
/// a school-wide events stream passes on.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A session appeared (`added`) or changed.
    Session {
        /// Its host.
        host: String,
        /// It, as it is now.
        session: Box<SessionInfo>,
        /// Whether it was not known before.
        added: bool,
    },
    /// A session is gone.
    Gone {
        /// Its host.
        host: String,
        /// Its id there.
        id: u32,
    },
    /// How a log off ended a session, as its host told (it may come
    /// before or after [`Change::Gone`]).
    Ended {
        /// Its host.
        host: String,
        /// How it ended.
        ended: Box<Ended>,
    },
}

/// How a log off ended a session: what its host says on
/// `podium.host.HOST.ended`, so that other hosts' dashboards show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ended {
    /// The session's id on its host.
    pub id: u32,
    /// Its user's uid: who may see the session may see how it ended.
    pub uid: u32,
    /// `closed`, `forced` or `failed`.
    pub end: podium_core::EndKind,
    /// What became of each application.
    #[serde(default)]
    pub applications: Vec<podium_core::AppOutcome>,
}

/// Changes kept for a slow reader before it is told it fell behind.
const CHANGES_KEPT: usize = 1024;

/// One host, as the directory knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct HostView {
    /// Whether it answers: heard from within [`HostLoad::MISSING_AFTER`].
    pub state: HostState,
    /// Its last load record (`None` for a host known only by its sessions).
    pub load: Option<HostLoad>,
    /// Milliseconds since it was last heard from (`None`: never).
    pub silent_ms: Option<u64>,
    /// Sessions of it in the directory.
    pub sessions: usize,
}

#[derive(Debug, Default)]
struct Known {
    loads: BTreeMap<String, (HostLoad, Instant)>,
    sessions: BTreeMap<(String, u32), SessionInfo>,
}

/// The school's hosts and sessions; cheap to clone, shared by the tasks
/// that feed it and the API that reads it.
#[derive(Clone, Debug)]
pub struct Directory {
    known: Arc<Mutex<Known>>,
    changes: broadcast::Sender<Change>,
}

impl Default for Directory {
    fn default() -> Directory {
        Directory {
            known: Arc::default(),
            changes: broadcast::channel(CHANGES_KEPT).0,
        }
    }
}

impl Directory {
    /// Every session change from now on (a watch renewed after a
    /// reconnection repeats nothing already known).
    #[must_use]
    pub fn changes(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// A session's copy, if known.
    #[must_use]
    pub fn session(&self, host: &str, id: u32) -> Option<SessionInfo> {
        self.known().sessions.get(&(host.to_owned(), id)).cloned()
    }

    fn known(&self) -> MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A host's heartbeat arrived.
    pub fn note_load(&self, load: HostLoad) {
        let host = load.host.clone();
        self.known().loads.insert(host, (load, Instant::now()));
    }

    /// A session's copy changed (`None`: it is gone).
    pub fn note_session(&self, host: &str, id: u32, session: Option<SessionInfo>) {
        let key = (host.to_owned(), id);
        let change = {
            let mut known = self.known();
            match session {
                Some(s) => match known.sessions.insert(key, s.clone()) {
                    Some(old) if old == s => None,
                    old => Some(Change::Session {
                        host: host.to_owned(),
                        session: Box::new(s),
                        added: old.is_none(),
                    }),
                },
                None => known.sessions.remove(&key).map(|_| Change::Gone {
                    host: host.to_owned(),
                    id,
                }),
            }
        };
        if let Some(c) = change {
            // Nobody listening is fine.
            let _ = self.changes.send(c);
        }
    }

    /// Host `host` told how a log off ended one of its sessions.
    pub fn note_ended(&self, host: &str, ended: Ended) {
        let _ = self.changes.send(Change::Ended {
            host: host.to_owned(),
            ended: Box::new(ended),
        });
    }

    /// Whether `host` was heard from recently; `None` for a host known
    /// neither by a heartbeat nor by a session.
    #[must_use]
    pub fn state_of(&self, host: &str) -> Option<HostState> {
        let known = self.known();
        match known.loads.get(host) {
            Some((_, at)) => Some(state_of(Some(*at))),
            None => known
                .sessions
                .keys()
                .any(|(h, _)| h == host)
                .then_some(HostState::Unreachable),
        }
    }

    /// Every host known, by name.
    #[must_use]
    pub fn hosts(&self) -> BTreeMap<String, HostView> {
        let known = self.known();
        let mut hosts: BTreeMap<String, HostView> = known
            .loads
            .iter()
            .map(|(name, (load, at))| {
                let view = HostView {
                    state: state_of(Some(*at)),
                    load: Some(load.clone()),
                    silent_ms: Some(u64::try_from(at.elapsed().as_millis()).unwrap_or(u64::MAX)),
                    sessions: 0,
                };
                (name.clone(), view)
            })
            .collect();
        for (host, _) in known.sessions.keys() {
            hosts
                .entry(host.clone())
                .or_insert(HostView {
                    state: HostState::Unreachable,
                    load: None,
                    silent_ms: None,
                    sessions: 0,
                })
                .sessions += 1;
        }
        hosts
    }

    /// Every session known, with its host.
    #[must_use]
    pub fn sessions(&self) -> Vec<(String, SessionInfo)> {
        self.known()
            .sessions
            .iter()
            .map(|((host, _), s)| (host.clone(), s.clone()))
            .collect()
    }
}

fn state_of(last: Option<Instant>) -> HostState {
    match last {
        Some(at) if at.elapsed() < HostLoad::MISSING_AFTER => HostState::Reachable,
        _ => HostState::Unreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_known_only_by_its_sessions_is_unreachable_and_kept() {
        let d = Directory::default();
        d.note_load(HostLoad::measure("a", 0, 50, None));
        let info: SessionInfo = serde_json::from_value(serde_json::json!({
            "id": 3, "user": "alice", "uid": 1001, "full_name": "Alice Martin", "role": "standard",
            "station": null, "state": "active", "blocked": false, "block_message": null,
            "display": ":3", "created_at": "2026-11-24T09:00:00Z", "connected_at": null,
            "logoff_deadline": null
        }))
        .expect("a session");
        let mut changes = d.changes();
        d.note_session("b", 3, Some(info.clone()));
        d.note_session("b", 3, Some(info.clone()));
        d.note_session("a", 3, Some(info.clone()));
        assert!(matches!(changes.try_recv(), Ok(Change::Session { ref host, added: true, .. }) if host == "b"));
        assert!(
            matches!(changes.try_recv(), Ok(Change::Session { ref host, added: true, .. }) if host == "a"),
            "the same copy again is no change"
        );
        assert_eq!(d.session("b", 3), Some(info));
        let hosts = d.hosts();
        assert_eq!(hosts["a"].state, HostState::Reachable);
        assert_eq!(hosts["b"].state, HostState::Unreachable);
        assert_eq!(d.state_of("a"), Some(HostState::Reachable));
        assert_eq!(d.state_of("b"), Some(HostState::Unreachable));
        assert_eq!(d.state_of("z"), None);
        assert_eq!((hosts["a"].sessions, hosts["b"].sessions), (1, 1));
        assert_eq!(d.sessions().len(), 2);
        d.note_session("b", 3, None);
        d.note_session("b", 3, None);
        assert_eq!(
            changes.try_recv().ok(),
            Some(Change::Gone {
                host: "b".into(),
                id: 3
            })
        );
        assert!(changes.try_recv().is_err(), "a session gone twice is one change");
        assert_eq!(d.sessions().len(), 1);
        assert!(!d.hosts().contains_key("b"));
        assert_eq!(d.state_of("b"), None);
    }
}
