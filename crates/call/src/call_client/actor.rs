//! The call client's task: owns the socket to the relay and every leg's peer, reconnects with
//! backoff, and turns the relay's messages, the caller's commands and the peers' callbacks into
//! [`CallEvent`]s and signals.

use super::*;

pub(super) struct Actor {
    settings: CallClientSettings,
    fanout: Arc<VideoFanout>,
    on_keyframe_request: Arc<dyn Fn() + Send + Sync>,
    on_remote_frame: Option<Arc<dyn Fn(LegId, RemoteFrame) + Send + Sync>>,
    events: mpsc::Sender<CallEvent>,
    legs: HashMap<LegId, KioskPeer>,
    /// What each leg started with, to build it a new peer connection when its remote comes back
    /// without one (a reloaded page).
    leg_setup: HashMap<LegId, LegSetup>,
    /// When each leg last restarted ICE (a broken path restarts at most every few seconds).
    restarts: HashMap<LegId, Instant>,
}

impl Actor {
    pub(super) fn new(
        settings: CallClientSettings,
        fanout: Arc<VideoFanout>,
        on_keyframe_request: Arc<dyn Fn() + Send + Sync>,
        on_remote_frame: Option<Arc<dyn Fn(LegId, RemoteFrame) + Send + Sync>>,
        events: mpsc::Sender<CallEvent>,
    ) -> Self {
        Self {
            settings,
            fanout,
            on_keyframe_request,
            on_remote_frame,
            events,
            legs: HashMap::new(),
            leg_setup: HashMap::new(),
            restarts: HashMap::new(),
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut backoff = Backoff::new(self.settings.reconnect_min, self.settings.reconnect_max);
        let (peer_tx, mut peer_rx) = mpsc::channel(PEER_EVENT_QUEUE);
        loop {
            let started = Instant::now();
            let mut authenticated = false;
            let err = self
                .connect_once(&mut commands, &peer_tx, &mut peer_rx, &mut authenticated)
                .await;
            self.close_all_legs().await;
            if matches!(err, LinkError::Stopped) {
                return;
            }
            if authenticated && started.elapsed() > Duration::from_secs(10) {
                backoff.reset();
            }
            let delay = backoff.next_delay(rand::random::<f64>());
            tracing::warn!(error = %err, retry_in_ms = delay.as_millis() as u64, "call socket ended");
            self.emit(CallEvent::Disconnected {
                error: err.to_string(),
                retry_in: delay,
            });
            // Offline: answer commands (remembering the session) until it is time to retry.
            let wake = tokio::time::Instant::now() + delay;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(wake) => break,
                    cmd = commands.recv() => match cmd {
                        None => return,
                        Some(Command::Send(_, reply)) => { let _ = reply.send(Err(CallClientError::Offline)); }
                        Some(Command::Session(session, reply)) => {
                            self.settings.session = session;
                            let _ = reply.send(Ok(()));
                        }
                        Some(Command::Peer(_, reply)) => { let _ = reply.send(None); }
                        Some(Command::RestartIce(reply)) => { let _ = reply.send(0); }
                    },
                    // Late callbacks of closed peers.
                    _ = peer_rx.recv() => {}
                }
            }
        }
    }

    fn emit(&self, event: CallEvent) {
        if let Err(e) = self.events.try_send(event) {
            tracing::warn!(
                "call event dropped (nobody reading fast enough): {:?}",
                kind_of(&e)
            );
        }
    }

    async fn connect_once(
        &mut self,
        commands: &mut mpsc::Receiver<Command>,
        peer_tx: &mpsc::Sender<PeerEvent>,
        peer_rx: &mut mpsc::Receiver<PeerEvent>,
        authenticated: &mut bool,
    ) -> LinkError {
        let limit = self.settings.handshake_timeout;
        let timeout_err = || LinkError::HandshakeTimeout(limit.as_secs().max(1));
        let mut ws = match tokio::time::timeout(
            limit,
            tokio_tungstenite::connect_async(self.settings.url.as_str()),
        )
        .await
        {
            Err(_) => return timeout_err(),
            Ok(Err(e)) => return LinkError::Connect(short(&e.to_string())),
            Ok(Ok((ws, _))) => ws,
        };
        let hello = ClientMessage::KioskHello {
            protocol: PROTOCOL_VERSION,
            device_id: self.settings.device_id.clone(),
            device_key: self.settings.device_key.clone(),
            session: self.settings.session.clone(),
        };
        if let Err(e) = send(&mut ws, &hello).await {
            return e;
        }
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let Ok(frame) = tokio::time::timeout_at(deadline, ws.next()).await else {
                return timeout_err();
            };
            match read(frame) {
                Ok(Some(ServerMessage::Authenticated { .. })) => break,
                Ok(Some(ServerMessage::Error { code, .. })) => {
                    self.emit(CallEvent::Error { code });
                    return LinkError::Refused(code);
                }
                Ok(_) => {}
                Err(e) => return e,
            }
        }
        *authenticated = true;
        tracing::info!(url = %self.settings.url, "call socket authenticated");
        self.emit(CallEvent::Authenticated);

        let interval = self.settings.ping_interval.max(Duration::from_millis(100));
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seq = 0u64;
        let mut last_heard = Instant::now();
        let mut garbage = 0u32;
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    if last_heard.elapsed() > interval * 3 {
                        return LinkError::Silent;
                    }
                    seq += 1;
                    if let Err(e) = send(&mut ws, &ClientMessage::Ping { seq }).await {
                        return e;
                    }
                }
                frame = ws.next() => match read(frame) {
                    Ok(Some(msg)) => {
                        last_heard = Instant::now();
                        if let Err(e) = self.on_message(&mut ws, msg, peer_tx).await {
                            return e;
                        }
                    }
                    Ok(None) => last_heard = Instant::now(),
                    Err(LinkError::Garbage) => {
                        garbage += 1;
                        if garbage >= 3 {
                            return LinkError::Garbage;
                        }
                    }
                    Err(e) => return e,
                },
                cmd = commands.recv() => {
                    let Some(cmd) = cmd else {
                        let _ = ws.close(None).await;
                        return LinkError::Stopped;
                    };
                    if let Err(e) = self.on_command(&mut ws, cmd).await {
                        return e;
                    }
                }
                Some(event) = peer_rx.recv() => {
                    if let Err(e) = self.on_peer_event(&mut ws, event).await {
                        return e;
                    }
                }
            }
        }
    }

    async fn on_command(&mut self, ws: &mut Ws, cmd: Command) -> Result<(), LinkError> {
        match cmd {
            Command::Send(msg, reply) => {
                let result = send(ws, &msg).await;
                let _ = reply.send(if result.is_ok() {
                    Ok(())
                } else {
                    Err(CallClientError::Offline)
                });
                result
            }
            Command::Session(session, reply) => {
                self.settings.session = session.clone();
                let msg = match session {
                    Some(session) => ClientMessage::StartSession { session },
                    None => ClientMessage::EndSession,
                };
                let result = send(ws, &msg).await;
                // Remembered either way: the next hello carries it.
                let _ = reply.send(Ok(()));
                result
            }
            Command::Peer(leg, reply) => {
                let _ = reply.send(self.legs.get(&leg).cloned());
                Ok(())
            }
            Command::RestartIce(reply) => {
                let legs: Vec<LegId> = self.legs.keys().copied().collect();
                let mut restarted = 0;
                for leg in legs {
                    if self.restart_ice(ws, leg, "the kiosk's network changed").await? {
                        restarted += 1;
                    }
                }
                let _ = reply.send(restarted);
                Ok(())
            }
        }
    }

    /// Sends a new offer with fresh ICE credentials on `leg`; the media and the board carry on
    /// over the new path once it connects. Returns whether an offer went out.
    async fn restart_ice(&mut self, ws: &mut Ws, leg: LegId, why: &str) -> Result<bool, LinkError> {
        let Some(peer) = self.legs.get(&leg).cloned() else {
            return Ok(false);
        };
        self.restarts.insert(leg, Instant::now());
        match peer.restart_ice().await {
            Ok(sdp) => {
                tracing::info!(%leg, why, "ICE restart");
                send(
                    ws,
                    &ClientMessage::Signal {
                        leg,
                        signal: Signal::Offer { sdp },
                    },
                )
                .await?;
                Ok(true)
            }
            Err(e) => {
                self.leg_failed(leg, &e);
                Ok(false)
            }
        }
    }

    async fn on_peer_event(&mut self, ws: &mut Ws, event: PeerEvent) -> Result<(), LinkError> {
        let leg = event.leg;
        if !self.legs.contains_key(&leg) {
            return Ok(()); // a closed peer's late callback
        }
        match event.kind {
            PeerEventKind::Candidate(json) => {
                if let Some(signal) = candidate_signal(&json) {
                    send(ws, &ClientMessage::Signal { leg, signal }).await?;
                }
            }
            PeerEventKind::State(state) => {
                self.emit(CallEvent::LegState { leg, state });
                // A path that broke (a cable pulled, Wi-Fi roamed): try a new one, at most every
                // few seconds; the remote keeps its leg meanwhile.
                let due = self
                    .restarts
                    .get(&leg)
                    .is_none_or(|t| t.elapsed() >= ICE_RESTART_GAP);
                if matches!(state, PeerState::Disconnected | PeerState::Failed) && due {
                    self.restart_ice(ws, leg, "the connection broke").await?;
                }
            }
            PeerEventKind::BoardOpen => self.emit(CallEvent::BoardOpen { leg }),
            PeerEventKind::BoardText(text) => self.emit(CallEvent::BoardText { leg, text }),
            PeerEventKind::FirstFrame(kind) => self.emit(CallEvent::FirstRemoteFrame { leg, kind }),
        }
        Ok(())
    }

    async fn on_message(
        &mut self,
        ws: &mut Ws,
        msg: ServerMessage,
        peer_tx: &mpsc::Sender<PeerEvent>,
    ) -> Result<(), LinkError> {
        match msg {
            ServerMessage::Pong { .. } | ServerMessage::Authenticated { .. } | ServerMessage::LoggedOut => {}
            ServerMessage::InviteCreated {
                invite,
                token,
                code,
                expires_at_ms,
            } => self.emit(CallEvent::InviteCreated {
                invite,
                token,
                code,
                expires_at_ms,
            }),
            ServerMessage::QueueStatus {
                request,
                position,
                expected_wait_secs,
                on_duty,
            } => self.emit(CallEvent::QueueStatus {
                request,
                position,
                expected_wait_secs,
                on_duty,
            }),
            ServerMessage::RequestEnded { request, reason } => {
                self.emit(CallEvent::RequestEnded { request, reason });
            }
            ServerMessage::LegStarted {
                leg,
                call,
                peer,
                offerer,
                ice_servers,
                ..
            } => {
                if !offerer {
                    tracing::warn!(%leg, "the relay made the kiosk the answerer; the kiosk always offers");
                }
                let setup = LegSetup {
                    call,
                    info: peer,
                    ice_servers,
                };
                self.leg_setup.insert(leg, setup.clone());
                self.open_peer(ws, leg, setup, peer_tx, true).await?;
            }
            ServerMessage::LegResumed { leg, .. } => {
                tracing::debug!(%leg, "legResumed is for remotes; ignored");
            }
            ServerMessage::PeerAway { leg, grace_secs } => self.emit(CallEvent::PeerAway { leg, grace_secs }),
            ServerMessage::PeerRejoined { leg, fresh: true } => {
                // The remote's page was reloaded: its new peer connection cannot take an ICE restart
                // of the old one (a DTLS session it never had). Build the leg a new one and offer.
                if let Some(setup) = self.leg_setup.get(&leg).cloned() {
                    tracing::info!(%leg, "the remote came back without its connection; starting a new one");
                    self.restarts.remove(&leg);
                    self.open_peer(ws, leg, setup, peer_tx, false).await?;
                }
                self.emit(CallEvent::PeerRejoined { leg, fresh: true });
            }
            ServerMessage::PeerRejoined { leg, fresh: false } => {
                if let Some(peer) = self.legs.get(&leg).cloned() {
                    match peer.restart_ice().await {
                        Ok(sdp) => {
                            send(
                                ws,
                                &ClientMessage::Signal {
                                    leg,
                                    signal: Signal::Offer { sdp },
                                },
                            )
                            .await?
                        }
                        Err(e) => self.leg_failed(leg, &e),
                    }
                }
                self.emit(CallEvent::PeerRejoined { leg, fresh: false });
            }
            ServerMessage::LegEnded { leg, reason } => {
                self.end_leg(leg).await;
                self.emit(CallEvent::LegEnded { leg, reason });
            }
            ServerMessage::Members { call, members } => self.emit(CallEvent::Members { call, members }),
            ServerMessage::Signal { leg, signal } => self.on_signal(leg, signal).await,
            ServerMessage::Error { code, .. } => {
                tracing::warn!(?code, "the relay refused a call message");
                self.emit(CallEvent::Error { code });
            }
            ServerMessage::AskStatus { ask, request, status } => {
                self.emit(CallEvent::AskStatus { ask, request, status })
            }
            ServerMessage::Queue { .. }
            | ServerMessage::StaffAsks { .. }
            | ServerMessage::TransferOffer { .. }
            | ServerMessage::TransferWithdrawn { .. }
            | ServerMessage::TransferFailed { .. } => {
                tracing::debug!("a stylist's message reached the kiosk; ignored");
            }
        }
        Ok(())
    }

    /// Builds the leg's peer connection (closing any old one) and sends the offer. `announce`: a new
    /// leg, told to the shell as `LegStarted`; a rebuilt one keeps its place in the call.
    async fn open_peer(
        &mut self,
        ws: &mut Ws,
        leg: LegId,
        setup: LegSetup,
        peer_tx: &mpsc::Sender<PeerEvent>,
        announce: bool,
    ) -> Result<(), LinkError> {
        let LegSetup {
            call,
            info,
            ice_servers,
        } = setup;
        if let Some(old) = self.legs.remove(&leg) {
            self.fanout.remove(&old);
            old.close().await;
        }
        let mut config = self.settings.peer.clone();
        config.ice_servers = ice_servers.iter().map(ice_server).collect();
        let handlers = self.handlers(leg, peer_tx);
        let started = std::time::Instant::now();
        // Boxed: building a peer connection is a large future.
        let peer = match Box::pin(KioskPeer::new(config, handlers)).await {
            Ok(peer) => peer,
            Err(e) => {
                self.leg_failed(leg, &e);
                return send(ws, &ClientMessage::HangUp { leg: Some(leg) }).await;
            }
        };
        if let Err(e) = self.fanout.add(&peer) {
            self.leg_failed(leg, &e);
            peer.close().await;
            return send(ws, &ClientMessage::HangUp { leg: Some(leg) }).await;
        }
        self.legs.insert(leg, peer.clone());
        tracing::info!(%leg, %call, role = ?info.role, "leg started; offering");
        if announce {
            self.emit(CallEvent::LegStarted {
                leg,
                call,
                peer: info,
            });
        }
        let built = started.elapsed();
        match peer.create_offer().await {
            Ok(sdp) => {
                tracing::debug!(
                    %leg,
                    build_ms = built.as_secs_f64() * 1e3,
                    offer_ms = (started.elapsed() - built).as_secs_f64() * 1e3,
                    "offer ready"
                );
                send(
                    ws,
                    &ClientMessage::Signal {
                        leg,
                        signal: Signal::Offer { sdp },
                    },
                )
                .await
            }
            Err(e) => {
                self.leg_failed(leg, &e);
                self.end_leg(leg).await;
                send(ws, &ClientMessage::HangUp { leg: Some(leg) }).await
            }
        }
    }

    fn handlers(&self, leg: LegId, peer_tx: &mpsc::Sender<PeerEvent>) -> PeerHandlers {
        let forward = |tx: mpsc::Sender<PeerEvent>| {
            move |kind: PeerEventKind| {
                if tx.try_send(PeerEvent { leg, kind }).is_err() {
                    tracing::warn!(%leg, "peer event dropped: the call client is behind");
                }
            }
        };
        let (candidate, state, open, text, frame) = (
            forward(peer_tx.clone()),
            forward(peer_tx.clone()),
            forward(peer_tx.clone()),
            forward(peer_tx.clone()),
            forward(peer_tx.clone()),
        );
        let keyframe = self.on_keyframe_request.clone();
        let on_frame = self.on_remote_frame.clone();
        let seen_video = std::sync::atomic::AtomicBool::new(false);
        let seen_audio = std::sync::atomic::AtomicBool::new(false);
        PeerHandlers::new()
            .on_local_candidate(move |json| candidate(PeerEventKind::Candidate(json)))
            .on_state(move |s| state(PeerEventKind::State(s)))
            .on_board_open(move || open(PeerEventKind::BoardOpen))
            .on_board_text(move |t| text(PeerEventKind::BoardText(t)))
            .on_remote_frame(move |f| {
                let seen = match f.kind {
                    MediaKind::Video => &seen_video,
                    MediaKind::Audio => &seen_audio,
                };
                if !seen.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    frame(PeerEventKind::FirstFrame(f.kind));
                }
                if let Some(cb) = &on_frame {
                    cb(leg, f);
                }
            })
            .on_keyframe_request(move || keyframe())
    }

    async fn on_signal(&mut self, leg: LegId, signal: Signal) {
        let Some(peer) = self.legs.get(&leg).cloned() else {
            tracing::debug!(%leg, "a signal for a leg the kiosk does not have");
            return;
        };
        let result = match signal {
            Signal::Answer { sdp } => peer.set_answer(&sdp).await,
            Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_m_line_index,
                username_fragment,
            } => {
                let init = CandidateInit {
                    candidate,
                    sdp_mid,
                    sdp_m_line_index,
                    username_fragment,
                };
                match serde_json::to_string(&init) {
                    Ok(json) => peer.add_remote_candidate(&json).await,
                    Err(e) => Err(crate::PeerError::CandidateJson(e)),
                }
            }
            Signal::EndOfCandidates => Ok(()),
            Signal::Offer { .. } => {
                tracing::warn!(%leg, "the remote sent an offer; the kiosk always offers, so it is ignored");
                Ok(())
            }
        };
        if let Err(e) = result {
            // A bad candidate costs that candidate; a refused answer leaves the leg unconnected.
            tracing::warn!(%leg, error = %e, "a signal from the remote was refused");
            self.emit(CallEvent::LegFailed {
                leg,
                error: e.to_string(),
            });
        }
    }

    fn leg_failed(&self, leg: LegId, error: &dyn std::error::Error) {
        tracing::warn!(%leg, %error, "leg failed on the kiosk");
        self.emit(CallEvent::LegFailed {
            leg,
            error: error.to_string(),
        });
    }

    async fn end_leg(&mut self, leg: LegId) {
        self.restarts.remove(&leg);
        self.leg_setup.remove(&leg);
        if let Some(peer) = self.legs.remove(&leg) {
            self.fanout.remove(&peer);
            peer.close().await;
        }
    }

    /// The socket is gone, and with it the call: the relay ends a leaving kiosk's legs.
    async fn close_all_legs(&mut self) {
        let legs: Vec<LegId> = self.legs.keys().copied().collect();
        for leg in legs {
            self.end_leg(leg).await;
            self.emit(CallEvent::LegEnded {
                leg,
                reason: LegEndReason::KioskLeft,
            });
        }
    }
}

/// `RTCIceCandidateInit` as JSON, both ways.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CandidateInit {
    candidate: String,
    #[serde(default)]
    sdp_mid: Option<String>,
    #[serde(default, rename = "sdpMLineIndex")]
    sdp_m_line_index: Option<u16>,
    #[serde(default)]
    username_fragment: Option<String>,
}

/// A local candidate (the peer's JSON) as a signal; `None` for the empty end-of-candidates one.
fn candidate_signal(json: &str) -> Option<Signal> {
    let init: CandidateInit = match serde_json::from_str(json) {
        Ok(init) => init,
        Err(e) => {
            tracing::warn!(error = %e, "a local candidate could not be read");
            return None;
        }
    };
    if init.candidate.trim().is_empty() {
        return None;
    }
    // The relay wants the SDP attribute form ("candidate:…").
    let candidate = if init.candidate.starts_with("candidate:") {
        init.candidate
    } else {
        format!("candidate:{}", init.candidate)
    };
    Some(Signal::Candidate {
        candidate,
        sdp_mid: init.sdp_mid.filter(|m| !m.is_empty()),
        sdp_m_line_index: init.sdp_m_line_index,
        username_fragment: init.username_fragment.filter(|u| !u.is_empty()),
    })
}

fn ice_server(s: &WireIceServer) -> IceServer {
    IceServer {
        urls: s.urls.clone(),
        username: s.username.clone().unwrap_or_default(),
        credential: s
            .credential
            .as_ref()
            .map(|c| c.expose().to_owned())
            .unwrap_or_default(),
    }
}

fn kind_of(e: &mpsc::error::TrySendError<CallEvent>) -> &'static str {
    match e {
        mpsc::error::TrySendError::Full(_) => "queue full",
        mpsc::error::TrySendError::Closed(_) => "receiver dropped",
    }
}

impl From<FrameError> for LinkError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::Closed => LinkError::Closed,
            FrameError::Io(s) => LinkError::Io(s),
            FrameError::Garbage => LinkError::Garbage,
        }
    }
}

async fn send(ws: &mut Ws, msg: &ClientMessage) -> Result<(), LinkError> {
    Ok(crate::ws::send(ws, msg).await?)
}

fn read(
    frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
) -> Result<Option<ServerMessage>, LinkError> {
    Ok(crate::ws::read(frame, "on the call socket")?)
}

/// What a leg started with (`legStarted`).
#[derive(Clone)]
struct LegSetup {
    call: CallId,
    info: PeerInfo,
    ice_servers: Vec<WireIceServer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_candidates_become_signals() {
        let json = r#"{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host","sdpMid":null,"sdpMLineIndex":0,"usernameFragment":"abcd"}"#;
        let Some(Signal::Candidate {
            candidate,
            sdp_mid,
            sdp_m_line_index,
            username_fragment,
        }) = candidate_signal(json)
        else {
            panic!("no signal");
        };
        assert!(candidate.starts_with("candidate:1 1 udp"));
        assert_eq!((sdp_mid, sdp_m_line_index), (None, Some(0)));
        assert_eq!(username_fragment.as_deref(), Some("abcd"));
        assert!(candidate_signal(r#"{"candidate":""}"#).is_none());
        assert!(candidate_signal("not json").is_none());
        let bare = candidate_signal(r#"{"candidate":"1 1 udp 1 127.0.0.1 5000 typ host"}"#);
        assert!(
            matches!(bare, Some(Signal::Candidate { candidate, .. }) if candidate.starts_with("candidate:1"))
        );
    }

    #[test]
    fn remote_candidates_round_trip_as_browser_json() {
        let init = CandidateInit {
            candidate: "candidate:1".into(),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(0),
            username_fragment: None,
        };
        let json = serde_json::to_string(&init).unwrap_or_default();
        assert!(
            json.contains(r#""sdpMLineIndex":0"#) && json.contains(r#""sdpMid":"0""#),
            "{json}"
        );
    }
}
