//! Analytics from the kiosk (docs/ANALYTICS.md): events go into the SQLite outbox with an
//! idempotency key ([`record`]), and a background loop delivers them to the relay in batches,
//! at least once, retrying with backoff while the relay is away ([`spawn`], [`flush`]).

use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atelier_call::Backoff;
use atelier_call::catalog_pull::HubAuth;
use atelier_domain::analytics::{Event, EventKeys, Record, SessionTracker, hour_of, open_hour_key};
use atelier_domain::{EndReason, SessionEvent};
use atelier_protocol::analytics::MAX_EVENTS_PER_BATCH;
use atelier_store::{KIOSK_MIGRATIONS, outbox};
use tauri::{AppHandle, Manager};

use crate::startup::KIOSK_DB_FILE;
use crate::state::{Kiosk, lock};

/// Most undelivered rows kept when the relay stays away; the oldest go first.
const MAX_PENDING: u64 = 200_000;
/// Batches per delivery pass (a huge outbox drains over several passes).
const BATCHES_PER_PASS: usize = 50;
/// How often the session is sampled for started/ended events.
const SESSION_SAMPLE: Duration = Duration::from_millis(500);

/// Keys for this run: the device id, 64 random bits, a counter.
static KEYS: OnceLock<Mutex<EventKeys>> = OnceLock::new();
/// The last session the shopper ended herself (the rest end by timeout), for the tracker.
static SESSION_END: Mutex<Option<(u64, EndReason)>> = Mutex::new(None);
/// Wakes the delivery loop when an event is recorded.
static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn next_key(device: &str) -> String {
    let keys = KEYS.get_or_init(|| Mutex::new(EventKeys::new(device, rand::random::<u64>())));
    lock(keys).next_key()
}

/// The record of `event` at `at_ms` for this kiosk, with `key`.
fn record_of(config: &atelier_config::KioskConfig, key: String, at_ms: i64, event: Event) -> Record {
    Record {
        key,
        device: config.kiosk.device_id.clone(),
        store: config.kiosk.store_id.clone(),
        room: config.kiosk.room.clone(),
        at_ms,
        event,
    }
}

fn push(kiosk: &Kiosk, record: &Record) -> Result<(), atelier_store::StoreError> {
    outbox::push(&lock(&kiosk.db), record, record.at_ms / 1000)?;
    WAKE.notify_one();
    Ok(())
}

/// Records `event` as happening now. For the call actor: `CallRequested`, `CallStarted`,
/// `CallEnded` (docs/ANALYTICS.md says where). Analytics never stop the mirror: a failure is
/// logged here and goes no further.
pub fn record(kiosk: &Kiosk, event: Event) {
    record_at(kiosk, event, unix_ms());
}

/// Records `event` as happening at `at_ms` (UTC milliseconds); a failure is logged.
pub fn record_at(kiosk: &Kiosk, event: Event, at_ms: i64) {
    let kind = event.kind();
    if let Err(e) = try_record_at(kiosk, event, at_ms) {
        tracing::error!(error = %e, kind, "recording an analytics event failed");
    }
}

/// Records `event` as happening now, for a caller that tells the shopper when it failed.
pub fn try_record(kiosk: &Kiosk, event: Event) -> Result<(), atelier_store::StoreError> {
    try_record_at(kiosk, event, unix_ms())
}

fn try_record_at(kiosk: &Kiosk, event: Event, at_ms: i64) -> Result<(), atelier_store::StoreError> {
    let config = kiosk.config();
    if !config.privacy.analytics {
        // Switched off on the admin screen: nothing new is recorded (what was already queued
        // is still delivered).
        return Ok(());
    }
    let key = next_key(&config.kiosk.device_id);
    push(kiosk, &record_of(&config, key, at_ms, event))
}

/// Tells the session tracker why a session ended, when the shell knows (the shopper's button).
pub fn note_session_end(events: &[SessionEvent]) {
    for e in events {
        if let SessionEvent::Ended { number, reason } = e {
            *lock(&SESSION_END) = Some((*number, *reason));
        }
    }
}

/// Marks the current UTC hour as open (once per device and hour, whatever the run).
fn mark_open_hour(kiosk: &Kiosk, now_ms: i64) {
    let hour = hour_of(now_ms);
    let config = kiosk.config();
    if !config.privacy.analytics {
        return;
    }
    let key = open_hour_key(&config.kiosk.device_id, hour);
    if let Err(e) = push(kiosk, &record_of(&config, key, now_ms, Event::OpenHour { hour })) {
        tracing::error!(error = %e, "recording the open hour failed");
    }
}

/// Starts the session sampler and, when a relay is configured, the delivery loop. Never blocks.
pub fn spawn(app: AppHandle) {
    let sampler = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut tracker = SessionTracker::new();
        let mut tick = tokio::time::interval(SESSION_SAMPLE);
        loop {
            tick.tick().await;
            let kiosk = sampler.state::<Kiosk>();
            let view = lock(&kiosk.session).view(Instant::now());
            let ended_by = *lock(&SESSION_END);
            for (at_ms, event) in tracker.observe(&view, unix_ms(), ended_by) {
                record_at(&kiosk, event, at_ms);
            }
        }
    });

    let db_path = app.state::<Kiosk>().data_dir.join(KIOSK_DB_FILE);
    tauri::async_runtime::spawn(async move {
        let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));
        let mut last_hour = None;
        let mut told = false;
        loop {
            // The relay as set now: the admin screen may change it.
            let kiosk = app.state::<Kiosk>();
            let config = kiosk.config();
            let base = match atelier_call::catalog_pull::hub_base(&config.relay.url) {
                Ok(b) if !config.relay.url.is_empty() => b,
                other => {
                    if !told {
                        told = true;
                        match other {
                            Err(e) => tracing::warn!(error = %e, "analytics are not delivered"),
                            Ok(_) => tracing::info!("no relay configured: analytics stay in the outbox"),
                        }
                    }
                    if let Err(e) = outbox::trim_pending(&lock(&kiosk.db), MAX_PENDING) {
                        tracing::warn!(error = %e, "trimming the outbox failed");
                    }
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    continue;
                }
            };
            told = false;
            let auth = crate::catalog_sync::hub_auth(&config);
            let now_ms = unix_ms();
            if last_hour != Some(hour_of(now_ms)) {
                last_hour = Some(hour_of(now_ms));
                mark_open_hour(&app.state::<Kiosk>(), now_ms);
            }
            let path = db_path.clone();
            let pass = tauri::async_runtime::spawn_blocking(move || {
                flush_file(&path, &base, &auth, BATCHES_PER_PASS)
            })
            .await;
            let failed = match pass {
                Ok(Ok(o)) => {
                    if o.delivered + o.rejected + o.discarded > 0 {
                        tracing::info!(
                            delivered = o.delivered,
                            rejected = o.rejected,
                            discarded = o.discarded,
                            waiting = o.remaining,
                            "analytics delivered"
                        );
                    }
                    backoff.reset();
                    if o.remaining > 0 {
                        // More than a pass's worth: go on shortly, without hogging the cores.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                    false
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "analytics not delivered; retrying later");
                    true
                }
                Err(e) => {
                    tracing::error!(error = %e, "the analytics delivery pass panicked");
                    true
                }
            };
            if failed {
                tokio::time::sleep(backoff.next_delay(rand::random::<f64>())).await;
            } else {
                // Until an event is recorded (then gather a few more) or the next hour's marker.
                let _ = tokio::time::timeout(Duration::from_secs(60), WAKE.notified()).await;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    });
}

/// Why a delivery pass stopped. What was not delivered stays queued.
pub type FlushError = outbox::DeliverError<atelier_call::events_push::PushError>;

/// One delivery pass over the kiosk database at `path` to the relay at `base`. Blocking.
pub fn flush_file(
    path: &Path,
    base: &str,
    auth: &HubAuth,
    max_batches: usize,
) -> Result<outbox::Delivered, FlushError> {
    let mut conn = atelier_store::open(path, &KIOSK_MIGRATIONS)?;
    outbox::deliver(
        &mut conn,
        MAX_EVENTS_PER_BATCH,
        max_batches,
        MAX_PENDING,
        unix_ms() / 1000,
        |records| atelier_call::events_push::push_events(base, auth, records),
    )
}
