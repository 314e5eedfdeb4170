//! The test network's bridge: one per test process, in the root namespace,
//! shared by every test host and NATS cluster of the process and deleted
//! when the last of them is dropped.
//!
//! The bridge holds the subnet's first address (10.x.y.1/24, see
//! `subnet.rs`); the NATS servers listen on it and each host namespace gets
//! a later one. A host talks only to addresses of this subnet, which the
//! root namespace owns, so nothing is ever forwarded: the machine's
//! `ip_forward` setting and firewall are left as they are, and test
//! traffic never leaves loopback, the bridge and its veths.

use super::ip::{ip, ip_undo, require_root};
use super::subnet;
use crate::TestkitError;
use std::net::Ipv4Addr;
use std::sync::{Mutex, PoisonError};

/// The bridge of this process while somebody holds it: creating, counting
/// and deleting happen under one lock, so a test starting as another ends
/// never finds a bridge half deleted.
static SHARED: Mutex<Option<Shared>> = Mutex::new(None);

struct Shared {
    /// Held alone while the bridge exists: browser walks wait (see
    /// [`crate::netlock`]).
    _lock: crate::netlock::NetLock,
    network: Ipv4Addr,
    holders: usize,
    /// The last byte of the next host's address.
    next_host: u8,
}

/// A hold on this process's test bridge; the bridge goes when the last
/// hold does.
#[derive(Debug)]
pub struct Bridge {
    name: String,
    network: Ipv4Addr,
}

impl Bridge {
    /// Holds the bridge, making it first if this process has none.
    ///
    /// # Errors
    /// When not root, when every test subnet is routed already, or when
    /// `ip` refuses a step.
    pub fn acquire() -> Result<Bridge, TestkitError> {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        let name = Self::process_name();
        if let Some(s) = shared.as_mut() {
            s.holders += 1;
            return Ok(Bridge {
                name,
                network: s.network,
            });
        }
        require_root()?;
        let lock = crate::netlock::NetLock::exclusive();
        let network = Self::create(&name)?;
        *shared = Some(Shared {
            _lock: lock,
            network,
            holders: 1,
            next_host: 2,
        });
        Ok(Bridge { name, network })
    }

    /// `pdm-br<pid>`: at most 13 characters (the kernel allows 15), and
    /// the `pdm-` prefix `clean-test-leftovers.sh` looks for.
    fn process_name() -> String {
        format!("pdm-br{}", std::process::id())
    }

    fn create(name: &str) -> Result<Ipv4Addr, TestkitError> {
        // A bridge of this name is a dead process's that had our pid.
        ip_undo(&["link", "del", name]);
        let routes = ip(&["-4", "route", "show"])?;
        let start = std::process::id() % subnet::COUNT;
        let network = subnet::first_free(start, &routes).ok_or_else(|| TestkitError::NoFreeSubnet {
            first: format!("{}/24", subnet::network(start)),
        })?;
        let gateway = host_address(network, 1);
        let address = format!("{gateway}/24");
        // A bridge with no MAC address of its own takes the lowest of its
        // ports', so its MAC changes as hosts come and go, and the other
        // hosts' neighbour caches keep sending to the old one, which the
        // bridge no longer takes for itself, until their entries expire
        // (15 to 30 s without a connection). A fixed, locally administered
        // MAC made of its IP address does not change.
        let [_, x, y, _] = network.octets();
        let mac = format!("02:00:0a:{x:02x}:{y:02x}:01");
        let made = ip(&["link", "add", name, "address", &mac, "type", "bridge"])
            .and_then(|_| ip(&["addr", "add", &address, "dev", name]))
            .and_then(|_| ip(&["link", "set", name, "up"]));
        if let Err(e) = made {
            ip_undo(&["link", "del", name]);
            return Err(e);
        }
        Ok(network)
    }

    /// The bridge's interface name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bridge's own address, 10.x.y.1: where the NATS servers listen
    /// and the hosts' default route.
    #[must_use]
    pub fn address(&self) -> Ipv4Addr {
        host_address(self.network, 1)
    }

    /// The next free host address of the subnet (10.x.y.2 onwards), and
    /// its last byte, which names the host's veths.
    pub(crate) fn next_host(&self) -> Option<(Ipv4Addr, u8)> {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        let s = shared.as_mut()?;
        let n = s.next_host;
        (n < 255).then(|| {
            s.next_host += 1;
            (host_address(self.network, n), n)
        })
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = shared.as_mut() {
            s.holders -= 1;
            if s.holders == 0 {
                ip_undo(&["link", "del", &self.name]);
                *shared = None;
            }
        }
    }
}

fn host_address(network: Ipv4Addr, last: u8) -> Ipv4Addr {
    let [a, b, c, _] = network.octets();
    Ipv4Addr::new(a, b, c, last)
}
