//! GStreamer bus errors turned into faults the kiosk can explain.

use gstreamer as gst;
use serde::Serialize;

/// What kind of camera problem this is, so the UI and the supervisor can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    /// No such device (never there, or unplugged before we opened it).
    NoDevice,
    /// Another program holds the camera.
    Busy,
    /// The kiosk may not open the device (udev rules, group membership).
    PermissionDenied,
    /// The device cannot give any format or size we asked for.
    CapsNotSupported,
    /// Frames stopped: the camera was unplugged or crashed while running.
    Disconnected,
    /// A video file could not be read or decoded.
    BadFile,
    /// Anything else.
    Other,
}

impl FaultKind {
    /// Whether waiting and trying again may help (a replugged or released camera).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FaultKind::NoDevice | FaultKind::Busy | FaultKind::Disconnected
        )
    }
}

/// A structured camera error: the kind, the element that reported it and GStreamer's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{kind:?} at {element}: {message}")]
pub struct Fault {
    pub kind: FaultKind,
    pub element: String,
    pub message: String,
    /// GStreamer's debug string: for logs and the admin screen's details, never for shoppers.
    pub debug: Option<String>,
}

/// Classifies an error message from the bus.
pub fn classify(element: &str, error: &gst::glib::Error, debug: Option<&str>) -> Fault {
    let kind = if let Some(e) = error.kind::<gst::ResourceError>() {
        match e {
            gst::ResourceError::NotFound => FaultKind::NoDevice,
            gst::ResourceError::Busy => FaultKind::Busy,
            gst::ResourceError::OpenRead | gst::ResourceError::OpenReadWrite
                if mentions_permission(error, debug) =>
            {
                FaultKind::PermissionDenied
            }
            gst::ResourceError::OpenRead | gst::ResourceError::OpenReadWrite
                if mentions_busy(error, debug) =>
            {
                FaultKind::Busy
            }
            gst::ResourceError::OpenRead | gst::ResourceError::OpenReadWrite
                if element.starts_with("file") =>
            {
                FaultKind::BadFile
            }
            gst::ResourceError::OpenRead | gst::ResourceError::OpenReadWrite => FaultKind::NoDevice,
            gst::ResourceError::Read | gst::ResourceError::Failed => FaultKind::Disconnected,
            gst::ResourceError::Settings => FaultKind::CapsNotSupported,
            _ => FaultKind::Other,
        }
    } else if let Some(e) = error.kind::<gst::StreamError>() {
        match e {
            gst::StreamError::Format | gst::StreamError::WrongType | gst::StreamError::TypeNotFound
                if element.starts_with("file")
                    || element.contains("decode")
                    || element.contains("typefind") =>
            {
                FaultKind::BadFile
            }
            gst::StreamError::Format | gst::StreamError::NotImplemented => FaultKind::CapsNotSupported,
            gst::StreamError::Decode | gst::StreamError::Demux | gst::StreamError::TypeNotFound => {
                FaultKind::BadFile
            }
            gst::StreamError::Failed if mentions_negotiation(error, debug) => FaultKind::CapsNotSupported,
            _ => FaultKind::Other,
        }
    } else if error.kind::<gst::CoreError>() == Some(gst::CoreError::Negotiation)
        || mentions_negotiation(error, debug)
    {
        FaultKind::CapsNotSupported
    } else {
        FaultKind::Other
    };
    Fault {
        kind,
        element: element.to_owned(),
        message: error.message().to_owned(),
        debug: debug.map(str::to_owned),
    }
}

fn text(error: &gst::glib::Error, debug: Option<&str>) -> String {
    format!("{} {}", error.message(), debug.unwrap_or("")).to_ascii_lowercase()
}

fn mentions_permission(error: &gst::glib::Error, debug: Option<&str>) -> bool {
    let t = text(error, debug);
    t.contains("permission") || t.contains("eacces")
}

fn mentions_busy(error: &gst::glib::Error, debug: Option<&str>) -> bool {
    let t = text(error, debug);
    t.contains("busy") || t.contains("ebusy")
}

fn mentions_negotiation(error: &gst::glib::Error, debug: Option<&str>) -> bool {
    let t = text(error, debug);
    t.contains("not-negotiated") || t.contains("not negotiated") || t.contains("negotiat")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: gst::glib::error::ErrorDomain>(code: T, msg: &str) -> gst::glib::Error {
        gst::glib::Error::new(code, msg)
    }

    #[test]
    fn resource_errors_map_to_kinds() {
        let cases = [
            (
                err(gst::ResourceError::NotFound, "Cannot identify device"),
                "v4l2src0",
                FaultKind::NoDevice,
            ),
            (
                err(gst::ResourceError::Busy, "Device is busy"),
                "v4l2src0",
                FaultKind::Busy,
            ),
            (
                err(
                    gst::ResourceError::OpenReadWrite,
                    "Could not open device: Device or resource busy",
                ),
                "v4l2src0",
                FaultKind::Busy,
            ),
            (
                err(
                    gst::ResourceError::OpenReadWrite,
                    "Could not open device: Permission denied",
                ),
                "v4l2src0",
                FaultKind::PermissionDenied,
            ),
            (
                err(gst::ResourceError::Read, "Could not read from resource."),
                "v4l2src0",
                FaultKind::Disconnected,
            ),
            (
                err(gst::ResourceError::Settings, "Device does not support 4K"),
                "v4l2src0",
                FaultKind::CapsNotSupported,
            ),
            (
                err(gst::ResourceError::OpenRead, "No such file"),
                "filesrc0",
                FaultKind::BadFile,
            ),
        ];
        for (e, element, kind) in cases {
            assert_eq!(classify(element, &e, None).kind, kind, "{e}");
        }
    }

    #[test]
    fn negotiation_failures_are_caps_problems() {
        let e = err(gst::StreamError::Failed, "Internal data stream error.");
        let f = classify(
            "videotestsrc0",
            &e,
            Some("streaming stopped, reason not-negotiated (-4)"),
        );
        assert_eq!(f.kind, FaultKind::CapsNotSupported);
        assert!(!f.kind.is_transient());
    }
}
