//! The catalog hub: head office publishes the catalog to the relay; kiosks pull what changed since
//! the version they hold, page by page.

use std::path::Path;

pub use atelier_protocol::catalog::{Change, DeltaPage};
use atelier_store::import::{Format, ImportError, ImportReport, fingerprint, stream_rows};
use rusqlite::{Connection, OptionalExtension, params};

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    /// The catalog version now current (unchanged when nothing changed).
    pub version: u64,
    pub changed: u64,
    pub deleted: u64,
    pub unchanged: u64,
    pub rows: ImportReport,
    /// Distinct images stored on the hub by this publish.
    pub images_stored: u64,
    /// Image references that could not be read, with why (the rows still publish).
    pub images_missing: Vec<(String, String)>,
}

/// How many rejections and missing images a [`PublishSummary`] lists.
pub const SUMMARY_LIST_MAX: usize = 50;

/// A publish's outcome as `POST /api/catalog/publish` answers it and `atelier-relay catalog publish`
/// prints it, locally or remotely.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishSummary {
    /// The catalog version now current (unchanged when nothing changed).
    pub version: u64,
    pub changed: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Rows that passed validation; 0 means nothing was published.
    pub valid_rows: u64,
    pub rejected: u64,
    /// The first [`SUMMARY_LIST_MAX`] rejected rows.
    pub rejections: Vec<RejectedRow>,
    /// Distinct images stored on the hub by this publish.
    pub images_stored: u64,
    /// Image references that could not be read (the rows still publish).
    pub images_missing: u64,
    /// The first [`SUMMARY_LIST_MAX`] of them, with why.
    pub missing_images: Vec<MissingImage>,
}

/// A rejected row of a published file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectedRow {
    /// 1-based line where the row starts.
    pub line: u64,
    pub reason: String,
}

/// An image reference a publish could not read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingImage {
    pub image: String,
    pub reason: String,
}

impl From<&PublishReport> for PublishSummary {
    fn from(r: &PublishReport) -> Self {
        Self {
            version: r.version,
            changed: r.changed,
            deleted: r.deleted,
            unchanged: r.unchanged,
            valid_rows: r.rows.valid_rows,
            rejected: r.rows.rejected,
            rejections: r
                .rows
                .rejections
                .iter()
                .take(SUMMARY_LIST_MAX)
                .map(|x| RejectedRow {
                    line: x.line,
                    reason: x.reason.clone(),
                })
                .collect(),
            images_stored: r.images_stored,
            images_missing: r.images_missing.len() as u64,
            missing_images: r
                .images_missing
                .iter()
                .take(SUMMARY_LIST_MAX)
                .map(|(image, reason)| MissingImage {
                    image: image.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        }
    }
}

/// How a publish treats image references that are local paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalImages {
    /// Any path, relative to the catalog file's folder or absolute: the operator runs the publish on the
    /// relay host (`atelier-relay catalog publish FILE`).
    Anywhere,
    /// Only relative paths that stay inside the catalog file's folder (no absolute path, no `..`): a
    /// catalog uploaded over HTTP must not make the relay copy its own files (its database, keys) into
    /// the image store, where kiosks and stylists can fetch them.
    InsideFolder,
}

/// The local file an image reference names, if `policy` lets the publish read it.
fn local_image(base_dir: &Path, image: &str, policy: LocalImages) -> Result<std::path::PathBuf, String> {
    if policy == LocalImages::InsideFolder {
        let inside = Path::new(image)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
        if !inside {
            return Err("only paths inside the upload folder are read in a publish over HTTP (no absolute path, no ..)".into());
        }
    }
    Ok(base_dir.join(image))
}

/// Where the hub keeps published images, content-addressed.
pub fn images_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("catalog-images")
}

/// Copies a local image into the hub's store (once per content) and returns its `hub:` reference.
fn store_image(images: &Path, file: &Path) -> Result<String, String> {
    let bytes = atelier_store::images::read_capped(file).map_err(|e| match e {
        // The store's I/O message speaks of writing its cache; this is a read.
        atelier_store::images::ImageError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "no such file on the relay".to_owned()
        }
        atelier_store::images::ImageError::Io(io) => format!("could not read it: {io}"),
        other => other.to_string(),
    })?;
    let sha = atelier_store::images::sha256_hex(&bytes);
    let target = images.join(&sha);
    if !target.exists() {
        std::fs::create_dir_all(images).map_err(|e| e.to_string())?;
        let tmp = images.join(format!(".{sha}.tmp"));
        std::fs::write(&tmp, &bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &target).map_err(|e| e.to_string())?;
    }
    Ok(format!("hub:{sha}"))
}

fn latest(conn: &Connection) -> rusqlite::Result<u64> {
    let v: Option<i64> = conn
        .query_row(
            "SELECT value FROM catalog_meta WHERE key = 'latest_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
}

/// Publishes a full catalog file: rows that changed get the next version, variants missing from the
/// file become tombstones. All in one transaction: kiosks see the old catalog or the new one.
/// Local image paths are read wherever they point ([`LocalImages::Anywhere`]).
pub fn publish(
    conn: &mut Connection,
    path: &Path,
    format: Format,
    data_dir: &Path,
) -> Result<PublishReport, ImportError> {
    publish_with(conn, path, format, data_dir, LocalImages::Anywhere)
}

/// [`publish`], reading local image paths only as `local_images` allows.
pub fn publish_with(
    conn: &mut Connection,
    path: &Path,
    format: Format,
    data_dir: &Path,
    local_images: LocalImages,
) -> Result<PublishReport, ImportError> {
    let images = images_dir(data_dir);
    let base_dir = path.parent().unwrap_or(Path::new("."));
    // Local image references become `hub:<sha256>`: kiosks fetch them from the hub.
    let mut resolved: std::collections::HashMap<String, Result<String, String>> =
        std::collections::HashMap::new();
    let mut images_missing = Vec::new();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version = latest(&tx)? + 1;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS published (variant_sku TEXT PRIMARY KEY) ; DELETE FROM published;",
    )?;
    let (mut changed, mut unchanged) = (0u64, 0u64);
    let rows = stream_rows(
        path,
        format,
        |_, _| {},
        |mut row, _| {
            for image in &mut row.images {
                if atelier_store::images::is_remote(image) {
                    continue;
                }
                let hub = resolved.entry(image.clone()).or_insert_with(|| {
                    local_image(base_dir, image, local_images).and_then(|file| store_image(&images, &file))
                });
                match hub {
                    Ok(h) => *image = h.clone(),
                    Err(why) => {
                        if images_missing.len() < 1000
                            && !images_missing.iter().any(|(s, _): &(String, String)| s == image)
                        {
                            images_missing.push((image.clone(), why.clone()));
                        }
                    }
                }
            }
            let json = serde_json::to_string(&row).map_err(|e| ImportError::Read(e.to_string()))?;
            let hash = fingerprint(&row);
            tx.prepare_cached("INSERT INTO published (variant_sku) VALUES (?1)")?
                .execute([&row.variant.variant_sku])?;
            let n = tx
            .prepare_cached(
                "INSERT INTO catalog_rows (variant_sku, row_json, row_hash, version) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (variant_sku) DO UPDATE SET row_json = excluded.row_json, row_hash = excluded.row_hash,
                     version = excluded.version
                 WHERE catalog_rows.row_hash != excluded.row_hash OR catalog_rows.row_json IS NULL",
            )?
            .execute(params![row.variant.variant_sku, json, hash, version as i64])?;
            if n > 0 {
                changed += 1
            } else {
                unchanged += 1
            }
            Ok(())
        },
    )?;
    if rows.valid_rows == 0 {
        // An empty or entirely invalid file must not delete the whole catalog.
        return Ok(PublishReport {
            version: version - 1,
            changed: 0,
            deleted: 0,
            unchanged: 0,
            rows,
            images_stored: 0,
            images_missing,
        });
    }
    let deleted = tx.execute(
        "UPDATE catalog_rows SET row_json = NULL, row_hash = 0, version = ?1
         WHERE row_json IS NOT NULL AND variant_sku NOT IN (SELECT variant_sku FROM published)",
        [version as i64],
    )? as u64;
    let version = if changed + deleted > 0 {
        tx.execute(
            "INSERT INTO catalog_meta (key, value) VALUES ('latest_version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [version as i64],
        )?;
        version
    } else {
        version - 1
    };
    tx.commit()?;
    let images_stored = resolved.values().filter(|r| r.is_ok()).count() as u64;
    Ok(PublishReport {
        version,
        changed,
        deleted,
        unchanged,
        rows,
        images_stored,
        images_missing,
    })
}

/// Publishes a catalog file into the relay database in `data_dir` (what `atelier-relay catalog
/// publish` does; also for tests that need a catalog on the hub).
pub fn publish_file(data_dir: &Path, path: &Path) -> Result<PublishReport, ImportError> {
    let format = Format::from_path(path)
        .ok_or_else(|| ImportError::Read("the file must end in .csv or .jsonl".into()))?;
    let mut conn = atelier_store::open(&data_dir.join(crate::RELAY_DB_FILE), &crate::RELAY_MIGRATIONS)?;
    publish(&mut conn, path, format, data_dir)
}

/// Changes after the cursor `(since, after)`, at most `limit`. Start with `after = None` to get
/// everything newer than `since`.
pub fn delta(conn: &Connection, since: u64, after: Option<&str>, limit: u32) -> rusqlite::Result<DeltaPage> {
    let latest = latest(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT version, variant_sku, row_json FROM catalog_rows
         WHERE version > ?1 OR (version = ?1 AND ?2 IS NOT NULL AND variant_sku > ?2)
         ORDER BY version, variant_sku LIMIT ?3",
    )?;
    let limit = limit.clamp(1, 2000);
    let changes: Vec<Change> = stmt
        .query_map(params![since as i64, after, limit + 1], |r| {
            let json: Option<String> = r.get(2)?;
            Ok(Change {
                version: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                variant_sku: r.get(1)?,
                // Rows were validated when published; one that no longer parses is sent as a deletion.
                row: json.and_then(|j| serde_json::from_str(&j).ok()),
            })
        })?
        .collect::<Result<_, _>>()?;
    let done = changes.len() <= limit as usize;
    let mut changes = changes;
    changes.truncate(limit as usize);
    Ok(DeltaPage {
        latest,
        changes,
        done,
    })
}
