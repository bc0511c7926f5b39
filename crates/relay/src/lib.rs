//! The relay server: a pure [`core::Core`] for kiosk presence, the pure call core in [`calls`], and the socket
//! shell in [`server`], which also serves the web clients ([`web`]) and the stylists' catalog search
//! ([`catalog_search`]).

pub mod analytics;
pub mod analytics_page;
pub mod call_db;
pub mod calls;
pub mod catalog_hub;
pub mod catalog_search;
pub mod core;
pub mod enroll_codes;
pub mod server;
pub mod web;

/// The relay's own schema.
pub const RELAY_MIGRATIONS: atelier_store::Migrations = atelier_store::Migrations {
    name: "relay",
    steps: &[
        include_str!("../sql/0001_init.sql"),
        include_str!("../sql/0002_catalog.sql"),
        include_str!("../sql/0003_calls.sql"),
        include_str!("../sql/0004_events.sql"),
    ],
};

/// The relay database's file name inside its data dir.
pub const RELAY_DB_FILE: &str = "relay.sqlite";
