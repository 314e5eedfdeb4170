//! `/hosts`: the school's hosts, for the dashboard's Systems tab.

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use podium_cluster::HostLoad;
use podium_core::{ErrorBody, HostInfo, HostList, HostState};

/// The hosts route.
pub fn routes() -> Documented {
    documented!("/api/v1", hosts)
}

/// Every host of the school with its state, sessions and load; on a single
/// host, itself (dashboard users and administrators).
#[utoipa::path(
    get,
    path = "/api/v1/hosts",
    tag = "hosts",
    responses(
        (status = 200, description = "The hosts", body = HostList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Standard users do not see the hosts", body = ErrorBody),
    )
)]
pub(crate) async fn hosts(State(s): State<AppState>, Who(caller): Who) -> Result<Json<HostList>, AppError> {
    podium_core::permission::may_see_hosts(&caller).map_err(|r| AppError::forbidden(r.reason()))?;
    let config = &s.host.config().cluster;
    let name = match config.name() {
        Some(name) => name.to_owned(),
        None => {
            nix::unistd::gethostname().map_or_else(|_| "localhost".to_owned(), |h| h.to_string_lossy().into_owned())
        }
    };
    let sessions = u32::try_from(s.host.all_sessions().len()).unwrap_or(u32::MAX);
    let here = HostLoad::measure(&name, sessions, config.capacity, config.address.clone());
    let mut hosts = vec![info(&here, HostState::Reachable, true, Some(0))];
    if let Some(node) = &s.cluster {
        for (host, view) in node.directory().hosts() {
            if host == name {
                continue;
            }
            // A host known only by its sessions has no figures yet.
            let load = view.load.unwrap_or_else(|| HostLoad {
                host: host.clone(),
                ..HostLoad::default()
            });
            let mut row = info(&load, view.state, false, view.silent_ms);
            // What the directory holds is what the teacher sees greyed.
            row.sessions = u32::try_from(view.sessions).unwrap_or(u32::MAX);
            hosts.push(row);
        }
    }
    Ok(Json(HostList {
        hosts,
        cluster_connected: s.cluster.as_ref().map(|n| n.connected()),
    }))
}

fn info(load: &HostLoad, state: HostState, local: bool, silent_ms: Option<u64>) -> HostInfo {
    HostInfo {
        name: load.host.clone(),
        state,
        local,
        sessions: load.sessions,
        capacity: load.capacity,
        load1: load.load1,
        cpus: load.cpus,
        memory_available_kib: load.memory_available_kib,
        memory_total_kib: load.memory_total_kib,
        address: load.address.clone(),
        silent_ms,
    }
}
