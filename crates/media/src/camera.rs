//! One pipeline per camera, alive as long as the kiosk:
//!
//! ```text
//! [source bin] → clocksync → tee(raw) ─┬→ queue → (flattering light) → tee(look) ─┬→ preview branch
//!   (swapped on hot-plug)               │                                          └→ encoder branch (calls, on demand)
//!                                       ├→ analysis branch (low rate: zbar tags)
//!                                       └→ sampler branch (on demand: RGB stills + faces for skin and calibration)
//! ```
//!
//! The source is a bin that can be detached and attached while everything downstream keeps
//! running: an unplugged camera is detached and retried, a video file that ends is attached again
//! from its start (a loop), and branches come and go without touching the camera. Frames never go
//! anywhere but these branches: no branch writes to disk.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_video as gst_video;

use crate::branch::{Branch, add_branch, last_element, quiet_sink, remove_branch};
use crate::fault::{Fault, FaultKind, classify};
use crate::look::flatter;
use crate::picture::{encode_size, square_pixels};
use crate::sampler::{self, SamplerBranch, StillFrame};
use crate::source::{self, Presence, SourceConfig};
use crate::tags::{self, TagRead};
use crate::{CameraSource, MediaError};

/// Something the camera reports, from its own threads.
#[derive(Debug, Clone)]
pub enum CameraEvent {
    /// Frames flow from a newly attached source. The picture's size after the mounting rotation,
    /// in square pixels: what the encoder sends and what the preview crops from.
    Live { width: u32, height: u32 },
    /// The source failed or went away; the camera retries by itself while the fault is transient.
    Fault(Fault),
    /// A garment tag was read (already debounced).
    Tag(TagRead),
    /// Someone moved in front of the camera (for waking the screen): the share of the picture's
    /// coarse grid that changed. At most one a second.
    Motion(f32),
}

/// The preview branch: mirrored, cropped to the screen's aspect and scaled to its exact size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewBranch {
    pub width_px: u32,
    pub height_px: u32,
    /// Flip left-right, like a mirror (`[display] mirror_flip`; [`Camera::set_mirror`] changes it
    /// while the picture runs).
    pub mirror: bool,
}

/// The H.264 encoder branch for calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncoderBranch {
    pub bitrate_kbps: u32,
    /// At most this long between keyframes (a joining peer also gets one on request).
    pub keyframe_interval: Duration,
    /// Frames are scaled down to at most this height (e.g. 720) before encoding.
    pub max_height: u32,
}

/// One encoded access unit.
#[derive(Debug, Clone)]
pub struct EncodedFrame {
    pub data: Vec<u8>,
    pub pts: Option<Duration>,
    pub duration: Option<Duration>,
    pub keyframe: bool,
}

/// The analysis branch's rate and size: small and slow, it only has to catch a tag.
const ANALYSIS_FPS: i32 = 15;
const ANALYSIS_MAX_WIDTH: i32 = 960;
/// A tag counts as shown again after this long out of sight.
const TAG_GAP: Duration = Duration::from_millis(1500);
/// How often a lost camera is looked for again.
const RETRY_EVERY: Duration = Duration::from_millis(400);
/// And a camera that failed for a reason waiting will not fix (wrong caps, permissions).
const RETRY_SLOWLY: Duration = Duration::from_secs(5);

struct Attached {
    bin: gst::Bin,
    config: SourceConfig,
}

#[derive(Default)]
struct Slots {
    source: Option<Attached>,
    /// What should be attached (kept while the camera is away, to retry).
    wanted: Option<SourceConfig>,
    retry_at: Option<Instant>,
    /// The retry is a file source starting over.
    looping: bool,
    preview: Option<Branch>,
    encoder: Option<(Branch, gst::Element)>,
    analysis: Option<Branch>,
    sampler: Option<Branch>,
}

struct Inner {
    pipeline: gst::Pipeline,
    clocksync: gst::Element,
    raw_tee: gst::Element,
    look_tee: gst::Element,
    slots: Mutex<Slots>,
    flattering: AtomicBool,
    awaiting_first_frame: AtomicBool,
    frames: AtomicU64,
    on_event: Arc<dyn Fn(CameraEvent) + Send + Sync>,
    presence: Presence,
    stop: AtomicBool,
}

/// The camera pipeline. Cheap to share; stops when the last handle is dropped.
pub struct Camera {
    inner: Arc<Inner>,
    watch: Option<JoinHandle<()>>,
}

fn lock(m: &Mutex<Slots>) -> MutexGuard<'_, Slots> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn make(kind: &str, name: &str) -> Result<gst::Element, MediaError> {
    gst::ElementFactory::make(kind).name(name).build().map_err(|_| {
        MediaError::Build(format!(
            "the GStreamer element `{kind}` is missing (is its plugin installed?)"
        ))
    })
}

fn build_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Build(e.to_string())
}

impl Camera {
    /// Builds the running pipeline without a source; `on_event` hears about it from its threads.
    pub fn new(
        presence: Presence,
        on_event: impl Fn(CameraEvent) + Send + Sync + 'static,
    ) -> Result<Self, MediaError> {
        crate::init()?;
        let pipeline = gst::Pipeline::with_name("camera");
        // Paces file sources to real time; live sources' frames are already late, so it never waits for them.
        let clocksync = make("clocksync", "pace")?;
        clocksync.set_property("sync", true);
        let raw_tee = make("tee", "raw")?;
        raw_tee.set_property("allow-not-linked", true);
        let look_queue = make("queue", "look-queue")?;
        look_queue.set_property_from_str("leaky", "downstream");
        look_queue.set_property("max-size-buffers", 1u32);
        look_queue.set_property("max-size-time", 0u64);
        look_queue.set_property("max-size-bytes", 0u32);
        let look_tee = make("tee", "look")?;
        look_tee.set_property("allow-not-linked", true);
        pipeline
            .add_many([&clocksync, &raw_tee, &look_queue, &look_tee])
            .map_err(build_err)?;
        gst::Element::link_many([&clocksync, &raw_tee]).map_err(build_err)?;
        gst::Element::link_many([&look_queue, &look_tee]).map_err(build_err)?;
        let raw_pad = raw_tee
            .request_pad_simple("src_%u")
            .ok_or_else(|| MediaError::Build("tee gave no pad".into()))?;
        let look_sink = look_queue
            .static_pad("sink")
            .ok_or_else(|| MediaError::Build("queue without a sink pad".into()))?;
        raw_pad.link(&look_sink).map_err(build_err)?;

        let inner = Arc::new(Inner {
            pipeline,
            clocksync,
            raw_tee,
            look_tee,
            slots: Mutex::new(Slots::default()),
            flattering: AtomicBool::new(false),
            awaiting_first_frame: AtomicBool::new(false),
            frames: AtomicU64::new(0),
            on_event: Arc::new(on_event),
            presence,
            stop: AtomicBool::new(false),
        });

        // Count frames and notice the first one after a source is attached.
        let weak = Arc::downgrade(&inner);
        if let Some(pad) = inner.clocksync.static_pad("sink") {
            pad.add_probe(gst::PadProbeType::BUFFER, move |pad, _| {
                if let Some(inner) = weak.upgrade() {
                    inner.frames.fetch_add(1, Ordering::Relaxed);
                    if inner.awaiting_first_frame.swap(false, Ordering::AcqRel) {
                        let (width, height) = pad
                            .current_caps()
                            .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
                            .map_or((0, 0), |info| square_pixels(&info));
                        (inner.on_event)(CameraEvent::Live { width, height });
                    }
                }
                gst::PadProbeReturn::Ok
            });
        }
        // The flattering light, in place on the look branch when switched on.
        let weak = Arc::downgrade(&inner);
        if let Some(pad) = look_queue.static_pad("src") {
            pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
                let Some(inner) = weak.upgrade() else {
                    return gst::PadProbeReturn::Ok;
                };
                if inner.flattering.load(Ordering::Relaxed) {
                    flatter(pad, info);
                }
                gst::PadProbeReturn::Ok
            });
        }

        inner
            .pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| MediaError::State(e.to_string()))?;
        let watch = spawn_watch(inner.clone())?;
        Ok(Camera {
            inner,
            watch: Some(watch),
        })
    }

    /// Attaches a source (replacing any). If it is not there now, it is retried until it is.
    pub fn attach(&self, config: SourceConfig) -> Result<(), MediaError> {
        let mut slots = lock(&self.inner.slots);
        slots.wanted = Some(config.clone());
        detach_locked(&self.inner, &mut slots);
        if !(self.inner.presence)(&config.source) {
            slots.retry_at = Some(Instant::now() + RETRY_EVERY);
            drop(slots);
            (self.inner.on_event)(CameraEvent::Fault(Fault {
                kind: FaultKind::NoDevice,
                element: "camera".into(),
                message: format!("{} is not connected", config.source),
                debug: None,
            }));
            return Ok(());
        }
        let attached = attach_locked(&self.inner, &mut slots, &config);
        if let Err(e) = &attached {
            // Reported like a bus error, so the UI has one place to hear about camera trouble.
            slots.retry_at = Some(Instant::now() + RETRY_SLOWLY);
            drop(slots);
            (self.inner.on_event)(CameraEvent::Fault(source::build_fault(e)));
        }
        attached
    }

    /// Detaches the source and stops retrying.
    pub fn detach(&self) {
        let mut slots = lock(&self.inner.slots);
        slots.wanted = None;
        slots.retry_at = None;
        detach_locked(&self.inner, &mut slots);
    }

    /// A camera was plugged in: retry now rather than at the next tick.
    pub fn device_added(&self) {
        let mut slots = lock(&self.inner.slots);
        if slots.source.is_none() && slots.wanted.is_some() {
            slots.retry_at = Some(Instant::now());
        }
    }

    /// Simulates what a V4L2 camera does when unplugged while running: its source reports
    /// "Could not read from resource" and stops. For tests and the installer's self-test.
    pub fn simulate_unplug(&self) {
        let slots = lock(&self.inner.slots);
        if let Some(a) = &slots.source {
            let src = a
                .bin
                .iterate_sources()
                .into_iter()
                .flatten()
                .next()
                .unwrap_or_else(|| a.bin.clone().upcast());
            let msg = gst::message::Error::builder(gst::ResourceError::Read, "Could not read from resource.")
                .src(&src)
                .build();
            let _ = self.inner.pipeline.post_message(msg);
        }
    }

    /// Adds the preview branch ending in `sink` (an element description such as
    /// `videoconvert ! video/x-raw,format=RGB ! appsink`); returns the last sink element.
    /// Replaces an existing preview.
    pub fn add_preview(&self, branch: &PreviewBranch, sink: &str) -> Result<gst::Element, MediaError> {
        let sink_bin = gst::parse::bin_from_description(sink, true).map_err(build_err)?;
        let last = last_element(&sink_bin)?;
        // (A sink nested in a bin is out of `add_branch`'s reach: quiet it here.)
        quiet_sink(&last);
        self.add_preview_element(branch, sink_bin.upcast())?;
        Ok(last)
    }

    /// Like [`Camera::add_preview`] with a sink element made by the caller (e.g. a `gtksink` whose
    /// widget was placed in a window first: unplaced, gtksink opens a window of its own).
    pub fn add_preview_element(&self, branch: &PreviewBranch, sink: gst::Element) -> Result<(), MediaError> {
        let (w, h) = (branch.width_px.max(2), branch.height_px.max(2));
        // (aspectratiocrop will not link straight after a queue inside a bin: a transform goes
        // first, and the flip is one.) The valve holds the picture while nobody can see it.
        let direction = if branch.mirror { "horiz" } else { "identity" };
        let desc = format!(
            "queue leaky=downstream max-size-buffers=1 max-size-time=0 max-size-bytes=0 \
             ! valve name=hold drop=false ! videoflip name=mirror video-direction={direction} ! \
             aspectratiocrop aspect-ratio={w}/{h} ! videoscale ! videoconvert \
             ! capsfilter name=size"
        );
        let bin = gst::parse::bin_from_description(&desc, false).map_err(build_err)?;
        let size = bin
            .by_name("size")
            .ok_or_else(|| MediaError::Build("no size filter".into()))?;
        size.set_property(
            "caps",
            gst::Caps::builder("video/x-raw")
                .field("width", w as i32)
                .field("height", h as i32)
                .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                .build(),
        );
        bin.add(&sink).map_err(build_err)?;
        size.link(&sink).map_err(build_err)?;
        let input = bin
            .by_name("queue0")
            .or_else(|| {
                bin.iterate_elements()
                    .into_iter()
                    .flatten()
                    .find(|e| e.name().starts_with("queue"))
            })
            .and_then(|q| q.static_pad("sink"))
            .ok_or_else(|| MediaError::Build("no queue in the preview".into()))?;
        let ghost = gst::GhostPad::builder_with_target(&input)
            .map_err(build_err)?
            .name("sink")
            .build();
        bin.add_pad(&ghost).map_err(build_err)?;
        self.install_preview(bin)
    }

    /// Flips the preview left–right like a mirror, or shows the picture as the camera sees it,
    /// without stopping it.
    pub fn set_mirror(&self, on: bool) {
        let slots = lock(&self.inner.slots);
        if let Some(flip) = slots.preview.as_ref().and_then(|b| b.bin().by_name("mirror")) {
            flip.set_property_from_str("video-direction", if on { "horiz" } else { "identity" });
        }
    }

    /// Holds the preview (frames stop at its entrance: no scaling or drawing) while nothing can
    /// see it, e.g. a hidden video layer; the rest of the pipeline (tags, calls) runs on.
    pub fn hold_preview(&self, hold: bool) {
        let slots = lock(&self.inner.slots);
        if let Some(valve) = slots.preview.as_ref().and_then(|b| b.bin().by_name("hold")) {
            valve.set_property("drop", hold);
        }
    }

    fn install_preview(&self, bin: gst::Bin) -> Result<(), MediaError> {
        let branch = add_branch(&self.inner.pipeline, &self.inner.look_tee, bin)?;
        let mut slots = lock(&self.inner.slots);
        if let Some(old) = slots.preview.replace(branch) {
            drop(slots);
            remove_branch(&self.inner.pipeline, old);
        }
        Ok(())
    }

    /// Adds the low-rate analysis branch: tags are read and reported as [`CameraEvent::Tag`].
    /// With `view_aspect` (the screen's width and height) only the part of the picture the mirror
    /// shows is scanned, at the camera's own resolution up to 960×1080: a shopper holds a tag where
    /// she sees it, and a third of a landscape frame costs a third as much (measured: the whole
    /// 720p frame scaled to 960 wide cost 22 % of a core at 15 fps).
    pub fn add_analysis(&self, view_aspect: Option<(u32, u32)>) -> Result<(), MediaError> {
        if lock(&self.inner.slots).analysis.is_some() {
            return Ok(());
        }
        let crop = match view_aspect {
            Some((w, h)) if w > 0 && h > 0 => format!("aspectratiocrop aspect-ratio={w}/{h} ! "),
            _ => String::new(),
        };
        // (aspectratiocrop will not link straight after a queue inside a bin: a transform goes first.)
        let desc = format!(
            "queue leaky=downstream max-size-buffers=1 max-size-time=0 max-size-bytes=0 \
             ! videoconvert name=analysis-in ! {crop}videoscale \
             ! video/x-raw,format=I420,width=[ 16, {ANALYSIS_MAX_WIDTH} ],height=[ 16, 1080 ],pixel-aspect-ratio=1/1 \
             ! zbar name=zbar cache=false message=true attach-frame=false ! fakesink sync=false async=false"
        );
        let bin = gst::parse::bin_from_description(&desc, true).map_err(|e| {
            MediaError::Build(format!(
                "tag scanning needs the `zbar` element (gstreamer1.0-plugins-bad): {e}"
            ))
        })?;
        // At most ANALYSIS_FPS frames go on, by arrival time.
        if let Some(pad) = bin.by_name("analysis-in").and_then(|e| e.static_pad("sink")) {
            sampler::limit_rate(&pad, ANALYSIS_FPS as u32);
        }
        // The same low-rate frames tell whether someone is there (the screen wakes on approach).
        if let Some(pad) = bin.by_name("zbar").and_then(|e| e.static_pad("sink")) {
            let on_event = self.inner.on_event.clone();
            let detector = Mutex::new((atelier_domain::power::MotionDetector::default(), None::<Instant>));
            pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
                let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                    return gst::PadProbeReturn::Ok;
                };
                let Some(vinfo) = pad
                    .current_caps()
                    .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
                else {
                    return gst::PadProbeReturn::Ok;
                };
                let Ok(frame) = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer.as_ref(), &vinfo)
                else {
                    return gst::PadProbeReturn::Ok;
                };
                use gst_video::prelude::VideoFrameExt;
                let stride = frame.plane_stride()[0].max(0) as usize;
                let grid = frame.plane_data(0).ok().and_then(|luma| {
                    atelier_domain::power::luma_grid(
                        luma,
                        vinfo.width() as usize,
                        vinfo.height() as usize,
                        stride,
                    )
                });
                let Some(grid) = grid else {
                    return gst::PadProbeReturn::Ok;
                };
                let mut d = detector.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(share) = d.0.feed(grid)
                    && d.1.is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
                {
                    d.1 = Some(Instant::now());
                    drop(d);
                    on_event(CameraEvent::Motion(share));
                }
                gst::PadProbeReturn::Ok
            });
        }
        let branch = add_branch(&self.inner.pipeline, &self.inner.raw_tee, bin)?;
        lock(&self.inner.slots).analysis = Some(branch);
        Ok(())
    }

    /// Starts the sampler branch: still frames of the true picture (not mirrored, no flattering
    /// light) for skin analysis or colour calibration, with face boxes when asked. Frames stay in
    /// memory: `on_frame` gets them from the branch's thread. Replaces a sampler already running.
    pub fn start_sampling(
        &self,
        config: SamplerBranch,
        on_frame: impl Fn(StillFrame) + Send + Sync + 'static,
    ) -> Result<(), MediaError> {
        self.stop_sampling();
        let bin = sampler::build(config, on_frame)?;
        let branch = add_branch(&self.inner.pipeline, &self.inner.raw_tee, bin)?;
        lock(&self.inner.slots).sampler = Some(branch);
        Ok(())
    }

    /// Removes the sampler branch (no frame is taken after this returns).
    pub fn stop_sampling(&self) {
        let old = lock(&self.inner.slots).sampler.take();
        if let Some(b) = old {
            remove_branch(&self.inner.pipeline, b);
        }
    }

    /// Whether the sampler branch runs.
    pub fn sampling(&self) -> bool {
        lock(&self.inner.slots).sampler.is_some()
    }

    /// Removes the analysis branch.
    pub fn remove_analysis(&self) {
        let old = lock(&self.inner.slots).analysis.take();
        if let Some(b) = old {
            remove_branch(&self.inner.pipeline, b);
        }
    }

    /// Builds the H.264 encoder branch (on demand: only while a call runs). Each access unit goes
    /// to `on_frame` from the encoder's thread; encoded once, however many peers receive it.
    pub fn start_encoder(
        &self,
        config: EncoderBranch,
        on_frame: impl Fn(EncodedFrame) + Send + Sync + 'static,
    ) -> Result<(), MediaError> {
        self.stop_encoder();
        let key_frames = ((config.keyframe_interval.as_millis() as u64 * 30) / 1000).clamp(1, 600);
        let max_h = config.max_height.clamp(144, 1080);
        // x264 needs even sides: a camera turned to portrait (720×1280) scaled to 720 high would be
        // 405 wide, and the encoder refused to start. Size it from the running picture.
        let picture = self
            .inner
            .raw_tee
            .static_pad("sink")
            .and_then(|pad| pad.current_caps())
            .and_then(|caps| gst_video::VideoInfo::from_caps(&caps).ok())
            .map(|info| square_pixels(&info));
        let size = match picture {
            Some((w, h)) if w > 0 && h > 0 => {
                let (w, h) = encode_size(w, h, max_h);
                format!("width={w},height={h}")
            }
            _ => format!("height=[ 2, {max_h} ]"),
        };
        let desc = format!(
            "queue leaky=downstream max-size-buffers=1 max-size-time=0 max-size-bytes=0 \
             ! videoscale ! video/x-raw,{size},pixel-aspect-ratio=1/1 ! videoconvert \
             ! x264enc name=encoder tune=zerolatency speed-preset=ultrafast key-int-max={key_frames} \
               bitrate={} byte-stream=true \
             ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au \
             ! appsink name=encoded sync=false async=false max-buffers=4 drop=true",
            config.bitrate_kbps.clamp(100, 20_000)
        );
        let bin = gst::parse::bin_from_description(&desc, true)
            .map_err(|e| MediaError::Build(format!("the H.264 encoder (x264enc) is missing: {e}")))?;
        let encoder = bin
            .by_name("encoder")
            .ok_or_else(|| MediaError::Build("no encoder in the branch".into()))?;
        let appsink = bin
            .by_name("encoded")
            .and_then(|e| e.downcast::<gstreamer_app::AppSink>().ok())
            .ok_or_else(|| MediaError::Build("no appsink in the branch".into()))?;
        appsink.set_callbacks(
            gstreamer_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let Some(buffer) = sample.buffer() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let Ok(map) = buffer.map_readable() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    on_frame(EncodedFrame {
                        data: map.as_slice().to_vec(),
                        pts: buffer.pts().map(|t| Duration::from_nanos(t.nseconds())),
                        duration: buffer.duration().map(|t| Duration::from_nanos(t.nseconds())),
                        keyframe: !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT),
                    });
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        let branch = add_branch(&self.inner.pipeline, &self.inner.look_tee, bin)?;
        lock(&self.inner.slots).encoder = Some((branch, encoder));
        self.force_keyframe();
        Ok(())
    }

    /// Follows the bandwidth estimate: the encoder's target bitrate, applied from the next frame.
    pub fn set_encoder_bitrate(&self, kbps: u32) {
        if let Some((_, enc)) = &lock(&self.inner.slots).encoder {
            enc.set_property("bitrate", kbps.clamp(100, 20_000));
        }
    }

    /// Asks the encoder for a keyframe (a peer joined or lost packets).
    pub fn force_keyframe(&self) {
        if let Some((_, enc)) = &lock(&self.inner.slots).encoder {
            let event = gst_video::UpstreamForceKeyUnitEvent::builder()
                .all_headers(true)
                .build();
            if let Some(pad) = enc.static_pad("src") {
                let _ = pad.send_event(event);
            }
        }
    }

    /// Removes the encoder branch; the camera and the preview keep running.
    pub fn stop_encoder(&self) {
        let old = lock(&self.inner.slots).encoder.take();
        if let Some((b, _)) = old {
            remove_branch(&self.inner.pipeline, b);
        }
    }

    /// Whether frames are being encoded (video may be leaving the device).
    pub fn encoding(&self) -> bool {
        lock(&self.inner.slots).encoder.is_some()
    }

    /// Switches the flattering light on or off, from the next frame.
    pub fn set_flattering(&self, on: bool) {
        self.inner.flattering.store(on, Ordering::Relaxed);
    }

    pub fn flattering(&self) -> bool {
        self.inner.flattering.load(Ordering::Relaxed)
    }

    /// Frames that came out of the source since the camera was built.
    pub fn frames(&self) -> u64 {
        self.inner.frames.load(Ordering::Relaxed)
    }

    /// Whether a source is attached now.
    pub fn attached(&self) -> bool {
        lock(&self.inner.slots).source.is_some()
    }

    /// The pipeline's running time now (frames are stamped in it).
    pub fn running_time(&self) -> Option<Duration> {
        self.inner
            .pipeline
            .current_running_time()
            .map(|t| Duration::from_nanos(t.nseconds()))
    }

    /// The pipeline, for diagnostics (dot graphs) and measurements.
    pub fn pipeline(&self) -> &gst::Pipeline {
        &self.inner.pipeline
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::Relaxed);
        let _ = self.inner.pipeline.set_state(gst::State::Null);
        if let Some(w) = self.watch.take() {
            let _ = w.join();
        }
    }
}

fn attach_locked(inner: &Arc<Inner>, slots: &mut Slots, config: &SourceConfig) -> Result<(), MediaError> {
    let bin = source::build_bin(config)?;
    let src_pad = bin
        .static_pad("src")
        .ok_or_else(|| MediaError::Build("the source has no output".into()))?;
    if matches!(config.source, CameraSource::File(_)) {
        // A file starts at time 0: shift it to now so the clocksync paces it in real time.
        let now = inner
            .pipeline
            .current_running_time()
            .map(|t| t.nseconds())
            .unwrap_or(0);
        src_pad.set_offset(now as i64);
        // At its end it is attached again from the start (a loop), without ending the pipeline.
        let weak = Arc::downgrade(inner);
        src_pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
            if let Some(gst::PadProbeData::Event(e)) = &info.data
                && e.type_() == gst::EventType::Eos
            {
                if let Some(inner) = weak.upgrade() {
                    let mut slots = lock(&inner.slots);
                    if slots.source.is_some() {
                        slots.retry_at = Some(Instant::now());
                        slots.looping = true;
                    }
                }
                // Handled, not Drop: with Drop gstreamer-rs 0.25 leaves GStreamer to unref a NULL event.
                return gst::PadProbeReturn::Handled;
            }
            gst::PadProbeReturn::Ok
        });
    }
    inner.pipeline.add(&bin).map_err(build_err)?;
    let sink = inner
        .clocksync
        .static_pad("sink")
        .ok_or_else(|| MediaError::Build("clocksync without a sink pad".into()))?;
    src_pad.link(&sink).map_err(build_err)?;
    // A file starting over is not news; a camera coming (back) is.
    if !std::mem::take(&mut slots.looping) {
        inner.awaiting_first_frame.store(true, Ordering::Release);
    }
    slots.retry_at = None;
    let started = bin.sync_state_with_parent();
    slots.source = Some(Attached {
        bin,
        config: config.clone(),
    });
    if let Err(e) = started {
        // The error message on the bus says why; the watcher classifies it and retries.
        tracing::debug!(error = %e, "the source would not start");
    }
    let _ = inner.pipeline.recalculate_latency();
    Ok(())
}

fn detach_locked(inner: &Inner, slots: &mut Slots) {
    if let Some(a) = slots.source.take() {
        if let Some(pad) = a.bin.static_pad("src")
            && let Some(peer) = pad.peer()
        {
            let _ = pad.unlink(&peer);
        }
        let _ = a.bin.set_state(gst::State::Null);
        let _ = inner.pipeline.remove(&a.bin);
        tracing::debug!(source = %a.config.source, "source detached");
    }
}

fn in_source(slots: &Slots, element: &gst::Object) -> bool {
    let Some(a) = &slots.source else { return false };
    let bin: &gst::Object = a.bin.upcast_ref();
    let mut cur = Some(element.clone());
    while let Some(o) = cur {
        if &o == bin {
            return true;
        }
        cur = o.parent();
    }
    false
}

fn spawn_watch(inner: Arc<Inner>) -> Result<JoinHandle<()>, MediaError> {
    let bus = inner
        .pipeline
        .bus()
        .ok_or_else(|| MediaError::State("pipeline without a bus".into()))?;
    let mut debounce = tags::Debounce::new(TAG_GAP);
    let started = Instant::now();
    std::thread::Builder::new()
        .name("camera-bus".into())
        .spawn(move || {
            while !inner.stop.load(Ordering::Relaxed) {
                if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(50)) {
                    handle_message(&inner, &msg, &mut debounce, started);
                }
                retry_if_due(&inner);
            }
        })
        .map_err(|e| MediaError::State(e.to_string()))
}

fn handle_message(inner: &Arc<Inner>, msg: &gst::Message, debounce: &mut tags::Debounce, started: Instant) {
    use gst::MessageView;
    match msg.view() {
        MessageView::Error(err) => {
            let element = msg
                .src()
                .map(|s| s.name().to_string())
                .unwrap_or_else(|| "camera".into());
            let debug = err.debug().map(|d| d.to_string());
            let fault = classify(&element, &err.error(), debug.as_deref());
            let mut slots = lock(&inner.slots);
            let from_source = msg.src().is_some_and(|s| in_source(&slots, s));
            if from_source {
                tracing::warn!(%fault, "camera source failed; retrying");
                detach_locked(inner, &mut slots);
                let wait = if fault.kind.is_transient() {
                    RETRY_EVERY
                } else {
                    RETRY_SLOWLY
                };
                slots.retry_at = slots.wanted.as_ref().map(|_| Instant::now() + wait);
            } else {
                tracing::error!(%fault, "camera branch failed");
            }
            drop(slots);
            (inner.on_event)(CameraEvent::Fault(fault));
        }
        MessageView::Element(e) => {
            if let Some(s) = e.structure()
                && let Some(tag) = tags::from_message(s)
                && debounce.is_new(&tag.code, started.elapsed())
            {
                (inner.on_event)(CameraEvent::Tag(tag));
            }
        }
        MessageView::Latency(_) => {
            let _ = inner.pipeline.recalculate_latency();
        }
        _ => {}
    }
}

fn retry_if_due(inner: &Arc<Inner>) {
    let mut slots = lock(&inner.slots);
    let due = slots.retry_at.is_some_and(|t| Instant::now() >= t);
    if !due {
        return;
    }
    let Some(config) = slots.wanted.clone() else {
        slots.retry_at = None;
        return;
    };
    if !(inner.presence)(&config.source) {
        slots.retry_at = Some(Instant::now() + RETRY_EVERY);
        return;
    }
    detach_locked(inner, &mut slots);
    if let Err(e) = attach_locked(inner, &mut slots, &config) {
        tracing::warn!(error = %e, "could not attach the camera again");
        slots.retry_at = Some(Instant::now() + RETRY_SLOWLY);
    }
}
