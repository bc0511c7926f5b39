//! Garment tags, from the camera (zbar) or a hand scanner that types like a keyboard: looked up in
//! the cached catalog and sent to the UI as a card that slides in, or a friendly "not found".

use std::time::Instant;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::ipc::{CardView, events};
use crate::state::{Kiosk, lock};

/// Where the code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Via {
    Camera,
    Scanner,
}

/// A tag read, for the UI.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TagView {
    /// Counts up per read; the UI answers `tag_shown(seq)` once the card is on screen.
    pub seq: u32,
    pub via: Via,
    /// The product, or none when the code is not in this store's catalog.
    pub card: Option<CardView>,
    /// The exact variant (colour and size) when the tag names one.
    pub variant_sku: Option<String>,
}

/// How many reads wait for their "shown" answer (older ones are forgotten).
const PENDING: usize = 16;

/// Looks a code up, remembers it for the session, and tells the UI.
pub fn scanned(app: &AppHandle, code: &str, via: Via, captured: Instant) -> TagView {
    let kiosk = app.state::<Kiosk>();
    let code = code.trim();
    let found = {
        let db = lock(&kiosk.db);
        atelier_store::catalog::find_by_code(&db, code).and_then(|m| match m {
            Some(m) => Ok(
                atelier_store::catalog::card(&db, &kiosk.config().kiosk.store_id, &m.product_sku)?
                    .map(|c| (crate::commands::catalog::card_view(c), m.variant_sku)),
            ),
            None => Ok(None),
        })
    };
    let (card, variant_sku) = match found {
        Ok(Some((card, v))) => (Some(card), v),
        Ok(None) => {
            tracing::info!(?via, code, "a tag not in the catalog");
            (None, None)
        }
        Err(e) => {
            tracing::error!(error = %e, "looking up a tag failed");
            (None, None)
        }
    };
    let seq = kiosk.tag_seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    {
        let mut pending = lock(&kiosk.tag_pending);
        if pending.len() >= PENDING {
            pending.pop_front();
        }
        pending.push_back((seq, captured));
    }
    if let Some(v) = &variant_sku {
        let mut scans = lock(&kiosk.scans);
        if !scans.contains(v) {
            scans.push(v.clone());
        }
    }
    if let Some(card) = &card {
        // A garment from a look shown this session came into the fitting room: that look was tried.
        crate::commands::looks::credit_tried(
            &kiosk,
            &app.state::<crate::commands::looks::Learning>(),
            &card.sku,
        );
    }
    // Holding a tag up is a touch: it starts or keeps the session.
    crate::commands::session::touch(app, &kiosk);
    let view = TagView {
        seq,
        via,
        card,
        variant_sku,
    };
    if let Err(e) = app.emit(events::TAG, &view) {
        tracing::warn!(error = %e, "could not emit a tag");
    }
    view
}

/// The UI drew the card of read `seq`: log how long it took from the frame's capture.
pub fn shown(kiosk: &Kiosk, seq: u32) {
    let captured = {
        let mut pending = lock(&kiosk.tag_pending);
        let i = pending.iter().position(|(s, _)| *s == seq);
        i.and_then(|i| pending.remove(i)).map(|(_, at)| at)
    };
    if let Some(at) = captured {
        tracing::info!(target: "tag_stats", seq, tag_to_card_ms = at.elapsed().as_secs_f64() * 1000.0, "tag card shown");
    }
}
