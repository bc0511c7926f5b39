//! A database made by the first release (frozen v1 schema, with data) upgrades to the current one.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use atelier_store::{KIOSK_MIGRATIONS, Settings, open};

#[test]
fn a_v1_database_with_settings_upgrades_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite");
    {
        let v1 = rusqlite::Connection::open(&path).unwrap();
        v1.execute_batch(include_str!("data/kiosk-v1.sql")).unwrap();
        v1.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('language', 'en', 1)",
            [],
        )
        .unwrap();
        v1.pragma_update(None, "user_version", 1).unwrap();
    }
    let conn = open(&path, &KIOSK_MIGRATIONS).unwrap();
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, KIOSK_MIGRATIONS.latest());
    assert_eq!(
        Settings::new(&conn).get("language").unwrap().as_deref(),
        Some("en")
    );
    for table in [
        "products",
        "variants",
        "stock",
        "images",
        "product_images",
        "shopper_sessions",
        "session_items",
        "outbox",
        "learned_pairs",
        "learned_features",
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(
        atelier_store::learning::load(&conn).unwrap(),
        atelier_domain::recommend::LearnedWeights::default()
    );
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
