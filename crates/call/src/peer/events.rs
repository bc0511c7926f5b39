//! The peer's event side: the connection's callbacks, the remote tracks, the board channel and
//! the remote's keyframe requests, each handed on to [`PeerHandlers`](super::PeerHandlers).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnectionEventHandler, RTCPeerConnectionIceEvent, RTCPeerConnectionState,
};

use super::board::check_inbound;
use super::h264::FrameAssembler;
use super::shared::{RxCounters, Shared};
use super::{MediaKind, PeerState, RemoteFrame};

pub(crate) struct EventHandler {
    shared: Arc<Shared>,
}

impl EventHandler {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

fn peer_state(state: RTCPeerConnectionState) -> PeerState {
    match state {
        RTCPeerConnectionState::Connecting => PeerState::Connecting,
        RTCPeerConnectionState::Connected => PeerState::Connected,
        RTCPeerConnectionState::Disconnected => PeerState::Disconnected,
        RTCPeerConnectionState::Failed => PeerState::Failed,
        RTCPeerConnectionState::Closed => PeerState::Closed,
        _ => PeerState::New,
    }
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for EventHandler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if self.shared.handlers.local_candidate.is_none() {
            return;
        }
        let mut init = match event.candidate.to_json() {
            Ok(init) => init,
            Err(e) => {
                tracing::warn!(error = %e, "a local ICE candidate could not be described");
                return;
            }
        };
        // Bundled: every m-line shares one transport, so the first one names it. (webrtc-rs
        // says `sdpMid: ""`, which browsers refuse.)
        init.sdp_mid = None;
        init.sdp_mline_index = Some(0);
        match serde_json::to_string(&init) {
            Ok(json) => self.shared.local_candidate(json),
            Err(e) => tracing::warn!(error = %e, "a local ICE candidate could not be encoded"),
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        self.shared.set_state(peer_state(state));
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        tokio::spawn(read_remote_track(self.shared.clone(), track));
    }

    async fn on_data_channel(&self, channel: Arc<dyn DataChannel>) {
        // The kiosk opens the board itself; a remote has no business opening channels.
        tracing::warn!("the remote opened a data channel of its own; closing it");
        let _ = channel.close().await;
    }
}

async fn read_remote_track(shared: Arc<Shared>, track: Arc<dyn TrackRemote>) {
    let kind = match track.kind().await {
        RtpCodecKind::Video => MediaKind::Video,
        RtpCodecKind::Audio => MediaKind::Audio,
        _ => return,
    };
    tracing::info!(kind = kind.as_str(), "remote track started");
    let counters: &RxCounters = match kind {
        MediaKind::Video => &shared.counters.video_rx,
        MediaKind::Audio => &shared.counters.audio_rx,
    };
    let mut assembler = FrameAssembler::default();
    // Decoding starts at a keyframe, and a lost frame breaks the picture until the next one: ask
    // the sender for one (PLI) until it comes, at most every 500 ms.
    let mut need_keyframe = kind == MediaKind::Video;
    let mut last_pli: Option<std::time::Instant> = None;
    let mut dropped_seen = 0;
    while let Some(event) = track.poll().await {
        let packet = match event {
            TrackRemoteEvent::OnRtpPacket(packet) => packet,
            TrackRemoteEvent::OnEnded => break,
            _ => continue,
        };
        counters.packets.fetch_add(1, Ordering::Relaxed);
        counters
            .bytes
            .fetch_add(packet.payload.len() as u64, Ordering::Relaxed);
        let header = &packet.header;
        let frame = match kind {
            MediaKind::Video => {
                let unit = assembler.push(
                    header.sequence_number,
                    header.timestamp,
                    header.marker,
                    &packet.payload,
                );
                counters
                    .frames_dropped
                    .store(assembler.dropped(), Ordering::Relaxed);
                if assembler.dropped() != dropped_seen {
                    dropped_seen = assembler.dropped();
                    need_keyframe = true;
                }
                if unit.as_ref().is_some_and(|u| u.keyframe) {
                    need_keyframe = false;
                }
                if shared.want_remote_keyframe.swap(false, Ordering::Relaxed) {
                    need_keyframe = true;
                }
                if need_keyframe
                    && last_pli.is_none_or(|t| t.elapsed() >= std::time::Duration::from_millis(500))
                {
                    last_pli = Some(std::time::Instant::now());
                    let pli = rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication {
                        sender_ssrc: 0,
                        media_ssrc: header.ssrc,
                    };
                    if let Err(e) = track.write_rtcp(vec![Box::new(pli)]).await {
                        tracing::debug!(error = %e, "could not ask the remote for a keyframe");
                    }
                }
                unit.map(|unit| RemoteFrame {
                    kind,
                    data: Bytes::from(unit.data),
                    rtp_timestamp: unit.rtp_timestamp,
                    keyframe: unit.keyframe,
                })
            }
            MediaKind::Audio if !packet.payload.is_empty() => Some(RemoteFrame {
                kind,
                data: packet.payload.clone(),
                rtp_timestamp: header.timestamp,
                keyframe: true,
            }),
            MediaKind::Audio => None,
        };
        if let Some(frame) = frame {
            counters.frames.fetch_add(1, Ordering::Relaxed);
            if let Some(cb) = &shared.handlers.remote_frame {
                cb(frame);
            }
        }
    }
    tracing::info!(kind = kind.as_str(), "remote track ended");
}

pub(crate) async fn run_board(shared: Arc<Shared>, board: Arc<dyn DataChannel>) {
    let counters = &shared.counters;
    while let Some(event) = board.poll().await {
        match event {
            DataChannelEvent::OnOpen => {
                shared.board_open.store(true, Ordering::Release);
                tracing::info!("board channel open");
                if let Some(cb) = &shared.handlers.board_open {
                    cb(());
                }
            }
            DataChannelEvent::OnMessage(message) => {
                match check_inbound(message.is_string, &message.data, shared.board_max_bytes) {
                    Ok(text) => {
                        counters.board_received.fetch_add(1, Ordering::Relaxed);
                        if let Some(cb) = &shared.handlers.board_text {
                            cb(text.to_owned());
                        }
                    }
                    Err(reason) => {
                        counters.board_dropped.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(%reason, "board message dropped");
                    }
                }
            }
            DataChannelEvent::OnClose => break,
            _ => {}
        }
    }
    shared.board_open.store(false, Ordering::Release);
    tracing::info!("board channel closed");
}

/// Runs while the sent video track is bound; `running` is cleared when it ends so the next
/// negotiation can start it again.
pub(crate) async fn forward_keyframe_requests(shared: Arc<Shared>, running: Arc<AtomicBool>) {
    let track = shared.video.track.clone();
    while let Some(event) = track.poll().await {
        if let TrackLocalEvent::OnRtcpPacket(_) = event {
            shared.counters.keyframe_requests.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("the remote asked for a keyframe");
            shared.request_keyframe();
        }
    }
    running.store(false, Ordering::Release);
}
