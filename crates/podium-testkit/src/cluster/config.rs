//! The configuration file of one test NATS node.
//!
//! What the product's will need to say too: TLS on the client port
//! (clients check the server against the CA; the server asks clients for
//! no certificate, since they sign in with their nkey), mutual TLS on the
//! route port (a server joins the cluster only with a certificate of the
//! CA, which is why route connections need no password), JetStream with
//! the node's own store, and the authorization block as given.

use std::fmt::Write;
use std::net::Ipv4Addr;
use std::path::Path;

/// Where one node listens and keeps its files.
pub(crate) struct NodeConfig<'a> {
    /// Unique in the cluster; JetStream's Raft groups know a node by it.
    pub server_name: &'a str,
    pub cluster_name: &'a str,
    /// The bridge's address: every port of every node is on it.
    pub address: Ipv4Addr,
    pub client_port: u16,
    pub cluster_port: u16,
    pub http_port: u16,
    /// Every node's cluster port, this one's included (a server skips a
    /// route to itself).
    pub routes: &'a [u16],
    pub cert_file: &'a Path,
    pub key_file: &'a Path,
    pub ca_file: &'a Path,
    pub store_dir: &'a Path,
    /// Inserted as it is: the users and their permissions.
    pub authorization: &'a str,
}

/// The text of the node's `nats.conf`.
pub(crate) fn render(c: &NodeConfig<'_>) -> String {
    let addr = c.address;
    let mut routes = String::new();
    for port in c.routes {
        let _ = writeln!(routes, "    \"nats-route://{addr}:{port}\"");
    }
    format!(
        "server_name: \"{name}\"\n\
         listen: \"{addr}:{client}\"\n\
         http: \"{addr}:{http}\"\n\
         {client_tls}\
         jetstream {{\n  store_dir: {store}\n  max_memory_store: 67108864\n  max_file_store: 268435456\n}}\n\
         cluster {{\n  name: \"{cluster}\"\n  listen: \"{addr}:{route}\"\n{route_tls}  routes: [\n{routes}  ]\n}}\n\
         {authorization}\n",
        name = c.server_name,
        client = c.client_port,
        http = c.http_port,
        client_tls = tls_block(c, false, ""),
        store = quoted(c.store_dir),
        cluster = c.cluster_name,
        route = c.cluster_port,
        route_tls = tls_block(c, true, "  "),
        authorization = c.authorization,
    )
}

/// A `tls { … }` block; `verify` asks the other end for a certificate of
/// the CA.
fn tls_block(c: &NodeConfig<'_>, verify: bool, indent: &str) -> String {
    format!(
        "{indent}tls {{\n\
         {indent}  cert_file: {}\n\
         {indent}  key_file: {}\n\
         {indent}  ca_file: {}\n\
         {indent}  verify: {verify}\n\
         {indent}  timeout: 5\n\
         {indent}}}\n",
        quoted(c.cert_file),
        quoted(c.key_file),
        quoted(c.ca_file),
    )
}

/// A path as a quoted string of the configuration language, whose escapes
/// are JSON's.
fn quoted(path: &Path) -> String {
    serde_json::Value::from(path.to_string_lossy()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_use_mutual_tls_and_clients_are_not_asked_for_certificates() {
        let text = render(&NodeConfig {
            server_name: "n1",
            cluster_name: "podium-test",
            address: Ipv4Addr::new(10, 200, 3, 1),
            client_port: 4001,
            cluster_port: 5001,
            http_port: 6001,
            routes: &[5000, 5001],
            cert_file: Path::new("/t/n1/server.pem"),
            key_file: Path::new("/t/n1/server-key.pem"),
            ca_file: Path::new("/t/ca.pem"),
            store_dir: Path::new("/t/n1/jetstream"),
            authorization: "authorization { users: [] }",
        });
        let expected = r#"server_name: "n1"
listen: "10.200.3.1:4001"
http: "10.200.3.1:6001"
tls {
  cert_file: "/t/n1/server.pem"
  key_file: "/t/n1/server-key.pem"
  ca_file: "/t/ca.pem"
  verify: false
  timeout: 5
}
jetstream {
  store_dir: "/t/n1/jetstream"
  max_memory_store: 67108864
  max_file_store: 268435456
}
cluster {
  name: "podium-test"
  listen: "10.200.3.1:5001"
  tls {
    cert_file: "/t/n1/server.pem"
    key_file: "/t/n1/server-key.pem"
    ca_file: "/t/ca.pem"
    verify: true
    timeout: 5
  }
  routes: [
    "nats-route://10.200.3.1:5000"
    "nats-route://10.200.3.1:5001"
  ]
}
authorization { users: [] }
"#;
        assert_eq!(text, expected);
    }
}
