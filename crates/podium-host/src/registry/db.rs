//! Opening the registry: the database file kept private, its schema, and
//! the one way every table's code runs SQL (errors said with the file).

use crate::error::{HostError, Result};
use rusqlite::Connection;
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
CREATE TABLE IF NOT EXISTS outbox (
    name      TEXT PRIMARY KEY,
    delivered INTEGER NOT NULL
);
PRAGMA user_version = 6;
";

/// Columns added after the first schema, with their tables and
/// definitions: added to an older database at open.
const ADDED_COLUMNS: [(&str, &str, &str); 6] = [
    ("sessions", "locked", "INTEGER NOT NULL DEFAULT 0"),
    ("sessions", "blocked", "INTEGER NOT NULL DEFAULT 0"),
    ("sessions", "block_message", "TEXT"),
    ("sessions", "station", "TEXT"),
    ("sessions", "disconnected_since", "INTEGER"),
    // A log off's per-application outcome, as JSON.
    ("audit", "applications", "TEXT"),
];

/// The open registry.
#[derive(Debug)]
pub struct Registry {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// The number of the last audit record written: whoever sends the log
    /// elsewhere (the school's audit stream) waits on it, not on a timer.
    pub(super) last_audit: tokio::sync::watch::Sender<i64>,
}

pub(super) fn json<T: serde::Serialize>(v: &T) -> String {
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
        for (table, column, definition) in ADDED_COLUMNS {
            let existing: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(err)?;
            if !existing.iter().any(|c| c == column) {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {definition}"))
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
            last_audit: tokio::sync::watch::Sender::new(0),
        })
    }

    pub(super) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut conn).map_err(|sqlite| HostError::Registry {
            path: self.path.clone(),
            sqlite,
        })
    }
}
