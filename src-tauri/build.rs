// Every app command must be listed here: Tauri then generates `allow-<command>` permissions and
// denies any command a capability does not grant (least privilege for the kiosk webview).
const COMMANDS: &[&str] = &[
    "kiosk_snapshot",
    "set_language",
    "start_session",
    "end_session",
    "session_activity",
    "admin_unlock",
    "ui_ready",
    "catalog_page",
    "catalog_categories",
    "set_flattering",
    "take_snapshot",
    "delete_snapshot",
    "lookup_tag",
    "tag_shown",
    "recommend_looks",
    "bring_me",
    "look_event",
    "analyse_skin",
    "skin_result",
    "forget_skin",
    "calibration_guide",
    "calibrate_camera",
    "clear_calibration",
    "call_view",
    "ask_friend",
    "ask_stylist",
    "cancel_advice",
    "hang_up",
    "call_mute",
    "call_camera_off",
    "board_action",
    "ask_staff",
    "cancel_ask",
    "screen_touch",
    "admin_settings",
    "admin_save_settings",
    "admin_preview_camera",
    "admin_sync_catalog",
    "report_problem",
];

fn main() {
    let attrs =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build step failed: {e:#}");
    }
}
