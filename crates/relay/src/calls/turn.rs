//! TURN credentials by coturn's REST shared-secret scheme (`use-auth-secret` / `static-auth-secret`).
//!
//! The username is `<expiry unix secs>:<user>` and the password `base64(HMAC-SHA1(secret, username))`;
//! coturn recomputes the password from the secret and refuses the pair after the expiry.

use std::fmt;
use std::time::Duration;

use atelier_protocol::call::{IceServer, Secret};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::UnixMs;

/// STUN and TURN servers handed to each peer when a leg starts.
#[derive(Clone, Default)]
pub struct IceConfig {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URLs, e.g. `turn:turn.example.org:3478?transport=udp`.
    pub urls: Vec<String>,
    /// coturn's `static-auth-secret`. Without it TURN URLs are left out (they would fail to authenticate).
    pub turn_secret: Option<String>,
    /// How long a credential stays valid.
    pub ttl: Duration,
}

impl fmt::Debug for IceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceConfig")
            .field("urls", &self.urls)
            .field("turn_secret", &self.turn_secret.as_ref().map(|_| "<set>"))
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// The time-limited `(username, password)` for `user`, valid until `expires_at_unix_secs`.
pub fn turn_credential(secret: &str, user: &str, expires_at_unix_secs: u64) -> (String, String) {
    let username = format!("{expires_at_unix_secs}:{user}");
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    let password = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, password)
}

fn is_turn(url: &str) -> bool {
    url.starts_with("turn:") || url.starts_with("turns:")
}

/// The ICE servers for one peer: STUN URLs as they are, TURN URLs with a credential for `user` that expires
/// `ttl` after `now`. `user` is a label for coturn's logs (never a person's name).
pub fn ice_servers(config: &IceConfig, user: &str, now: UnixMs) -> Vec<IceServer> {
    let stun: Vec<String> = config.urls.iter().filter(|u| !is_turn(u)).cloned().collect();
    let turn: Vec<String> = config.urls.iter().filter(|u| is_turn(u)).cloned().collect();
    let mut servers = Vec::new();
    if !stun.is_empty() {
        servers.push(IceServer {
            urls: stun,
            username: None,
            credential: None,
        });
    }
    if let (false, Some(secret)) = (turn.is_empty(), &config.turn_secret) {
        let expires = now.plus(config.ttl).as_secs();
        let (username, password) = turn_credential(secret, user, expires);
        servers.push(IceServer {
            urls: turn,
            username: Some(username),
            credential: Some(Secret::new(password)),
        });
    }
    servers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_matches_rfc_2202_case_2() {
        // RFC 2202: key "Jefe", data "what do ya want for nothing?" → effcdf6a…259a7c79, here as base64.
        let mut mac = Hmac::<Sha1>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let b64 = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(b64, "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    }

    #[test]
    fn credential_matches_a_vector_computed_with_python() {
        // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b'north-wind',
        //   b'1700003600:c1-l2', hashlib.sha1).digest()).decode())"
        let (user, pass) = turn_credential("north-wind", "c1-l2", 1_700_003_600);
        assert_eq!(user, "1700003600:c1-l2");
        assert_eq!(pass, "XnE4wzAkWRDdR6cyZetj/Ub7H0E=");
    }

    #[test]
    fn ice_servers_split_stun_from_turn_and_expire_after_ttl() {
        let config = IceConfig {
            urls: vec![
                "stun:turn.example.org:3478".into(),
                "turn:turn.example.org:3478?transport=udp".into(),
                "turns:turn.example.org:5349".into(),
            ],
            turn_secret: Some("north-wind".into()),
            ttl: Duration::from_secs(3600),
        };
        let servers = ice_servers(&config, "c1-l2", UnixMs(1_700_000_000_500));
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].urls, vec!["stun:turn.example.org:3478".to_owned()]);
        assert!(servers[0].credential.is_none());
        assert_eq!(servers[1].urls.len(), 2);
        assert_eq!(servers[1].username.as_deref(), Some("1700003600:c1-l2"));
        assert_eq!(
            servers[1].credential.as_ref().map(Secret::expose),
            Some("XnE4wzAkWRDdR6cyZetj/Ub7H0E=")
        );
        assert!(!format!("{config:?}").contains("north-wind"));
    }

    #[test]
    fn turn_urls_without_a_secret_are_left_out() {
        let config = IceConfig {
            urls: vec!["turn:t.example.org".into()],
            turn_secret: None,
            ttl: Duration::from_secs(60),
        };
        assert!(ice_servers(&config, "u", UnixMs(0)).is_empty());
    }
}
