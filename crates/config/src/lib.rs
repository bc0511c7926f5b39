//! Typed configuration for the kiosk (`atelier.toml`), the relay (`relay.toml`) and hardware
//! profiles (`hardware/profiles/*.toml`, strict: see [`parse_profile`]).
//!
//! [`parse_kiosk`] and [`parse_relay`] are pure: text in, config and problems out. A problem
//! never stops anything; the key it names keeps its default.

mod kiosk;
mod profile;
pub mod provision;
mod reader;
mod relay;
mod settings;

pub use kiosk::{
    AdminConfig, CameraConfig, DeviceKey, DisplayConfig, FeaturesConfig, KioskConfig, KioskIdentity,
    Orientation, PrivacyConfig, RelayClientConfig, UiConfig,
};
pub use profile::{
    HardwareProfile, ProfileAudio, ProfileCamera, ProfileDisplay, ProfilePresence, load_profile,
    load_profiles, parse_profile,
};
pub use reader::ConfigProblem;
pub use relay::{RelayConfig, TurnConfig};
pub use settings::{AdminSettings, FieldError, WriteError, changed_keys, write_into};

use std::path::Path;

/// The kiosk's config file name inside its data dir.
pub const KIOSK_CONFIG_FILE: &str = "atelier.toml";
/// The relay's config file name inside its data dir.
pub const RELAY_CONFIG_FILE: &str = "relay.toml";

/// Parses kiosk config text.
pub fn parse_kiosk(text: &str) -> (KioskConfig, Vec<ConfigProblem>) {
    reader::parse_with(text, kiosk::read)
}

/// Parses relay config text.
pub fn parse_relay(text: &str) -> (RelayConfig, Vec<ConfigProblem>) {
    reader::parse_with(text, relay::read)
}

/// Reads a config file: a missing file means defaults; an unreadable one is a problem, not an error.
pub fn load<T: Default>(path: &Path, parse: fn(&str) -> (T, Vec<ConfigProblem>)) -> (T, Vec<ConfigProblem>) {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (T::default(), Vec::new()),
        Err(e) => (
            T::default(),
            vec![ConfigProblem::whole_file(format!(
                "could not read the config file ({e}); using defaults"
            ))],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_defaults_without_problems() {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, problems) = load(&dir.path().join("nope.toml"), parse_kiosk);
        assert_eq!(cfg, KioskConfig::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn a_directory_in_place_of_the_file_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, problems) = load(dir.path(), parse_kiosk);
        assert_eq!(cfg, KioskConfig::default());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("could not read"), "{:?}", problems);
    }
}
