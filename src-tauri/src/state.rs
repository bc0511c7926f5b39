//! The kiosk's shared state, as Tauri managed state.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use atelier_call::RelayStatus;
use atelier_config::KioskConfig;
use atelier_domain::{Language, Session, SessionEvent, SessionTimeouts};
use rusqlite::Connection;

use crate::camera::CameraView;
use crate::ipc::StartupProblem;
use crate::pin::PinGate;

/// Everything the commands and background tasks share.
pub struct Kiosk {
    /// The settings in force: atelier.toml as read at start, then as changed on the admin screen.
    /// Read it with [`Kiosk::config`].
    pub settings: Mutex<Arc<KioskConfig>>,
    pub problems: Vec<StartupProblem>,
    pub data_dir: PathBuf,
    pub config_path: PathBuf,
    pub demo: bool,
    pub process_start: Instant,
    pub report_ready: bool,
    pub session: Mutex<Session>,
    pub language: Mutex<Language>,
    pub relay: Mutex<RelayStatus>,
    pub camera: Mutex<CameraView>,
    pub pin_gate: Mutex<PinGate>,
    /// The kiosk's SQLite cache (catalog, stock, settings), opened and migrated at start-up.
    pub db: Mutex<Connection>,
    /// Why the last background catalog sync failed, if it did.
    pub catalog_sync_error: Mutex<Option<String>>,
    /// A background catalog sync is running.
    pub catalog_syncing: std::sync::atomic::AtomicBool,
    /// Snapshots the shopper took this session: JPEG bytes in memory only, wiped with the session.
    pub snapshots: Mutex<Vec<(u32, Vec<u8>)>>,
    pub snapshot_seq: std::sync::atomic::AtomicU32,
    /// Variants whose tags were scanned this session (for recommendations), wiped with it.
    pub scans: Mutex<Vec<String>>,
    pub tag_seq: std::sync::atomic::AtomicU32,
    /// Tag reads waiting for the UI to say their card is drawn: (seq, frame captured at).
    pub tag_pending: Mutex<std::collections::VecDeque<(u32, Instant)>>,
    /// The shopper's skin analysis, made only after she agreed; wiped with the session.
    pub skin: Mutex<Option<atelier_domain::skin::SkinAnalysis>>,
    /// Looks shown this session, by id (for learning from what the shopper does); wiped with it.
    pub shown_looks: Mutex<Vec<crate::commands::looks::ShownLook>>,
    /// The admin screen is unlocked until then (the PIN was entered).
    pub admin_until: Mutex<Option<Instant>>,
    /// The call actor's inbox (set when a relay is configured).
    pub call: crate::call::CallHandle,
    /// What the mirror shows of the call, as last published.
    pub call_view: Mutex<crate::call::CallView>,
}

/// How long a PIN unlocks the admin commands.
pub const ADMIN_UNLOCK: Duration = Duration::from_secs(600);

/// Locks, recovering a poisoned lock: the kiosk must keep running after a panicked task.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Kiosk {
    /// The settings in force now (a cheap handle: take it again after a change).
    pub fn config(&self) -> Arc<KioskConfig> {
        lock(&self.settings).clone()
    }

    /// The session timeouts from config.
    pub fn timeouts(config: &KioskConfig) -> SessionTimeouts {
        SessionTimeouts {
            idle: Duration::from_secs(u64::from(config.ui.idle_timeout_secs)),
            still_there: Duration::from_secs(u64::from(config.ui.still_there_secs)),
        }
    }

    /// Refuses what a feature or privacy switch on the admin screen turned off.
    pub fn require(
        &self,
        on: impl FnOnce(&KioskConfig) -> bool,
    ) -> Result<(), crate::commands::CommandError> {
        if on(&self.config()) {
            Ok(())
        } else {
            Err(crate::commands::CommandError::Unavailable)
        }
    }

    /// Admin commands run only within [`ADMIN_UNLOCK`] of the right PIN.
    pub fn require_admin(&self) -> Result<(), crate::commands::CommandError> {
        match *lock(&self.admin_until) {
            Some(t) if Instant::now() < t => Ok(()),
            _ => Err(crate::commands::CommandError::BadRequest),
        }
    }

    /// Carries out what the session state machine asked for. Returns true when the language changed.
    pub fn apply_session_events(&self, events: &[SessionEvent]) -> bool {
        let mut language_changed = false;
        for ev in events {
            match ev {
                SessionEvent::Started { number } => tracing::info!(session = number, "session started"),
                SessionEvent::AskStillThere { number, .. } => {
                    tracing::info!(session = number, "asking: still there?")
                }
                SessionEvent::Resumed { number } => tracing::info!(session = number, "session resumed"),
                SessionEvent::Ended { number, reason } => {
                    tracing::info!(session = number, ?reason, "session ended")
                }
                SessionEvent::Wipe { number } => {
                    // Snapshots, scanned tags and the skin analysis go with the shopper; the next one starts in the
                    // store's language.
                    lock(&self.snapshots).clear();
                    lock(&self.scans).clear();
                    lock(&self.tag_pending).clear();
                    *lock(&self.skin) = None;
                    lock(&self.shown_looks).clear();
                    // The call ends with the session: the relay revokes its invites, the legs
                    // close, the board is wiped.
                    self.call.wipe();
                    let mut lang = lock(&self.language);
                    language_changed = *lang != self.config().ui.language;
                    *lang = self.config().ui.language;
                    tracing::info!(session = number, "session wiped");
                }
            }
        }
        language_changed
    }
}
