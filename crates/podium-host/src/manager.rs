//! The daemon's view of the host: every session, starting them, listing
//! them, and the events clients watch. Log off is in [`crate::logoff`],
//! taking sessions back after a restart in [`crate::recover`].

use crate::cgroup::Hierarchy;
use crate::error::{HostError, Result};
use crate::live::{Ended, Live, LiveState};
use crate::registry::{NewAudit, Registry, StoredSession};
use crate::users::{Account, Roles};
use crate::worker::client::{self, Connection};
use crate::worker::protocol::WorkerSpec;
use podium_core::permission::{may_see, may_start};
use podium_core::{
    AuditKind, AuditList, Caller, Config, Refusal, Role, SessionId, SessionInfo, SessionList, SessionState,
    StartRequest, Timestamp,
};
use std::collections::{BTreeMap, BTreeSet};
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
        }
    }

    /// How to reach session `id`'s display as an X client (for thumbnails),
    /// once it runs.
    #[must_use]
    pub fn display_access(&self, id: SessionId) -> Option<crate::x11::DisplayAccess> {
        let live = self.sessions().get(&id).cloned()?;
        live.display_access()
    }

    /// The role of a session's user, now.
    #[must_use]
    pub fn owner_role(&self, live: &Live) -> Role {
        self.roles.standing(&live.account).role
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
        if !caller.role.oversees() {
            return Err(HostError::Refused(Refusal::NotYourSession));
        }
        Ok(AuditList {
            records: self.registry.audit_records(since, limit.clamp(1, 10_000))?,
        })
    }

    /// Adds an audit record; a failure is logged, never lost silently.
    pub fn record(&self, a: &NewAudit) {
        if let Err(e) = self.registry.audit(a) {
            tracing::error!("cannot write the audit log: {e}");
        }
    }

    /// Audits a refused start; the error to answer with.
    fn refuse_start(&self, caller: &Caller, user: &str, r: Refusal) -> HostError {
        self.record(&NewAudit {
            actor: caller.user.clone(),
            kind: AuditKind::Refused,
            action: Some("start".into()),
            session: None,
            target_user: Some(user.to_owned()),
            outcome: "refused".into(),
            reason: Some(r.reason().into()),
            duration_ms: None,
        });
        HostError::Refused(r)
    }

    /// Starts a session for `req.user` (administrators, or the user for
    /// themselves). Returns once the desktop runs.
    ///
    /// # Errors
    /// [`HostError::Refused`], [`HostError::Invalid`], an unusable account or
    /// command, [`HostError::AlreadyRunning`], or what the worker reported.
    pub async fn start(self: &Arc<Self>, caller: &Caller, req: &StartRequest) -> Result<SessionInfo> {
        req.validate()?;
        // Someone who may only start their own session is refused before the
        // account is looked up, so the answer never tells whether it exists.
        if caller.role != Role::Admin && req.user != caller.user {
            return Err(self.refuse_start(caller, &req.user, Refusal::StartForOthers));
        }
        let account = Account::by_name(&req.user)?;
        let standing = self.roles.standing(&account);
        if let Err(r) = may_start(caller, account.uid, standing.may_log_on) {
            return Err(self.refuse_start(caller, &account.name, r));
        }
        if !account.home.is_dir() {
            return Err(HostError::UnusableAccount {
                user: account.name,
                why: format!("home directory {} does not exist", account.home.display()),
            });
        }
        let command = req
            .command
            .clone()
            .unwrap_or_else(|| self.config.session.command.clone());
        let (program, argv) = resolve_command(&command)?;
        let locale = self.locale_for(&account.name, req.locale.as_deref());
        let live = self.reserve(account, program, argv, locale)?;
        let id = live.id;
        let _span = tracing::info_span!("start", session = id, user = %live.account.name).entered();
        tracing::info!(by = %caller.user, "starting session");
        let spec = live.spec.clone();
        drop(_span);
        let running = match client::start(&self.worker_exe, &spec).await {
            client::StartOutcome::Running(r) => r,
            client::StartOutcome::Failed(e) => {
                self.forget(&live, "failed", Some(e.to_string()), &caller.user);
                return Err(e);
            }
            client::StartOutcome::Lost(e) => {
                tracing::warn!(
                    session = id,
                    "session worker lost while starting ({e}); cleaning up after it"
                );
                let reclaim = crate::worker::protocol::ReclaimSpec {
                    spec: spec.clone(),
                    running: None,
                };
                if let Err(r) = client::reclaim(&self.worker_exe, &reclaim).await {
                    tracing::error!(session = id, "cleanup after a lost start failed: {r}");
                }
                self.forget(&live, "failed", Some(e.to_string()), &caller.user);
                return Err(e);
            }
        };
        {
            let mut st = live.state();
            st.running = Some(running.clone());
            st.state = SessionState::Disconnected;
        }
        self.registry.set_running(id, &running, SessionState::Disconnected)?;
        self.record(&NewAudit {
            actor: caller.user.clone(),
            kind: AuditKind::SessionStart,
            action: None,
            session: Some(id),
            target_user: Some(live.account.name.clone()),
            outcome: "done".into(),
            reason: None,
            duration_ms: None,
        });
        match Connection::connect(&spec.socket()).await {
            Ok(conn) => self.watch(live.clone(), conn),
            Err(e) => {
                tracing::error!(session = id, "cannot reach the new session's worker: {e}");
                let host = self.clone();
                let l = live.clone();
                tokio::spawn(async move { host.worker_gone(l).await });
            }
        }
        let info = self.info(&live);
        self.emit(HostEvent::Changed(info.clone()));
        tracing::info!(session = id, display = running.display, "session started");
        Ok(info)
    }

    /// The locale a new session of `user` speaks, when the user (or the
    /// start) chose one; `None` leaves it to the PAM environment.
    fn locale_for(&self, user: &str, asked: Option<&str>) -> Option<String> {
        let remembered = self.registry.remembered_locale(user).unwrap_or_else(|e| {
            tracing::warn!(user, "cannot read the user's language: {e}");
            None
        });
        let accounts = crate::locale::accounts_service_language(Path::new(crate::locale::ACCOUNTS_SERVICE_DIR), user);
        let (locale, source) = crate::locale::choose(asked, remembered.as_deref(), accounts.as_deref())?;
        tracing::info!(user, locale = %locale, "the session's locale is {}", source.as_str());
        Some(locale)
    }

    /// Picks an id, records the starting session and announces it.
    fn reserve(
        &self,
        account: Account,
        program: PathBuf,
        argv: Vec<String>,
        locale: Option<String>,
    ) -> Result<Arc<Live>> {
        let mut sessions = self.sessions();
        if let Some(other) = sessions.values().find(|l| l.account.uid == account.uid) {
            return Err(HostError::AlreadyRunning {
                user: account.name,
                id: other.id,
            });
        }
        let taken: BTreeSet<SessionId> = sessions.keys().copied().collect();
        // Never an id whose files or cgroup a crashed session left behind:
        // they are cleaned at the next start, not reused.
        let leftover = |i: SessionId| {
            self.config.server.run_dir.join(format!("session-{i}")).exists() || self.hierarchy.session(i).exists()
        };
        let id = (1..).find(|i| !taken.contains(i) && !leftover(*i)).unwrap_or(0);
        let mut spec = self.spec_for(id, &account, program, argv);
        spec.locale = locale;
        let created_at = Timestamp::now();
        let stored = StoredSession {
            id,
            user: account.name.clone(),
            uid: account.uid,
            state: SessionState::Starting,
            created_at,
            connected_at: None,
            logoff: None,
            spec: spec.clone(),
            running: None,
            locked: false,
            block: None,
            disconnected_since: Some(created_at),
        };
        self.registry.insert(&stored)?;
        let mut state = LiveState::new(SessionState::Starting);
        state.disconnected_since = Some(created_at);
        let live = Arc::new(Live::new(account, spec, created_at, state));
        sessions.insert(id, live.clone());
        drop(sessions);
        self.emit(HostEvent::Added(self.info(&live)));
        Ok(live)
    }

    fn spec_for(&self, id: SessionId, account: &Account, program: PathBuf, argv: Vec<String>) -> WorkerSpec {
        let s = &self.config.session;
        WorkerSpec {
            id,
            user: account.name.clone(),
            uid: account.uid,
            gid: account.gid,
            home: account.home.clone(),
            shell: account.shell.clone(),
            program,
            argv,
            path_env: SESSION_PATH.into(),
            geometry: s.geometry.to_string(),
            pam_service: s.pam_service.clone(),
            xvnc: s.xvnc.clone(),
            run_dir: self.config.server.run_dir.join(format!("session-{id}")),
            cgroup: self.hierarchy.session(id),
            max_processes: s.max_processes,
            terminate_timeout_ms: u64::from(s.terminate_timeout_seconds) * 1000,
            desktop_name: format!("{} ({})", account.full_name, account.name),
            ended_dir: self.ended_dir.clone(),
            locale: None,
        }
    }

    /// Removes a session that never ran (failed start) and audits it.
    fn forget(&self, live: &Live, outcome: &str, reason: Option<String>, actor: &str) {
        let audit = NewAudit {
            actor: actor.to_owned(),
            kind: AuditKind::SessionStart,
            action: None,
            session: Some(live.id),
            target_user: Some(live.account.name.clone()),
            outcome: outcome.to_owned(),
            reason,
            duration_ms: None,
        };
        if let Err(e) = self.registry.finish(live.id, &audit) {
            tracing::error!(session = live.id, "registry: {e}");
        }
        self.sessions().remove(&live.id);
        live.announce_end(Ended {
            end: podium_core::EndKind::Failed,
            problem: audit.reason.clone(),
            duration_ms: None,
        });
        self.emit(HostEvent::Removed {
            id: live.id,
            uid: live.account.uid,
        });
    }
}

/// Splits a desktop command line and finds its program in the session's
/// `PATH`, so a typo is reported before anything is started.
///
/// # Errors
/// [`HostError::BadCommand`] naming what is wrong.
pub fn resolve_command(command: &str) -> Result<(PathBuf, Vec<String>)> {
    let bad = |why: String| HostError::BadCommand {
        command: command.to_owned(),
        why,
    };
    let argv = shell_words::split(command).map_err(|e| bad(format!("cannot be split into words: {e}")))?;
    let first = argv.first().ok_or_else(|| bad("is empty".into()))?;
    let candidates: Vec<PathBuf> = if first.contains('/') {
        vec![PathBuf::from(first)]
    } else {
        SESSION_PATH.split(':').map(|d| Path::new(d).join(first)).collect()
    };
    for c in &candidates {
        if let Ok(meta) = std::fs::metadata(c)
            && meta.is_file()
        {
            if meta.permissions().mode() & 0o111 == 0 {
                return Err(bad(format!("{} is not executable", c.display())));
            }
            return Ok((c.clone(), argv));
        }
    }
    Err(bad(if first.contains('/') {
        format!("{first} does not exist")
    } else {
        format!("{first} not found in {SESSION_PATH}")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_split_and_found_in_path() {
        let (p, argv) = resolve_command("sh -c 'echo hi'").expect("sh exists");
        assert!(p.ends_with("sh"));
        assert_eq!(argv, vec!["sh", "-c", "echo hi"]);
        assert!(matches!(
            resolve_command("no-such-program-podium"),
            Err(HostError::BadCommand { .. })
        ));
        assert!(matches!(
            resolve_command("/nonexistent/x"),
            Err(HostError::BadCommand { .. })
        ));
        assert!(matches!(
            resolve_command("/etc/passwd"),
            Err(HostError::BadCommand { .. })
        ));
        assert!(matches!(
            resolve_command("sh -c 'unterminated"),
            Err(HostError::BadCommand { .. })
        ));
        assert!(matches!(resolve_command("   "), Err(HostError::BadCommand { .. })));
    }
}
