//! The relay's settings (`relay.toml` in its data dir). The command line overrides the file.

use std::net::SocketAddr;

use crate::reader::{Reader, integer_in, string};

/// Everything the relay reads from its config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// Where to listen; loopback unless deliberately exposed.
    pub listen: SocketAddr,
    /// How often kiosks must send a heartbeat.
    pub heartbeat_interval_secs: u32,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            heartbeat_interval_secs: 10,
        }
    }
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
}
