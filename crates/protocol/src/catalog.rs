//! The catalog hub's delta format (`GET /api/catalog/delta`), shared by the relay and the kiosk.

use atelier_domain::catalog::CatalogRow;
use serde::{Deserialize, Serialize};

/// One change: a new or updated variant row, or a deletion (`row: None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub version: u64,
    pub variant_sku: String,
    pub row: Option<CatalogRow>,
}

/// One page of changes after a cursor `(since, after)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeltaPage {
    /// The hub's current catalog version.
    pub latest: u64,
    pub changes: Vec<Change>,
    /// Nothing follows this page.
    pub done: bool,
}
