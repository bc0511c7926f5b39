//! Errors of a call's peer connections. Texts are for logs and staff, never sent to a remote.

/// What went wrong with a peer connection.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("the peer connection could not be set up")]
    Setup(#[source] webrtc::error::Error),
    #[error("calls need a running async runtime (tokio)")]
    NoRuntime,
    #[error("the offer could not be created")]
    Offer(#[source] webrtc::error::Error),
    #[error("the remote answer was refused")]
    Answer(#[source] webrtc::error::Error),
    #[error("a remote ICE candidate was refused")]
    Candidate(#[source] webrtc::error::Error),
    #[error("a remote ICE candidate is not valid JSON")]
    CandidateJson(#[source] serde_json::Error),
    #[error("{what} is too large ({bytes} bytes, at most {max})")]
    TooLarge {
        what: &'static str,
        bytes: usize,
        max: usize,
    },
    #[error("the board channel is not open")]
    BoardNotOpen,
    #[error("the board message could not be sent")]
    BoardSend(#[source] webrtc::error::Error),
    #[error("media could not be written to the {kind} track")]
    Media {
        kind: &'static str,
        #[source]
        source: webrtc::error::Error,
    },
    #[error("a call has at most {max} remote peers")]
    TooManyPeers { max: usize },
}
