//! Delivering analytics records to the relay (`POST /api/events`), authenticated like the catalog
//! hub: an enrolled kiosk's id and device key.

use std::time::Duration;

use atelier_domain::analytics::Record;
use atelier_protocol::analytics::{EventsAccepted, EventsUpload, MAX_EVENTS_PER_BATCH};

use crate::catalog_pull::HubAuth;

/// Why a batch was not delivered. Everything but [`PushError::Refused`] is worth retrying later.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("cannot reach the relay: {0}")]
    Http(String),
    #[error("the relay refused this kiosk's events (HTTP {0}): is it enrolled with this device key?")]
    Refused(u16),
    #[error("the relay answered HTTP {0}")]
    Status(u16),
    #[error("the relay's answer is not understood: {0}")]
    Garbage(String),
}

/// Sends one batch (at most [`MAX_EVENTS_PER_BATCH`] records; more are not sent) to the relay at
/// `base` (`http://host:port`). Blocking.
pub fn push_events(base: &str, auth: &HubAuth, records: &[Record]) -> Result<EventsAccepted, PushError> {
    let events = records.iter().take(MAX_EVENTS_PER_BATCH).cloned().collect();
    let body =
        serde_json::to_string(&EventsUpload { events }).map_err(|e| PushError::Garbage(e.to_string()))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&format!("{base}/api/events"))
        .header("x-atelier-device", &auth.device_id)
        .header("authorization", &format!("Bearer {}", auth.device_key))
        .header("content-type", "application/json")
        .send(body.as_str())
        .map_err(|e| PushError::Http(e.to_string()))?;
    let status = response.status().as_u16();
    match status {
        200 => {}
        401 | 403 => return Err(PushError::Refused(status)),
        _ => return Err(PushError::Status(status)),
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(4 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| PushError::Http(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| PushError::Garbage(e.to_string()))
}
