//! Keeping track of running sessions: the task that holds each worker
//! connection, the end of a session (audited once), cleaning up after a
//! worker that died, and taking sessions back after the daemon restarted.

use crate::error::Result;
use crate::live::{Ended, Live, LiveState, PendingLogoff};
use crate::manager::{Host, HostEvent};
use crate::registry::{NewAudit, StoredSession};
use crate::users::Account;
use crate::worker::client::{self, Connection};
use crate::worker::protocol::{EndCause, EndReport, ReclaimSpec, Reply, WorkerSpec};
use podium_core::audit::SYSTEM_ACTOR;
use podium_core::{AuditKind, SessionState};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a restarted daemon waits for a worker that was still starting.
const STARTING_GRACE: Duration = client::START_TIMEOUT;

impl Host {
    /// Holds the connection to a session's worker: forwards requests, and
    /// ends the session when the worker reports the end or disappears.
    pub(crate) fn watch(self: &Arc<Self>, live: Arc<Live>, mut conn: Connection) {
        let host = self.clone();
        let Some(mut commands) = live.take_commands() else {
            tracing::error!(session = live.id, "session already watched");
            return;
        };
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    cmd = commands.recv() => {
                        let Some(cmd) = cmd else { break };
                        if let Err(e) = conn.send(&cmd).await {
                            tracing::warn!(session = live.id, "worker unreachable: {e}");
                        }
                    }
                    reply = conn.next() => match reply {
                        Ok(Some(Reply::Ended(report))) => {
                            host.finish(&live, &report);
                            return;
                        }
                        Ok(Some(Reply::Status { .. })) => {}
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!(session = live.id, "worker connection: {e}");
                            break;
                        }
                    }
                }
            }
            host.worker_gone(live).await;
        });
    }

    /// The worker went away without reporting an end: wait for it to be
    /// really gone, then use the report it left, or clean up after it.
    pub(crate) async fn worker_gone(self: &Arc<Self>, live: Arc<Live>) {
        if live.has_ended() {
            return;
        }
        let worker = live.state().running.as_ref().map(|r| r.worker_pid);
        if let Some(pid) = worker {
            for _ in 0..600 {
                if !worker_alive(pid) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        if let Some(report) = self.left_report(live.id) {
            self.finish(&live, &report);
            return;
        }
        tracing::warn!(session = live.id, user = %live.account.name, "session worker died; cleaning up after it");
        // A worker removes the session's directory only after closing PAM
        // and removing the runtime directory: without that directory (the
        // worker finished its teardown but its end could not be recorded,
        // say on a full disk), only the cgroup may be left, and PAM must
        // not be closed a second time.
        let running = live.state().running.clone().filter(|_| live.spec.run_dir.exists());
        let spec = ReclaimSpec {
            spec: live.spec.clone(),
            running,
        };
        let report = match client::reclaim(&self.worker_exe, &spec).await {
            Ok(r) => r,
            Err(e) => EndReport {
                id: live.id,
                end: podium_core::EndKind::Failed,
                cause: crate::worker::protocol::EndCause::WorkerDied,
                problem: Some(format!("cleanup failed: {e}")),
                finished_at: podium_core::Timestamp::now(),
            },
        };
        self.finish(&live, &report);
    }

    /// Whether a session that was starting when the daemon went away will
    /// never answer: its worker left a report, or is recorded and gone.
    fn start_is_over(&self, live: &Live) -> bool {
        self.left_report(live.id).is_some()
            || crate::worker::recorded_worker_pid(&live.spec).is_some_and(|pid| !worker_alive(pid))
    }

    fn left_report(&self, id: podium_core::SessionId) -> Option<EndReport> {
        let path = WorkerSpec::ended_file(&self.ended_dir, id);
        let text = std::fs::read(&path).ok()?;
        serde_json::from_slice::<EndReport>(&text).ok().filter(|r| r.id == id)
    }

    /// The session is over: record it once (registry row gone and audit
    /// written in one transaction), tell watchers and waiters.
    pub(crate) fn finish(self: &Arc<Self>, live: &Arc<Live>, report: &EndReport) {
        let logoff = live.state().logoff.clone();
        let duration_ms = logoff.as_ref().map(|l| {
            u64::try_from(
                SystemTime::now()
                    .duration_since(l.asked_at)
                    .unwrap_or_default()
                    .as_millis(),
            )
            .unwrap_or(u64::MAX)
        });
        let (actor, kind, reason) = match &logoff {
            Some(l) => (l.by.clone(), AuditKind::Logoff, report.problem.clone()),
            // It never ran: the start is what failed.
            None if report.cause == EndCause::StartFailed => {
                (SYSTEM_ACTOR.into(), AuditKind::SessionStart, report.problem.clone())
            }
            None => (
                SYSTEM_ACTOR.into(),
                AuditKind::SessionEnd,
                Some(match &report.problem {
                    Some(p) => format!("{}: {p}", report.cause.describe()),
                    None => report.cause.describe().into(),
                }),
            ),
        };
        let audit = NewAudit {
            actor,
            kind,
            action: None,
            session: Some(live.id),
            target_user: Some(live.account.name.clone()),
            outcome: report.end.as_str().into(),
            reason,
            duration_ms,
        };
        if logoff.is_some() {
            self.stats
                .logoff(report.end, Duration::from_millis(duration_ms.unwrap_or(0)));
        }
        match self.registry.finish(live.id, &audit) {
            Ok(true) => {}
            Ok(false) => tracing::warn!(session = live.id, "session end was recorded already"),
            Err(e) => tracing::error!(session = live.id, "cannot record the end of the session: {e}"),
        }
        let _ = std::fs::remove_file(WorkerSpec::ended_file(&self.ended_dir, live.id));
        {
            let mut sessions = self.sessions();
            if sessions.get(&live.id).is_some_and(|l| Arc::ptr_eq(l, live)) {
                sessions.remove(&live.id);
            }
        }
        tracing::info!(session = live.id, user = %live.account.name, end = %report.end, cause = report.cause.describe(), "session ended");
        self.kick(live, crate::live::Kick::Ended);
        live.announce_end(Live::ended_from(report, duration_ms));
        self.emit(HostEvent::Removed {
            id: live.id,
            uid: live.account.uid,
        });
    }

    /// After a restart: takes back every session of the registry. Sessions
    /// are listed at once; each is then confirmed with its worker, finished
    /// if it ended meanwhile, or cleaned up if its worker died.
    ///
    /// # Errors
    /// When the registry cannot be read.
    pub fn recover(self: &Arc<Self>) -> Result<usize> {
        let rows = self.registry.sessions()?;
        let messages = self.registry.messages()?;
        let count = rows.len();
        let known: Vec<_> = rows.iter().map(|r| r.id).collect();
        for row in rows {
            let live = Arc::new(live_from_row(row));
            live.state().messages = messages
                .iter()
                .filter(|(session, _)| *session == live.id)
                .map(|(_, m)| m.clone())
                .collect();
            self.sessions().insert(live.id, live.clone());
            let host = self.clone();
            tokio::spawn(async move { host.adopt(live).await });
        }
        self.sweep_leftovers(&known);
        Ok(count)
    }

    async fn adopt(self: &Arc<Self>, live: Arc<Live>) {
        let was_starting = live.state().state == SessionState::Starting;
        let patience = if was_starting {
            STARTING_GRACE
        } else {
            Duration::from_secs(2)
        };
        let deadline = tokio::time::Instant::now() + patience;
        let conn = loop {
            match Connection::connect(&live.spec.socket()).await {
                Ok(c) => break Some(c),
                // A start that failed, or a worker that is gone, needs no
                // more waiting: `worker_gone` finishes from its report or
                // cleans up after it.
                Err(_) if was_starting && self.start_is_over(&live) => break None,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(250)).await
                }
                Err(_) => break None,
            }
        };
        let Some(mut conn) = conn else {
            self.worker_gone(live).await;
            return;
        };
        match conn.status().await {
            Ok(Reply::Status { running, .. }) => {
                {
                    let mut st = live.state();
                    st.running = Some(running.clone());
                    if st.state == SessionState::Starting {
                        st.state = SessionState::Disconnected;
                    }
                }
                let state = live.state().state;
                if let Err(e) = self.registry.set_running(live.id, &running, state) {
                    tracing::error!(session = live.id, "registry: {e}");
                }
                tracing::info!(session = live.id, user = %live.account.name, "session taken back");
                self.emit(HostEvent::Changed(self.info(&live)));
                let pending = live.state().logoff.is_some();
                self.watch(live.clone(), conn);
                self.restore_screen(&live);
                if pending {
                    self.resume_logoff(&live);
                }
            }
            Ok(Reply::Ended(report)) => self.finish(&live, &report),
            Err(e) => {
                tracing::warn!(session = live.id, "worker does not answer: {e}");
                self.worker_gone(live).await;
            }
        }
    }

    /// Removes end reports and cgroups no registry row accounts for.
    fn sweep_leftovers(&self, known: &[podium_core::SessionId]) {
        if let Ok(dir) = std::fs::read_dir(&self.ended_dir) {
            for entry in dir.flatten() {
                let name = entry.file_name();
                let id = name
                    .to_str()
                    .and_then(|n| n.strip_prefix("session-")?.split('.').next()?.parse().ok());
                if id.is_none_or(|id| !known.contains(&id)) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        for id in self.hierarchy.existing_sessions() {
            if known.contains(&id) {
                continue;
            }
            let cg = self.hierarchy.session(id);
            tracing::warn!(session = id, "removing a leftover session cgroup");
            for part in [crate::cgroup::Part::Desktop, crate::cgroup::Part::Display] {
                let _ = cg.kill(part);
            }
            std::thread::sleep(Duration::from_millis(100));
            if let Err(e) = cg.remove() {
                tracing::warn!(session = id, "{e}");
            }
        }
    }
}

fn live_from_row(row: StoredSession) -> Live {
    let account = Account::by_uid(row.uid).unwrap_or_else(|_| Account {
        name: row.user.clone(),
        uid: row.uid,
        gid: row.spec.gid,
        full_name: row.user.clone(),
        home: row.spec.home.clone(),
        shell: row.spec.shell.clone(),
    });
    let logoff = row.logoff.map(|l| PendingLogoff {
        deadline: SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(l.deadline.unix()).unwrap_or(0)),
        by_name: l.by.clone(),
        by: l.by,
        asked_at: SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(l.asked_ms).unwrap_or(0)),
    });
    // Stations did not survive the restart: their connections were the old daemon's.
    let state = match row.state {
        SessionState::Active => SessionState::Disconnected,
        other => other,
    };
    let mut state = LiveState::new(state);
    state.running = row.running;
    state.logoff = logoff;
    state.locked = row.locked;
    state.block = row.block;
    // Without a station now, whatever the row said: counting from the
    // restart at the latest.
    state.disconnected_since = Some(match row.disconnected_since {
        Some(since) if row.state != SessionState::Active => since,
        _ => podium_core::Timestamp::now(),
    });
    Live::new(account, row.spec, row.created_at, state)
}

/// Whether `pid` is a live (not zombie) session worker.
fn worker_alive(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    !matches!(state, Some('Z' | 'X') | None) && cmdline.split(|b| *b == 0).any(|a| a == b"session-worker")
}

impl Ended {
    /// Whether the session ended without trouble.
    #[must_use]
    pub fn clean(&self) -> bool {
        self.problem.is_none()
    }
}
