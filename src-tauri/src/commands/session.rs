//! The shopper's session: start, touch, end.

use std::time::Instant;

use atelier_domain::{SessionView, session::EndReason};
use tauri::{AppHandle, Emitter, State};

use super::CommandError;
use crate::ipc::events;
use crate::state::{Kiosk, lock};

/// Starts a session (from the attract screen).
#[tauri::command]
pub fn start_session(app: AppHandle, kiosk: State<'_, Kiosk>) -> Result<SessionView, CommandError> {
    let now = Instant::now();
    let events = lock(&kiosk.session).start(now);
    kiosk.apply_session_events(&events);
    Ok(publish(&app, &kiosk, now))
}

/// The shopper touched the screen.
#[tauri::command]
pub fn session_activity(app: AppHandle, kiosk: State<'_, Kiosk>) -> Result<SessionView, CommandError> {
    let now = Instant::now();
    let events = lock(&kiosk.session).activity(now);
    kiosk.apply_session_events(&events);
    if events.is_empty() {
        return Ok(lock(&kiosk.session).view(now));
    }
    Ok(publish(&app, &kiosk, now))
}

/// A touch that is not a tap on the screen (a tag held up): starts a session from the attract
/// screen, or counts as activity in one.
pub fn touch(app: &AppHandle, kiosk: &Kiosk) {
    let now = Instant::now();
    let events = {
        let mut s = lock(&kiosk.session);
        if s.view(now).phase == atelier_domain::SessionPhase::Attract {
            s.start(now)
        } else {
            s.activity(now)
        }
    };
    kiosk.apply_session_events(&events);
    if !events.is_empty() {
        publish(app, kiosk, now);
    }
}

/// The shopper tapped "End session — erase everything".
#[tauri::command]
pub fn end_session(app: AppHandle, kiosk: State<'_, Kiosk>) -> Result<SessionView, CommandError> {
    let now = Instant::now();
    let events = lock(&kiosk.session).end(now, EndReason::ShopperEnded);
    // The analytics' session sampler sees the end; this tells it who ended it.
    crate::outbox::note_session_end(&events);
    if kiosk.apply_session_events(&events) {
        let lang = *lock(&kiosk.language);
        let _ = app.emit(events::LANGUAGE, lang);
    }
    Ok(publish(&app, &kiosk, now))
}

/// Emits the current view to every listener and returns it.
pub fn publish(app: &AppHandle, kiosk: &Kiosk, now: Instant) -> SessionView {
    let view = lock(&kiosk.session).view(now);
    if let Err(e) = app.emit(events::SESSION, &view) {
        tracing::warn!(error = %e, "could not emit the session view");
    }
    view
}

/// What a shopper can say was not right, as the short codes the store's report counts (never
/// free text: nothing she types leaves the room).
pub const PROBLEM_REASONS: [&str; 5] = ["mirror", "fit", "wait", "stock", "other"];

/// "Something not right?": the shopper's complaint, counted in the store's report.
#[tauri::command]
pub fn report_problem(kiosk: State<'_, Kiosk>, reason: String) -> Result<(), CommandError> {
    if lock(&kiosk.session).view(Instant::now()).phase == atelier_domain::SessionPhase::Attract {
        return Err(CommandError::BadRequest);
    }
    if !PROBLEM_REASONS.contains(&reason.as_str()) {
        return Err(CommandError::BadRequest);
    }
    tracing::info!(reason, "the shopper reported a problem");
    crate::outbox::try_record(&kiosk, atelier_domain::analytics::Event::Complaint { reason }).map_err(|e| {
        tracing::error!(error = %e, "recording a complaint failed");
        CommandError::Storage
    })
}
