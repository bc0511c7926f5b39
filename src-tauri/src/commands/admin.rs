//! The staff side, behind the PIN.

use std::time::Instant;

use tauri::State;

use super::CommandError;
use crate::ipc::{AdminView, CatalogStatusView};
use crate::state::{Kiosk, lock};

/// Checks the PIN; on success returns what the admin screen shows.
#[tauri::command]
pub fn admin_unlock(kiosk: State<'_, Kiosk>, pin: String) -> Result<AdminView, CommandError> {
    // At most 8 digits: anything longer is wrong without spending argon2's time on it.
    let pin = if pin.len() > 8 { String::new() } else { pin };
    let result = lock(&kiosk.pin_gate).check(kiosk.config.admin.expected_pin(), &pin, Instant::now());
    if let Err(rejection) = result {
        tracing::warn!(?rejection, "admin PIN rejected");
        return Err(rejection.into());
    }
    tracing::info!("admin screen unlocked");
    *lock(&kiosk.admin_until) = Some(Instant::now() + crate::state::ADMIN_UNLOCK);
    Ok(AdminView {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: kiosk.data_dir.display().to_string(),
        config_path: kiosk.config_path.display().to_string(),
        problems: kiosk.problems.clone(),
        identity: kiosk.config.kiosk.clone(),
        display: kiosk.config.display.clone(),
        relay: lock(&kiosk.relay).clone(),
        catalog: catalog_status(&kiosk),
        calibration: super::skin::stored_calibration(&kiosk).as_ref().map(Into::into),
    })
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
