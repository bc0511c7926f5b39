//! Analytics on the relay: events from enrolled kiosks stored once per idempotency key
//! (`analytics_events`, migration 4), and the report over them per store, room and day, for
//! holders of the admin token (docs/ANALYTICS.md).

use std::path::Path;

use atelier_domain::analytics::report::{self, ReportRow, StoredEvent};
use atelier_domain::analytics::{Event, Record};
use atelier_protocol::analytics::EventsAccepted;
use atelier_protocol::{DeviceId, RoomName, StoreId};
use base64::Engine as _;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The shortest admin token accepted from a file.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 16;
/// The demo relay's admin token when none is configured. Public on purpose: `--demo` only.
pub const DEMO_ADMIN_TOKEN: &str = "demo-admin";
/// The longest report, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// The bearer token that opens the report (`--admin-token-file`). Never printed.
#[derive(Clone)]
pub struct AdminToken {
    hash: [u8; 32],
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(..)")
    }
}

/// Why the admin token file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AdminTokenError {
    #[error("reading the admin token file: {0}")]
    Read(#[from] std::io::Error),
    #[error(
        "the admin token must be at least {MIN_ADMIN_TOKEN_CHARS} printable characters on the file's first line"
    )]
    Weak,
}

impl AdminToken {
    /// A token as given.
    pub fn new(token: &str) -> Self {
        Self {
            hash: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// The first line of `path`, trimmed; at least [`MIN_ADMIN_TOKEN_CHARS`] printable ASCII.
    pub fn from_file(path: &Path) -> Result<Self, AdminTokenError> {
        let text = std::fs::read_to_string(path)?;
        let token = text.lines().next().unwrap_or("").trim();
        if token.len() < MIN_ADMIN_TOKEN_CHARS || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AdminTokenError::Weak);
        }
        Ok(Self::new(token))
    }

    /// Whether `authorization` carries the token: `Bearer <token>`, or HTTP Basic with the token as
    /// the password (any user name), which a browser asks for itself.
    pub fn admits(&self, authorization: Option<&str>) -> bool {
        let Some(auth) = authorization else { return false };
        let presented = if let Some(t) = auth.strip_prefix("Bearer ") {
            t.to_owned()
        } else if let Some(b) = auth.strip_prefix("Basic ") {
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b.trim()) else {
                return false;
            };
            let Ok(text) = String::from_utf8(bytes) else {
                return false;
            };
            match text.split_once(':') {
                Some((_, password)) => password.to_owned(),
                None => return false,
            }
        } else {
            return false;
        };
        let hash: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // No early exit: the time taken says nothing about where the hashes differ.
        hash.iter().zip(&self.hash).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// The body as it arrives: records are parsed one by one, so one bad record (or a newer kiosk's
/// unknown kind) does not sink the batch.
#[derive(Debug, Deserialize)]
pub struct LooseUpload {
    pub events: Vec<serde_json::Value>,
}

/// Stores the records an enrolled kiosk sent, each key once, in one transaction. Device, store
/// and room are the enrollment's, whatever the record says. Answers with the keys now held and
/// those refused for good.
pub fn store_batch(
    conn: &mut Connection,
    device: &DeviceId,
    store: &StoreId,
    room: &RoomName,
    events: Vec<serde_json::Value>,
    now_ms: i64,
) -> rusqlite::Result<EventsAccepted> {
    let mut answer = EventsAccepted::default();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO analytics_events
                 (idempotency_key, device_id, store_id, room, kind, at_ms, event, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut new = 0usize;
        for value in events {
            let key = value.get("key").and_then(|k| k.as_str()).map(str::to_owned);
            let record = serde_json::from_value::<Record>(value)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    r.validate(device.as_str(), now_ms)
                        .map(|()| r)
                        .map_err(|e| e.to_string())
                });
            let record = match record {
                Ok(r) => r,
                Err(why) => {
                    tracing::warn!(device = %device, %why, "analytics record refused");
                    // A key of another device is not this kiosk's to hear about.
                    if let Some(k) = key.filter(|k| k.starts_with(&format!("{device}-"))) {
                        answer.rejected.push(k);
                    }
                    continue;
                }
            };
            let event = serde_json::to_string(&record.event).unwrap_or_default();
            new += insert.execute(params![
                record.key,
                device.as_str(),
                store.as_str(),
                room.as_str(),
                record.event.kind(),
                record.at_ms,
                event,
                now_ms / 1000
            ])?;
            answer.held.push(record.key);
        }
        tracing::debug!(device = %device, new, held = answer.held.len(), "analytics batch stored");
    }
    tx.commit()?;
    Ok(answer)
}

/// Events with `from_ms <= at_ms < to_ms`, of one store or all. Rows whose event this build
/// cannot read are counted in the second value, not returned.
pub fn load(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
    store: Option<&str>,
) -> rusqlite::Result<(Vec<StoredEvent>, u64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT store_id, room, at_ms, event FROM analytics_events
         WHERE at_ms >= ?1 AND at_ms < ?2 AND (?3 IS NULL OR store_id = ?3)",
    )?;
    let rows = stmt.query_map(params![from_ms, to_ms, store], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    let mut unreadable = 0;
    for row in rows {
        let (store, room, at_ms, event) = row?;
        match serde_json::from_str::<Event>(&event) {
            Ok(event) => out.push(StoredEvent {
                store,
                room,
                at_ms,
                event,
            }),
            Err(_) => unreadable += 1,
        }
    }
    Ok((out, unreadable))
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD&store=…&tz=+08:00&lang=zh-CN`, all optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub store: Option<String>,
    pub tz: Option<String>,
    pub lang: Option<String>,
}

/// A checked report request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRange {
    /// First and last day, inclusive (day numbers since 1970-01-01 in the zone).
    pub from_day: i64,
    pub to_day: i64,
    pub store: Option<String>,
    /// Minutes east of UTC.
    pub utc_offset_mins: i32,
}

impl ReportRange {
    /// The UTC milliseconds `[from, to)` the days cover.
    pub fn window_ms(&self) -> (i64, i64) {
        let offset_ms = i64::from(self.utc_offset_mins) * 60_000;
        (
            self.from_day * 86_400_000 - offset_ms,
            (self.to_day + 1) * 86_400_000 - offset_ms,
        )
    }
}

/// `+08:00`, `-05:30`, `+8`, `Z` or empty (UTC) as minutes east of UTC.
pub fn parse_utc_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() || s == "Z" || s == "UTC" {
        return Some(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=14).contains(&h) && (0..60).contains(&m)).then_some(sign * (h * 60 + m))
}

/// Checks a query against `now_ms`: by default the last 7 days up to today, in UTC.
pub fn parse_query(q: &ReportQuery, now_ms: i64) -> Result<ReportRange, String> {
    let utc_offset_mins = match q.tz.as_deref() {
        None => 0,
        Some(tz) => parse_utc_offset(tz).ok_or("tz must look like +08:00")?,
    };
    let today = report::day_of(now_ms, utc_offset_mins);
    let day = |s: Option<&String>, default: i64| match s.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => report::parse_day(s).ok_or("dates must look like 2025-06-15"),
    };
    let to_day = day(q.to.as_ref(), today)?;
    let from_day = day(q.from.as_ref(), to_day - 6)?;
    if from_day > to_day {
        return Err("from is after to".into());
    }
    if to_day - from_day >= MAX_REPORT_DAYS {
        return Err(format!("at most {MAX_REPORT_DAYS} days at once"));
    }
    let store = q
        .store
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| StoreId::new(s).map(|s| s.as_str().to_owned()))
        .transpose()
        .map_err(|_| "not a store id")?;
    Ok(ReportRange {
        from_day,
        to_day,
        store,
        utc_offset_mins,
    })
}

/// `GET /api/report`'s answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportJson {
    pub from: String,
    pub to: String,
    pub store: Option<String>,
    pub utc_offset_mins: i32,
    pub rows: Vec<ReportRow>,
    pub total: ReportRow,
    /// Stored events this build could not read (from a newer kiosk), left out of the figures.
    pub unreadable: u64,
}

/// The report for `range` from the relay's database.
pub fn build(conn: &Connection, range: &ReportRange) -> rusqlite::Result<ReportJson> {
    let (from_ms, to_ms) = range.window_ms();
    let (events, unreadable) = load(conn, from_ms, to_ms, range.store.as_deref())?;
    let rows = report::aggregate(&events, range.utc_offset_mins);
    let total = report::total(&rows);
    Ok(ReportJson {
        from: report::format_day(range.from_day),
        to: report::format_day(range.to_day),
        store: range.store.clone(),
        utc_offset_mins: range.utc_offset_mins,
        rows,
        total,
        unreadable,
    })
}

#[cfg(test)]
mod tests {
    use atelier_domain::analytics::{CallKind, EventKeys};
    use base64::Engine as _;

    use super::*;

    const NOW_MS: i64 = 1_750_000_000_000;

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = atelier_store::open(&dir.path().join("r.sqlite"), &crate::RELAY_MIGRATIONS).unwrap();
        (dir, conn)
    }

    fn ids() -> (DeviceId, StoreId, RoomName) {
        (
            DeviceId::new("k1").unwrap(),
            StoreId::new("s1").unwrap(),
            RoomName::new("Room 1").unwrap(),
        )
    }

    fn record(keys: &mut EventKeys, event: Event) -> serde_json::Value {
        serde_json::to_value(Record {
            key: keys.next_key(),
            device: "k1".into(),
            store: "claimed-store".into(),
            room: "claimed room".into(),
            at_ms: NOW_MS,
            event,
        })
        .unwrap()
    }

    #[test]
    fn a_batch_sent_twice_is_stored_once_under_the_enrollments_store_and_room() {
        let (_dir, mut conn) = db();
        let (device, store, room) = ids();
        let mut keys = EventKeys::new("k1", 1);
        let mut batch = vec![
            record(&mut keys, Event::SessionStarted),
            record(
                &mut keys,
                Event::CallStarted {
                    call: CallKind::Friend,
                },
            ),
        ];
        let mut foreign = record(&mut keys, Event::SessionStarted);
        foreign["key"] = "k2-0-1".into();
        batch.push(foreign);
        batch.push(serde_json::json!({"key": "k1-x-9", "event": {"kind": "from_the_future"}}));
        let first = store_batch(&mut conn, &device, &store, &room, batch.clone(), NOW_MS).unwrap();
        assert_eq!(first.held.len(), 2);
        assert_eq!(
            first.rejected,
            vec!["k1-x-9".to_owned()],
            "never another device's key"
        );
        let again = store_batch(&mut conn, &device, &store, &room, batch, NOW_MS).unwrap();
        assert_eq!(again, first);
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM analytics_events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        let (events, unreadable) = load(&conn, 0, i64::MAX, Some("s1")).unwrap();
        assert_eq!((events.len(), unreadable), (2, 0));
        assert!(events.iter().all(|e| e.store == "s1" && e.room == "Room 1"));
        assert!(
            load(&conn, 0, i64::MAX, Some("claimed-store"))
                .unwrap()
                .0
                .is_empty()
        );
    }

    #[test]
    fn queries_default_to_the_last_week_and_check_their_dates() {
        let q = ReportQuery::default();
        let r = parse_query(&q, NOW_MS).unwrap();
        assert_eq!(r.to_day - r.from_day, 6);
        assert_eq!(report::format_day(r.to_day), "2025-06-15");
        let q = ReportQuery {
            from: Some("2025-06-01".into()),
            to: Some("2025-06-02".into()),
            store: Some("s1".into()),
            tz: Some("+08:00".into()),
            lang: None,
        };
        let r = parse_query(&q, NOW_MS).unwrap();
        assert_eq!(r.utc_offset_mins, 480);
        let (from, to) = r.window_ms();
        assert_eq!(to - from, 2 * 86_400_000);
        assert_eq!(from % 86_400_000, 16 * 3_600_000, "local midnight is 16:00 UTC");
        for bad in [
            ReportQuery {
                from: Some("2025-06-03".into()),
                to: Some("2025-06-02".into()),
                ..ReportQuery::default()
            },
            ReportQuery {
                tz: Some("Asia/Shanghai".into()),
                ..ReportQuery::default()
            },
            ReportQuery {
                from: Some("2020-01-01".into()),
                ..ReportQuery::default()
            },
            ReportQuery {
                store: Some("<script>".into()),
                ..ReportQuery::default()
            },
        ] {
            assert!(parse_query(&bad, NOW_MS).is_err(), "{bad:?}");
        }
        assert_eq!(parse_utc_offset("-05:30"), Some(-330));
        assert_eq!(parse_utc_offset("+8"), Some(480));
        assert_eq!(parse_utc_offset("8"), None);
    }

    #[test]
    fn the_admin_token_opens_by_bearer_or_basic_and_nothing_else() {
        let t = AdminToken::new("0123456789abcdef");
        assert!(t.admits(Some("Bearer 0123456789abcdef")));
        let basic = base64::engine::general_purpose::STANDARD.encode("admin:0123456789abcdef");
        assert!(t.admits(Some(&format!("Basic {basic}"))));
        assert!(!t.admits(None));
        assert!(!t.admits(Some("Bearer 0123456789abcdeX")));
        assert!(!t.admits(Some("Basic !!!")));
        assert!(!t.admits(Some("0123456789abcdef")));
        assert_eq!(format!("{t:?}"), "AdminToken(..)");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "short\n").unwrap();
        assert!(matches!(AdminToken::from_file(&path), Err(AdminTokenError::Weak)));
        std::fs::write(&path, "  0123456789abcdef \nignored\n").unwrap();
        assert!(
            AdminToken::from_file(&path)
                .unwrap()
                .admits(Some("Bearer 0123456789abcdef"))
        );
    }

    #[test]
    fn a_v3_relay_database_upgrades_and_keeps_its_kiosks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let v3 = atelier_store::Migrations {
            name: "relay",
            steps: &crate::RELAY_MIGRATIONS.steps[..3],
        };
        let conn = atelier_store::open(&path, &v3).unwrap();
        conn.execute(
            "INSERT INTO kiosks VALUES ('k1', 's1', 'Room 1', '0.1.0', 1, 2)",
            [],
        )
        .unwrap();
        drop(conn);
        let conn = atelier_store::open(&path, &crate::RELAY_MIGRATIONS).unwrap();
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 4);
        let kiosks: i64 = conn
            .query_row("SELECT COUNT(*) FROM kiosks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kiosks, 1);
        let events: i64 = conn
            .query_row("SELECT COUNT(*) FROM analytics_events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(events, 0);
    }
}
