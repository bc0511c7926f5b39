//! Shoppers' asks to store staff (another size or colour): the items, staff's answers, and where an
//! ask stands. The messages that carry them are in the parent module.

use serde::{Deserialize, Serialize};

use super::{AskId, DisplayName, Label, Sku};
use crate::RoomName;

/// Items in one ask to staff.
pub const MAX_ASK_ITEMS: usize = 4;

/// One thing the shopper wants brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AskItem {
    pub sku: Sku,
    /// The product's name, for staff to read (the kiosk's language).
    #[serde(default)]
    pub name: Option<Label>,
    #[serde(default)]
    pub size: Option<Label>,
    #[serde(default)]
    pub colour: Option<Label>,
}

/// Staff's answer to an ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum AskAnswer {
    OnMyWay,
    NotInStock {
        #[serde(default)]
        suggestion: Option<Label>,
    },
    Arrived,
}

/// Where an ask stands, as the kiosk and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum AskState {
    /// Nobody has answered yet.
    Open,
    OnMyWay {
        by: DisplayName,
    },
    NotInStock {
        by: DisplayName,
        suggestion: Option<Label>,
    },
    Arrived {
        by: DisplayName,
    },
    /// Cancelled by the shopper, or her session ended.
    Closed,
}

/// An ask as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AskView {
    pub request: AskId,
    pub room: RoomName,
    pub items: Vec<AskItem>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at_ms: u64,
    pub state: AskState,
}
