//! Desktop pictures across hosts. A host publishes its sessions' pictures
//! of a size only while another host holds a lease on that size (a
//! dashboard there shows them), only when a picture changed, on plain
//! subjects: nothing is kept by JetStream, and a host nobody watches sends
//! nothing. A watching host renews its lease every [`Lease::RENEWED`]; a
//! lease not renewed lapses after [`Lease::LASTS`], so a dashboard that
//! closes (or a host that dies) stops the pictures by itself.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// A lease on one size of a host's pictures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lease {
    /// The host that watches.
    pub from: String,
    /// The size it shows (`small`, `medium`, `large`).
    pub size: String,
    /// Send every current picture of that size now, as for a new lease:
    /// the watching host has just started showing them.
    #[serde(default)]
    pub fresh: bool,
}

impl Lease {
    /// How long a lease holds without renewal.
    pub const LASTS: Duration = Duration::from_secs(10);
    /// How often a watching host renews it.
    pub const RENEWED: Duration = Duration::from_secs(3);

    /// Whether the size can go into a subject: a short lowercase word.
    #[must_use]
    pub fn size_is_a_word(size: &str) -> bool {
        !size.is_empty() && size.len() <= 16 && size.bytes().all(|b| b.is_ascii_lowercase())
    }
}

/// The leases this host holds for others: which sizes are watched now.
#[derive(Debug)]
pub(crate) struct Leases {
    until: Mutex<BTreeMap<(String, String), Instant>>,
    started: broadcast::Sender<String>,
}

impl Default for Leases {
    fn default() -> Leases {
        Leases {
            until: Mutex::default(),
            started: broadcast::channel(16).0,
        }
    }
}

impl Leases {
    fn until(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Instant>> {
        self.until.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes `lease` at `now`; a size nobody watched before, or one a
    /// watcher asks afresh, is announced.
    pub(crate) fn take(&self, lease: Lease, now: Instant) {
        let size = lease.size.clone();
        let fresh = {
            let mut until = self.until();
            until.retain(|_, end| *end > now);
            let fresh = lease.fresh || !until.keys().any(|(_, s)| *s == lease.size);
            until.insert((lease.from, lease.size), now + Lease::LASTS);
            fresh
        };
        if fresh {
            let _ = self.started.send(size);
        }
    }

    /// Whether some host watches `size` at `now`.
    pub(crate) fn holds_at(&self, size: &str, now: Instant) -> bool {
        let mut until = self.until();
        until.retain(|_, end| *end > now);
        until.keys().any(|(_, s)| s == size)
    }

    /// Each size newly watched, as it becomes so.
    pub(crate) fn starts(&self) -> broadcast::Receiver<String> {
        self.started.subscribe()
    }
}

/// A picture of another host's session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Its host.
    pub host: String,
    /// The session's id there.
    pub id: u32,
    /// Its size's word.
    pub size: String,
    /// Its ETag, as that host gives it.
    pub etag: String,
    /// The JPEG.
    pub jpeg: Bytes,
}

/// The last picture of every other host's session, for a stream that
/// opens, and each new one as it comes.
#[derive(Debug)]
pub(crate) struct Pictures {
    last: Mutex<BTreeMap<(String, u32, String), Picture>>,
    new: broadcast::Sender<Picture>,
}

impl Default for Pictures {
    fn default() -> Pictures {
        Pictures {
            last: Mutex::default(),
            new: broadcast::channel(256).0,
        }
    }
}

impl Pictures {
    fn last(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, u32, String), Picture>> {
        self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn note(&self, p: Picture) {
        let key = (p.host.clone(), p.id, p.size.clone());
        {
            let mut last = self.last();
            if last.get(&key).is_some_and(|old| old.etag == p.etag) {
                return;
            }
            last.insert(key, p.clone());
        }
        let _ = self.new.send(p);
    }

    /// Forgets every picture: nobody here watches them any more, and
    /// they would go stale.
    pub(crate) fn clear(&self) {
        self.last().clear();
    }

    /// Forgets the pictures of a session that is gone.
    pub(crate) fn forget(&self, host: &str, id: u32) {
        self.last().retain(|(h, i, _), _| !(h == host && *i == id));
    }

    pub(crate) fn one(&self, host: &str, id: u32, size: &str) -> Option<Picture> {
        self.last().get(&(host.to_owned(), id, size.to_owned())).cloned()
    }

    pub(crate) fn of_size(&self, size: &str) -> Vec<Picture> {
        self.last().values().filter(|p| p.size == size).cloned().collect()
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Picture> {
        self.new.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(from: &str, size: &str) -> Lease {
        Lease {
            from: from.into(),
            size: size.into(),
            fresh: false,
        }
    }

    #[test]
    fn a_lease_holds_until_it_lapses_and_a_new_size_is_announced_once() {
        let leases = Leases::default();
        let mut starts = leases.starts();
        let t0 = Instant::now();
        leases.take(lease("a", "small"), t0);
        leases.take(lease("b", "small"), t0 + Duration::from_secs(1));
        leases.take(lease("a", "small"), t0 + Duration::from_secs(2));
        assert_eq!(starts.try_recv().ok().as_deref(), Some("small"));
        assert!(
            starts.try_recv().is_err(),
            "renewals and a second watcher announce nothing"
        );
        assert!(leases.holds_at("small", t0 + Duration::from_secs(11)));
        assert!(!leases.holds_at("large", t0));
        assert!(
            !leases.holds_at("small", t0 + Duration::from_secs(12)),
            "every lease lapsed"
        );
        leases.take(lease("a", "small"), t0 + Duration::from_secs(13));
        assert_eq!(starts.try_recv().ok().as_deref(), Some("small"), "watched again");
        let again = Lease {
            fresh: true,
            ..lease("b", "small")
        };
        leases.take(again, t0 + Duration::from_secs(14));
        assert_eq!(starts.try_recv().ok().as_deref(), Some("small"), "asked afresh");
    }

    #[test]
    fn sizes_are_words() {
        assert!(Lease::size_is_a_word("medium"));
        for bad in ["", "a.b", "*", ">", "Small", &"x".repeat(17)] {
            assert!(!Lease::size_is_a_word(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_same_picture_twice_is_passed_on_once_and_a_gone_session_forgotten() {
        let pictures = Pictures::default();
        let mut new = pictures.subscribe();
        let p = Picture {
            host: "b".into(),
            id: 3,
            size: "small".into(),
            etag: "\"1\"".into(),
            jpeg: Bytes::from_static(&[0xff, 0xd8]),
        };
        pictures.note(p.clone());
        pictures.note(p.clone());
        assert_eq!(new.try_recv().ok(), Some(p.clone()));
        assert!(new.try_recv().is_err());
        assert_eq!(pictures.of_size("small"), vec![p.clone()]);
        assert_eq!(pictures.one("b", 3, "small"), Some(p));
        assert_eq!(pictures.one("b", 3, "large"), None);
        assert!(pictures.of_size("large").is_empty());
        pictures.forget("b", 3);
        assert!(pictures.of_size("small").is_empty());
    }
}
