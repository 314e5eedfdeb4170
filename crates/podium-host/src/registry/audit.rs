//! The `audit` table: who did what to whom, and how it ended.

use super::db::Registry;
use crate::error::Result;
use podium_core::{AuditKind, AuditRecord, NewAudit, Timestamp};
use rusqlite::{Connection, params};

impl Registry {
    /// Adds an audit record.
    ///
    /// # Errors
    /// On database failure.
    pub fn audit(&self, record: &NewAudit) -> Result<i64> {
        let id = self.with(|c| insert_audit(c, record))?;
        self.last_audit.send_replace(id);
        Ok(id)
    }

    /// Tells of each audit record written, by its number, as it is written
    /// (the last one only, for a watcher that fell behind).
    #[must_use]
    pub fn audit_written(&self) -> tokio::sync::watch::Receiver<i64> {
        self.last_audit.subscribe()
    }

    /// Audit records at or after `since`, oldest first, at most `limit`
    /// (the newest `limit` when there are more).
    ///
    /// # Errors
    /// On database failure.
    pub fn audit_records(&self, since: Option<Timestamp>, limit: u32) -> Result<Vec<AuditRecord>> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM (SELECT * FROM audit WHERE at >= ?1 ORDER BY id DESC LIMIT ?2) ORDER BY id"
            ))?;
            let rows = stmt.query_map(params![since.map_or(i64::MIN, Timestamp::unix), limit], read_record)?;
            rows.collect()
        })
    }

    /// The first `limit` audit records numbered above `after`, in order:
    /// what an outbox sends next.
    ///
    /// # Errors
    /// On database failure.
    pub fn audit_after(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after, limit], read_record)?;
            rows.collect()
        })
    }
}

/// The columns [`read_record`] reads, in its order.
const COLUMNS: &str = "id, at, actor, kind, action, session, target_user, outcome, reason, duration_ms, applications";

/// One row of [`COLUMNS`].
fn read_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        id: r.get(0)?,
        at: Timestamp::from_unix(r.get(1)?),
        actor: r.get(2)?,
        kind: {
            let word: String = r.get(3)?;
            AuditKind::from_word(&word).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    format!("unknown audit kind {word:?}").into(),
                )
            })?
        },
        action: r.get(4)?,
        session: r.get(5)?,
        target_user: r.get(6)?,
        outcome: r.get(7)?,
        reason: r.get(8)?,
        duration_ms: r.get::<_, Option<i64>>(9)?.and_then(|d| u64::try_from(d).ok()),
        // Written by this code as JSON; a row it cannot read loses its
        // applications, not the record.
        applications: r
            .get::<_, Option<String>>(10)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        host: None,
    })
}

/// Writes one record; also used inside the transaction that ends a session.
pub(super) fn insert_audit(c: &Connection, a: &NewAudit) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO audit (at, actor, kind, action, session, target_user, outcome, reason, duration_ms,
                            applications)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            Timestamp::now().unix(),
            a.actor,
            a.kind.as_str(),
            a.action,
            a.session,
            a.target_user,
            a.outcome.as_str(),
            a.reason,
            a.duration_ms.and_then(|d| i64::try_from(d).ok()),
            (!a.applications.is_empty())
                .then(|| serde_json::to_string(&a.applications).ok())
                .flatten(),
        ],
    )?;
    Ok(c.last_insert_rowid())
}
