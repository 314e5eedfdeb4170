//! Several hosts on one machine, for tests of what Podium's hosts do
//! together: each host a network namespace on a bridge of the test's own
//! ([`HostNet`]), the NATS cluster they share ([`NatsCluster`]) with TLS
//! from a CA of the test's own ([`TestCa`]), and a link per host the test
//! can cut.
//!
//! Everything is named after the test process (`pdm-br<pid>`,
//! `pdm-<pid>-<n>-<host>`, `/tmp/podium-test-cluster-<pid>-<n>/`) and on a
//! subnet of its own, so test processes run side by side, and
//! `scripts/clean-test-leftovers.sh` finds what an interrupted run left.
//! It needs root, `ip` and `nats-server`; without them it fails and says
//! so.

mod bridge;
mod config;
mod ip;
mod monitor;
mod nats;
mod netns;
mod node;
mod subnet;
mod tls;

pub use bridge::Bridge;
pub use monitor::{Counters, Traffic};
pub use nats::NatsCluster;
pub use netns::HostNet;
pub use tls::{Issued, TestCa, write_private};
