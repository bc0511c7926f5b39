//! A friend call end to end, all real: the relay in process (demo enrollment), the kiosk's
//! [`CallClient`] on its `/call` socket with the camera pipeline's H.264 (test source → x264) fanned
//! out, and headless Chromium as the friend (`tests/browser/friend.mjs`) talking to the relay
//! itself: `joinInvite` with the short code, the kiosk's offer, its answer, candidates both ways.
//!
//! Checks: the invite; the friend's `legStarted` (not the offerer); connected on both sides; the
//! browser decodes the kiosk's video; the kiosk receives the browser's video frames; a second join
//! with the same code is refused (`inviteUsed`). Prints invite → connected → first frame timings.
//!
//! Needs `node`/`npm` and `/usr/bin/chromium` (or `CHROMIUM_PATH`); fails, never skips, without.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use atelier_call::{
    CallClient, CallClientSettings, CallEvent, MediaKind, PeerConfig, PeerState, VideoFanout,
};
use atelier_protocol::DeviceId;
use atelier_protocol::call::{CallErrorCode, Role, Secret, SessionTag};
use atelier_relay::calls::{DEMO_DEVICE_ID, DEMO_DEVICE_KEY, PasswordCost};
use atelier_relay::server::{ServeOptions, serve};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const STEP: Duration = Duration::from_secs(15);

mod common;

use common::{
    NodeBrowser, Script, encode_into, init_tracing, install_playwright, ms, require_tools, test_camera,
};

/// The friend: `friend.mjs`, which talks to the relay itself.
async fn start_friend(chromium: &Path) -> NodeBrowser {
    let script = Script {
        file: "friend.mjs",
        who: "friend",
        step: STEP,
        split_candidates: false,
        check: |v| {
            if v["type"] == "error" || v["type"] == "relayError" {
                panic!("the friend failed: {v}");
            }
        },
    };
    NodeBrowser::start(script, chromium).await
}

async fn next_event(
    rx: &mut mpsc::Receiver<CallEvent>,
    what: &str,
    pred: impl Fn(&CallEvent) -> bool,
) -> (CallEvent, Instant) {
    common::next_call_event(rx, what, STEP, pred).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_joins_by_code_and_video_flows_both_ways() {
    init_tracing();
    let chromium = require_tools("the friend");
    install_playwright();
    let test_started = Instant::now();

    // The relay, in process, with the demo kiosk enrolled.
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = dir.path().to_owned();
    let options = ServeOptions {
        password_cost: PasswordCost::MINIMAL,
        demo: true,
        ..ServeOptions::default()
    };
    tokio::spawn(async move {
        serve(listener, &path, options, std::future::pending())
            .await
            .unwrap();
    });
    let url = format!("ws://{addr}/call");

    // Chromium starts while the kiosk gets going.
    let mut friend = start_friend(&chromium).await;

    // The camera (720p test source) → x264 → the fanout every leg's peer reads.
    let camera = test_camera();
    let request_keyframe: Arc<dyn Fn() + Send + Sync> = {
        let camera = camera.clone();
        Arc::new(move || camera.force_keyframe())
    };
    let fanout = {
        let request = request_keyframe.clone();
        Arc::new(VideoFanout::new(move || request()).unwrap())
    };
    encode_into(&camera, &fanout);

    // The kiosk's call client, in a shopper session.
    let remote_video = Arc::new(AtomicU64::new(0));
    let on_frame: Arc<dyn Fn(atelier_protocol::call::LegId, atelier_call::RemoteFrame) + Send + Sync> = {
        let count = remote_video.clone();
        Arc::new(move |_leg, f| {
            if f.kind == MediaKind::Video {
                count.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let mut settings = CallClientSettings::new(
        url.clone(),
        DeviceId::new(DEMO_DEVICE_ID).unwrap(),
        Secret::new(DEMO_DEVICE_KEY),
    );
    settings.session = Some(SessionTag::new("shopper-friend-1").unwrap());
    settings.peer = PeerConfig {
        // Loopback only: the test's traffic stays on this machine.
        bind_addrs: vec!["127.0.0.1:0".parse().unwrap()],
        ..PeerConfig::default()
    };
    let (client, mut events) = CallClient::spawn(settings, fanout.clone(), request_keyframe, Some(on_frame));
    next_event(&mut events, "authenticated", |e| {
        matches!(e, CallEvent::Authenticated)
    })
    .await;

    // An invite.
    let invite_asked = Instant::now();
    client.create_invite().await.unwrap();
    let (CallEvent::InviteCreated { code, token, .. }, invite_at) =
        next_event(&mut events, "the invite", |e| {
            matches!(e, CallEvent::InviteCreated { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(code.expose().len(), 6, "a six-character code");
    assert_eq!(token.expose().len(), 43, "a 43-character token");

    // The friend joins by the code (typed in lower case with a dash, as people do).
    friend.wait("ready").await;
    let typed = format!("{}-{}", &code.expose()[..3], &code.expose()[3..]).to_lowercase();
    let join_sent = Instant::now();
    friend
        .send(json!({"type": "join", "url": url, "invite": typed}))
        .await;
    let (auth, _) = friend.wait("authenticated").await;
    assert_eq!(auth["role"], "friend", "{auth}");
    let (started, _) = friend.wait("legStarted").await;
    assert_eq!(started["offerer"], false, "{started}");
    let (CallEvent::LegStarted { leg, peer, .. }, _) = next_event(&mut events, "the leg", |e| {
        matches!(e, CallEvent::LegStarted { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(started["leg"], leg.0, "both ends name the same leg");
    assert_eq!(peer.role, Role::Friend);
    assert_eq!(peer.display_name.as_str(), "Friend");

    // Connected on the kiosk, then the first frame in the browser.
    let (_, connected_at) = next_event(&mut events, "the leg to connect", |e| match e {
        CallEvent::LegState {
            state: PeerState::Connected,
            ..
        } => true,
        CallEvent::LegState {
            state: s @ (PeerState::Failed | PeerState::Closed),
            ..
        } => panic!("the leg ended as {s:?} before connecting"),
        _ => false,
    })
    .await;
    let (first, first_frame_at) = friend.wait("firstFrame").await;
    eprintln!(
        "first frame in the friend's browser: {}x{}",
        first["width"], first["height"]
    );

    // A second join with the same code is refused.
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
    ws.send(Message::text(
        json!({"type": "joinInvite", "protocol": 1, "invite": code.expose()}).to_string(),
    ))
    .await
    .unwrap();
    let refusal = loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no answer to the second join");
        match frame {
            Some(Ok(Message::Text(t))) => break serde_json::from_str::<Value>(&t).unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("the relay closed the second join without a word: {other:?}"),
        }
    };
    assert_eq!(refusal["type"], "error", "{refusal}");
    assert_eq!(
        refusal["code"],
        serde_json::to_value(CallErrorCode::InviteUsed).unwrap(),
        "{refusal}"
    );

    // Media both ways after a moment of flow.
    let deadline = Instant::now() + STEP;
    let (remote, kiosk_stats) = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let remote = friend.stats().await;
        let stats = client.peer(leg).await.unwrap().stats().await;
        let decoded = remote["videoIn"]["framesDecoded"].as_u64().unwrap_or(0);
        if decoded > 10 && stats.video_received.frames > 10 {
            break (remote, stats);
        }
        assert!(
            Instant::now() < deadline,
            "media did not flow both ways: browser {remote}, kiosk {stats:?}"
        );
    };
    eprintln!("friend stats: {remote}");
    eprintln!("kiosk stats: {kiosk_stats:?}");
    assert_eq!(remote["connectionState"], "connected");
    assert_eq!(kiosk_stats.state, PeerState::Connected);
    assert!(kiosk_stats.video_received.packets > 0);
    assert!(remote_video.load(Ordering::Relaxed) > 0);
    assert!(kiosk_stats.video_sent.packets > 0);
    assert_eq!(fanout.peers(), 1);

    // The kiosk's network changes: an ICE restart (a new offer) and the media carries on.
    let frames_before = client
        .peer(leg)
        .await
        .unwrap()
        .stats()
        .await
        .video_received
        .frames;
    assert_eq!(client.restart_ice().await.unwrap(), 1);
    friend.wait("offer").await;
    friend.wait("answered").await;
    let deadline = Instant::now() + STEP;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let stats = client.peer(leg).await.unwrap().stats().await;
        if stats.state == PeerState::Connected && stats.video_received.frames > frames_before + 15 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "media stopped after the ICE restart: {stats:?}"
        );
    }

    // The kiosk hangs up: the leg ends and its peer leaves the fanout.
    client.hang_up(Some(leg)).await.unwrap();
    next_event(
        &mut events,
        "the leg to end",
        |e| matches!(e, CallEvent::LegEnded { leg: l, .. } if *l == leg),
    )
    .await;
    assert_eq!(fanout.peers(), 0);
    assert!(client.peer(leg).await.is_err());

    eprintln!(
        "invite {:.0} ms; join → kiosk connected {:.0} ms; connected → first frame in the browser {:.0} ms \
         (invite → first frame {:.0} ms); whole test {:.1} s",
        ms(invite_at - invite_asked),
        ms(connected_at - join_sent),
        ms(first_frame_at.saturating_duration_since(connected_at)),
        ms(first_frame_at - invite_at),
        test_started.elapsed().as_secs_f64(),
    );

    camera.stop_encoder();
    drop(client);
    friend.quit(Duration::from_secs(5)).await;
}
