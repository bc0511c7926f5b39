//! The kiosk's outbox (migration 2): analytics events waiting for the relay, sent at least once.
//! A row's idempotency key makes a resend harmless; delivered rows are kept a week, then pruned.

use atelier_domain::analytics::Record;
use rusqlite::{Connection, params};

use crate::StoreError;

/// One row waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub key: String,
    pub kind: String,
    /// The [`Record`] as JSON (rows older than the analytics events hold other payloads).
    pub payload: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl Pending {
    /// The record, if the payload is one.
    pub fn record(&self) -> Option<Record> {
        serde_json::from_str(&self.payload).ok()
    }
}

/// Queues `record` (unix seconds `created_at`). Returns `false` when its key is already queued or
/// delivered (an hourly marker recorded twice).
pub fn push(conn: &Connection, record: &Record, created_at: i64) -> Result<bool, StoreError> {
    // Serialising our own types cannot fail; an empty payload would simply be refused later.
    let payload = serde_json::to_string(record).unwrap_or_default();
    let n = conn.execute(
        "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![record.key, record.event.kind(), payload, created_at],
    )?;
    Ok(n > 0)
}

/// Up to `limit` undelivered rows, oldest first.
pub fn next_batch(conn: &Connection, limit: usize) -> Result<Vec<Pending>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, idempotency_key, kind, payload, created_at FROM outbox
         WHERE sent_at IS NULL ORDER BY id LIMIT ?1",
    )?;
    let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(Pending {
            id: r.get(0)?,
            key: r.get(1)?,
            kind: r.get(2)?,
            payload: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Counts a delivery attempt for these rows (for staff: rows that keep failing).
pub fn note_attempt(conn: &mut Connection, ids: &[i64]) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?1")?;
        for id in ids {
            stmt.execute([id])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Marks the rows with these keys delivered at `now` (unix seconds), in one transaction. Returns
/// how many were still undelivered.
pub fn mark_delivered(conn: &mut Connection, keys: &[String], now: i64) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let mut n = 0;
    {
        let mut stmt = tx.prepare_cached(
            "UPDATE outbox SET sent_at = ?2 WHERE idempotency_key = ?1 AND sent_at IS NULL",
        )?;
        for key in keys {
            n += stmt.execute(params![key, now])?;
        }
    }
    tx.commit()?;
    Ok(n)
}

/// Deletes rows by key whatever their state: ones the relay refused for good, or payloads that
/// are not analytics records. Returns how many went.
pub fn discard(conn: &mut Connection, keys: &[String]) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let mut n = 0;
    {
        let mut stmt = tx.prepare_cached("DELETE FROM outbox WHERE idempotency_key = ?1")?;
        for key in keys {
            n += stmt.execute([key])?;
        }
    }
    tx.commit()?;
    Ok(n)
}

/// Deletes rows delivered before `before` (unix seconds). Returns how many went.
pub fn prune_delivered(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?1",
        [before],
    )?)
}

/// Keeps at most `keep` undelivered rows, deleting the oldest beyond (a kiosk whose relay is gone
/// for months must not fill its disk). Returns how many went.
pub fn trim_pending(conn: &Connection, keep: u64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM outbox WHERE sent_at IS NULL AND id NOT IN
             (SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id DESC LIMIT ?1)",
        [i64::try_from(keep).unwrap_or(i64::MAX)],
    )?)
}

/// Rows waiting for delivery.
pub fn pending_count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL", [], |r| {
        r.get(0)
    })?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// What one delivery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Rows the relay now holds.
    pub delivered: usize,
    /// Rows the relay refused for good (deleted).
    pub rejected: usize,
    /// Rows that were not analytics records (an older build's payloads; deleted).
    pub discarded: usize,
    /// Batches sent.
    pub batches: usize,
    /// Rows still waiting.
    pub remaining: u64,
}

/// Why a delivery pass stopped. What was not delivered stays queued.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Send(E),
    #[error("the relay answered without holding any of the events it was sent")]
    NoProgress,
}

/// Rows delivered this long ago (seconds) are pruned.
pub const KEEP_DELIVERED_SECS: i64 = 7 * 24 * 3600;

/// One delivery pass: up to `max_batches` batches of the oldest ≤ `batch_size` undelivered rows go
/// through `send` (the relay: `POST /api/events`); what it answers it holds is marked delivered at
/// `now` (unix seconds), what it refuses for good is deleted; then rows delivered over a week ago
/// are pruned and at most `max_pending` undelivered rows kept. A crash or error anywhere leaves
/// rows undelivered, never lost: they are sent again, and the relay keeps one copy per key.
pub fn deliver<E: std::error::Error + 'static>(
    conn: &mut Connection,
    batch_size: usize,
    max_batches: usize,
    max_pending: u64,
    now: i64,
    mut send: impl FnMut(&[Record]) -> Result<atelier_protocol::analytics::EventsAccepted, E>,
) -> Result<Delivered, DeliverError<E>> {
    let mut out = Delivered::default();
    while out.batches < max_batches {
        let batch = next_batch(conn, batch_size)?;
        if batch.is_empty() {
            break;
        }
        let mut records = Vec::with_capacity(batch.len());
        let mut unreadable = Vec::new();
        for row in &batch {
            match row.record() {
                Some(r) => records.push(r),
                None => unreadable.push(row.key.clone()),
            }
        }
        if !unreadable.is_empty() {
            out.discarded += discard(conn, &unreadable)?;
            tracing::warn!(
                rows = unreadable.len(),
                "outbox rows that are not analytics records discarded"
            );
        }
        if records.is_empty() {
            continue;
        }
        note_attempt(conn, &batch.iter().map(|r| r.id).collect::<Vec<_>>())?;
        let accepted = send(&records).map_err(DeliverError::Send)?;
        out.batches += 1;
        if accepted.held.is_empty() && accepted.rejected.is_empty() {
            return Err(DeliverError::NoProgress);
        }
        out.delivered += mark_delivered(conn, &accepted.held, now)?;
        if !accepted.rejected.is_empty() {
            tracing::warn!(
                rows = accepted.rejected.len(),
                "the relay refused analytics records; discarded"
            );
            out.rejected += discard(conn, &accepted.rejected)?;
        }
    }
    prune_delivered(conn, now - KEEP_DELIVERED_SECS)?;
    let trimmed = trim_pending(conn, max_pending)?;
    if trimmed > 0 {
        tracing::warn!(
            rows = trimmed,
            "outbox full: the oldest undelivered analytics dropped"
        );
    }
    out.remaining = pending_count(conn)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use atelier_domain::analytics::{Event, EventKeys};

    use super::*;
    use crate::{KIOSK_MIGRATIONS, open_in_memory};

    fn record(keys: &mut EventKeys, event: Event) -> Record {
        Record {
            key: keys.next_key(),
            device: "k1".into(),
            store: "s1".into(),
            room: "Room 1".into(),
            at_ms: 1_750_000_000_000,
            event,
        }
    }

    #[test]
    fn push_batch_mark_and_prune() {
        let mut conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        let mut keys = EventKeys::new("k1", 7);
        let records: Vec<Record> = (0..5).map(|_| record(&mut keys, Event::SessionStarted)).collect();
        for r in &records {
            assert!(push(&conn, r, 100).unwrap());
        }
        assert!(!push(&conn, &records[0], 100).unwrap(), "a key is queued once");
        assert_eq!(pending_count(&conn).unwrap(), 5);

        let batch = next_batch(&conn, 3).unwrap();
        assert_eq!(batch.len(), 3);
        assert_eq!(batch[0].kind, "session_started");
        assert_eq!(batch[0].record().as_ref(), Some(&records[0]));
        note_attempt(&mut conn, &batch.iter().map(|p| p.id).collect::<Vec<_>>()).unwrap();

        let sent: Vec<String> = batch.iter().map(|p| p.key.clone()).collect();
        assert_eq!(mark_delivered(&mut conn, &sent, 200).unwrap(), 3);
        assert_eq!(
            mark_delivered(&mut conn, &sent, 300).unwrap(),
            0,
            "already delivered"
        );
        let rest = next_batch(&conn, 200).unwrap();
        assert_eq!(
            rest.iter().map(|p| &p.key).collect::<Vec<_>>(),
            vec![&records[3].key, &records[4].key]
        );

        // A delivered key is not queued again either.
        assert!(!push(&conn, &records[0], 400).unwrap());
        assert_eq!(prune_delivered(&conn, 200).unwrap(), 0);
        assert_eq!(prune_delivered(&conn, 201).unwrap(), 3);
        assert_eq!(discard(&mut conn, &[records[3].key.clone()]).unwrap(), 1);
        assert_eq!(pending_count(&conn).unwrap(), 1);
        for _ in 0..3 {
            push(&conn, &record(&mut keys, Event::SessionStarted), 500).unwrap();
        }
        assert_eq!(trim_pending(&conn, 2).unwrap(), 2, "the oldest go");
        assert_eq!(next_batch(&conn, 10).unwrap().len(), 2);
    }

    #[derive(Debug, thiserror::Error)]
    #[error("offline")]
    struct Offline;

    /// A relay in memory: holds keys once, can be offline, can lose its answers.
    #[derive(Default)]
    struct FakeRelay {
        held: std::collections::BTreeSet<String>,
        received: usize,
        offline: bool,
        lose_answers: usize,
    }

    impl FakeRelay {
        fn send(
            &mut self,
            records: &[Record],
        ) -> Result<atelier_protocol::analytics::EventsAccepted, Offline> {
            if self.offline {
                return Err(Offline);
            }
            self.received += records.len();
            let mut answer = atelier_protocol::analytics::EventsAccepted::default();
            for r in records {
                if r.key.ends_with("-13") {
                    answer.rejected.push(r.key.clone());
                    continue;
                }
                self.held.insert(r.key.clone());
                answer.held.push(r.key.clone());
            }
            if self.lose_answers > 0 {
                // Stored, but the answer never reaches the kiosk.
                self.lose_answers -= 1;
                return Err(Offline);
            }
            Ok(answer)
        }
    }

    #[test]
    fn delivery_survives_lost_answers_and_outages_and_counts_each_key_once() {
        let mut conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        let mut keys = EventKeys::new("k1", 9);
        for _ in 0..1000 {
            push(&conn, &record(&mut keys, Event::SessionStarted), 100).unwrap();
        }
        // A row from before analytics: not a record, discarded.
        conn.execute(
            "INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES ('bring-old', 'bring_me', '{}', 1)",
            [],
        )
        .unwrap();
        let mut relay = FakeRelay::default();
        let pass = deliver(&mut conn, 200, 2, 10_000, 1000, |r| relay.send(r)).unwrap();
        assert_eq!((pass.delivered, pass.rejected, pass.batches), (399, 1, 2));
        assert_eq!(pass.remaining, 601, "bounded: two batches per pass");

        relay.offline = true;
        assert!(matches!(
            deliver(&mut conn, 200, 50, 10_000, 1001, |r| relay.send(r)),
            Err(DeliverError::Send(Offline))
        ));
        assert_eq!(pending_count(&conn).unwrap(), 601);

        relay.offline = false;
        relay.lose_answers = 1;
        assert!(deliver(&mut conn, 200, 50, 10_000, 1002, |r| relay.send(r)).is_err());
        assert_eq!(
            pending_count(&conn).unwrap(),
            601,
            "the answer was lost: nothing marked"
        );
        let pass = deliver(&mut conn, 200, 50, 10_000, 1003, |r| relay.send(r)).unwrap();
        assert_eq!((pass.delivered, pass.remaining, pass.discarded), (600, 0, 1));
        assert_eq!(relay.held.len(), 999, "every key once (one refused)");
        assert_eq!(relay.received, 1200, "the batch whose answer was lost went twice");

        // A week later the delivered rows go.
        deliver(&mut conn, 200, 50, 10_000, 1003 + KEEP_DELIVERED_SECS + 1, |r| {
            relay.send(r)
        })
        .unwrap();
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }
}
