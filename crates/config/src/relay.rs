//! The relay's settings (`relay.toml` in its data dir). The command line overrides the file.

use std::fmt;
use std::net::SocketAddr;

use toml::Value;

use crate::reader::{Reader, integer_in, string};

/// Everything the relay reads from its config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// Where to listen; loopback unless deliberately exposed.
    pub listen: SocketAddr,
    /// How often kiosks must send a heartbeat.
    pub heartbeat_interval_secs: u32,
    /// STUN/TURN servers handed to the two ends of each call leg (`[turn]`).
    pub turn: TurnConfig,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            heartbeat_interval_secs: 10,
            turn: TurnConfig::default(),
        }
    }
}

/// `[turn]`: coturn with `use-auth-secret`. Without URLs, peers use host candidates only (loopback, LAN).
#[derive(Clone, PartialEq, Eq)]
pub struct TurnConfig {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URLs.
    pub urls: Vec<String>,
    /// coturn's `static-auth-secret`; `turn:`/`turns:` URLs are handed out only with it.
    pub secret: Option<String>,
    /// How long a handed-out TURN credential is valid.
    pub ttl_secs: u32,
}

impl Default for TurnConfig {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            secret: None,
            ttl_secs: 6 * 3600,
        }
    }
}

impl TurnConfig {
    /// Whether some `turn:`/`turns:` URL is configured but no secret to authenticate it.
    pub fn turn_urls_without_secret(&self) -> bool {
        self.secret.is_none() && self.urls.iter().any(|u| is_turn(u))
    }
}

impl fmt::Debug for TurnConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnConfig")
            .field("urls", &self.urls)
            .field("secret", &self.secret.as_ref().map(|_| "<set>"))
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

fn is_turn(url: &str) -> bool {
    url.starts_with("turn:") || url.starts_with("turns:")
}

fn ice_url(v: &Value) -> Result<String, String> {
    let url = string(v)?;
    let known = ["stun:", "stuns:", "turn:", "turns:"];
    let body = known.iter().find_map(|p| url.strip_prefix(p));
    match body {
        Some(rest) if !rest.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Ok(url)
        }
        _ => Err(format!(
            "{url:?} is not an ICE server URL like \"turn:turn.example.org:3478?transport=udp\" (stun:, stuns:, turn: or turns:)"
        )),
    }
}

fn ice_urls(v: &Value) -> Result<Vec<String>, String> {
    let list = v
        .as_array()
        .ok_or_else(|| format!("expected a list of URLs in [ ], found {}", v.type_str()))?;
    list.iter().map(ice_url).collect()
}

fn secret(v: &Value) -> Result<String, String> {
    // The value is never echoed back: it is a secret.
    let s = v
        .as_str()
        .ok_or_else(|| format!("expected text in quotes, found {}", v.type_str()))?;
    if s.is_empty() || s.len() > 256 || s.chars().any(char::is_control) {
        return Err("must be 1 to 256 characters without control characters".into());
    }
    Ok(s.to_owned())
}

pub(crate) fn read(r: &mut Reader<'_>) -> RelayConfig {
    let mut c = RelayConfig::default();
    let s = r.section("relay", &["listen", "heartbeat_interval_secs"]);
    if let Some(v) = r.get(s, "relay", "listen", |v| {
        let text = string(v)?;
        text.parse::<SocketAddr>()
            .map_err(|_| format!("{text:?} is not an address like 127.0.0.1:8787"))
    }) {
        c.listen = v;
    }
    if let Some(v) = r.get(s, "relay", "heartbeat_interval_secs", |v| integer_in(v, 1, 300)) {
        c.heartbeat_interval_secs = u32::try_from(v).unwrap_or(10);
    }
    let t = r.section("turn", &["urls", "secret", "ttl_secs"]);
    if let Some(v) = r.get(t, "turn", "urls", ice_urls) {
        c.turn.urls = v;
    }
    if let Some(v) = r.get(t, "turn", "secret", secret) {
        c.turn.secret = Some(v);
    }
    if let Some(v) = r.get(t, "turn", "ttl_secs", |v| integer_in(v, 60, 7 * 24 * 3600)) {
        c.turn.ttl_secs = u32::try_from(v).unwrap_or(6 * 3600);
    }
    c
}

#[cfg(test)]
mod tests {
    use crate::parse_relay;

    #[test]
    fn reads_and_validates() {
        let (c, p) = parse_relay("[relay]\nlisten = \"0.0.0.0:9000\"\nheartbeat_interval_secs = 5\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.heartbeat_interval_secs, 5);
        let (c, p) = parse_relay("[relay]\nlisten = \"nowhere\"\n");
        assert_eq!(p.len(), 1);
        assert_eq!(c.listen.port(), 8787);
    }

    #[test]
    fn reads_turn_and_keeps_the_secret_out_of_debug_and_problems() {
        let text = "[turn]\nurls = [\"stun:t.example.org:3478\", \"turn:t.example.org:3478?transport=udp\"]\nsecret = \"north-wind\"\nttl_secs = 3600\n";
        let (c, p) = parse_relay(text);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.turn.urls.len(), 2);
        assert_eq!(c.turn.secret.as_deref(), Some("north-wind"));
        assert_eq!(c.turn.ttl_secs, 3600);
        assert!(!c.turn.turn_urls_without_secret());
        assert!(!format!("{c:?}").contains("north-wind"));

        let (c, p) = parse_relay("[turn]\nurls = [\"http://x\", \"turn:ok\"]\nsecret = 5\nttl_secs = 1\n");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p.iter()
                .any(|x| x.key.as_deref() == Some("turn.urls") && x.line == Some(2))
        );
        assert!(c.turn.urls.is_empty() && c.turn.secret.is_none());
        assert_eq!(c.turn.ttl_secs, 6 * 3600);

        let (c, p) = parse_relay("[turn]\nurls = [\"turns:t.example.org:5349\"]\nsecert = \"x\"\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("did you mean `secret`"), "{p:?}");
        assert!(c.turn.turn_urls_without_secret());
    }
}
