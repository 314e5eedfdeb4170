//! The host's state, which every step of a session reads: its sessions,
//! registry, roles, cgroup hierarchy and the events clients watch.
//! Starting is [`super::start`], log off [`super::logoff`], the end of a
//! session [`super::ending`], taking sessions back after a restart
//! [`super::recover`].

use crate::cgroup::Hierarchy;
use crate::error::{HostError, Result};
use crate::live::Live;
use crate::registry::Registry;
use crate::users::Roles;
use podium_core::permission::{may_read_audit, may_see};
use podium_core::{
    AuditList, Caller, Config, NewAudit, Role, SessionId, SessionInfo, SessionList, SessionState, Timestamp,
};
use std::collections::BTreeMap;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::broadcast;

/// Something clients watching the host want to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    /// A session appeared.
    Added(SessionInfo),
    /// A session changed (state, deadline …).
    Changed(SessionInfo),
    /// A session is gone.
    Removed {
        /// Its id.
        id: SessionId,
        /// Its user's uid, so watchers can tell whether they saw it.
        uid: u32,
        /// How a log off ended it (none for other ends).
        end: Option<podium_core::EndKind>,
        /// What the log off did to each application.
        applications: Vec<podium_core::AppOutcome>,
    },
    /// The messages waiting on a session changed (for its user only).
    Messages {
        /// The session.
        id: SessionId,
        /// Its user's uid.
        uid: u32,
        /// Every message still waiting, oldest first.
        messages: Vec<podium_core::UserMessage>,
    },
}

/// The host: sessions, registry, roles.
#[derive(Debug)]
pub struct Host {
    pub(crate) config: Config,
    pub(crate) registry: Registry,
    pub(crate) roles: Roles,
    pub(crate) hierarchy: Hierarchy,
    pub(crate) worker_exe: PathBuf,
    pub(crate) ended_dir: PathBuf,
    sessions: Mutex<BTreeMap<SessionId, Arc<Live>>>,
    events: broadcast::Sender<HostEvent>,
    pub(crate) stats: crate::stats::Stats,
}

/// The `PATH` desktop programs get.
pub const SESSION_PATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games";

impl Host {
    /// Opens the host: finds the cgroup hierarchy, prepares Podium's
    /// directories, opens the registry. `worker_exe` is the `podium` binary
    /// (re-executed as the session worker).
    ///
    /// # Errors
    /// When a directory, the cgroup hierarchy or the registry cannot be used.
    pub fn open(config: Config, worker_exe: PathBuf) -> Result<Arc<Host>> {
        let hierarchy = Hierarchy::discover(&config.session.cgroup)?;
        hierarchy.prepare()?;
        let run_dir = &config.server.run_dir;
        std::fs::DirBuilder::new()
            .mode(0o755)
            .recursive(true)
            .create(run_dir)
            .map_err(HostError::io("create", run_dir))?;
        std::fs::set_permissions(run_dir, std::fs::Permissions::from_mode(0o755))
            .map_err(HostError::io("chmod", run_dir))?;
        crate::socket_dirs::ensure_all();
        let registry = Registry::open(&config.server.state_dir)?;
        let ended_dir = config.server.state_dir.join("ended");
        std::fs::DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(&ended_dir)
            .map_err(HostError::io("create", &ended_dir))?;
        let roles = Roles::new(config.roles.clone());
        Ok(Arc::new(Host {
            config,
            registry,
            roles,
            hierarchy,
            worker_exe,
            ended_dir,
            sessions: Mutex::new(BTreeMap::new()),
            events: broadcast::channel(1024).0,
            stats: crate::stats::Stats::default(),
        }))
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The role resolver.
    #[must_use]
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// The registry (web logins, audit).
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The `podium` binary, re-executed for helpers (session worker, PAM checks).
    #[must_use]
    pub fn exe(&self) -> &Path {
        &self.worker_exe
    }

    /// Log-off counters.
    #[must_use]
    pub fn stats(&self) -> &crate::stats::Stats {
        &self.stats
    }

    /// How many sessions are in each state now.
    #[must_use]
    pub fn count_by_state(&self) -> [(SessionState, usize); 4] {
        let mut counts = [
            (SessionState::Starting, 0),
            (SessionState::Active, 0),
            (SessionState::Disconnected, 0),
            (SessionState::Closing, 0),
        ];
        for live in self.snapshot() {
            let state = live.state().state;
            if let Some(c) = counts.iter_mut().find(|(s, _)| *s == state) {
                c.1 += 1;
            }
        }
        counts
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, BTreeMap<SessionId, Arc<Live>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every live session, by id.
    pub(crate) fn snapshot(&self) -> Vec<Arc<Live>> {
        self.sessions().values().cloned().collect()
    }

    /// Watches sessions appear, change and go.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<HostEvent> {
        self.events.subscribe()
    }

    pub(crate) fn emit(&self, e: HostEvent) {
        let _ = self.events.send(e);
    }

    /// The session as clients see it.
    #[must_use]
    pub fn info(&self, live: &Live) -> SessionInfo {
        let st = live.state();
        SessionInfo {
            id: live.id,
            user: live.account.name.clone(),
            uid: live.account.uid,
            full_name: live.account.full_name.clone(),
            role: self.roles.standing(&live.account).role,
            station: st.station.as_ref().map(|c| c.info.clone()),
            state: st.state,
            blocked: st.block.is_some(),
            block_message: st.block.clone().filter(|m| !m.is_empty()),
            display: st
                .running
                .as_ref()
                .map(|r| format!(":{}", r.display))
                .unwrap_or_default(),
            created_at: live.created_at,
            connected_at: st.connected_at,
            logoff_deadline: st
                .logoff
                .as_ref()
                .map(|l| Timestamp::from_unix(crate::live::unix_secs(l.deadline))),
            host: self.config.cluster.name().map(str::to_owned),
            projected_by: live.projection().map(|p| p.by_name),
        }
    }

    /// How to reach session `id`'s display as an X client (for thumbnails),
    /// once it runs.
    #[must_use]
    pub fn display_access(&self, id: SessionId) -> Option<podium_x11::DisplayAccess> {
        let live = self.sessions().get(&id).cloned()?;
        live.display_access()
    }

    /// The role of a session's user, now.
    #[must_use]
    pub fn owner_role(&self, live: &Live) -> Role {
        self.roles.standing(&live.account).role
    }

    /// Every session, as clients see them (what this host tells the
    /// school's other hosts).
    #[must_use]
    pub fn all_sessions(&self) -> Vec<SessionInfo> {
        self.snapshot().iter().map(|l| self.info(l)).collect()
    }

    /// The sessions `caller` may see.
    #[must_use]
    pub fn list(&self, caller: &Caller) -> SessionList {
        let sessions = self
            .snapshot()
            .iter()
            .filter(|l| may_see(caller, l.account.uid))
            .map(|l| self.info(l))
            .collect();
        SessionList { sessions }
    }

    /// One session, if `caller` may see it.
    #[must_use]
    pub fn get(&self, caller: &Caller, id: SessionId) -> Option<SessionInfo> {
        let live = self.sessions().get(&id).cloned()?;
        may_see(caller, live.account.uid).then(|| self.info(&live))
    }

    /// Whether session `id` exists and `caller` may see it (what
    /// [`Host::get`] decides, without making the session's JSON: a
    /// thumbnail request asks this ten times a second per desktop).
    #[must_use]
    pub fn may_see(&self, caller: &Caller, id: SessionId) -> bool {
        self.sessions().get(&id).is_some_and(|l| may_see(caller, l.account.uid))
    }

    /// The audit log, for dashboard users and administrators.
    ///
    /// # Errors
    /// [`HostError::Refused`] for standard users; registry failures.
    pub fn audit(&self, caller: &Caller, since: Option<Timestamp>, limit: u32) -> Result<AuditList> {
        may_read_audit(caller).map_err(HostError::Refused)?;
        Ok(AuditList {
            records: self.registry.audit_records(since, limit.clamp(1, 10_000))?,
            school_error: None,
        })
    }

    /// Adds an audit record; a failure is logged, never lost silently.
    pub fn record(&self, a: &NewAudit) {
        if let Err(e) = self.registry.audit(a) {
            tracing::error!("cannot write the audit log: {e}");
        }
    }
}
