//! Where a pupil's desktop is shown when they log in at any host of the
//! school: on the host that already runs their session, wherever it is;
//! else on the reachable host with the most room. A pupil whose session
//! runs on a host that cannot be reached now is told so, and gets no
//! second session elsewhere.
//!
//! The choice is made from the [`Directory`](crate::Directory), a copy a
//! few seconds old at most; the host the pupil is sent to checks again
//! with its own admission, which has the last word.

use crate::directory::HostView;
use podium_core::{HostState, SessionInfo};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The host deciding, as it knows itself now (not from its own heartbeat,
/// which may be two seconds old).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Here {
    /// Its name in the school.
    pub host: String,
    /// Sessions it runs now.
    pub sessions: u32,
    /// Sessions it takes (`[cluster] capacity`).
    pub capacity: u32,
}

/// Where a pupil's login goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Log in on this host: no other host holds the pupil's session, and
    /// this one has the most room (or every host is full, and this host's
    /// own admission decides).
    Here,
    /// Send the browser to `host`, reached at `address`.
    Handoff {
        /// The host.
        host: String,
        /// Where browsers reach it (`[cluster] address`).
        address: String,
        /// Whether it runs the pupil's session already (else it has the
        /// most room).
        existing: bool,
    },
    /// The pupil's session runs on `host`, which cannot be reached now
    /// (or has no address browsers can be sent to).
    Unreachable {
        /// The host.
        host: String,
    },
}

/// One host that could take a new session, by its load.
struct Candidate<'a> {
    host: &'a str,
    sessions: u32,
    capacity: u32,
    address: Option<&'a str>,
}

impl Candidate<'_> {
    fn full(&self) -> bool {
        self.sessions >= self.capacity
    }

    /// Which of two hosts is less loaded, as a share of its capacity
    /// (compared exactly, without rounding).
    fn load_cmp(&self, other: &Candidate<'_>) -> Ordering {
        let mine = u64::from(self.sessions) * u64::from(other.capacity.max(1));
        let theirs = u64::from(other.sessions) * u64::from(self.capacity.max(1));
        mine.cmp(&theirs)
    }
}

/// Where `user`'s login at `here` goes, given the school's `hosts` and
/// `sessions` as the directory knows them. A session of `user` on `here`
/// itself is the caller's to find first, in its own registry: copies of
/// this host's sessions are not believed here.
#[must_use]
pub fn place(
    here: &Here,
    hosts: &BTreeMap<String, HostView>,
    sessions: &[(String, SessionInfo)],
    user: &str,
) -> Placement {
    let address = |host: &str| {
        hosts
            .get(host)
            .and_then(|v| v.load.as_ref())
            .and_then(|l| l.address.as_deref())
            .map(|a| a.trim_end_matches('/'))
            .filter(|a| !a.is_empty())
    };
    let reachable = |host: &str| hosts.get(host).is_some_and(|v| v.state == HostState::Reachable);
    let mut owners: Vec<&str> = sessions
        .iter()
        .filter(|(host, s)| s.user == user && *host != here.host)
        .map(|(host, _)| host.as_str())
        .collect();
    owners.sort_unstable();
    owners.dedup();
    if !owners.is_empty() {
        let open = owners.iter().find(|h| reachable(h));
        return match open {
            Some(host) => match address(host) {
                Some(address) => Placement::Handoff {
                    host: (*host).to_owned(),
                    address: address.to_owned(),
                    existing: true,
                },
                None => {
                    tracing::warn!(
                        host = %host,
                        user,
                        "the user's session is on a host with no [cluster] address: browsers cannot be sent there"
                    );
                    Placement::Unreachable {
                        host: (*host).to_owned(),
                    }
                }
            },
            None => Placement::Unreachable {
                host: owners[0].to_owned(),
            },
        };
    }
    let this = Candidate {
        host: &here.host,
        sessions: here.sessions,
        capacity: here.capacity,
        address: None,
    };
    // Others with an address browsers can be sent to, by name; this host first.
    let others = hosts.iter().filter_map(|(name, view)| {
        let load = view.load.as_ref()?;
        (*name != here.host && view.state == HostState::Reachable).then_some(())?;
        Some(Candidate {
            host: name,
            sessions: load.sessions,
            capacity: load.capacity,
            address: Some(address(name)?),
        })
    });
    let best = std::iter::once(this)
        .chain(others)
        .filter(|c| !c.full())
        .reduce(|best, c| if c.load_cmp(&best) == Ordering::Less { c } else { best });
    match best {
        Some(Candidate {
            host,
            address: Some(address),
            ..
        }) => Placement::Handoff {
            host: host.to_owned(),
            address: address.to_owned(),
            existing: false,
        },
        _ => Placement::Here,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::HostLoad;

    fn view(state: HostState, sessions: u32, capacity: u32, address: Option<&str>) -> HostView {
        HostView {
            state,
            load: Some(HostLoad {
                sessions,
                capacity,
                address: address.map(str::to_owned),
                ..HostLoad::default()
            }),
            silent_ms: Some(0),
            sessions: sessions as usize,
        }
    }

    fn session(user: &str) -> SessionInfo {
        serde_json::from_value(serde_json::json!({
            "id": 3, "user": user, "uid": 1001, "full_name": "Marie Curie", "role": "standard",
            "station": null, "state": "disconnected", "blocked": false, "block_message": null,
            "display": ":3", "created_at": "2026-11-24T09:00:00Z", "connected_at": null,
            "logoff_deadline": null
        }))
        .expect("a session")
    }

    fn here(sessions: u32, capacity: u32) -> Here {
        Here {
            host: "a".into(),
            sessions,
            capacity,
        }
    }

    fn school(hosts: &[(&str, HostView)]) -> BTreeMap<String, HostView> {
        hosts.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect()
    }

    const UP: HostState = HostState::Reachable;
    const DOWN: HostState = HostState::Unreachable;

    fn handoff(host: &str, existing: bool) -> Placement {
        Placement::Handoff {
            host: host.into(),
            address: format!("https://{host}:8443"),
            existing,
        }
    }

    #[test]
    fn a_pupil_goes_to_their_session_wherever_it_runs() {
        let hosts = school(&[
            ("a", view(UP, 0, 40, Some("https://a:8443"))),
            ("b", view(UP, 30, 40, Some("https://b:8443/"))),
            ("c", view(UP, 0, 40, Some("https://c:8443"))),
        ]);
        let sessions = [("b".to_owned(), session("marie")), ("c".to_owned(), session("paul"))];
        assert_eq!(place(&here(0, 40), &hosts, &sessions, "marie"), handoff("b", true));
        // Even to a full host: the pupil's own session is there.
        let full = school(&[("b", view(UP, 40, 40, Some("https://b:8443")))]);
        assert_eq!(place(&here(0, 40), &full, &sessions, "marie"), handoff("b", true));
        // A stale copy of a session of this host's own is not believed.
        let mine = [("a".to_owned(), session("marie"))];
        assert_eq!(place(&here(0, 40), &hosts, &mine, "marie"), Placement::Here);
    }

    #[test]
    fn a_pupil_whose_session_is_cut_off_is_told_so() {
        let sessions = [("b".to_owned(), session("marie"))];
        let hosts = school(&[
            ("b", view(DOWN, 1, 40, Some("https://b:8443"))),
            ("c", view(UP, 0, 40, Some("https://c:8443"))),
        ]);
        let told = Placement::Unreachable { host: "b".into() };
        assert_eq!(place(&here(5, 40), &hosts, &sessions, "marie"), told);
        // Known only by its sessions' copies.
        assert_eq!(place(&here(5, 40), &BTreeMap::new(), &sessions, "marie"), told);
        // Reachable, but browsers cannot be sent there.
        let unaddressed = school(&[("b", view(UP, 1, 40, None))]);
        assert_eq!(place(&here(5, 40), &unaddressed, &sessions, "marie"), told);
        // Two copies (a host cut off while the pupil logged in elsewhere): the reachable one.
        let both = [("b".to_owned(), session("marie")), ("c".to_owned(), session("marie"))];
        assert_eq!(place(&here(5, 40), &hosts, &both, "marie"), handoff("c", true));
    }

    #[test]
    fn a_new_pupil_goes_to_the_least_loaded_reachable_host() {
        let hosts = school(&[
            ("a", view(UP, 0, 40, Some("https://a:8443"))),
            ("b", view(UP, 2, 40, Some("https://b:8443"))),
            ("c", view(UP, 1, 40, Some("https://c:8443"))),
            ("d", view(DOWN, 0, 40, Some("https://d:8443"))),
            ("e", view(UP, 0, 40, None)),
        ]);
        // This host's own count is its registry's, not its heartbeat's.
        assert_eq!(place(&here(2, 40), &hosts, &[], "new"), handoff("c", false));
        assert_eq!(
            place(&here(1, 40), &hosts, &[], "new"),
            Placement::Here,
            "a tie: this host"
        );
        assert_eq!(place(&here(0, 40), &hosts, &[], "new"), Placement::Here);
        // A share of capacity, not a count: 10 of 100 is less than 2 of 10.
        let shares = school(&[
            ("b", view(UP, 10, 100, Some("https://b:8443"))),
            ("c", view(UP, 2, 10, Some("https://c:8443"))),
        ]);
        assert_eq!(place(&here(3, 10), &shares, &[], "new"), handoff("b", false));
        // Ties between others go by name.
        let tied = school(&[
            ("c", view(UP, 1, 40, Some("https://c:8443"))),
            ("b", view(UP, 1, 40, Some("https://b:8443"))),
        ]);
        assert_eq!(place(&here(3, 40), &tied, &[], "new"), handoff("b", false));
        // Full hosts take nobody new; when every host is full, this host decides.
        let full = school(&[("b", view(UP, 40, 40, Some("https://b:8443")))]);
        assert_eq!(place(&here(39, 40), &full, &[], "new"), Placement::Here);
        assert_eq!(place(&here(40, 40), &full, &[], "new"), Placement::Here);
        let room = school(&[("b", view(UP, 39, 40, Some("https://b:8443")))]);
        assert_eq!(place(&here(40, 40), &room, &[], "new"), handoff("b", false));
        // A single host.
        assert_eq!(place(&here(40, 40), &BTreeMap::new(), &[], "new"), Placement::Here);
        // Another pupil's session changes nothing.
        let other = [("c".to_owned(), session("paul"))];
        assert_eq!(place(&here(2, 40), &hosts, &other, "new"), handoff("c", false));
    }
}
