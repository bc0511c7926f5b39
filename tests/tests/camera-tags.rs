//! Garment-tag recognition by zbar on generated images: QR, EAN-13 and Code-128 at several sizes
//! and blur levels, through the same analysis settings the kiosk's camera uses (a 960-pixel-wide
//! grey frame), and one tag read end to end through the camera pipeline from an image file.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::sync::mpsc::sync_channel;
use std::time::Duration;

use atelier_media::{
    Camera, CameraEvent, CameraSource, PreviewBranch, SourceConfig, Symbology, default_presence,
};
use atelier_tests::tag_image::{Kind, on_frame, render};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

/// Runs zbar over one grey frame; returns what it read.
fn scan(frame: &image::GrayImage) -> Vec<(String, String)> {
    atelier_media::init().unwrap();
    let pipeline = gst::parse::launch(
        "appsrc name=src format=time ! videoconvert ! video/x-raw,format=I420 ! zbar cache=false ! fakesink sync=false",
    )
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let src = pipeline
        .by_name("src")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "GRAY8")
        .field("width", frame.width() as i32)
        .field("height", frame.height() as i32)
        .field("framerate", gst::Fraction::new(15, 1))
        .build();
    src.set_caps(Some(&caps));
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut buffer = gst::Buffer::from_slice(frame.as_raw().clone());
    buffer.get_mut().unwrap().set_pts(gst::ClockTime::ZERO);
    src.push_buffer(buffer).unwrap();
    src.end_of_stream().unwrap();
    let bus = pipeline.bus().unwrap();
    let mut found = Vec::new();
    while let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(10)) {
        match msg.view() {
            gst::MessageView::Element(e) => {
                if let Some(s) = e.structure()
                    && s.name() == "barcode"
                {
                    found.push((
                        s.get::<String>("type").unwrap(),
                        s.get::<String>("symbol").unwrap(),
                    ));
                }
            }
            gst::MessageView::Eos(_) | gst::MessageView::Error(_) => break,
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    found
}

/// A tag the size it appears at on the analysis frame, held at arm's length.
fn frame_with(kind: Kind, code: &str, module_px: u32, blur: f32) -> image::GrayImage {
    let tag = render(kind, code, module_px).unwrap();
    assert!(
        tag.width() <= 900 && tag.height() <= 500,
        "{kind:?} at {module_px}px does not fit the frame"
    );
    on_frame(
        &tag,
        960,
        540,
        (960 - tag.width()) / 2,
        (540 - tag.height()) / 2,
        blur,
    )
}

#[test]
fn reads_qr_ean13_and_code128_at_sizes_and_blur_levels() {
    let cases = [
        (Kind::Qr, "AT-W0007-NVY-M", "QR-Code"),
        (Kind::Ean13, "2000000000077", "EAN-13"),
        (Kind::Code128, "W0007-NVY-M", "CODE-128"),
    ];
    let mut table = Vec::new();
    for (kind, code, zbar_type) in cases {
        for module_px in [2u32, 3, 4] {
            for blur in [0.0f32, 0.8, 1.5] {
                let found = scan(&frame_with(kind, code, module_px, blur));
                let ok = found.iter().any(|(t, s)| t == zbar_type && s == code);
                table.push(format!(
                    "{kind:?} {module_px}px blur {blur}: {}",
                    if ok { "read" } else { "missed" }
                ));
                // Every tag with modules of 3 px or more must read up to moderate blur; the finest
                // (2 px modules, about 12 cm away from a 720p camera at arm's length) must read sharp.
                let must = module_px >= 3 || blur == 0.0;
                assert!(
                    !must || ok,
                    "{kind:?} at {module_px}px, blur {blur} not read; saw {found:?}"
                );
                // Never a wrong code.
                assert!(found.iter().all(|(_, s)| s == code), "misread: {found:?}");
            }
        }
    }
    eprintln!("{}", table.join("\n"));
}

#[test]
fn a_frame_without_a_tag_reads_nothing() {
    let blank = image::GrayImage::from_pixel(960, 540, image::Luma([118]));
    assert!(scan(&blank).is_empty());
}

#[test]
fn the_camera_reports_a_tag_once_while_it_stays_in_view() {
    let dir = tempfile::tempdir().unwrap();
    let tag = render(Kind::Qr, "AT-W0001-BLK-S", 8).unwrap();
    let frame = on_frame(&tag, 1280, 720, 500, 150, 0.0);
    let path = dir.path().join("tag.png");
    frame.save(&path).unwrap();

    let (tx, rx) = sync_channel(64);
    let cam = Camera::new(default_presence(), move |e| {
        let _ = tx.try_send(e);
    })
    .unwrap();
    cam.add_analysis(None).unwrap();
    let _sink = cam
        .add_preview(
            &PreviewBranch {
                width_px: 90,
                height_px: 160,
                mirror: true,
            },
            "fakesink sync=false",
        )
        .unwrap();
    // A still image as the camera: decoded once per loop, so the tag stays in view.
    cam.attach(SourceConfig {
        source: CameraSource::File(path.to_string_lossy().into_owned()),
        mode: None,
        rotation_deg: 0,
    })
    .unwrap();
    let mut tags = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(4);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        if let Ok(CameraEvent::Tag(t)) = rx.recv_timeout(left) {
            tags.push(t);
        }
    }
    assert!(
        cam.frames() > 5,
        "the still image kept looping: {} frames",
        cam.frames()
    );
    assert_eq!(tags.len(), 1, "one read while in view: {tags:?}");
    assert_eq!(tags[0].code, "AT-W0001-BLK-S");
    assert_eq!(tags[0].symbology, Symbology::Qr);
}
