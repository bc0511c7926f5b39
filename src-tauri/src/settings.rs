//! Settings changed on the admin screen: checked (the file's own rules, then what only this machine
//! can tell: is that camera there), written into atelier.toml with its comments kept, and applied
//! live — no restart, no lost session.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use atelier_config::{AdminSettings, FieldError, KioskConfig, changed_keys, write_into};
use atelier_domain::{CameraSource, SessionPhase};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::ipc::events;
use crate::state::{Kiosk, lock};

/// What saving the admin's settings did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum SaveOutcome {
    /// Written and in force; `changed` lists the atelier.toml keys that changed.
    Saved { changed: Vec<String> },
    /// Nothing was changed: these fields must be corrected.
    Invalid { errors: Vec<FieldError> },
    /// Nothing was changed: the file could not be written.
    Failed { message: String },
}

/// The settings as saved (the camera the mirror shows now is in the camera's own view).
pub fn current(kiosk: &Kiosk) -> AdminSettings {
    AdminSettings::of(&kiosk.config())
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// What only this machine can tell about a source: is the device or the file there.
pub fn check_source(source: &CameraSource) -> Result<(), FieldError> {
    match source {
        CameraSource::Device(p) if !Path::new(p).exists() => {
            Err(field("camera.source", format!("no camera is connected at {p}")))
        }
        CameraSource::File(p) if !Path::new(p).is_file() => {
            Err(field("camera.source", format!("there is no video file at {p}")))
        }
        _ => Ok(()),
    }
}

/// A call, an invite, a place in the stylists' line or an ask to staff is open: the link to the
/// relay must not be swapped under it.
fn call_busy(kiosk: &Kiosk) -> bool {
    let v = lock(&kiosk.call_view);
    !v.remotes.is_empty() || v.invite.is_some() || v.queue.is_some() || !v.asks.is_empty()
}

/// Checks, writes and applies `settings`.
pub fn save(app: &AppHandle, settings: &AdminSettings) -> SaveOutcome {
    let kiosk = app.state::<Kiosk>();
    let old = kiosk.config();
    let new = match settings.apply_to(&old) {
        Ok(c) => c,
        Err(errors) => return SaveOutcome::Invalid { errors },
    };
    let changed = changed_keys(&old, &new);
    if changed.contains(&"camera.source")
        && let Err(e) = check_source(&new.camera.source)
    {
        return SaveOutcome::Invalid { errors: vec![e] };
    }
    if changed.is_empty() {
        return SaveOutcome::Saved { changed: Vec::new() };
    }
    let relinks = changed
        .iter()
        .any(|k| matches!(*k, "relay.url" | "kiosk.store_id" | "kiosk.room"));
    if relinks && call_busy(&kiosk) {
        return SaveOutcome::Invalid {
            errors: vec![field(
                "relay.url",
                "a call, an invite or an ask to staff is open: end it before changing the store link",
            )],
        };
    }
    if let Err(message) = write_file(&kiosk.config_path, &new) {
        tracing::error!(error = %message, path = %kiosk.config_path.display(), "settings not saved");
        return SaveOutcome::Failed { message };
    }
    tracing::info!(changed = ?changed, "settings changed on the admin screen");
    *lock(&kiosk.settings) = Arc::new(new.clone());
    apply(app, &new, &changed);
    SaveOutcome::Saved {
        changed: changed.into_iter().map(str::to_owned).collect(),
    }
}

/// Writes the settings into the config file: its other keys and comments stay; the new text
/// replaces the old at once (a crash leaves one or the other) with the old file's permissions.
fn write_file(path: &Path, config: &KioskConfig) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("could not read {}: {e}", path.display())),
    };
    let written = write_into(&text, config).map_err(|e| e.to_string())?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("could not write in {}: {e}", dir.display()))?;
    let perms = std::fs::metadata(path).map(|m| m.permissions()).ok();
    tmp.write_all(written.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("could not write the settings: {e}"))?;
    if let Some(p) = perms {
        let _ = tmp.as_file().set_permissions(p);
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600));
        }
    }
    tmp.persist(path)
        .map_err(|e| format!("could not replace {}: {}", path.display(), e.error))?;
    Ok(())
}

/// Puts the changed settings in force.
fn apply(app: &AppHandle, new: &KioskConfig, changed: &[&str]) {
    let kiosk = app.state::<Kiosk>();
    let has = |k: &str| changed.contains(&k);
    if has("ui.idle_timeout_secs") || has("ui.still_there_secs") {
        lock(&kiosk.session).set_timeouts(Kiosk::timeouts(new));
    }
    if has("ui.language") {
        // The next shopper starts in it; with nobody in the room, the screen switches now.
        let idle = lock(&kiosk.session).view(Instant::now()).phase == SessionPhase::Attract;
        if idle {
            *lock(&kiosk.language) = new.ui.language;
            let _ = app.emit(events::LANGUAGE, new.ui.language);
        }
    }
    if has("display.mirror_flip") {
        crate::camera::set_mirror(app, new.display.mirror_flip);
    }
    if has("camera.source") || has("camera.rotation_deg") {
        crate::camera::switch_source(app, new.camera.source.clone(), new.camera.rotation_deg);
    }
    if has("relay.url") || has("kiosk.store_id") || has("kiosk.room") {
        crate::relay_link::start(app);
        crate::call::restart(app);
    }
    if has("kiosk.store_id") {
        // Stock and looks are this store's.
        crate::commands::looks::invalidate(&app.state::<crate::commands::looks::LooksIndex>());
    }
    // Display, features, privacy and identity reach the UI in one snapshot.
    match crate::commands::kiosk::snapshot(&kiosk) {
        Ok(s) => {
            let _ = app.emit(events::SETTINGS, &s);
        }
        Err(e) => tracing::warn!(error = %e, "could not send the new settings to the UI"),
    }
}
