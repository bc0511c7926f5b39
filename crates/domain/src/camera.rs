//! Where the mirror's picture comes from (a config-level choice; the media crate builds it).

use std::fmt;
use std::str::FromStr;

/// A camera source, as written in config.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CameraSource {
    /// The first camera found.
    #[default]
    Auto,
    /// The embedded test source (demo mode and tests): no camera needed.
    Test,
    /// A V4L2 device by its path, e.g. `/dev/video2`.
    Device(String),
    /// A video file played in a loop as if it were a camera (`file:PATH`), e.g. the demo clip.
    File(String),
}

/// A camera source that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown camera source {0:?}: use \"auto\", \"test\", a device path such as \"/dev/video0\" or \"file:\" and a video file's path"
)]
pub struct BadCameraSource(String);

impl FromStr for CameraSource {
    type Err = BadCameraSource;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "auto" | "" => Ok(CameraSource::Auto),
            "test" => Ok(CameraSource::Test),
            // The path goes into a pipeline description: allow only plain path characters.
            p if p.starts_with("/dev/")
                && p.len() <= 64
                && p.chars().all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c)) =>
            {
                Ok(CameraSource::Device(p.to_owned()))
            }
            f if f.starts_with("file:") && f.len() > 5 && !f.contains('\0') => {
                Ok(CameraSource::File(f[5..].to_owned()))
            }
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
            CameraSource::File(p) => write!(f, "file:{p}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in ["auto", "test", "/dev/video0", "file:/srv/clip.mp4"] {
            assert_eq!(s.parse::<CameraSource>().unwrap().to_string(), s);
        }
        assert!("webcam".parse::<CameraSource>().is_err());
        assert!("file:".parse::<CameraSource>().is_err());
    }

    #[test]
    fn device_paths_cannot_smuggle_pipeline_syntax() {
        assert!(
            "/dev/video0 ! filesink location=/tmp/x"
                .parse::<CameraSource>()
                .is_err()
        );
        assert!("/dev/video0\"".parse::<CameraSource>().is_err());
    }
}
