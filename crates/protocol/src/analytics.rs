//! Analytics delivery (`POST /api/events`), shared by the kiosk and the relay.
//!
//! The kiosk sends up to [`MAX_EVENTS_PER_BATCH`] records with their idempotency keys; the relay
//! stores each key once and answers with the keys it now holds, so a batch sent twice (a lost
//! answer, a kiosk crash before it marked the batch) is counted once.

use atelier_domain::analytics::Record;
use serde::{Deserialize, Serialize};

/// Most records in one request.
pub const MAX_EVENTS_PER_BATCH: usize = 200;

/// Largest request body the relay reads, in bytes (200 records of a few hundred bytes each fit
/// many times over).
pub const MAX_EVENTS_BODY_BYTES: usize = 1024 * 1024;

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsUpload {
    pub events: Vec<Record>,
}

/// The relay's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsAccepted {
    /// Keys the relay holds now (stored by this request or an earlier one): the kiosk may forget
    /// them.
    pub held: Vec<String>,
    /// Keys of records the relay will never take (invalid, or another device's key): resending
    /// them cannot help.
    pub rejected: Vec<String>,
}
