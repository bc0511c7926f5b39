//! The mirror view: the camera preview as a native video layer under the transparent webview.
//!
//! GStreamer's `gtksink` draws into a GTK widget; we put that widget in a `gtk::Overlay` beneath
//! the webview and make the webview's background transparent, so the HTML draws on top and the
//! picture shows through wherever the page is transparent. Measured (NOTES.md): ~3.5x cheaper than
//! drawing frames into a canvas. Frames never leave this process and never touch the disk.

use std::sync::Mutex;

use atelier_media::{CameraSource, Preview, PreviewConfig, PreviewEvent};
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
    /// No camera found, or it failed; the kiosk runs without the picture.
    Unavailable,
}

/// The camera's state and source, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CameraView {
    pub state: CameraState,
    /// `test`, or the device path.
    pub source: String,
}

/// The running preview, kept alive with the app.
#[derive(Default)]
pub struct CameraSlot(pub Mutex<Option<Preview>>);

/// Resolves `auto` to a device, if the machine has one.
pub fn resolve(source: CameraSource) -> Option<CameraSource> {
    match source {
        CameraSource::Auto => (0..8)
            .map(|i| format!("/dev/video{i}"))
            .find(|p| std::path::Path::new(p).exists())
            .map(CameraSource::Device),
        other => Some(other),
    }
}

fn publish(app: &AppHandle, view: CameraView) {
    *lock(&app.state::<Kiosk>().camera) = view.clone();
    if let Err(e) = app.emit(events::CAMERA, &view) {
        tracing::warn!(error = %e, "could not emit the camera state");
    }
}

/// Starts the preview under the kiosk window's webview.
pub fn start(app: &AppHandle, window: &WebviewWindow, source: CameraSource, width_px: u32, height_px: u32) {
    let Some(source) = resolve(source) else {
        tracing::warn!("no camera found; the mirror runs without a picture");
        publish(
            app,
            CameraView {
                state: CameraState::Unavailable,
                source: "auto".into(),
            },
        );
        return;
    };
    let label = source.to_string();
    publish(
        app,
        CameraView {
            state: CameraState::Starting,
            source: label.clone(),
        },
    );
    let config = PreviewConfig {
        source,
        width_px,
        height_px,
        fps: 30,
        mirror: true,
    };
    let mut preview = match Preview::build(&config, "gtksink name=sink sync=false") {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "camera preview unavailable");
            publish(
                app,
                CameraView {
                    state: CameraState::Unavailable,
                    source: label,
                },
            );
            return;
        }
    };
    let sink = preview.sink().clone();
    let app2 = app.clone();
    let attached = window.with_webview(move |platform_webview| {
        if let Err(e) = linux::place_under_webview(&platform_webview.inner(), &sink) {
            tracing::error!(error = %e, "could not place the video layer");
            publish(
                &app2,
                CameraView {
                    state: CameraState::Unavailable,
                    source: label.clone(),
                },
            );
            return;
        }
        let events_app = app2.clone();
        let events_label = label.clone();
        let started = preview.start(move |event| match event {
            PreviewEvent::Playing => publish(
                &events_app,
                CameraView {
                    state: CameraState::Live,
                    source: events_label.clone(),
                },
            ),
            PreviewEvent::Failed(e) => {
                tracing::error!(error = %e, "camera failed");
                publish(
                    &events_app,
                    CameraView {
                        state: CameraState::Unavailable,
                        source: events_label.clone(),
                    },
                );
            }
            PreviewEvent::Ended => publish(
                &events_app,
                CameraView {
                    state: CameraState::Unavailable,
                    source: events_label.clone(),
                },
            ),
        });
        if let Err(e) = started {
            tracing::error!(error = %e, "camera would not start");
            publish(
                &app2,
                CameraView {
                    state: CameraState::Unavailable,
                    source: label,
                },
            );
            return;
        }
        *lock(&app2.state::<CameraSlot>().0) = Some(preview);
    });
    if let Err(e) = attached {
        tracing::error!(error = %e, "could not reach the webview for the video layer");
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use gstreamer::prelude::ObjectExt;
    use gtk::prelude::*;

    /// Moves the webview into a `gtk::Overlay` above the sink's widget. Main thread only.
    pub fn place_under_webview(
        webview: &webkit2gtk::WebView,
        sink: &gstreamer::Element,
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

        let parent = webview.parent().ok_or("the webview has no parent container")?;
        let container = parent
            .downcast::<gtk::Container>()
            .map_err(|_| "the webview's parent is not a container")?;
        container.remove(webview);

        let overlay = gtk::Overlay::new();
        overlay.add(&video);
        overlay.add_overlay(webview);
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
