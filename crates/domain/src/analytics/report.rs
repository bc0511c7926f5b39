//! The analytics report: stored events summed per store, room and day (docs/ANALYTICS.md gives
//! the definitions). Pure: the relay loads the events, this adds them up.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{CallKind, Event};

/// One stored event, as the relay holds it (store and room are the relay's enrollment, not the
/// kiosk's word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub store: String,
    pub room: String,
    pub at_ms: i64,
    pub event: Event,
}

/// One store, room and day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub store: String,
    pub room: String,
    /// `YYYY-MM-DD` in the report's time zone.
    pub day: String,
    /// Sessions started.
    pub sessions: u64,
    /// Hours in which the kiosk was running (at least one `open_hour` event).
    pub open_hours: u64,
    /// Usage rate: sessions started per open hour; `None` without open hours.
    pub sessions_per_open_hour: Option<f64>,
    /// Share of the open hours the mirror was in use (ended sessions' time ÷ open time), 0–1.
    pub occupancy: Option<f64>,
    /// Sessions that ended this day (a kiosk that crashed mid-session never ends one).
    pub sessions_ended: u64,
    /// Mean length of the sessions that ended this day, in seconds.
    pub avg_session_secs: Option<f64>,
    pub calls_requested_friend: u64,
    pub calls_requested_stylist: u64,
    /// Calls that went live.
    pub calls_friend: u64,
    pub calls_stylist: u64,
    /// Calls that went live (duration > 0) and ended this day.
    pub calls_ended: u64,
    /// Their mean live time, in seconds.
    pub avg_call_secs: Option<f64>,
    pub complaints: u64,
    pub bring_me: u64,
    /// The funnel: looks shown → opened → tried → bought.
    pub shown: u64,
    pub opened: u64,
    pub tried: u64,
    pub bought: u64,
}

#[derive(Default)]
struct Acc {
    row: ReportRow,
    hours: BTreeSet<i64>,
    session_secs: Vec<u64>,
    call_secs: Vec<u64>,
}

fn mean(v: &[u64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<u64>() as f64 / v.len() as f64)
}

/// The civil date (proleptic Gregorian) of a day number since 1970-01-01 (H. Hinnant's algorithm).
pub fn date_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The day number since 1970-01-01 of a civil date (the inverse of [`date_from_days`]).
pub fn days_from_date(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DD` into a day number.
pub fn parse_day(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > 31 || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_date(y, m, d);
    // 2023-02-30 would land in March: refuse it.
    (date_from_days(days) == (y, m, d)).then_some(days)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(days: i64) -> String {
    let (y, m, d) = date_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of a UTC time in the zone `utc_offset_mins` east of UTC.
pub fn day_of(at_ms: i64, utc_offset_mins: i32) -> i64 {
    (at_ms + i64::from(utc_offset_mins) * 60_000).div_euclid(86_400_000)
}

/// Sums `events` per store, room and day (days in the zone `utc_offset_mins` east of UTC).
/// Rows come sorted by store, room, day.
pub fn aggregate<'a>(
    events: impl IntoIterator<Item = &'a StoredEvent>,
    utc_offset_mins: i32,
) -> Vec<ReportRow> {
    let mut acc: BTreeMap<(String, String, i64), Acc> = BTreeMap::new();
    for e in events {
        let day = day_of(e.at_ms, utc_offset_mins);
        let a = acc.entry((e.store.clone(), e.room.clone(), day)).or_default();
        let r = &mut a.row;
        match &e.event {
            Event::SessionStarted => r.sessions += 1,
            Event::SessionEnded { duration_secs, .. } => a.session_secs.push(u64::from(*duration_secs)),
            Event::LookShown { .. } => r.shown += 1,
            Event::LookOpened { .. } => r.opened += 1,
            Event::LookTried { .. } => r.tried += 1,
            Event::BringMe { .. } => r.bring_me += 1,
            Event::CallRequested { call } => match call {
                CallKind::Friend => r.calls_requested_friend += 1,
                CallKind::Stylist => r.calls_requested_stylist += 1,
            },
            Event::CallStarted { call } => match call {
                CallKind::Friend => r.calls_friend += 1,
                CallKind::Stylist => r.calls_stylist += 1,
            },
            Event::CallEnded { duration_secs, .. } => {
                if *duration_secs > 0 {
                    a.call_secs.push(u64::from(*duration_secs));
                }
            }
            Event::Complaint { .. } => r.complaints += 1,
            Event::Purchase { .. } => r.bought += 1,
            Event::OpenHour { hour } => {
                a.hours.insert(*hour);
            }
        }
    }
    acc.into_iter()
        .map(|((store, room, day), mut a)| {
            let r = &mut a.row;
            r.store = store;
            r.room = room;
            r.day = format_day(day);
            r.open_hours = a.hours.len() as u64;
            r.sessions_ended = a.session_secs.len() as u64;
            r.avg_session_secs = mean(&a.session_secs);
            r.calls_ended = a.call_secs.len() as u64;
            r.avg_call_secs = mean(&a.call_secs);
            if r.open_hours > 0 {
                let open_secs = (r.open_hours * 3600) as f64;
                r.sessions_per_open_hour = Some(r.sessions as f64 / r.open_hours as f64);
                let used: u64 = a.session_secs.iter().sum();
                r.occupancy = Some((used as f64 / open_secs).min(1.0));
            }
            a.row
        })
        .collect()
}

/// Every row of `rows` added up (averages weighted by what they average), for a total line.
pub fn total(rows: &[ReportRow]) -> ReportRow {
    let mut t = ReportRow::default();
    let (mut session_secs, mut call_secs) = (0.0, 0.0);
    for r in rows {
        t.sessions += r.sessions;
        t.open_hours += r.open_hours;
        t.sessions_ended += r.sessions_ended;
        t.calls_requested_friend += r.calls_requested_friend;
        t.calls_requested_stylist += r.calls_requested_stylist;
        t.calls_friend += r.calls_friend;
        t.calls_stylist += r.calls_stylist;
        t.calls_ended += r.calls_ended;
        t.complaints += r.complaints;
        t.bring_me += r.bring_me;
        t.shown += r.shown;
        t.opened += r.opened;
        t.tried += r.tried;
        t.bought += r.bought;
        session_secs += r.avg_session_secs.unwrap_or(0.0) * r.sessions_ended as f64;
        call_secs += r.avg_call_secs.unwrap_or(0.0) * r.calls_ended as f64;
    }
    if t.open_hours > 0 {
        t.sessions_per_open_hour = Some(t.sessions as f64 / t.open_hours as f64);
        t.occupancy = Some((session_secs / (t.open_hours * 3600) as f64).min(1.0));
    }
    t.avg_session_secs = (t.sessions_ended > 0).then(|| session_secs / t.sessions_ended as f64);
    t.avg_call_secs = (t.calls_ended > 0).then(|| call_secs / t.calls_ended as f64);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::EndReason;

    const DAY: i64 = 86_400_000;
    /// 2025-06-15T00:00:00Z.
    const JUNE_15: i64 = 1_749_945_600_000;

    fn ev(store: &str, room: &str, at_ms: i64, event: Event) -> StoredEvent {
        StoredEvent {
            store: store.into(),
            room: room.into(),
            at_ms,
            event,
        }
    }

    fn look(kind: &str) -> Event {
        let products = vec!["A".to_owned(), "B".to_owned()];
        match kind {
            "shown" => Event::LookShown { look: 0, products },
            "opened" => Event::LookOpened { look: 0, products },
            "tried" => Event::LookTried { look: 0, products },
            _ => Event::Purchase { products },
        }
    }

    #[test]
    fn dates_round_trip_and_bad_dates_are_refused() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(JUNE_15 / DAY), "2025-06-15");
        assert_eq!(parse_day("2025-06-15"), Some(JUNE_15 / DAY));
        assert_eq!(
            parse_day("2024-02-29").map(format_day).as_deref(),
            Some("2024-02-29")
        );
        for bad in ["2023-02-29", "2025-13-01", "2025-06", "x", "2025-06-15x"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        for d in -1000..1000 {
            let (y, m, dd) = date_from_days(d * 37);
            assert_eq!(days_from_date(y, m, dd), d * 37);
        }
    }

    #[test]
    fn sums_per_store_room_and_day_with_the_funnel_and_call_kinds() {
        let h = JUNE_15 / 3_600_000;
        let at = |hours: i64| JUNE_15 + hours * 3_600_000;
        let events = vec![
            ev("sh", "Room 1", at(10), Event::OpenHour { hour: h + 10 }),
            ev("sh", "Room 1", at(11), Event::OpenHour { hour: h + 11 }),
            // The same hour twice (two runs of the kiosk): counted once.
            ev("sh", "Room 1", at(11), Event::OpenHour { hour: h + 11 }),
            ev("sh", "Room 1", at(10), Event::SessionStarted),
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::SessionEnded {
                    duration_secs: 600,
                    reason: EndReason::ShopperEnded,
                },
            ),
            ev("sh", "Room 1", at(11), Event::SessionStarted),
            ev(
                "sh",
                "Room 1",
                at(11),
                Event::SessionEnded {
                    duration_secs: 1200,
                    reason: EndReason::IdleTimeout,
                },
            ),
            ev("sh", "Room 1", at(10), look("shown")),
            ev("sh", "Room 1", at(10), look("shown")),
            ev("sh", "Room 1", at(10), look("shown")),
            ev("sh", "Room 1", at(10), look("opened")),
            ev("sh", "Room 1", at(10), look("tried")),
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::CallRequested {
                    call: CallKind::Stylist,
                },
            ),
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::CallStarted {
                    call: CallKind::Stylist,
                },
            ),
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::CallEnded {
                    call: CallKind::Stylist,
                    duration_secs: 300,
                },
            ),
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::CallRequested {
                    call: CallKind::Friend,
                },
            ),
            // A friend who never joined: requested, ended at 0 s, not in the average.
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::CallEnded {
                    call: CallKind::Friend,
                    duration_secs: 0,
                },
            ),
            ev(
                "sh",
                "Room 1",
                at(10),
                Event::Complaint {
                    reason: "camera".into(),
                },
            ),
            // Next day, another room, another store.
            ev("sh", "Room 1", at(25), Event::SessionStarted),
            ev("sh", "Room 2", at(10), Event::SessionStarted),
            ev("bj", "Room 1", at(10), Event::SessionStarted),
        ];
        let rows = aggregate(&events, 0);
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r.store.as_str(), r.room.as_str(), r.day.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("bj", "Room 1", "2025-06-15"),
                ("sh", "Room 1", "2025-06-15"),
                ("sh", "Room 1", "2025-06-16"),
                ("sh", "Room 2", "2025-06-15"),
            ]
        );
        let r = &rows[1];
        assert_eq!((r.sessions, r.open_hours), (2, 2));
        assert_eq!(r.sessions_per_open_hour, Some(1.0));
        assert_eq!(r.avg_session_secs, Some(900.0));
        assert_eq!(r.occupancy, Some(1800.0 / 7200.0));
        assert_eq!((r.calls_requested_friend, r.calls_requested_stylist), (1, 1));
        assert_eq!((r.calls_friend, r.calls_stylist), (0, 1));
        assert_eq!(r.avg_call_secs, Some(300.0));
        assert_eq!(r.complaints, 1);
        assert_eq!((r.shown, r.opened, r.tried, r.bought), (3, 1, 1, 0));
        assert_eq!(rows[0].sessions_per_open_hour, None, "no open hours: no rate");
        assert_eq!(rows[0].avg_session_secs, None);

        let t = total(&rows);
        assert_eq!((t.sessions, t.open_hours, t.shown, t.tried), (5, 2, 3, 1));
        assert_eq!(t.sessions_per_open_hour, Some(2.5));
        assert_eq!((t.sessions_ended, t.calls_ended), (2, 1));
        assert_eq!(t.avg_session_secs, Some(900.0));
        assert_eq!(t.avg_call_secs, Some(300.0));
    }

    #[test]
    fn days_follow_the_requested_time_zone() {
        // 2025-06-15 20:00 UTC is 06-16 04:00 in Shanghai.
        let events = vec![ev("sh", "r", JUNE_15 + 20 * 3_600_000, Event::SessionStarted)];
        assert_eq!(aggregate(&events, 0)[0].day, "2025-06-15");
        assert_eq!(aggregate(&events, 8 * 60)[0].day, "2025-06-16");
        assert_eq!(aggregate(&events, -12 * 60)[0].day, "2025-06-15");
        assert!(aggregate(&[], 0).is_empty());
    }
}
