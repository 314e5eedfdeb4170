//! A test host: a network namespace joined to the process's bridge by a
//! veth pair, so a program run in it reaches the NATS servers over a link
//! the test can cut, as a real host reaches them over its network.

use super::bridge::Bridge;
use super::ip::{ip, ip_undo};
use crate::TestkitError;
use std::net::Ipv4Addr;
use std::process::Command;

/// A network namespace with one address on the test bridge; deleted, with
/// its veths, when dropped.
#[derive(Debug)]
pub struct HostNet {
    namespace: String,
    /// The veth end inside the namespace, which [`HostNet::cut`] downs.
    inside: String,
    /// The veth end on the bridge, in the root namespace.
    outside: String,
    address: Ipv4Addr,
    bridge: Bridge,
}

impl HostNet {
    /// Makes the namespace `pdm-<pid>-<n>-<name>` (`n` the last byte of
    /// its address, so tests of one process may all have a host `a`) with
    /// lo up, its veth on the
    /// bridge, the next address of the bridge's subnet and a default route
    /// through the bridge's address.
    ///
    /// # Errors
    /// When `name` cannot name a namespace, when not root, when the subnet
    /// is full or when `ip` refuses a step.
    pub fn create(name: &str) -> Result<HostNet, TestkitError> {
        let valid = (1..=20).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(TestkitError::HostName(name.to_owned()));
        }
        let bridge = Bridge::acquire()?;
        let (address, n) = bridge.next_host().ok_or_else(|| TestkitError::NoHostAddress {
            bridge: bridge.name().to_owned(),
            host: name.to_owned(),
        })?;
        let pid = std::process::id();
        // Interface names are at most 15 characters: `pdm-` (the prefix the
        // clean-up script looks for), the pid (at most 7 digits), a letter
        // for the side and the address's last byte.
        let host = HostNet {
            namespace: format!("pdm-{pid}-{n}-{name}"),
            inside: format!("pdm-{pid}n{n}"),
            outside: format!("pdm-{pid}h{n}"),
            address,
            bridge,
        };
        // A namespace of this name is a dead process's that had our pid.
        ip_undo(&["netns", "del", &host.namespace]);
        // From here on, dropping `host` undoes whatever was made.
        host.build()?;
        Ok(host)
    }

    fn build(&self) -> Result<(), TestkitError> {
        let ns = self.namespace.as_str();
        let gateway = self.bridge.address().to_string();
        let address = format!("{}/24", self.address);
        ip(&["netns", "add", ns])?;
        ip(&[
            "link",
            "add",
            &self.outside,
            "type",
            "veth",
            "peer",
            "name",
            &self.inside,
        ])?;
        ip(&["link", "set", &self.inside, "netns", ns])?;
        ip(&["link", "set", &self.outside, "master", self.bridge.name(), "up"])?;
        ip(&["-n", ns, "link", "set", "lo", "up"])?;
        ip(&["-n", ns, "addr", "add", &address, "dev", &self.inside])?;
        ip(&["-n", ns, "link", "set", &self.inside, "up"])?;
        ip(&["-n", ns, "route", "add", "default", "via", &gateway])?;
        Ok(())
    }

    /// The namespace's name.
    #[must_use]
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The host's address on the bridge.
    #[must_use]
    pub fn address(&self) -> Ipv4Addr {
        self.address
    }

    /// The bridge's address, where the hosts reach the NATS servers.
    #[must_use]
    pub fn gateway(&self) -> Ipv4Addr {
        self.bridge.address()
    }

    /// `nsenter --net=/run/netns/NAME --`: the words to put before a
    /// command line to run it on this host. Only the network is entered:
    /// `ip netns exec` would also mount a sysfs of its own over /sys, and
    /// a daemon would no longer find its cgroups.
    #[must_use]
    pub fn exec_prefix(&self) -> Vec<String> {
        vec![
            "nsenter".to_owned(),
            format!("--net=/run/netns/{}", self.namespace),
            "--".to_owned(),
        ]
    }

    /// A command that runs `program` on this host (arguments still to add).
    #[must_use]
    pub fn command(&self, program: &str) -> Command {
        let prefix = self.exec_prefix();
        let mut cmd = Command::new(&prefix[0]);
        cmd.args(&prefix[1..]).arg(program);
        cmd
    }

    /// Takes the host off the network: its interface goes down, and with
    /// it its routes, so connecting anywhere fails at once.
    ///
    /// # Errors
    /// When `ip` refuses.
    pub fn cut(&self) -> Result<(), TestkitError> {
        ip(&["-n", &self.namespace, "link", "set", &self.inside, "down"])?;
        Ok(())
    }

    /// Puts the host back: the interface up and, since downing it deleted
    /// the default route, that route again.
    ///
    /// # Errors
    /// When `ip` refuses.
    pub fn restore(&self) -> Result<(), TestkitError> {
        let ns = self.namespace.as_str();
        let gateway = self.bridge.address().to_string();
        ip(&["-n", ns, "link", "set", &self.inside, "up"])?;
        ip(&["-n", ns, "route", "replace", "default", "via", &gateway])?;
        Ok(())
    }
}

impl Drop for HostNet {
    fn drop(&mut self) {
        // Deleting the namespace frees its veth end only later, in the
        // kernel's own time; deleting the pair first is immediate, so the
        // names are free when this returns.
        ip_undo(&["link", "del", &self.outside]);
        ip_undo(&["netns", "del", &self.namespace]);
    }
}
