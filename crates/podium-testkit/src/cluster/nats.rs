//! A NATS cluster of the test's own: `nats-server` processes in the root
//! namespace, listening on the test bridge's address so that test hosts
//! reach them over their veths, with TLS, JetStream and the authorization
//! the test gives.

use super::bridge::Bridge;
use super::config::{self, NodeConfig};
use super::monitor::{self, Traffic};
use super::node::Node;
use super::tls::{TestCa, write_private};
use crate::TestkitError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long the whole cluster has to come up with a meta leader, and a
/// restarted node to catch up.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Running NATS servers, routed to each other; stopped, and their
/// directory removed, when dropped.
pub struct NatsCluster {
    /// Declared first so the servers stop before the bridge goes.
    nodes: Vec<Node>,
    ports: Vec<Ports>,
    dir: PathBuf,
    ca_file: PathBuf,
    bridge: Bridge,
}

/// One node's ports, all on the bridge's address.
#[derive(Clone, Copy)]
struct Ports {
    client: u16,
    cluster: u16,
    http: u16,
}

impl NatsCluster {
    /// Starts `nodes` servers with `authorization` (a block of the server's
    /// configuration language, such as `authorization { users: […] }`)
    /// in each one's configuration, and waits until each is healthy and
    /// knows the JetStream meta leader. The files are in
    /// `/tmp/podium-test-cluster-<pid>-<n>/`: `ca.pem`, and per node
    /// `node-<i>/` with its `nats.conf`, certificate, key, `jetstream/`
    /// store and `nats.log`.
    ///
    /// # Errors
    /// When not root, when `nats-server` is not installed, when a file
    /// or the network cannot be made, or when a node is not ready within
    /// 30 s (the error quotes its log).
    pub fn start(nodes: usize, authorization: &str) -> Result<NatsCluster, TestkitError> {
        static N: AtomicU32 = AtomicU32::new(0);
        require_nats_server()?;
        let bridge = Bridge::acquire()?;
        let pid = std::process::id();
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = PathBuf::from(format!("/tmp/podium-test-cluster-{pid}-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        make_dir(&dir)?;
        let mut cluster = NatsCluster {
            nodes: Vec::new(),
            ports: free_ports(bridge.address(), nodes)?,
            ca_file: dir.join("ca.pem"),
            dir,
            bridge,
        };
        // From here on, dropping `cluster` undoes whatever was made.
        let ca = TestCa::generate(&format!("Podium test CA {pid}-{n}"))?;
        write_private(&cluster.ca_file, &ca.cert_pem())?;
        let cluster_name = format!("podium-test-{pid}-{n}");
        for i in 0..nodes {
            let node = cluster.prepare_node(i, &ca, &cluster_name, authorization)?;
            cluster.nodes.push(node);
        }
        for node in &mut cluster.nodes {
            node.start()?;
        }
        let deadline = Instant::now() + READY_TIMEOUT;
        for node in &mut cluster.nodes {
            node.wait_ready(deadline)?;
        }
        Ok(cluster)
    }

    /// Writes node `i`'s certificate, key and configuration.
    fn prepare_node(
        &self,
        i: usize,
        ca: &TestCa,
        cluster_name: &str,
        authorization: &str,
    ) -> Result<Node, TestkitError> {
        let dir = self.dir.join(format!("node-{i}"));
        make_dir(&dir)?;
        let address = self.bridge.address();
        let issued = ca.issue_server(&format!("node {i}"), &[IpAddr::V4(address)])?;
        let cert_file = dir.join("server.pem");
        let key_file = dir.join("server-key.pem");
        write_private(&cert_file, &issued.cert_pem)?;
        write_private(&key_file, &issued.key_pem)?;
        let ports = self.ports[i];
        let routes: Vec<u16> = self.ports.iter().map(|p| p.cluster).collect();
        let text = config::render(&NodeConfig {
            server_name: &format!("node-{i}"),
            cluster_name,
            address,
            client_port: ports.client,
            cluster_port: ports.cluster,
            http_port: ports.http,
            routes: &routes,
            cert_file: &cert_file,
            key_file: &key_file,
            ca_file: &self.ca_file,
            store_dir: &dir.join("jetstream"),
            authorization,
        });
        let config_file = dir.join("nats.conf");
        write_private(&config_file, &text)?;
        let monitor = SocketAddr::from((address, ports.http));
        Ok(Node::new(i, config_file, dir.join("nats.log"), monitor))
    }

    /// Every node's client URL, comma-separated (`tls://10.x.y.1:PORT,…`),
    /// as a client's server list is written.
    #[must_use]
    pub fn client_urls(&self) -> String {
        let address = self.bridge.address();
        self.ports
            .iter()
            .map(|p| format!("tls://{address}:{}", p.client))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The CA certificate (PEM) clients check the servers against.
    #[must_use]
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The cluster's directory, removed with it: a place for the test's
    /// own files (a host's seed, say).
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The address every node listens on (the bridge's).
    #[must_use]
    pub fn address(&self) -> Ipv4Addr {
        self.bridge.address()
    }

    /// The running servers' pids: what a benchmark counts the CPU of.
    #[must_use]
    pub fn pids(&self) -> Vec<i32> {
        self.nodes.iter().filter_map(Node::pid).collect()
    }

    /// What the running servers have carried, summed over them: in all
    /// (`/varz`: clients and the routes between the nodes, so a message
    /// routed from one node to another counts on both) and per client
    /// connection (`/connz`: what each host published and received). A
    /// benchmark takes the difference of two readings.
    #[must_use]
    pub fn traffic(&self) -> Traffic {
        self.nodes
            .iter()
            .filter_map(Node::traffic)
            .fold(Traffic::default(), Traffic::plus)
    }

    /// Node `i`'s log file.
    ///
    /// # Errors
    /// When there is no node `i`.
    pub fn log_file(&self, i: usize) -> Result<&Path, TestkitError> {
        Ok(self.node(i)?.log())
    }

    /// The last lines of every node's log, for a failure message.
    #[must_use]
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| format!("--- node {i} ({}):\n{}", n.log().display(), n.log_tail()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// How many messages JetStream stream `stream` holds, and on how many
    /// subjects, as the first running node that has it says: a stream
    /// keeping one message per subject holds as many of each.
    ///
    /// # Errors
    /// When no running node has the stream or answers.
    pub fn stream_state(&self, stream: &str) -> Result<(u64, u64), TestkitError> {
        let mut last = "no node runs".to_owned();
        for monitor in self.nodes.iter().filter_map(Node::monitor) {
            match monitor::stream_state(monitor, stream) {
                Ok(state) => return Ok(state),
                Err(why) => last = why,
            }
        }
        Err(TestkitError::StreamState {
            stream: stream.to_owned(),
            last,
        })
    }

    /// Stops node `i` (SIGTERM, as an administrator would); its store
    /// stays for [`NatsCluster::start_node`].
    ///
    /// # Errors
    /// When there is no node `i`.
    pub fn stop_node(&mut self, i: usize) -> Result<(), TestkitError> {
        self.node_mut(i)?.stop();
        Ok(())
    }

    /// Starts node `i` again with the same configuration and store, and
    /// waits until it is healthy: caught up with the meta leader and its
    /// streams.
    ///
    /// # Errors
    /// When there is no node `i`, or it cannot start or be ready in 30 s.
    pub fn start_node(&mut self, i: usize) -> Result<(), TestkitError> {
        let node = self.node_mut(i)?;
        node.start()?;
        node.wait_ready(Instant::now() + READY_TIMEOUT)
    }

    fn node(&self, i: usize) -> Result<&Node, TestkitError> {
        let count = self.nodes.len();
        self.nodes.get(i).ok_or(TestkitError::NoSuchNode { index: i, count })
    }

    fn node_mut(&mut self, i: usize) -> Result<&mut Node, TestkitError> {
        let count = self.nodes.len();
        self.nodes
            .get_mut(i)
            .ok_or(TestkitError::NoSuchNode { index: i, count })
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        // A failing test's output then says what the servers saw; the
        // files themselves go, as after a passing test.
        if std::thread::panicking() {
            eprintln!("podium-testkit: the test NATS cluster's logs:\n{}", self.logs());
        }
        for node in &mut self.nodes {
            node.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Fails unless `nats-server` can be run.
fn require_nats_server() -> Result<(), TestkitError> {
    match Command::new("nats-server").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(TestkitError::CommandFailed {
            command: "nats-server --version".to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(TestkitError::ClusterPrerequisite(
            "nats-server is not installed (scripts/install-deps.sh installs it)".to_owned(),
        )),
        Err(source) => Err(TestkitError::CommandStart {
            program: "nats-server".to_owned(),
            source,
        }),
    }
}

/// Three ports per node that nothing listens on now. All are held until
/// all are chosen, so no two are the same.
fn free_ports(address: Ipv4Addr, nodes: usize) -> Result<Vec<Ports>, TestkitError> {
    let held: Vec<TcpListener> = (0..nodes * 3)
        .map(|_| TcpListener::bind((address, 0)))
        .collect::<Result<_, _>>()
        .map_err(|source| TestkitError::FreePort { address, source })?;
    let ports: Vec<u16> = held
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<Result<_, _>>()
        .map_err(|source| TestkitError::FreePort { address, source })?;
    Ok(ports
        .chunks_exact(3)
        .map(|p| Ports {
            client: p[0],
            cluster: p[1],
            http: p[2],
        })
        .collect())
}

fn make_dir(dir: &Path) -> Result<(), TestkitError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(|source| TestkitError::ClusterFile {
            doing: "create",
            path: dir.to_owned(),
            source,
        })
}
