//! Finding cameras with GStreamer's `DeviceMonitor` (V4L2, PipeWire, libcamera: whatever providers
//! this machine has), choosing a capture mode from a device's caps, and watching for hot-plug.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use gstreamer as gst;
use gstreamer::prelude::*;
use serde::Serialize;

use crate::MediaError;

/// How frames come out of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ModeFormat {
    /// Uncompressed (YUYV, NV12, …): no decoding, but USB 2 limits its size and rate.
    Raw,
    /// Motion JPEG: needs decoding, reaches higher sizes and rates on USB 2.
    Jpeg,
}

/// One capture mode a device offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mode {
    pub format: ModeFormat,
    pub width: u32,
    pub height: u32,
    /// The highest frame rate of this size and format, frames per second (rounded down).
    pub fps: u32,
}

impl Mode {
    /// The caps a capsfilter after the source uses to ask for this mode.
    pub fn caps(&self) -> gst::Caps {
        let name = match self.format {
            ModeFormat::Raw => "video/x-raw",
            ModeFormat::Jpeg => "image/jpeg",
        };
        gst::Caps::builder(name)
            .field("width", self.width as i32)
            .field("height", self.height as i32)
            .field("framerate", gst::Fraction::new(self.fps as i32, 1))
            .build()
    }
}

/// A camera the monitor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CameraDevice {
    /// The name the driver gives, e.g. "Logitech BRIO".
    pub name: String,
    /// The V4L2 node when known (`/dev/video0`): what settings and profiles refer to.
    pub path: Option<String>,
    /// Which provider found it: `v4l2`, `pipewire`, `libcamera`, …
    pub api: String,
    pub modes: Vec<Mode>,
}

/// Reads the capture modes out of a device's caps (ranges and lists of rates are reduced to their
/// highest rate; odd structures are skipped).
pub fn modes_from_caps(caps: &gst::CapsRef) -> Vec<Mode> {
    let mut out: Vec<Mode> = Vec::new();
    for s in caps.iter() {
        let format = match s.name().as_str() {
            "video/x-raw" => ModeFormat::Raw,
            "image/jpeg" => ModeFormat::Jpeg,
            _ => continue,
        };
        let (Ok(width), Ok(height)) = (s.get::<i32>("width"), s.get::<i32>("height")) else {
            continue;
        };
        let Some(fps) = max_rate(s) else { continue };
        if width <= 0 || height <= 0 || fps == 0 {
            continue;
        }
        let mode = Mode {
            format,
            width: width as u32,
            height: height as u32,
            fps,
        };
        match out
            .iter_mut()
            .find(|m| m.format == mode.format && m.width == mode.width && m.height == mode.height)
        {
            Some(m) => m.fps = m.fps.max(mode.fps),
            None => out.push(mode),
        }
    }
    out
}

fn max_rate(s: &gst::StructureRef) -> Option<u32> {
    let fps = |f: gst::Fraction| {
        if f.denom() > 0 && f.numer() >= 0 {
            Some((f.numer() / f.denom()) as u32)
        } else {
            None
        }
    };
    if let Ok(f) = s.get::<gst::Fraction>("framerate") {
        return fps(f);
    }
    if let Ok(list) = s.get::<gst::List>("framerate") {
        return list
            .iter()
            .filter_map(|v| v.get::<gst::Fraction>().ok())
            .filter_map(fps)
            .max();
    }
    if let Ok(range) = s.get::<gst::FractionRange>("framerate") {
        return fps(range.max());
    }
    None
}

/// What the settings or the hardware profile prefer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModePreference {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fps: Option<u32>,
}

/// Chooses the capture mode: the preferred size and rate when offered; otherwise the largest mode
/// up to 1920×1080 that reaches 30 fps (a mirror needs motion more than pixels), raw before JPEG
/// at the same size (no decoding cost); otherwise the fastest mode.
pub fn choose_mode(modes: &[Mode], pref: ModePreference) -> Option<Mode> {
    let wanted_fps = pref.fps.unwrap_or(30);
    if let (Some(w), Some(h)) = (pref.width, pref.height) {
        let exact = modes
            .iter()
            .filter(|m| m.width == w && m.height == h && m.fps >= wanted_fps)
            .min_by_key(|m| m.format);
        if let Some(m) = exact {
            return Some(Mode {
                fps: wanted_fps,
                ..*m
            });
        }
    }
    let good = modes
        .iter()
        .filter(|m| m.fps >= wanted_fps && m.width <= 1920 && m.height <= 1920)
        .max_by(|a, b| {
            (a.width * a.height)
                .cmp(&(b.width * b.height))
                .then(b.format.cmp(&a.format))
        });
    if let Some(m) = good {
        return Some(Mode {
            fps: wanted_fps,
            ..*m
        });
    }
    modes
        .iter()
        .max_by(|a, b| {
            a.fps
                .cmp(&b.fps)
                .then((a.width * a.height).cmp(&(b.width * b.height)))
        })
        .copied()
}

fn device_info(device: &gst::Device) -> CameraDevice {
    let props = device.properties();
    let prop = |key: &str| props.as_ref().and_then(|p| p.get::<String>(key).ok());
    let path = prop("api.v4l2.path")
        .or_else(|| prop("device.path"))
        .or_else(|| prop("object.path").filter(|p| p.starts_with("/dev/")));
    let api = prop("device.api").unwrap_or_else(|| {
        let class = device.device_class().to_string();
        if class.contains("Pipewire") || prop("object.serial").is_some() {
            "pipewire".into()
        } else {
            "unknown".into()
        }
    });
    CameraDevice {
        name: device.display_name().to_string(),
        path,
        api,
        modes: device.caps().map(|c| modes_from_caps(&c)).unwrap_or_default(),
    }
}

/// Lists the cameras present now.
pub fn discover() -> Result<Vec<CameraDevice>, MediaError> {
    crate::init()?;
    let monitor = gst::DeviceMonitor::new();
    let _ = monitor.add_filter(Some("Video/Source"), None);
    monitor
        .start()
        .map_err(|e| MediaError::State(format!("the device monitor would not start: {e}")))?;
    let mut found: Vec<CameraDevice> = monitor.devices().iter().map(device_info).collect();
    monitor.stop();
    // The same camera can come through V4L2 and PipeWire: keep one entry per device node.
    found.sort_by(|a, b| a.path.cmp(&b.path).then(a.api.cmp(&b.api)));
    found.dedup_by(|a, b| a.path.is_some() && a.path == b.path);
    Ok(found)
}

/// Which side of the sound card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioClass {
    /// `Audio/Source`: microphones (and a sound server's monitors of its outputs).
    Microphone,
    /// `Audio/Sink`: speakers and headphone outputs.
    Speaker,
}

/// The names of the microphones or speakers present now, sorted and without repeats (ALSA, PulseAudio
/// and PipeWire can each list the same card). As root without a sound server, only ALSA cards show.
pub fn discover_audio(class: AudioClass) -> Result<Vec<String>, MediaError> {
    crate::init()?;
    let monitor = gst::DeviceMonitor::new();
    let filter = match class {
        AudioClass::Microphone => "Audio/Source",
        AudioClass::Speaker => "Audio/Sink",
    };
    let _ = monitor.add_filter(Some(filter), None);
    monitor
        .start()
        .map_err(|e| MediaError::State(format!("the device monitor would not start: {e}")))?;
    let mut names: Vec<String> = monitor
        .devices()
        .iter()
        .map(|d| d.display_name().to_string())
        .collect();
    monitor.stop();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The USB `vendor:product` id of a V4L2 node (`/dev/video0`, or a symlink to one), from sysfs;
/// `None` for a camera that is not USB or a node that is not there.
pub fn usb_id(device_path: &str) -> Option<String> {
    let node = std::fs::canonicalize(device_path).ok()?;
    let name = node.file_name()?.to_str()?;
    // .../video4linux/videoN/device is the USB interface; its parent holds the device's ids.
    let usb = std::path::Path::new("/sys/class/video4linux")
        .join(name)
        .join("device/..");
    let read = |f: &str| {
        std::fs::read_to_string(usb.join(f))
            .ok()
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_hexdigit()))
    };
    Some(format!("{}:{}", read("idVendor")?, read("idProduct")?))
}

/// A camera appeared or went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceChange {
    Added(CameraDevice),
    Removed(CameraDevice),
}

/// Watches for cameras being plugged in and out until dropped.
pub struct DeviceWatch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    monitor: gst::DeviceMonitor,
}

impl DeviceWatch {
    /// Starts watching; `on_change` is called from the watcher's thread.
    pub fn start(on_change: impl Fn(DeviceChange) + Send + 'static) -> Result<Self, MediaError> {
        crate::init()?;
        let monitor = gst::DeviceMonitor::new();
        let _ = monitor.add_filter(Some("Video/Source"), None);
        let bus = monitor.bus();
        monitor
            .start()
            .map_err(|e| MediaError::State(format!("the device monitor would not start: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("camera-hotplug".into())
            .spawn(move || {
                while !stop2.load(Ordering::Relaxed) {
                    let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(200)) else {
                        continue;
                    };
                    match msg.view() {
                        gst::MessageView::DeviceAdded(m) => {
                            on_change(DeviceChange::Added(device_info(&m.device())))
                        }
                        gst::MessageView::DeviceRemoved(m) => {
                            on_change(DeviceChange::Removed(device_info(&m.device())))
                        }
                        _ => {}
                    }
                }
            })
            .map_err(|e| MediaError::State(e.to_string()))?;
        Ok(Self {
            stop,
            thread: Some(thread),
            monitor,
        })
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.monitor.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(s: &str) -> gst::Caps {
        crate::init().unwrap();
        s.parse().unwrap()
    }

    fn mode(format: ModeFormat, width: u32, height: u32, fps: u32) -> Mode {
        Mode {
            format,
            width,
            height,
            fps,
        }
    }

    /// The caps a typical USB 2 webcam reports: raw is slow above 640×480, MJPEG is fast.
    const WEBCAM: &str = "video/x-raw, format=YUY2, width=640, height=480, framerate={ 30/1, 15/1 }; \
        video/x-raw, format=YUY2, width=1280, height=720, framerate=10/1; \
        video/x-raw, format=YUY2, width=1920, height=1080, framerate=5/1; \
        image/jpeg, width=1280, height=720, framerate={ 30/1, 60/1 }; \
        image/jpeg, width=1920, height=1080, framerate=30/1; \
        image/jpeg, width=3840, height=2160, framerate=[ 5/1, 30/1 ]";

    #[test]
    fn reads_modes_with_lists_and_ranges() {
        let modes = modes_from_caps(&caps(WEBCAM));
        assert!(modes.contains(&mode(ModeFormat::Raw, 640, 480, 30)));
        assert!(modes.contains(&mode(ModeFormat::Jpeg, 1280, 720, 60)));
        assert!(modes.contains(&mode(ModeFormat::Jpeg, 3840, 2160, 30)));
        assert_eq!(modes.len(), 6);
    }

    #[test]
    fn prefers_1080p30_over_slow_raw_and_heavy_4k() {
        let modes = modes_from_caps(&caps(WEBCAM));
        let m = choose_mode(&modes, ModePreference::default()).unwrap();
        assert_eq!(m, mode(ModeFormat::Jpeg, 1920, 1080, 30));
    }

    #[test]
    fn honours_the_profile_when_the_device_offers_it() {
        let modes = modes_from_caps(&caps(WEBCAM));
        let pref = ModePreference {
            width: Some(1280),
            height: Some(720),
            fps: Some(30),
        };
        assert_eq!(
            choose_mode(&modes, pref).unwrap(),
            mode(ModeFormat::Jpeg, 1280, 720, 30)
        );
        // Not offered: fall back to the rule instead of failing.
        let pref = ModePreference {
            width: Some(1024),
            height: Some(768),
            fps: Some(30),
        };
        assert_eq!(choose_mode(&modes, pref).unwrap().height, 1080);
    }

    #[test]
    fn raw_wins_at_equal_size() {
        let modes = [
            mode(ModeFormat::Jpeg, 1280, 720, 30),
            mode(ModeFormat::Raw, 1280, 720, 30),
        ];
        assert_eq!(
            choose_mode(&modes, ModePreference::default()).unwrap().format,
            ModeFormat::Raw
        );
    }

    #[test]
    fn a_slow_camera_still_gets_its_fastest_mode() {
        let modes = [
            mode(ModeFormat::Raw, 640, 480, 15),
            mode(ModeFormat::Raw, 320, 240, 25),
        ];
        assert_eq!(choose_mode(&modes, ModePreference::default()).unwrap().fps, 25);
        assert_eq!(choose_mode(&[], ModePreference::default()), None);
    }

    #[test]
    fn audio_discovery_answers_on_any_machine() {
        // No sound card is fine; failing to ask is not.
        for class in [AudioClass::Microphone, AudioClass::Speaker] {
            let names = discover_audio(class).unwrap();
            assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        }
        assert_eq!(usb_id("/dev/video-that-is-not-there"), None);
    }

    #[test]
    fn discovery_runs_without_a_camera() {
        // This machine may have no camera at all: discovery must answer, not fail.
        let found = discover().unwrap();
        for d in found {
            assert!(!d.name.is_empty());
        }
    }
}
