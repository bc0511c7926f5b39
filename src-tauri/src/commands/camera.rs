//! The shopper's camera controls and garment tags from a hand scanner.

use std::time::Instant;

use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::CommandError;
use crate::state::{Kiosk, lock};
use crate::tags::{self, TagView, Via};

/// Snapshots kept per session, at most (the oldest goes first).
const MAX_SNAPSHOTS: usize = 6;

/// A snapshot, for the UI: only an in-memory URL.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotView {
    pub id: u32,
    /// `img://localhost/snap/<id>`: served from memory, gone when the session ends.
    pub url: String,
}

/// Switches the flattering light (preview and calls).
#[tauri::command]
pub fn set_flattering(app: AppHandle, on: bool) -> Result<(), CommandError> {
    crate::camera::set_flattering(&app, on);
    Ok(())
}

/// Takes a snapshot of the mirror, on the shopper's tap, kept in this session only.
#[tauri::command]
pub fn take_snapshot(app: AppHandle, kiosk: State<'_, Kiosk>) -> Result<SnapshotView, CommandError> {
    kiosk.require(|c| c.privacy.snapshots)?;
    let phase = lock(&kiosk.session).view(Instant::now()).phase;
    if phase == atelier_domain::SessionPhase::Attract {
        // No session, no shopper who asked: never.
        return Err(CommandError::BadRequest);
    }
    let jpeg = crate::camera::snapshot_jpeg(&app).map_err(|e| {
        tracing::warn!(error = %e, "no snapshot");
        CommandError::Unavailable
    })?;
    let id = kiosk
        .snapshot_seq
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut shots = lock(&kiosk.snapshots);
    if shots.len() >= MAX_SNAPSHOTS {
        shots.remove(0);
    }
    shots.push((id, jpeg));
    Ok(SnapshotView {
        id,
        url: crate::images::snapshot_url(id),
    })
}

/// Forgets one snapshot.
#[tauri::command]
pub fn delete_snapshot(kiosk: State<'_, Kiosk>, id: u32) -> Result<(), CommandError> {
    lock(&kiosk.snapshots).retain(|(i, _)| *i != id);
    Ok(())
}

/// A code typed by a hand-held tag scanner (a keyboard to the kiosk).
#[tauri::command]
pub fn lookup_tag(app: AppHandle, code: String) -> Result<TagView, CommandError> {
    let code = code.trim();
    if code.is_empty() || code.len() > atelier_media::tags::MAX_CODE_LEN || code.chars().any(char::is_control)
    {
        return Err(CommandError::BadRequest);
    }
    Ok(tags::scanned(&app, code, Via::Scanner, Instant::now()))
}

/// The UI drew the card for tag read `seq`.
#[tauri::command]
pub fn tag_shown(kiosk: State<'_, Kiosk>, seq: u32) -> Result<(), CommandError> {
    tags::shown(&kiosk, seq);
    Ok(())
}
