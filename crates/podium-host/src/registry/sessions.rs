//! The `sessions` table: every live session, so a restarted daemon finds
//! them; a session's row is deleted and its end audited in one transaction.

use super::audit::insert_audit;
use super::db::{Registry, json};
use crate::error::Result;
use crate::worker::protocol::{Running, WorkerSpec};
use podium_core::{NewAudit, SessionId, SessionState, Timestamp};
use rusqlite::{OptionalExtension, params};

/// A pending log off, as stored so a restarted daemon can finish it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLogoff {
    /// When applications are asked to close.
    pub deadline: Timestamp,
    /// Who asked.
    pub by: String,
    /// When they asked (ms since the epoch), for the duration in the audit.
    pub asked_ms: i64,
}

/// A session row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    /// Id.
    pub id: SessionId,
    /// Login name.
    pub user: String,
    /// User id.
    pub uid: u32,
    /// Last known state.
    pub state: SessionState,
    /// Start time.
    pub created_at: Timestamp,
    /// When the current station connected.
    pub connected_at: Option<Timestamp>,
    /// Pending log off.
    pub logoff: Option<StoredLogoff>,
    /// How the session was made.
    pub spec: WorkerSpec,
    /// What it became once running.
    pub running: Option<Running>,
    /// The user locked their station.
    pub locked: bool,
    /// The block notice's text, when the session is blocked.
    pub block: Option<String>,
    /// Since when no station has shown the session.
    pub disconnected_since: Option<Timestamp>,
}

impl Registry {
    /// Every session row.
    ///
    /// # Errors
    /// On database failure; a row that cannot be read is skipped with a warning.
    pub fn sessions(&self) -> Result<Vec<StoredSession>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, user, uid, state, created_at, connected_at, logoff_deadline, logoff_by,
                        logoff_asked_ms, spec, running, locked, blocked, block_message, disconnected_since
                 FROM sessions ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    (
                        r.get::<_, bool>(11)?,
                        r.get::<_, bool>(12)?,
                        r.get::<_, Option<String>>(13)?,
                        r.get::<_, Option<i64>>(14)?,
                    ),
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, user, uid, state, created, connected, deadline, by, asked, spec, running, flags) = row?;
                let (locked, blocked, block_message, disconnected_since) = flags;
                let (Some(state), Ok(spec)) = (
                    SessionState::from_word(&state),
                    serde_json::from_str::<WorkerSpec>(&spec),
                ) else {
                    tracing::warn!(session = id, "registry row cannot be read; ignoring it");
                    continue;
                };
                out.push(StoredSession {
                    id,
                    user,
                    uid,
                    state,
                    created_at: Timestamp::from_unix(created),
                    connected_at: connected.map(Timestamp::from_unix),
                    logoff: match (deadline, by, asked) {
                        (Some(d), Some(by), Some(asked_ms)) => Some(StoredLogoff {
                            deadline: Timestamp::from_unix(d),
                            by,
                            asked_ms,
                        }),
                        _ => None,
                    },
                    spec,
                    running: running.and_then(|r| serde_json::from_str(&r).ok()),
                    locked,
                    block: if blocked {
                        Some(block_message.unwrap_or_default())
                    } else {
                        None
                    },
                    disconnected_since: disconnected_since.map(Timestamp::from_unix),
                });
            }
            Ok(out)
        })
    }

    /// Adds a session that is starting.
    ///
    /// # Errors
    /// On database failure, or when the id or user is taken.
    pub fn insert(&self, s: &StoredSession) -> Result<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            // Messages of an earlier session with this id are not this one's.
            tx.execute("DELETE FROM messages WHERE session = ?1", params![s.id])?;
            tx.execute(
                "INSERT INTO sessions (id, user, uid, state, created_at, spec, disconnected_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    s.id,
                    s.user,
                    s.uid,
                    s.state.as_str(),
                    s.created_at.unix(),
                    json(&s.spec),
                    s.disconnected_since.map(Timestamp::unix),
                ],
            )?;
            tx.commit()
        })
    }

    /// Records that the session runs.
    ///
    /// # Errors
    /// On database failure.
    pub fn set_running(&self, id: SessionId, running: &Running, state: SessionState) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE sessions SET running = ?2, display = ?3, state = ?4 WHERE id = ?1",
                params![id, json(running), running.display, state.as_str()],
            )
            .map(drop)
        })
    }

    /// Records a new state.
    ///
    /// # Errors
    /// On database failure.
    pub fn set_state(&self, id: SessionId, state: SessionState) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE sessions SET state = ?2 WHERE id = ?1",
                params![id, state.as_str()],
            )
            .map(drop)
        })
    }

    /// Records the station's lock.
    ///
    /// # Errors
    /// On database failure.
    pub fn set_locked(&self, id: SessionId, locked: bool) -> Result<()> {
        self.with(|c| {
            c.execute("UPDATE sessions SET locked = ?2 WHERE id = ?1", params![id, locked])
                .map(drop)
        })
    }

    /// Records a block (with its notice's text) or its end.
    ///
    /// # Errors
    /// On database failure.
    pub fn set_block(&self, id: SessionId, block: Option<&str>) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE sessions SET blocked = ?2, block_message = ?3 WHERE id = ?1",
                params![id, block.is_some(), block],
            )
            .map(drop)
        })
    }

    /// Records who is connected (or nobody, since when), with the state.
    ///
    /// # Errors
    /// On database failure.
    pub fn set_station(
        &self,
        id: SessionId,
        station: Option<&podium_core::Station>,
        disconnected_since: Option<Timestamp>,
        state: SessionState,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE sessions SET station = ?2, connected_at = ?3, state = ?4, disconnected_since = ?5
                 WHERE id = ?1",
                params![
                    id,
                    station.map(json),
                    station.map(|s| s.since.unix()),
                    state.as_str(),
                    disconnected_since.map(Timestamp::unix)
                ],
            )
            .map(drop)
        })
    }

    /// Records a pending log off (and the closing state).
    ///
    /// # Errors
    /// On database failure.
    pub fn set_logoff(&self, id: SessionId, l: &StoredLogoff) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE sessions SET state = 'closing', logoff_deadline = ?2, logoff_by = ?3, logoff_asked_ms = ?4
                 WHERE id = ?1",
                params![id, l.deadline.unix(), l.by, l.asked_ms],
            )
            .map(drop)
        })
    }

    /// Removes an ended session and records how it ended, atomically.
    /// Returns false when the row was already gone (nothing is recorded then,
    /// so an end is never audited twice).
    ///
    /// # Errors
    /// On database failure.
    pub fn finish(&self, id: SessionId, record: &NewAudit) -> Result<bool> {
        let written = self.with(|c| {
            let tx = c.transaction()?;
            let removed = tx.execute("DELETE FROM sessions WHERE id = ?1", params![id])?;
            tx.execute("DELETE FROM messages WHERE session = ?1", params![id])?;
            let written = if removed > 0 {
                Some(insert_audit(&tx, record)?)
            } else {
                None
            };
            tx.commit()?;
            Ok(written)
        })?;
        if let Some(audit) = written {
            self.last_audit.send_replace(audit);
        }
        Ok(written.is_some())
    }

    /// Whether a session row exists.
    ///
    /// # Errors
    /// On database failure.
    pub fn has_session(&self, id: SessionId) -> Result<bool> {
        self.with(|c| {
            c.query_row("SELECT 1 FROM sessions WHERE id = ?1", params![id], |_| Ok(()))
                .optional()
                .map(|r| r.is_some())
        })
    }
}
