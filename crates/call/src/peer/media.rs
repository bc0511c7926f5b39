//! The kiosk's outgoing tracks: the codecs it offers and one sender per track and peer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_H264, MIME_TYPE_OPUS};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;

use super::{MediaKind, PeerError, WriteOutcome};

/// Our payload types. The kiosk always offers, and an answer keeps the offerer's numbers.
const H264_PAYLOAD_TYPE: u8 = 102;
const OPUS_PAYLOAD_TYPE: u8 = 111;

pub(crate) fn h264_codec() -> RTCRtpCodecParameters {
    let feedback = |typ: &str, parameter: &str| RTCPFeedback {
        typ: typ.to_owned(),
        parameter: parameter.to_owned(),
    };
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_H264.to_owned(),
            clock_rate: 90_000,
            channels: 0,
            // Constrained baseline 3.1: what x264 makes for us and what every browser decodes.
            sdp_fmtp_line: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
                .to_owned(),
            rtcp_feedback: vec![
                feedback("goog-remb", ""),
                feedback("ccm", "fir"),
                feedback("nack", ""),
                feedback("nack", "pli"),
            ],
        },
        payload_type: H264_PAYLOAD_TYPE,
    }
}

pub(crate) fn opus_codec() -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_OPUS.to_owned(),
            clock_rate: 48_000,
            channels: 2,
            sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
            rtcp_feedback: vec![],
        },
        payload_type: OPUS_PAYLOAD_TYPE,
    }
}

/// One outgoing track: its own packetizer (sequence numbers, timestamps) per peer.
pub(crate) struct MediaSender {
    kind: MediaKind,
    pub track: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    payload_type: u8,
    connected: AtomicBool,
    /// Video only: after (re)connecting, deltas are useless until a keyframe.
    awaiting_keyframe: AtomicBool,
    samples: AtomicU64,
}

impl MediaSender {
    pub fn new(kind: MediaKind, codec: &RTCRtpCodecParameters) -> Result<Self, PeerError> {
        let ssrc = rand::random::<u32>();
        let rtc_kind = match kind {
            MediaKind::Audio => RtpCodecKind::Audio,
            MediaKind::Video => RtpCodecKind::Video,
        };
        let track = MediaStreamTrack::new(
            "atelier-kiosk".to_owned(),
            format!("kiosk-{}", kind.as_str()),
            format!("kiosk {}", kind.as_str()),
            rtc_kind,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: codec.rtp_codec.clone(),
                ..Default::default()
            }],
        );
        let track = TrackLocalStaticSample::new(Instant::now(), track).map_err(PeerError::Setup)?;
        Ok(Self {
            kind,
            track: Arc::new(track),
            ssrc,
            payload_type: codec.payload_type,
            connected: AtomicBool::new(false),
            awaiting_keyframe: AtomicBool::new(kind == MediaKind::Video),
            samples: AtomicU64::new(0),
        })
    }

    /// Samples written so far.
    pub fn samples(&self) -> u64 {
        self.samples.load(Ordering::Relaxed)
    }

    pub fn set_connected(&self, connected: bool) {
        if connected && self.kind == MediaKind::Video {
            self.awaiting_keyframe.store(true, Ordering::Release);
        }
        self.connected.store(connected, Ordering::Release);
    }

    /// Makes the stream wait for the next keyframe (a frame before it was lost).
    pub fn restart_at_keyframe(&self) {
        if self.kind == MediaKind::Video {
            self.awaiting_keyframe.store(true, Ordering::Release);
        }
    }

    pub async fn write(
        &self,
        data: &Bytes,
        duration: Duration,
        keyframe: bool,
    ) -> Result<WriteOutcome, PeerError> {
        if !self.connected.load(Ordering::Acquire) {
            return Ok(WriteOutcome::NotConnected);
        }
        if self.awaiting_keyframe.load(Ordering::Acquire) {
            if !keyframe {
                return Ok(WriteOutcome::WaitingForKeyframe);
            }
            self.awaiting_keyframe.store(false, Ordering::Release);
        }
        let sample = Sample {
            data: data.clone(),
            duration,
            ..Sample::new(Instant::now())
        };
        self.track
            .write_sample(self.ssrc, self.payload_type, &sample, &[])
            .await
            .map_err(|source| PeerError::Media {
                kind: self.kind.as_str(),
                source,
            })?;
        self.samples.fetch_add(1, Ordering::Relaxed);
        Ok(WriteOutcome::Sent)
    }
}
