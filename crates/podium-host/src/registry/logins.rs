//! The `logins` table: web logins that survive a restart.

use super::db::Registry;
use crate::error::Result;
use podium_core::Timestamp;
use rusqlite::params;

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
