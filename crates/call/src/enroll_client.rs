//! Redeeming a one-time enrollment code at the relay (`POST /api/enroll`), for `atelier provision
//! --enroll-code`: the answer is this device's id, store, room and its own key, given once.

use std::time::Duration;

use crate::catalog_pull::{PullError, hub_base};

/// What the relay enrolled.
#[derive(Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enrolled {
    pub device_id: String,
    pub store_id: String,
    pub room: String,
    pub device_key: String,
}

impl std::fmt::Debug for Enrolled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolled")
            .field("device_id", &self.device_id)
            .field("store_id", &self.store_id)
            .field("room", &self.room)
            .finish_non_exhaustive()
    }
}

/// Why the code was not taken, in words for the installer.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error(transparent)]
    Address(#[from] PullError),
    #[error("the relay refused the code: {0}")]
    Refused(String),
    #[error("cannot reach the relay: {0}")]
    Http(String),
    #[error("the relay's answer is not an enrollment: {0}")]
    Garbage(String),
}

/// Redeems `code` at the relay (`ws://host:port/ws` or `http://host:port`).
pub fn redeem(relay_url: &str, code: &str) -> Result<Enrolled, EnrollError> {
    let base = hub_base(relay_url)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .build()
        .into();
    let body = serde_json::json!({ "code": code }).to_string();
    let mut response = agent
        .post(&format!("{base}/api/enroll"))
        .header("content-type", "application/json")
        .send(body.as_bytes())
        .map_err(|e| EnrollError::Http(e.to_string()))?;
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .map_err(|e| EnrollError::Http(e.to_string()))?;
    if !status.is_success() {
        let why: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        return Err(EnrollError::Refused(format!("{status}: {why}")));
    }
    serde_json::from_str(&text).map_err(|e| EnrollError::Garbage(e.to_string()))
}
