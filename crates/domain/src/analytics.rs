//! Analytics events: what a fitting room reports about its use, and nothing about the shopper.
//!
//! Events carry counts, durations, look numbers and product SKUs. They never carry anything about
//! the shopper's body, face or skin, nor names, invite codes or free text (a complaint is a code).
//! Each event is wrapped in a [`Record`] with an idempotency key unique per event, so the kiosk
//! can send it again after a crash or a lost answer and the relay still counts it once
//! (docs/ANALYTICS.md). [`report`] turns stored events into per store, room and day figures.

pub mod report;

use serde::{Deserialize, Serialize};

use crate::session::{EndReason, SessionPhase, SessionView};

/// Longest idempotency key, in bytes.
pub const MAX_KEY_BYTES: usize = 160;
/// Most products one event may name (a look has at most 8 garments).
pub const MAX_PRODUCTS: usize = 16;
/// Longest product SKU, in bytes.
pub const MAX_SKU_BYTES: usize = 64;

/// Who the shopper asked for advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    Friend,
    Stylist,
}

/// Something that happened at a kiosk. Stored in the kiosk's outbox as the `kind` column plus the
/// whole [`Record`] as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A shopper started using the mirror.
    SessionStarted,
    /// The session ended (and was wiped).
    SessionEnded { duration_secs: u32, reason: EndReason },
    /// A look was in view (once per look per session).
    LookShown { look: u32, products: Vec<String> },
    /// The shopper stayed on a look.
    LookOpened { look: u32, products: Vec<String> },
    /// A garment of the look was scanned in the room, or the look was asked for.
    LookTried { look: u32, products: Vec<String> },
    /// "Bring me this": staff asked to bring products (a size, never a body measurement).
    BringMe {
        look: Option<u32>,
        products: Vec<String>,
        size: Option<String>,
    },
    /// The shopper asked a friend or a stylist for advice.
    CallRequested { call: CallKind },
    /// Someone joined: the call is live.
    CallStarted { call: CallKind },
    /// The call ended after `duration_secs` live (0 if it never started).
    CallEnded { call: CallKind, duration_secs: u32 },
    /// A complaint, as a short code (`camera`, `fit`, `wait`, `other`…), never free text.
    Complaint { reason: String },
    /// A purchase of these products, from a till integration (none produces it yet).
    Purchase { products: Vec<String> },
    /// The kiosk was running during this UTC hour (hours since the epoch); the denominator of the
    /// usage rate. Its key is per device and hour, so it counts once however often it is recorded.
    OpenHour { hour: i64 },
}

impl Event {
    /// The `kind` tag, as stored in the outbox's `kind` column and the relay's table.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::SessionStarted => "session_started",
            Event::SessionEnded { .. } => "session_ended",
            Event::LookShown { .. } => "look_shown",
            Event::LookOpened { .. } => "look_opened",
            Event::LookTried { .. } => "look_tried",
            Event::BringMe { .. } => "bring_me",
            Event::CallRequested { .. } => "call_requested",
            Event::CallStarted { .. } => "call_started",
            Event::CallEnded { .. } => "call_ended",
            Event::Complaint { .. } => "complaint",
            Event::Purchase { .. } => "purchase",
            Event::OpenHour { .. } => "open_hour",
        }
    }

    fn products(&self) -> &[String] {
        match self {
            Event::LookShown { products, .. }
            | Event::LookOpened { products, .. }
            | Event::LookTried { products, .. }
            | Event::BringMe { products, .. }
            | Event::Purchase { products } => products,
            _ => &[],
        }
    }
}

/// One event as sent: its idempotency key, where and when (UTC) it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Unique per event; starts with `<device>-`.
    pub key: String,
    pub device: String,
    pub store: String,
    pub room: String,
    /// When it happened: UTC milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub event: Event,
}

/// Why a record is refused. Safe to log: it names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    #[error("the idempotency key is empty, too long or not printable ASCII")]
    Key,
    #[error("the idempotency key does not start with the sending device's id")]
    KeyNotOfDevice,
    #[error("too many products, or a product SKU that is empty, too long or has control characters")]
    Products,
    #[error("the size is not a short size label")]
    Size,
    #[error("the complaint reason is not a short code (a-z, 0-9, - and _)")]
    Reason,
    #[error("the time is before 2020 or more than a day in the future")]
    Time,
}

/// 2020-01-01T00:00:00Z: anything earlier is a kiosk with an unset clock.
const EARLIEST_MS: i64 = 1_577_836_800_000;
const DAY_MS: i64 = 86_400_000;

fn printable_ascii(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_graphic())
}

impl Record {
    /// Checks a record that came from `device` at `now_ms` (the relay's clock).
    pub fn validate(&self, device: &str, now_ms: i64) -> Result<(), InvalidEvent> {
        if !printable_ascii(&self.key, MAX_KEY_BYTES) {
            return Err(InvalidEvent::Key);
        }
        let of_device = self
            .key
            .strip_prefix(device)
            .is_some_and(|rest| rest.starts_with('-'));
        if !of_device {
            return Err(InvalidEvent::KeyNotOfDevice);
        }
        if self.at_ms < EARLIEST_MS || self.at_ms > now_ms.saturating_add(DAY_MS) {
            return Err(InvalidEvent::Time);
        }
        let products = self.event.products();
        if products.len() > MAX_PRODUCTS
            || products
                .iter()
                .any(|p| p.is_empty() || p.len() > MAX_SKU_BYTES || p.chars().any(char::is_control))
        {
            return Err(InvalidEvent::Products);
        }
        match &self.event {
            Event::BringMe { size: Some(s), .. } if !printable_ascii(s, 12) => Err(InvalidEvent::Size),
            Event::Complaint { reason } if !is_code(reason) => Err(InvalidEvent::Reason),
            _ => Ok(()),
        }
    }
}

/// A complaint code: 1 to 32 of `a-z 0-9 - _`.
pub fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Idempotency keys for one run of a kiosk: `<device>-<random prefix>-<counter>`. The prefix
/// (64 random bits, drawn by the caller) keeps keys of different runs apart without any state on
/// disk.
#[derive(Debug, Clone)]
pub struct EventKeys {
    prefix: String,
    next: u64,
}

impl EventKeys {
    /// Keys for `device` in a run identified by `random`.
    pub fn new(device: &str, random: u64) -> Self {
        Self {
            prefix: format!("{device}-{random:016x}"),
            next: 1,
        }
    }

    /// The next key.
    pub fn next_key(&mut self) -> String {
        let key = format!("{}-{}", self.prefix, self.next);
        self.next += 1;
        key
    }
}

/// The key of [`Event::OpenHour`]: one per device and UTC hour, whichever run records it.
pub fn open_hour_key(device: &str, hour: i64) -> String {
    format!("{device}-open-{hour}")
}

/// The UTC hour (since the epoch) of a time in milliseconds.
pub fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(3_600_000)
}

/// Turns what the session shows into session events, for a shell that samples
/// [`crate::Session::view`] (every path that starts or ends a session, idle timeouts included,
/// shows up there). A sample a little late only blurs a duration by the sampling period.
#[derive(Debug, Clone, Default)]
pub struct SessionTracker {
    /// The session being watched: its number and when it started (UTC ms).
    current: Option<(u64, i64)>,
}

impl SessionTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one sample taken at `now_ms`. `ended_by`: the reason the shell knows for the end of
    /// session `number` (the shopper's button); otherwise an end is an idle timeout. Returns the
    /// events with their times.
    pub fn observe(
        &mut self,
        view: &SessionView,
        now_ms: i64,
        ended_by: Option<(u64, EndReason)>,
    ) -> Vec<(i64, Event)> {
        let mut out = Vec::new();
        let active = view.phase != SessionPhase::Attract;
        if let Some((number, started_ms)) = self.current
            && (!active || view.number != number)
        {
            let reason = match ended_by {
                Some((n, reason)) if n == number => reason,
                _ => EndReason::IdleTimeout,
            };
            let duration_ms = now_ms.saturating_sub(started_ms).max(0);
            out.push((
                now_ms,
                Event::SessionEnded {
                    duration_secs: u32::try_from((duration_ms + 500) / 1000).unwrap_or(u32::MAX),
                    reason,
                },
            ));
            self.current = None;
        }
        if active && self.current.is_none() {
            let elapsed_ms = i64::try_from(view.elapsed_secs.saturating_mul(1000)).unwrap_or(0);
            let started_ms = now_ms.saturating_sub(elapsed_ms);
            self.current = Some((view.number, started_ms));
            out.push((started_ms, Event::SessionStarted));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(event: Event) -> Record {
        Record {
            key: "k1-00000000000000aa-1".into(),
            device: "k1".into(),
            store: "s".into(),
            room: "r".into(),
            at_ms: 1_750_000_000_000,
            event,
        }
    }

    #[test]
    fn records_round_trip_as_json_with_a_snake_case_kind() {
        let r = record(Event::CallEnded {
            call: CallKind::Stylist,
            duration_secs: 95,
        });
        let text = serde_json::to_string(&r).unwrap();
        assert!(
            text.contains(r#""event":{"kind":"call_ended","call":"stylist","duration_secs":95}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), r);
        let started = serde_json::to_string(&record(Event::SessionStarted)).unwrap();
        assert!(
            started.contains(r#""event":{"kind":"session_started"}"#),
            "{started}"
        );
        for e in [
            Event::SessionStarted,
            Event::BringMe {
                look: None,
                products: vec![],
                size: None,
            },
            Event::OpenHour { hour: 1 },
        ] {
            let v = serde_json::to_value(&e).unwrap();
            assert_eq!(v["kind"], e.kind());
        }
    }

    #[test]
    fn validation_refuses_foreign_keys_bad_times_and_free_text() {
        let now = 1_750_000_000_000;
        assert_eq!(record(Event::SessionStarted).validate("k1", now), Ok(()));
        assert_eq!(
            record(Event::SessionStarted).validate("k", now),
            Err(InvalidEvent::KeyNotOfDevice)
        );
        let mut r = record(Event::SessionStarted);
        r.key = "k1-a b".into();
        assert_eq!(r.validate("k1", now), Err(InvalidEvent::Key));
        let mut r = record(Event::SessionStarted);
        r.at_ms = 0;
        assert_eq!(r.validate("k1", now), Err(InvalidEvent::Time));
        let r = record(Event::Complaint {
            reason: "the mirror was rude".into(),
        });
        assert_eq!(r.validate("k1", now), Err(InvalidEvent::Reason));
        let r = record(Event::LookShown {
            look: 0,
            products: vec!["A".into(); 17],
        });
        assert_eq!(r.validate("k1", now), Err(InvalidEvent::Products));
    }

    #[test]
    fn keys_are_unique_per_run_and_open_hours_per_device_and_hour() {
        let mut a = EventKeys::new("k1", 0xab);
        assert_eq!(a.next_key(), "k1-00000000000000ab-1");
        assert_eq!(a.next_key(), "k1-00000000000000ab-2");
        let mut b = EventKeys::new("k1", 0xac);
        assert_ne!(b.next_key(), "k1-00000000000000ab-1");
        assert_eq!(open_hour_key("k1", 7), "k1-open-7");
        assert_eq!(hour_of(3_600_000 * 5 + 1), 5);
        assert_eq!(hour_of(-1), -1);
    }

    fn view(phase: SessionPhase, number: u64, elapsed_secs: u64) -> SessionView {
        SessionView {
            phase,
            number,
            elapsed_secs,
            still_there_secs_left: None,
        }
    }

    #[test]
    fn the_tracker_reports_each_session_once_with_its_duration_and_reason() {
        let mut t = SessionTracker::new();
        assert!(
            t.observe(&view(SessionPhase::Attract, 0, 0), 1_000, None)
                .is_empty()
        );
        assert_eq!(
            t.observe(&view(SessionPhase::Active, 1, 2), 10_000, None),
            vec![(8_000, Event::SessionStarted)]
        );
        assert!(
            t.observe(&view(SessionPhase::Active, 1, 30), 38_000, None)
                .is_empty()
        );
        assert!(
            t.observe(&view(SessionPhase::StillThere, 1, 100), 108_000, None)
                .is_empty()
        );
        assert_eq!(
            t.observe(&view(SessionPhase::Attract, 1, 0), 128_000, None),
            vec![(
                128_000,
                Event::SessionEnded {
                    duration_secs: 120,
                    reason: EndReason::IdleTimeout
                }
            )]
        );
        // Session 2 ended by the shopper and session 3 started between two samples.
        t.observe(&view(SessionPhase::Active, 2, 0), 200_000, None);
        let out = t.observe(
            &view(SessionPhase::Active, 3, 1),
            260_000,
            Some((2, EndReason::ShopperEnded)),
        );
        assert_eq!(
            out,
            vec![
                (
                    260_000,
                    Event::SessionEnded {
                        duration_secs: 60,
                        reason: EndReason::ShopperEnded
                    }
                ),
                (259_000, Event::SessionStarted),
            ]
        );
    }
}
