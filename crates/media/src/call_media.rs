//! The media of a call beyond the camera: the microphone, encoded to Opus once for every remote,
//! and each remote's video and audio decoded for the mirror.
//!
//! Both are small pipelines of their own, built when a call starts and dropped when it ends, so
//! nothing listens or decodes between calls. The camera's H.264 comes from its own encoder branch
//! ([`crate::Camera::start_encoder`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app::{AppSink, AppSrc};

use crate::MediaError;

/// Loads the decoders' plugins once (at start), so the first remote's first keyframe does not
/// wait for them. Missing plugins are reported when a remote's decoder is built.
pub fn preload_decoders() {
    if crate::init().is_err() {
        return;
    }
    for name in ["h264parse", "avdec_h264", "opusdec", "opusenc"] {
        let _ = gst::ElementFactory::make(name).build();
    }
}

/// Where the microphone's sound comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MicSource {
    /// A quiet test tone (the demo and the tests: there is no microphone).
    Test,
    /// The system's default input (`autoaudiosrc`).
    Auto,
    /// A GStreamer source description, e.g. `pulsesrc device=…` (from a hardware profile).
    Launch(String),
}

/// One encoded Opus packet.
#[derive(Debug, Clone)]
pub struct OpusPacket {
    pub data: Vec<u8>,
    pub duration: Duration,
}

/// The microphone: live, encoded to Opus (20 ms packets), muted by dropping packets before they
/// leave (the remote hears silence, and nothing is sent).
pub struct Microphone {
    pipeline: gst::Pipeline,
    muted: Arc<AtomicBool>,
    packets: Arc<AtomicU64>,
}

impl Microphone {
    pub fn start(
        source: &MicSource,
        on_packet: impl Fn(OpusPacket) + Send + Sync + 'static,
    ) -> Result<Self, MediaError> {
        crate::init()?;
        let src = match source {
            MicSource::Test => "audiotestsrc is-live=true wave=sine freq=330 volume=0.02".to_owned(),
            MicSource::Auto => "autoaudiosrc".to_owned(),
            MicSource::Launch(desc) => desc.clone(),
        };
        let desc = format!(
            "{src} ! queue max-size-time=200000000 leaky=downstream ! audioconvert ! audioresample \
             ! audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 bitrate=32000 \
             ! appsink name=opus sync=false max-buffers=50 drop=true"
        );
        let pipeline = gst::parse::launch(&desc)
            .map_err(|e| MediaError::Build(format!("the microphone pipeline: {e}")))?
            .downcast::<gst::Pipeline>()
            .map_err(|_| MediaError::Build("the microphone pipeline is not a pipeline".into()))?;
        let sink = pipeline
            .by_name("opus")
            .and_then(|e| e.downcast::<AppSink>().ok())
            .ok_or_else(|| MediaError::Build("no appsink in the microphone pipeline".into()))?;
        let muted = Arc::new(AtomicBool::new(false));
        let packets = Arc::new(AtomicU64::new(0));
        let (m, p) = (muted.clone(), packets.clone());
        sink.set_callbacks(
            gstreamer_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if m.load(Ordering::Relaxed) {
                        return Ok(gst::FlowSuccess::Ok);
                    }
                    let Some(buffer) = sample.buffer() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let Ok(map) = buffer.map_readable() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    p.fetch_add(1, Ordering::Relaxed);
                    on_packet(OpusPacket {
                        data: map.as_slice().to_vec(),
                        duration: buffer
                            .duration()
                            .map(|d| Duration::from_nanos(d.nseconds()))
                            .unwrap_or(Duration::from_millis(20)),
                    });
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| MediaError::State(format!("the microphone would not start: {e}")))?;
        Ok(Self {
            pipeline,
            muted,
            packets,
        })
    }

    pub fn set_muted(&self, muted: bool) {
        self.muted.store(muted, Ordering::Relaxed);
    }

    pub fn muted(&self) -> bool {
        self.muted.load(Ordering::Relaxed)
    }

    /// Packets handed out so far.
    pub fn packets(&self) -> u64 {
        self.packets.load(Ordering::Relaxed)
    }
}

impl Drop for Microphone {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// Counters of one remote's decoding.
#[derive(Debug, Default)]
pub struct RemoteStats {
    pub video_frames: AtomicU64,
    pub audio_frames: AtomicU64,
    pub width: AtomicU64,
    pub height: AtomicU64,
}

/// One remote's video (H.264 access units, Annex B) and audio (Opus packets), decoded: the video
/// into `video_sink` (the mirror's tile, or a fakesink in tests), the audio to the speaker.
pub struct RemoteMedia {
    /// Video and audio run as two pipelines, so neither waits for the other to start (a live
    /// pipeline goes to PLAYING only once every sink has a buffer).
    pipeline: gst::Pipeline,
    audio_pipeline: gst::Pipeline,
    video: AppSrc,
    audio: AppSrc,
    /// Decoding starts at a keyframe; until then video is dropped.
    seen_keyframe: AtomicBool,
    stats: Arc<RemoteStats>,
}

impl RemoteMedia {
    /// `audio_sink`: `None` plays through `autoaudiosink` (a silent fake sink when the machine has
    /// no speaker).
    pub fn new(video_sink: gst::Element, audio_sink: Option<gst::Element>) -> Result<Self, MediaError> {
        crate::init()?;
        let build = |e: &str| MediaError::Build(format!("the remote's decoder ({e})"));
        let pipeline = gst::Pipeline::with_name("remote-video");
        let audio_pipeline = gst::Pipeline::with_name("remote-audio");
        let video = AppSrc::builder()
            .caps(
                &gst::Caps::builder("video/x-h264")
                    .field("stream-format", "byte-stream")
                    .field("alignment", "au")
                    .build(),
            )
            .is_live(true)
            .do_timestamp(true)
            .format(gst::Format::Time)
            .max_bytes(8 * 1024 * 1024)
            .block(false)
            .build();
        let audio = AppSrc::builder()
            .caps(
                &gst::Caps::builder("audio/x-opus")
                    .field("rate", 48_000i32)
                    .field("channels", 2i32)
                    .field("channel-mapping-family", 0i32)
                    .build(),
            )
            .is_live(true)
            .do_timestamp(true)
            .format(gst::Format::Time)
            .max_bytes(256 * 1024)
            .block(false)
            .build();
        let make = |name: &str| {
            gst::ElementFactory::make(name)
                .build()
                .map_err(|_| build(&format!("{name} is missing")))
        };
        let vqueue = gst::ElementFactory::make("queue")
            .property("max-size-buffers", 3u32)
            .property("max-size-time", 0u64)
            .property("max-size-bytes", 0u32)
            .property_from_str("leaky", "downstream")
            .build()
            .map_err(|_| build("queue"))?;
        let parse = make("h264parse")?;
        let dec = make("avdec_h264")?;
        // Slice threads, not frame threads: frame threading holds each picture back by a frame per
        // extra thread (33 ms at 30 fps) — latency a live call must not pay.
        if dec.find_property("thread-type").is_some() {
            dec.set_property_from_str("thread-type", "slice");
        }
        let vconv = make("videoconvert")?;
        let aqueue = make("queue")?;
        let adec = make("opusdec")?;
        let aconv = make("audioconvert")?;
        let aresample = make("audioresample")?;
        let asink = match audio_sink {
            Some(s) => s,
            None => gst::ElementFactory::make("autoaudiosink")
                .property("sync", false)
                .build()
                .map_err(|_| build("autoaudiosink is missing"))?,
        };
        if video_sink.find_property("async").is_some() {
            video_sink.set_property("async", false);
        }
        pipeline
            .add_many([video.upcast_ref(), &vqueue, &parse, &dec, &vconv, &video_sink])
            .map_err(|e| build(&e.to_string()))?;
        audio_pipeline
            .add_many([audio.upcast_ref(), &aqueue, &adec, &aconv, &aresample, &asink])
            .map_err(|e| build(&e.to_string()))?;
        gst::Element::link_many([video.upcast_ref(), &vqueue, &parse, &dec, &vconv, &video_sink])
            .map_err(|e| build(&format!("video: {e}")))?;
        gst::Element::link_many([audio.upcast_ref(), &aqueue, &adec, &aconv, &aresample, &asink])
            .map_err(|e| build(&format!("audio: {e}")))?;

        let stats = Arc::new(RemoteStats::default());
        if let Some(pad) = dec.static_pad("src") {
            let s = stats.clone();
            pad.add_probe(
                gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM,
                move |pad, info| {
                    match &info.data {
                        Some(gst::PadProbeData::Buffer(_)) => {
                            s.video_frames.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::Caps => {
                            if let Some(info) = pad
                                .current_caps()
                                .or_else(|| {
                                    if let gst::EventView::Caps(c) = e.view() {
                                        Some(c.caps_owned())
                                    } else {
                                        None
                                    }
                                })
                                .and_then(|c| gstreamer_video::VideoInfo::from_caps(&c).ok())
                            {
                                s.width.store(u64::from(info.width()), Ordering::Relaxed);
                                s.height.store(u64::from(info.height()), Ordering::Relaxed);
                            }
                        }
                        _ => {}
                    }
                    gst::PadProbeReturn::Ok
                },
            );
        }
        if let Some(pad) = adec.static_pad("src") {
            let s = stats.clone();
            pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                s.audio_frames.fetch_add(1, Ordering::Relaxed);
                gst::PadProbeReturn::Ok
            });
        }
        for p in [&pipeline, &audio_pipeline] {
            p.set_state(gst::State::Playing)
                .map_err(|e| MediaError::State(format!("the remote's decoder would not start: {e}")))?;
        }
        Ok(Self {
            pipeline,
            audio_pipeline,
            video,
            audio,
            seen_keyframe: AtomicBool::new(false),
            stats,
        })
    }

    /// One access unit from the remote. Frames before the first keyframe are dropped (the caller
    /// asks the remote for one); returns whether the frame went to the decoder.
    pub fn push_video(&self, data: &[u8], keyframe: bool) -> bool {
        if keyframe {
            self.seen_keyframe.store(true, Ordering::Relaxed);
        }
        if !self.seen_keyframe.load(Ordering::Relaxed) {
            return false;
        }
        self.video
            .push_buffer(gst::Buffer::from_slice(data.to_vec()))
            .is_ok()
    }

    /// The remote's video now comes from a new connection (its page was reloaded): drop frames until
    /// that stream's first keyframe, rather than decode its first pictures against the old stream's.
    pub fn new_source(&self) {
        self.seen_keyframe.store(false, Ordering::Relaxed);
    }

    /// One Opus packet from the remote.
    pub fn push_audio(&self, data: &[u8]) -> bool {
        self.audio
            .push_buffer(gst::Buffer::from_slice(data.to_vec()))
            .is_ok()
    }

    pub fn stats(&self) -> &RemoteStats {
        &self.stats
    }

    /// The decoded picture's size, once known.
    pub fn video_size(&self) -> Option<(u32, u32)> {
        let w = self.stats.width.load(Ordering::Relaxed) as u32;
        let h = self.stats.height.load(Ordering::Relaxed) as u32;
        (w > 0 && h > 0).then_some((w, h))
    }
}

impl Drop for RemoteMedia {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
        let _ = self.audio_pipeline.set_state(gst::State::Null);
    }
}
