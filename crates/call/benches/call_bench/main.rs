//! Speed of the kiosk's call core against headless Chromium, with a Chromium↔Chromium call through
//! the same relay in the same run as the reference (docs/CALLS.md, "Speed").
//!
//!     cargo bench -p atelier-call --bench call_bench [-- --trials 5 --pings 200 --secs 10 --cpu-secs 8]
//!
//! All real, on loopback: the relay in process (demo kiosk), the kiosk's [`CallClient`] with the
//! camera pipeline (720p30 test source → x264 → [`VideoFanout`]), the test microphone (Opus) and
//! the kiosk's remote decoder ([`RemoteMedia`], avdec_h264); Chromium pages driven by
//! `tests/browser/bench-peer.mjs`, each sending a 1280×720 canvas at 30 fps and the fake microphone.
//! The reference is a Chromium page playing the kiosk (kioskHello with the demo device, the
//! invite, the offer with H.264 only, the board channel) and a Chromium friend, through the same
//! relay: one relay hop of signalling in both cases.
//!
//! 1. join → first frame: from the friend's `joinInvite` leaving its page to the first frame shown
//!    in the friend's page (requestVideoFrameCallback's presentationTime) and at the kiosk (first
//!    complete access unit from the network, and first decoded frame out of avdec_h264).
//! 2. board round trip: kiosk → page echo → kiosk (and page → page echo → page), sequential.
//! 3. glass to glass: each frame carries its capture time (`stamp.rs`), drawn into the raw frame
//!    before the encoder; the far end reads it off the decoded picture.
//! 4. kiosk CPU (this process, /proc/self/stat) over a window, encoder at 1280×720@30, with 0, 1
//!    and 3 remotes.
//!
//! Prints a table and one JSON line (`{"bench":"call",…}`). Not a test: nothing fails on a number.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark: its output is its product

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atelier_call::{
    CallClient, CallClientSettings, CallEvent, KioskPeer, MediaKind, PeerConfig, PeerState, VideoFanout,
};
use atelier_media::{MicSource, Microphone, RemoteMedia};
use atelier_protocol::DeviceId;
use atelier_protocol::call::{LegId, Secret, SessionTag};
use atelier_relay::calls::{DEMO_DEVICE_ID, DEMO_DEVICE_KEY, PasswordCost};
use atelier_relay::server::{ServeOptions, serve};
use bytes::Bytes;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

#[allow(dead_code)]
#[path = "../../tests/common/mod.rs"]
mod common;
mod stamp;

use common::{NodeBrowser, Script, encode_into, install_playwright, require_tools, test_camera};

const STEP: Duration = Duration::from_secs(20);
/// The page size every Chromium page sends (as the kiosk's camera).
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FPS: u32 = 30;

/// Unix milliseconds (the clock the pages read too).
fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

struct Options {
    trials: usize,
    pings: usize,
    secs: u64,
    cpu_secs: u64,
}

impl Options {
    fn parse() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let get = |name: &str, default: u64| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Self {
            trials: get("--trials", 5) as usize,
            pings: get("--pings", 200) as usize,
            secs: get("--secs", 10),
            cpu_secs: get("--cpu-secs", 8),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics.

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Nearest-rank percentile; NaN for no samples.
fn pct(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let s = sorted(v);
    let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
    s[rank.min(s.len()) - 1]
}

fn median(v: &[f64]) -> f64 {
    pct(v, 50.0)
}

#[derive(Default, Clone)]
struct Setup {
    /// join → the kiosk side's first frame: complete from the network / decoded.
    kiosk_received: Vec<f64>,
    kiosk_decoded: Vec<f64>,
    /// join → the friend's page shows its first frame.
    remote_shown: Vec<f64>,
    /// join → the offerer's connection is up.
    connected: Vec<f64>,
}

impl Setup {
    /// Per trial: the later of the two sides' first shown/decoded frames.
    fn both(&self) -> Vec<f64> {
        self.kiosk_decoded
            .iter()
            .zip(&self.remote_shown)
            .map(|(a, b)| a.max(*b))
            .collect()
    }
}

#[derive(Default, Clone)]
struct Glass {
    /// Offerer (kiosk, or the page playing it) → friend page; friend page → offerer.
    out_ages: Vec<f64>,
    out_unread: u64,
    in_ages: Vec<f64>,
    in_unread: u64,
}

#[derive(Default, Clone)]
struct CaseResult {
    setup: Setup,
    rtt: Vec<f64>,
    glass: Glass,
    /// getStats of the friend page during the glass window.
    friend_stats: Value,
    offerer_stats: Value,
}

#[derive(Clone, Copy)]
struct CpuWindow {
    label: &'static str,
    remotes: usize,
    decoding: bool,
    /// % of one core.
    cpu: f64,
    /// Frames through the encoder per second.
    fps: f64,
}

// ---------------------------------------------------------------------------------------------
// CPU of this process.

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of this process, in clock ticks.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the line; the slice starts at field 3.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

// ---------------------------------------------------------------------------------------------
// The browser.

async fn start_browser(chromium: &Path) -> NodeBrowser {
    let script = Script {
        file: "bench-peer.mjs",
        who: "bench browser",
        step: STEP,
        split_candidates: false,
        check: |v| {
            if v["type"] == "error" || v["type"] == "relayError" {
                panic!("the bench browser failed: {v}");
            }
        },
    };
    NodeBrowser::start(script, chromium).await
}

fn is(id: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["id"] == id
}

async fn open_page(browser: &mut NodeBrowser, id: &'static str) {
    browser
        .send(json!({"type": "open", "id": id, "width": WIDTH, "height": HEIGHT, "fps": FPS}))
        .await;
    browser.wait_where("opened", is(id)).await;
}

async fn page_call(browser: &mut NodeBrowser, kind: &'static str, id: &'static str) -> Value {
    browser.send(json!({"type": kind, "id": id})).await;
    browser.wait_where(kind, is(id)).await.0
}

fn ages(v: &Value) -> (Vec<f64>, u64) {
    let ages = v["ages"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    (ages, v["unread"].as_u64().unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// The reference: a Chromium page as the kiosk, a Chromium friend, through the relay.

/// An invite from the kiosk page, and the friend page joining with it: the join's time and the
/// kiosk page's `connected`.
async fn reference_join(browser: &mut NodeBrowser, url: &str) -> (f64, Value) {
    browser.send(json!({"type": "invite", "id": "k"})).await;
    let (invite, _) = browser.wait_where("inviteCreated", is("k")).await;
    browser
        .send(json!({"type": "join", "id": "f1", "url": url, "invite": invite["code"]}))
        .await;
    let (sent, _) = browser.wait_where("joinSent", is("f1")).await;
    let t0 = sent["at"].as_f64().unwrap();
    let (connected, _) = browser
        .wait_where("state", |v| v["id"] == "k" && v["state"] == "connected")
        .await;
    (t0, connected)
}

async fn reference(browser: &mut NodeBrowser, url: &str, opt: &Options) -> CaseResult {
    let mut out = CaseResult::default();
    browser
        .send(
            json!({"type": "kiosk", "id": "k", "url": url, "deviceId": DEMO_DEVICE_ID,
            "deviceKey": DEMO_DEVICE_KEY, "session": "bench-reference"}),
        )
        .await;
    browser.wait_where("authenticated", is("k")).await;
    for trial in 0..=opt.trials {
        let (t0, connected) = reference_join(browser, url).await;
        let (k_first, _) = browser.wait_where("firstFrame", is("k")).await;
        let (f_first, _) = browser.wait_where("firstFrame", is("f1")).await;
        let k_at = k_first["at"].as_f64().unwrap() - t0;
        let f_at = f_first["at"].as_f64().unwrap() - t0;
        let c_at = connected["at"].as_f64().unwrap() - t0;
        eprintln!(
            "reference trial {trial}: connected {c_at:.0} ms, first frame at the kiosk page {k_at:.0} ms, at the friend {f_at:.0} ms"
        );
        if trial == 0 {
            // The first call warms Chromium's codecs up; the kiosk case gets the same warm-up.
        } else {
            out.setup.kiosk_received.push(k_at);
            out.setup.kiosk_decoded.push(k_at);
            out.setup.remote_shown.push(f_at);
            out.setup.connected.push(c_at);
        }
        if trial < opt.trials {
            browser.send(json!({"type": "leave", "id": "f1"})).await;
            browser.wait_where("legEnded", is("k")).await;
        }
    }
    // The last call stays: board round trips and glass to glass.
    tokio::time::sleep(Duration::from_secs(3)).await;
    browser
        .send(json!({"type": "rtt", "id": "k", "count": opt.pings}))
        .await;
    let (rtt, _) = browser.wait_where("rtt", is("k")).await;
    out.rtt = rtt["ms"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    page_call(browser, "samples", "k").await;
    page_call(browser, "samples", "f1").await;
    tokio::time::sleep(Duration::from_secs(opt.secs)).await;
    (out.glass.out_ages, out.glass.out_unread) = ages(&page_call(browser, "samples", "f1").await);
    (out.glass.in_ages, out.glass.in_unread) = ages(&page_call(browser, "samples", "k").await);
    out.friend_stats = page_call(browser, "stats", "f1").await;
    out.offerer_stats = page_call(browser, "stats", "k").await;
    browser.send(json!({"type": "leave", "id": "f1"})).await;
    browser.wait_where("legEnded", is("k")).await;
    browser.send(json!({"type": "close", "id": "k"})).await;
    browser.wait_where("closed", is("k")).await;
    out
}

// ---------------------------------------------------------------------------------------------
// The kiosk.

/// What the kiosk's decoders saw.
#[derive(Default)]
struct KioskSeen {
    /// Per leg: the first complete video frame from the network and the first decoded one (Unix ms).
    first_received: HashMap<LegId, f64>,
    first_decoded: HashMap<LegId, f64>,
    first_keyframe: HashMap<LegId, f64>,
    ages: Vec<f64>,
    unread: u64,
}

struct Kiosk {
    client: Arc<CallClient>,
    events: mpsc::Receiver<CallEvent>,
    seen: Arc<Mutex<KioskSeen>>,
    decoding: Arc<AtomicBool>,
    frames_in: Arc<AtomicU64>,
    remotes: Arc<Mutex<HashMap<LegId, RemoteMedia>>>,
    _mic: Microphone,
    camera: Arc<atelier_media::Camera>,
    fanout: Arc<VideoFanout>,
}

/// A GRAY8 appsink that notes each leg's first decoded frame and reads the stamps.
fn stamp_reader(leg: LegId, seen: Arc<Mutex<KioskSeen>>) -> gst::Element {
    let sink = gst_app::AppSink::builder()
        .caps(&gst::Caps::builder("video/x-raw").field("format", "GRAY8").build())
        .sync(false)
        .max_buffers(2)
        .drop(true)
        .build();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let at = now_ms();
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let value = (|| {
                    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
                    let frame =
                        gst_video::VideoFrameRef::from_buffer_ref_readable(sample.buffer()?, &info).ok()?;
                    let stride = usize::try_from(*frame.plane_stride().first()?).ok()?;
                    stamp::read(
                        frame.plane_data(0).ok()?,
                        stride,
                        info.width() as usize,
                        info.height() as usize,
                    )
                })();
                let mut seen = seen.lock().unwrap();
                seen.first_decoded.entry(leg).or_insert(at);
                match value {
                    Some(v) => seen.ages.push(stamp::age_ms(v, at as u64) as f64),
                    None => seen.unread += 1,
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    sink.upcast()
}

/// Stamps the capture time into every raw camera frame, before any branch (the encoder's included).
fn stamp_camera(camera: &atelier_media::Camera) {
    let pad = camera
        .pipeline()
        .by_name("raw")
        .and_then(|tee| tee.static_pad("sink"))
        .expect("the camera pipeline has no `raw` tee");
    pad.add_probe(gst::PadProbeType::BUFFER, |pad, info| {
        let Some(info_v) = pad
            .current_caps()
            .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
        else {
            return gst::PadProbeReturn::Ok;
        };
        if let Some(gst::PadProbeData::Buffer(buffer)) = &mut info.data {
            let buffer = buffer.make_mut();
            if let Ok(mut frame) = gst_video::VideoFrameRef::from_buffer_ref_writable(buffer, &info_v) {
                let stride = frame.plane_stride()[0].max(0) as usize;
                if let Ok(y) = frame.plane_data_mut(0) {
                    let now = now_ms() as u64 as u32;
                    stamp::draw(y, stride, info_v.width() as usize, info_v.height() as usize, now);
                }
            }
        }
        gst::PadProbeReturn::Ok
    });
}

fn fakesink() -> gst::Element {
    gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .build()
        .unwrap()
}

async fn start_kiosk(url: &str) -> Kiosk {
    // The decoder's plugins loaded once before any call, as a running kiosk has them.
    gst::init().unwrap();
    drop(RemoteMedia::new(fakesink(), Some(fakesink())).unwrap());
    let camera = test_camera();
    stamp_camera(&camera);
    let request_keyframe: Arc<dyn Fn() + Send + Sync> = {
        let camera = camera.clone();
        Arc::new(move || camera.force_keyframe())
    };
    let fanout = {
        let request = request_keyframe.clone();
        Arc::new(VideoFanout::new(move || request()).unwrap())
    };
    encode_into(&camera, &fanout);

    let seen = Arc::new(Mutex::new(KioskSeen::default()));
    let decoding = Arc::new(AtomicBool::new(true));
    let remotes: Arc<Mutex<HashMap<LegId, RemoteMedia>>> = Arc::default();
    let frames_in = Arc::new(AtomicU64::new(0));
    // Connected legs' peers: the microphone writes to them, and a decoder waiting for a keyframe asks
    // the remote for one (as the kiosk app does: Chromium sends none by itself after its first).
    let peers: Arc<Mutex<Vec<(LegId, KioskPeer)>>> = Arc::default();
    let on_frame: Arc<dyn Fn(LegId, atelier_call::RemoteFrame) + Send + Sync> = {
        let (seen, decoding, remotes, frames_in, peers) = (
            seen.clone(),
            decoding.clone(),
            remotes.clone(),
            frames_in.clone(),
            peers.clone(),
        );
        Arc::new(move |leg, f| {
            if f.kind == MediaKind::Video {
                frames_in.fetch_add(1, Ordering::Relaxed);
                let mut seen = seen.lock().unwrap();
                seen.first_received.entry(leg).or_insert_with(now_ms);
                if f.keyframe {
                    seen.first_keyframe.entry(leg).or_insert_with(now_ms);
                }
            }
            if !decoding.load(Ordering::Relaxed) {
                return;
            }
            let decoded = match (remotes.lock().unwrap().get(&leg), f.kind) {
                (Some(remote), MediaKind::Video) => remote.push_video(&f.data, f.keyframe),
                (Some(remote), MediaKind::Audio) => remote.push_audio(&f.data),
                (None, _) => false,
            };
            if !decoded && f.kind == MediaKind::Video {
                // The peer rate-limits its PLIs.
                if let Some((_, peer)) = peers.lock().unwrap().iter().find(|(l, _)| *l == leg) {
                    peer.request_remote_keyframe();
                }
            }
        })
    };
    let mut settings = CallClientSettings::new(
        url.to_owned(),
        DeviceId::new(DEMO_DEVICE_ID).unwrap(),
        Secret::new(DEMO_DEVICE_KEY),
    );
    settings.session = Some(SessionTag::new("bench-kiosk").unwrap());
    settings.peer = PeerConfig {
        bind_addrs: vec!["127.0.0.1:0".parse().unwrap()],
        ..PeerConfig::default()
    };
    let (client, mut raw_events) =
        CallClient::spawn(settings, fanout.clone(), request_keyframe, Some(on_frame));
    let client = Arc::new(client);

    // The microphone (test tone → Opus) to every connected leg, as the kiosk sends it.
    let (opus_tx, mut opus_rx) = mpsc::channel::<(Bytes, Duration)>(64);
    let mic = Microphone::start(&MicSource::Test, move |p| {
        let _ = opus_tx.try_send((Bytes::from(p.data), p.duration));
    })
    .unwrap();
    {
        let peers = peers.clone();
        tokio::spawn(async move {
            while let Some((packet, duration)) = opus_rx.recv().await {
                let now: Vec<KioskPeer> = peers.lock().unwrap().iter().map(|(_, p)| p.clone()).collect();
                for p in now {
                    let _ = p.write_audio(&packet, duration).await;
                }
            }
        });
    }

    // Events: decoders made and dropped with the legs, audio peers kept; all handed on.
    let (events_tx, events) = mpsc::channel(1024);
    {
        let (client, seen, peers, remotes) = (client.clone(), seen.clone(), peers.clone(), remotes.clone());
        tokio::spawn(async move {
            while let Some(e) = raw_events.recv().await {
                match &e {
                    CallEvent::LegStarted { leg, .. } => {
                        let media = RemoteMedia::new(
                            stamp_reader(*leg, seen.clone()),
                            Some(
                                gst::ElementFactory::make("fakesink")
                                    .property("sync", false)
                                    .build()
                                    .unwrap(),
                            ),
                        )
                        .unwrap();
                        remotes.lock().unwrap().insert(*leg, media);
                    }
                    CallEvent::LegState {
                        leg,
                        state: PeerState::Connected,
                    } => {
                        if let Ok(p) = client.peer(*leg).await {
                            peers.lock().unwrap().push((*leg, p));
                        }
                    }
                    CallEvent::LegEnded { leg, .. } => {
                        remotes.lock().unwrap().remove(leg);
                        peers.lock().unwrap().retain(|(l, _)| l != leg);
                    }
                    _ => {}
                }
                if events_tx.send(e).await.is_err() {
                    break;
                }
            }
        });
    }
    let mut kiosk = Kiosk {
        client,
        events,
        seen,
        decoding,
        frames_in,
        remotes,
        _mic: mic,
        camera,
        fanout,
    };
    kiosk
        .next("authenticated", |e| matches!(e, CallEvent::Authenticated))
        .await;
    kiosk
}

impl Kiosk {
    async fn next(&mut self, what: &str, pred: impl Fn(&CallEvent) -> bool) -> CallEvent {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) if pred(&e) => return e,
                Ok(Some(CallEvent::Error { code })) => {
                    panic!("the relay refused the kiosk: {code:?} ({what})")
                }
                Ok(Some(CallEvent::LegFailed { leg, error })) => panic!("{leg} failed: {error} ({what})"),
                Ok(Some(_)) => {}
                Ok(None) => panic!("the call client went away ({what})"),
                Err(_) => panic!("timed out waiting for {what} on the kiosk"),
            }
        }
    }

    /// An invite, and `friend` joining with it: the leg, once connected, and the join's time.
    async fn join(
        &mut self,
        browser: &mut NodeBrowser,
        url: &str,
        friend: &'static str,
    ) -> (LegId, f64, f64) {
        self.client.create_invite().await.unwrap();
        let CallEvent::InviteCreated { code, .. } = self
            .next("the invite", |e| matches!(e, CallEvent::InviteCreated { .. }))
            .await
        else {
            unreachable!()
        };
        browser
            .send(json!({"type": "join", "id": friend, "url": url, "invite": code.expose()}))
            .await;
        let (sent, _) = browser.wait_where("joinSent", is(friend)).await;
        let t0 = sent["at"].as_f64().unwrap();
        let CallEvent::LegStarted { leg, .. } = self
            .next("the leg", |e| matches!(e, CallEvent::LegStarted { .. }))
            .await
        else {
            unreachable!()
        };
        self.next(
            "the leg to connect",
            |e| matches!(e, CallEvent::LegState { leg: l, state: PeerState::Connected } if *l == leg),
        )
        .await;
        (leg, t0, now_ms())
    }

    /// The kiosk's first received and decoded frames of `leg`, waiting for them.
    async fn firsts(&self, leg: LegId) -> (f64, f64) {
        let deadline = Instant::now() + STEP;
        loop {
            {
                let seen = self.seen.lock().unwrap();
                if let (Some(r), Some(d)) = (seen.first_received.get(&leg), seen.first_decoded.get(&leg)) {
                    return (*r, *d);
                }
            }
            assert!(Instant::now() < deadline, "the kiosk decoded nothing from {leg}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    async fn leave(&mut self, browser: &mut NodeBrowser, friend: &'static str, leg: LegId) {
        browser.send(json!({"type": "leave", "id": friend})).await;
        browser.wait_where("left", is(friend)).await;
        self.next(
            "the leg to end",
            |e| matches!(e, CallEvent::LegEnded { leg: l, .. } if *l == leg),
        )
        .await;
    }
}

async fn kiosk_case(
    kiosk: &mut Kiosk,
    browser: &mut NodeBrowser,
    url: &str,
    opt: &Options,
) -> (CaseResult, LegId) {
    let mut out = CaseResult::default();
    let mut leg = None;
    for trial in 0..=opt.trials {
        let (l, t0, connected_at) = kiosk.join(browser, url, "f1").await;
        let (f_first, _) = browser.wait_where("firstFrame", is("f1")).await;
        let (received, decoded) = kiosk.firsts(l).await;
        let key = kiosk.seen.lock().unwrap().first_keyframe.get(&l).copied();
        let f_at = f_first["at"].as_f64().unwrap() - t0;
        eprintln!(
            "kiosk trial {trial}: connected {:.0} ms, first frame at the kiosk {:.0} ms (first keyframe {:.0} ms, decoded {:.0} ms), at the friend {f_at:.0} ms",
            connected_at - t0,
            received - t0,
            key.map_or(f64::NAN, |k| k - t0),
            decoded - t0
        );
        if trial > 0 {
            out.setup.kiosk_received.push(received - t0);
            out.setup.kiosk_decoded.push(decoded - t0);
            out.setup.remote_shown.push(f_at);
            out.setup.connected.push(connected_at - t0);
        }
        if trial < opt.trials {
            kiosk.leave(browser, "f1", l).await;
        } else {
            leg = Some(l);
        }
    }
    let leg = leg.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Board round trips: the kiosk sends, the page echoes, the kiosk's call client hands it on.
    let peer = kiosk.client.peer(leg).await.unwrap();
    let deadline = Instant::now() + STEP;
    while !peer.board_open() {
        assert!(Instant::now() < deadline, "the board never opened");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for i in 0..opt.pings {
        let text = format!("ping-{i}");
        let sent = Instant::now();
        peer.send_board_text(&text).await.unwrap();
        kiosk
            .next(
                "a ping's echo",
                |e| matches!(e, CallEvent::BoardText { text: t, .. } if *t == text),
            )
            .await;
        out.rtt.push(sent.elapsed().as_secs_f64() * 1000.0);
    }

    // Glass to glass, both ways.
    page_call(browser, "samples", "f1").await;
    {
        let mut seen = kiosk.seen.lock().unwrap();
        seen.ages.clear();
        seen.unread = 0;
    }
    tokio::time::sleep(Duration::from_secs(opt.secs)).await;
    (out.glass.out_ages, out.glass.out_unread) = ages(&page_call(browser, "samples", "f1").await);
    {
        let mut seen = kiosk.seen.lock().unwrap();
        out.glass.in_ages = std::mem::take(&mut seen.ages);
        out.glass.in_unread = std::mem::take(&mut seen.unread);
    }
    out.friend_stats = page_call(browser, "stats", "f1").await;
    let stats = peer.stats().await;
    let decoded = kiosk
        .remotes
        .lock()
        .unwrap()
        .get(&leg)
        .and_then(RemoteMedia::video_size);
    out.offerer_stats = json!({
        "decodedSize": decoded.map(|(w, h)| format!("{w}x{h}")),
        "videoSent": stats.video_sent, "videoReceived": stats.video_received,
        "fanout": {"framesIn": kiosk.fanout.stats().frames_in, "framesSent": kiosk.fanout.stats().frames_sent,
                   "framesDropped": kiosk.fanout.stats().frames_dropped},
    });
    (out, leg)
}

/// CPU of this process over `secs`, and the encoder's frame rate meanwhile.
async fn cpu_window(kiosk: &Kiosk, label: &'static str, remotes: usize, secs: u64) -> CpuWindow {
    let ticks = clock_ticks();
    let (c0, f0, t0) = (cpu_ticks(), kiosk.camera.frames(), Instant::now());
    let e0 = kiosk.fanout.stats().frames_in;
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (c1, f1, e1) = (cpu_ticks(), kiosk.camera.frames(), kiosk.fanout.stats().frames_in);
    let wall = t0.elapsed().as_secs_f64();
    let w = CpuWindow {
        label,
        remotes,
        decoding: kiosk.decoding.load(Ordering::Relaxed),
        cpu: 100.0 * (c1 - c0) as f64 / ticks / wall,
        fps: (e1 - e0) as f64 / wall,
    };
    eprintln!(
        "cpu {label}: {:.1} % of a core, {:.1} frames/s encoded ({:.1} from the camera), remote frames in {}",
        w.cpu,
        w.fps,
        (f1 - f0) as f64 / wall,
        kiosk.frames_in.load(Ordering::Relaxed)
    );
    w
}

async fn cpu_case(
    kiosk: &mut Kiosk,
    browser: &mut NodeBrowser,
    url: &str,
    leg1: LegId,
    secs: u64,
) -> Vec<CpuWindow> {
    let mut out = Vec::new();
    // One remote (f1, from the measurements above), decoding as the kiosk does.
    tokio::time::sleep(Duration::from_secs(1)).await;
    out.push(cpu_window(kiosk, "1 remote", 1, secs).await);
    // Three remotes.
    open_page(browser, "f2").await;
    open_page(browser, "f3").await;
    let (leg2, ..) = kiosk.join(browser, url, "f2").await;
    let (leg3, ..) = kiosk.join(browser, url, "f3").await;
    kiosk.firsts(leg2).await;
    kiosk.firsts(leg3).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(kiosk.fanout.peers(), 3);
    out.push(cpu_window(kiosk, "3 remotes", 3, secs).await);
    let mut sizes = Vec::new();
    for id in ["f1", "f2", "f3"] {
        let s = page_call(browser, "stats", id).await;
        sizes.push(format!(
            "{}: {}x{} @ {}",
            id, s["videoIn"]["frameWidth"], s["videoIn"]["frameHeight"], s["videoIn"]["framesPerSecond"]
        ));
    }
    eprintln!("the remotes receive: {}", sizes.join(", "));
    // The same without decoding the remotes' video and audio: the call core alone.
    kiosk.decoding.store(false, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(1)).await;
    out.push(cpu_window(kiosk, "3 remotes, not decoded", 3, secs).await);
    kiosk.leave(browser, "f2", leg2).await;
    kiosk.leave(browser, "f3", leg3).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    out.push(cpu_window(kiosk, "1 remote, not decoded", 1, secs).await);
    kiosk.leave(browser, "f1", leg1).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    out.push(cpu_window(kiosk, "no remote (encoder only)", 0, secs).await);
    out
}

// ---------------------------------------------------------------------------------------------
// Output.

fn fmt(v: f64) -> String {
    if v.is_nan() {
        "—".to_owned()
    } else {
        format!("{v:.1}")
    }
}

fn summary(v: &[f64]) -> Value {
    json!({"median": round(median(v)), "p95": round(pct(v, 95.0)), "min": round(pct(v, 0.0)), "n": v.len()})
}

fn round(v: f64) -> Value {
    if v.is_nan() {
        Value::Null
    } else {
        json!((v * 10.0).round() / 10.0)
    }
}

fn row(name: &str, kiosk: &[f64], reference: &[f64], target: &str) {
    println!(
        "| {name:<44} | {:>7} | {:>7} | {:>7} | {:>7} | {target:<9} |",
        fmt(median(kiosk)),
        fmt(pct(kiosk, 95.0)),
        fmt(median(reference)),
        fmt(pct(reference, 95.0)),
    );
}

fn case_json(c: &CaseResult) -> Value {
    json!({
        "joinToFirstFrameMs": {
            "offererReceived": summary(&c.setup.kiosk_received),
            "offererDecoded": summary(&c.setup.kiosk_decoded),
            "friendShown": summary(&c.setup.remote_shown),
            "bothSides": summary(&c.setup.both()),
            "connected": summary(&c.setup.connected),
        },
        "boardRttMs": summary(&c.rtt),
        "glassToGlassMs": {
            "offererToFriend": summary(&c.glass.out_ages), "offererToFriendUnread": c.glass.out_unread,
            "friendToOfferer": summary(&c.glass.in_ages), "friendToOffererUnread": c.glass.in_unread,
        },
        "friendStats": c.friend_stats,
        "offererStats": c.offerer_stats,
    })
}

fn main() {
    let opt = Options::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,rtc_ice=error,rtc_dtls=error,webrtc=error,rtc=error".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(opt));
}

async fn run(opt: Options) {
    let chromium = require_tools("the remote peers");
    install_playwright();
    let started = Instant::now();

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

    let mut browser = start_browser(&chromium).await;
    browser.wait("ready").await;
    open_page(&mut browser, "k").await;
    open_page(&mut browser, "f1").await;

    eprintln!("— the reference: Chromium (as the kiosk) ↔ Chromium (friend), through the relay");
    let reference = reference(&mut browser, &url, &opt).await;

    eprintln!("— the kiosk's call core ↔ Chromium (friend), through the relay");
    let mut kiosk = start_kiosk(&url).await;
    let (kiosk_result, leg) = kiosk_case(&mut kiosk, &mut browser, &url, &opt).await;
    eprintln!("— kiosk CPU");
    let cpu = cpu_case(&mut kiosk, &mut browser, &url, leg, opt.cpu_secs).await;
    kiosk.camera.stop_encoder();
    browser.quit(Duration::from_secs(10)).await;

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "call bench: loopback, relay in process, {cores} cores, no GPU; {} setup trials (after one warm-up), {} board pings, {} s of glass to glass",
        opt.trials, opt.pings, opt.secs
    );
    println!(
        "| {:<44} | {:>7} | {:>7} | {:>7} | {:>7} | {:<9} |",
        "ms", "kiosk", "p95", "chrome", "p95", "target"
    );
    println!(
        "|{:-<46}|{:-<9}|{:-<9}|{:-<9}|{:-<9}|{:-<11}|",
        "", "", "", "", "", ""
    );
    let (k, r) = (&kiosk_result, &reference);
    row(
        "join → connected (offerer)",
        &k.setup.connected,
        &r.setup.connected,
        "",
    );
    row(
        "join → first frame at the offerer (received)",
        &k.setup.kiosk_received,
        &r.setup.kiosk_received,
        "",
    );
    row(
        "join → first frame at the offerer (decoded)",
        &k.setup.kiosk_decoded,
        &r.setup.kiosk_decoded,
        "",
    );
    row(
        "join → first frame shown to the friend",
        &k.setup.remote_shown,
        &r.setup.remote_shown,
        "",
    );
    row(
        "join → first frame on both sides",
        &k.setup.both(),
        &r.setup.both(),
        "≤ 300",
    );
    row("board round trip, offerer → friend → offerer", &k.rtt, &r.rtt, "");
    row(
        "glass to glass, offerer → friend",
        &k.glass.out_ages,
        &r.glass.out_ages,
        "≤ 120",
    );
    row(
        "glass to glass, friend → offerer",
        &k.glass.in_ages,
        &r.glass.in_ages,
        "≤ 120",
    );
    println!(
        "stamps unread: offerer → friend {} (reference {}), friend → offerer {} (reference {})",
        k.glass.out_unread, r.glass.out_unread, k.glass.in_unread, r.glass.in_unread
    );
    let size = |v: &Value| {
        format!(
            "{}x{} @ {} fps",
            v["frameWidth"], v["frameHeight"], v["framesPerSecond"]
        )
    };
    println!(
        "video at the end: kiosk → friend {}, friend → kiosk {}; reference: offerer → friend {}, friend → offerer {}",
        size(&k.friend_stats["videoIn"]),
        k.offerer_stats["decodedSize"],
        size(&r.friend_stats["videoIn"]),
        size(&r.offerer_stats["videoIn"]),
    );
    println!();
    println!("| kiosk CPU, encoder at 1280×720@30        | % of one core | frames/s encoded |");
    println!("|------------------------------------------|---------------|------------------|");
    for w in &cpu {
        println!("| {:<40} | {:>13.1} | {:>16.1} |", w.label, w.cpu, w.fps);
    }
    println!("(whole bench {:.0} s)", started.elapsed().as_secs_f64());
    let line = json!({
        "bench": "call",
        "cores": cores,
        "trials": opt.trials,
        "kiosk": case_json(k),
        "reference": case_json(r),
        "cpu": cpu.iter().map(|w| json!({"label": w.label, "remotes": w.remotes, "decoding": w.decoding,
            "cpuPercentOfOneCore": round(w.cpu), "encodedFps": round(w.fps)})).collect::<Vec<_>>(),
    });
    println!("{line}");
}
