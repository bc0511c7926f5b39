//! What the mirror shows of a call (`CallView`, sent to the page as the `call` event) and the small
//! pure helpers behind it: the relay's URLs, the invite's QR code, where remote tiles go.

use std::time::Instant;

use serde::Serialize;
use ts_rs::TS;

use crate::ipc::CardView;

/// A friend's way in.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteView {
    /// `http(s)://<relay>/join#<token>`, what the QR code holds.
    pub url: String,
    /// Six characters to type at `<relay>/join`.
    pub code: String,
    /// Where to type it, for the screen.
    pub join_at: String,
    #[ts(type = "number")]
    pub expires_at_ms: u64,
    /// The QR code as an SVG path over a `size`×`size` grid (quiet zone included).
    pub qr_path: String,
    pub qr_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    pub position: u32,
    pub wait_secs: Option<u32>,
    pub on_duty: u32,
}

/// Where a remote's video is drawn, as fractions of the window (the page leaves it clear).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TileRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteView {
    #[ts(type = "number")]
    pub leg: u64,
    /// `friend`, `stylist`, `staff`.
    pub role: String,
    pub name: String,
    /// Media flows.
    pub connected: bool,
    /// Their socket dropped; the leg waits for them.
    pub away: bool,
    /// Their picture is on the mirror.
    pub video: bool,
    pub tile: Option<TileRect>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BoardCardView {
    #[ts(type = "number")]
    pub id: u64,
    pub sku: String,
    pub by: String,
    pub size: Option<String>,
    pub colour: Option<String>,
    pub note: Option<String>,
    pub product: Option<CardView>,
    pub keep: u32,
    pub skip: u32,
    pub size_up: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StrokeView {
    #[ts(type = "number")]
    pub id: u64,
    /// `white`, `black`, `red`, `yellow`, `green`, `blue`, `pink`.
    pub colour: String,
    /// Thousandths of the video's width.
    pub width: u32,
    /// x, y pairs in 0–1 of the shopper's (unmirrored) picture.
    pub points: Vec<[f32; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatView {
    #[ts(type = "number")]
    pub id: u64,
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReactionView {
    #[ts(type = "number")]
    pub id: u64,
    pub by: String,
    pub reaction: String,
}

/// A shopper's ask to store staff, as the mirror shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AskView {
    pub ask: u32,
    pub sku: String,
    pub name: Option<String>,
    pub size: Option<String>,
    pub colour: Option<String>,
    /// `sending`, `open`, `onMyWay`, `notInStock`, `arrived`, or `unreachable` (the store link is
    /// down: go to the counter).
    pub state: String,
    /// Who answered.
    pub by: Option<String>,
    /// What staff suggest instead (not in stock).
    pub suggestion: Option<String>,
    /// Nobody answered within `[ui] staff_answer_secs`: offer a stylist call.
    pub overdue: bool,
    #[serde(skip)]
    #[ts(skip)]
    pub asked_at: Option<Instant>,
}

/// Everything of the call the mirror shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallView {
    /// A relay is configured (calls are possible at all).
    pub enabled: bool,
    /// The call socket is up now.
    pub online: bool,
    pub invite: Option<InviteView>,
    pub queue: Option<QueueView>,
    pub remotes: Vec<RemoteView>,
    /// Video and sound are leaving the device now.
    pub live: bool,
    pub muted: bool,
    pub camera_off: bool,
    pub cards: Vec<BoardCardView>,
    pub strokes: Vec<StrokeView>,
    pub chat: Vec<ChatView>,
    pub reactions: Vec<ReactionView>,
    /// Asks to store staff this session, newest last.
    pub asks: Vec<AskView>,
    /// The last thing that went wrong, as a code for the UI to word: `offline`, `noStylists`,
    /// `kioskNotEnrolled`, `callFull`, `failed`.
    pub notice: Option<String>,
}

impl CallView {
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            online: false,
            invite: None,
            queue: None,
            remotes: Vec::new(),
            live: false,
            muted: false,
            camera_off: false,
            cards: Vec::new(),
            strokes: Vec::new(),
            chat: Vec::new(),
            reactions: Vec::new(),
            asks: Vec::new(),
            notice: None,
        }
    }
}

/// The call socket's URL from the kiosk's relay URL (`ws://host:port/ws` → `…/call`).
pub fn call_url(relay_url: &str) -> String {
    match relay_url.strip_suffix("/ws") {
        Some(base) => format!("{base}/call"),
        None => format!("{}/call", relay_url.trim_end_matches('/')),
    }
}

/// The relay's web address for people (`ws://host:port/ws` → `http://host:port`).
pub fn web_base(relay_url: &str) -> String {
    let base = relay_url.strip_suffix("/ws").unwrap_or(relay_url);
    if let Some(rest) = base.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = base.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        base.to_owned()
    }
}

/// The QR code of `text` as an SVG path of unit squares, with a 4-module quiet zone.
pub fn qr_path(text: &str) -> Option<(String, u32)> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let mut path = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == qrcode::Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == qrcode::Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + quiet,
                    y + quiet,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    Some((path, (width + 2 * quiet) as u32))
}

/// Where remote `index` is drawn: a column of portrait (3:4) tiles at the top right.
pub fn tile_rect(index: usize, window: (u32, u32)) -> TileRect {
    let (ww, wh) = (window.0.max(1) as f32, window.1.max(1) as f32);
    let h = if wh >= ww { 0.24 } else { 0.28 };
    let w = h * wh * 0.75 / ww;
    let x = 1.0 - w - 0.025;
    let y = 0.10 + index as f32 * (h + 0.015);
    TileRect { x, y, w, h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_the_relay_url() {
        assert_eq!(call_url("ws://127.0.0.1:8787/ws"), "ws://127.0.0.1:8787/call");
        assert_eq!(
            call_url("wss://relay.example.com/ws"),
            "wss://relay.example.com/call"
        );
        assert_eq!(web_base("ws://127.0.0.1:8787/ws"), "http://127.0.0.1:8787");
        assert_eq!(
            web_base("wss://relay.example.com/ws"),
            "https://relay.example.com"
        );
    }

    #[test]
    fn a_qr_path_covers_the_grid() {
        let (path, size) =
            qr_path("http://127.0.0.1:8787/join#abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
        assert!(size >= 29 + 8, "{size}");
        assert!(
            path.starts_with("M4 4h7"),
            "the finder pattern's top row: {}",
            &path[..20]
        );
        assert!(!path.contains('<') && !path.contains('"'));
    }

    #[test]
    fn tiles_stack_without_overlap_inside_the_window() {
        for window in [(1080, 1920), (1920, 1080), (800, 1280)] {
            let rects: Vec<_> = (0..3).map(|i| tile_rect(i, window)).collect();
            for (i, r) in rects.iter().enumerate() {
                assert!(
                    r.x >= 0.0 && r.x + r.w <= 1.0 && r.y + r.h <= 1.0,
                    "{window:?} {i} {r:?}"
                );
                if i > 0 {
                    assert!(r.y >= rects[i - 1].y + rects[i - 1].h, "{window:?} {i}");
                }
            }
        }
    }
}
