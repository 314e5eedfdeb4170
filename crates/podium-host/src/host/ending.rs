//! The end of every session: the task that holds each worker connection,
//! the end report turned into one audit record, and the cleanup after a
//! worker that died.

use crate::host::state::{Host, HostEvent};
use crate::live::{Ended, Live};
use crate::worker::client::{self, Connection};
use crate::worker::protocol::{EndCause, EndReport, ReclaimSpec, Reply, WorkerSpec};
use podium_core::AuditKind;
use podium_core::NewAudit;
use podium_core::audit::SYSTEM_ACTOR;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

impl Host {
    /// Holds the connection to a session's worker: forwards requests, and
    /// ends the session when the worker reports the end or disappears.
    pub(crate) fn follow_worker(self: &Arc<Self>, live: Arc<Live>, mut conn: Connection) {
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
                        Ok(Some(Reply::Status { .. } | Reply::Launched { .. } | Reply::LaunchFailed { .. })) => {}
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
                if !crate::worker::is_alive(pid) {
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
                killed: Vec::new(),
                finished_at: podium_core::Timestamp::now(),
            },
        };
        self.finish(&live, &report);
    }

    /// Whether a session that was starting when the daemon went away will
    /// never answer: its worker left a report, or is recorded and gone.
    pub(crate) fn start_is_over(&self, live: &Live) -> bool {
        self.left_report(live.id).is_some()
            || crate::worker::recorded_worker_pid(&live.spec).is_some_and(|pid| !crate::worker::is_alive(pid))
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
        let tracked = std::mem::take(&mut live.state().apps);
        let applications = crate::desktop::apps::outcomes(&tracked, &report.killed);
        if !applications.is_empty() {
            tracing::info!(
                session = live.id,
                "applications: {}",
                podium_core::apps::summary(&applications)
            );
        }
        let audit = NewAudit::new(actor, kind, report.end)
            .on(live.id, live.account.name.clone())
            .reason(reason)
            .took(duration_ms)
            .applications(applications.clone());
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
        self.source_ended(live.id);
        live.announce_end(Live::ended_from(report, duration_ms, applications.clone()));
        self.emit(HostEvent::Removed {
            id: live.id,
            uid: live.account.uid,
            end: logoff.is_some().then_some(report.end),
            applications,
        });
    }
}

impl Ended {
    /// Whether the session ended without trouble.
    #[must_use]
    pub fn clean(&self) -> bool {
        self.problem.is_none()
    }
}
