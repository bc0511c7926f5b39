//! The WebSocket plumbing both kiosk clients share (the presence link on `/ws` and the call socket
//! on `/call`): one message out, one frame in, and error texts kept short for logs and the UI.

use atelier_protocol::{decode, encode};
use futures_util::SinkExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_tungstenite::tungstenite::Message;

pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why a frame could not be sent or read; each client maps it onto its own link error.
#[derive(Debug)]
pub(crate) enum FrameError {
    Closed,
    Io(String),
    Garbage,
}

pub(crate) async fn send<T: Serialize>(ws: &mut Ws, msg: &T) -> Result<(), FrameError> {
    let text = encode(msg).map_err(|e| FrameError::Io(e.to_string()))?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| FrameError::Io(short(&e.to_string())))
}

/// One frame in: a message, `None` for frames to ignore (pings), or why the link is unusable.
/// `what` names the socket in the log line of a refused message.
pub(crate) fn read<T: DeserializeOwned>(
    frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    what: &str,
) -> Result<Option<T>, FrameError> {
    match frame {
        None | Some(Ok(Message::Close(_))) => Err(FrameError::Closed),
        Some(Err(e)) => Err(FrameError::Io(short(&e.to_string()))),
        Some(Ok(Message::Text(text))) => match decode::<T>(&text) {
            Ok(m) => Ok(Some(m)),
            Err(e) => {
                tracing::warn!(error = %e, "rejected a message {what}");
                Err(FrameError::Garbage)
            }
        },
        Some(Ok(Message::Binary(_))) => {
            tracing::warn!("rejected a binary frame {what}");
            Err(FrameError::Garbage)
        }
        Some(Ok(_)) => Ok(None),
    }
}

/// An error text cut to 160 characters.
pub(crate) fn short(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        s.chars().take(MAX).collect::<String>() + "…"
    }
}
