//! Several hosts on one machine, for real: two host namespaces on the test
//! bridge, a three-node NATS cluster with TLS and JetStream, and each
//! host signed in as its own nkey user with the permissions Podium
//! prints for the NATS servers (`podium cluster authorization`). Every NATS operation runs inside
//! a host's namespace (`podium-nats-probe` under `ip netns exec`), so it
//! takes that host's link.
//!
//! Needs root and `nats-server`; without them the tests fail and say so.

use podium_cluster::permissions::HostKey;
use podium_testkit::cluster::{HostNet, NatsCluster, write_private};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

const BUCKET: &str = "podium-sessions";
const PROBE: &str = env!("CARGO_BIN_EXE_podium-nats-probe");

/// A host's NATS user: its seed file, as the host keeps it.
struct User {
    seed_file: PathBuf,
}

/// A cluster of three whose users are hosts `a` and `b`, and the two
/// hosts' namespaces.
struct Setup {
    cluster: NatsCluster,
    a: (HostNet, User),
    b: (HostNet, User),
}

impl Setup {
    fn start() -> Setup {
        let keys = [nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user()];
        // What `podium cluster authorization` prints for the two hosts.
        let hosts: Vec<HostKey> = ["a", "b"]
            .iter()
            .zip(&keys)
            .map(|(host, key)| HostKey {
                host: (*host).to_owned(),
                public_key: key.public_key(),
            })
            .collect();
        let authorization = podium_cluster::permissions::authorization(&hosts);
        let cluster = NatsCluster::start(3, &authorization).unwrap_or_else(|e| panic!("{e}"));
        let [a, b] = keys.map(|key| key.seed().expect("a new key has a seed"));
        let user = |host: &str, seed: &str| {
            let seed_file = cluster.dir().join(format!("{host}.seed"));
            write_private(&seed_file, seed).expect("seed file");
            User { seed_file }
        };
        let (user_a, user_b) = (user("a", &a), user("b", &b));
        Setup {
            a: (host("a"), user_a),
            b: (host("b"), user_b),
            cluster,
        }
    }

    /// Runs the probe on `host` as its user, against `servers`.
    fn probe_via(&self, (host, user): &(HostNet, User), servers: &str, args: &[&str]) -> Output {
        host.command(PROBE)
            .arg("--seed")
            .arg(&user.seed_file)
            .arg("--ca")
            .arg(self.cluster.ca_file())
            .args(["--servers", servers, "--replicas", "3"])
            .args(args)
            .output()
            .expect("run podium-nats-probe in the namespace")
    }

    /// Runs the probe on `host` as its user, against every node.
    fn probe(&self, host: &(HostNet, User), args: &[&str]) -> Output {
        self.probe_via(host, &self.cluster.client_urls(), args)
    }

    /// Runs the probe until it succeeds (a new leader may take a few
    /// seconds to be elected), failing with its last words after `timeout`.
    fn probe_until_ok(&self, host: &(HostNet, User), args: &[&str], timeout: Duration) -> String {
        let until = Instant::now() + timeout;
        loop {
            let out = self.probe(host, args);
            if out.status.success() {
                return String::from_utf8_lossy(&out.stdout).trim().to_owned();
            }
            assert!(
                Instant::now() < until,
                "{args:?} on {} still fails after {timeout:?}: {}",
                host.0.namespace(),
                words(&out)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn host(name: &str) -> HostNet {
    HostNet::create(name).unwrap_or_else(|e| panic!("{e}"))
}

fn words(out: &Output) -> String {
    format!(
        "{} {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn each_host_writes_only_its_own_keys_and_subjects() {
    let s = Setup::start();

    let put = s.probe(&s.a, &["put", BUCKET, "a.1", "pupil 7 on a"]);
    assert!(put.status.success(), "a cannot put a.1: {}", words(&put));
    for node in s.cluster.client_urls().split(',') {
        let got = s.probe_via(&s.a, node, &["get", BUCKET, "a.1"]);
        assert!(got.status.success(), "a cannot get a.1 from {node}: {}", words(&got));
        assert_eq!(String::from_utf8_lossy(&got.stdout).trim(), "pupil 7 on a");
    }

    let refused = s.probe(&s.a, &["put", BUCKET, "b.1", "a's words"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    eprintln!("a putting b.1: {}", stderr.trim());
    assert_eq!(refused.status.code(), Some(1), "{}", words(&refused));
    assert!(
        stderr.contains("Permissions Violation for Publish to \"$KV.podium-sessions.b.1\""),
        "not the server's refusal: {stderr}"
    );
    let missing = s.probe(&s.a, &["get", BUCKET, "b.1"]);
    assert_eq!(missing.status.code(), Some(3), "b.1 exists: {}", words(&missing));

    let put = s.probe(&s.b, &["put", BUCKET, "b.1", "pupil 9 on b"]);
    assert!(put.status.success(), "b cannot put b.1: {}", words(&put));
    let got = s.probe(&s.a, &["get", BUCKET, "b.1"]);
    assert_eq!(
        String::from_utf8_lossy(&got.stdout).trim(),
        "pupil 9 on b",
        "{}",
        words(&got)
    );

    let own = s.probe(&s.a, &["pub", "podium.host.a.status", "up"]);
    assert!(own.status.success(), "a cannot publish its status: {}", words(&own));
    let other = s.probe(&s.a, &["pub", "podium.host.b.status", "down"]);
    assert_eq!(other.status.code(), Some(1), "{}", words(&other));
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("Permissions Violation"),
        "{}",
        words(&other)
    );
}

#[test]
fn a_host_works_through_a_stopped_node_but_not_through_a_cut_link() {
    let mut s = Setup::start();
    s.probe_until_ok(&s.a, &["put", BUCKET, "a.1", "before"], Duration::from_secs(5));

    s.cluster.stop_node(0).expect("stop node 0");
    s.probe_until_ok(&s.a, &["put", BUCKET, "a.1", "one node down"], Duration::from_secs(20));
    let got = s.probe_until_ok(&s.a, &["get", BUCKET, "a.1"], Duration::from_secs(10));
    assert_eq!(got, "one node down");

    s.a.0.cut().expect("cut a's link");
    let started = Instant::now();
    let cut = s.probe(&s.a, &["put", BUCKET, "a.1", "while cut"]);
    let took = started.elapsed();
    eprintln!(
        "a while cut, after {took:?}: {}",
        String::from_utf8_lossy(&cut.stderr).trim()
    );
    assert_eq!(cut.status.code(), Some(1), "{}", words(&cut));
    assert!(took < Duration::from_secs(5), "a took {took:?} to give up");
    assert!(
        String::from_utf8_lossy(&cut.stderr).contains("cannot connect"),
        "{}",
        words(&cut)
    );
    let put = s.probe(&s.b, &["put", BUCKET, "b.1", "b is not cut"]);
    assert!(put.status.success(), "b fails while a is cut: {}", words(&put));

    s.a.0.restore().expect("restore a's link");
    s.probe_until_ok(&s.a, &["put", BUCKET, "a.1", "back"], Duration::from_secs(5));

    s.cluster.start_node(0).expect("start node 0 again");
    let node0 = s.cluster.client_urls().split(',').next().map(str::to_owned);
    let node0 = node0.expect("node 0's URL");
    let got = s.probe_via(&s.a, &node0, &["get", BUCKET, "a.1"]);
    assert_eq!(String::from_utf8_lossy(&got.stdout).trim(), "back", "{}", words(&got));
}
