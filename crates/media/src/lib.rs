//! The kiosk's media layer: which camera to use, and the mirrored preview pipeline.

mod preview;

pub use atelier_domain::camera::{BadCameraSource, CameraSource};
pub use preview::{Preview, PreviewConfig, PreviewEvent};

use std::sync::OnceLock;

/// Errors of the media layer.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("GStreamer could not start: {0}")]
    Init(String),
    #[error("could not build the pipeline: {0}")]
    Build(String),
    #[error("the pipeline would not start: {0}")]
    State(String),
    #[error("{element}: {message}")]
    Stream {
        element: String,
        message: String,
        debug: Option<String>,
    },
}

/// Initialises GStreamer once per process.
pub fn init() -> Result<(), MediaError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gstreamer::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(MediaError::Init)
}
