//! Everything before the window: data dir, config, database. Nothing here may stop the kiosk;
//! each failure becomes a [`StartupProblem`] for the admin screen and a safe fallback.

use std::path::{Path, PathBuf};

use atelier_config::{KIOSK_CONFIG_FILE, KioskConfig, load, parse_kiosk};
use atelier_store::KIOSK_MIGRATIONS;
use rusqlite::Connection;

use crate::ipc::{ProblemSource, StartupProblem};

/// The kiosk database's file name inside the data dir.
pub const KIOSK_DB_FILE: &str = "kiosk.sqlite";

/// What start-up produced.
pub struct Started {
    pub data_dir: PathBuf,
    pub config_path: PathBuf,
    pub config: KioskConfig,
    pub db: Connection,
    pub problems: Vec<StartupProblem>,
}

/// The default data dir: `$XDG_DATA_HOME/atelier` (usually `~/.local/share/atelier`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("atelier")
}

/// Prepares the data dir, reads the config and opens the database, falling back where it must.
pub fn start(requested: Option<&Path>) -> Started {
    let mut problems = Vec::new();
    let wanted = requested.map(Path::to_path_buf).unwrap_or_else(default_data_dir);
    let data_dir = match std::fs::create_dir_all(&wanted) {
        Ok(()) => wanted,
        Err(e) => {
            let fallback = std::env::temp_dir().join(format!("atelier-fallback-{}", std::process::id()));
            problems.push(StartupProblem {
                source: ProblemSource::DataDir,
                key: None,
                line: None,
                message: format!(
                    "cannot use the data dir {} ({e}); running from a temporary folder, so settings will not be kept",
                    wanted.display()
                ),
            });
            tracing::error!(error = %e, "data dir unusable; using {}", fallback.display());
            let _ = std::fs::create_dir_all(&fallback);
            fallback
        }
    };

    let config_path = data_dir.join(KIOSK_CONFIG_FILE);
    let (config, config_problems) = load(&config_path, parse_kiosk);
    for p in config_problems {
        tracing::warn!("{}: {p}", KIOSK_CONFIG_FILE);
        problems.push(StartupProblem {
            source: ProblemSource::Config,
            key: p.key,
            line: p.line,
            message: p.message,
        });
    }

    let db = match atelier_store::open(&data_dir.join(KIOSK_DB_FILE), &KIOSK_MIGRATIONS) {
        Ok(db) => db,
        Err(e) => {
            tracing::error!(error = %e, "kiosk database unusable; running on an in-memory copy");
            problems.push(StartupProblem {
                source: ProblemSource::Database,
                key: None,
                line: None,
                message: format!(
                    "{e}. The kiosk runs on a temporary in-memory database until this is fixed."
                ),
            });
            match atelier_store::open_in_memory(&KIOSK_MIGRATIONS) {
                Ok(db) => db,
                Err(e) => {
                    // SQLite cannot even open memory: nothing sensible is left but to say so.
                    tracing::error!(error = %e, "in-memory database failed");
                    #[allow(clippy::expect_used)]
                    Connection::open_in_memory().expect("SQLite in-memory database")
                }
            }
        }
    };
    Started {
        data_dir,
        config_path,
        config,
        db,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_dir_starts_clean() {
        let dir = tempfile::tempdir().unwrap();
        let s = start(Some(&dir.path().join("new/nested")));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert!(s.data_dir.join(KIOSK_DB_FILE).exists());
    }

    #[test]
    fn a_bad_config_and_a_newer_database_are_problems_not_failures() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(KIOSK_CONFIG_FILE),
            "[ui]\nlanguage = \"klingon\"\n",
        )
        .unwrap();
        {
            let db = Connection::open(dir.path().join(KIOSK_DB_FILE)).unwrap();
            db.pragma_update(None, "user_version", 999).unwrap();
        }
        let s = start(Some(dir.path()));
        let sources: Vec<_> = s.problems.iter().map(|p| p.source).collect();
        assert_eq!(sources, vec![ProblemSource::Config, ProblemSource::Database]);
        assert!(s.problems[1].message.contains("newer than this build"));
        // The in-memory fallback has the schema.
        atelier_store::Settings::new(&s.db).set("k", "v", 0).unwrap();
    }

    #[test]
    fn an_unusable_data_dir_falls_back_to_a_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let s = start(Some(&file.join("sub")));
        assert_eq!(s.problems[0].source, ProblemSource::DataDir);
        assert!(s.data_dir.exists());
    }
}
