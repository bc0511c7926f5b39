//! Tauri commands, one module per area. Each returns `Result<_, CommandError>` so the UI gets a
//! `kind` to branch on.

pub mod admin;
pub mod call;
pub mod camera;
pub mod catalog;
pub mod kiosk;
pub mod looks;
pub mod session;
pub mod skin;

use serde::Serialize;

use crate::ipc::{CommandErrorKind, CommandErrorPayload};
use crate::pin::PinRejection;

/// A command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("wrong PIN")]
    WrongPin { attempts_left: u32 },
    #[error("too many wrong PINs")]
    LockedOut { retry_in_secs: u64 },
    #[error("the request was not understood")]
    BadRequest,
    #[error("the kiosk's storage failed")]
    Storage,
    #[error("not available now")]
    Unavailable,
}

impl From<PinRejection> for CommandError {
    fn from(r: PinRejection) -> Self {
        match r {
            PinRejection::Wrong { attempts_left } => CommandError::WrongPin { attempts_left },
            PinRejection::LockedOut { retry_in_secs } => CommandError::LockedOut { retry_in_secs },
        }
    }
}

impl Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, attempts_left, retry_in_secs) = match *self {
            CommandError::WrongPin { attempts_left } => {
                (CommandErrorKind::WrongPin, Some(attempts_left), None)
            }
            CommandError::LockedOut { retry_in_secs } => {
                (CommandErrorKind::LockedOut, None, Some(retry_in_secs))
            }
            CommandError::BadRequest => (CommandErrorKind::BadRequest, None, None),
            CommandError::Storage => (CommandErrorKind::Storage, None, None),
            CommandError::Unavailable => (CommandErrorKind::Unavailable, None, None),
        };
        CommandErrorPayload {
            kind,
            message: self.to_string(),
            attempts_left,
            retry_in_secs,
        }
        .serialize(s)
    }
}
