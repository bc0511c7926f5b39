//! The mirror's camera in the kiosk: one `atelier_media::Camera` pipeline whose preview is a native
//! video layer under the transparent webview, whose analysis branch reads garment tags, and which
//! follows the camera being unplugged and plugged back.
//!
//! GStreamer's `gtksink` draws into a GTK widget; we put that widget in a `gtk::Overlay` beneath
//! the webview and make the webview's background transparent, so the HTML draws on top and the
//! picture shows through wherever the page is transparent. Measured (NOTES.md): ~3.5x cheaper than
//! drawing frames into a canvas, and no local socket or URI scheme carries frames at all. Frames
//! never leave this process and never touch the disk; snapshots stay in memory for the session.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atelier_media::{
    Camera, CameraEvent, CameraSource, DeviceChange, DeviceWatch, FaultKind, ModePreference, PreviewBranch,
    SourceConfig, default_presence,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, WebviewWindow};
use ts_rs::TS;

use crate::ipc::events;
use crate::state::{Kiosk, lock};

/// The camera as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CameraState {
    /// No camera in use (a two-way mirror, or none configured).
    Off,
    Starting,
    /// Frames are on screen.
    Live,
    /// The camera went away (unplugged, busy); the kiosk looks for it again by itself.
    Disconnected,
    /// The camera cannot work as configured (wrong caps, no permission, missing plugin).
    Unavailable,
}

/// A camera problem, for the admin screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CameraFaultView {
    /// `noDevice`, `busy`, `permissionDenied`, `capsNotSupported`, `disconnected`, `badFile`, `other`.
    pub kind: String,
    pub element: String,
    pub message: String,
}

/// The camera's state and source, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CameraView {
    pub state: CameraState,
    /// `test`, `file:…`, or the device path.
    pub source: String,
    /// The last fault, until frames flow again.
    pub fault: Option<CameraFaultView>,
    /// The flattering light is on.
    pub flattering: bool,
    /// Video is being encoded for a call: it leaves the device.
    pub video_leaving: bool,
    /// The picture's size after the mounting rotation, once frames flow: what a call's remotes
    /// see and draw on, and what the mirror crops from.
    pub picture: Option<PictureSize>,
}

/// A picture's size in square pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PictureSize {
    pub width: u32,
    pub height: u32,
}

impl CameraView {
    pub fn off() -> Self {
        CameraView {
            state: CameraState::Off,
            source: String::new(),
            fault: None,
            flattering: false,
            video_leaving: false,
            picture: None,
        }
    }
}

/// Frames drawn and camera → screen latency, measured where the widget draws (see `bench-camera`).
#[derive(Default)]
pub struct DrawStats {
    pub drawn: AtomicU64,
    /// Latencies in microseconds since the last report.
    pub latencies_us: Mutex<Vec<u64>>,
}

/// The running camera, kept alive with the app.
#[derive(Default)]
pub struct CameraSlot {
    pub camera: Mutex<Option<Arc<Camera>>>,
    pub sink: Mutex<Option<gstreamer::Element>>,
    pub watch: Mutex<Option<DeviceWatch>>,
    pub stats: Arc<DrawStats>,
    /// The preview's size on screen in pixels (what part of the picture the mirror shows).
    pub view_px: Mutex<(u32, u32)>,
    /// The source the mirror shows now (as configured, or previewed on the admin screen).
    pub source: Mutex<Option<CameraSource>>,
}

/// A camera the admin screen offers.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CameraChoice {
    /// What goes into `[camera] source`.
    pub source: String,
    /// The device's own name, or empty for `auto` and `test` (the UI names those).
    pub name: String,
}

/// The cameras to choose from: `auto`, each camera the device monitor finds, the test pattern,
/// and the source in use when it is none of those (the demo's clip, a file). Blocking (the
/// device monitor takes ~100 ms).
pub fn choices(app: &AppHandle) -> Vec<CameraChoice> {
    let mut out = vec![CameraChoice {
        source: "auto".into(),
        name: String::new(),
    }];
    for d in atelier_media::devices::discover().unwrap_or_default() {
        if let Some(path) = d.path {
            out.push(CameraChoice {
                source: path,
                name: d.name,
            });
        }
    }
    out.push(CameraChoice {
        source: "test".into(),
        name: String::new(),
    });
    let current = lock(&app.state::<CameraSlot>().source)
        .as_ref()
        .map(ToString::to_string);
    if let Some(current) = current
        && !out.iter().any(|c| c.source == current)
    {
        let name = current.rsplit('/').next().unwrap_or_default().to_owned();
        out.push(CameraChoice {
            source: current,
            name,
        });
    }
    out
}

/// Shows `source` on the mirror in place of the running one (`auto`: the first camera found),
/// turned by `rotation_deg`. False when the mirror has no camera picture (a two-way mirror).
pub fn switch_source(app: &AppHandle, source: CameraSource, rotation_deg: u16) -> bool {
    let Some(cam) = lock(&app.state::<CameraSlot>().camera).clone() else {
        return false;
    };
    tracing::info!(%source, rotation_deg, "camera source switched");
    let label = source.to_string();
    *lock(&app.state::<CameraSlot>().source) = Some(source.clone());
    update(app, |v| {
        v.state = CameraState::Starting;
        v.source = label;
        v.fault = None;
    });
    match resolve(source) {
        Some(resolved) => {
            let _ = cam.attach(source_config(resolved, rotation_deg));
        }
        None => {
            cam.detach();
            no_camera(app);
        }
    }
    true
}

/// `auto` found no camera: the mirror says so (and attaches the first one plugged in).
fn no_camera(app: &AppHandle) {
    update(app, |v| {
        v.state = CameraState::Disconnected;
        v.fault = Some(CameraFaultView {
            kind: "noDevice".into(),
            element: "camera".into(),
            message: "no camera is connected".into(),
        });
    });
}

/// The source the mirror shows now, if it has a camera picture.
pub fn current_source(app: &AppHandle) -> Option<CameraSource> {
    lock(&app.state::<CameraSlot>().source).clone()
}

/// Flips the mirror's picture left–right, or not, while it runs.
pub fn set_mirror(app: &AppHandle, on: bool) {
    if let Some(c) = lock(&app.state::<CameraSlot>().camera).as_ref() {
        c.set_mirror(on);
    }
}

/// Resolves `auto` to the first camera the device monitor finds (or a /dev/video node).
pub fn resolve(source: CameraSource) -> Option<CameraSource> {
    match source {
        CameraSource::Auto => atelier_media::devices::discover()
            .ok()
            .and_then(|found| found.into_iter().find_map(|d| d.path))
            .or_else(|| {
                (0..8)
                    .map(|i| format!("/dev/video{i}"))
                    .find(|p| std::path::Path::new(p).exists())
            })
            .map(CameraSource::Device),
        other => Some(other),
    }
}

fn update(app: &AppHandle, f: impl FnOnce(&mut CameraView)) {
    let view = {
        let kiosk = app.state::<Kiosk>();
        let mut v = lock(&kiosk.camera);
        f(&mut v);
        v.clone()
    };
    if let Err(e) = app.emit(events::CAMERA, &view) {
        tracing::warn!(error = %e, "could not emit the camera state");
    }
}

fn source_config(source: CameraSource, rotation_deg: u16) -> SourceConfig {
    // A real device: ask it for its best mode (1080p30 or the closest), from its own caps.
    let mode = match &source {
        CameraSource::Device(path) => atelier_media::devices::discover()
            .ok()
            .and_then(|found| {
                found
                    .into_iter()
                    .find(|d| d.path.as_deref() == Some(path.as_str()))
            })
            .and_then(|d| atelier_media::devices::choose_mode(&d.modes, ModePreference::default())),
        _ => None,
    };
    SourceConfig {
        source,
        mode,
        rotation_deg,
    }
}

/// Starts the camera under the kiosk window's webview. `source` is `None` when `auto` found no
/// camera yet: the pipeline waits and attaches the first camera plugged in.
pub fn start(
    app: &AppHandle,
    window: &WebviewWindow,
    source: Option<CameraSource>,
    width_px: u32,
    height_px: u32,
) {
    let label = source
        .as_ref()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "auto".into());
    update(app, |v| {
        v.state = CameraState::Starting;
        v.source = label.clone();
    });
    let events_app = app.clone();
    let camera = match Camera::new(default_presence(), move |event| on_event(&events_app, event)) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tracing::error!(error = %e, "the camera pipeline could not be built");
            update(app, |v| {
                v.state = CameraState::Unavailable;
                v.fault = Some(CameraFaultView {
                    kind: "other".into(),
                    element: "pipeline".into(),
                    message: e.to_string(),
                });
            });
            return;
        }
    };
    if let Err(e) = camera.add_analysis(Some((width_px, height_px))) {
        // The mirror still works; only tag scanning is missing.
        tracing::error!(error = %e, "garment tags cannot be scanned");
    }
    let slot = app.state::<CameraSlot>();
    *lock(&slot.camera) = Some(camera.clone());
    *lock(&slot.view_px) = (width_px, height_px);
    *lock(&slot.source) = Some(source.clone().unwrap_or(CameraSource::Auto));

    // The preview's gtksink is made and its widget placed on the main thread *before* it joins
    // the running pipeline: an unplaced gtksink opens a window of its own.
    let app2 = app.clone();
    let stats = slot.stats.clone();
    let cam_for_view = camera.clone();
    let branch = PreviewBranch {
        width_px,
        height_px,
        mirror: app.state::<Kiosk>().config().display.mirror_flip,
    };
    let attached = window.with_webview(move |platform_webview| {
        let sink = match gstreamer::ElementFactory::make("gtksink")
            .property("sync", false)
            .build()
        {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "gtksink is missing (apt gstreamer1.0-gtk3)");
                update(&app2, |v| v.state = CameraState::Unavailable);
                return;
            }
        };
        if let Err(e) =
            linux::place_under_webview(&platform_webview.inner(), &sink, cam_for_view.clone(), stats)
        {
            tracing::error!(error = %e, "could not place the video layer");
            update(&app2, |v| v.state = CameraState::Unavailable);
            return;
        }
        if let Err(e) = cam_for_view.add_preview_element(&branch, sink.clone()) {
            tracing::error!(error = %e, "camera preview unavailable");
            update(&app2, |v| v.state = CameraState::Unavailable);
            return;
        }
        *lock(&app2.state::<CameraSlot>().sink) = Some(sink);
    });
    if let Err(e) = attached {
        tracing::error!(error = %e, "could not reach the webview for the video layer");
    }

    // How the camera is mounted (not how the screen is: the page turns itself for that).
    let rotation = app.state::<Kiosk>().config().camera.rotation_deg;
    if let Some(source) = source {
        let _ = camera.attach(source_config(source, rotation));
    } else {
        no_camera(app);
    }
    // Hot-plug: a camera plugged in is attached (for `auto`) or retried at once.
    let watch_cam = camera.clone();
    let watch_app = app.clone();
    match DeviceWatch::start(move |change| {
        if let DeviceChange::Added(d) = change {
            tracing::info!(name = %d.name, path = ?d.path, "camera plugged in");
            // As set now: the admin screen may have changed the source since the start.
            let auto = current_source(&watch_app) == Some(CameraSource::Auto);
            if auto && !watch_cam.attached() {
                if let Some(path) = d.path {
                    let rotation = watch_app.state::<Kiosk>().config().camera.rotation_deg;
                    let _ = watch_cam.attach(source_config(CameraSource::Device(path), rotation));
                }
            } else {
                watch_cam.device_added();
            }
        } else if let DeviceChange::Removed(d) = change {
            tracing::info!(name = %d.name, "camera unplugged");
        }
    }) {
        Ok(w) => *lock(&slot.watch) = Some(w),
        Err(e) => tracing::warn!(error = %e, "hot-plug is not watched (retrying on faults still works)"),
    }
}

fn on_event(app: &AppHandle, event: CameraEvent) {
    match event {
        CameraEvent::Live { width, height } => update(app, |v| {
            v.state = CameraState::Live;
            v.fault = None;
            v.picture = (width > 0 && height > 0).then_some(PictureSize { width, height });
        }),
        CameraEvent::Fault(f) => {
            tracing::warn!(kind = ?f.kind, element = %f.element, message = %f.message, "camera fault");
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "other".into());
            update(app, |v| {
                v.state = if f.kind.is_transient() || f.kind == FaultKind::BadFile {
                    CameraState::Disconnected
                } else {
                    CameraState::Unavailable
                };
                v.fault = Some(CameraFaultView {
                    kind,
                    element: f.element,
                    message: f.message,
                });
            });
        }
        CameraEvent::Motion(_) => crate::power::motion(app),
        CameraEvent::Tag(_) if !app.state::<Kiosk>().config().features.tag_scan => {}
        CameraEvent::Tag(tag) => {
            let lag = tag
                .captured_at
                .and_then(|at| {
                    let slot = app.state::<CameraSlot>();
                    let now = lock(&slot.camera).as_ref().and_then(|c| c.running_time())?;
                    now.checked_sub(at)
                })
                .unwrap_or_default();
            let captured = Instant::now().checked_sub(lag).unwrap_or_else(Instant::now);
            crate::tags::scanned(app, &tag.code, crate::tags::Via::Camera, captured);
        }
    }
}

/// Switches the flattering light.
pub fn set_flattering(app: &AppHandle, on: bool) {
    if let Some(c) = lock(&app.state::<CameraSlot>().camera).as_ref() {
        c.set_flattering(on);
    }
    update(app, |v| v.flattering = on);
}

/// The frame on screen now, as a JPEG (for a snapshot the shopper asked for).
pub fn snapshot_jpeg(app: &AppHandle) -> Result<Vec<u8>, String> {
    use gstreamer::prelude::*;
    use gstreamer_video::prelude::*;
    let sink = lock(&app.state::<CameraSlot>().sink)
        .clone()
        .ok_or("the camera is not running")?;
    let sample = sink
        .property::<Option<gstreamer::Sample>>("last-sample")
        .ok_or("no frame yet")?;
    let caps = sample.caps().ok_or("a frame without caps")?;
    let info = gstreamer_video::VideoInfo::from_caps(caps).map_err(|e| e.to_string())?;
    let buffer = sample.buffer().ok_or("a sample without a frame")?;
    let frame =
        gstreamer_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).map_err(|e| e.to_string())?;
    let (w, h) = (info.width() as usize, info.height() as usize);
    let stride = frame.plane_stride()[0].max(0) as usize;
    let data = frame.plane_data(0).map_err(|e| e.to_string())?;
    use gstreamer_video::VideoFormat as F;
    let order: [usize; 3] = match info.format() {
        F::Bgrx | F::Bgra => [2, 1, 0],
        F::Rgbx | F::Rgba => [0, 1, 2],
        F::Xrgb | F::Argb => [1, 2, 3],
        F::Xbgr | F::Abgr => [3, 2, 1],
        other => return Err(format!("cannot snapshot {other:?} frames")),
    };
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let row = data
            .get(y * stride..y * stride + w * 4)
            .ok_or("a frame shorter than its caps")?;
        for px in row.chunks_exact(4) {
            rgb.extend_from_slice(&[px[order[0]], px[order[1]], px[order[2]]]);
        }
    }
    let img = image::RgbImage::from_raw(w as u32, h as u32, rgb).ok_or("bad frame size")?;
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Whether video leaves the device now (the call's encoder runs), for the live indicator.
pub fn set_video_leaving(app: &AppHandle, leaving: bool) {
    let same = lock(&app.state::<Kiosk>().camera).video_leaving == leaving;
    if !same {
        update(app, |v| v.video_leaving = leaving);
    }
}

/// A sink for a remote's video, drawn in a tile over the mirror at `rect` (fractions of the window),
/// under the page. Without a video layer (a two-way mirror, or GTK unavailable) frames are decoded
/// and dropped.
pub fn remote_tile_sink(app: &AppHandle, id: u64, rect: crate::call::TileRect) -> gstreamer::Element {
    let fallback = || {
        gstreamer::ElementFactory::make("fakesink")
            .property("sync", false)
            .build()
            .or_else(|_| gstreamer::ElementFactory::make("fakesink").build())
    };
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let placed = app.run_on_main_thread(move || {
        let sink = gstreamer::ElementFactory::make("gtksink")
            .property("sync", false)
            .build()
            .map_err(|e| e.to_string())
            .and_then(|sink| linux::place_tile(id, &sink, rect).map(|()| sink));
        let _ = tx.send(sink);
    });
    let sink = placed
        .map_err(|e| e.to_string())
        .and_then(|()| rx.recv_timeout(Duration::from_secs(3)).map_err(|e| e.to_string()))
        .and_then(|r| r);
    match sink {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "no tile for the remote's video; decoding without showing it");
            match fallback() {
                Ok(f) => f,
                Err(_) => {
                    use gstreamer::prelude::Cast;
                    gstreamer::Bin::new().upcast()
                }
            }
        }
    }
}

/// Shows or hides the mirror's picture (hidden while the screen sleeps). A hidden picture is also
/// held at the preview's entrance: nobody sees it, so no frame is scaled or drawn (tags and calls
/// run on).
pub fn set_video_visible(app: &AppHandle, visible: bool) {
    let _ = app.run_on_main_thread(move || linux::set_video_visible(visible));
    let camera = lock(&app.state::<CameraSlot>().camera).clone();
    if let Some(camera) = camera {
        camera.hold_preview(!visible);
    }
}

/// Takes a remote's tile off the screen.
pub fn remove_remote_tile(app: &AppHandle, id: u64) {
    let _ = app.run_on_main_thread(move || linux::remove_tile(id));
}

/// Reports frames drawn, camera → screen latency and CPU time every 5 s as a log line, when
/// `ATELIER_CAMERA_STATS=1` (read by `bench-camera`).
pub fn spawn_stats_reporter(app: AppHandle) {
    if std::env::var_os("ATELIER_CAMERA_STATS").is_none() {
        return;
    }
    let stats = app.state::<CameraSlot>().stats.clone();
    std::thread::spawn(move || {
        let mut last = stats.drawn.load(Ordering::Relaxed);
        loop {
            std::thread::sleep(Duration::from_secs(5));
            let drawn = stats.drawn.load(Ordering::Relaxed);
            let mut lat = std::mem::take(&mut *stats.latencies_us.lock().unwrap_or_else(|p| p.into_inner()));
            lat.sort_unstable();
            let pct = |p: f64| {
                lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
                    .copied()
                    .unwrap_or(0)
            };
            tracing::info!(
                target: "camera_stats",
                fps = (drawn - last) as f64 / 5.0,
                latency_p50_us = pct(0.5),
                latency_p95_us = pct(0.95),
                "camera stats"
            );
            last = drawn;
        }
    });
}

#[cfg(target_os = "linux")]
mod linux {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use atelier_media::Camera;
    use gstreamer::prelude::ObjectExt;
    use gtk::prelude::*;

    use super::DrawStats;

    thread_local! {
        /// The overlay holding the mirror's picture and the page (main thread only).
        static OVERLAY: std::cell::RefCell<Option<gtk::Overlay>> = const { std::cell::RefCell::new(None) };
        /// The mirror's own picture.
        static VIDEO: std::cell::RefCell<Option<gtk::Widget>> = const { std::cell::RefCell::new(None) };
        /// Remote video tiles by id.
        static TILES: std::cell::RefCell<Vec<(u64, gtk::Widget, gtk::gdk::Rectangle)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }

    /// The GTK widget of a gtksink, crossing from GStreamer's glib bindings to Tauri's.
    fn sink_widget(sink: &gstreamer::Element) -> gtk::Widget {
        let widget_obj: gstreamer::glib::Object = sink.property("widget");
        let raw = gstreamer::glib::object::ObjectType::as_ptr(&widget_obj) as *mut gtk::ffi::GtkWidget;
        #[allow(unsafe_code)]
        // SAFETY: `raw` is a live GtkWidget owned by the sink (we hold a reference through
        // `widget_obj`); from_glib_none takes its own reference, so it outlives `widget_obj`.
        unsafe {
            gtk::glib::translate::from_glib_none(raw)
        }
    }

    /// Puts a remote's video tile over the mirror's picture and under the page. Main thread only.
    pub fn place_tile(id: u64, sink: &gstreamer::Element, rect: crate::call::TileRect) -> Result<(), String> {
        let overlay = OVERLAY
            .with(|o| o.borrow().clone())
            .ok_or("there is no video layer")?;
        let widget = sink_widget(sink);
        let (w, h) = (
            overlay.allocated_width().max(1) as f32,
            overlay.allocated_height().max(1) as f32,
        );
        // Exactly the page's frame: the overlay asks `get-child-position` (see `place_under_webview`);
        // margins and a size request alone let the sink grow to its video's natural size.
        let at = gtk::gdk::Rectangle::new(
            (rect.x * w) as i32,
            (rect.y * h) as i32,
            (rect.w * w) as i32,
            (rect.h * h) as i32,
        );
        widget.set_size_request(at.width(), at.height());
        TILES.with(|t| t.borrow_mut().push((id, widget.clone(), at)));
        overlay.add_overlay(&widget);
        // Below the page: the page draws the tile's frame and name around it.
        overlay.reorder_overlay(&widget, 0);
        overlay.set_overlay_pass_through(&widget, true);
        widget.show();
        Ok(())
    }

    /// Shows or hides the mirror's picture. Main thread only.
    pub fn set_video_visible(visible: bool) {
        VIDEO.with(|v| {
            if let Some(w) = v.borrow().as_ref() {
                w.set_visible(visible);
            }
        });
    }

    /// Removes a remote's tile. Main thread only.
    pub fn remove_tile(id: u64) {
        let removed: Vec<gtk::Widget> = TILES.with(|t| {
            let mut t = t.borrow_mut();
            let (gone, kept): (Vec<_>, Vec<_>) = t.drain(..).partition(|(i, _, _)| *i == id);
            *t = kept;
            gone.into_iter().map(|(_, w, _)| w).collect()
        });
        OVERLAY.with(|o| {
            if let Some(overlay) = o.borrow().as_ref() {
                for w in removed {
                    overlay.remove(&w);
                }
            }
        });
    }

    /// Moves the webview into a `gtk::Overlay` above the sink's widget. Main thread only.
    pub fn place_under_webview(
        webview: &webkit2gtk::WebView,
        sink: &gstreamer::Element,
        camera: Arc<Camera>,
        stats: Arc<DrawStats>,
    ) -> Result<(), String> {
        use webkit2gtk::WebViewExt;

        // gtksink's widget is a GtkWidget made by GStreamer's copy of the glib bindings (0.22);
        // Tauri's GTK bindings are 0.18. Both wrap the same C object: cross by raw pointer.
        let widget_obj: gstreamer::glib::Object = sink.property("widget");
        let raw = gstreamer::glib::object::ObjectType::as_ptr(&widget_obj) as *mut gtk::ffi::GtkWidget;
        #[allow(unsafe_code)]
        // SAFETY: `raw` is a live GtkWidget owned by the sink (we hold a reference through
        // `widget_obj`); from_glib_none takes its own reference, so it outlives `widget_obj`.
        let video: gtk::Widget = unsafe { gtk::glib::translate::from_glib_none(raw) };

        // Where frames are drawn: count them and read their capture stamp (the buffer's running
        // time) against the pipeline's clock now.
        let sink_for_draw = sink.clone();
        let last_pts = std::cell::Cell::new(None);
        video.connect_draw(move |_, _| {
            let sample = sink_for_draw.property::<Option<gstreamer::Sample>>("last-sample");
            if let Some(pts) = sample.as_ref().and_then(|s| s.buffer()).and_then(|b| b.pts())
                && last_pts.get() != Some(pts)
            {
                last_pts.set(Some(pts));
                stats.drawn.fetch_add(1, Ordering::Relaxed);
                let segment = sample.as_ref().and_then(|s| s.segment().cloned());
                let running = segment
                    .and_then(|seg| seg.downcast::<gstreamer::format::Time>().ok())
                    .and_then(|seg| seg.to_running_time(pts));
                if let (Some(running), Some(now)) = (running, camera.running_time()) {
                    let lag = now.saturating_sub(Duration::from_nanos(running.nseconds()));
                    let mut l = stats.latencies_us.lock().unwrap_or_else(|p| p.into_inner());
                    if l.len() < 10_000 {
                        l.push(lag.as_micros() as u64);
                    }
                }
            }
            gtk::glib::Propagation::Proceed
        });

        let parent = webview.parent().ok_or("the webview has no parent container")?;
        let container = parent
            .downcast::<gtk::Container>()
            .map_err(|_| "the webview's parent is not a container")?;
        container.remove(webview);

        let overlay = gtk::Overlay::new();
        // Remote tiles sit exactly where the page drew their frames.
        overlay.connect_get_child_position(|_, child| {
            TILES.with(|t| {
                t.borrow()
                    .iter()
                    .find(|(_, w, _)| w == child)
                    .map(|(_, _, at)| *at)
            })
        });
        overlay.add(&video);
        overlay.add_overlay(webview);
        OVERLAY.with(|o| *o.borrow_mut() = Some(overlay.clone()));
        VIDEO.with(|v| *v.borrow_mut() = Some(video.clone()));
        webview.set_background_color(&gtk::gdk::RGBA::new(0.0, 0.0, 0.0, 0.0));
        if let Ok(vbox) = container.clone().downcast::<gtk::Box>() {
            vbox.pack_start(&overlay, true, true, 0);
        } else {
            container.add(&overlay);
        }
        overlay.show_all();
        Ok(())
    }
}
