//! Logging off abandoned sessions: with `session.disconnected_logoff_after`
//! set, a session that no station has shown for that long is logged off by
//! the system, through the usual log off (warning, applications asked to
//! close), and audited with `system` as the one who asked.

use crate::host::state::Host;
use podium_core::audit::SYSTEM_ACTOR;
use podium_core::{Caller, LogoffRequest, Role, SessionId, SessionState, Timestamp};
use std::sync::Arc;
use std::time::Duration;

/// Who the automatic log off acts as.
fn system() -> Caller {
    Caller {
        user: SYSTEM_ACTOR.to_owned(),
        uid: 0,
        role: Role::Admin,
    }
}

/// How often to look: often enough to be on time within a tenth of the
/// limit, never more than every second or less than every half minute.
fn period(limit: Duration) -> Duration {
    (limit / 10).clamp(Duration::from_secs(1), Duration::from_secs(30))
}

impl Host {
    /// Starts the automatic log off, if the config asks for one.
    pub fn start_auto_logoff(self: &Arc<Self>) {
        let Some(limit) = self.config.session.disconnected_logoff_after.duration() else {
            return;
        };
        tracing::info!(
            after_s = limit.as_secs(),
            "sessions disconnected this long are logged off"
        );
        let host = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period(limit));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let due = host.abandoned(limit);
                if due.is_empty() {
                    continue;
                }
                tracing::info!(sessions = ?due, "logging off abandoned sessions");
                let req = LogoffRequest {
                    sessions: due.into_iter().map(podium_core::SessionRef::here).collect(),
                    ..Default::default()
                };
                if let Err(e) = host.logoff(&system(), &req).await {
                    tracing::error!("automatic log off: {e}");
                }
            }
        });
    }

    /// Sessions disconnected for longer than `limit`, not already closing.
    fn abandoned(&self, limit: Duration) -> Vec<SessionId> {
        let now = Timestamp::now().unix();
        let limit = i64::try_from(limit.as_secs()).unwrap_or(i64::MAX);
        self.snapshot()
            .iter()
            .filter(|live| {
                let st = live.state();
                st.state == SessionState::Disconnected
                    && st.logoff.is_none()
                    && st
                        .disconnected_since
                        .is_some_and(|since| now.saturating_sub(since.unix()) >= limit)
            })
            .map(|live| live.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::period;
    use std::time::Duration;

    #[test]
    fn the_check_runs_often_enough_but_not_too_often() {
        assert_eq!(period(Duration::from_secs(3)), Duration::from_secs(1));
        assert_eq!(period(Duration::from_secs(120)), Duration::from_secs(12));
        assert_eq!(period(Duration::from_secs(7200)), Duration::from_secs(30));
    }
}
