//! The socket shell around [`Core`] (kiosk presence, `/ws`) and [`CallCore`] (calls, `/call`): axum routes,
//! one task per WebSocket with a bounded outbound queue, a 500 ms ticker, SQLite.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
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

use crate::calls::{
    AccountError, Accounts, CallConfig, CallCore, DEMO_DEVICE_ID, DEMO_DEVICE_KEY, DEMO_ROOM, DEMO_STORE_ID,
    Enrollments, OsEntropy, Output as CallOutput, PasswordCost, UnixMs,
};
use crate::core::{Core, KioskHello, Output};

/// Errors starting the relay.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("opening the relay database: {0}")]
    Store(#[from] atelier_store::StoreError),
    #[error("reading the call accounts and enrolled kiosks: {0}")]
    CallDb(#[from] rusqlite::Error),
    #[error("setting up the call accounts: {0}")]
    Accounts(#[from] AccountError),
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// The headers of the relay's own admin pages (report, enrollment): no caching, nothing loaded from
/// elsewhere, forms posting only back here.
const ADMIN_PAGE_HEADERS: [(&str, &str); 5] = [
    ("content-type", "text/html; charset=utf-8"),
    ("cache-control", "no-store"),
    (
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    ),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
];

/// Messages a call socket may have waiting to go out before the relay gives up on its reader.
const CALL_QUEUE: usize = 256;

mod enroll;
mod publish;
mod reports;
mod till;

use reports::{
    AdminRefusal, admin_check, admin_report, admin_token, api_report, post_events, report_refusal,
};

pub use publish::{MAX_PUBLISH_BYTES, UPLOAD_DIR};

enum Outbound {
    Text(String),
    Close,
}

struct Hub {
    core: Mutex<Core>,
    senders: Mutex<HashMap<ConnectionId, mpsc::Sender<Outbound>>>,
    /// The call core. Its outputs are carried out while it is locked, so each socket's messages keep
    /// the core's order (lock order: `calls`, then `call_senders`).
    calls: Mutex<CallCore>,
    /// Call sockets, numbered apart from `/ws` sockets.
    call_senders: Mutex<HashMap<ConnectionId, mpsc::Sender<Outbound>>>,
    next_call_conn: AtomicU64,
    db: Mutex<Connection>,
    started: Instant,
    data_dir: std::path::PathBuf,
    /// The built web clients (`/join`, `/stylist`); `None`: answered with 503.
    web_dir: Option<std::path::PathBuf>,
    /// Opens `/admin/report` and `/api/report`; `None`: the report is off.
    admin_token: Option<crate::analytics::AdminToken>,
    /// One-time enrollment codes made on the admin page (`docs/PROVISION.md`).
    enroll_codes: Mutex<crate::enroll_codes::EnrollCodes>,
    /// Set while a catalog publish over HTTP runs: one at a time (`server/publish.rs`).
    publishing: std::sync::atomic::AtomicBool,
    /// The largest catalog `POST /api/catalog/publish` takes, in bytes.
    max_publish_bytes: u64,
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

/// Carries out the call core's outputs. Call with the core locked (see [`Hub::calls`]).
fn dispatch_calls(senders: &Mutex<HashMap<ConnectionId, mpsc::Sender<Outbound>>>, outputs: Vec<CallOutput>) {
    if outputs.is_empty() {
        return;
    }
    let senders = lock(senders);
    for out in outputs {
        match out {
            CallOutput::Send { to, msg } => {
                let Some(tx) = senders.get(&to) else { continue };
                let text = match encode(&msg) {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!(conn = %to, error = %e, "could not encode a call message");
                        continue;
                    }
                };
                // A peer that does not read its socket gets dropped rather than buffered without end.
                if tx.try_send(Outbound::Text(text)).is_err() {
                    tracing::warn!(conn = %to, "call socket's outbound queue full; closing");
                    let _ = tx.try_send(Outbound::Close);
                }
            }
            CallOutput::Close { conn, reason } => {
                tracing::info!(%conn, ?reason, "closing call socket");
                if let Some(tx) = senders.get(&conn) {
                    // Queued behind what was already sent; if the queue is full the task ends anyway.
                    let _ = tx.try_send(Outbound::Close);
                }
            }
            // Events carry no tokens, passwords or SDP (see `CallEvent`).
            CallOutput::Event(event) => tracing::info!(?event, "call"),
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
    /// How often kiosks must send a heartbeat on `/ws`.
    pub heartbeat: Duration,
    /// The call core's timings and ICE servers (`[turn]` in relay.toml).
    pub calls: CallConfig,
    /// argon2id cost of the hashes made at start (demo accounts, the unknown-user dummy). Stored hashes
    /// carry their own cost. [`PasswordCost::STANDARD`]; [`PasswordCost::MINIMAL`] in tests only.
    pub password_cost: PasswordCost,
    /// Enroll the demo kiosk and add the demo accounts, in memory only (`--demo`).
    pub demo: bool,
    /// The built web clients (`ui/dist/web`); without it `/join` and `/stylist` answer 503.
    pub web_dir: Option<std::path::PathBuf>,
    /// The analytics report's bearer token (`--admin-token-file`). Without one the report answers
    /// 503, except on a demo relay, which takes [`crate::analytics::DEMO_ADMIN_TOKEN`].
    /// The same token lets head office publish the catalog over HTTP.
    pub admin_token: Option<crate::analytics::AdminToken>,
    /// The largest catalog `POST /api/catalog/publish` takes, in bytes ([`MAX_PUBLISH_BYTES`]).
    pub max_publish_bytes: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(10),
            calls: CallConfig::default(),
            password_cost: PasswordCost::STANDARD,
            demo: false,
            web_dir: None,
            admin_token: None,
            max_publish_bytes: MAX_PUBLISH_BYTES,
        }
    }
}

/// The call core with the stored accounts and enrollments (and the demo's, with `demo`).
fn call_core(db: &Connection, options: &ServeOptions) -> Result<CallCore, ServeError> {
    let mut entropy = OsEntropy;
    let cost = options.password_cost;
    let (mut accounts, mut enrollments) = if options.demo {
        (Accounts::demo(cost, &mut entropy)?, Enrollments::demo())
    } else {
        (Accounts::new(cost, &mut entropy)?, Enrollments::new())
    };
    let loaded = crate::call_db::load(db, &mut accounts, &mut enrollments)?;
    for why in &loaded.skipped {
        tracing::warn!("call accounts: skipped {why}");
    }
    tracing::info!(
        accounts = loaded.accounts,
        kiosks = loaded.enrollments,
        ice_urls = options.calls.ice.urls.len(),
        turn_secret = options.calls.ice.turn_secret.is_some(),
        "call core ready"
    );
    if options.demo {
        tracing::info!(
            device_id = DEMO_DEVICE_ID,
            device_key = DEMO_DEVICE_KEY,
            store = DEMO_STORE_ID,
            room = DEMO_ROOM,
            "demo kiosk enrolled (demo only; the key is public)"
        );
        tracing::info!(
            stylist = "demo-stylist",
            staff = "demo-staff",
            staff_store = DEMO_STORE_ID,
            password = "demo",
            "demo call accounts (demo only)"
        );
    }
    Ok(CallCore::new(
        options.calls.clone(),
        accounts,
        enrollments,
        Box::new(OsEntropy),
    ))
}

fn now_ms() -> UnixMs {
    UnixMs::from_system_time(SystemTime::now())
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    data_dir: &Path,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let db = atelier_store::open(&data_dir.join(crate::RELAY_DB_FILE), &crate::RELAY_MIGRATIONS)?;
    let calls = call_core(&db, &options)?;
    let hub = Arc::new(Hub {
        core: Mutex::new(Core::new(options.heartbeat, env!("CARGO_PKG_VERSION"))),
        senders: Mutex::new(HashMap::new()),
        calls: Mutex::new(calls),
        call_senders: Mutex::new(HashMap::new()),
        next_call_conn: AtomicU64::new(1),
        db: Mutex::new(db),
        started: Instant::now(),
        data_dir: data_dir.to_owned(),
        web_dir: options.web_dir.clone(),
        admin_token: admin_token(&options),
        enroll_codes: Mutex::new(crate::enroll_codes::EnrollCodes::default()),
        publishing: std::sync::atomic::AtomicBool::new(false),
        max_publish_bytes: options.max_publish_bytes,
    });
    publish::remove_leftover_uploads(data_dir);

    let ticker_hub = hub.clone();
    let ticker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            let out = lock(&ticker_hub.core).handle_timeout(Instant::now());
            ticker_hub.dispatch(out);
            let mut calls = lock(&ticker_hub.calls);
            let out = calls.tick(now_ms());
            dispatch_calls(&ticker_hub.call_senders, out);
        }
    });

    let app = Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/api/kiosks", get(kiosks))
        .route("/api/catalog/delta", get(catalog_delta))
        .route("/api/catalog/images/{sha}", get(catalog_image))
        .route(
            "/api/catalog/publish",
            axum::routing::post(publish::api_catalog_publish),
        )
        .route("/ws", get(ws_upgrade))
        .route("/call", get(call_upgrade))
        .route("/join", get(join_page))
        .route("/join/", get(join_page))
        .route("/stylist", get(stylist_page))
        .route("/stylist/", get(stylist_page))
        .route("/staff", get(staff_page))
        .route("/staff/", get(staff_page))
        .route("/web/assets/{name}", get(web_asset))
        .route("/api/stylist/catalog", get(stylist_catalog))
        .route("/api/stylist/images/{sha}", get(stylist_image))
        .route("/api/events", axum::routing::post(post_events))
        .route("/api/report", get(api_report))
        .route("/admin/report", get(admin_report))
        .route(
            "/admin/enroll",
            get(enroll::admin_enroll_form).post(enroll::admin_enroll_create),
        )
        .route("/api/enroll", axum::routing::post(enroll::api_enroll))
        .route(
            "/api/till/purchases",
            axum::routing::post(till::api_till_purchases),
        )
        .with_state(hub);
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    ticker.abort();
    Ok(result?)
}

async fn index() -> impl IntoResponse {
    (
        [("content-type", "text/plain; charset=utf-8")],
        "Atelier relay\n\n/healthz             health (JSON)\n/api/kiosks          kiosks online (JSON)\n/api/catalog/delta   catalog changes since a version (JSON)\n/api/catalog/publish head office publishes the catalog (POST, admin token)\n/ws                  kiosk WebSocket\n/api/events          analytics events from enrolled kiosks (POST)\n/admin/report        the analytics report (admin token)\n/admin/enroll        one-time kiosk enrollment codes (admin token)\n/call                call signalling WebSocket (kiosks, stylists, friends)\n/join                the friend page (from the mirror's QR code)\n/stylist             the stylist console\n/staff               store staff: fitting-room requests\n",
    )
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    uptime_secs: u64,
    connections: usize,
    kiosks_online: usize,
    call_connections: usize,
    calls: usize,
    call_queue: usize,
}

async fn healthz(State(hub): State<Arc<Hub>>) -> Response {
    let db_ok = lock(&hub.db)
        .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
        .is_ok();
    let (connections, kiosks_online) = {
        let core = lock(&hub.core);
        (core.connection_count(), core.kiosks().len())
    };
    let (call_connections, calls, call_queue) = {
        let c = lock(&hub.calls);
        (c.connection_count(), c.call_count(), c.queue_len())
    };
    let health = Health {
        status: if db_ok { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: hub.started.elapsed().as_secs(),
        connections,
        kiosks_online,
        call_connections,
        calls,
        call_queue,
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

/// Whether the request comes from an enrolled kiosk: `x-atelier-device: <id>` and
/// `authorization: Bearer <device key>` matching its enrollment.
fn enrolled_kiosk(hub: &Hub, headers: &axum::http::HeaderMap) -> bool {
    enrollment(hub, headers).is_some()
}

/// The enrollment of the kiosk making the request, if it proved it (see [`enrolled_kiosk`]).
fn enrollment(hub: &Hub, headers: &axum::http::HeaderMap) -> Option<crate::calls::Enrollment> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let device = text("x-atelier-device").and_then(|d| atelier_protocol::DeviceId::new(d).ok())?;
    let key = text("authorization").and_then(|a| a.strip_prefix("Bearer "))?;
    lock(&hub.calls).enrollments_mut().verify(&device, key).cloned()
}

fn refuse_unenrolled() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "the catalog is for enrolled kiosks: send x-atelier-device and a bearer device key (atelier-relay enroll)",
    )
        .into_response()
}

/// `GET /api/catalog/delta?since=V[&after=SKU][&limit=N]`: catalog changes after a cursor, for
/// enrolled kiosks.
async fn catalog_delta(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<DeltaQuery>,
) -> Response {
    if !enrolled_kiosk(&hub, &headers) {
        return refuse_unenrolled();
    }
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

/// `GET /api/catalog/images/<sha256>`: a published image's bytes, by content, for enrolled kiosks.
async fn catalog_image(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(sha): axum::extract::Path<String>,
) -> Response {
    if !enrolled_kiosk(&hub, &headers) {
        return refuse_unenrolled();
    }
    hub_image(&hub, &sha, false).await
}

/// A published image by its SHA-256, cached for good (its name is its content). `typed`: say which
/// image format it is (for a browser), else `application/octet-stream` (the kiosks' contract).
async fn hub_image(hub: &Hub, sha: &str, typed: bool) -> Response {
    let valid = sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !valid {
        return (StatusCode::NOT_FOUND, "no such image").into_response();
    }
    let path = crate::catalog_hub::images_dir(&hub.data_dir).join(sha);
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (
                    "content-type",
                    if typed {
                        image_type(&bytes)
                    } else {
                        "application/octet-stream"
                    },
                ),
                ("cache-control", "private, max-age=31536000, immutable"),
                ("x-content-type-options", "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no such image").into_response(),
    }
}

async fn join_page(State(hub): State<Arc<Hub>>, headers: axum::http::HeaderMap) -> Response {
    crate::web::page(hub.web_dir.as_deref(), crate::web::Page::Join, &headers).await
}

async fn stylist_page(State(hub): State<Arc<Hub>>, headers: axum::http::HeaderMap) -> Response {
    crate::web::page(hub.web_dir.as_deref(), crate::web::Page::Stylist, &headers).await
}

/// `GET /staff`: store staff's fitting-room requests.
async fn staff_page(State(hub): State<Arc<Hub>>, headers: axum::http::HeaderMap) -> Response {
    crate::web::page(hub.web_dir.as_deref(), crate::web::Page::Staff, &headers).await
}

async fn web_asset(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    crate::web::asset(hub.web_dir.as_deref(), &name, &headers).await
}

/// Why a stylist API request was refused.
enum StylistRefusal {
    /// No token, or not a live session: sign in.
    Unauthenticated,
    /// A staff member asking about another store.
    OtherStore,
}

impl IntoResponse for StylistRefusal {
    fn into_response(self) -> Response {
        match self {
            StylistRefusal::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                [("www-authenticate", "Bearer"), ("cache-control", "no-store")],
                "sign in as a stylist or staff member: send authorization: Bearer <session token>",
            )
                .into_response(),
            StylistRefusal::OtherStore => (
                StatusCode::FORBIDDEN,
                [("cache-control", "no-store")],
                "store staff may only look up their own store",
            )
                .into_response(),
        }
    }
}

/// The signed-in stylist or staff account behind `authorization: Bearer <session token>`, checked
/// against `store` when one is named.
fn stylist_session(
    hub: &Hub,
    headers: &axum::http::HeaderMap,
    store: Option<&str>,
) -> Result<(), StylistRefusal> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty() && t.len() <= atelier_protocol::call::MAX_SECRET_BYTES)
        .ok_or(StylistRefusal::Unauthenticated)?;
    let mut calls = lock(&hub.calls);
    let (_, account, _) = calls
        .accounts_mut()
        .session(token, now_ms())
        .ok_or(StylistRefusal::Unauthenticated)?;
    match store.map(atelier_protocol::StoreId::new) {
        Some(Ok(store)) if !account.serves(&store) => Err(StylistRefusal::OtherStore),
        _ => Ok(()),
    }
}

#[derive(serde::Deserialize)]
struct CatalogQuery {
    #[serde(default)]
    q: String,
    store: Option<String>,
}

/// `GET /api/stylist/catalog?q=…&store=…`: up to 30 products matching by name, SKU or category, with
/// the store's stock, for a signed-in stylist (staff: their own store).
async fn stylist_catalog(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<CatalogQuery>,
) -> Response {
    let store = q.store.as_deref().filter(|s| !s.is_empty());
    if let Err(refusal) = stylist_session(&hub, &headers, store) {
        return refusal.into_response();
    }
    let found = crate::catalog_search::search_db(&lock(&hub.db), &q.q, store);
    match found {
        Ok(result) => ([("cache-control", "no-store")], Json(result)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "catalog search failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "catalog unavailable").into_response()
        }
    }
}

/// `GET /api/stylist/images/<sha256>`: a product image for the console's thumbnails (fetched with
/// the bearer token, shown from a blob URL).
async fn stylist_image(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(sha): axum::extract::Path<String>,
) -> Response {
    if let Err(refusal) = stylist_session(&hub, &headers, None) {
        return refusal.into_response();
    }
    hub_image(&hub, &sha, true).await
}

/// The image format from the first bytes (the hub keeps images as published).
fn image_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
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

async fn call_upgrade(ws: WebSocketUpgrade, State(hub): State<Arc<Hub>>) -> Response {
    // Frames up to twice the message cap reach the core, which answers `tooLarge`; bigger ones end the socket.
    ws.max_message_size(MAX_MESSAGE_BYTES * 2)
        .max_frame_size(MAX_MESSAGE_BYTES * 2)
        .on_upgrade(move |socket| call_connection(socket, hub))
}

/// Feeds one call socket's frames to the call core and writes what the core queues for it.
async fn call_connection(mut socket: WebSocket, hub: Arc<Hub>) {
    let id = ConnectionId(hub.next_call_conn.fetch_add(1, Ordering::Relaxed));
    let (tx, mut rx) = mpsc::channel::<Outbound>(CALL_QUEUE);
    {
        let mut calls = lock(&hub.calls);
        lock(&hub.call_senders).insert(id, tx);
        calls.connected(now_ms(), id);
    }
    tracing::debug!(conn = %id, "call socket opened");

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
            frame = socket.recv() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    // Not part of the protocol: counted as a bad message like any other.
                    Some(Ok(Message::Binary(_))) => "<binary frame>".into(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Err(e)) => {
                        tracing::debug!(conn = %id, error = %e, "call socket error");
                        break;
                    }
                };
                let mut calls = lock(&hub.calls);
                let out = calls.handle_text(now_ms(), id, text.as_str());
                dispatch_calls(&hub.call_senders, out);
            }
        }
    }
    // Whatever the reason: the core learns it (harmless if it closed the socket itself).
    {
        let mut calls = lock(&hub.calls);
        lock(&hub.call_senders).remove(&id);
        let out = calls.disconnected(now_ms(), id);
        dispatch_calls(&hub.call_senders, out);
    }
    tracing::debug!(conn = %id, "call socket closed");
}
