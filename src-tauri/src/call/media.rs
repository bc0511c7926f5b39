//! The call's media, as the actor runs it: the camera's encoder feeding every leg (at the rate the
//! legs' bandwidth allows), the microphone, and each remote's decoder drawing a tile on the mirror.

use super::*;

impl Actor {
    pub(super) fn start_media(&mut self) {
        if !self.view.camera_off {
            self.start_video();
        }
        if self.mic.is_none() {
            let (tx, mut rx) = mpsc::channel::<atelier_media::OpusPacket>(50);
            let mic_source = if self.app.state::<Kiosk>().demo {
                MicSource::Test
            } else {
                MicSource::Auto
            };
            let sender = tx.clone();
            match Microphone::start(&mic_source, move |p| {
                let _ = sender.try_send(p);
            }) {
                Ok(m) => {
                    m.set_muted(self.view.muted);
                    self.mic = Some(m);
                    let peers = self.peers.clone();
                    tauri::async_runtime::spawn(async move {
                        while let Some(p) = rx.recv().await {
                            let targets: Vec<KioskPeer> = lock(&peers).values().cloned().collect();
                            let data = bytes::Bytes::from(p.data);
                            for peer in targets {
                                let _ = peer.write_audio(&data, p.duration).await;
                            }
                        }
                    });
                    self.audio_tx = Some(tx);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "no microphone: the call goes on without the shopper's sound")
                }
            }
        }
    }

    /// Sets the encoder's bitrate from the remotes' latest receiver reports (the worst one wins:
    /// one encoding serves them all).
    pub(super) async fn follow_bandwidth(&mut self) {
        let peers: Vec<KioskPeer> = lock(&self.peers).values().cloned().collect();
        if peers.is_empty() {
            return;
        }
        let mut reports = Vec::with_capacity(peers.len());
        for p in peers {
            if let Some(r) = p.stats().await.video_feedback() {
                reports.push(r);
            }
        }
        if let Some(kbps) = self.bitrate.update(Instant::now(), &reports) {
            tracing::info!(
                kbps,
                remotes = reports.len(),
                "video bitrate follows the remotes' reports"
            );
            if let Some(c) = lock(&self.app.state::<CameraSlot>().camera).as_ref() {
                c.set_encoder_bitrate(kbps);
            }
        }
    }

    pub(super) fn start_video(&mut self) {
        let camera = lock(&self.app.state::<CameraSlot>().camera).clone();
        let Some(camera) = camera else {
            tracing::info!("no camera: the call goes on without the shopper's picture");
            return;
        };
        if camera.encoding() {
            return;
        }
        let fanout = self.fanout.clone();
        let started = camera.start_encoder(
            EncoderBranch {
                bitrate_kbps: self.bitrate.kbps(),
                keyframe_interval: Duration::from_secs(2),
                max_height: 720,
            },
            move |f| {
                fanout.push(EncodedVideo {
                    data: bytes::Bytes::from(f.data),
                    pts: f.pts,
                    keyframe: f.keyframe,
                });
            },
        );
        if let Err(e) = started {
            tracing::error!(error = %e, "the call's video encoder could not start");
        }
    }

    pub(super) fn stop_video(&mut self) {
        if let Some(c) = lock(&self.app.state::<CameraSlot>().camera).as_ref() {
            c.stop_encoder();
        }
    }

    pub(super) fn stop_media(&mut self) {
        self.stop_video();
        self.bitrate = BitrateController::new(BitrateLimits::default());
        self.mic = None;
        self.audio_tx = None;
        lock(&self.peers).clear();
    }

    pub(super) fn add_remote(&mut self, leg: LegId) {
        let used: Vec<usize> = self.tiles.values().copied().collect();
        let slot = (0..3).find(|i| !used.contains(i)).unwrap_or(0);
        self.tiles.insert(leg, slot);
        let window = *lock(&self.app.state::<CameraSlot>().view_px);
        let rect = tile_rect(slot, window);
        let sink = crate::camera::remote_tile_sink(&self.app, leg.0, rect);
        match RemoteMedia::new(sink, None) {
            Ok(r) => {
                lock(&self.remotes).insert(leg, Arc::new(r));
                if let Some(v) = self.view.remotes.iter_mut().find(|r| r.leg == leg.0) {
                    v.tile = Some(rect);
                }
            }
            Err(e) => tracing::error!(error = %e, %leg, "the remote's picture cannot be shown"),
        }
    }

    pub(super) fn drop_remote(&mut self, leg: LegId) {
        self.tiles.remove(&leg);
        if let Some(r) = lock(&self.remotes).remove(&leg) {
            let s = r.stats();
            tracing::info!(
                %leg,
                video_frames = s.video_frames.load(std::sync::atomic::Ordering::Relaxed),
                audio_frames = s.audio_frames.load(std::sync::atomic::Ordering::Relaxed),
                size = ?r.video_size(),
                "remote decoded"
            );
        }
        crate::camera::remove_remote_tile(&self.app, leg.0);
    }
}
