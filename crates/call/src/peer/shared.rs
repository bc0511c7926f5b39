//! What a peer's tasks and its connection's event handler share: callbacks, senders, counters.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::keyframe::Throttle;
use super::media::MediaSender;
use super::{PeerHandlers, PeerState, ReceivedStats};

/// Local candidates held back until the answer, at most this many (a host has a handful).
const MAX_HELD_CANDIDATES: usize = 64;

/// Counters the peer's tasks bump; read by [`KioskPeer::stats`](super::KioskPeer::stats).
#[derive(Default)]
pub(crate) struct RxCounters {
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    pub frames: AtomicU64,
    pub frames_dropped: AtomicU64,
}

impl RxCounters {
    pub fn snapshot(&self) -> ReceivedStats {
        ReceivedStats {
            packets: self.packets.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            frames: self.frames.load(Ordering::Relaxed),
            frames_dropped: self.frames_dropped.load(Ordering::Relaxed),
        }
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    pub video_rx: RxCounters,
    pub audio_rx: RxCounters,
    pub board_sent: AtomicU64,
    pub board_received: AtomicU64,
    pub board_dropped: AtomicU64,
    pub keyframe_requests: AtomicU64,
}

/// What the peer's tasks and the connection's event handler share.
pub(crate) struct Shared {
    pub handlers: PeerHandlers,
    pub video: Arc<MediaSender>,
    pub audio: Arc<MediaSender>,
    pub counters: Counters,
    pub board_open: AtomicBool,
    /// The application needs a keyframe from the remote (its decoder starts or lost its place).
    pub want_remote_keyframe: AtomicBool,
    pub board_max_bytes: usize,
    state: Mutex<PeerState>,
    keyframe_throttle: Mutex<Throttle>,
    /// Local candidates held back while an offer is out (`Some`), released with the answer.
    held_candidates: Mutex<Option<Vec<String>>>,
}

impl Shared {
    pub fn new(
        handlers: PeerHandlers,
        video: MediaSender,
        audio: MediaSender,
        board_max_bytes: usize,
        keyframe_request_gap: Duration,
    ) -> Self {
        Self {
            handlers,
            video: Arc::new(video),
            audio: Arc::new(audio),
            counters: Counters::default(),
            board_open: AtomicBool::new(false),
            want_remote_keyframe: AtomicBool::new(false),
            board_max_bytes,
            state: Mutex::new(PeerState::New),
            keyframe_throttle: Mutex::new(Throttle::new(keyframe_request_gap)),
            held_candidates: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn state(&self) -> PeerState {
        *lock(&self.state)
    }

    pub fn set_state(&self, state: PeerState) {
        let previous = std::mem::replace(&mut *lock(&self.state), state);
        if previous == state {
            return;
        }
        tracing::info!(?previous, ?state, "peer connection state");
        let connected = state == PeerState::Connected;
        self.video.set_connected(connected);
        self.audio.set_connected(connected);
        if let Some(cb) = &self.handlers.state {
            cb(state);
        }
        if connected {
            // Connecting is the one request that must not be throttled away: nothing is shown
            // remotely until it is answered.
            lock(&self.keyframe_throttle).reset();
            self.request_keyframe();
        }
    }

    /// Hands a local candidate to the kiosk, or holds it until the answer (see `hold_candidates`).
    pub fn local_candidate(&self, json: String) {
        {
            let mut held = lock(&self.held_candidates);
            if let Some(held) = held.as_mut() {
                if held.len() < MAX_HELD_CANDIDATES {
                    held.push(json);
                } else {
                    tracing::warn!("too many local ICE candidates held back; one dropped");
                }
                return;
            }
        }
        if let Some(cb) = &self.handlers.local_candidate {
            cb(json);
        }
    }

    /// From now until [`release_candidates`](Self::release_candidates), local candidates wait:
    /// applying an offer gathers them at once, before the caller has even sent the offer, and a
    /// candidate that reaches the remote before its offer is refused.
    pub fn hold_candidates(&self) {
        let mut held = lock(&self.held_candidates);
        if held.is_none() {
            *held = Some(Vec::new());
        }
    }

    pub fn release_candidates(&self) {
        let held = lock(&self.held_candidates).take();
        for json in held.into_iter().flatten() {
            if let Some(cb) = &self.handlers.local_candidate {
                cb(json);
            }
        }
    }

    /// Asks the kiosk for a keyframe, at most once per the configured gap.
    pub fn request_keyframe(&self) {
        let allowed = lock(&self.keyframe_throttle).allow(Instant::now());
        if allowed && let Some(cb) = &self.handlers.keyframe_request {
            cb(());
        }
    }
}
