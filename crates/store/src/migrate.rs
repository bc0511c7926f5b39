//! Opening a database and moving its schema forward.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// A database's schema history: `steps[i]` upgrades version `i` to `i + 1`.
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    /// For messages: "kiosk", "relay".
    pub name: &'static str,
    pub steps: &'static [&'static str],
}

impl Migrations {
    /// The version a fully migrated database has.
    pub fn latest(&self) -> u32 {
        u32::try_from(self.steps.len()).unwrap_or(u32::MAX)
    }
}

/// Opens (creating if needed) the database at `path` and migrates it.
pub fn open(path: &Path, migrations: &Migrations) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(StoreError::Dir)?;
    }
    let mut conn = Connection::open(path)?;
    prepare(&mut conn, migrations, true)?;
    Ok(conn)
}

/// An in-memory database with the schema, for tests and tools.
pub fn open_in_memory(migrations: &Migrations) -> Result<Connection, StoreError> {
    let mut conn = Connection::open_in_memory()?;
    prepare(&mut conn, migrations, false)?;
    Ok(conn)
}

fn prepare(conn: &mut Connection, migrations: &Migrations, wal: bool) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    if wal {
        // journal_mode returns a row; query it rather than execute.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    migrate(conn, migrations)
}

fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies every step above the database's version, each in one immediate transaction.
fn migrate(conn: &mut Connection, migrations: &Migrations) -> Result<(), StoreError> {
    let latest = migrations.latest();
    let mut version = user_version(conn)?;
    if version > latest {
        return Err(StoreError::TooNew {
            name: migrations.name,
            found: version,
            supported: latest,
        });
    }
    while version < latest {
        let next = version + 1;
        let step = migrations.steps[version as usize];
        let fail = |source| StoreError::Migration {
            name: migrations.name,
            version: next,
            source,
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the lock: another process may have migrated meanwhile.
        let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current != version {
            drop(tx);
            version = current;
            continue;
        }
        tx.execute_batch(step).map_err(fail)?;
        tx.pragma_update(None, "user_version", next).map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(db = migrations.name, version = next, "migrated database");
        version = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_STEPS: Migrations = Migrations {
        name: "test",
        steps: &["CREATE TABLE a (x INTEGER);", "ALTER TABLE a ADD COLUMN y TEXT;"],
    };

    #[test]
    fn migrates_a_new_file_and_sets_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/t.sqlite");
        let conn = open(&path, &TWO_STEPS).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 2);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        conn.execute("INSERT INTO a (x, y) VALUES (1, 'z')", []).unwrap();
    }

    #[test]
    fn upgrades_an_old_database_step_by_step_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let v1 = Migrations {
            name: "test",
            steps: &TWO_STEPS.steps[..1],
        };
        let conn = open(&path, &v1).unwrap();
        conn.execute("INSERT INTO a (x) VALUES (7)", []).unwrap();
        drop(conn);
        let conn = open(&path, &TWO_STEPS).unwrap();
        let (x, y): (i64, Option<String>) = conn
            .query_row("SELECT x, y FROM a", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((x, y), (7, None));
    }

    #[test]
    fn refuses_a_database_from_a_newer_build() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        drop(open(&path, &TWO_STEPS).unwrap());
        let older = Migrations {
            name: "test",
            steps: &TWO_STEPS.steps[..1],
        };
        let err = open(&path, &older).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::TooNew {
                    found: 2,
                    supported: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("newer than this build"));
    }

    #[test]
    fn a_failing_step_rolls_back_and_names_its_version() {
        let bad = Migrations {
            name: "test",
            steps: &["CREATE TABLE a (x INTEGER);", "THIS IS NOT SQL;"],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let err = open(&path, &bad).unwrap_err();
        assert!(matches!(err, StoreError::Migration { version: 2, .. }), "{err}");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            user_version(&conn).unwrap(),
            1,
            "step 1 stays, step 2 rolled back"
        );
    }
}
