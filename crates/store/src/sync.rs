//! Applying catalog deltas from the relay: stage every page, then apply all of it at once.

use atelier_domain::catalog::CatalogRow;
use atelier_protocol::catalog::Change;
use rusqlite::{Connection, OptionalExtension, params};

use crate::import::{Outcome, write_row};
use crate::{Settings, StoreError};

const VERSION_KEY: &str = "catalog_version";
const SYNCED_AT_KEY: &str = "catalog_synced_at";

/// Where the next pull starts: after `(since, after)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub since: u64,
    pub after: Option<String>,
    /// Changes from an interrupted sync are waiting.
    pub resuming: bool,
}

/// What applying did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub version: u64,
    pub upserted: u64,
    pub deleted: u64,
}

/// The catalog version this kiosk holds and when it was synced (unix seconds), if ever.
pub fn status(conn: &Connection) -> Result<(u64, Option<i64>), StoreError> {
    let s = Settings::new(conn);
    let version = s.get(VERSION_KEY)?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let at = s.get(SYNCED_AT_KEY)?.and_then(|v| v.parse().ok());
    Ok((version, at))
}

/// The cursor to pull from: after the last staged change, or after the applied version.
pub fn cursor(conn: &Connection) -> Result<Cursor, StoreError> {
    let staged: Option<(i64, String)> = conn
        .query_row(
            "SELECT version, variant_sku FROM sync_staging ORDER BY version DESC, variant_sku DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match staged {
        Some((v, sku)) => Cursor {
            since: u64::try_from(v).unwrap_or(0),
            after: Some(sku),
            resuming: true,
        },
        None => Cursor {
            since: status(conn)?.0,
            after: None,
            resuming: false,
        },
    })
}

/// Stores one page of changes (one transaction), so a killed sync can resume after it.
pub fn stage(conn: &mut Connection, changes: &[Change]) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut ins = tx.prepare_cached(
            "INSERT OR REPLACE INTO sync_staging (version, variant_sku, row_json) VALUES (?1, ?2, ?3)",
        )?;
        for c in changes {
            let json = c
                .row
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
            ins.execute(params![
                i64::try_from(c.version).unwrap_or(i64::MAX),
                c.variant_sku,
                json
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Applies everything staged in one transaction and records the version: the catalog is the old
/// one or the new one, never half of each.
pub fn apply(conn: &mut Connection, now_unix_secs: i64) -> Result<ApplyReport, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut report = ApplyReport {
        version: status(&tx)?.0,
        ..Default::default()
    };
    let mut changed_products = std::collections::HashSet::new();
    {
        let mut staged = tx.prepare(
            "SELECT version, variant_sku, row_json FROM sync_staging ORDER BY version, variant_sku",
        )?;
        let rows = staged.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (version, sku, json) = row?;
            report.version = report.version.max(u64::try_from(version).unwrap_or(0));
            match json.as_deref().map(serde_json::from_str::<CatalogRow>) {
                Some(Ok(row)) => {
                    let (outcome, product_changed) = write_row(&tx, &row, now_unix_secs)?;
                    if product_changed {
                        changed_products.insert(row.product.sku.clone());
                    }
                    if !matches!(outcome, Outcome::Same) || changed_products.contains(&row.product.sku) {
                        report.upserted += 1;
                    }
                }
                Some(Err(e)) => tracing::warn!(%sku, error = %e, "skipping an unreadable staged row"),
                None => {
                    report.deleted +=
                        tx.execute("DELETE FROM variants WHERE variant_sku = ?1", [&sku])? as u64;
                }
            }
        }
    }
    // Products left without variants are gone from the store's catalog.
    tx.execute(
        "DELETE FROM products WHERE NOT EXISTS (SELECT 1 FROM variants v WHERE v.product_sku = products.sku)",
        [],
    )?;
    let settings = Settings::new(&tx);
    settings.set(VERSION_KEY, &report.version.to_string(), now_unix_secs)?;
    settings.set(SYNCED_AT_KEY, &now_unix_secs.to_string(), now_unix_secs)?;
    tx.execute("DELETE FROM sync_staging", [])?;
    tx.commit()?;
    Ok(report)
}
