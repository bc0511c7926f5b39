//! The kiosk's media layer. So far: which camera source to use. The GStreamer pipelines arrive with
//! the camera issue.

use std::fmt;
use std::str::FromStr;

/// Where the mirror's picture comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CameraSource {
    /// The first camera found.
    #[default]
    Auto,
    /// The embedded test source (demo mode and tests): no camera needed.
    Test,
    /// A device by its path, e.g. `/dev/video2`.
    Device(String),
}

/// A camera source that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown camera source {0:?}: use \"auto\", \"test\" or a device path such as \"/dev/video0\"")]
pub struct BadCameraSource(String);

impl FromStr for CameraSource {
    type Err = BadCameraSource;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "auto" | "" => Ok(CameraSource::Auto),
            "test" => Ok(CameraSource::Test),
            p if p.starts_with("/dev/") => Ok(CameraSource::Device(p.to_owned())),
            other => Err(BadCameraSource(other.to_owned())),
        }
    }
}

impl fmt::Display for CameraSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CameraSource::Auto => f.write_str("auto"),
            CameraSource::Test => f.write_str("test"),
            CameraSource::Device(p) => f.write_str(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in ["auto", "test", "/dev/video0"] {
            assert_eq!(s.parse::<CameraSource>().unwrap().to_string(), s);
        }
        assert!("webcam".parse::<CameraSource>().is_err());
    }
}
