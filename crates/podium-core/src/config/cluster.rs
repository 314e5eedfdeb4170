//! `[cluster]`: one school's several hosts on one dashboard, over NATS.
//! Off until `urls` names the NATS servers; a host that cannot reach them
//! keeps working on its own.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[cluster]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// This host's name in the school: part of every school-wide session id
    /// (`host/id`) and of its NATS subjects.
    pub host: String,
    /// The NATS servers, `tls://NAME:PORT`; none means a single host.
    pub urls: Vec<String>,
    /// The host's own nkey seed: its NATS identity, and the key that signs
    /// the callers and log-in hand-offs it sends to other hosts. Root's
    /// alone; `podium cluster keygen` makes it.
    pub seed_file: PathBuf,
    /// The CA that signed the NATS servers' certificates (the system's
    /// roots when not given).
    pub ca: Option<PathBuf>,
    /// Copies the NATS servers keep of the sessions' directory (at most the
    /// number of NATS nodes; 3 lets one node stop unnoticed).
    pub replicas: usize,
    /// How many sessions this host takes; placement sends a pupil to the
    /// host with the most room.
    pub capacity: u32,
    /// Where browsers reach this host (`https://NAME:PORT`), for sending a
    /// pupil to the host that holds their session.
    pub address: Option<String>,
    /// The other hosts' public keys (`podium cluster keygen` prints them),
    /// by host name: what this host believes of their signed requests.
    pub peers: BTreeMap<String, String>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            host: String::new(),
            urls: Vec::new(),
            seed_file: PathBuf::from("/etc/podium/cluster/host.nk"),
            ca: None,
            replicas: 3,
            capacity: 50,
            address: None,
            peers: BTreeMap::new(),
        }
    }
}

impl ClusterConfig {
    /// Whether this host is part of a cluster.
    #[must_use]
    pub fn enabled(&self) -> bool {
        !self.urls.is_empty()
    }

    /// This host's name in the school, when it is part of one: what its
    /// sessions, results and pictures are named by beside their id.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.enabled().then_some(self.host.as_str())
    }

    /// Checks what serde cannot; the key and what is wrong.
    pub(super) fn validate(&self) -> Result<(), (&'static str, String)> {
        if !self.enabled() {
            return Ok(());
        }
        if let Err(why) = check_host_name(&self.host) {
            return Err(("cluster.host", why));
        }
        if let Some(url) = self.urls.iter().find(|u| !u.starts_with("tls://")) {
            return Err((
                "cluster.urls",
                format!("{url:?} must start with tls:// (NATS is reached over TLS only)"),
            ));
        }
        if let Some(url) = self.urls.iter().find(|u| u.len() <= "tls://".len()) {
            return Err(("cluster.urls", format!("{url:?} names no server")));
        }
        if !self.seed_file.is_absolute() {
            return Err(("cluster.seed_file", "must be an absolute path".into()));
        }
        if self.ca.as_ref().is_some_and(|c| !c.is_absolute()) {
            return Err(("cluster.ca", "must be an absolute path".into()));
        }
        if !(1..=5).contains(&self.replicas) {
            return Err(("cluster.replicas", "must be 1 to 5".into()));
        }
        if !(1..=10_000).contains(&self.capacity) {
            return Err(("cluster.capacity", "must be 1 to 10000".into()));
        }
        if let Some(a) = &self.address
            && !(a.starts_with("https://") && a.len() > "https://".len())
        {
            return Err(("cluster.address", format!("{a:?} must be an https:// address")));
        }
        for (name, key) in &self.peers {
            if let Err(why) = check_host_name(name) {
                return Err(("cluster.peers", format!("{name:?}: {why}")));
            }
            if !looks_like_public_key(key) {
                return Err((
                    "cluster.peers",
                    format!("{name}: {key:?} is not a host's public key (56 characters starting with U)"),
                ));
            }
        }
        Ok(())
    }
}

/// Whether `name` can name a host: 1 to 32 lower-case letters, digits and
/// `-`, not starting with `-` (it is a NATS subject token and a part of
/// session ids and URLs).
///
/// # Errors
/// What is wrong with it, in words.
pub fn check_host_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must be set: this host's name in the school".into());
    }
    if name.len() > 32 {
        return Err("must be at most 32 characters".into());
    }
    if name.starts_with('-')
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "{name:?} may hold only lower-case letters, digits and '-', not first"
        ));
    }
    Ok(())
}

/// A NATS user public key: `U` and 55 more base32 characters.
fn looks_like_public_key(key: &str) -> bool {
    key.len() == 56
        && key.starts_with('U')
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(host: &str) -> ClusterConfig {
        ClusterConfig {
            host: host.into(),
            urls: vec!["tls://nats1:4222".into()],
            ..ClusterConfig::default()
        }
    }

    #[test]
    fn off_by_default_and_checked_once_on() {
        assert!(!ClusterConfig::default().enabled());
        assert_eq!(ClusterConfig::default().validate(), Ok(()));
        assert_eq!(on("room-12").validate(), Ok(()));
        for bad in ["", "Room", "a.b", "a*", ">", "-a", &"a".repeat(33)] {
            assert_eq!(on(bad).validate().map_err(|(k, _)| k), Err("cluster.host"), "{bad:?}");
        }
    }

    #[test]
    fn urls_addresses_and_peers_are_checked() {
        let mut c = on("a");
        c.urls = vec!["nats://nats1:4222".into()];
        assert!(
            c.validate()
                .is_err_and(|(k, why)| k == "cluster.urls" && why.contains("tls://"))
        );
        let mut c = on("a");
        c.address = Some("http://a:8443".into());
        assert_eq!(c.validate().map_err(|(k, _)| k), Err("cluster.address"));
        let mut c = on("a");
        c.peers.insert("b".into(), "SUAXXX".into());
        assert!(
            c.validate()
                .is_err_and(|(k, why)| k == "cluster.peers" && why.starts_with("b:"))
        );
        let mut c = on("a");
        c.peers.insert("b".into(), format!("U{}", "A".repeat(55)));
        assert_eq!(c.validate(), Ok(()));
        let mut c = on("a");
        c.capacity = 0;
        assert_eq!(c.validate().map_err(|(k, _)| k), Err("cluster.capacity"));
    }
}
