//! The school's hosts as `GET /api/v1/hosts` lists them: the dashboard's
//! Systems tab. A single host lists itself.

use serde::{Deserialize, Serialize};

/// Whether a host answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostState {
    /// Heard from within the last 6 s.
    Reachable,
    /// Not heard from for 6 s or more: its sessions are shown greyed.
    Unreachable,
}

/// One host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostInfo {
    /// The host's name in the school (`[cluster] host`), or the machine's
    /// name on a single host.
    pub name: String,
    /// Whether it answers.
    pub state: HostState,
    /// Whether it is the host that answered this request.
    pub local: bool,
    /// Sessions running on it (as last heard).
    pub sessions: u32,
    /// Sessions it takes.
    pub capacity: u32,
    /// Its 1-minute load average.
    pub load1: f64,
    /// Its processors.
    pub cpus: u32,
    /// Memory available, KiB.
    pub memory_available_kib: u64,
    /// Memory in all, KiB.
    pub memory_total_kib: u64,
    /// Where browsers reach it.
    pub address: Option<String>,
    /// Milliseconds since it was last heard from (0 for the local host;
    /// absent when it never was).
    pub silent_ms: Option<u64>,
}

/// The body of `GET /api/v1/hosts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostList {
    /// Every host, this one first, then by name.
    pub hosts: Vec<HostInfo>,
    /// Whether this host is part of a cluster and reaches its NATS now
    /// (`null` on a single host).
    pub cluster_connected: Option<bool>,
}
