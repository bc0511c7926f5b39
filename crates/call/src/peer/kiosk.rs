//! [`KioskPeer`]: one remote in a call, as the kiosk sees it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtc::peer_connection::configuration::RTCOfferOptions;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::statistics::StatsSelector;
use webrtc::data_channel::{DataChannel, RTCDataChannelInit};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, RTCConfigurationBuilder, RTCIceCandidateInit,
    RTCIceServer, RTCIceTransportPolicy, RTCSessionDescription, Registry, SettingEngineBuilder,
    register_default_interceptors,
};

use super::board::BOARD_LABEL;
use super::events::{self, EventHandler};
use super::keyframe::KeyframeRequestForwarder;
use super::media::{MediaSender, h264_codec, opus_codec};
use super::shared::Shared;
use super::{
    MediaKind, PeerConfig, PeerError, PeerHandlers, PeerState, PeerStats, SentStats, VideoSample,
    WriteOutcome,
};

/// An SDP larger than this is not a call's answer.
const MAX_SDP_BYTES: usize = 64 * 1024;
const MAX_CANDIDATE_BYTES: usize = 2 * 1024;
/// Remote candidates that arrive before the answer wait here, at most this many.
const MAX_EARLY_CANDIDATES: usize = 64;
/// How long a relayed pair waits for a direct one before it is nominated (webrtc-rs: 2 s).
const RELAY_NOMINATION_WAIT: Duration = Duration::from_millis(500);
/// Slot of the keyframe-request forwarder: after every built-in interceptor (see keyframe.rs).
const FORWARDER_SLOT: usize = 14_000;

/// How long a candidate pair is tried before it counts as failed (webrtc-rs's default window).
const ICE_ATTEMPT_WINDOW: Duration = Duration::from_millis(1400);

/// Binding requests per pair at `interval` that fill [`ICE_ATTEMPT_WINDOW`]: a short check interval
/// must not give up on a slow path (a far stylist, TURN) sooner than the default would.
fn binding_requests(interval: Duration) -> u16 {
    let interval = interval.as_millis().max(1);
    u16::try_from(ICE_ATTEMPT_WINDOW.as_millis().div_ceil(interval)).unwrap_or(u16::MAX)
}

/// The offer as sent to the remote: `a=setup:active` instead of `actpass`, so the remote answers
/// `passive` and the kiosk opens the DTLS handshake once its own ICE check has nominated a pair.
///
/// With `actpass` a browser answers `active` and sends its ClientHello as soon as *its* check
/// succeeds, but webrtc-rs 0.21 drops every non-STUN packet until the kiosk (the controlling side)
/// has nominated a pair, which it does on its next check tick; the browser then waits ~50 ms to
/// retransmit. As the client, the kiosk's hello leaves on the tick after nomination (webrtc-rs
/// queues it until the core's next timeout), so a short check interval bounds both waits
/// (docs/CALLS.md, "Speed"). This bends JSEP, which has offers say `actpass`: libwebrtc answers
/// `passive` and keeps it through ICE restarts (every Chromium test); Firefox is untested. The
/// kiosk's own description keeps `actpass`, and webrtc-rs takes its role from the answer.
pub(crate) fn kiosk_leads_dtls(sdp: &str) -> String {
    sdp.split_inclusive('\n')
        .map(|line| {
            let (text, end) = match line.strip_suffix("\r\n") {
                Some(text) => (text, "\r\n"),
                None => line.strip_suffix('\n').map_or((line, ""), |text| (text, "\n")),
            };
            if text == "a=setup:actpass" {
                format!("a=setup:active{end}")
            } else {
                line.to_owned()
            }
        })
        .collect()
}

/// One remote in a call: a WebRTC peer connection with the kiosk's camera and microphone tracks,
/// the remote's tracks, and the board channel. Cheap to clone; closed when the last clone drops.
#[derive(Clone)]
pub struct KioskPeer {
    inner: Arc<Inner>,
}

struct Inner {
    pc: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
    board: Arc<dyn DataChannel>,
    /// Remote candidates that came before the answer; `None` once the answer is set.
    early_candidates: tokio::sync::Mutex<Option<Vec<RTCIceCandidateInit>>>,
    forwarding_keyframe_requests: Arc<AtomicBool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let pc = self.pc.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = pc.close().await;
            });
        }
    }
}

impl KioskPeer {
    /// Builds the connection with its tracks and the board channel; nothing is sent until the
    /// remote answers and ICE connects. Needs a tokio runtime.
    pub async fn new(config: PeerConfig, handlers: PeerHandlers) -> Result<Self, PeerError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(PeerError::NoRuntime);
        }
        let video_codec = h264_codec();
        let audio_codec = opus_codec();
        let mut media = MediaEngine::default();
        media
            .register_codec(video_codec.clone(), RtpCodecKind::Video)
            .map_err(PeerError::Setup)?;
        media
            .register_codec(audio_codec.clone(), RtpCodecKind::Audio)
            .map_err(PeerError::Setup)?;
        let registry = register_default_interceptors(Registry::new(), &mut media)
            .map_err(PeerError::Setup)?
            .with(
                rtc::interceptor::Slot::from(FORWARDER_SLOT),
                KeyframeRequestForwarder::default(),
            );
        // Nominate the first direct path that answers: webrtc-rs otherwise holds a peer-reflexive
        // pair for 1 s (the usual first pair: a browser's checks arrive before its trickled
        // candidates), and the browser's DTLS retransmissions back off meanwhile, which cost
        // 1.6 s to connect on loopback against 0.2 s. A relay waits a little for a direct path.
        let relay_wait = if config.relay_only {
            Duration::ZERO
        } else {
            RELAY_NOMINATION_WAIT
        };
        let settings = SettingEngineBuilder::new()
            .with_ice_connection_attempts(
                Some(config.ice_check_interval),
                Some(binding_requests(config.ice_check_interval)),
            )
            .with_host_acceptance_min_wait(Some(Duration::ZERO))
            .with_prflx_acceptance_min_wait(Some(Duration::ZERO))
            .with_srflx_acceptance_min_wait(Some(Duration::ZERO))
            .with_relay_acceptance_min_wait(Some(relay_wait))
            .build();
        let ice_servers = config
            .ice_servers
            .iter()
            .map(|s| RTCIceServer {
                urls: s.urls.clone(),
                username: s.username.clone(),
                credential: s.credential.clone(),
            })
            .collect();
        let policy = if config.relay_only {
            RTCIceTransportPolicy::Relay
        } else {
            RTCIceTransportPolicy::All
        };
        let rtc_config = RTCConfigurationBuilder::new()
            .with_ice_servers(ice_servers)
            .with_ice_transport_policy(policy)
            .build();

        let shared = Arc::new(Shared::new(
            handlers,
            MediaSender::new(MediaKind::Video, &video_codec)?,
            MediaSender::new(MediaKind::Audio, &audio_codec)?,
            config.board_max_message_bytes,
            config.keyframe_request_gap,
        ));
        // Boxed: the builder's future is ~20 KB, too much to keep on the caller's stack.
        let pc = Box::pin(
            PeerConnectionBuilder::new()
                .with_configuration(rtc_config)
                .with_media_engine(media)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings)
                .with_handler(Arc::new(EventHandler::new(shared.clone())))
                .with_udp_addrs(config.bind_addrs.clone())
                .build(),
        )
        .await
        .map_err(PeerError::Setup)?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);

        // Video first: its m-line is index 0, which our trickled candidates name.
        pc.add_track(shared.video.track.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(PeerError::Setup)?;
        pc.add_track(shared.audio.track.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(PeerError::Setup)?;
        let board = pc
            .create_data_channel(
                BOARD_LABEL,
                Some(RTCDataChannelInit {
                    ordered: true,
                    ..Default::default()
                }),
            )
            .await
            .map_err(PeerError::Setup)?;
        tokio::spawn(events::run_board(shared.clone(), board.clone()));

        Ok(Self {
            inner: Arc::new(Inner {
                pc,
                shared,
                board,
                early_candidates: tokio::sync::Mutex::new(Some(Vec::new())),
                forwarding_keyframe_requests: Arc::new(AtomicBool::new(false)),
            }),
        })
    }

    /// Creates the kiosk's offer and applies it locally; send the SDP to the remote.
    pub async fn create_offer(&self) -> Result<String, PeerError> {
        self.offer(false).await
    }

    /// A new offer with fresh ICE credentials (the network changed or the connection failed);
    /// send it like the first one and apply the answer with [`set_answer`](Self::set_answer).
    pub async fn restart_ice(&self) -> Result<String, PeerError> {
        tracing::info!("restarting ICE");
        self.offer(true).await
    }

    async fn offer(&self, ice_restart: bool) -> Result<String, PeerError> {
        let pc = &self.inner.pc;
        self.inner.shared.hold_candidates();
        if ice_restart {
            // The remote's new candidates can overtake its answer; they wait for it like the first.
            let mut early = self.inner.early_candidates.lock().await;
            if early.is_none() {
                *early = Some(Vec::new());
            }
        }
        let offer = pc
            .create_offer(Some(RTCOfferOptions { ice_restart }))
            .await
            .map_err(PeerError::Offer)?;
        let sdp = kiosk_leads_dtls(&offer.sdp);
        pc.set_local_description(offer).await.map_err(PeerError::Offer)?;
        Ok(sdp)
    }

    /// Applies the remote's answer to the last offer.
    pub async fn set_answer(&self, sdp: &str) -> Result<(), PeerError> {
        if sdp.len() > MAX_SDP_BYTES {
            return Err(PeerError::TooLarge {
                what: "the answer",
                bytes: sdp.len(),
                max: MAX_SDP_BYTES,
            });
        }
        let answer = RTCSessionDescription::answer(sdp.to_owned()).map_err(PeerError::Answer)?;
        self.inner
            .pc
            .set_remote_description(answer)
            .await
            .map_err(PeerError::Answer)?;
        // The remote has our offer now: our candidates can follow it.
        self.inner.shared.release_candidates();
        let early = self.inner.early_candidates.lock().await.take();
        for candidate in early.into_iter().flatten() {
            if let Err(e) = self.inner.pc.add_ice_candidate(candidate).await {
                tracing::warn!(error = %e, "an early remote ICE candidate was refused");
            }
        }
        // The sent video track is bound now: listen for the remote's keyframe requests.
        if !self
            .inner
            .forwarding_keyframe_requests
            .swap(true, Ordering::AcqRel)
        {
            tokio::spawn(events::forward_keyframe_requests(
                self.inner.shared.clone(),
                self.inner.forwarding_keyframe_requests.clone(),
            ));
        }
        Ok(())
    }

    /// Adds a remote ICE candidate (`RTCIceCandidateInit` JSON). An empty candidate (end of
    /// candidates) is accepted and ignored.
    pub async fn add_remote_candidate(&self, json: &str) -> Result<(), PeerError> {
        if json.len() > MAX_CANDIDATE_BYTES {
            return Err(PeerError::TooLarge {
                what: "an ICE candidate",
                bytes: json.len(),
                max: MAX_CANDIDATE_BYTES,
            });
        }
        let candidate: RTCIceCandidateInit = serde_json::from_str(json).map_err(PeerError::CandidateJson)?;
        if candidate.candidate.trim().is_empty() {
            return Ok(());
        }
        {
            let mut early = self.inner.early_candidates.lock().await;
            if let Some(queue) = early.as_mut() {
                if queue.len() >= MAX_EARLY_CANDIDATES {
                    return Err(PeerError::TooLarge {
                        what: "the list of early ICE candidates",
                        bytes: queue.len() + 1,
                        max: MAX_EARLY_CANDIDATES,
                    });
                }
                queue.push(candidate);
                return Ok(());
            }
        }
        self.inner
            .pc
            .add_ice_candidate(candidate)
            .await
            .map_err(PeerError::Candidate)
    }

    /// Writes one H.264 access unit to this peer's video track (see [`super::VideoFanout`] for
    /// several peers).
    pub async fn write_video(&self, sample: &VideoSample) -> Result<WriteOutcome, PeerError> {
        let outcome = self
            .inner
            .shared
            .video
            .write(&sample.data, sample.duration, sample.keyframe)
            .await?;
        if outcome == WriteOutcome::WaitingForKeyframe {
            self.inner.shared.request_keyframe();
        }
        Ok(outcome)
    }

    /// Writes one Opus packet lasting `duration` (typically 20 ms) to the audio track.
    pub async fn write_audio(&self, packet: &Bytes, duration: Duration) -> Result<WriteOutcome, PeerError> {
        self.inner.shared.audio.write(packet, duration, true).await
    }

    /// Sends a text message on the board channel.
    pub async fn send_board_text(&self, text: &str) -> Result<(), PeerError> {
        let max = self.inner.shared.board_max_bytes;
        if text.len() > max {
            return Err(PeerError::TooLarge {
                what: "a board message",
                bytes: text.len(),
                max,
            });
        }
        if !self.board_open() {
            return Err(PeerError::BoardNotOpen);
        }
        self.inner
            .board
            .send_text(text)
            .await
            .map_err(PeerError::BoardSend)?;
        self.inner
            .shared
            .counters
            .board_sent
            .fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Asks the remote for a keyframe (a PLI, sent with its next video packet, at most every
    /// 500 ms): the application's decoder cannot start or lost its place.
    pub fn request_remote_keyframe(&self) {
        self.inner
            .shared
            .want_remote_keyframe
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether board messages can be sent now.
    pub fn board_open(&self) -> bool {
        self.inner.shared.board_open.load(Ordering::Acquire)
    }

    pub fn state(&self) -> PeerState {
        self.inner.shared.state()
    }

    /// Makes the video wait for the next keyframe (frames before it were lost on the way here).
    pub(crate) fn restart_video_at_keyframe(&self) {
        self.inner.shared.video.restart_at_keyframe();
    }

    pub(crate) fn same_as(&self, other: &KioskPeer) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// A getStats-like snapshot.
    pub async fn stats(&self) -> PeerStats {
        let shared = &self.inner.shared;
        let report = self.inner.pc.get_stats(Instant::now(), StatsSelector::None).await;
        let mut video_sent = SentStats {
            samples: shared.video.samples(),
            ..Default::default()
        };
        let mut audio_sent = SentStats {
            samples: shared.audio.samples(),
            ..Default::default()
        };
        for out in report.outbound_rtp_streams() {
            let sent = &out.sent_rtp_stream_stats;
            let target = match sent.rtp_stream_stats.kind {
                RtpCodecKind::Video => &mut video_sent,
                RtpCodecKind::Audio => &mut audio_sent,
                _ => continue,
            };
            target.packets += sent.packets_sent;
            target.bytes += sent.bytes_sent;
        }
        let video_feedback = report
            .iter()
            .filter_map(|e| match e {
                rtc::statistics::report::RTCStatsReportEntry::RemoteInboundRtp(r)
                    if r.received_rtp_stream_stats.rtp_stream_stats.kind == RtpCodecKind::Video =>
                {
                    let loss = r
                        .fraction_lost
                        .is_finite()
                        .then(|| (r.fraction_lost.clamp(0.0, 1.0) * 1e6) as u32);
                    let rtt = (r.round_trip_time_measurements > 0 && r.round_trip_time.is_finite())
                        .then(|| (r.round_trip_time.clamp(0.0, 60.0) * 1000.0) as u32);
                    loss.map(|l| (l, rtt))
                }
                _ => None,
            })
            .next();
        let transport = report.transport();
        let c = &shared.counters;
        PeerStats {
            state: shared.state(),
            bytes_sent: transport.map_or(0, |t| t.bytes_sent),
            bytes_received: transport.map_or(0, |t| t.bytes_received),
            packets_sent: transport.map_or(0, |t| t.packets_sent),
            packets_received: transport.map_or(0, |t| t.packets_received),
            video_sent,
            audio_sent,
            video_received: c.video_rx.snapshot(),
            audio_received: c.audio_rx.snapshot(),
            board_messages_sent: c.board_sent.load(Ordering::Relaxed),
            board_messages_received: c.board_received.load(Ordering::Relaxed),
            board_messages_dropped: c.board_dropped.load(Ordering::Relaxed),
            keyframe_requests_received: c.keyframe_requests.load(Ordering::Relaxed),
            video_loss_ppm: video_feedback.map(|(l, _)| l),
            video_rtt_ms: video_feedback.and_then(|(_, r)| r),
        }
    }

    /// Closes the connection (the remote sees it end); the peer is done after this.
    pub async fn close(&self) {
        if let Err(e) = self.inner.pc.close().await {
            tracing::debug!(error = %e, "closing the peer connection");
        }
        self.inner.shared.set_state(PeerState::Closed);
    }
}

impl std::fmt::Debug for KioskPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskPeer")
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sent_offer_asks_the_remote_to_be_the_dtls_server() {
        let sdp = "v=0\r\na=group:BUNDLE 0 1\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=setup:actpass\r\n\
                   a=mid:0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=setup:actpass\r\n";
        let sent = kiosk_leads_dtls(sdp);
        assert_eq!(sent, sdp.replace("a=setup:actpass", "a=setup:active"));
        // Nothing else changes; bare newlines are kept too.
        assert_eq!(
            kiosk_leads_dtls("a=setup:actpass\na=mid:0"),
            "a=setup:active\na=mid:0"
        );
        assert_eq!(
            kiosk_leads_dtls("a=setup:actpassive\r\n"),
            "a=setup:actpassive\r\n"
        );
    }

    #[test]
    fn a_short_check_interval_keeps_the_attempt_window() {
        assert_eq!(binding_requests(Duration::from_millis(200)), 7);
        assert_eq!(binding_requests(Duration::from_millis(50)), 28);
        assert_eq!(binding_requests(Duration::ZERO), 1400);
    }
}
