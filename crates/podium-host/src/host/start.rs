//! Starting a session: who may, the account and command checked, the
//! locale chosen, the worker started and watched until the desktop runs.

use crate::error::{HostError, Result};
use crate::live::{Ended, Live, LiveState};
use crate::registry::StoredSession;
use crate::users::Account;
use crate::worker::client::{self, Connection};
use crate::worker::protocol::WorkerSpec;
use podium_core::permission::{may_ask_to_start, may_start};
use podium_core::{
    AuditKind, AuditOutcome, Caller, NewAudit, Refusal, SessionId, SessionInfo, SessionState, StartRequest, Timestamp,
};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::state::{Host, HostEvent, SESSION_PATH};

impl Host {
    /// Audits a refused start; the error to answer with.
    fn refuse_start(&self, caller: &Caller, user: &str, r: Refusal) -> HostError {
        self.record(&NewAudit::refused(caller.user.clone(), "start", r.reason()).target(user));
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
        if let Err(r) = may_ask_to_start(caller, &req.user) {
            return Err(self.refuse_start(caller, &req.user, r));
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
                self.forget(&live, AuditOutcome::Failed, Some(e.to_string()), &caller.user);
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
                self.forget(&live, AuditOutcome::Failed, Some(e.to_string()), &caller.user);
                return Err(e);
            }
        };
        {
            let mut st = live.state();
            st.running = Some(running.clone());
            st.state = SessionState::Disconnected;
        }
        self.registry.set_running(id, &running, SessionState::Disconnected)?;
        self.record(
            &NewAudit::new(caller.user.clone(), AuditKind::SessionStart, AuditOutcome::Done)
                .on(id, live.account.name.clone()),
        );
        match Connection::connect(&spec.socket()).await {
            Ok(conn) => self.follow_worker(live.clone(), conn),
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
            follow_station_size: s.follow_station_size,
        }
    }

    /// Removes a session that never ran (failed start) and audits it.
    fn forget(&self, live: &Live, outcome: AuditOutcome, reason: Option<String>, actor: &str) {
        let audit = NewAudit::new(actor, AuditKind::SessionStart, outcome)
            .on(live.id, live.account.name.clone())
            .reason(reason);
        if let Err(e) = self.registry.finish(live.id, &audit) {
            tracing::error!(session = live.id, "registry: {e}");
        }
        self.sessions().remove(&live.id);
        live.announce_end(Ended {
            end: podium_core::EndKind::Failed,
            problem: audit.reason.clone(),
            duration_ms: None,
            applications: Vec::new(),
        });
        self.emit(HostEvent::Removed {
            id: live.id,
            uid: live.account.uid,
            end: None,
            applications: Vec::new(),
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
    let program = find_program(first).map_err(bad)?;
    Ok((program, argv))
}

/// Where the program `first` (a path, or a name looked for in the
/// session's `PATH`) is, or why it cannot run, in words.
///
/// # Errors
/// When it does not exist or is not executable.
pub(crate) fn find_program(first: &str) -> std::result::Result<PathBuf, String> {
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
                return Err(format!("{} is not executable", c.display()));
            }
            return Ok(c.clone());
        }
    }
    Err(if first.contains('/') {
        format!("{first} does not exist")
    } else {
        format!("{first} not found in {SESSION_PATH}")
    })
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
