//! The `outbox` table: how far each log has been delivered elsewhere (the
//! school's audit stream), by the number of the last record delivered.
//! Kept here, beside the records, so a restart or hours offline resume
//! from where delivery stopped and nothing is ever skipped.

use super::db::Registry;
use crate::error::Result;
use rusqlite::{OptionalExtension, params};

impl Registry {
    /// The number of the last record outbox `name` delivered (0: none yet).
    ///
    /// # Errors
    /// On database failure.
    pub fn delivered(&self, name: &str) -> Result<i64> {
        self.with(|c| {
            c.query_row("SELECT delivered FROM outbox WHERE name = ?1", params![name], |r| {
                r.get(0)
            })
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    /// Outbox `name` delivered every record up to `id`. The mark never
    /// goes back: a late answer for an older record changes nothing.
    ///
    /// # Errors
    /// On database failure.
    pub fn set_delivered(&self, name: &str, id: i64) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO outbox (name, delivered) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET delivered = max(delivered, excluded.delivered)",
                params![name, id],
            )
            .map(drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_is_kept_and_never_goes_back() {
        let dir = std::env::temp_dir().join(format!("podium-outbox-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let r = Registry::open(&dir).expect("registry");
            assert_eq!(r.delivered("podium-audit:a").expect("read"), 0);
            r.set_delivered("podium-audit:a", 7).expect("write");
            r.set_delivered("podium-audit:a", 3).expect("write");
            assert_eq!(r.delivered("podium-audit:a").expect("read"), 7);
            assert_eq!(r.delivered("podium-audit:b").expect("read"), 0);
        }
        let r = Registry::open(&dir).expect("opened again");
        assert_eq!(r.delivered("podium-audit:a").expect("read"), 7, "kept across a restart");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
