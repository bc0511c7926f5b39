//! The call's own media: the microphone encoded to Opus, and a remote's H.264 and Opus decoded.
//! Real GStreamer throughout: the camera's encoder branch (test source) stands in for the remote's
//! video, the test-tone microphone for its audio.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atelier_media::{
    Camera, CameraEvent, CameraSource, EncoderBranch, MicSource, Microphone, RemoteMedia, SourceConfig,
    default_presence,
};
use gstreamer as gst;

fn wait(deadline: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

#[test]
fn the_microphone_encodes_opus_and_mute_stops_it() {
    let packets = Arc::new(Mutex::new(Vec::new()));
    let sink = packets.clone();
    let mic = Microphone::start(&MicSource::Test, move |p| sink.lock().unwrap().push(p)).unwrap();
    assert!(
        wait(Duration::from_secs(10), || mic.packets() >= 10),
        "{} packets",
        mic.packets()
    );
    {
        let p = packets.lock().unwrap();
        assert!(p.iter().all(|p| !p.data.is_empty() && p.data.len() < 400));
        let durations: Vec<_> = p.iter().map(|p| p.duration.as_micros()).collect();
        assert!(
            p.iter().skip(1).all(|p| p.duration == Duration::from_millis(20)),
            "20 ms packets: {durations:?}"
        );
    }
    mic.set_muted(true);
    std::thread::sleep(Duration::from_millis(100));
    let at_mute = mic.packets();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(mic.packets(), at_mute, "nothing leaves while muted");
    mic.set_muted(false);
    assert!(wait(Duration::from_secs(5), || mic.packets() > at_mute + 5));
}

#[test]
fn a_remotes_video_and_audio_decode_and_a_new_connection_starts_at_its_keyframe() {
    atelier_media::init().unwrap();
    let (tx, rx) = std::sync::mpsc::sync_channel(256);
    let cam = Camera::new(default_presence(), move |e| {
        let _ = tx.try_send(e);
    })
    .unwrap();
    cam.attach(SourceConfig {
        source: CameraSource::Test,
        mode: None,
        rotation_deg: 0,
    })
    .unwrap();
    let live = rx
        .recv_timeout(Duration::from_secs(10))
        .map(|e| matches!(e, CameraEvent::Live { .. }));
    assert!(matches!(live, Ok(true)), "camera live: {live:?}");

    let fakesink = gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .build()
        .unwrap();
    let audio_sink = gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .build()
        .unwrap();
    let remote = Arc::new(RemoteMedia::new(fakesink, Some(audio_sink)).unwrap());

    // Video from before the first keyframe is dropped; everything after decodes.
    let r = remote.clone();
    cam.start_encoder(
        EncoderBranch {
            bitrate_kbps: 600,
            keyframe_interval: Duration::from_secs(1),
            max_height: 360,
        },
        move |f| {
            r.push_video(&f.data, f.keyframe);
        },
    )
    .unwrap();
    let r = remote.clone();
    let mic = Microphone::start(&MicSource::Test, move |p| {
        r.push_audio(&p.data);
    })
    .unwrap();

    assert!(
        wait(Duration::from_secs(15), || {
            remote
                .stats()
                .video_frames
                .load(std::sync::atomic::Ordering::Relaxed)
                >= 10
                && remote
                    .stats()
                    .audio_frames
                    .load(std::sync::atomic::Ordering::Relaxed)
                    >= 10
        }),
        "decoded: {:?}",
        remote.stats()
    );
    let (w, h) = remote.video_size().expect("a size");
    assert_eq!(h, 360, "{w}x{h}");
    // Garbage is not a crash: the decoder drops it and goes on.
    remote.push_video(&[0, 0, 0, 1, 0x65, 0xff, 0x00, 0x12], false);
    remote.push_audio(&[0xff; 7]);
    let before = remote
        .stats()
        .video_frames
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(wait(Duration::from_secs(5), || {
        remote
            .stats()
            .video_frames
            .load(std::sync::atomic::Ordering::Relaxed)
            > before + 5
    }));

    // The remote's page reloads: a new connection brings a new stream, here a smaller one. Nothing
    // of it decodes before its first keyframe; then it decodes at its own size.
    cam.stop_encoder();
    remote.new_source();
    assert!(
        !remote.push_video(&[0, 0, 0, 1, 0x41, 0x9a, 0x00, 0x12], false),
        "a frame before the new stream's keyframe is dropped"
    );
    let r = remote.clone();
    cam.start_encoder(
        EncoderBranch {
            bitrate_kbps: 400,
            keyframe_interval: Duration::from_secs(1),
            max_height: 240,
        },
        move |f| {
            r.push_video(&f.data, f.keyframe);
        },
    )
    .unwrap();
    let before = remote
        .stats()
        .video_frames
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        wait(Duration::from_secs(15), || {
            remote.video_size().is_some_and(|(_, h)| h == 240)
                && remote
                    .stats()
                    .video_frames
                    .load(std::sync::atomic::Ordering::Relaxed)
                    > before + 5
        }),
        "the new stream decodes: {:?}, {:?}",
        remote.video_size(),
        remote.stats()
    );
    cam.stop_encoder();
    drop(mic);
}
