//! "Ask for advice": the shopper's side of a call. Each command hands the call actor a request;
//! what changes comes back as the `call` event (and `call_view`).

use std::time::Instant;

use atelier_domain::SessionPhase;
use tauri::State;

use super::CommandError;
use crate::call::{CallCommand, CallView};
use crate::state::{Kiosk, lock};

/// Calls belong to a shopper's session.
fn in_session(kiosk: &Kiosk) -> Result<(), CommandError> {
    match lock(&kiosk.session).view(Instant::now()).phase {
        SessionPhase::Attract => Err(CommandError::BadRequest),
        _ => Ok(()),
    }
}

/// What the mirror shows of the call now.
#[tauri::command]
pub fn call_view(kiosk: State<'_, Kiosk>) -> CallView {
    lock(&kiosk.call_view).clone()
}

/// A QR code and a short code for a friend.
#[tauri::command]
pub fn ask_friend(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    in_session(&kiosk)?;
    kiosk.require(|c| c.features.friend_calls)?;
    kiosk.call.send(CallCommand::AskFriend)
}

/// The stylists' queue, with the garments scanned and the look on the mirror.
#[tauri::command]
pub fn ask_stylist(
    kiosk: State<'_, Kiosk>,
    look_id: Option<String>,
    look_summary: Option<String>,
) -> Result<(), CommandError> {
    in_session(&kiosk)?;
    kiosk.require(|c| c.features.stylist_calls)?;
    kiosk
        .call
        .send(CallCommand::AskStylist(crate::call::look_on_screen(
            look_id,
            look_summary,
        )))
}

/// Withdraws the invite and leaves the queue.
#[tauri::command]
pub fn cancel_advice(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.call.send(CallCommand::Cancel)
}

/// Ends one remote's leg (`leg`), or the whole call.
#[tauri::command]
pub fn hang_up(kiosk: State<'_, Kiosk>, leg: Option<u64>) -> Result<(), CommandError> {
    kiosk
        .call
        .send(CallCommand::HangUp(leg.map(atelier_protocol::call::LegId)))
}

#[tauri::command]
pub fn call_mute(kiosk: State<'_, Kiosk>, muted: bool) -> Result<(), CommandError> {
    kiosk.call.send(CallCommand::Mute(muted))
}

#[tauri::command]
pub fn call_camera_off(kiosk: State<'_, Kiosk>, off: bool) -> Result<(), CommandError> {
    kiosk.call.send(CallCommand::CameraOff(off))
}

/// Asks store staff to bring another size or colour of `sku`. Works without a call; offline, the
/// ask shows as unreachable (the mirror suggests the counter).
#[tauri::command]
pub fn ask_staff(
    kiosk: State<'_, Kiosk>,
    sku: String,
    name: Option<String>,
    size: Option<String>,
    colour: Option<String>,
) -> Result<(), CommandError> {
    use atelier_protocol::call::{AskItem, Label, Sku};
    in_session(&kiosk)?;
    kiosk.require(|c| c.features.staff_requests)?;
    let label = |s: Option<String>| -> Result<Option<Label>, CommandError> {
        s.filter(|s| !s.trim().is_empty())
            .map(|s| Label::new(s).map_err(|_| CommandError::BadRequest))
            .transpose()
    };
    let item = AskItem {
        sku: Sku::new(sku).map_err(|_| CommandError::BadRequest)?,
        name: label(name)?,
        size: label(size)?,
        colour: label(colour)?,
    };
    kiosk.call.send(CallCommand::AskStaff(item))
}

/// The shopper no longer needs what she asked for.
#[tauri::command]
pub fn cancel_ask(kiosk: State<'_, Kiosk>, ask: u32) -> Result<(), CommandError> {
    kiosk.call.send(CallCommand::CancelAsk(ask))
}

/// The shopper clears the board (`clear`) or takes a card off the mirror (`dismiss`, `card`).
#[tauri::command]
pub fn board_action(kiosk: State<'_, Kiosk>, action: String, card: Option<u64>) -> Result<(), CommandError> {
    let action = crate::call::local_action(&action, card)?;
    kiosk.call.send(CallCommand::Board(action))
}
