//! Taking stills from the camera for analysis: a few seconds of frames from the sampler branch,
//! kept in memory only for as long as the analysis runs, then dropped.

use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use atelier_media::{Camera, SamplerBranch, StillFrame};
use tauri::{AppHandle, Manager};

use crate::camera::CameraSlot;
use crate::state::lock;

/// Why no frames could be taken.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("the camera is not running")]
    NoCamera,
    #[error("{0}")]
    Media(#[from] atelier_media::MediaError),
}

/// The running camera and the preview's size on screen.
pub fn camera(app: &AppHandle) -> Result<(Arc<Camera>, (u32, u32)), CaptureError> {
    let slot = app.state::<CameraSlot>();
    let cam = lock(&slot.camera).clone().ok_or(CaptureError::NoCamera)?;
    if !cam.attached() {
        return Err(CaptureError::NoCamera);
    }
    let view = *lock(&slot.view_px);
    Ok((cam, view))
}

/// Takes stills until `enough` says the collection is complete or `timeout` passes, then removes
/// the branch. Frames `keep` refuses are dropped at once.
pub fn collect(
    camera: &Camera,
    branch: SamplerBranch,
    timeout: Duration,
    keep: impl Fn(&StillFrame) -> bool,
    enough: impl Fn(&[StillFrame]) -> bool,
) -> Result<Vec<StillFrame>, CaptureError> {
    let (tx, rx) = sync_channel::<StillFrame>(2);
    camera.start_sampling(branch, move |f| {
        let _ = tx.try_send(f);
    })?;
    let deadline = Instant::now() + timeout;
    let mut kept = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(f) if keep(&f) => {
                kept.push(f);
                if enough(&kept) {
                    break;
                }
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
    camera.stop_sampling();
    Ok(kept)
}
