//! The registry: SQLite in the state directory, holding the live sessions
//! (so a restarted daemon finds them) and the audit log.
//!
//! WAL journal and one transaction per change: a daemon killed at any
//! moment leaves either the old or the new state, never half of one. Ending
//! a session deletes its row and writes its audit record in one transaction.

use crate::error::{HostError, Result};
use crate::worker::protocol::{Running, WorkerSpec};
use podium_core::{AuditKind, AuditRecord, NewAudit, SessionId, SessionState, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id              INTEGER PRIMARY KEY,
    user            TEXT NOT NULL UNIQUE,
    uid             INTEGER NOT NULL,
    state           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    connected_at    INTEGER,
    display         INTEGER,
    logoff_deadline INTEGER,
    logoff_by       TEXT,
    logoff_asked_ms INTEGER,
    spec            TEXT NOT NULL,
    running         TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    action      TEXT,
    session     INTEGER,
    target_user TEXT,
    outcome     TEXT NOT NULL,
    reason      TEXT,
    duration_ms INTEGER
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TABLE IF NOT EXISTS messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session     INTEGER NOT NULL,
    sender      TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    text        TEXT NOT NULL,
    sent_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS web_logins (
    token_hash BLOB PRIMARY KEY,
    user       TEXT NOT NULL,
    uid        INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user_locales (
    user       TEXT PRIMARY KEY,
    locale     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
PRAGMA user_version = 5;
";

/// Columns added after the first schema, with their definitions: added to
/// an older database at open.
const ADDED_COLUMNS: [(&str, &str); 5] = [
    ("locked", "INTEGER NOT NULL DEFAULT 0"),
    ("blocked", "INTEGER NOT NULL DEFAULT 0"),
    ("block_message", "TEXT"),
    ("station", "TEXT"),
    ("disconnected_since", "INTEGER"),
];

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

/// A message to queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewMessage<'a> {
    /// Sender's login.
    pub from: &'a str,
    /// Sender's full name.
    pub from_name: &'a str,
    /// The text.
    pub text: &'a str,
    /// When.
    pub sent_at: Timestamp,
}

/// The open registry.
#[derive(Debug)]
pub struct Registry {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Makes the database file root's alone (0600), creating it if needed, and
/// its journal files if they are there (SQLite gives new ones the
/// database's mode): it holds every running session's X cookie, which must
/// stay secret even in a state directory somebody made readable.
fn make_private(db: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    if std::fs::symlink_metadata(db).is_err() {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(db)
            .map_err(HostError::io("create", db))?;
    }
    for file in [
        db.to_path_buf(),
        PathBuf::from(format!("{}-wal", db.display())),
        PathBuf::from(format!("{}-shm", db.display())),
    ] {
        if std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file() && m.mode() & 0o077 != 0) {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(HostError::io("chmod", &file))?;
        }
    }
    Ok(())
}

impl Registry {
    /// Opens (creating if needed) `<state_dir>/podium.db`.
    ///
    /// # Errors
    /// When the directory or database cannot be used (read-only, full disk,
    /// corrupt file), naming the path.
    pub fn open(state_dir: &Path) -> Result<Registry> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(state_dir)
            .map_err(HostError::io("create state directory", state_dir))?;
        let path = state_dir.join("podium.db");
        make_private(&path)?;
        // Said plainly when the file system is read-only or full.
        let err = |source| crate::error::registry_error(&path, state_dir, source);
        let conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let existing: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('sessions')")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(err)?;
        for (column, definition) in ADDED_COLUMNS {
            if !existing.iter().any(|c| c == column) {
                conn.execute_batch(&format!("ALTER TABLE sessions ADD COLUMN {column} {definition}"))
                    .map_err(err)?;
            }
        }
        // A write now, so a read-only or full disk is found at start-up.
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;").map_err(err)?;
        let integrity: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(err)?;
        if integrity != "ok" {
            return Err(HostError::Io {
                what: "use damaged database",
                path,
                source: std::io::Error::other(integrity),
            });
        }
        Ok(Registry {
            conn: Mutex::new(conn),
            path,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut conn).map_err(|sqlite| HostError::Registry {
            path: self.path.clone(),
            sqlite,
        })
    }

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

    /// Queues a message for a session; returns its id.
    ///
    /// # Errors
    /// On database failure.
    pub fn add_message(&self, session: SessionId, m: &NewMessage<'_>) -> Result<u64> {
        self.with(|c| {
            c.execute(
                "INSERT INTO messages (session, sender, sender_name, text, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![session, m.from, m.from_name, m.text, m.sent_at.unix()],
            )?;
            Ok(u64::try_from(c.last_insert_rowid()).unwrap_or(0))
        })
    }

    /// Removes a dismissed message; false when it was not there.
    ///
    /// # Errors
    /// On database failure.
    pub fn remove_message(&self, session: SessionId, id: u64) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "DELETE FROM messages WHERE session = ?1 AND id = ?2",
                params![session, i64::try_from(id).unwrap_or(-1)],
            )
            .map(|n| n > 0)
        })
    }

    /// Every waiting message, by session, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub fn messages(&self) -> Result<Vec<(SessionId, podium_core::UserMessage)>> {
        self.with(|c| {
            let mut stmt =
                c.prepare("SELECT session, id, sender, sender_name, text, sent_at FROM messages ORDER BY id")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    podium_core::UserMessage {
                        id: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        from: r.get(2)?,
                        from_name: r.get(3)?,
                        text: r.get(4)?,
                        sent_at: Timestamp::from_unix(r.get(5)?),
                    },
                ))
            })?;
            rows.collect()
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
        self.with(|c| {
            let tx = c.transaction()?;
            let removed = tx.execute("DELETE FROM sessions WHERE id = ?1", params![id])?;
            tx.execute("DELETE FROM messages WHERE session = ?1", params![id])?;
            if removed > 0 {
                insert_audit(&tx, record)?;
            }
            tx.commit()?;
            Ok(removed > 0)
        })
    }

    /// Adds an audit record.
    ///
    /// # Errors
    /// On database failure.
    pub fn audit(&self, record: &NewAudit) -> Result<i64> {
        self.with(|c| insert_audit(c, record))
    }

    /// Audit records at or after `since`, oldest first, at most `limit`
    /// (the newest `limit` when there are more).
    ///
    /// # Errors
    /// On database failure.
    pub fn audit_records(&self, since: Option<Timestamp>, limit: u32) -> Result<Vec<AuditRecord>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, at, actor, kind, action, session, target_user, outcome, reason, duration_ms
                 FROM (SELECT * FROM audit WHERE at >= ?1 ORDER BY id DESC LIMIT ?2) ORDER BY id",
            )?;
            let rows = stmt.query_map(params![since.map_or(i64::MIN, Timestamp::unix), limit], |r| {
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
                })
            })?;
            rows.collect()
        })
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

/// A web login as stored: only the SHA-256 of its token is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLogin {
    /// SHA-256 of the cookie's token.
    pub token_hash: Vec<u8>,
    /// Login name.
    pub user: String,
    /// User id.
    pub uid: u32,
    /// When the login happened.
    pub created_at: Timestamp,
    /// Last request made with it.
    pub last_seen: Timestamp,
}

impl Registry {
    /// Records a web login (or updates its last use).
    ///
    /// # Errors
    /// On database failure.
    pub fn save_login(&self, l: &StoredLogin) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO web_logins (token_hash, user, uid, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(token_hash) DO UPDATE SET last_seen = excluded.last_seen",
                params![l.token_hash, l.user, l.uid, l.created_at.unix(), l.last_seen.unix()],
            )
            .map(drop)
        })
    }

    /// Forgets a web login.
    ///
    /// # Errors
    /// On database failure.
    pub fn delete_login(&self, token_hash: &[u8]) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM web_logins WHERE token_hash = ?1", params![token_hash])
                .map(drop)
        })
    }

    /// Web logins used at or after `since`; older ones are deleted.
    ///
    /// # Errors
    /// On database failure.
    pub fn logins_since(&self, since: Timestamp) -> Result<Vec<StoredLogin>> {
        self.with(|c| {
            c.execute("DELETE FROM web_logins WHERE last_seen < ?1", params![since.unix()])?;
            let mut stmt = c.prepare("SELECT token_hash, user, uid, created_at, last_seen FROM web_logins")?;
            let rows = stmt.query_map([], |r| {
                Ok(StoredLogin {
                    token_hash: r.get(0)?,
                    user: r.get(1)?,
                    uid: r.get(2)?,
                    created_at: Timestamp::from_unix(r.get(3)?),
                    last_seen: Timestamp::from_unix(r.get(4)?),
                })
            })?;
            rows.collect()
        })
    }
}

impl Registry {
    /// Remembers the locale a user picked (on the login page) for their
    /// next sessions.
    ///
    /// # Errors
    /// On database failure.
    pub fn remember_locale(&self, user: &str, locale: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO user_locales (user, locale, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(user) DO UPDATE SET locale = excluded.locale, updated_at = excluded.updated_at",
                params![user, locale, Timestamp::now().unix()],
            )
            .map(drop)
        })
    }

    /// The locale `user` last picked, if any.
    ///
    /// # Errors
    /// On database failure.
    pub fn remembered_locale(&self, user: &str) -> Result<Option<String>> {
        self.with(|c| {
            c.query_row("SELECT locale FROM user_locales WHERE user = ?1", params![user], |r| {
                r.get(0)
            })
            .optional()
        })
    }
}

fn insert_audit(c: &Connection, a: &NewAudit) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO audit (at, actor, kind, action, session, target_user, outcome, reason, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
        ],
    )?;
    Ok(c.last_insert_rowid())
}
