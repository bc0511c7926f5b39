//! The staff side, behind the PIN.

use std::time::Instant;

use atelier_config::AdminSettings;
use atelier_domain::CameraSource;
use tauri::{AppHandle, Manager, State};

use super::CommandError;
use crate::camera::CameraChoice;
use crate::ipc::{AdminView, CatalogStatusView};
use crate::relay_link::{CatalogSyncView, RelayLink};
use crate::settings::SaveOutcome;
use crate::state::{Kiosk, lock};

/// Checks the PIN; on success returns what the admin screen shows.
#[tauri::command]
pub fn admin_unlock(kiosk: State<'_, Kiosk>, pin: String) -> Result<AdminView, CommandError> {
    // At most 8 digits: anything longer is wrong without spending argon2's time on it.
    let pin = if pin.len() > 8 { String::new() } else { pin };
    let result = lock(&kiosk.pin_gate).check(kiosk.config().admin.expected_pin(), &pin, Instant::now());
    if let Err(rejection) = result {
        tracing::warn!(?rejection, "admin PIN rejected");
        return Err(rejection.into());
    }
    tracing::info!("admin screen unlocked");
    *lock(&kiosk.admin_until) = Some(Instant::now() + crate::state::ADMIN_UNLOCK);
    Ok(admin_view(&kiosk))
}

fn admin_view(kiosk: &Kiosk) -> AdminView {
    let config = kiosk.config();
    AdminView {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: kiosk.data_dir.display().to_string(),
        config_path: kiosk.config_path.display().to_string(),
        problems: kiosk.problems.clone(),
        identity: config.kiosk.clone(),
        relay: lock(&kiosk.relay).clone(),
        catalog: catalog_status(kiosk),
        calibration: super::skin::stored_calibration(kiosk).as_ref().map(Into::into),
        settings: crate::settings::current(kiosk),
    }
}

/// The admin screen's settings form and what it offers, fresh (after a save or a sync).
#[tauri::command]
pub async fn admin_settings(app: AppHandle) -> Result<AdminSettingsView, CommandError> {
    app.state::<Kiosk>().require_admin()?;
    // The device monitor blocks for a moment: off the UI's thread.
    let app2 = app.clone();
    let cameras = tauri::async_runtime::spawn_blocking(move || crate::camera::choices(&app2))
        .await
        .map_err(|_| CommandError::Unavailable)?;
    let kiosk = app.state::<Kiosk>();
    Ok(AdminSettingsView {
        view: admin_view(&kiosk),
        cameras,
        sync: app.state::<RelayLink>().sync_view(),
    })
}

/// The admin screen with its camera choices and the catalog sync's progress.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AdminSettingsView {
    pub view: AdminView,
    pub cameras: Vec<CameraChoice>,
    pub sync: CatalogSyncView,
}

/// Checks, saves and applies the settings; an invalid field changes nothing.
#[tauri::command]
pub fn admin_save_settings(app: AppHandle, settings: AdminSettings) -> Result<SaveOutcome, CommandError> {
    app.state::<Kiosk>().require_admin()?;
    Ok(crate::settings::save(&app, &settings))
}

/// Shows a camera on the mirror before it is saved (`None`: back to the saved one).
#[tauri::command]
pub fn admin_preview_camera(app: AppHandle, source: Option<String>) -> Result<SaveOutcome, CommandError> {
    let kiosk = app.state::<Kiosk>();
    kiosk.require_admin()?;
    let config = kiosk.config();
    let source = match source {
        None => config.camera.source.clone(),
        Some(s) => match s.parse::<CameraSource>() {
            Ok(s) => s,
            Err(e) => {
                return Ok(SaveOutcome::Invalid {
                    errors: vec![atelier_config::FieldError {
                        field: "camera.source".into(),
                        message: e.to_string(),
                    }],
                });
            }
        },
    };
    if let Err(e) = crate::settings::check_source(&source) {
        return Ok(SaveOutcome::Invalid { errors: vec![e] });
    }
    if !crate::camera::switch_source(&app, source, config.camera.rotation_deg) {
        return Err(CommandError::Unavailable);
    }
    Ok(SaveOutcome::Saved { changed: Vec::new() })
}

/// Starts a catalog sync now; progress comes as `catalog-sync` events. False when one was
/// already running (its progress keeps coming); unavailable without a relay.
#[tauri::command]
pub fn admin_sync_catalog(app: AppHandle) -> Result<bool, CommandError> {
    let kiosk = app.state::<Kiosk>();
    kiosk.require_admin()?;
    let url = kiosk.config().relay.url.clone();
    if url.is_empty() {
        return Err(CommandError::Unavailable);
    }
    Ok(crate::relay_link::spawn_catalog_sync(app.clone(), url))
}

fn catalog_status(kiosk: &Kiosk) -> CatalogStatusView {
    let db = lock(&kiosk.db);
    let (version, synced_at_unix) = atelier_store::sync::status(&db).unwrap_or((0, None));
    let products: i64 = db
        .query_row("SELECT COUNT(*) FROM products", [], |r| r.get(0))
        .unwrap_or(0);
    CatalogStatusView {
        version,
        synced_at_unix,
        products: u32::try_from(products).unwrap_or(0),
        last_sync_error: lock(&kiosk.catalog_sync_error).clone(),
    }
}
