//! The school as this host sees it: every host's last load record and a
//! copy of every host's sessions, read from NATS. A host not heard from
//! for [`HostLoad::MISSING_AFTER`] is unreachable: its sessions are kept
//! and shown greyed, never forgotten, until it says otherwise.

use crate::record::HostLoad;
use podium_core::{HostState, SessionInfo};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

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
#[derive(Clone, Debug, Default)]
pub struct Directory {
    known: Arc<Mutex<Known>>,
}

impl Directory {
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
        let mut known = self.known();
        match session {
            Some(s) => {
                known.sessions.insert((host.to_owned(), id), s);
            }
            None => {
                known.sessions.remove(&(host.to_owned(), id));
            }
        }
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
        d.note_session("b", 3, Some(info.clone()));
        d.note_session("a", 3, Some(info));
        let hosts = d.hosts();
        assert_eq!(hosts["a"].state, HostState::Reachable);
        assert_eq!(hosts["b"].state, HostState::Unreachable);
        assert_eq!(d.state_of("a"), Some(HostState::Reachable));
        assert_eq!(d.state_of("b"), Some(HostState::Unreachable));
        assert_eq!(d.state_of("z"), None);
        assert_eq!((hosts["a"].sessions, hosts["b"].sessions), (1, 1));
        assert_eq!(d.sessions().len(), 2);
        d.note_session("b", 3, None);
        assert_eq!(d.sessions().len(), 1);
        assert!(!d.hosts().contains_key("b"));
        assert_eq!(d.state_of("b"), None);
    }
}
