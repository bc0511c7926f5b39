//! Someone in front of the mirror wakes the screen: motion is read on the analysis branch.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

use atelier_media::{Camera, CameraEvent, CameraSource, SourceConfig, default_presence};

fn camera(source: CameraSource) -> (Camera, Receiver<CameraEvent>) {
    let (tx, rx) = sync_channel(256);
    let cam = Camera::new(default_presence(), move |e| {
        let _ = tx.try_send(e);
    })
    .unwrap();
    cam.add_analysis(Some((1080, 1920))).unwrap();
    cam.attach(SourceConfig {
        source,
        mode: None,
        rotation_deg: 0,
    })
    .unwrap();
    (cam, rx)
}

fn motions(rx: &Receiver<CameraEvent>, window: Duration) -> Vec<f32> {
    let end = Instant::now() + window;
    let mut found = Vec::new();
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(CameraEvent::Motion(share)) => found.push(share),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    found
}

#[test]
fn the_test_pattern_is_still_and_the_demo_clip_moves() {
    // The test pattern does not move: no motion, however long.
    let (still, rx) = camera(CameraSource::Test);
    let seen = motions(&rx, Duration::from_secs(3));
    assert!(seen.is_empty(), "motion in a still picture: {seen:?}");
    drop(still);

    // The demo clip: a figure walks in and holds up tags.
    let clip =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-clip/fitting-room.mp4");
    let (moving, rx) = camera(CameraSource::File(clip.to_string_lossy().into_owned()));
    let seen = motions(&rx, Duration::from_secs(8));
    assert!(!seen.is_empty(), "no motion in the demo clip");
    assert!(seen.len() <= 9, "at most one a second: {seen:?}");
    drop(moving);
}
