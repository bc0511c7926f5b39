//! The pure domain of Atelier. Nothing here touches a clock, a socket, a file or a window:
//! time comes in as an argument and effects go out as return values.

pub mod analytics;
pub mod board;
pub mod calibration;
pub mod camera;
pub mod catalog;
pub mod colour;
pub mod frame;
pub mod language;
pub mod palette;
pub mod power;
pub mod recommend;
pub mod rng;
pub mod session;
pub mod sim;
pub mod skin;

pub use camera::CameraSource;
pub use language::Language;
pub use session::{EndReason, Session, SessionEvent, SessionPhase, SessionTimeouts, SessionView};
