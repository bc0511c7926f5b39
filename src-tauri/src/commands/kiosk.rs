//! Start-up snapshot, language, readiness.

use std::io::Write;
use std::time::Instant;

use atelier_domain::Language;
use tauri::{AppHandle, Emitter, State};

use super::CommandError;
use crate::ipc::{KioskSnapshot, events};
use crate::state::{Kiosk, lock};

/// Everything the UI needs to draw its first screen.
#[tauri::command]
pub fn kiosk_snapshot(kiosk: State<'_, Kiosk>) -> Result<KioskSnapshot, CommandError> {
    snapshot(&kiosk)
}

/// The snapshot, also sent as the `settings` event when the admin screen changed something.
pub fn snapshot(kiosk: &Kiosk) -> Result<KioskSnapshot, CommandError> {
    let config = kiosk.config();
    Ok(KioskSnapshot {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        demo: kiosk.demo,
        language: *lock(&kiosk.language),
        display: config.display.clone(),
        identity: config.kiosk.clone(),
        privacy: config.privacy,
        features: config.features,
        session: lock(&kiosk.session).view(Instant::now()),
        relay: lock(&kiosk.relay).clone(),
        camera: lock(&kiosk.camera).clone(),
        problem_count: u32::try_from(kiosk.problems.len()).unwrap_or(u32::MAX),
    })
}

/// The shopper (or the next one, on the attract screen) picked a language.
#[tauri::command]
pub fn set_language(app: AppHandle, kiosk: State<'_, Kiosk>, language: Language) -> Result<(), CommandError> {
    *lock(&kiosk.language) = language;
    lock(&kiosk.session).activity(Instant::now());
    if let Err(e) = app.emit(events::LANGUAGE, language) {
        tracing::warn!(error = %e, "could not emit the language change");
    }
    Ok(())
}

/// The UI drew its first screen and is listening: the kiosk is interactive.
#[tauri::command]
pub fn ui_ready(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    let ms = kiosk.process_start.elapsed().as_millis();
    tracing::info!(since_start_ms = ms as u64, "kiosk interactive");
    // Under the kiosk unit (Type=notify): the start is done.
    crate::sdnotify::notify("READY=1");
    if kiosk.report_ready {
        // Machine-readable, for the start-up benchmark.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{{\"event\":\"uiReady\",\"sinceStartMs\":{ms}}}");
        let _ = out.flush();
    }
    Ok(())
}

/// A touch while the screen sleeps (the page catches it on a black screen): wakes it.
#[tauri::command]
pub fn screen_touch(app: tauri::AppHandle) {
    crate::power::touch(&app);
}
