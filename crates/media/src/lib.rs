//! The kiosk's media layer (GStreamer): finding cameras, the camera pipeline with its branches
//! (preview, analysis, encoder for calls), garment tags, the flattering light, and camera faults.

mod branch;
pub mod call_media;
mod camera;
pub mod devices;
pub mod fault;
pub mod look;
mod picture;
pub mod sampler;
mod source;
pub mod tags;

pub use atelier_domain::camera::{BadCameraSource, CameraSource};
pub use call_media::{MicSource, Microphone, OpusPacket, RemoteMedia, RemoteStats};
pub use camera::{Camera, CameraEvent, EncodedFrame, EncoderBranch, PreviewBranch};
pub use devices::{CameraDevice, DeviceChange, DeviceWatch, Mode, ModeFormat, ModePreference};
pub use fault::{Fault, FaultKind};
pub use sampler::{FaceRect, SamplerBranch, StillFrame};
pub use source::{Presence, SourceConfig, default_presence};
pub use tags::{Symbology, TagRead};

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
}

/// Initialises GStreamer once per process.
pub fn init() -> Result<(), MediaError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gstreamer::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(MediaError::Init)
}
