//! Run-time settings staff change on the kiosk, kept across restarts.

use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

/// Key/value settings over the `settings` table.
pub struct Settings<'c> {
    conn: &'c Connection,
}

impl<'c> Settings<'c> {
    /// Wraps a kiosk connection.
    pub fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// The stored value, if any.
    pub fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Stores a value, stamped with `now_unix_secs`.
    pub fn set(&self, key: &str, value: &str, now_unix_secs: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, value, now_unix_secs],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KIOSK_MIGRATIONS, open_in_memory};

    #[test]
    fn set_get_overwrite() {
        let conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        let s = Settings::new(&conn);
        assert_eq!(s.get("language").unwrap(), None);
        s.set("language", "en", 1).unwrap();
        s.set("language", "zh-CN", 2).unwrap();
        assert_eq!(s.get("language").unwrap().as_deref(), Some("zh-CN"));
    }
}
