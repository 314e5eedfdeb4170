//! Asking a NATS server's monitoring port whether it is ready: a plain
//! HTTP/1.0 GET over TCP, since two fixed questions need no HTTP client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long one question may take; a server that is starting answers in
/// milliseconds or not at all.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the server is healthy: `/healthz` answers 200 only once the
/// server runs, JetStream is up, a meta leader is known and this server
/// is current with it. Otherwise what it said, or why it could not.
pub(crate) fn healthy(addr: SocketAddr) -> Result<(), String> {
    match get(addr, "/healthz")? {
        (200, _) => Ok(()),
        (status, body) => Err(format!("/healthz {status}: {}", body.trim())),
    }
}

/// The JetStream meta leader this server knows of (`/jsz`'s
/// `meta_cluster.leader`), if any.
pub(crate) fn meta_leader(addr: SocketAddr) -> Result<String, String> {
    let (status, body) = get(addr, "/jsz")?;
    if status != 200 {
        return Err(format!("/jsz {status}: {}", body.trim()));
    }
    let jsz: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("/jsz is not JSON: {e}"))?;
    match jsz["meta_cluster"]["leader"].as_str() {
        Some(leader) if !leader.is_empty() => Ok(leader.to_owned()),
        _ => Err("/jsz: no meta leader yet".to_owned()),
    }
}

/// How many messages stream `stream` holds on this server, and on how
/// many subjects (`/jsz`'s stream details).
pub(crate) fn stream_state(addr: SocketAddr, stream: &str) -> Result<(u64, u64), String> {
    let (status, body) = get(addr, "/jsz?accounts=true&streams=true")?;
    if status != 200 {
        return Err(format!("/jsz {status}: {}", body.trim()));
    }
    let jsz: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("/jsz is not JSON: {e}"))?;
    let found = jsz["account_details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["stream_detail"].as_array())
        .flatten()
        .find(|s| s["name"] == stream)
        .ok_or_else(|| format!("/jsz: no stream {stream} on this server"))?;
    let state = &found["state"];
    let count = |key: &str| state[key].as_u64().unwrap_or(0);
    Ok((count("messages"), count("num_subjects")))
}

/// What a server has carried since it started: messages and bytes in
/// (published to it, by clients and by the other nodes' routes) and out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Messages received.
    pub in_msgs: u64,
    /// Messages sent.
    pub out_msgs: u64,
    /// Payload bytes received.
    pub in_bytes: u64,
    /// Payload bytes sent.
    pub out_bytes: u64,
}

impl Counters {
    /// Both together.
    #[must_use]
    pub fn plus(self, o: Counters) -> Counters {
        Counters {
            in_msgs: self.in_msgs + o.in_msgs,
            out_msgs: self.out_msgs + o.out_msgs,
            in_bytes: self.in_bytes + o.in_bytes,
            out_bytes: self.out_bytes + o.out_bytes,
        }
    }

    /// What was carried since `earlier` (nothing below zero: a node that
    /// restarted counts from zero again).
    #[must_use]
    pub fn since(self, earlier: Counters) -> Counters {
        Counters {
            in_msgs: self.in_msgs.saturating_sub(earlier.in_msgs),
            out_msgs: self.out_msgs.saturating_sub(earlier.out_msgs),
            in_bytes: self.in_bytes.saturating_sub(earlier.in_bytes),
            out_bytes: self.out_bytes.saturating_sub(earlier.out_bytes),
        }
    }

    fn of(v: &serde_json::Value) -> Counters {
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        Counters {
            in_msgs: n("in_msgs"),
            out_msgs: n("out_msgs"),
            in_bytes: n("in_bytes"),
            out_bytes: n("out_bytes"),
        }
    }
}

/// What NATS servers carried: in all (`/varz`, routes included) and for
/// each client connection by its name (`/connz`, open connections only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Everything, routes between the servers included.
    pub all: Counters,
    /// Each client connection's, by the name it gave (`podium HOST` for a
    /// host), summed when several share a name.
    pub clients: std::collections::BTreeMap<String, Counters>,
}

impl Traffic {
    /// Both together.
    #[must_use]
    pub fn plus(mut self, o: Traffic) -> Traffic {
        self.all = self.all.plus(o.all);
        for (name, c) in o.clients {
            let mine = self.clients.entry(name).or_default();
            *mine = mine.plus(c);
        }
        self
    }

    /// What was carried since `earlier`.
    #[must_use]
    pub fn since(&self, earlier: &Traffic) -> Traffic {
        Traffic {
            all: self.all.since(earlier.all),
            clients: self
                .clients
                .iter()
                .map(|(name, c)| {
                    (
                        name.clone(),
                        c.since(earlier.clients.get(name).copied().unwrap_or_default()),
                    )
                })
                .collect(),
        }
    }

    /// Every client connection's together.
    #[must_use]
    pub fn all_clients(&self) -> Counters {
        self.clients.values().fold(Counters::default(), |a, c| a.plus(*c))
    }
}

/// A server's [`Traffic`].
pub(crate) fn traffic(addr: SocketAddr) -> Result<Traffic, String> {
    let json = |path: &str| -> Result<serde_json::Value, String> {
        match get(addr, path)? {
            (200, body) => serde_json::from_str(&body).map_err(|e| format!("{path} is not JSON: {e}")),
            (status, body) => Err(format!("{path} {status}: {}", body.trim())),
        }
    };
    let all = Counters::of(&json("/varz")?);
    let mut clients = std::collections::BTreeMap::new();
    for c in json("/connz?limit=4096")?["connections"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = c["name"].as_str().unwrap_or_default().to_owned();
        let mine: &mut Counters = clients.entry(name).or_default();
        *mine = mine.plus(Counters::of(c));
    }
    Ok(Traffic { all, clients })
}

/// `GET path` and the answer's status and body.
fn get(addr: SocketAddr, path: &str) -> Result<(u16, String), String> {
    let failed = |e: std::io::Error| format!("GET http://{addr}{path}: {e}");
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(failed)?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(failed)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(failed)?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").map_err(failed)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(failed)?;
    parse(&answer).ok_or_else(|| format!("GET http://{addr}{path}: not HTTP: {answer:?}"))
}

/// The status code and body of an HTTP/1.x answer.
fn parse(answer: &str) -> Option<(u16, String)> {
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn an_answer_gives_its_status_and_body() {
        let answer =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n{\"status\":\"unavailable\"}";
        assert_eq!(parse(answer), Some((503, "{\"status\":\"unavailable\"}".to_owned())));
        assert_eq!(parse("garbage"), None);
    }
}
