//! What the tests of the relay's web clients share: the pages built from `ui/web`, the relay in
//! process serving them (demo enrollment and accounts), the kiosk (camera → x264 → fanout, its
//! [`CallClient`] and a [`BoardHost`] loop), and Chromium pages driven by `browser/web-page.mjs`.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // shared by several tests; each uses a part

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atelier_call::{
    BoardHost, CallClient, CallClientSettings, CallEvent, MediaKind, PeerConfig, VideoFanout,
};
use atelier_domain::board::{BoardConfig, BoardState, LocalAction};
use atelier_media::Camera;
use atelier_protocol::DeviceId;
use atelier_protocol::call::{LegId, Secret, SessionTag};
use atelier_relay::calls::{CallConfig, DEMO_DEVICE_ID, DEMO_DEVICE_KEY, PasswordCost};
use atelier_relay::server::{ServeOptions, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::common::{NodeBrowser, Script, encode_into, test_camera};

/// How long one wait on a page or the kiosk may take.
pub const STEP: Duration = Duration::from_secs(20);

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui")
}

/// The built web clients: `ATELIER_WEB_DIR` when set, else a fresh `vite build` of `ui/web` into
/// `out` (a few hundred ms; each test builds its own, so parallel tests never share a half-written
/// folder and a test always serves the pages as they are in the checkout).
pub fn build_web(out: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("ATELIER_WEB_DIR") {
        return PathBuf::from(dir);
    }
    let ui = ui_dir();
    if !ui.join("node_modules/vite").exists() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ui)
            .status()
            .expect("npm could not be started");
        assert!(status.success(), "`npm ci` failed in {}", ui.display());
    }
    let dir = out.join("web");
    let output = std::process::Command::new("npx")
        .args([
            "vite",
            "build",
            "--config",
            "vite.web.config.ts",
            "--logLevel",
            "warn",
            "--outDir",
        ])
        .arg(&dir)
        .current_dir(&ui)
        .output()
        .expect("npx could not be started");
    assert!(
        output.status.success(),
        "building the web clients failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.join("join.html").exists() && dir.join("stylist.html").exists());
    dir
}

/// The relay in process, demo kiosk and accounts (argon2 at minimal cost), serving `web_dir`.
pub async fn start_relay(web_dir: &Path, data: &Path, invite_ttl: Option<Duration>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut calls = CallConfig::default();
    if let Some(ttl) = invite_ttl {
        calls.invite_ttl = ttl;
    }
    let options = ServeOptions {
        password_cost: PasswordCost::MINIMAL,
        demo: true,
        web_dir: Some(web_dir.to_owned()),
        calls,
        ..ServeOptions::default()
    };
    let data = data.to_owned();
    tokio::spawn(async move {
        serve(listener, &data, options, std::future::pending())
            .await
            .unwrap();
    });
    addr
}

/// Chromium with any number of named pages on the relay's web clients.
pub struct Pages {
    node: NodeBrowser,
    next_ref: u64,
}

impl Pages {
    pub async fn start(chromium: &Path) -> Pages {
        let script = Script {
            file: "web-page.mjs",
            who: "web pages",
            step: STEP,
            split_candidates: false,
            check: |v| {
                if v["type"] == "error" || v["type"] == "failed" {
                    panic!("the browser failed: {v}");
                }
            },
        };
        let mut node = NodeBrowser::start(script, chromium).await;
        node.wait("ready").await;
        Pages { node, next_ref: 0 }
    }

    pub async fn open(&mut self, page: &str, url: &str) {
        self.node
            .send(json!({"type": "open", "page": page, "url": url}))
            .await;
        self.node.wait_where("opened", |v| v["page"] == page).await;
    }

    async fn call(&mut self, mut cmd: Value) -> Value {
        self.next_ref += 1;
        let r = self.next_ref;
        cmd["ref"] = json!(r);
        self.node.send(cmd).await;
        self.node.wait_where("result", |v| v["ref"] == r).await.0["value"].clone()
    }

    /// Evaluates a JS expression in the page (a promise is awaited).
    pub async fn eval(&mut self, page: &str, expr: &str) -> Value {
        self.call(json!({"type": "eval", "page": page, "expr": expr}))
            .await
    }

    pub async fn click(&mut self, page: &str, selector: &str) {
        self.call(json!({"type": "click", "page": page, "selector": selector}))
            .await;
    }

    pub async fn fill(&mut self, page: &str, selector: &str, value: &str) {
        self.call(json!({"type": "fill", "page": page, "selector": selector, "value": value}))
            .await;
    }

    /// A pointer drag over `selector` through `points` (0–1 of its box).
    pub async fn drag(&mut self, page: &str, selector: &str, points: &[(f64, f64)]) {
        let points: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
        self.call(json!({"type": "drag", "page": page, "selector": selector, "points": points}))
            .await;
    }

    /// Evaluates `expr` every 100 ms until `pred` accepts the value; panics after [`STEP`].
    pub async fn until(
        &mut self,
        page: &str,
        expr: &str,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + STEP;
        loop {
            let v = self.eval(page, expr).await;
            if pred(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "{page}: timed out waiting for {what}; last {expr} = {v}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reloads the page (same browser context, so its sessionStorage survives).
    pub async fn reload(&mut self, page: &str) {
        self.call(json!({"type": "reload", "page": page})).await;
    }

    pub async fn close(&mut self, page: &str) {
        self.node.send(json!({"type": "close", "page": page})).await;
    }

    pub async fn quit(self) {
        self.node.quit(Duration::from_secs(5)).await;
    }
}

/// What the kiosk side has seen, for the test to poll.
#[derive(Default)]
pub struct KioskView {
    pub events: Vec<CallEvent>,
    pub board: BoardState,
    pub seq: u64,
    /// Legs whose remote is away (between `PeerAway` and `PeerRejoined`).
    pub away: BTreeSet<LegId>,
    /// Board texts not delivered because their leg's remote was away.
    pub withheld: usize,
    /// Board messages the kiosk refused.
    pub refused: usize,
}

enum Inject {
    Local(LocalAction),
    /// An event as if from the call client (a stand-in remote the test plays on the board).
    Event(CallEvent),
}

/// The kiosk: its camera encoding into the fanout, its call client in a shopper session, and its
/// board. Board texts for a leg whose remote is away are held back (not queued), as a kiosk that
/// cannot reach someone would lose them; the page must catch up with `sync` when it is back.
pub struct Kiosk {
    pub client: Arc<CallClient>,
    pub view: Arc<Mutex<KioskView>>,
    pub fanout: Arc<VideoFanout>,
    camera: Arc<Camera>,
    inject: mpsc::Sender<Inject>,
}

impl Kiosk {
    pub async fn start(addr: SocketAddr, session: &str) -> Kiosk {
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
            format!("ws://{addr}/call"),
            DeviceId::new(DEMO_DEVICE_ID).unwrap(),
            Secret::new(DEMO_DEVICE_KEY),
        );
        settings.session = Some(SessionTag::new(session).unwrap());
        settings.peer = PeerConfig {
            bind_addrs: vec!["127.0.0.1:0".parse().unwrap()],
            ..PeerConfig::default()
        };
        let (client, mut events) = CallClient::spawn(settings, fanout.clone(), request_keyframe, None);
        let client = Arc::new(client);
        let view = Arc::new(Mutex::new(KioskView::default()));
        let (inject, mut injected) = mpsc::channel::<Inject>(16);
        {
            let client = client.clone();
            let view = view.clone();
            tokio::spawn(async move {
                let mut host = BoardHost::new(BoardConfig::default(), 7);
                loop {
                    let wake = host
                        .poll_timeout()
                        .map(tokio::time::Instant::from_std)
                        .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
                    let out = tokio::select! {
                        e = events.recv() => {
                            let Some(e) = e else { break };
                            {
                                let mut v = view.lock().unwrap();
                                match &e {
                                    CallEvent::PeerAway { leg, .. } => { v.away.insert(*leg); }
                                    CallEvent::PeerRejoined { leg, .. } | CallEvent::LegEnded { leg, .. } => { v.away.remove(leg); }
                                    _ => {}
                                }
                                v.events.push(e.clone());
                            }
                            // Every product is in this store's catalog.
                            host.handle(&e, Instant::now(), |_, _| true)
                        }
                        i = injected.recv() => match i {
                            Some(Inject::Local(action)) => host.local(action, Instant::now()),
                            Some(Inject::Event(e)) => host.handle(&e, Instant::now(), |_, _| true),
                            None => break,
                        },
                        _ = tokio::time::sleep_until(wake) => host.tick(Instant::now()),
                    };
                    let texts = {
                        let mut v = view.lock().unwrap();
                        v.board = host.state().clone();
                        v.seq = host.seq();
                        if out.refused.is_some() {
                            v.refused += 1;
                        }
                        let (texts, held): (Vec<_>, Vec<_>) =
                            out.texts.into_iter().partition(|(leg, _)| !v.away.contains(leg));
                        v.withheld += held.len();
                        texts
                    };
                    atelier_call::board_host::send_all(&client, texts).await;
                }
            });
        }
        Kiosk {
            client,
            view,
            fanout,
            camera,
            inject,
        }
    }

    /// Something the shopper does at the mirror.
    pub async fn local(&self, action: LocalAction) {
        self.inject.send(Inject::Local(action)).await.unwrap();
    }

    /// A stylist the test plays on the kiosk's board only (no socket, no media: its leg number is
    /// made up and texts to it go nowhere) pushes a card, as a stylist in the call would.
    pub async fn stand_in_stylist_pushes(&self, sku: &str) {
        use atelier_protocol::call::{CallId, DisplayName, PeerInfo, Role};
        let leg = LegId(9_999);
        let events = [
            CallEvent::LegStarted {
                leg,
                call: CallId(9_999),
                peer: PeerInfo {
                    role: Role::Stylist,
                    display_name: DisplayName::new("Mei").unwrap(),
                },
            },
            CallEvent::BoardOpen { leg },
            CallEvent::BoardText {
                leg,
                text: json!({"type": "pushCard", "sku": sku, "size": "M", "note": "Try the M"}).to_string(),
            },
        ];
        for e in events {
            self.inject.send(Inject::Event(e)).await.unwrap();
        }
    }

    /// Polls the kiosk's view every 50 ms until `pred` finds something; panics after [`STEP`].
    pub async fn until<T>(&self, what: &str, pred: impl Fn(&KioskView) -> Option<T>) -> T {
        let deadline = Instant::now() + STEP;
        loop {
            {
                let v = self.view.lock().unwrap();
                if let Some(t) = pred(&v) {
                    return t;
                }
                for e in &v.events {
                    if let CallEvent::LegFailed { leg, error } = e {
                        panic!("{leg} failed on the kiosk: {error} (waiting for {what})");
                    }
                }
                if Instant::now() >= deadline {
                    panic!(
                        "timed out waiting for {what} on the kiosk; events: {:?}",
                        v.events
                    );
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The latest invite: (token, code, expires at ms).
    pub async fn invite(&self) -> (String, String, u64) {
        let before = self.view.lock().unwrap().events.len();
        self.client.create_invite().await.unwrap();
        self.until("an invite", |v| {
            v.events[before..].iter().find_map(|e| match e {
                CallEvent::InviteCreated {
                    token,
                    code,
                    expires_at_ms,
                    ..
                } => Some((
                    token.expose().to_owned(),
                    code.expose().to_owned(),
                    *expires_at_ms,
                )),
                _ => None,
            })
        })
        .await
    }

    /// A leg that started with a remote of this role.
    pub async fn leg_started(&self, role: atelier_protocol::call::Role) -> LegId {
        self.until("a leg", |v| {
            v.events.iter().find_map(|e| match e {
                CallEvent::LegStarted { leg, peer, .. } if peer.role == role => Some(*leg),
                _ => None,
            })
        })
        .await
    }

    pub async fn first_video_from(&self, leg: LegId) {
        self.until("the remote's first video frame", |v| {
            v.events
                .iter()
                .any(|e| {
                    matches!(e, CallEvent::FirstRemoteFrame { leg: l, kind: MediaKind::Video } if *l == leg)
                })
                .then_some(())
        })
        .await
    }

    pub fn stop(&self) {
        self.camera.stop_encoder();
    }
}

/// Reloads `page` in the middle of `leg`'s call and waits until media flows both ways on new peer
/// connections: video decoded by the reloaded page, and a first video frame at the kiosk from the
/// leg's new connection (the old one had already sent its first). Returns how long that took.
pub async fn reload_mid_call(pages: &mut Pages, kiosk: &Kiosk, page: &str, leg: LegId) -> Duration {
    let first_video = |v: &KioskView| {
        v.events
            .iter()
            .filter(
                |e| matches!(e, CallEvent::FirstRemoteFrame { leg: l, kind: MediaKind::Video } if *l == leg),
            )
            .count()
    };
    let before = first_video(&kiosk.view.lock().unwrap());
    let reloaded = Instant::now();
    pages.reload(page).await;
    pages
        .until(
            page,
            "window.atelier ? window.atelier.stats() : null",
            "the shopper's video after the reload",
            |s| frames_decoded(s) > 5,
        )
        .await;
    kiosk
        .until("the remote's video on a new connection", |v| {
            (first_video(v) > before).then_some(())
        })
        .await;
    let took = reloaded.elapsed();
    eprintln!(
        "{page} reloaded → media both ways again: {:.1} s",
        took.as_secs_f64()
    );
    took
}

/// Frames the page decoded from the kiosk (its `getStats`).
pub fn frames_decoded(stats: &Value) -> u64 {
    stats["videoIn"]["framesDecoded"].as_u64().unwrap_or(0)
}
