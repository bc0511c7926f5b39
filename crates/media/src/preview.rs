//! The mirrored camera preview: source → mirror → crop to the screen's aspect → scale to the
//! screen's exact size (so the X server never scales) → sink.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use gstreamer as gst;
use gstreamer::prelude::*;

use crate::{CameraSource, MediaError};

/// What the preview pipeline is built for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewConfig {
    pub source: CameraSource,
    /// The size of the area the picture fills, in pixels.
    pub width_px: u32,
    pub height_px: u32,
    pub fps: u32,
    /// Flip left-right, like a mirror. Always on for shoppers; off only in tests.
    pub mirror: bool,
}

/// Something the pipeline reported.
#[derive(Debug)]
pub enum PreviewEvent {
    /// Frames flow.
    Playing,
    /// The pipeline failed (camera unplugged, device busy, …).
    Failed(MediaError),
    /// The source ended.
    Ended,
}

impl PreviewConfig {
    /// The GStreamer pipeline description. `sink` is the sink element's description, named `sink`.
    pub fn describe(&self, sink: &str) -> Result<String, MediaError> {
        let (w, h) = (self.width_px.max(2), self.height_px.max(2));
        let fps = self.fps.clamp(1, 60);
        let source = match &self.source {
            // A live test source at a camera's usual size, so cropping and scaling do real work.
            CameraSource::Test => {
                format!(
                    "videotestsrc is-live=true pattern=smpte ! video/x-raw,width=1280,height=720,framerate={fps}/1"
                )
            }
            CameraSource::Device(path) => {
                format!("v4l2src device={path} ! decodebin ! videorate ! video/x-raw,framerate={fps}/1")
            }
            CameraSource::Auto => {
                return Err(MediaError::Build(
                    "no camera chosen: resolve `auto` to a device first".into(),
                ));
            }
        };
        let mirror = if self.mirror {
            " ! videoflip video-direction=horiz"
        } else {
            ""
        };
        Ok(format!(
            "{source}{mirror} ! aspectratiocrop aspect-ratio={w}/{h} ! videoscale ! videoconvert \
             ! video/x-raw,width={w},height={h},pixel-aspect-ratio=1/1 \
             ! queue leaky=downstream max-size-buffers=1 ! {sink}"
        ))
    }
}

/// A built preview pipeline.
pub struct Preview {
    pipeline: gst::Pipeline,
    sink: gst::Element,
    stop_watch: Arc<AtomicBool>,
    watch: Option<JoinHandle<()>>,
}

impl Preview {
    /// Builds the pipeline with the given sink description (e.g. `gtksink name=sink sync=false`).
    pub fn build(config: &PreviewConfig, sink: &str) -> Result<Self, MediaError> {
        crate::init()?;
        let desc = config.describe(sink)?;
        tracing::debug!(pipeline = %desc, "building preview");
        let element = gst::parse::launch(&desc).map_err(|e| MediaError::Build(e.to_string()))?;
        let pipeline = element
            .downcast::<gst::Pipeline>()
            .map_err(|_| MediaError::Build("the description did not make a pipeline".into()))?;
        let sink = pipeline
            .by_name("sink")
            .ok_or_else(|| MediaError::Build("no element named `sink`".into()))?;
        Ok(Self {
            pipeline,
            sink,
            stop_watch: Arc::new(AtomicBool::new(false)),
            watch: None,
        })
    }

    /// The sink element (the kiosk reads `gtksink`'s widget from it).
    pub fn sink(&self) -> &gst::Element {
        &self.sink
    }

    /// Starts the flow and reports what happens to `on_event`, from a watcher thread.
    pub fn start(&mut self, on_event: impl Fn(PreviewEvent) + Send + 'static) -> Result<(), MediaError> {
        let bus = self
            .pipeline
            .bus()
            .ok_or_else(|| MediaError::State("pipeline without a bus".into()))?;
        let stop = self.stop_watch.clone();
        let pipeline = self.pipeline.downgrade();
        self.watch = Some(
            std::thread::Builder::new()
                .name("preview-bus".into())
                .spawn(move || {
                    use gst::MessageView;
                    while !stop.load(Ordering::Relaxed) {
                        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(250)) else {
                            continue;
                        };
                        match msg.view() {
                            MessageView::Error(err) => {
                                let element = msg
                                    .src()
                                    .map(|s| s.name().to_string())
                                    .unwrap_or_else(|| "pipeline".into());
                                on_event(PreviewEvent::Failed(MediaError::Stream {
                                    element,
                                    message: err.error().to_string(),
                                    debug: err.debug().map(|d| d.to_string()),
                                }));
                            }
                            MessageView::Eos(_) => on_event(PreviewEvent::Ended),
                            MessageView::StateChanged(s) => {
                                let from_pipeline = pipeline
                                    .upgrade()
                                    .is_some_and(|p| msg.src() == Some(p.upcast_ref()));
                                if from_pipeline && s.current() == gst::State::Playing {
                                    on_event(PreviewEvent::Playing);
                                }
                            }
                            _ => {}
                        }
                    }
                })
                .map_err(|e| MediaError::State(e.to_string()))?,
        );
        self.pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| MediaError::State(e.to_string()))?;
        Ok(())
    }

    /// Stops the flow and releases the camera.
    pub fn stop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
        self.stop_watch.store(true, Ordering::Relaxed);
        if let Some(w) = self.watch.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use gstreamer_app as gst_app;

    use super::*;

    fn config(mirror: bool) -> PreviewConfig {
        PreviewConfig {
            source: CameraSource::Test,
            width_px: 216,
            height_px: 384,
            fps: 30,
            mirror,
        }
    }

    /// One RGB frame from the preview, through an appsink.
    fn frame(mirror: bool) -> (u32, u32, Vec<u8>) {
        let mut p = Preview::build(
            &config(mirror),
            "video/x-raw,format=RGB ! appsink name=sink sync=false",
        )
        .unwrap();
        let sink = p.sink().clone().downcast::<gst_app::AppSink>().unwrap();
        p.start(|_| {}).unwrap();
        let sample = sink
            .try_pull_sample(gst::ClockTime::from_seconds(10))
            .expect("a frame within 10 s");
        let caps = sample.caps().unwrap().structure(0).unwrap().to_owned();
        let (w, h) = (
            caps.get::<i32>("width").unwrap() as u32,
            caps.get::<i32>("height").unwrap() as u32,
        );
        let map = sample.buffer().unwrap().map_readable().unwrap();
        (w, h, map.as_slice().to_vec())
    }

    #[test]
    fn frames_come_out_at_the_screen_size() {
        let (w, h, data) = frame(true);
        assert_eq!((w, h), (216, 384));
        assert!(data.len() >= (w * h * 3) as usize);
    }

    #[test]
    fn the_picture_is_mirrored() {
        let (w, _, plain) = frame(false);
        let (_, _, mirrored) = frame(true);
        // RGB rows are padded to 4 bytes.
        let stride = ((w * 3 + 3) & !3) as usize;
        let px = |d: &[u8], x: u32, y: usize| {
            let i = y * stride + x as usize * 3;
            [d[i], d[i + 1], d[i + 2]]
        };
        let y = 20;
        for x in [5u32, 40, 100] {
            assert_eq!(px(&mirrored, x, y), px(&plain, w - 1 - x, y), "column {x}");
        }
        assert_ne!(
            px(&plain, 5, y),
            px(&plain, w - 6, y),
            "the test pattern is not symmetric"
        );
    }

    #[test]
    fn auto_must_be_resolved_first() {
        let mut c = config(true);
        c.source = CameraSource::Auto;
        assert!(matches!(
            c.describe("fakesink name=sink"),
            Err(MediaError::Build(_))
        ));
    }

    #[test]
    fn a_missing_device_is_reported_not_fatal() {
        let mut c = config(true);
        c.source = CameraSource::Device("/dev/video-does-not-exist".into());
        let mut p = Preview::build(&c, "fakesink name=sink").unwrap();
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let started = p.start(move |e| {
            let _ = tx.try_send(format!("{e:?}"));
        });
        // Either the state change fails at once or the bus reports it.
        if started.is_ok() {
            let ev = rx
                .recv_timeout(std::time::Duration::from_secs(5))
                .expect("an event");
            assert!(ev.contains("Failed"), "{ev}");
        }
    }
}
