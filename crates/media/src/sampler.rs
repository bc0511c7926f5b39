//! The sampler branch: still RGB frames for analysis that needs real pixels, taken only while a
//! caller asks for them (a skin analysis the shopper agreed to, a colour calibration the installer
//! started) and handed over in memory. Optionally with GStreamer's `facedetect` (OpenCV Haar
//! cascade) on the same frames, whose face boxes arrive on each buffer as region-of-interest meta,
//! so a frame and its faces can never be mixed up.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_video as gst_video;

use crate::MediaError;

/// What the sampler delivers, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplerBranch {
    /// Frames are scaled down (never up) to at most this width, keeping their aspect.
    pub max_width: u32,
    /// At most this many frames a second (by arrival time).
    pub fps: u32,
    /// Run the face detector and report its boxes with each frame.
    pub detect_faces: bool,
}

/// A face box in a [`StillFrame`]'s pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// One frame from the camera as it is (not mirrored, no flattering light): packed 8-bit RGB.
#[derive(Clone)]
pub struct StillFrame {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes, row after row.
    pub rgb: Vec<u8>,
    /// Faces found in this frame, largest first (empty when detection is off or none was found).
    pub faces: Vec<FaceRect>,
    pub pts: Option<Duration>,
}

impl std::fmt::Debug for StillFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StillFrame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("faces", &self.faces)
            .field("pts", &self.pts)
            .finish_non_exhaustive()
    }
}

/// The Haar cascade the detector uses (Debian: `opencv-data`).
const FACE_CASCADE: &str = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

/// Builds the branch's bin; frames go to `on_frame` from the branch's streaming thread.
pub(crate) fn build(
    config: SamplerBranch,
    on_frame: impl Fn(StillFrame) + Send + Sync + 'static,
) -> Result<gst::Bin, MediaError> {
    let max_w = config.max_width.clamp(64, 3840);
    let detect = if config.detect_faces {
        // Faces narrower than a twentieth of the frame (48 px at 960) are too far away to judge
        // skin by, and small windows are where the cascade's false hits live.
        let min = (max_w / 20).max(24);
        format!(
            "! facedetect name=faces display=false updates=none profile={FACE_CASCADE} \
               min-size-width={min} min-size-height={min} "
        )
    } else {
        String::new()
    };
    let desc = format!(
        "queue leaky=downstream max-size-buffers=1 max-size-time=0 max-size-bytes=0 \
         ! videoconvert name=sampler-in ! videoscale \
         ! video/x-raw,format=RGB,width=[ 16, {max_w} ],pixel-aspect-ratio=1/1 \
         {detect}! appsink name=frames sync=false async=false max-buffers=1 drop=true"
    );
    let bin = gst::parse::bin_from_description(&desc, true).map_err(|e| {
        if config.detect_faces {
            MediaError::Build(format!(
                "face detection needs the `facedetect` element (gstreamer1.0-opencv, opencv-data): {e}"
            ))
        } else {
            MediaError::Build(e.to_string())
        }
    })?;
    if let Some(pad) = bin.by_name("sampler-in").and_then(|e| e.static_pad("sink")) {
        limit_rate(&pad, config.fps.clamp(1, 30));
    }
    let appsink = bin
        .by_name("frames")
        .and_then(|e| e.downcast::<gstreamer_app::AppSink>().ok())
        .ok_or_else(|| MediaError::Build("no appsink in the sampler".into()))?;
    appsink.set_callbacks(
        gstreamer_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                match still_from_sample(&sample) {
                    Some(frame) => on_frame(frame),
                    None => tracing::debug!("a sampled frame could not be read"),
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    Ok(bin)
}

fn still_from_sample(sample: &gst::SampleRef) -> Option<StillFrame> {
    let caps = sample.caps()?;
    let info = gst_video::VideoInfo::from_caps(caps).ok()?;
    let buffer = sample.buffer()?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).ok()?;
    let (w, h) = (info.width(), info.height());
    let stride = usize::try_from(*info.stride().first()?).ok()?;
    let data = frame.plane_data(0).ok()?;
    let row = w as usize * 3;
    let mut rgb = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        rgb.extend_from_slice(data.get(y * stride..y * stride + row)?);
    }
    let mut faces: Vec<FaceRect> = buffer
        .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
        .filter(|m| m.roi_type() == "face")
        .map(|m| {
            let (x, y, width, height) = m.rect();
            FaceRect { x, y, width, height }
        })
        .filter(|f| f.width > 0 && f.height > 0 && f.x + f.width <= w && f.y + f.height <= h)
        .collect();
    faces.sort_by_key(|f| std::cmp::Reverse(u64::from(f.width) * u64::from(f.height)));
    Some(StillFrame {
        width: w,
        height: h,
        rgb,
        faces,
        pts: buffer.pts().map(|t| Duration::from_nanos(t.nseconds())),
    })
}

/// Lets at most `fps` buffers a second through `pad`, by arrival time. (Not `videorate`: it
/// asserts on frames without a duration, which a still image as the source gives.)
pub(crate) fn limit_rate(pad: &gst::Pad, fps: u32) {
    let every = Duration::from_secs(1) / fps.max(1);
    let last: Mutex<Option<Instant>> = Mutex::new(None);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // A little slack so a 30 fps camera gives a steady 15, not 10.
        if last.is_some_and(|t| now.duration_since(t) + Duration::from_millis(8) < every) {
            // Handled, not Drop: with Drop gstreamer-rs 0.25 leaves GStreamer to unref a NULL buffer.
            return gst::PadProbeReturn::Handled;
        }
        *last = Some(now);
        gst::PadProbeReturn::Ok
    });
}
