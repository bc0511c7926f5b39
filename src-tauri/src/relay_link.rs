//! The kiosk's link to its store relay: the presence socket (status to the UI), and the catalog
//! sync it triggers (when the link comes up, every 10 minutes, or "Sync now" on the admin screen,
//! with progress). Restartable: the admin screen may change the relay's address or the kiosk's
//! store and room while it runs.

use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use atelier_call::{HelloInfo, RelayClient, RelayClientSettings, RelayStatus};
use atelier_protocol::{DeviceId, RoomName, StoreId};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::catalog_sync::{self, Progress};
use crate::commands;
use crate::ipc::events;
use crate::state::{Kiosk, lock};

/// The event carrying [`CatalogSyncView`].
pub const SYNC_EVENT: &str = "catalog-sync";

/// The running link, as Tauri managed state.
#[derive(Default)]
pub struct RelayLink {
    task: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    /// The last catalog sync's progress, for an admin screen opened while one runs.
    sync: Mutex<CatalogSyncView>,
    /// A sync was asked for while one ran: run another when it ends (it may predate a publish).
    again: std::sync::atomic::AtomicBool,
}

/// Where a catalog sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncPhase {
    #[default]
    Idle,
    Pulling,
    Applying,
    Images,
    Done,
    Failed,
}

/// A catalog sync's progress, for the admin screen.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSyncView {
    /// Rises with every update: the UI keeps the newest it saw (events and replies cross).
    pub seq: u32,
    pub phase: SyncPhase,
    /// 0 to 1 over the whole sync.
    pub fraction: f32,
    #[ts(type = "number")]
    pub pulled: u64,
    pub images_done: u32,
    pub images_total: u32,
    /// The catalog version after a sync that is done.
    #[ts(type = "number | null")]
    pub version: Option<u64>,
    pub error: Option<String>,
}

impl RelayLink {
    pub fn sync_view(&self) -> CatalogSyncView {
        lock(&self.sync).clone()
    }
}

/// The relay client settings from the settings in force; an invalid identity falls back to none
/// (and is already reported as a config problem).
fn relay_settings(config: &atelier_config::KioskConfig) -> Option<RelayClientSettings> {
    if config.relay.url.is_empty() {
        return None;
    }
    let id = &config.kiosk;
    let hello = HelloInfo {
        device_id: DeviceId::new(id.device_id.clone()).ok()?,
        store_id: StoreId::new(id.store_id.clone()).ok()?,
        room: RoomName::new(id.room.clone()).ok()?,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    Some(RelayClientSettings {
        url: config.relay.url.clone(),
        hello,
        reconnect_min: Duration::from_millis(500),
        reconnect_max: Duration::from_secs(u64::from(config.relay.reconnect_max_secs)),
        handshake_timeout: Duration::from_secs(5),
    })
}

/// Starts the link with the settings in force, replacing a running one.
pub fn start(app: &AppHandle) {
    let link = app.state::<RelayLink>();
    if let Some(old) = lock(&link.task).take() {
        // Dropping the client inside stops its socket.
        old.abort();
    }
    let kiosk = app.state::<Kiosk>();
    let Some(settings) = relay_settings(&kiosk.config()) else {
        tracing::info!("no relay configured; the kiosk works alone");
        let mut status = RelayStatus::initial("");
        {
            let mut shown = lock(&kiosk.relay);
            status.revision = shown.revision + 1;
            *shown = status.clone();
        }
        let _ = app.emit(events::RELAY_STATUS, &status);
        return;
    };
    let relay_url = settings.url.clone();
    // A new client counts its revisions from zero: the UI keeps only rising ones.
    let revision_base = lock(&kiosk.relay).revision + 1;
    let app = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        let client = RelayClient::spawn(settings);
        let mut rx = client.status();
        let mut was_connected = false;
        let mut last_sync = Instant::now();
        loop {
            let mut status = rx.borrow_and_update().clone();
            // Pull catalog changes whenever the link comes up, and every 10 minutes while it stays up.
            let connected = status.state == atelier_call::RelayState::Connected;
            if connected && (!was_connected || last_sync.elapsed() > Duration::from_secs(600)) {
                last_sync = Instant::now();
                spawn_catalog_sync(app.clone(), relay_url.clone());
            }
            was_connected = connected;
            status.revision += revision_base;
            *lock(&app.state::<Kiosk>().relay) = status.clone();
            if let Err(e) = app.emit(events::RELAY_STATUS, &status) {
                tracing::warn!(error = %e, "could not emit the relay status");
            }
            if rx.changed().await.is_err() {
                break;
            }
        }
    });
    *lock(&link.task) = Some(task);
}

fn publish_sync(app: &AppHandle, mut view: CatalogSyncView) {
    {
        let link = app.state::<RelayLink>();
        let mut last = lock(&link.sync);
        view.seq = last.seq.wrapping_add(1);
        *last = view.clone();
    }
    let _ = app.emit(SYNC_EVENT, &view);
}

/// Runs one catalog sync off the async runtime. While one runs, another follows it. Returns
/// false when one was running.
pub fn spawn_catalog_sync(app: AppHandle, relay_url: String) -> bool {
    let kiosk = app.state::<Kiosk>();
    if kiosk.catalog_syncing.swap(true, Ordering::AcqRel) {
        app.state::<RelayLink>().again.store(true, Ordering::Release);
        return false;
    }
    let data_dir = kiosk.data_dir.clone();
    let auth = catalog_sync::hub_auth(&kiosk.config());
    tracing::info!(relay = %relay_url, "catalog sync started");
    publish_sync(
        &app,
        CatalogSyncView {
            phase: SyncPhase::Pulling,
            ..CatalogSyncView::default()
        },
    );
    tauri::async_runtime::spawn_blocking(move || {
        let kiosk = app.state::<Kiosk>();
        let mut last_emit = Instant::now();
        let mut pulled_so_far = 0;
        let mut on_progress = |p: Progress| {
            // Pulling is the first 70 %, applying 5 %, images the rest.
            let view = match p {
                Progress::Pulling { pulled, fraction } => {
                    pulled_so_far = pulled;
                    CatalogSyncView {
                        phase: SyncPhase::Pulling,
                        fraction: 0.7 * fraction,
                        pulled,
                        ..CatalogSyncView::default()
                    }
                }
                Progress::Applying => CatalogSyncView {
                    phase: SyncPhase::Applying,
                    fraction: 0.7,
                    pulled: pulled_so_far,
                    ..CatalogSyncView::default()
                },
                Progress::Images { done, total } => CatalogSyncView {
                    phase: SyncPhase::Images,
                    fraction: 0.75
                        + 0.25
                            * if total == 0 {
                                1.0
                            } else {
                                done as f32 / total as f32
                            },
                    pulled: pulled_so_far,
                    images_done: done,
                    images_total: total,
                    ..CatalogSyncView::default()
                },
            };
            // At most ten a second reach the UI; phase changes always do.
            let phase_changed = view.phase != lock(&app.state::<RelayLink>().sync).phase;
            if phase_changed || last_emit.elapsed() >= Duration::from_millis(100) {
                last_emit = Instant::now();
                publish_sync(&app, view);
            }
        };
        match catalog_sync::run(&data_dir, &relay_url, &auth, &mut on_progress) {
            Ok(o) => {
                tracing::info!(
                    version = o.applied.version,
                    pulled = o.pulled,
                    resumed = o.resumed,
                    "catalog synced"
                );
                *lock(&kiosk.catalog_sync_error) = None;
                if o.pulled > 0 {
                    commands::looks::invalidate(&app.state::<commands::looks::LooksIndex>());
                    let _ = app.emit(events::CATALOG, o.applied.version);
                }
                publish_sync(
                    &app,
                    CatalogSyncView {
                        phase: SyncPhase::Done,
                        fraction: 1.0,
                        pulled: o.pulled,
                        images_done: u32::try_from(o.images.ready).unwrap_or(u32::MAX),
                        images_total: u32::try_from(o.images.ready).unwrap_or(u32::MAX),
                        version: Some(o.applied.version),
                        ..CatalogSyncView::default()
                    },
                );
            }
            Err(e) => {
                // Offline or a broken hub: the kiosk keeps the last synced catalog.
                tracing::warn!(error = %e, "catalog sync failed; keeping the last synced catalog");
                *lock(&kiosk.catalog_sync_error) = Some(e.to_string());
                publish_sync(
                    &app,
                    CatalogSyncView {
                        phase: SyncPhase::Failed,
                        error: Some(e.to_string()),
                        ..CatalogSyncView::default()
                    },
                );
            }
        }
        kiosk.catalog_syncing.store(false, Ordering::Release);
        if app.state::<RelayLink>().again.swap(false, Ordering::AcqRel) {
            let url = kiosk.config().relay.url.clone();
            if !url.is_empty() {
                spawn_catalog_sync(app.clone(), url);
            }
        }
    });
    true
}
