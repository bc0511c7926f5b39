//! The camera pipeline on test sources: preview, branches added and removed while it runs, file
//! sources, hot-plug, and the faults a real camera produces.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atelier_media::{
    Camera, CameraEvent, CameraSource, EncoderBranch, FaultKind, Mode, ModeFormat, PreviewBranch,
    SamplerBranch, SourceConfig, StillFrame, default_presence,
};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

fn test_source() -> SourceConfig {
    SourceConfig {
        source: CameraSource::Test,
        mode: None,
        rotation_deg: 0,
    }
}

fn camera() -> (Camera, Receiver<CameraEvent>) {
    let (tx, rx) = sync_channel(256);
    let cam = Camera::new(default_presence(), move |e| {
        let _ = tx.try_send(e);
    })
    .unwrap();
    (cam, rx)
}

fn wait_for(
    rx: &Receiver<CameraEvent>,
    timeout: Duration,
    what: impl Fn(&CameraEvent) -> bool,
) -> Option<CameraEvent> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(e) if what(&e) => return Some(e),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
    None
}

fn appsink_preview(cam: &Camera, w: u32, h: u32, mirror: bool) -> gst_app::AppSink {
    cam.add_preview(
        &PreviewBranch {
            width_px: w,
            height_px: h,
            mirror,
        },
        "videoconvert ! video/x-raw,format=RGB ! appsink sync=false max-buffers=2 drop=true",
    )
    .unwrap()
    .downcast::<gst_app::AppSink>()
    .unwrap()
}

/// One RGB frame: (width, height, bytes).
fn pull(sink: &gst_app::AppSink) -> (u32, u32, Vec<u8>) {
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
fn preview_comes_out_at_the_screen_size_and_mirrored() {
    let frame = |mirror: bool| {
        let (cam, _rx) = camera();
        let sink = appsink_preview(&cam, 216, 384, mirror);
        cam.attach(test_source()).unwrap();
        pull(&sink)
    };
    let (w, h, plain) = frame(false);
    assert_eq!((w, h), (216, 384));
    let (_, _, mirrored) = frame(true);
    let stride = ((w * 3 + 3) & !3) as usize;
    let px = |d: &[u8], x: u32, y: usize| {
        let i = y * stride + x as usize * 3;
        [d[i], d[i + 1], d[i + 2]]
    };
    for x in [5u32, 40, 100] {
        assert_eq!(px(&mirrored, x, 20), px(&plain, w - 1 - x, 20), "column {x}");
    }
    assert_ne!(
        px(&plain, 5, 20),
        px(&plain, w - 6, 20),
        "the test pattern is not symmetric"
    );
}

#[test]
fn a_camera_turned_to_portrait_still_encodes() {
    // 1280×720 turned 90° is 720×1280; at 360 high it would be 202.5 wide, so the branch makes it
    // 202×360 (x264 refuses odd sides, which once broke calls on portrait-mounted cameras).
    let (cam, rx) = camera();
    cam.attach(SourceConfig {
        rotation_deg: 90,
        ..test_source()
    })
    .unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = frames.clone();
    cam.start_encoder(
        EncoderBranch {
            bitrate_kbps: 400,
            keyframe_interval: Duration::from_secs(2),
            max_height: 360,
        },
        move |f| sink.lock().unwrap().push(f),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while frames.lock().unwrap().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    cam.stop_encoder();
    assert!(
        frames.lock().unwrap().len() >= 5,
        "a turned camera's picture is encoded"
    );
    assert!(
        !std::iter::from_fn(|| rx.try_recv().ok()).any(|e| matches!(e, CameraEvent::Fault(_))),
        "no fault on the way"
    );
}

#[test]
fn the_encoder_branch_comes_and_goes_while_the_preview_runs() {
    let (cam, rx) = camera();
    let preview = appsink_preview(&cam, 108, 192, true);
    cam.attach(test_source()).unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    pull(&preview);

    for round in 0..2 {
        let frames = Arc::new(Mutex::new(Vec::new()));
        let sink = frames.clone();
        cam.start_encoder(
            EncoderBranch {
                bitrate_kbps: 800,
                keyframe_interval: Duration::from_secs(2),
                max_height: 360,
            },
            move |f| sink.lock().unwrap().push(f),
        )
        .unwrap();
        assert!(cam.encoding());
        let deadline = Instant::now() + Duration::from_secs(10);
        while frames.lock().unwrap().len() < 10 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        cam.set_encoder_bitrate(400);
        cam.force_keyframe();
        std::thread::sleep(Duration::from_millis(200));
        cam.stop_encoder();
        assert!(!cam.encoding());
        let frames = frames.lock().unwrap();
        assert!(
            frames.len() >= 10,
            "round {round}: {} frames encoded",
            frames.len()
        );
        let first = &frames[0];
        assert!(first.keyframe, "round {round}: the first frame is a keyframe");
        // Annex B byte stream with an SPS (NAL type 7) in the keyframe.
        assert!(
            first
                .data
                .windows(5)
                .any(|w| w[..4] == [0, 0, 0, 1] && w[4] & 0x1f == 7),
            "round {round}: SPS in the first keyframe"
        );
        // The preview never stopped.
        pull(&preview);
    }
}

#[test]
fn the_mirror_flip_changes_while_the_picture_runs() {
    let (cam, _rx) = camera();
    let sink = appsink_preview(&cam, 216, 384, true);
    cam.attach(test_source()).unwrap();
    let (w, _, mirrored) = pull(&sink);
    cam.set_mirror(false);
    // Frames already queued may still be flipped: wait for one that is not.
    let stride = ((w * 3 + 3) & !3) as usize;
    let px = |d: &[u8], x: u32| {
        let i = 20 * stride + x as usize * 3;
        [d[i], d[i + 1], d[i + 2]]
    };
    let plain = (0..30)
        .map(|_| pull(&sink).2)
        .find(|f| px(f, 5) == px(&mirrored, w - 1 - 5))
        .expect("an unflipped frame after set_mirror(false)");
    for x in [5u32, 40, 100] {
        assert_eq!(px(&mirrored, x), px(&plain, w - 1 - x), "column {x}");
    }
    cam.set_mirror(true);
    (0..30)
        .map(|_| pull(&sink).2)
        .find(|f| px(f, 5) == px(&mirrored, 5))
        .expect("flipped again after set_mirror(true)");
}

#[test]
fn a_held_preview_stops_drawing_and_comes_back() {
    let (cam, _rx) = camera();
    let sink = appsink_preview(&cam, 216, 384, true);
    cam.attach(test_source()).unwrap();
    pull(&sink);
    cam.hold_preview(true);
    // Frames already past the valve may still arrive; then nothing does.
    let mut got = 0;
    while sink.try_pull_sample(gst::ClockTime::from_mseconds(500)).is_some() {
        got += 1;
        assert!(got < 5, "frames keep coming while the preview is held");
    }
    cam.hold_preview(false);
    let (w, h, _) = pull(&sink);
    assert_eq!((w, h), (216, 384), "the picture comes back at its size");
}

#[test]
fn rotation_turns_the_camera_picture() {
    let (cam, rx) = camera();
    let sink = cam
        .add_preview(
            &PreviewBranch {
                width_px: 180,
                height_px: 320,
                mirror: false,
            },
            "appsink sync=false",
        )
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    cam.attach(SourceConfig {
        rotation_deg: 90,
        ..test_source()
    })
    .unwrap();
    // A 1280×720 landscape test camera turned 90° fills a portrait screen without cropping:
    // the crop element sees 720×1280 already at 9:16.
    let sample = sink.try_pull_sample(gst::ClockTime::from_seconds(10)).unwrap();
    let s = sample.caps().unwrap().structure(0).unwrap().to_owned();
    assert_eq!(
        (s.get::<i32>("width").unwrap(), s.get::<i32>("height").unwrap()),
        (180, 320)
    );
    // The kiosk hears the turned picture's size: strokes are placed on it (the call layer).
    let live = wait_for(&rx, Duration::from_secs(10), |e| {
        matches!(e, CameraEvent::Live { .. })
    });
    assert!(
        matches!(
            live,
            Some(CameraEvent::Live {
                width: 720,
                height: 1280
            })
        ),
        "{live:?}"
    );
}

fn write_clip(dir: &std::path::Path, frames: u32) -> std::path::PathBuf {
    atelier_media::init().unwrap();
    let path = dir.join("clip.mp4");
    let desc = format!(
        "videotestsrc num-buffers={frames} pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! x264enc speed-preset=ultrafast ! mp4mux ! filesink name=out"
    );
    let p = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    p.by_name("out")
        .unwrap()
        .set_property("location", path.to_str().unwrap());
    p.set_state(gst::State::Playing).unwrap();
    let bus = p.bus().unwrap();
    bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(30),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    )
    .unwrap();
    p.set_state(gst::State::Null).unwrap();
    path
}

#[test]
fn a_video_file_plays_in_real_time_and_loops() {
    let dir = tempfile::tempdir().unwrap();
    let clip = write_clip(dir.path(), 15); // half a second
    let (cam, rx) = camera();
    let _preview = appsink_preview(&cam, 90, 160, true);
    cam.attach(SourceConfig {
        source: CameraSource::File(clip.to_string_lossy().into_owned()),
        mode: None,
        rotation_deg: 0,
    })
    .unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    let t0 = Instant::now();
    let f0 = cam.frames();
    std::thread::sleep(Duration::from_millis(1600));
    let played = cam.frames() - f0;
    let secs = t0.elapsed().as_secs_f64();
    // Real time (≈30 fps, not as fast as it decodes) and past the clip's 15 frames: it looped.
    assert!(
        played > 20,
        "{played} frames in {secs:.1} s: the clip did not loop"
    );
    assert!(
        (played as f64) < secs * 40.0,
        "{played} frames in {secs:.1} s: not paced to real time"
    );
    assert!(cam.attached());
}

#[test]
fn an_unplugged_camera_is_reported_and_resumes_by_itself() {
    let present = Arc::new(AtomicBool::new(true));
    let p2 = present.clone();
    let (tx, rx) = sync_channel(256);
    let cam = Camera::new(
        Arc::new(move |_: &CameraSource| p2.load(Ordering::SeqCst)),
        move |e| {
            let _ = tx.try_send(e);
        },
    )
    .unwrap();
    let preview = appsink_preview(&cam, 90, 160, true);
    cam.attach(test_source()).unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    pull(&preview);

    // Unplugged: the source fails the way v4l2src does, and the device node is gone.
    present.store(false, Ordering::SeqCst);
    cam.simulate_unplug();
    let fault = wait_for(&rx, Duration::from_secs(5), |e| {
        matches!(e, CameraEvent::Fault(_))
    })
    .unwrap();
    let CameraEvent::Fault(fault) = fault else {
        unreachable!()
    };
    assert_eq!(fault.kind, FaultKind::Disconnected);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!cam.attached(), "no source while unplugged");
    let frames = cam.frames();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(cam.frames(), frames, "no frames while unplugged");

    // Plugged back: frames again within 2 s, with no call from the app.
    present.store(true, Ordering::SeqCst);
    let back = Instant::now();
    assert!(
        wait_for(&rx, Duration::from_secs(2), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    assert!(back.elapsed() < Duration::from_secs(2));
    pull(&preview);
}

#[test]
fn a_missing_device_is_a_clear_fault_not_a_crash() {
    let (cam, rx) = camera();
    cam.attach(SourceConfig {
        source: CameraSource::Device("/dev/video-not-here".into()),
        mode: None,
        rotation_deg: 0,
    })
    .unwrap();
    let Some(CameraEvent::Fault(f)) = wait_for(&rx, Duration::from_secs(5), |e| {
        matches!(e, CameraEvent::Fault(_))
    }) else {
        panic!("no fault reported");
    };
    assert_eq!(f.kind, FaultKind::NoDevice);
    assert!(f.message.contains("/dev/video-not-here"), "{}", f.message);
}

#[test]
fn unsupported_caps_and_bad_files_are_clear_faults() {
    // A camera asked for a mode it cannot give (the test source makes no JPEG).
    let (cam, rx) = camera();
    let _p = appsink_preview(&cam, 90, 160, true);
    // (Refused at once or at negotiation: either way a fault event says so.)
    let _ = cam.attach(SourceConfig {
        mode: Some(Mode {
            format: ModeFormat::Jpeg,
            width: 1280,
            height: 720,
            fps: 30,
        }),
        ..test_source()
    });
    let Some(CameraEvent::Fault(f)) = wait_for(&rx, Duration::from_secs(5), |e| {
        matches!(e, CameraEvent::Fault(_))
    }) else {
        panic!("no fault reported");
    };
    assert_eq!(f.kind, FaultKind::CapsNotSupported, "{f:?}");

    // A "video" that is not one.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("clip.mp4");
    std::fs::write(&junk, b"this is not a video").unwrap();
    let (cam, rx) = camera();
    let _p = appsink_preview(&cam, 90, 160, true);
    cam.attach(SourceConfig {
        source: CameraSource::File(junk.to_string_lossy().into_owned()),
        mode: None,
        rotation_deg: 0,
    })
    .unwrap();
    let Some(CameraEvent::Fault(f)) = wait_for(&rx, Duration::from_secs(5), |e| {
        matches!(e, CameraEvent::Fault(_))
    }) else {
        panic!("no fault reported");
    };
    assert_eq!(f.kind, FaultKind::BadFile, "{f:?}");
}

#[test]
fn the_flattering_light_changes_the_preview_and_switches_off() {
    let (cam, _rx) = camera();
    let sink = appsink_preview(&cam, 64, 64, false);
    cam.attach(test_source()).unwrap();
    let mean = |d: &[u8]| {
        let (mut r, mut b) = (0u64, 0u64);
        for px in d.chunks_exact(3) {
            r += px[0] as u64;
            b += px[2] as u64;
        }
        (r as f64 / (d.len() / 3) as f64, b as f64 / (d.len() / 3) as f64)
    };
    let settle = |sink: &gst_app::AppSink| {
        for _ in 0..8 {
            pull(sink);
        }
        pull(sink)
    };
    let (_, _, plain) = settle(&sink);
    cam.set_flattering(true);
    let (_, _, warm) = settle(&sink);
    cam.set_flattering(false);
    let (_, _, again) = settle(&sink);
    let (pr, pb) = mean(&plain);
    let (wr, wb) = mean(&warm);
    assert!(
        wr - wb > pr - pb + 3.0,
        "warmer: red−blue {:.1} → {:.1}",
        pr - pb,
        wr - wb
    );
    let (ar, ab) = mean(&again);
    assert!(
        (ar - pr).abs() < 0.5 && (ab - pb).abs() < 0.5,
        "off means untouched"
    );
}

fn astronaut() -> SourceConfig {
    SourceConfig {
        source: CameraSource::File(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/faces/astronaut.png").into(),
        ),
        mode: None,
        rotation_deg: 0,
    }
}

/// The sampler hands over packed RGB stills with the detector's face boxes on the same frame, at
/// its rate, and takes nothing once stopped.
#[test]
fn the_sampler_finds_the_face_in_a_real_photo_and_stops_when_told() {
    let (cam, rx) = camera();
    cam.attach(astronaut()).unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    let (tx, frames) = sync_channel::<StillFrame>(64);
    let started = Instant::now();
    cam.start_sampling(
        SamplerBranch {
            max_width: 960,
            fps: 5,
            detect_faces: true,
        },
        move |f| {
            let _ = tx.try_send(f);
        },
    )
    .unwrap();
    assert!(cam.sampling());
    let mut got = Vec::new();
    while got.len() < 4 {
        got.push(
            frames
                .recv_timeout(Duration::from_secs(10))
                .expect("a still within 10 s"),
        );
    }
    let took = started.elapsed();
    cam.stop_sampling();
    assert!(!cam.sampling());
    for f in &got {
        // A 512×512 picture is not scaled up.
        assert_eq!((f.width, f.height, f.rgb.len()), (512, 512, 512 * 512 * 3));
        let face = f.faces.first().expect("the astronaut's face is found");
        // Her face is at about (175, 64) and 97 px wide in the original.
        assert!(
            (150..=200).contains(&face.x) && (40..=90).contains(&face.y),
            "face box {face:?}"
        );
        assert!((80..=130).contains(&face.width), "face box {face:?}");
    }
    // Five a second: four frames take at least 0.6 s.
    assert!(took >= Duration::from_millis(550), "4 stills in {took:?}");
    while frames.try_recv().is_ok() {}
    std::thread::sleep(Duration::from_millis(500));
    assert!(frames.try_recv().is_err(), "a frame arrived after stop_sampling");
}

/// Without the detector the sampler scales large frames down to its width and keeps the aspect.
#[test]
fn the_sampler_scales_down_and_keeps_the_aspect() {
    let (cam, rx) = camera();
    cam.attach(test_source()).unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    let (tx, frames) = sync_channel::<StillFrame>(4);
    cam.start_sampling(
        SamplerBranch {
            max_width: 640,
            fps: 10,
            detect_faces: false,
        },
        move |f| {
            let _ = tx.try_send(f);
        },
    )
    .unwrap();
    let f = frames.recv_timeout(Duration::from_secs(10)).unwrap();
    cam.stop_sampling();
    assert!(f.faces.is_empty());
    assert_eq!(f.rgb.len(), f.width as usize * f.height as usize * 3);
    let aspect = f.width as f64 / f.height as f64;
    assert!(
        f.width <= 640 && (aspect - 16.0 / 9.0).abs() < 0.02,
        "{}×{}",
        f.width,
        f.height
    );
}

/// The real face photo gives a stable reading: frame after frame exactly the same, and at three
/// sizes (the detector's box and the sampled pixels change with each) colours within 1.5 ΔE of
/// each other and the same undertone. The photo's skin (L* ≈ 67) lies on the border between
/// Monk 5 and 6, so the shade may name either at different sizes, never anything further.
#[test]
fn the_astronaut_reads_the_same_every_frame_and_at_every_size() {
    use atelier_domain::colour::delta_e_2000;
    use atelier_domain::frame::{PixelRect, RgbFrame};
    use atelier_domain::skin::SkinOptions;
    use atelier_domain::skin::face::analyse_faces;

    let (cam, rx) = camera();
    cam.attach(astronaut()).unwrap();
    assert!(
        wait_for(&rx, Duration::from_secs(10), |e| matches!(
            e,
            CameraEvent::Live { .. }
        ))
        .is_some()
    );
    let mut readings = Vec::new();
    for width in [512u32, 400, 320] {
        let (tx, frames) = sync_channel::<StillFrame>(8);
        cam.start_sampling(
            SamplerBranch {
                max_width: width,
                fps: 10,
                detect_faces: true,
            },
            move |f| {
                let _ = tx.try_send(f);
            },
        )
        .unwrap();
        for _ in 0..3 {
            let f = frames.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(f.width, width);
            let face = f.faces.first().copied().expect("a face at every size");
            let frame = RgbFrame::new(f.width, f.height, &f.rgb).unwrap();
            let rect = PixelRect {
                x: face.x,
                y: face.y,
                width: face.width,
                height: face.height,
            };
            let a = analyse_faces(&[(frame, rect)], &SkinOptions::default()).unwrap();
            if let Some(prev) = readings.last().filter(|r: &&(u32, u8, _, _)| r.0 == width) {
                assert_eq!(prev.2, a.skin, "the same picture reads the same");
            }
            readings.push((width, a.monk, a.skin, a.undertone));
        }
        cam.stop_sampling();
    }
    let (_, monk, skin, undertone) = readings[0];
    for (width, m, s, u) in &readings {
        let de = delta_e_2000(*s, skin);
        assert!(
            m.abs_diff(monk) <= 1 && (5..=6).contains(m),
            "{width} px: MST {m} ({readings:?})"
        );
        assert_eq!(*u, undertone, "{width} px: {readings:?}");
        assert!(
            de < 1.5,
            "{width} px: ΔE {de:.2} from the first reading ({readings:?})"
        );
    }
}
