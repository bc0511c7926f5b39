//! One encoded camera stream to every peer of a call.
//!
//! The camera's encoder calls [`VideoFanout::push`] from its streaming thread; a bounded queue
//! hands each access unit to one task that writes it to every peer's track at once. A full queue
//! drops the frame, and since later frames refer to it, every peer then waits for a keyframe,
//! which is requested at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::join_all;
use serde::Serialize;
use tokio::sync::mpsc;

use super::clock::SampleClock;
use super::keyframe::Throttle;
use super::{KioskPeer, PeerError, VideoSample, WriteOutcome};

/// Two friends and a stylist.
pub const MAX_PEERS: usize = 3;
/// About 130 ms of 30 fps video; more would only add latency.
const QUEUE_FRAMES: usize = 4;
const NOMINAL_FRAME: Duration = Duration::from_millis(33);
const KEYFRAME_REQUEST_GAP: Duration = Duration::from_millis(300);

/// One access unit from the encoder (H.264 Annex B, as the camera's encoder branch makes it).
#[derive(Debug, Clone)]
pub struct EncodedVideo {
    pub data: Bytes,
    /// The encoder's presentation timestamp; durations are taken from its differences.
    pub pts: Option<Duration>,
    pub keyframe: bool,
}

/// Counters of the fanout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FanoutStats {
    pub frames_in: u64,
    /// Dropped because the writer fell behind.
    pub frames_dropped: u64,
    /// Written to at least one peer.
    pub frames_sent: u64,
}

struct Shared {
    peers: Mutex<Vec<KioskPeer>>,
    on_keyframe_request: Box<dyn Fn() + Send + Sync>,
    throttle: Mutex<Throttle>,
    frames_in: AtomicU64,
    frames_dropped: AtomicU64,
    frames_sent: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn request_keyframe(&self) {
        if lock(&self.throttle).allow(Instant::now()) {
            (self.on_keyframe_request)();
        }
    }
}

/// Writes each encoded frame once to every peer of the call (at most [`MAX_PEERS`]).
/// The writer task stops when the fanout is dropped.
pub struct VideoFanout {
    tx: mpsc::Sender<EncodedVideo>,
    shared: Arc<Shared>,
}

impl VideoFanout {
    /// Starts the writer on the current tokio runtime. `on_keyframe_request` is called when frames
    /// had to be dropped (wire it to the camera's `force_keyframe`, like the peers' own requests).
    pub fn new(on_keyframe_request: impl Fn() + Send + Sync + 'static) -> Result<Self, PeerError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| PeerError::NoRuntime)?;
        let (tx, rx) = mpsc::channel(QUEUE_FRAMES);
        let shared = Arc::new(Shared {
            peers: Mutex::new(Vec::new()),
            on_keyframe_request: Box::new(on_keyframe_request),
            throttle: Mutex::new(Throttle::new(KEYFRAME_REQUEST_GAP)),
            frames_in: AtomicU64::new(0),
            frames_dropped: AtomicU64::new(0),
            frames_sent: AtomicU64::new(0),
        });
        runtime.spawn(write_frames(shared.clone(), rx));
        Ok(Self { tx, shared })
    }

    /// Adds a peer; it receives video once it is connected, from the next keyframe on.
    pub fn add(&self, peer: &KioskPeer) -> Result<(), PeerError> {
        let mut peers = lock(&self.shared.peers);
        if peers.iter().any(|p| p.same_as(peer)) {
            return Ok(());
        }
        if peers.len() >= MAX_PEERS {
            return Err(PeerError::TooManyPeers { max: MAX_PEERS });
        }
        peers.push(peer.clone());
        Ok(())
    }

    /// Stops sending to a peer (it left the call).
    pub fn remove(&self, peer: &KioskPeer) {
        lock(&self.shared.peers).retain(|p| !p.same_as(peer));
    }

    /// How many peers receive the stream.
    pub fn peers(&self) -> usize {
        lock(&self.shared.peers).len()
    }

    /// Hands on one encoded frame; never blocks (call it from the encoder's thread).
    pub fn push(&self, frame: EncodedVideo) {
        self.shared.frames_in.fetch_add(1, Ordering::Relaxed);
        if self.tx.try_send(frame).is_err() {
            self.shared.frames_dropped.fetch_add(1, Ordering::Relaxed);
            for peer in lock(&self.shared.peers).iter() {
                peer.restart_video_at_keyframe();
            }
            tracing::debug!("video fanout behind: frame dropped, asking for a keyframe");
            self.shared.request_keyframe();
        }
    }

    pub fn stats(&self) -> FanoutStats {
        let s = &self.shared;
        FanoutStats {
            frames_in: s.frames_in.load(Ordering::Relaxed),
            frames_dropped: s.frames_dropped.load(Ordering::Relaxed),
            frames_sent: s.frames_sent.load(Ordering::Relaxed),
        }
    }
}

impl std::fmt::Debug for VideoFanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoFanout")
            .field("peers", &self.peers())
            .field("stats", &self.stats())
            .finish()
    }
}

async fn write_frames(shared: Arc<Shared>, mut rx: mpsc::Receiver<EncodedVideo>) {
    let mut clock = SampleClock::new(NOMINAL_FRAME);
    while let Some(frame) = rx.recv().await {
        let sample = VideoSample {
            duration: clock.duration_for(frame.pts),
            data: frame.data,
            keyframe: frame.keyframe,
        };
        let peers = lock(&shared.peers).clone();
        let results = join_all(peers.iter().map(|p| p.write_video(&sample))).await;
        let mut sent = false;
        for result in results {
            match result {
                Ok(WriteOutcome::Sent) => sent = true,
                Ok(_) => {}
                // The peer is going away; its state callback tells the kiosk.
                Err(e) => tracing::debug!(error = %e, "video not written to a peer"),
            }
        }
        if sent {
            shared.frames_sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}
