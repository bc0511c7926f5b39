//! SQLite for the kiosk and the relay: open with the right pragmas, migrate by `user_version`.

pub mod catalog;
pub mod images;
pub mod import;
pub mod learning;
mod migrate;
pub mod outbox;
pub mod recommend;
mod settings;
pub mod sync;

pub use migrate::{Migrations, open, open_in_memory};
pub use settings::Settings;

/// The kiosk's own schema, one SQL file per version.
pub const KIOSK_MIGRATIONS: Migrations = Migrations {
    name: "kiosk",
    steps: &[
        include_str!("../sql/kiosk/0001_init.sql"),
        include_str!("../sql/kiosk/0002_catalog.sql"),
        include_str!("../sql/kiosk/0003_sync.sql"),
        include_str!("../sql/kiosk/0004_barcodes.sql"),
        include_str!("../sql/kiosk/0005_learning.sql"),
    ],
};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the {name} database is at schema version {found}, newer than this build knows ({supported}); \
         install a newer Atelier or restore a backup"
    )]
    TooNew {
        name: &'static str,
        found: u32,
        supported: u32,
    },
    #[error("migrating the {name} database to version {version} failed: {source}")]
    Migration {
        name: &'static str,
        version: u32,
        #[source]
        source: rusqlite::Error,
    },
    #[error("could not create the directory for the database: {0}")]
    Dir(#[source] std::io::Error),
}
