//! The camera's source bin: the test pattern, a V4L2 device in its chosen mode, or a file; turned
//! as mounted; always handing on I420. Built alone so it can be swapped while the pipeline runs.

use std::sync::Arc;

use gstreamer as gst;
use gstreamer::prelude::*;

use crate::devices::{Mode, ModeFormat};
use crate::fault::{Fault, FaultKind};
use crate::{CameraSource, MediaError};

/// How the camera is mounted and what it delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    pub source: CameraSource,
    /// The capture mode, when the device's caps are known; `None` lets GStreamer negotiate.
    pub mode: Option<Mode>,
    /// Clockwise rotation of the mounted camera, degrees (0, 90, 180, 270).
    pub rotation_deg: u16,
}

/// Whether a source is there to be attached (a device node exists, a file exists).
pub type Presence = Arc<dyn Fn(&CameraSource) -> bool + Send + Sync>;

/// The default presence check: the device node or the file exists.
pub fn default_presence() -> Presence {
    Arc::new(|s: &CameraSource| match s {
        CameraSource::Device(p) | CameraSource::File(p) => std::path::Path::new(p).exists(),
        CameraSource::Test => true,
        CameraSource::Auto => false,
    })
}

/// Builds the source bin for `config`, its output ghosted as `src`.
pub(crate) fn build_bin(config: &SourceConfig) -> Result<gst::Bin, MediaError> {
    let build_err = |e: gst::glib::Error| MediaError::Build(e.to_string());
    let desc = description(config)?;
    // Not `ghost_unlinked_pads`: decodebin's pad appears later, and a ghosted videoconvert sink
    // would make parse's delayed link fail. The one output is ghosted by hand.
    let bin = gst::parse::bin_from_description(&desc, false).map_err(build_err)?;
    bin.set_property("name", "source");
    let out = bin
        .by_name("out")
        .ok_or_else(|| MediaError::Build("the source has no output".into()))?;
    out.set_property(
        "caps",
        gst::Caps::builder("video/x-raw").field("format", "I420").build(),
    );
    let out_pad = out
        .static_pad("src")
        .ok_or_else(|| MediaError::Build("the source has no output".into()))?;
    let ghost = gst::GhostPad::builder_with_target(&out_pad)
        .map_err(|e| MediaError::Build(e.to_string()))?
        .name("src")
        .build();
    bin.add_pad(&ghost)
        .map_err(|e| MediaError::Build(e.to_string()))?;
    if let Some(filter) = bin.by_name("mode") {
        filter.set_property("caps", mode_caps(config));
    }
    if let Some(camera) = bin.by_name("camera") {
        match &config.source {
            CameraSource::Device(path) => camera.set_property("device", path),
            CameraSource::File(path) => camera.set_property("location", path),
            _ => {}
        }
    }
    Ok(bin)
}

fn description(config: &SourceConfig) -> Result<String, MediaError> {
    // The mode's caps are set on the `mode` capsfilter after parsing (no caps text to quote).
    let input = match &config.source {
        CameraSource::Test => {
            "videotestsrc name=camera is-live=true pattern=smpte ! capsfilter name=mode".to_owned()
        }
        CameraSource::Device(_) => match config.mode.map(|m| m.format) {
            Some(ModeFormat::Jpeg) => "v4l2src name=camera ! capsfilter name=mode ! jpegdec".into(),
            Some(ModeFormat::Raw) => "v4l2src name=camera ! capsfilter name=mode".into(),
            None => "v4l2src name=camera ! decodebin".into(),
        },
        CameraSource::File(_) => "filesrc name=camera ! decodebin".into(),
        CameraSource::Auto => {
            return Err(MediaError::Build(
                "no camera chosen: resolve `auto` to a device first".into(),
            ));
        }
    };
    let rotate = match config.rotation_deg {
        90 => " ! videoflip video-direction=90r",
        180 => " ! videoflip video-direction=180",
        270 => " ! videoflip video-direction=90l",
        _ => "",
    };
    // (A description cannot end in bare caps: the filter is named as an element.)
    Ok(format!("{input}{rotate} ! videoconvert ! capsfilter name=out"))
}

fn mode_caps(config: &SourceConfig) -> gst::Caps {
    match (config.mode, &config.source) {
        (Some(m), _) => m.caps(),
        // The test source stands in for a 720p30 camera.
        (None, CameraSource::Test) => Mode {
            format: ModeFormat::Raw,
            width: 1280,
            height: 720,
            fps: 30,
        }
        .caps(),
        (None, _) => gst::Caps::new_any(),
    }
}

/// A source that could not even be put together: wrong caps at link time, or a missing element.
pub(crate) fn build_fault(e: &MediaError) -> Fault {
    let message = e.to_string();
    let kind = if message.contains("common format") || message.contains("caps") {
        FaultKind::CapsNotSupported
    } else {
        FaultKind::Other
    };
    Fault {
        kind,
        element: "source".into(),
        message,
        debug: None,
    }
}
