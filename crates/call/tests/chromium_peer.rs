//! The kiosk's WebRTC peer against headless Chromium as the remote, all real: the camera pipeline
//! on its test source encodes H.264 (x264) through the encoder branch, GStreamer encodes Opus from
//! a test tone, and Chromium (driven by playwright-core, `tests/browser/remote-peer.mjs`) answers
//! with its fake camera and microphone. Signaling runs over the node script's stdin/stdout.
//!
//! Checks: connected; the browser decodes the kiosk's video and receives its audio; the kiosk
//! receives the browser's video frames and audio; a board round trip; an oversized board message
//! dropped while the channel goes on; an ICE restart with the video still flowing. Prints the
//! offer→connected time, the first decoded frame after connecting and the board round trip.
//!
//! Needs `node`/`npm` and `/usr/bin/chromium` (or `CHROMIUM_PATH`); fails, never skips, without.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use atelier_call::peer::{PeerStats, WriteOutcome};
use atelier_call::{KioskPeer, MediaKind, PeerConfig, PeerHandlers, PeerState, VideoFanout};
use bytes::Bytes;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use serde_json::{Value, json};
use tokio::sync::mpsc;

const STEP: Duration = Duration::from_secs(20);
/// Board round trips measured (the median is reported).
const PINGS: usize = 51;

mod common;

use common::{
    NodeBrowser, Script, encode_into, init_tracing, install_playwright, ms, require_tools, test_camera,
};

/// The browser: `remote-peer.mjs`, its candidates apart.
async fn start_browser(chromium: &Path) -> NodeBrowser {
    let script = Script {
        file: "remote-peer.mjs",
        who: "browser",
        step: STEP,
        split_candidates: true,
        check: |v| {
            if v["type"] == "error" {
                panic!("the browser failed: {}", v["message"]);
            }
        },
    };
    NodeBrowser::start(script, chromium).await
}

// ---------------------------------------------------------------------------------------------
// The kiosk side.

#[derive(Debug)]
enum KioskEvent {
    State(PeerState, Instant),
    BoardOpen,
    BoardText(String, Instant),
}

async fn next_kiosk_event(
    rx: &mut mpsc::Receiver<KioskEvent>,
    what: &str,
    pred: impl Fn(&KioskEvent) -> bool,
) -> KioskEvent {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(e)) if pred(&e) => return e,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the kiosk peer went away while waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what} on the kiosk"),
        }
    }
}

/// Opus packets from a GStreamer test tone, 20 ms each, as a microphone would give them.
fn start_opus_source(tx: mpsc::Sender<(Bytes, Duration)>) -> gst::Pipeline {
    let pipeline = gst::parse::launch(
        "audiotestsrc is-live=true wave=sine freq=440 samplesperbuffer=960 ! audioconvert \
         ! audioresample ! audio/x-raw,rate=48000,channels=2 ! opusenc frame-size=20 bitrate=32000 \
         ! appsink name=opus sync=false max-buffers=50 drop=true",
    )
    .expect("the Opus test source could not be built (gstreamer1.0-plugins-base)")
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline
        .by_name("opus")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(buffer) = sample.buffer()
                    && let Ok(map) = buffer.map_readable()
                {
                    let duration = buffer
                        .duration()
                        .map_or(Duration::from_millis(20), |d| Duration::from_nanos(d.nseconds()));
                    let _ = tx.try_send((Bytes::copy_from_slice(map.as_slice()), duration));
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    pipeline.set_state(gst::State::Playing).unwrap();
    pipeline
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn frames_decoded(stats: &Value) -> u64 {
    stats["videoIn"]["framesDecoded"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_peer_calls_headless_chromium() {
    init_tracing();
    let chromium = require_tools("the remote peer");
    install_playwright();

    // The camera (720p30 test source) and its H.264 encoder branch: the kiosk's real path.
    let camera = test_camera();
    let keyframe_requests = Arc::new(AtomicU64::new(0));
    let request_keyframe = {
        let camera = camera.clone();
        let count = keyframe_requests.clone();
        move || {
            count.fetch_add(1, Ordering::Relaxed);
            camera.force_keyframe();
        }
    };
    let fanout = Arc::new(VideoFanout::new(request_keyframe.clone()).unwrap());
    encode_into(&camera, &fanout);

    let mut browser = start_browser(&chromium).await;
    browser.wait("ready").await;

    // The kiosk's peer, its callbacks feeding this test.
    let (kiosk_tx, mut kiosk_rx) = mpsc::channel(1024);
    let remote_video_frames = Arc::new(AtomicU64::new(0));
    let remote_keyframes = Arc::new(AtomicU64::new(0));
    let remote_audio_frames = Arc::new(AtomicU64::new(0));
    let handlers = {
        let to_browser = browser.to.clone();
        let (state_tx, open_tx, text_tx) = (kiosk_tx.clone(), kiosk_tx.clone(), kiosk_tx.clone());
        let (video, keys, audio) = (
            remote_video_frames.clone(),
            remote_keyframes.clone(),
            remote_audio_frames.clone(),
        );
        PeerHandlers::new()
            .on_local_candidate(move |json| {
                let candidate: Value = serde_json::from_str(&json).unwrap();
                let _ = to_browser.try_send(json!({"type": "candidate", "candidate": candidate}));
            })
            .on_state(move |s| {
                let _ = state_tx.try_send(KioskEvent::State(s, Instant::now()));
            })
            .on_board_open(move || {
                let _ = open_tx.try_send(KioskEvent::BoardOpen);
            })
            .on_board_text(move |t| {
                let _ = text_tx.try_send(KioskEvent::BoardText(t, Instant::now()));
            })
            .on_remote_frame(move |f| match f.kind {
                MediaKind::Video => {
                    video.fetch_add(1, Ordering::Relaxed);
                    if f.keyframe {
                        keys.fetch_add(1, Ordering::Relaxed);
                    }
                }
                MediaKind::Audio => {
                    audio.fetch_add(1, Ordering::Relaxed);
                }
            })
            .on_keyframe_request(request_keyframe.clone())
    };
    let config = PeerConfig {
        // Loopback only: the test's traffic stays on this machine.
        bind_addrs: vec!["127.0.0.1:0".parse().unwrap()],
        ..PeerConfig::default()
    };
    let peer = KioskPeer::new(config, handlers).await.unwrap();
    fanout.add(&peer).unwrap();
    {
        // Early ones wait inside the peer until the answer is set.
        let mut candidates = browser.candidates.take().unwrap();
        let peer = peer.clone();
        tokio::spawn(async move {
            while let Some(c) = candidates.recv().await {
                if let Err(e) = peer.add_remote_candidate(&c.to_string()).await {
                    eprintln!("a browser candidate was refused: {e}");
                }
            }
        });
    }

    // Audio: Opus from the test tone, written as it comes.
    let (opus_tx, mut opus_rx) = mpsc::channel::<(Bytes, Duration)>(64);
    let opus = start_opus_source(opus_tx);
    let audio_written = Arc::new(AtomicU64::new(0));
    {
        let peer = peer.clone();
        let written = audio_written.clone();
        tokio::spawn(async move {
            while let Some((packet, duration)) = opus_rx.recv().await {
                if let Ok(WriteOutcome::Sent) = peer.write_audio(&packet, duration).await {
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }

    // Offer → answer, candidates trickling both ways.
    let offered_at = Instant::now();
    let offer = peer.create_offer().await.unwrap();
    assert!(offer.contains("H264") && offer.contains("packetization-mode=1"));
    assert!(offer.contains("profile-level-id=42e01f") && offer.contains("opus/48000/2"));
    browser.send(json!({"type": "offer", "sdp": offer})).await;
    let (answer, _) = browser.wait("answer").await;
    peer.set_answer(answer["sdp"].as_str().unwrap()).await.unwrap();
    let KioskEvent::State(_, connected_at) = next_kiosk_event(&mut kiosk_rx, "the connection", |e| match e {
        KioskEvent::State(PeerState::Connected, _) => true,
        KioskEvent::State(s @ (PeerState::Failed | PeerState::Closed), _) => {
            panic!("the connection ended as {s:?} before connecting")
        }
        _ => false,
    })
    .await
    else {
        unreachable!()
    };
    let connect_time = connected_at - offered_at;
    let (first_frame, first_frame_at) = browser.wait("firstFrame").await;
    let first_frame_after_connect = first_frame_at.saturating_duration_since(connected_at);
    eprintln!(
        "first frame in the browser: {}x{}",
        first_frame["width"], first_frame["height"]
    );

    // Board: open once SCTP is up.
    if !peer.board_open() {
        next_kiosk_event(&mut kiosk_rx, "the board to open", |e| {
            matches!(e, KioskEvent::BoardOpen)
        })
        .await;
    }
    // Oversized from the browser: dropped, and the channel goes on.
    let before = peer.stats().await;
    browser.send(json!({"type": "sendSized", "bytes": 20_000})).await;
    browser.wait("sent").await;
    browser
        .send(json!({"type": "send", "text": "after-the-big-one"}))
        .await;
    next_kiosk_event(
        &mut kiosk_rx,
        "the small message after the big one",
        |e| matches!(e, KioskEvent::BoardText(t, _) if t == "after-the-big-one"),
    )
    .await;
    let after = peer.stats().await;
    assert_eq!(after.board_messages_dropped, before.board_messages_dropped + 1);
    assert!(peer.board_open());
    // The kiosk refuses to send an oversized message itself.
    assert!(peer.send_board_text(&"y".repeat(20_000)).await.is_err());

    // Media both ways, after a moment of flow.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let remote = browser.stats().await;
    eprintln!("browser stats: {remote}");
    assert!(frames_decoded(&remote) > 0, "the browser decoded no video");
    assert_eq!(remote["videoIn"]["frameHeight"], 720);
    assert!(remote["audioIn"]["packetsReceived"].as_u64().unwrap_or(0) > 0);
    let stats: PeerStats = peer.stats().await;
    eprintln!("kiosk stats: {stats:?}");
    assert_eq!(stats.state, PeerState::Connected);
    assert!(
        stats.video_received.packets > 0,
        "no RTP from the browser's camera"
    );
    assert!(stats.video_received.frames > 0 && remote_video_frames.load(Ordering::Relaxed) > 0);
    assert!(remote_keyframes.load(Ordering::Relaxed) > 0);
    assert!(stats.audio_received.packets > 0 && remote_audio_frames.load(Ordering::Relaxed) > 0);
    assert!(stats.video_sent.samples > 0 && stats.video_sent.packets > 0);
    assert!(stats.audio_sent.packets > 0 && audio_written.load(Ordering::Relaxed) > 0);
    assert!(stats.bytes_sent > 0 && stats.bytes_received > 0);
    assert!(keyframe_requests.load(Ordering::Relaxed) >= 1);
    // Chromium's receiver reports reach the kiosk: what the bitrate controller follows. On
    // loopback nothing is lost. (Reports come about every second; wait for one if need be.)
    let mut feedback = stats.video_feedback();
    for _ in 0..30 {
        if feedback.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        feedback = peer.stats().await.video_feedback();
    }
    let feedback = feedback.expect("a receiver report on the kiosk's video");
    assert!(feedback.fraction_lost < 0.05, "{feedback:?}");

    // Board round trips while the media flows: pings echoed by the page.
    let mut round_trips = Vec::new();
    for i in 0..PINGS {
        let text = format!("ping-{i}");
        let sent_at = Instant::now();
        peer.send_board_text(&text).await.unwrap();
        let KioskEvent::BoardText(_, at) = next_kiosk_event(
            &mut kiosk_rx,
            "a ping's echo",
            |e| matches!(e, KioskEvent::BoardText(t, _) if *t == text),
        )
        .await
        else {
            unreachable!()
        };
        round_trips.push(at - sent_at);
    }
    let (board_seen, _) = browser
        .wait_where("board", |v| v["text"] == format!("ping-{}", PINGS - 1))
        .await;
    assert_eq!(board_seen["bytes"], 7);

    // ICE restart: a new offer with fresh credentials, and the video keeps coming.
    let restart = peer.restart_ice().await.unwrap();
    let ufrag = |sdp: &str| {
        sdp.lines()
            .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
            .map(str::to_owned)
    };
    assert_ne!(
        ufrag(&restart),
        ufrag(&offer),
        "the restart offer kept its credentials"
    );
    browser.send(json!({"type": "offer", "sdp": restart})).await;
    let (answer, _) = browser.wait("answer").await;
    peer.set_answer(answer["sdp"].as_str().unwrap()).await.unwrap();
    let decoded_at_restart = frames_decoded(&remote);
    let deadline = Instant::now() + STEP;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = browser.stats().await;
        if frames_decoded(&now) > decoded_at_restart + 30
            && now["connectionState"] == "connected"
            && peer.state() == PeerState::Connected
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "video stopped after the ICE restart: {now}"
        );
    }

    eprintln!(
        "offer → connected: {:.0} ms; first frame decoded in the browser {:.0} ms after connected \
         ({:.0} ms after the offer); board round trip median {:.2} ms (min {:.2}, max {:.2}, n={})",
        ms(connect_time),
        ms(first_frame_after_connect),
        ms(first_frame_at - offered_at),
        ms(median(round_trips.clone())),
        ms(*round_trips.iter().min().unwrap()),
        ms(*round_trips.iter().max().unwrap()),
        round_trips.len(),
    );
    eprintln!("fanout: {:?}", fanout.stats());

    camera.stop_encoder();
    let _ = opus.set_state(gst::State::Null);
    peer.close().await;
    browser.quit(Duration::from_secs(10)).await;
}
