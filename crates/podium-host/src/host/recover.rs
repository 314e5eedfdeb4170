//! Taking sessions back after the daemon restarted: every session of the
//! registry is listed at once, then confirmed with its worker, finished if
//! it ended meanwhile, or cleaned up if its worker died.

use crate::error::Result;
use crate::host::state::{Host, HostEvent};
use crate::live::{Live, LiveState, PendingLogoff};
use crate::registry::StoredSession;
use crate::users::Account;
use crate::worker::client::{self, Connection};
use crate::worker::protocol::Reply;
use podium_core::SessionState;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a restarted daemon waits for a worker that was still starting.
const STARTING_GRACE: Duration = client::START_TIMEOUT;

impl Host {
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
                self.follow_worker(live.clone(), conn);
                self.restore_screen(&live);
                if pending {
                    self.resume_logoff(&live);
                }
            }
            Ok(Reply::Ended(report)) => self.finish(&live, &report),
            // Answers to another connection's request; never to a status.
            Ok(Reply::Launched { .. } | Reply::LaunchFailed { .. }) => {
                tracing::warn!(session = live.id, "worker answered a status with a launch");
                self.worker_gone(live).await;
            }
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
