//! What shoppers did with the looks they were shown, kept in the kiosk database so recommendations
//! keep improving across sessions and restarts.
//!
//! The state is [`LearnedWeights`] spread over rows (schema v5): one per product pair
//! (`learned_pairs`), one per colour relation × occasion (`learned_features`), and the event count
//! (`learned_totals`). [`record`] changes only the rows an event touches, so its cost depends on the
//! look's size, not on how much has been learned.
//!
//! The arithmetic is [`LearnedWeights::update`]'s, step for step: each row is read, the reward added
//! in `f32` and the counts added saturating, then written back (an `f32` is exact as SQLite's REAL).
//! Summing in SQL would add in `f64` and drift from the in-memory value. Each call is one immediate
//! transaction, so no other writer can slip in between the read and the write, and [`load`] after
//! some events equals [`LearnedWeights::default`] updated with the same events in the same order.

use atelier_domain::recommend::{ColourRelation, Feedback, FeedbackKind, LearnedWeights};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::{Value, json};

use crate::StoreError;

/// Records one event.
pub fn record(conn: &Connection, feedback: &Feedback) -> Result<(), StoreError> {
    record_many(conn, std::slice::from_ref(feedback))
}

/// Records events in order, all in one transaction (none are kept if one fails).
pub fn record_many(conn: &Connection, events: &[Feedback]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    // `new_unchecked` takes `&Connection`; it fails cleanly if a transaction is already open.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    for feedback in events {
        apply(&tx, feedback)?;
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO learned_totals (id, events) VALUES (1, ?1)
         ON CONFLICT(id) DO UPDATE SET events = events + excluded.events",
        [count],
    )?;
    tx.commit()?;
    Ok(())
}

/// Adds one event to the pair and feature rows (the caller counts it in `learned_totals`).
fn apply(conn: &Connection, feedback: &Feedback) -> Result<(), StoreError> {
    let reward = feedback.kind.reward();
    let shown = feedback.kind == FeedbackKind::Shown;
    let mut products: Vec<&str> = feedback.products.iter().map(String::as_str).collect();
    products.sort_unstable();
    products.dedup();

    let mut get_pair = conn
        .prepare_cached("SELECT reward, shows FROM learned_pairs WHERE product_a = ?1 AND product_b = ?2")?;
    let mut put_pair = conn.prepare_cached(
        "INSERT INTO learned_pairs (product_a, product_b, reward, shows) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(product_a, product_b) DO UPDATE SET reward = excluded.reward, shows = excluded.shows",
    )?;
    for (i, a) in products.iter().enumerate() {
        for b in &products[i + 1..] {
            let (old_reward, old_shows) = get_pair
                .query_row(params![a, b], |r| Ok((r.get::<_, f64>(0)?, r.get::<_, i64>(1)?)))
                .optional()?
                .unwrap_or((0.0, 0));
            let new_reward = old_reward as f32 + reward;
            let mut shows = count_from_sql(old_shows);
            if shown {
                shows = shows.saturating_add(1);
            }
            put_pair.execute(params![a, b, f64::from(new_reward), i64::from(shows)])?;
        }
    }

    let relation = feedback.relation.as_str();
    let occasion = feedback.occasion.as_deref().unwrap_or_default();
    let (old_reward, old_events) = conn
        .prepare_cached("SELECT reward, events FROM learned_features WHERE relation = ?1 AND occasion = ?2")?
        .query_row(params![relation, occasion], |r| {
            Ok((r.get::<_, f64>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?
        .unwrap_or((0.0, 0));
    let new_reward = old_reward as f32 + reward;
    let events = count_from_sql(old_events).saturating_add(1);
    conn.prepare_cached(
        "INSERT INTO learned_features (relation, occasion, reward, events) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(relation, occasion) DO UPDATE SET reward = excluded.reward, events = excluded.events",
    )?
    .execute(params![
        relation,
        occasion,
        f64::from(new_reward),
        i64::from(events)
    ])?;
    Ok(())
}

/// A stored count as the domain's `u32` (the schema keeps it non-negative; larger values saturate).
fn count_from_sql(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// Everything learned so far ([`LearnedWeights::default`] on a kiosk that has recorded nothing).
///
/// Rows this build cannot read (a relation it does not know, a reward that is not finite) are
/// skipped with a warning rather than failing the recommendations.
pub fn load(conn: &Connection) -> Result<LearnedWeights, StoreError> {
    let events: i64 = conn
        .query_row("SELECT events FROM learned_totals WHERE id = 1", [], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let mut skipped = 0usize;

    let mut pairs = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT product_a, product_b, reward, shows FROM learned_pairs ORDER BY product_a, product_b",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (a, b): (String, String) = (r.get(0)?, r.get(1)?);
        let reward = r.get::<_, f64>(2)? as f32;
        if !reward.is_finite() || a >= b {
            skipped += 1;
            continue;
        }
        let shows = count_from_sql(r.get(3)?);
        pairs.push(json!({ "a": a, "b": b, "reward": reward, "shows": shows }));
    }

    let mut features = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT relation, occasion, reward, events FROM learned_features ORDER BY relation, occasion",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let relation: String = r.get(0)?;
        let occasion: String = r.get(1)?;
        let reward = r.get::<_, f64>(2)? as f32;
        let known = ColourRelation::ALL.iter().any(|k| k.as_str() == relation);
        if !known || !reward.is_finite() {
            skipped += 1;
            continue;
        }
        let events = count_from_sql(r.get(3)?);
        features.push(json!({
            "relation": relation, "occasion": occasion, "reward": reward, "events": events,
        }));
    }
    if skipped > 0 {
        tracing::warn!(skipped, "skipped unreadable learned-weight rows");
    }

    // The domain's serialised form is the one way in from outside; every field was checked above,
    // so a failure here means that form changed without this module.
    let state: Value = json!({
        "events": u64::try_from(events).unwrap_or(0),
        "pairs": pairs,
        "features": features,
    });
    serde_json::from_value(state).map_err(|e| {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KIOSK_MIGRATIONS, Migrations, Settings, open, open_in_memory};
    use atelier_domain::rng::XorShift64;

    const KINDS: [FeedbackKind; 7] = [
        FeedbackKind::Shown,
        FeedbackKind::Opened,
        FeedbackKind::Tried,
        FeedbackKind::FriendKeep,
        FeedbackKind::FriendSkip,
        FeedbackKind::StylistPush,
        FeedbackKind::Purchase,
    ];

    /// Events over a small catalog, so pairs and features repeat; looks of 0–4 products with
    /// duplicates, occasions including `None` and `Some("")` (the same feature).
    fn random_events(seed: u64, n: usize) -> Vec<Feedback> {
        let skus = [
            "TOP-1", "TOP-2", "PANTS-1", "PANTS-2", "SHOE-1", "DRESS-1", "COAT-1", "é-1",
        ];
        let occasions = [None, Some(""), Some("work"), Some("date")];
        let mut rng = XorShift64::new(seed);
        (0..n)
            .map(|_| Feedback {
                kind: KINDS[rng.below(KINDS.len())],
                occasion: occasions[rng.below(occasions.len())].map(str::to_owned),
                products: (0..rng.below(5))
                    .map(|_| skus[rng.below(skus.len())].to_owned())
                    .collect(),
                relation: ColourRelation::ALL[rng.below(ColourRelation::ALL.len())],
            })
            .collect()
    }

    fn in_memory(events: &[Feedback]) -> LearnedWeights {
        let mut w = LearnedWeights::default();
        for e in events {
            w.update(e);
        }
        w
    }

    fn json(w: &LearnedWeights) -> String {
        serde_json::to_string(w).unwrap()
    }

    #[test]
    fn nothing_recorded_loads_the_prior() {
        let conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        assert_eq!(load(&conn).unwrap(), LearnedWeights::default());
        record_many(&conn, &[]).unwrap();
        assert_eq!(load(&conn).unwrap(), LearnedWeights::default());
    }

    #[test]
    fn stored_events_load_as_the_same_events_applied_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("kiosk.sqlite"), &KIOSK_MIGRATIONS).unwrap();
        let events = random_events(11, 600);
        for e in &events[..300] {
            record(&conn, e).unwrap();
        }
        record_many(&conn, &events[300..]).unwrap();
        let loaded = load(&conn).unwrap();
        let expected = in_memory(&events);
        assert_eq!(loaded.events(), 600);
        assert_eq!(json(&loaded), json(&expected));
        assert_eq!(loaded, expected);
        // Learned something on both kinds of weight.
        assert_ne!(loaded.pair_bonus("TOP-1", "PANTS-1"), 0.0);
        assert_ne!(loaded.feature_weight(ColourRelation::Tonal, None), 1.0);
    }

    #[test]
    fn learning_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.sqlite");
        let events = random_events(5, 200);
        {
            let conn = open(&path, &KIOSK_MIGRATIONS).unwrap();
            record_many(&conn, &events[..120]).unwrap();
        }
        let conn = open(&path, &KIOSK_MIGRATIONS).unwrap();
        assert_eq!(json(&load(&conn).unwrap()), json(&in_memory(&events[..120])));
        for e in &events[120..] {
            record(&conn, e).unwrap();
        }
        drop(conn);
        let conn = open(&path, &KIOSK_MIGRATIONS).unwrap();
        assert_eq!(json(&load(&conn).unwrap()), json(&in_memory(&events)));
    }

    #[test]
    fn one_event_touches_only_its_own_rows() {
        let conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        record_many(&conn, &random_events(3, 300)).unwrap();
        let before = conn.total_changes();
        record(
            &conn,
            &Feedback {
                kind: FeedbackKind::Purchase,
                occasion: Some("work".into()),
                products: vec!["TOP-1".into(), "PANTS-1".into(), "SHOE-1".into()],
                relation: ColourRelation::Analogous,
            },
        )
        .unwrap();
        // Three pairs, one feature, the total.
        assert_eq!(conn.total_changes() - before, 5);
    }

    #[test]
    fn a_batch_that_fails_part_way_keeps_nothing() {
        let conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        let events = random_events(9, 50);
        record_many(&conn, &events).unwrap();
        conn.execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON learned_pairs WHEN NEW.product_b = 'BOOM'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;",
        )
        .unwrap();
        let mut batch = random_events(10, 20);
        batch[15].products = vec!["A".into(), "BOOM".into()];
        assert!(record_many(&conn, &batch).is_err());
        assert_eq!(json(&load(&conn).unwrap()), json(&in_memory(&events)));
        // Nor may a batch start inside a transaction the caller left open.
        let tx = conn.unchecked_transaction().unwrap();
        assert!(record_many(&conn, &events).is_err());
        drop(tx);
        assert_eq!(json(&load(&conn).unwrap()), json(&in_memory(&events)));
    }

    #[test]
    fn unreadable_rows_are_skipped() {
        let conn = open_in_memory(&KIOSK_MIGRATIONS).unwrap();
        let events = random_events(4, 40);
        record_many(&conn, &events).unwrap();
        conn.execute(
            "INSERT INTO learned_features (relation, occasion, reward, events)
             VALUES ('from_a_newer_build', '', 1.0, 1)",
            [],
        )
        .unwrap();
        assert_eq!(json(&load(&conn).unwrap()), json(&in_memory(&events)));
    }

    #[test]
    fn a_v4_database_upgrades_keeps_its_data_and_learns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.sqlite");
        let v4 = Migrations {
            name: KIOSK_MIGRATIONS.name,
            steps: &KIOSK_MIGRATIONS.steps[..4],
        };
        {
            let conn = open(&path, &v4).unwrap();
            Settings::new(&conn).set("language", "en", 1).unwrap();
        }
        let conn = open(&path, &KIOSK_MIGRATIONS).unwrap();
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!((version, KIOSK_MIGRATIONS.latest()), (5, 5));
        assert_eq!(
            Settings::new(&conn).get("language").unwrap().as_deref(),
            Some("en")
        );
        assert_eq!(load(&conn).unwrap(), LearnedWeights::default());
        let events = random_events(8, 30);
        record_many(&conn, &events).unwrap();
        assert_eq!(json(&load(&conn).unwrap()), json(&in_memory(&events)));
    }
}
