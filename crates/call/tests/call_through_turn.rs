//! A call that can only go through TURN: a real coturn (started here, REST shared secret), the
//! relay handing out time-limited credentials for it, the kiosk's peer and the friend's Chromium both
//! restricted to relayed candidates. Media flows both ways through coturn.
//!
//! Needs `turnserver` (Debian `coturn`, installed by scripts/ensure-system-deps.sh), `node`/`npm` and
//! Chromium; fails, never skips, without.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atelier_call::{CallClient, CallClientSettings, CallEvent, PeerConfig, PeerState, VideoFanout};
use atelier_protocol::DeviceId;
use atelier_protocol::call::{Secret, SessionTag};
use atelier_relay::calls::{CallConfig, DEMO_DEVICE_ID, DEMO_DEVICE_KEY, IceConfig, PasswordCost};
use atelier_relay::server::{ServeOptions, serve};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

mod common;

use common::{
    NodeBrowser, Script, encode_into, init_tracing, install_playwright, ms, require_tools, test_camera,
};

const STEP: Duration = Duration::from_secs(20);
const SECRET: &str = "turn-test-secret-0123456789";

/// coturn on 127.0.0.1 with the REST shared secret; killed when dropped.
struct Coturn {
    child: std::process::Child,
    port: u16,
}

impl Coturn {
    fn start(dir: &std::path::Path) -> Coturn {
        let port = {
            let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            s.local_addr().unwrap().port()
        };
        let log = std::fs::File::create(dir.join("coturn.log")).unwrap();
        let child = std::process::Command::new("turnserver")
            .args([
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                &format!("--listening-port={port}"),
                "--use-auth-secret",
                &format!("--static-auth-secret={SECRET}"),
                "--realm=atelier.test",
                "--fingerprint",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--allow-loopback-peers",
                "--min-port=49152",
                "--max-port=65535",
                "--log-file=stdout",
                "--simple-log",
            ])
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("turnserver (apt install coturn; scripts/ensure-system-deps.sh does)");
        // coturn answers a STUN binding once it listens.
        let deadline = Instant::now() + Duration::from_secs(10);
        let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        probe.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        // A STUN binding request: type 0x0001, length 0, magic cookie, 12-byte transaction id.
        let mut req = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        req.extend_from_slice(b"atelier-test");
        loop {
            probe.send_to(&req, ("127.0.0.1", port)).unwrap();
            let mut buf = [0u8; 512];
            if let Ok((n, _)) = probe.recv_from(&mut buf)
                && n >= 20
                && buf[0] == 0x01
                && buf[1] == 0x01
            {
                break;
            }
            assert!(Instant::now() < deadline, "coturn did not come up on port {port}");
        }
        Coturn { child, port }
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn next_event(
    rx: &mut mpsc::Receiver<CallEvent>,
    what: &str,
    pred: impl Fn(&CallEvent) -> bool,
) -> CallEvent {
    common::next_call_event(rx, what, STEP, pred).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_goes_through_coturn_when_nothing_else_may() {
    init_tracing();
    let chromium = require_tools("the friend");
    install_playwright();
    let dir = tempfile::tempdir().unwrap();
    let coturn = Coturn::start(dir.path());

    // The relay hands out coturn credentials by the REST shared-secret scheme.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = dir.path().to_owned();
    let options = ServeOptions {
        password_cost: PasswordCost::MINIMAL,
        demo: true,
        calls: CallConfig {
            ice: IceConfig {
                urls: vec![format!("turn:127.0.0.1:{}?transport=udp", coturn.port)],
                turn_secret: Some(SECRET.into()),
                ttl: Duration::from_secs(600),
            },
            ..CallConfig::default()
        },
        ..ServeOptions::default()
    };
    tokio::spawn(async move {
        serve(listener, &path, options, std::future::pending())
            .await
            .unwrap();
    });
    let url = format!("ws://{addr}/call");

    let mut friend = NodeBrowser::start(
        Script {
            file: "friend.mjs",
            who: "friend",
            step: STEP,
            split_candidates: false,
            check: |v| {
                if v["type"] == "error" || v["type"] == "relayError" {
                    panic!("the friend failed: {v}");
                }
            },
        },
        &chromium,
    )
    .await;

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

    let mut settings = CallClientSettings::new(
        url.clone(),
        DeviceId::new(DEMO_DEVICE_ID).unwrap(),
        Secret::new(DEMO_DEVICE_KEY),
    );
    settings.session = Some(SessionTag::new("shopper-turn-1").unwrap());
    settings.peer = PeerConfig {
        bind_addrs: vec!["127.0.0.1:0".parse().unwrap()],
        // Only relayed candidates: the call works through coturn or not at all.
        relay_only: true,
        ..PeerConfig::default()
    };
    let (client, mut events) = CallClient::spawn(settings, fanout.clone(), request_keyframe, None);
    next_event(&mut events, "authenticated", |e| {
        matches!(e, CallEvent::Authenticated)
    })
    .await;
    client.create_invite().await.unwrap();
    let CallEvent::InviteCreated { code, .. } = next_event(&mut events, "the invite", |e| {
        matches!(e, CallEvent::InviteCreated { .. })
    })
    .await
    else {
        unreachable!()
    };

    friend.wait("ready").await;
    let started = Instant::now();
    friend
        .send(json!({"type": "join", "url": url, "invite": code.expose(), "relayOnly": true}))
        .await;
    let (leg_started, _) = friend.wait("legStarted").await;
    let servers = leg_started["iceServers"].to_string();
    assert!(
        servers.contains("turn:127.0.0.1") && servers.contains("credential"),
        "{servers}"
    );
    let CallEvent::LegStarted { leg, .. } = next_event(&mut events, "the leg", |e| {
        matches!(e, CallEvent::LegStarted { .. })
    })
    .await
    else {
        unreachable!()
    };
    next_event(&mut events, "the leg to connect", |e| match e {
        CallEvent::LegState {
            state: PeerState::Connected,
            ..
        } => true,
        CallEvent::LegState {
            state: s @ (PeerState::Failed | PeerState::Closed),
            ..
        } => {
            panic!(
                "the leg ended as {s:?} (coturn log: {:?})",
                std::fs::read_to_string(dir.path().join("coturn.log"))
            )
        }
        _ => false,
    })
    .await;
    let connected = started.elapsed();

    // Media both ways, over relayed candidates on the browser's side too.
    let deadline = Instant::now() + STEP;
    let remote = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let remote = friend.stats().await;
        let kiosk = client.peer(leg).await.unwrap().stats().await;
        if remote["videoIn"]["framesDecoded"].as_u64().unwrap_or(0) > 10 && kiosk.video_received.frames > 10 {
            break remote;
        }
        assert!(
            Instant::now() < deadline,
            "media did not flow through TURN: {remote} / {kiosk:?}"
        );
    };
    assert_eq!(remote["localCandidateType"], "relay", "{remote}");
    // The kiosk may only offer relayed candidates, so both ends of the pair are coturn's.
    assert_eq!(remote["remoteCandidateType"], "relay", "{remote}");
    eprintln!("join → connected through TURN: {:.0} ms", ms(connected));
    client.hang_up(None).await.unwrap();
    friend.quit(Duration::from_secs(5)).await;
    drop(coturn);
}
