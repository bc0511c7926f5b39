//! WebRTC signalling between the two ends of a leg, and the checks the relay makes before it
//! forwards a signal.

use serde::{Deserialize, Serialize};

use super::{MAX_CANDIDATE_BYTES, MAX_M_LINES, MAX_MID_BYTES, MAX_SDP_BYTES, MAX_UFRAG_BYTES};

/// WebRTC signalling between the two ends of a leg, relayed as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Signal {
    /// A session description offer; a new one on a live leg is an ICE restart or renegotiation.
    Offer {
        sdp: String,
    },
    Answer {
        sdp: String,
    },
    /// One trickled candidate, as `RTCIceCandidateInit`.
    Candidate {
        candidate: String,
        #[serde(default)]
        sdp_mid: Option<String>,
        #[serde(default)]
        sdp_m_line_index: Option<u16>,
        #[serde(default)]
        username_fragment: Option<String>,
    },
    /// No more candidates for this round of gathering.
    EndOfCandidates,
}

/// A signal failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalError {
    #[error("SDP of {len_bytes} bytes exceeds {max_bytes}")]
    SdpTooLarge { len_bytes: usize, max_bytes: usize },
    #[error("SDP must start with \"v=0\"")]
    SdpNotSdp,
    #[error("SDP holds a control character other than CR and LF")]
    SdpControl,
    #[error("candidate of {len_bytes} bytes exceeds {max_bytes}")]
    CandidateTooLarge { len_bytes: usize, max_bytes: usize },
    #[error("candidate must start with \"candidate:\"")]
    NotACandidate,
    #[error("{field} holds a control character")]
    Control { field: &'static str },
    #[error("{field} is too long")]
    TooLong { field: &'static str },
    #[error("sdpMLineIndex out of range")]
    LineIndex,
}

fn check_sdp(sdp: &str) -> Result<(), SignalError> {
    if sdp.len() > MAX_SDP_BYTES {
        return Err(SignalError::SdpTooLarge {
            len_bytes: sdp.len(),
            max_bytes: MAX_SDP_BYTES,
        });
    }
    if !sdp.starts_with("v=0") {
        return Err(SignalError::SdpNotSdp);
    }
    if sdp.chars().any(|c| c.is_control() && c != '\r' && c != '\n') {
        return Err(SignalError::SdpControl);
    }
    Ok(())
}

fn check_field(field: &'static str, value: &str, max_bytes: usize) -> Result<(), SignalError> {
    if value.len() > max_bytes {
        return Err(SignalError::TooLong { field });
    }
    if value.chars().any(char::is_control) {
        return Err(SignalError::Control { field });
    }
    Ok(())
}

impl Signal {
    /// Checks sizes and characters; the relay forwards only signals that pass.
    pub fn validate(&self) -> Result<(), SignalError> {
        match self {
            Signal::Offer { sdp } | Signal::Answer { sdp } => check_sdp(sdp),
            Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_m_line_index,
                username_fragment,
            } => {
                if candidate.len() > MAX_CANDIDATE_BYTES {
                    return Err(SignalError::CandidateTooLarge {
                        len_bytes: candidate.len(),
                        max_bytes: MAX_CANDIDATE_BYTES,
                    });
                }
                if !candidate.starts_with("candidate:") {
                    return Err(SignalError::NotACandidate);
                }
                check_field("candidate", candidate, MAX_CANDIDATE_BYTES)?;
                if let Some(mid) = sdp_mid {
                    check_field("sdpMid", mid, MAX_MID_BYTES)?;
                }
                if sdp_m_line_index.is_some_and(|i| i >= MAX_M_LINES) {
                    return Err(SignalError::LineIndex);
                }
                if let Some(ufrag) = username_fragment {
                    check_field("usernameFragment", ufrag, MAX_UFRAG_BYTES)?;
                }
                Ok(())
            }
            Signal::EndOfCandidates => Ok(()),
        }
    }
}
