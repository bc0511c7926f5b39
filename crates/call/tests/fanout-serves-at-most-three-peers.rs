//! The video fanout: at most three peers, each once, and nothing leaves for a peer that is not
//! connected. Real peer connections (bound to loopback), no remote.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use atelier_call::peer::{MAX_PEERS, WriteOutcome};
use atelier_call::{EncodedVideo, KioskPeer, PeerConfig, PeerError, PeerHandlers, VideoFanout};
use bytes::Bytes;

async fn peer() -> KioskPeer {
    let config = PeerConfig {
        bind_addrs: vec!["127.0.0.1:0".parse().unwrap()],
        ..PeerConfig::default()
    };
    KioskPeer::new(config, PeerHandlers::new()).await.unwrap()
}

#[tokio::test]
async fn a_fourth_peer_is_refused_and_unconnected_peers_get_nothing() {
    let requests = Arc::new(AtomicU64::new(0));
    let fanout = {
        let requests = requests.clone();
        VideoFanout::new(move || {
            requests.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap()
    };
    let peers = [peer().await, peer().await, peer().await, peer().await];
    for p in &peers[..MAX_PEERS] {
        fanout.add(p).unwrap();
    }
    fanout.add(&peers[0]).unwrap(); // the same peer twice counts once
    assert_eq!(fanout.peers(), MAX_PEERS);
    assert!(matches!(
        fanout.add(&peers[3]),
        Err(PeerError::TooManyPeers { max: MAX_PEERS })
    ));
    fanout.remove(&peers[1]);
    fanout.add(&peers[3]).unwrap();
    assert_eq!(fanout.peers(), MAX_PEERS);

    for i in 0..10u64 {
        fanout.push(EncodedVideo {
            data: Bytes::from_static(&[0, 0, 0, 1, 0x65, 0x88]),
            pts: Some(Duration::from_millis(33 * i)),
            keyframe: i == 0,
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stats = fanout.stats();
    assert_eq!(stats.frames_in, 10);
    assert_eq!(stats.frames_sent, 0, "no peer is connected");
    for p in &peers {
        assert_eq!(p.stats().await.video_sent.samples, 0);
        let sample = atelier_call::peer::VideoSample {
            data: Bytes::from_static(&[0, 0, 0, 1, 0x65]),
            duration: Duration::from_millis(33),
            keyframe: true,
        };
        assert_eq!(p.write_video(&sample).await.unwrap(), WriteOutcome::NotConnected);
    }
    assert_eq!(requests.load(Ordering::Relaxed), 0, "nothing was dropped");
}

#[tokio::test]
async fn board_text_waits_for_the_channel_and_respects_the_limit() {
    let p = peer().await;
    assert!(matches!(
        p.send_board_text("hello").await,
        Err(PeerError::BoardNotOpen)
    ));
    assert!(matches!(
        p.send_board_text(&"x".repeat(16 * 1024 + 1)).await,
        Err(PeerError::TooLarge { .. })
    ));
    // Candidates are checked before anything else is done with them.
    assert!(matches!(
        p.add_remote_candidate("not json").await,
        Err(PeerError::CandidateJson(_))
    ));
    assert!(matches!(
        p.add_remote_candidate(&format!("{{\"candidate\":\"{}\"}}", "a".repeat(4096)))
            .await,
        Err(PeerError::TooLarge { .. })
    ));
    // End of candidates, and a candidate before the answer (it waits for it).
    p.add_remote_candidate(r#"{"candidate":""}"#).await.unwrap();
    p.add_remote_candidate(
        r#"{"candidate":"candidate:1 1 udp 2122194687 127.0.0.1 40000 typ host","sdpMLineIndex":0}"#,
    )
    .await
    .unwrap();
    assert!(p.set_answer("v=0 this is not an answer").await.is_err());
}
