//! The `messages` table: messages waiting on a session's screen.

use super::db::Registry;
use crate::error::Result;
use podium_core::{SessionId, Timestamp};
use rusqlite::params;

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

impl Registry {
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
}
