//! Pulling catalog deltas from the relay's hub over HTTP.

use std::time::Duration;

use atelier_protocol::catalog::DeltaPage;

/// Why a pull failed, in words for staff.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("the relay address {0:?} is not usable (ws://host:port/ws or http://host:port)")]
    Address(String),
    #[error("cannot reach the relay's catalog hub: {0}")]
    Http(String),
    #[error("the relay sent a catalog page Atelier does not understand: {0}")]
    Garbage(String),
}

/// The hub's HTTP base (`http://host:port`) from the kiosk's relay URL (`ws://host:port/ws`) or an
/// HTTP URL.
pub fn hub_base(relay_url: &str) -> Result<String, PullError> {
    let rest = relay_url
        .strip_prefix("ws://")
        .or_else(|| relay_url.strip_prefix("http://"))
        .ok_or_else(|| PullError::Address(relay_url.to_owned()))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err(PullError::Address(relay_url.to_owned()));
    }
    Ok(format!("http://{host}"))
}

/// Who is pulling: an enrolled kiosk's id and device key, sent as `x-atelier-device` and a
/// bearer token; the hub answers only enrolled kiosks.
#[derive(Clone)]
pub struct HubAuth {
    pub device_id: String,
    pub device_key: String,
}

impl std::fmt::Debug for HubAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubAuth")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

fn authorised<B>(request: ureq::RequestBuilder<B>, auth: &HubAuth) -> ureq::RequestBuilder<B> {
    request
        .header("x-atelier-device", &auth.device_id)
        .header("authorization", &format!("Bearer {}", auth.device_key))
}

/// One page of changes after `(since, after)`.
pub fn pull_page(
    base: &str,
    auth: &HubAuth,
    since: u64,
    after: Option<&str>,
    limit: u32,
) -> Result<DeltaPage, PullError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut request = authorised(agent.get(&format!("{base}/api/catalog/delta")), auth)
        .query("since", since.to_string())
        .query("limit", limit.to_string());
    if let Some(after) = after {
        request = request.query("after", after);
    }
    let mut response = request.call().map_err(|e| PullError::Http(e.to_string()))?;
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| PullError::Http(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| PullError::Garbage(e.to_string()))
}

/// The bytes of a published image (`hub:<sha256>`), refusing more than `max_bytes`.
pub fn fetch_image(base: &str, auth: &HubAuth, sha256: &str, max_bytes: u64) -> Result<Vec<u8>, PullError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PullError::Garbage(format!("{sha256:?} is not an image name")));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut response = authorised(agent.get(&format!("{base}/api/catalog/images/{sha256}")), auth)
        .call()
        .map_err(|e| PullError::Http(e.to_string()))?;
    response
        .body_mut()
        .with_config()
        .limit(max_bytes)
        .read_to_vec()
        .map_err(|e| PullError::Http(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::hub_base;

    #[test]
    fn hub_base_from_relay_urls() {
        assert_eq!(
            hub_base("ws://127.0.0.1:8787/ws").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert_eq!(
            hub_base("http://relay.local:9000").unwrap(),
            "http://relay.local:9000"
        );
        assert!(hub_base("ftp://x").is_err());
        assert!(hub_base("ws:///ws").is_err());
    }
}
