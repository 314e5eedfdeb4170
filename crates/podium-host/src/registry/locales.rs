//! The `user_locales` table: the language each user last picked on the
//! login page, for their next sessions.

use super::db::Registry;
use crate::error::Result;
use podium_core::Timestamp;
use rusqlite::{OptionalExtension, params};

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
