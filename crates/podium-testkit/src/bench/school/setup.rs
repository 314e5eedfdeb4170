//! The benchmark's school on this one machine: a three-node NATS cluster
//! (TLS and JetStream on), three real Podium hosts, each a daemon in a
//! network namespace of its own with real sessions, and the simulated
//! hosts ([`super::sim`]) in this process. Every host has its own key
//! (Podium's [`Identity`]); the NATS servers get the permissions
//! [`podium_cluster::permissions::authorization`] writes for them all, and
//! each host's `[cluster.peers]` names every other host.

use super::sim::Sims;
use crate::cluster::{HostNet, NatsCluster};
use crate::{Kit, TestUser, procfs, wait_until};
use podium_cluster::Identity;
use podium_cluster::permissions::{HostKey, authorization};
use podium_core::config::ClusterConfig;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The real hosts; the first is the teacher's, where the dashboard runs.
pub(crate) const REAL: [&str; 3] = ["a", "b", "c"];

/// The colour square each real desktop changes: x, y, side, on a
/// 1280-pixel-wide screen (20 pixels wide in a small thumbnail).
pub(crate) const SQUARE: (u32, u32, u32) = (16, 16, 160);

/// Each desktop's period of change on the `host`-th host, session i
/// taking entry i: 5 to 9 s, different per desktop and per host, so that
/// changes fall at scattered times rather than all at once.
#[must_use]
pub(crate) fn periods(n: usize, host: usize) -> Vec<u64> {
    (0..n as u64)
        .map(|i| 5000 + (i * 211 + host as u64 * 1237) % 4000)
        .collect()
}

/// One real host: its namespace, daemon and pupils.
pub(crate) struct RealHost {
    /// Its name.
    pub name: &'static str,
    /// Its network namespace, which lives as long as the host.
    pub _net: HostNet,
    pub kit: Kit,
    /// The pupils with a session here.
    pub pupils: Vec<TestUser>,
    /// Its place among the hosts, which sets its desktops' periods.
    pub index: usize,
    /// Each session's log of its square's changes and its period in ms,
    /// by session id.
    pub logs: BTreeMap<u32, (PathBuf, u64)>,
}

/// The whole school.
pub(crate) struct School {
    /// Stopped first: nothing of theirs talks to a NATS that is going.
    pub sims: Sims,
    pub hosts: Vec<RealHost>,
    pub nats: NatsCluster,
    /// Sessions per host.
    pub n: usize,
    /// The hosts' keys: a real host's daemon reads its own again when it
    /// restarts.
    _keys: KeysDir,
}

/// A directory of keys, removed when dropped.
struct KeysDir(PathBuf);

impl KeysDir {
    /// Where host `host`'s seed is.
    fn seed(&self, host: &str) -> PathBuf {
        self.0.join(format!("{host}.nk"))
    }
}

/// Every host's signing key, by host.
struct Peers(BTreeMap<String, String>);

impl Peers {
    /// Everyone's but `host`'s: its `[cluster.peers]`.
    fn of(&self, host: &str) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter(|(h, _)| *h != host)
            .map(|(h, k)| (h.clone(), k.clone()))
            .collect()
    }

    /// The same as lines of TOML.
    fn toml(&self, host: &str) -> String {
        self.of(host).iter().map(|(h, k)| format!("{h} = \"{k}\"\n")).collect()
    }
}

impl Drop for KeysDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl School {
    /// Starts everything: keys, NATS, the simulated hosts (with `sims`
    /// names) and the real hosts, each with `n` sessions; returns once the
    /// teacher's host sees every host reachable with its sessions.
    ///
    /// # Errors
    /// In words, what could not be made.
    pub(crate) fn start(podium: &str, sims: usize, n: usize, thumbnail_interval_ms: u32) -> Result<School, String> {
        let names: Vec<String> = REAL
            .iter()
            .map(|h| (*h).to_owned())
            .chain((1..=sims).map(|i| format!("sim{i}")))
            .collect();
        let kept = KeysDir(std::env::temp_dir().join(format!("podium-bench-school-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&kept.0);
        let mut identities = BTreeMap::new();
        for host in &names {
            let id = Identity::generate(host, &kept.seed(host)).map_err(|e| e.to_string())?;
            identities.insert(host.clone(), id);
        }
        let keys: Vec<HostKey> = identities
            .iter()
            .map(|(host, id)| HostKey {
                host: host.clone(),
                public_key: id.nats_public_key(),
            })
            .collect();
        let nats = NatsCluster::start(3, &authorization(&keys)).map_err(|e| e.to_string())?;
        let peers = Peers(
            identities
                .iter()
                .map(|(h, id)| (h.clone(), id.signing_public_key()))
                .collect(),
        );
        let urls: Vec<String> = nats.client_urls().split(',').map(str::to_owned).collect();
        let sim_configs = identities
            .into_iter()
            .filter(|(h, _)| !REAL.contains(&h.as_str()))
            .map(|(host, identity)| {
                let config = ClusterConfig {
                    host: host.clone(),
                    urls: urls.clone(),
                    seed_file: kept.seed(&host),
                    ca: Some(nats.ca_file().to_owned()),
                    replicas: 3,
                    capacity: u32::try_from(n).unwrap_or(u32::MAX).max(1),
                    address: None,
                    peers: peers.of(&host),
                };
                (config, identity)
            })
            .collect();
        let sims = Sims::start(sim_configs, u32::try_from(n).unwrap_or(u32::MAX), |i| {
            periods(n, REAL.len() + i)
        })?;
        let hosts = real_hosts(podium, n, thumbnail_interval_ms, &kept, &peers, &nats)?;
        let mut school = School {
            sims,
            hosts,
            nats,
            n,
            _keys: kept,
        };
        std::thread::scope(|s| {
            for host in &mut school.hosts {
                s.spawn(move || host.start_desktops());
            }
        });
        school.wait_for_everyone(Duration::from_secs(60))?;
        Ok(school)
    }

    /// The teacher's host.
    pub(crate) fn teacher_host(&self) -> &RealHost {
        &self.hosts[0]
    }

    /// The real host named `name`.
    pub(crate) fn host(&self, name: &str) -> Option<&RealHost> {
        self.hosts.iter().find(|h| h.name == name)
    }

    /// Every host's name, real ones first.
    pub(crate) fn names(&self) -> Vec<String> {
        REAL.iter().map(|h| (*h).to_owned()).chain(self.sims.names()).collect()
    }

    /// Each host's state and sessions as the teacher's host sees them
    /// (`podium hosts --json` there), or why not.
    pub(crate) fn seen(&self) -> Result<BTreeMap<String, (String, u64)>, String> {
        let out = self.teacher_host().kit.cli().args(["hosts", "--json"]).run();
        if out.code != 0 {
            return Err(format!("podium hosts: {}{}", out.stdout, out.stderr));
        }
        let list: serde_json::Value = serde_json::from_str(&out.stdout).map_err(|e| e.to_string())?;
        Ok(list["hosts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                (
                    h["name"].as_str().unwrap_or_default().to_owned(),
                    (
                        h["state"].as_str().unwrap_or_default().to_owned(),
                        h["sessions"].as_u64().unwrap_or(u64::MAX),
                    ),
                )
            })
            .collect())
    }

    /// Waits until the teacher's host sees every host reachable with
    /// its `n` sessions; how long that took.
    ///
    /// # Errors
    /// What it saw instead, after `limit`.
    pub(crate) fn wait_for_everyone(&self, limit: Duration) -> Result<Duration, String> {
        let want: BTreeMap<String, (String, u64)> = self
            .names()
            .into_iter()
            .map(|h| (h, ("reachable".to_owned(), self.n as u64)))
            .collect();
        self.wait_to_see(&want, limit)
    }

    /// Waits until the teacher's host sees `want`; how long that took.
    ///
    /// # Errors
    /// What it saw instead, after `limit`.
    pub(crate) fn wait_to_see(
        &self,
        want: &BTreeMap<String, (String, u64)>,
        limit: Duration,
    ) -> Result<Duration, String> {
        let start = Instant::now();
        let mut last = Ok(BTreeMap::new());
        while start.elapsed() < limit {
            last = self.seen();
            if last.as_ref() == Ok(want) {
                return Ok(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!("after {limit:?}, host a sees {last:?} rather than {want:?}"))
    }

    /// The real pupils' processes still running, on every real host.
    pub(crate) fn pupils_left(&self) -> usize {
        let uids: Vec<u32> = self.hosts.iter().flat_map(|h| h.pupils.iter().map(|p| p.uid)).collect();
        procfs::all()
            .into_iter()
            .filter(|p| p.state != 'Z' && uids.contains(&p.uid))
            .count()
    }
}

/// The real hosts, each a daemon in its namespace (host a's in a cgroup
/// of its own, to be measured), with `n` pupils each but no session yet.
fn real_hosts(
    podium: &str,
    n: usize,
    thumbnail_interval_ms: u32,
    kept: &KeysDir,
    peers: &Peers,
    nats: &NatsCluster,
) -> Result<Vec<RealHost>, String> {
    let urls: Vec<String> = nats.client_urls().split(',').map(|u| format!("\"{u}\"")).collect();
    let mut hosts = Vec::new();
    for (i, name) in REAL.into_iter().enumerate() {
        let net = HostNet::create(name).map_err(|e| e.to_string())?;
        let sections = format!(
            "[thumbnails]\ninterval_ms = {thumbnail_interval_ms}\n\n\
             [cluster]\nhost = \"{name}\"\nurls = [{urls}]\nseed_file = \"{seed}\"\nca = \"{ca}\"\n\
             capacity = {n}\naddress = \"https://{address}:8443\"\n\n[cluster.peers]\n{peers}",
            urls = urls.join(", "),
            seed = kept.seed(name).display(),
            ca = nats.ca_file().display(),
            address = net.address(),
            peers = peers.toml(name),
        );
        // The teacher's host is measured: its daemon in a cgroup of its own.
        let kit = if i == 0 {
            Kit::start_measured_on_host(podium, &net, &sections)
        } else {
            Kit::start_on_host(podium, &net, &sections)
        };
        hosts.push(RealHost {
            name,
            index: i,
            _net: net,
            kit,
            pupils: (0..n)
                .map(|_| TestUser::create_fresh(podium_core::Role::Standard))
                .collect(),
            logs: BTreeMap::new(),
        });
    }
    Ok(hosts)
}

impl RealHost {
    /// A session for each pupil, each desktop a clock and a square that
    /// changes colour every few seconds (`podium-test-client cycle`,
    /// writing down when the X server drew each colour); returns once
    /// every square has been drawn.
    pub(crate) fn start_desktops(&mut self) {
        let client = self.kit.test_client();
        let periods = periods(self.pupils.len(), self.index);
        self.logs.clear();
        for (pupil, period) in self.pupils.iter().zip(periods) {
            let log = pupil.home.join("changes.log");
            let _ = std::fs::remove_file(&log);
            let command = format!(
                "sh -c 'xclock -geometry 120x120+1100+640 & {} cycle {} {} {s} {s} {period} {} & exec sleep infinity'",
                client.display(),
                SQUARE.0,
                SQUARE.1,
                log.display(),
                s = SQUARE.2,
            );
            let id = self.kit.start_session(pupil, Some(&command));
            self.logs.insert(id, (log, period));
        }
        let logs: Vec<PathBuf> = self.logs.values().map(|(l, _)| l.clone()).collect();
        wait_until(Duration::from_secs(90), "every desktop drew its square", || {
            logs.iter().all(|l| !super::super::live::ticks(l).is_empty())
        });
    }

    /// The pupils' processes still running here.
    pub(crate) fn pupils_left(&self) -> usize {
        let uids: Vec<u32> = self.pupils.iter().map(|p| p.uid).collect();
        procfs::all()
            .into_iter()
            .filter(|p| p.state != 'Z' && uids.contains(&p.uid))
            .count()
    }
}
