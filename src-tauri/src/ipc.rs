//! Types that cross into the UI. TypeScript for them (and for the crates' types they contain) is
//! generated into `ui/shared/bindings.ts`; a test fails when the committed file is stale.

use atelier_call::RelayStatus;
use atelier_config::{DisplayConfig, FeaturesConfig, KioskIdentity, PrivacyConfig};
use atelier_domain::{Language, SessionView};

use crate::camera::CameraView;
use serde::Serialize;
use ts_rs::TS;

/// Everything a screen needs at start-up.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskSnapshot {
    pub app_version: String,
    /// Demo mode: test camera source and demo catalog.
    pub demo: bool,
    pub language: Language,
    pub display: DisplayConfig,
    pub identity: KioskIdentity,
    /// What the shopper is offered, and what may be done with her picture.
    pub privacy: PrivacyConfig,
    pub features: FeaturesConfig,
    pub session: SessionView,
    pub relay: RelayStatus,
    pub camera: CameraView,
    /// Problems found at start-up; details only behind the admin PIN.
    pub problem_count: u32,
}

/// Where a start-up problem came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProblemSource {
    Config,
    DataDir,
    Database,
}

/// Something wrong at start-up that staff should fix; the kiosk runs anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartupProblem {
    pub source: ProblemSource,
    pub key: Option<String>,
    pub line: Option<u32>,
    pub message: String,
}

/// What the admin screen shows once the PIN is accepted.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AdminView {
    pub app_version: String,
    pub data_dir: String,
    pub config_path: String,
    pub problems: Vec<StartupProblem>,
    pub identity: KioskIdentity,
    pub relay: RelayStatus,
    pub catalog: CatalogStatusView,
    /// The camera's colour calibration, if one was made.
    pub calibration: Option<crate::commands::skin::CalibrationView>,
    /// What staff may change here, as saved.
    pub settings: atelier_config::AdminSettings,
}

/// The catalog as staff see it in admin.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogStatusView {
    /// The hub's version this kiosk holds; 0 if it never synced (an imported catalog only).
    #[ts(type = "number")]
    pub version: u64,
    /// When it last synced, unix seconds.
    #[ts(type = "number | null")]
    pub synced_at_unix: Option<i64>,
    pub products: u32,
    pub last_sync_error: Option<String>,
}

/// What a failed command tells the UI: a `kind` to branch on, a message for logs.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandErrorPayload {
    pub kind: CommandErrorKind,
    pub message: String,
    /// Tries left before a lockout (wrong PIN).
    pub attempts_left: Option<u32>,
    /// Seconds to wait (locked out).
    #[ts(type = "number | null")]
    pub retry_in_secs: Option<u64>,
}

/// Kinds of command failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CommandErrorKind {
    WrongPin,
    LockedOut,
    BadRequest,
    Storage,
    Unavailable,
}

/// A colour swatch on a card.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SwatchView {
    pub name_en: String,
    pub name_zh: String,
    /// sRGB of the measured colour, `#rrggbb`.
    pub hex: String,
}

/// A product card in the browse screen. Every text is data, shown escaped.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CardView {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: String,
    #[ts(type = "number")]
    pub price_minor: i64,
    pub currency: String,
    pub colours: Vec<SwatchView>,
    pub sizes_in_stock: Vec<String>,
    /// `img://` URL of the card-size image.
    pub image: Option<String>,
}

/// One page of cards.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogPage {
    pub cards: Vec<CardView>,
    pub total: u32,
    pub offset: u32,
}

/// A category and how many products it has.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CategoryCount {
    pub category: String,
    pub count: u32,
}

/// Names of the events the app emits, shared with the UI through the bindings.
pub mod events {
    /// Payload: `RelayStatus`.
    pub const RELAY_STATUS: &str = "relay-status";
    /// Payload: `SessionView`.
    pub const SESSION: &str = "session";
    /// Payload: `Language`.
    pub const LANGUAGE: &str = "language";
    /// Payload: `CameraView`.
    pub const CAMERA: &str = "camera";
    /// Payload: the new catalog version (number).
    pub const CATALOG: &str = "catalog";
    /// Payload: `TagView`.
    pub const TAG: &str = "tag";
    /// Payload: `KioskSnapshot`, after the admin screen changed settings.
    pub const SETTINGS: &str = "settings";
}

/// Renders every UI-facing type into one TypeScript module (run by the `bindings_are_current` test).
#[cfg(test)]
pub fn render_bindings() -> String {
    use atelier_call::RelayState;
    use atelier_config::Orientation;
    use atelier_domain::SessionPhase;

    let cfg = ts_rs::Config::default();
    let decls = [
        Language::decl(&cfg),
        SessionPhase::decl(&cfg),
        SessionView::decl(&cfg),
        Orientation::decl(&cfg),
        DisplayConfig::decl(&cfg),
        KioskIdentity::decl(&cfg),
        PrivacyConfig::decl(&cfg),
        FeaturesConfig::decl(&cfg),
        RelayState::decl(&cfg),
        RelayStatus::decl(&cfg),
        crate::camera::CameraState::decl(&cfg),
        crate::camera::CameraFaultView::decl(&cfg),
        crate::camera::PictureSize::decl(&cfg),
        CameraView::decl(&cfg),
        KioskSnapshot::decl(&cfg),
        ProblemSource::decl(&cfg),
        StartupProblem::decl(&cfg),
        CatalogStatusView::decl(&cfg),
        atelier_config::AdminSettings::decl(&cfg),
        atelier_config::FieldError::decl(&cfg),
        AdminView::decl(&cfg),
        crate::camera::CameraChoice::decl(&cfg),
        crate::relay_link::SyncPhase::decl(&cfg),
        crate::relay_link::CatalogSyncView::decl(&cfg),
        crate::commands::admin::AdminSettingsView::decl(&cfg),
        crate::settings::SaveOutcome::decl(&cfg),
        CommandErrorKind::decl(&cfg),
        CommandErrorPayload::decl(&cfg),
        SwatchView::decl(&cfg),
        CardView::decl(&cfg),
        CatalogPage::decl(&cfg),
        CategoryCount::decl(&cfg),
        crate::tags::Via::decl(&cfg),
        crate::tags::TagView::decl(&cfg),
        crate::commands::camera::SnapshotView::decl(&cfg),
        crate::commands::looks::LooksRequest::decl(&cfg),
        crate::commands::looks::LookItemView::decl(&cfg),
        crate::commands::looks::LookView::decl(&cfg),
        crate::commands::skin::ColourView::decl(&cfg),
        crate::commands::skin::SkinView::decl(&cfg),
        crate::commands::skin::SkinOutcome::decl(&cfg),
        crate::commands::skin::CalibrationView::decl(&cfg),
        crate::commands::skin::GuideView::decl(&cfg),
        crate::commands::skin::CalibrationOutcome::decl(&cfg),
        crate::call::InviteView::decl(&cfg),
        crate::call::QueueView::decl(&cfg),
        crate::call::TileRect::decl(&cfg),
        crate::call::RemoteView::decl(&cfg),
        crate::call::BoardCardView::decl(&cfg),
        crate::call::StrokeView::decl(&cfg),
        crate::call::ChatView::decl(&cfg),
        crate::call::ReactionView::decl(&cfg),
        crate::power::PowerView::decl(&cfg),
        crate::call::AskView::decl(&cfg),
        crate::call::CallView::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `scripts/gen-bindings.sh`; do not edit.\n\
         // A test (`bindings_are_current`) fails when this file is stale.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "export const EVENTS = {{ relayStatus: {:?}, session: {:?}, language: {:?}, camera: {:?}, catalog: {:?}, tag: {:?}, call: {:?}, power: {:?}, settings: {:?}, catalogSync: {:?} }} as const;\n",
        events::RELAY_STATUS,
        events::SESSION,
        events::LANGUAGE,
        events::CAMERA,
        events::CATALOG,
        events::TAG,
        crate::call::EVENT,
        crate::power::EVENT,
        events::SETTINGS,
        crate::relay_link::SYNC_EVENT
    ));
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn bindings_are_current() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/shared/bindings.ts");
        let fresh = super::render_bindings();
        if std::env::var_os("ATELIER_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/shared/bindings.ts is stale: run scripts/gen-bindings.sh and commit the result"
        );
    }
}
