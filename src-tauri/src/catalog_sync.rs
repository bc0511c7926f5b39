//! Catalog sync with the relay's hub: pull pages into staging (resumable), then apply at once.
//! Used by `atelier catalog sync` and by the kiosk in the background.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use atelier_store::{KIOSK_MIGRATIONS, open, sync};

use crate::startup::KIOSK_DB_FILE;

/// Changes pulled per request.
const PAGE: u32 = 500;

/// How far a sync is, as it goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// Changes pulled so far, and the share of the versions to catch up on that they cover.
    Pulling { pulled: u64, fraction: f32 },
    /// Everything pulled: applying it in one transaction.
    Applying,
    /// Making the new images display-ready.
    Images { done: u32, total: u32 },
}

/// What one sync did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub resumed: bool,
    pub pulled: u64,
    pub applied: sync::ApplyReport,
    pub images: atelier_store::images::ImagesReport,
}

/// Why a sync stopped. What was pulled before stays staged for the next run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Pull(#[from] atelier_call::catalog_pull::PullError),
    #[error(transparent)]
    Store(#[from] atelier_store::StoreError),
}

/// How this kiosk proves itself to the hub: its device id and key from atelier.toml (the demo key
/// when none is set).
pub fn hub_auth(config: &atelier_config::KioskConfig) -> atelier_call::catalog_pull::HubAuth {
    atelier_call::catalog_pull::HubAuth {
        device_id: config.kiosk.device_id.clone(),
        device_key: config
            .relay
            .device_key
            .as_ref()
            .map_or(atelier_protocol::call::DEMO_DEVICE_KEY, |k| k.expose())
            .to_owned(),
    }
}

/// Syncs the kiosk database in `data_dir` with the hub at `relay_url`. Blocking; `progress`
/// hears how far it is.
pub fn run(
    data_dir: &Path,
    relay_url: &str,
    auth: &atelier_call::catalog_pull::HubAuth,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, SyncError> {
    let base = atelier_call::catalog_pull::hub_base(relay_url)?;
    let mut conn = open(&data_dir.join(KIOSK_DB_FILE), &KIOSK_MIGRATIONS)?;
    let mut cursor = sync::cursor(&conn)?;
    let resumed = cursor.resuming;
    let mut pulled = 0u64;
    let from = cursor.since;
    loop {
        let page =
            atelier_call::catalog_pull::pull_page(&base, auth, cursor.since, cursor.after.as_deref(), PAGE)?;
        sync::stage(&mut conn, &page.changes)?;
        pulled += page.changes.len() as u64;
        if let Some(last) = page.changes.last() {
            cursor.since = last.version;
            cursor.after = Some(last.variant_sku.clone());
        }
        let fraction = if page.done || page.latest <= from {
            1.0
        } else {
            (cursor.since.saturating_sub(from) as f64 / (page.latest - from) as f64).min(1.0) as f32
        };
        progress(Progress::Pulling { pulled, fraction });
        if page.done {
            break;
        }
    }
    progress(Progress::Applying);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let applied = sync::apply(&mut conn, now)?;
    // Images of the synced rows: fetched from the hub once each, then made display-ready.
    let store = atelier_store::images::ImageStore::new(data_dir);
    let max = atelier_store::images::MAX_SOURCE_BYTES as u64;
    let total: u32 = conn
        .query_row(
            "SELECT COUNT(DISTINCT source) FROM product_images WHERE image_hash IS NULL",
            [],
            |r| r.get(0),
        )
        .map_err(atelier_store::StoreError::from)?;
    let mut done = 0u32;
    progress(Progress::Images { done, total });
    let images = atelier_store::images::process_pending_with(&conn, &store, now, |source| {
        use atelier_store::images::ImageError;
        done += 1;
        if done.is_multiple_of(16) || done == total {
            progress(Progress::Images { done, total });
        }
        if let Some(sha) = source.strip_prefix("hub:") {
            atelier_call::catalog_pull::fetch_image(&base, auth, sha, max)
                .map(Some)
                .map_err(|e| ImageError::Fetch(e.to_string()))
        } else if source.starts_with("http://") || source.starts_with("https://") {
            Ok(None)
        } else {
            Err(ImageError::NotOnHub)
        }
    })?;
    Ok(Outcome {
        resumed,
        pulled,
        applied,
        images,
    })
}
