//! "Ask for advice" in the kiosk: the call client, the camera's encoder and the microphone while a
//! call runs, each remote's video decoded onto the mirror, and the shared board.
//!
//! One actor task owns it all. Tauri commands send it [`CallCommand`]s; it publishes a
//! [`CallView`] (event `call`) whenever something the shopper sees changes. Video leaves the device
//! only while a remote is on a leg and the shopper has not turned the camera off; the view's
//! `live` says so, and the UI shows it unmistakably.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atelier_call::bitrate::{BitrateController, BitrateLimits};
use atelier_call::peer::MediaKind;
use atelier_call::{
    BoardHost, CallClient, CallClientSettings, CallEvent, EncodedVideo, HostOutput, KioskPeer, PeerState,
    VideoFanout,
};
use atelier_domain::analytics::{CallKind, Event};
use atelier_domain::board::{BoardConfig, CardId, LocalAction};
use atelier_media::{EncoderBranch, MicSource, Microphone, RemoteMedia};
use atelier_protocol::DeviceId;
use atelier_protocol::call::{
    AskItem, AskState, CallErrorCode, LegId, LookId, LookOnScreen, LookSummary, RequestContext,
    RequestEndReason, Role, Secret, SessionTag, Sku,
};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::mpsc;

use crate::camera::CameraSlot;
use crate::commands::CommandError;
use crate::state::{Kiosk, lock};

mod media;
mod view;

pub use view::{
    AskView, BoardCardView, CallView, ChatView, InviteView, QueueView, ReactionView, RemoteView, StrokeView,
    TileRect, call_url, qr_path, tile_rect, web_base,
};

/// The event carrying [`CallView`].
pub const EVENT: &str = "call";

/// What the shopper can ask of the call.
#[derive(Debug)]
pub enum CallCommand {
    /// Show a QR code and a short code a friend can join with.
    AskFriend,
    /// Join the stylists' queue, with what is on the mirror.
    AskStylist(Option<LookOnScreen>),
    /// Take back the invite and leave the queue.
    Cancel,
    /// End one remote's leg, or the whole call.
    HangUp(Option<LegId>),
    Mute(bool),
    CameraOff(bool),
    Board(LocalAction),
    /// Ask store staff to bring another size or colour of a product.
    AskStaff(AskItem),
    /// The shopper no longer needs it (the kiosk's number for the ask).
    CancelAsk(u32),
    /// The shopper's session ended: everything of the call goes.
    Wipe,
}

/// Where the Tauri commands reach the call actor (empty when no relay is configured).
#[derive(Default)]
pub struct CallHandle {
    tx: Mutex<Option<mpsc::Sender<CallCommand>>>,
}

impl CallHandle {
    pub fn send(&self, command: CallCommand) -> Result<(), CommandError> {
        let tx = lock(&self.tx).clone().ok_or(CommandError::Unavailable)?;
        tx.try_send(command).map_err(|_| CommandError::Unavailable)
    }

    /// The session was wiped (no error when calls are off).
    pub fn wipe(&self) {
        if let Some(tx) = lock(&self.tx).as_ref() {
            let _ = tx.try_send(CallCommand::Wipe);
        }
    }
}

/// Stops the call actor (its inbox closes; it drops its legs and its relay socket) and starts a
/// new one with the settings now in force: after the relay address or the kiosk's identity changed
/// on the admin screen.
pub fn restart(app: &AppHandle) {
    let kiosk = app.state::<Kiosk>();
    if lock(&kiosk.call.tx).take().is_some() {
        tracing::info!("call actor stopped for new settings");
    }
    *lock(&kiosk.call_view) = CallView::disabled();
    spawn(app.clone());
    let view = lock(&kiosk.call_view).clone();
    let _ = app.emit(EVENT, &view);
}

/// Starts the call actor when a relay is configured.
pub fn spawn(app: AppHandle) {
    let kiosk = app.state::<Kiosk>();
    let config = kiosk.config();
    if config.relay.url.is_empty() {
        return;
    }
    let Ok(device_id) = DeviceId::new(config.kiosk.device_id.clone()) else {
        tracing::warn!("calls are off: the kiosk's device id is not valid");
        return;
    };
    let key = config
        .relay
        .device_key
        .as_ref()
        .map(|k| k.expose().to_owned())
        .unwrap_or_else(|| atelier_protocol::call::DEMO_DEVICE_KEY.to_owned());
    let settings = CallClientSettings::new(call_url(&config.relay.url), device_id, Secret::new(key));
    let web = web_base(&config.relay.url);
    let (tx, rx) = mpsc::channel(64);
    {
        let mut slot = lock(&kiosk.call.tx);
        if slot.is_some() {
            return;
        }
        *slot = Some(tx);
    }
    *lock(&kiosk.call_view) = CallView {
        enabled: true,
        ..CallView::disabled()
    };
    let app2 = app.clone();
    tauri::async_runtime::spawn(async move {
        // The first call's decoder must not wait for its plugins to load.
        let _ = tokio::task::spawn_blocking(atelier_media::call_media::preload_decoders).await;
        run(app2, settings, web, rx).await;
    });
}

type Remotes = Arc<Mutex<BTreeMap<LegId, Arc<RemoteMedia>>>>;

struct Actor {
    app: AppHandle,
    client: CallClient,
    fanout: Arc<VideoFanout>,
    web: String,
    host: BoardHost,
    view: CallView,
    /// The relay's session tag for this shopper session, once a call feature was used.
    session: Option<SessionTag>,
    session_prefix: String,
    sessions_started: u32,
    peers: Arc<Mutex<BTreeMap<LegId, KioskPeer>>>,
    remotes: Remotes,
    /// Tile slot per leg.
    tiles: BTreeMap<LegId, usize>,
    mic: Option<Microphone>,
    audio_tx: Option<mpsc::Sender<atelier_media::OpusPacket>>,
    /// The encoder's target, following the remotes' receiver reports.
    bitrate: BitrateController,
    /// The kiosk's numbers for asks to staff (unique within a relay session).
    next_ask: u32,
    /// When each live leg started and with whom (for the analytics' call durations).
    leg_started: BTreeMap<LegId, (CallKind, Instant)>,
    staff_answer: Duration,
}

async fn run(
    app: AppHandle,
    settings: CallClientSettings,
    web: String,
    mut commands: mpsc::Receiver<CallCommand>,
) {
    let cam_app = app.clone();
    let force_keyframe: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        if let Some(c) = lock(&cam_app.state::<CameraSlot>().camera).as_ref() {
            c.force_keyframe();
        }
    });
    let kf = force_keyframe.clone();
    let fanout = match VideoFanout::new(move || kf()) {
        Ok(f) => Arc::new(f),
        Err(e) => {
            tracing::error!(error = %e, "calls are off: the video fanout could not start");
            return;
        }
    };
    let remotes: Remotes = Arc::default();
    let peers: Arc<Mutex<BTreeMap<LegId, KioskPeer>>> = Arc::default();
    let frames_to = remotes.clone();
    let peers_for_frames = peers.clone();
    let on_remote_frame: Arc<dyn Fn(LegId, atelier_call::RemoteFrame) + Send + Sync> =
        Arc::new(move |leg, frame| {
            let Some(r) = lock(&frames_to).get(&leg).cloned() else {
                return;
            };
            match frame.kind {
                MediaKind::Video => {
                    if !r.push_video(&frame.data, frame.keyframe)
                        && let Some(p) = lock(&peers_for_frames).get(&leg)
                    {
                        // The decoder waits for a keyframe: ask the remote for one.
                        p.request_remote_keyframe();
                    }
                }
                MediaKind::Audio => {
                    r.push_audio(&frame.data);
                }
            }
        });
    let staff_answer_secs = app.state::<Kiosk>().config().ui.staff_answer_secs;
    let (client, mut events) =
        CallClient::spawn(settings, fanout.clone(), force_keyframe, Some(on_remote_frame));
    let mut actor = Actor {
        app,
        client,
        fanout,
        web,
        host: BoardHost::new(BoardConfig::default(), 1),
        view: CallView {
            enabled: true,
            ..CallView::disabled()
        },
        session: None,
        session_prefix: format!("k{:08x}", rand::random::<u32>()),
        sessions_started: 0,
        peers,
        remotes,
        tiles: BTreeMap::new(),
        mic: None,
        audio_tx: None,
        bitrate: BitrateController::new(BitrateLimits::default()),
        next_ask: 0,
        leg_started: BTreeMap::new(),
        staff_answer: Duration::from_secs(u64::from(staff_answer_secs)),
    };
    // A new address (cable, Wi-Fi roaming, a new lease): live legs restart ICE on the new path.
    let (net_tx, mut net_changes) = mpsc::channel::<String>(4);
    let _netwatch = atelier_call::netwatch::spawn(Duration::from_secs(2), move |what| {
        let _ = net_tx.try_send(what);
    });
    let mut feedback = tokio::time::interval(Duration::from_secs(1));
    feedback.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let tick = actor
            .host
            .poll_timeout()
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            event = events.recv() => match event {
                Some(e) => actor.on_event(e).await,
                None => break,
            },
            command = commands.recv() => match command {
                Some(c) => actor.on_command(c).await,
                None => break,
            },
            _ = tokio::time::sleep(tick) => {
                let out = actor.host.tick(Instant::now());
                actor.board_out(out).await;
            }
            _ = feedback.tick() => {
                actor.follow_bandwidth().await;
                actor.check_overdue_asks();
            }
            Some(what) = net_changes.recv() => {
                tracing::info!(%what, "the kiosk's network changed");
                if !actor.view.remotes.is_empty() {
                    match actor.client.restart_ice().await {
                        Ok(n) => tracing::info!(legs = n, "ICE restarted on the new network"),
                        Err(e) => tracing::warn!(error = %e, "could not restart ICE"),
                    }
                }
            }
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Friend => "friend",
        Role::Stylist => "stylist",
        Role::Staff => "staff",
        Role::Kiosk => "kiosk",
    }
}

fn code_name(code: CallErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "failed".into())
}

impl Actor {
    fn publish(&mut self) {
        let board = self.host.state();
        let name = |id: atelier_domain::board::ParticipantId| {
            board
                .participants
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        };
        let kiosk = self.app.state::<Kiosk>();
        let store = kiosk.config().kiosk.store_id.clone();
        let cards = {
            let db = lock(&kiosk.db);
            board
                .cards
                .iter()
                .map(|c| {
                    let tally = self.host.board().tally(&c.sku);
                    let product = atelier_store::catalog::card(&db, &store, &c.sku)
                        .ok()
                        .flatten()
                        .map(crate::commands::catalog::card_view);
                    BoardCardView {
                        id: c.id.0,
                        sku: c.sku.clone(),
                        by: name(c.by),
                        size: c.size.clone(),
                        colour: c.colour.clone(),
                        note: c.note.clone(),
                        product,
                        keep: tally.keep,
                        skip: tally.skip,
                        size_up: tally.size_up,
                    }
                })
                .collect()
        };
        let enum_name = |v: serde_json::Result<serde_json::Value>| {
            v.ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        self.view.cards = cards;
        self.view.strokes = board
            .strokes
            .iter()
            .map(|s| StrokeView {
                id: s.id.0,
                colour: enum_name(serde_json::to_value(s.colour)),
                width: s.width,
                points: s.points.iter().map(|p| [p.0, p.1]).collect(),
            })
            .collect();
        self.view.chat = board
            .chat
            .iter()
            .map(|m| ChatView {
                id: m.id,
                by: name(m.by),
                text: m.text.clone(),
            })
            .collect();
        self.view.reactions = board
            .reactions
            .iter()
            .map(|r| ReactionView {
                id: r.id,
                by: name(r.by),
                reaction: enum_name(serde_json::to_value(r.reaction)),
            })
            .collect();
        let camera_encoding = lock(&self.app.state::<CameraSlot>().camera)
            .as_ref()
            .is_some_and(|c| c.encoding());
        self.view.live = !self.view.remotes.is_empty() && (camera_encoding || self.mic.is_some());
        *lock(&kiosk.call_view) = self.view.clone();
        if let Err(e) = self.app.emit(EVENT, &self.view) {
            tracing::warn!(error = %e, "could not emit the call view");
        }
        crate::camera::set_video_leaving(&self.app, camera_encoding);
    }

    async fn ensure_session(&mut self) -> bool {
        if self.session.is_some() {
            return true;
        }
        self.sessions_started += 1;
        let tag = format!("{}-{}", self.session_prefix, self.sessions_started);
        let Ok(tag) = SessionTag::new(tag) else {
            return false;
        };
        if self.client.start_session(tag.clone()).await.is_err() {
            self.view.notice = Some("offline".into());
            return false;
        }
        self.host = BoardHost::new(BoardConfig::default(), self.sessions_started);
        self.session = Some(tag);
        true
    }

    async fn on_command(&mut self, command: CallCommand) {
        match command {
            CallCommand::AskFriend => {
                self.view.notice = None;
                if self.ensure_session().await {
                    if self.client.create_invite().await.is_ok() {
                        self.record(Event::CallRequested {
                            call: CallKind::Friend,
                        });
                    } else {
                        self.view.notice = Some("offline".into());
                    }
                }
            }
            CallCommand::AskStylist(look) => {
                self.view.notice = None;
                if self.ensure_session().await {
                    let garments = {
                        let kiosk = self.app.state::<Kiosk>();
                        let scans = lock(&kiosk.scans);
                        scans
                            .iter()
                            .rev()
                            .take(atelier_protocol::call::MAX_GARMENTS)
                            .rev()
                            .filter_map(|s| Sku::new(s.clone()).ok())
                            .collect()
                    };
                    let context = RequestContext { garments, look };
                    if self.client.request_stylist(context).await.is_ok() {
                        self.record(Event::CallRequested {
                            call: CallKind::Stylist,
                        });
                    } else {
                        self.view.notice = Some("offline".into());
                    }
                }
            }
            CallCommand::Cancel => {
                if let Some(invite) = self.view.invite.take() {
                    tracing::info!(code_len = invite.code.len(), "invite withdrawn");
                }
                if self.view.queue.take().is_some() {
                    let _ = self.client.cancel_request().await;
                }
                // The relay revokes every open invite when the session ends; a cancelled invite is
                // just forgotten here and expires there, unless the session goes.
                if self.view.remotes.is_empty() {
                    self.end_relay_session().await;
                }
            }
            CallCommand::HangUp(leg) => {
                let _ = self.client.hang_up(leg).await;
            }
            CallCommand::Mute(on) => {
                self.view.muted = on;
                if let Some(m) = &self.mic {
                    m.set_muted(on);
                }
            }
            CallCommand::CameraOff(off) => {
                self.view.camera_off = off;
                if !self.view.remotes.is_empty() {
                    if off {
                        self.stop_video();
                    } else {
                        self.start_video();
                    }
                }
            }
            CallCommand::AskStaff(item) => {
                self.next_ask += 1;
                let ask = self.next_ask;
                let mut view = AskView {
                    ask,
                    sku: item.sku.as_str().to_owned(),
                    name: item.name.as_ref().map(|l| l.as_str().to_owned()),
                    size: item.size.as_ref().map(|l| l.as_str().to_owned()),
                    colour: item.colour.as_ref().map(|l| l.as_str().to_owned()),
                    state: "sending".into(),
                    by: None,
                    suggestion: None,
                    overdue: false,
                    asked_at: Some(Instant::now()),
                };
                // Offline, nobody can be told: the mirror says so and suggests the counter.
                let sent = self.view.online
                    && self.ensure_session().await
                    && self.client.ask_staff(ask, vec![item]).await.is_ok();
                if !sent {
                    view.state = "unreachable".into();
                }
                self.view.asks.push(view);
                let excess = self.view.asks.len().saturating_sub(6);
                self.view.asks.drain(..excess);
            }
            CallCommand::CancelAsk(ask) => {
                let live =
                    self.view.asks.iter().any(|a| {
                        a.ask == ask && matches!(a.state.as_str(), "open" | "onMyWay" | "notInStock")
                    });
                if live {
                    let _ = self.client.cancel_ask(ask).await;
                }
                self.view.asks.retain(|a| a.ask != ask);
            }
            CallCommand::Board(action) => {
                let out = self.host.local(action, Instant::now());
                self.board_out(out).await;
            }
            CallCommand::Wipe => {
                let out = self.host.local(LocalAction::Wipe, Instant::now());
                self.board_out(out).await;
                self.end_relay_session().await;
                self.end_leg_records();
                self.stop_media();
                for leg in std::mem::take(&mut self.tiles).into_keys() {
                    self.drop_remote(leg);
                }
                self.view = CallView {
                    enabled: true,
                    online: self.view.online,
                    ..CallView::disabled()
                };
            }
        }
        self.publish();
    }

    async fn end_relay_session(&mut self) {
        if self.session.take().is_some() {
            let _ = self.client.end_session().await;
        }
        self.view.invite = None;
        self.view.queue = None;
    }

    async fn on_event(&mut self, event: CallEvent) {
        let now = Instant::now();
        let kiosk = self.app.state::<Kiosk>();
        let store = kiosk.config().kiosk.store_id.clone();
        let out = {
            let db = lock(&kiosk.db);
            self.host.handle(&event, now, |sku, _variant| {
                atelier_store::catalog::card(&db, &store, sku)
                    .ok()
                    .flatten()
                    .is_some()
            })
        };
        self.board_out(out).await;
        match event {
            CallEvent::Authenticated => {
                self.view.online = true;
                if self.view.notice.as_deref() == Some("offline") {
                    self.view.notice = None;
                }
            }
            CallEvent::Disconnected { error, .. } => {
                tracing::info!(%error, "call socket down");
                self.view.online = false;
                // The relay drops the kiosk's request and call when its socket goes.
                self.view.queue = None;
                for leg in std::mem::take(&mut self.tiles).into_keys() {
                    self.drop_remote(leg);
                }
                self.view.remotes.clear();
                self.end_leg_records();
                self.stop_media();
            }
            CallEvent::InviteCreated {
                token,
                code,
                expires_at_ms,
                ..
            } => {
                let url = format!("{}/join#{}", self.web, token.expose());
                let (qr_path, qr_size) = qr_path(&url).unwrap_or_default();
                self.view.invite = Some(InviteView {
                    url,
                    code: code.expose().to_owned(),
                    join_at: format!("{}/join", self.web),
                    expires_at_ms,
                    qr_path,
                    qr_size,
                });
            }
            CallEvent::QueueStatus {
                position,
                expected_wait_secs,
                on_duty,
                ..
            } => {
                self.view.queue = Some(QueueView {
                    position,
                    wait_secs: expected_wait_secs,
                    on_duty,
                });
            }
            CallEvent::RequestEnded { reason, .. } => {
                self.view.queue = None;
                if reason == RequestEndReason::Cancelled {
                    tracing::info!("stylist request cancelled");
                }
            }
            CallEvent::LegStarted { leg, peer, .. } => {
                if peer.role == Role::Friend {
                    // An invite is single-use: the QR code on screen is spent.
                    self.view.invite = None;
                }
                self.view.remotes.retain(|r| r.leg != leg.0);
                let kind = if peer.role == Role::Friend {
                    CallKind::Friend
                } else {
                    CallKind::Stylist
                };
                self.leg_started.insert(leg, (kind, Instant::now()));
                self.record(Event::CallStarted { call: kind });
                self.view.remotes.push(RemoteView {
                    leg: leg.0,
                    role: role_name(peer.role).into(),
                    name: peer.display_name.as_str().to_owned(),
                    connected: false,
                    away: false,
                    video: false,
                    tile: None,
                });
                if let Ok(p) = self.client.peer(leg).await {
                    lock(&self.peers).insert(leg, p);
                }
                self.add_remote(leg);
                if self.view.remotes.len() == 1 {
                    self.start_media();
                }
            }
            CallEvent::LegState { leg, state } => {
                if let Some(r) = self.view.remotes.iter_mut().find(|r| r.leg == leg.0) {
                    r.connected = state == PeerState::Connected;
                }
            }
            CallEvent::FirstRemoteFrame { leg, kind } => {
                if kind == MediaKind::Video
                    && let Some(r) = self.view.remotes.iter_mut().find(|r| r.leg == leg.0)
                {
                    r.video = true;
                }
            }
            CallEvent::PeerAway { leg, .. } => {
                if let Some(r) = self.view.remotes.iter_mut().find(|r| r.leg == leg.0) {
                    r.away = true;
                }
            }
            CallEvent::PeerRejoined { leg, fresh } => {
                if let Some(r) = self.view.remotes.iter_mut().find(|r| r.leg == leg.0) {
                    r.away = false;
                    if fresh {
                        // A new connection is being made: the tile says so until it is up, and
                        // `video` waits for that connection's first frame.
                        r.connected = false;
                        r.video = false;
                    }
                }
                if fresh {
                    // A remote back from a reload has a new peer connection: our media goes to that
                    // one, and its video decodes from that connection's first keyframe.
                    if let Ok(p) = self.client.peer(leg).await {
                        lock(&self.peers).insert(leg, p);
                    }
                    if let Some(r) = lock(&self.remotes).get(&leg) {
                        r.new_source();
                    }
                }
            }
            CallEvent::Members { members, .. } => {
                for m in members {
                    if let Some(r) = self.view.remotes.iter_mut().find(|r| r.leg == m.leg.0) {
                        r.away = m.away;
                    }
                }
            }
            CallEvent::LegEnded { leg, reason } => {
                tracing::info!(%leg, ?reason, "leg ended");
                if let Some((kind, at)) = self.leg_started.remove(&leg) {
                    let duration_secs = u32::try_from(at.elapsed().as_secs()).unwrap_or(u32::MAX);
                    self.record(Event::CallEnded {
                        call: kind,
                        duration_secs,
                    });
                }
                self.view.remotes.retain(|r| r.leg != leg.0);
                let peer = lock(&self.peers).remove(&leg);
                if let Some(p) = peer {
                    let st = p.stats().await;
                    tracing::info!(
                        %leg,
                        video_frames = st.video_received.frames,
                        video_dropped = st.video_received.frames_dropped,
                        audio_frames = st.audio_received.frames,
                        "remote received"
                    );
                }
                self.drop_remote(leg);
                if self.view.remotes.is_empty() {
                    self.stop_media();
                }
            }
            CallEvent::AskStatus { ask, status, .. } => {
                if let Some(a) = self.view.asks.iter_mut().find(|a| a.ask == ask) {
                    let (state, by, suggestion) = match status {
                        AskState::Open => ("open", None, None),
                        AskState::OnMyWay { by } => ("onMyWay", Some(by), None),
                        AskState::NotInStock { by, suggestion } => ("notInStock", Some(by), suggestion),
                        AskState::Arrived { by } => ("arrived", Some(by), None),
                        AskState::Closed => ("closed", None, None),
                    };
                    a.state = state.into();
                    a.by = by.map(|b| b.as_str().to_owned());
                    a.suggestion = suggestion.map(|s| s.as_str().to_owned());
                    if state != "open" {
                        a.overdue = false;
                    }
                }
                self.view.asks.retain(|a| a.state != "closed");
            }
            CallEvent::Error { code } => {
                tracing::info!(?code, "the relay refused");
                self.view.notice = Some(code_name(code));
            }
            CallEvent::LegFailed { leg, error } => {
                tracing::warn!(%leg, %error, "a leg failed");
                self.view.notice = Some("failed".into());
            }
            CallEvent::BoardOpen { .. } | CallEvent::BoardText { .. } => {}
        }
        self.publish();
    }

    async fn board_out(&mut self, out: HostOutput) {
        atelier_call::board_host::send_all(&self.client, out.texts).await;
        if out.changed {
            self.publish();
        }
    }

    /// Every leg still counted as live ended now (the socket or the session went).
    fn end_leg_records(&mut self) {
        for (_, (kind, at)) in std::mem::take(&mut self.leg_started) {
            let duration_secs = u32::try_from(at.elapsed().as_secs()).unwrap_or(u32::MAX);
            self.record(Event::CallEnded {
                call: kind,
                duration_secs,
            });
        }
    }

    /// An analytics event (no names, no codes: docs/ANALYTICS.md).
    fn record(&self, event: Event) {
        crate::outbox::record(&self.app.state::<Kiosk>(), event);
    }

    /// Asks nobody answered in time: the mirror offers a stylist call instead.
    fn check_overdue_asks(&mut self) {
        let limit = self.staff_answer;
        let mut changed = false;
        for a in &mut self.view.asks {
            let waiting = matches!(a.state.as_str(), "sending" | "open");
            if waiting && !a.overdue && a.asked_at.is_some_and(|t| t.elapsed() >= limit) {
                a.overdue = true;
                changed = true;
            }
        }
        if changed {
            self.publish();
        }
    }
}

/// Board actions the shopper can take at the mirror, from the UI's words.
pub fn local_action(action: &str, card: Option<u64>) -> Result<LocalAction, CommandError> {
    match (action, card) {
        ("clear", _) => Ok(LocalAction::ClearAll),
        ("dismiss", Some(id)) => Ok(LocalAction::DismissCard(CardId(id))),
        _ => Err(CommandError::BadRequest),
    }
}

/// The look on the mirror, from the UI (both optional, both validated).
pub fn look_on_screen(id: Option<String>, summary: Option<String>) -> Option<LookOnScreen> {
    let id = id.and_then(|s| LookId::new(s).ok());
    let summary = summary.and_then(|s| LookSummary::new(s).ok());
    (id.is_some() || summary.is_some()).then_some(LookOnScreen { id, summary })
}
