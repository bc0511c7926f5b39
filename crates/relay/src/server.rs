//! The socket shell around [`Core`]: axum routes, one task per WebSocket, a liveness ticker, SQLite.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atelier_protocol::signaling::RelayMessage;
use atelier_protocol::{ConnectionId, MAX_MESSAGE_BYTES, encode};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use rusqlite::Connection;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::core::{Core, KioskHello, Output};

/// Errors starting the relay.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("opening the relay database: {0}")]
    Store(#[from] atelier_store::StoreError),
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

enum Outbound {
    Text(String),
    Close,
}

struct Hub {
    core: Mutex<Core>,
    senders: Mutex<HashMap<ConnectionId, mpsc::Sender<Outbound>>>,
    db: Mutex<Connection>,
    started: Instant,
    data_dir: std::path::PathBuf,
}

/// Locks, recovering from a poisoned lock: the data stays usable and one panicked task must not stop the relay.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    fn dispatch(&self, outputs: Vec<Output>) {
        for out in outputs {
            match out {
                Output::Send(id, msg) => self.send(id, &msg),
                Output::Close(id, reason) => {
                    tracing::info!(conn = %id, ?reason, "closing connection");
                    if let Some(tx) = lock(&self.senders).get(&id) {
                        let _ = tx.try_send(Outbound::Close);
                    }
                }
                Output::KioskOnline(id, k) => {
                    tracing::info!(conn = %id, device = %k.device_id, store = %k.store_id, "kiosk online");
                    if let Err(e) = record_kiosk(&lock(&self.db), &k) {
                        tracing::error!(error = %e, "could not record kiosk presence");
                    }
                }
                Output::KioskOffline(id, device) => tracing::info!(conn = %id, %device, "kiosk offline"),
            }
        }
    }

    fn send(&self, id: ConnectionId, msg: &RelayMessage) {
        let Ok(text) = encode(msg) else { return };
        if let Some(tx) = lock(&self.senders).get(&id) {
            // A peer that does not read its socket gets dropped rather than buffered without end.
            if tx.try_send(Outbound::Text(text)).is_err() {
                tracing::warn!(conn = %id, "outbound queue full; closing");
                let _ = tx.try_send(Outbound::Close);
            }
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn record_kiosk(db: &Connection, k: &KioskHello) -> rusqlite::Result<()> {
    let now = unix_now();
    db.execute(
        "INSERT INTO kiosks (device_id, store_id, room, app_version, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT(device_id) DO UPDATE SET store_id = excluded.store_id, room = excluded.room,
             app_version = excluded.app_version, last_seen = excluded.last_seen",
        rusqlite::params![
            k.device_id.as_str(),
            k.store_id.as_str(),
            k.room.as_str(),
            k.app_version,
            now
        ],
    )?;
    Ok(())
}

/// Settings of one running relay.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub heartbeat: Duration,
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    data_dir: &Path,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let db = atelier_store::open(&data_dir.join(crate::RELAY_DB_FILE), &crate::RELAY_MIGRATIONS)?;
    let hub = Arc::new(Hub {
        core: Mutex::new(Core::new(options.heartbeat, env!("CARGO_PKG_VERSION"))),
        senders: Mutex::new(HashMap::new()),
        db: Mutex::new(db),
        started: Instant::now(),
        data_dir: data_dir.to_owned(),
    });

    let ticker_hub = hub.clone();
    let ticker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            let out = lock(&ticker_hub.core).handle_timeout(Instant::now());
            ticker_hub.dispatch(out);
        }
    });

    let app = Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/api/kiosks", get(kiosks))
        .route("/api/catalog/delta", get(catalog_delta))
        .route("/api/catalog/images/{sha}", get(catalog_image))
        .route("/ws", get(ws_upgrade))
        .with_state(hub);
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    ticker.abort();
    Ok(result?)
}

async fn index() -> impl IntoResponse {
    (
        [("content-type", "text/plain; charset=utf-8")],
        "Atelier relay\n\n/healthz             health (JSON)\n/api/kiosks          kiosks online (JSON)\n/api/catalog/delta   catalog changes since a version (JSON)\n/ws                  kiosk WebSocket\n",
    )
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    uptime_secs: u64,
    connections: usize,
    kiosks_online: usize,
}

async fn healthz(State(hub): State<Arc<Hub>>) -> Response {
    let db_ok = lock(&hub.db)
        .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
        .is_ok();
    let (connections, kiosks_online) = {
        let core = lock(&hub.core);
        (core.connection_count(), core.kiosks().len())
    };
    let health = Health {
        status: if db_ok { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: hub.started.elapsed().as_secs(),
        connections,
        kiosks_online,
    };
    let code = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(health)).into_response()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KioskView {
    device_id: String,
    store_id: String,
    room: String,
    app_version: String,
}

async fn kiosks(State(hub): State<Arc<Hub>>) -> Json<Vec<KioskView>> {
    let core = lock(&hub.core);
    Json(
        core.kiosks()
            .into_iter()
            .map(|k| KioskView {
                device_id: k.device_id.to_string(),
                store_id: k.store_id.to_string(),
                room: k.room.to_string(),
                app_version: k.app_version.clone(),
            })
            .collect(),
    )
}

#[derive(serde::Deserialize)]
struct DeltaQuery {
    since: u64,
    after: Option<String>,
    limit: Option<u32>,
}

/// `GET /api/catalog/delta?since=V[&after=SKU][&limit=N]`: catalog changes after a cursor.
async fn catalog_delta(
    State(hub): State<Arc<Hub>>,
    axum::extract::Query(q): axum::extract::Query<DeltaQuery>,
) -> Response {
    let page = crate::catalog_hub::delta(
        &lock(&hub.db),
        q.since,
        q.after.as_deref(),
        q.limit.unwrap_or(500),
    );
    match page {
        Ok(page) => Json(page).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "catalog delta failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "catalog unavailable").into_response()
        }
    }
}

/// `GET /api/catalog/images/<sha256>`: a published image's bytes, by content.
async fn catalog_image(
    State(hub): State<Arc<Hub>>,
    axum::extract::Path(sha): axum::extract::Path<String>,
) -> Response {
    let valid = sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !valid {
        return (StatusCode::NOT_FOUND, "no such image").into_response();
    }
    let path = crate::catalog_hub::images_dir(&hub.data_dir).join(&sha);
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                ("content-type", "application/octet-stream"),
                ("cache-control", "max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no such image").into_response(),
    }
}

async fn ws_upgrade(ws: WebSocketUpgrade, State(hub): State<Arc<Hub>>) -> Response {
    ws.max_message_size(MAX_MESSAGE_BYTES * 2)
        .max_frame_size(MAX_MESSAGE_BYTES * 2)
        .on_upgrade(move |socket| connection(socket, hub))
}

async fn connection(mut socket: WebSocket, hub: Arc<Hub>) {
    let id = lock(&hub.core).open(Instant::now());
    let (tx, mut rx) = mpsc::channel::<Outbound>(64);
    lock(&hub.senders).insert(id, tx);
    tracing::debug!(conn = %id, "socket opened");

    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outbound::Text(t)) => {
                    if socket.send(Message::Text(t.into())).await.is_err() { break; }
                }
                Some(Outbound::Close) | None => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
            },
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let out = lock(&hub.core).handle_text(id, Instant::now(), text.as_str());
                    hub.dispatch(out);
                }
                Some(Ok(Message::Binary(_))) => {
                    let out = lock(&hub.core).handle_text(id, Instant::now(), "<binary frame>");
                    hub.dispatch(out);
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(e)) => {
                    tracing::debug!(conn = %id, error = %e, "socket error");
                    break;
                }
            },
        }
    }
    // Forget the peer; anything still queued for it is dropped with the channel.
    lock(&hub.senders).remove(&id);
    let out = lock(&hub.core).closed(id);
    hub.dispatch(out);
    tracing::debug!(conn = %id, "socket closed");
}
