// Typed wrappers over the kiosk's Tauri commands and events. Argument and result types come
// from the generated bindings, so a Rust change that breaks the UI fails `npm run check`.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import {
  EVENTS,
  type AdminView,
  type CameraView,
  type CatalogPage,
  type CategoryCount,
  type CommandErrorPayload,
  type KioskSnapshot,
  type Language,
  type RelayStatus,
  type SessionView,
  type LookView,
  type LooksRequest,
  type SnapshotView,
  type SkinOutcome,
  type SkinView,
  type GuideView,
  type CalibrationOutcome,
  type TagView,
  type CallView,
  type PowerView,
  type AdminSettings,
  type AdminSettingsView,
  type SaveOutcome,
  type CatalogSyncView,
} from "./bindings";

export const api = {
  snapshot: () => invoke<KioskSnapshot>("kiosk_snapshot"),
  setLanguage: (language: Language) => invoke<void>("set_language", { language }),
  startSession: () => invoke<SessionView>("start_session"),
  sessionActivity: () => invoke<SessionView>("session_activity"),
  endSession: () => invoke<SessionView>("end_session"),
  adminUnlock: (pin: string) => invoke<AdminView>("admin_unlock", { pin }),
  uiReady: () => invoke<void>("ui_ready"),
  catalogPage: (category: string | null, offset: number, limit: number) =>
    invoke<CatalogPage>("catalog_page", { category, offset, limit }),
  catalogCategories: () => invoke<CategoryCount[]>("catalog_categories"),
  setFlattering: (on: boolean) => invoke<void>("set_flattering", { on }),
  takeSnapshot: () => invoke<SnapshotView>("take_snapshot"),
  deleteSnapshot: (id: number) => invoke<void>("delete_snapshot", { id }),
  lookupTag: (code: string) => invoke<TagView>("lookup_tag", { code }),
  tagShown: (seq: number) => invoke<void>("tag_shown", { seq }),
  recommendLooks: (request: LooksRequest) => invoke<LookView[]>("recommend_looks", { request }),
  bringMe: (look: number | null, products: string[], size: string | null) =>
    invoke<void>("bring_me", { look, products, size }),
  lookEvent: (id: number, kind: "shown" | "opened") => invoke<void>("look_event", { id, kind }),
  analyseSkin: (consent: boolean) => invoke<SkinOutcome>("analyse_skin", { consent }),
  skinResult: () => invoke<SkinView | null>("skin_result"),
  forgetSkin: () => invoke<void>("forget_skin"),
  calibrationGuide: () => invoke<GuideView>("calibration_guide"),
  calibrateCamera: () => invoke<CalibrationOutcome>("calibrate_camera"),
  clearCalibration: () => invoke<void>("clear_calibration"),
  callView: () => invoke<CallView>("call_view"),
  askFriend: () => invoke<void>("ask_friend"),
  askStylist: (lookId: string | null, lookSummary: string | null) => invoke<void>("ask_stylist", { lookId, lookSummary }),
  cancelAdvice: () => invoke<void>("cancel_advice"),
  hangUp: (leg: number | null) => invoke<void>("hang_up", { leg }),
  callMute: (muted: boolean) => invoke<void>("call_mute", { muted }),
  callCameraOff: (off: boolean) => invoke<void>("call_camera_off", { off }),
  boardAction: (action: "clear" | "dismiss", card: number | null) => invoke<void>("board_action", { action, card }),
  askStaff: (sku: string, name: string | null, size: string | null, colour: string | null) =>
    invoke<void>("ask_staff", { sku, name, size, colour }),
  cancelAsk: (ask: number) => invoke<void>("cancel_ask", { ask }),
  screenTouch: () => invoke<void>("screen_touch"),
  adminSettings: () => invoke<AdminSettingsView>("admin_settings"),
  adminSaveSettings: (settings: AdminSettings) => invoke<SaveOutcome>("admin_save_settings", { settings }),
  adminPreviewCamera: (source: string | null) => invoke<SaveOutcome>("admin_preview_camera", { source }),
  adminSyncCatalog: () => invoke<boolean>("admin_sync_catalog"),
  reportProblem: (reason: "mirror" | "fit" | "wait" | "stock" | "other") => invoke<void>("report_problem", { reason }),
};

export const on = {
  relayStatus: (f: (s: RelayStatus) => void): Promise<UnlistenFn> =>
    listen<RelayStatus>(EVENTS.relayStatus, (e) => f(e.payload)),
  session: (f: (s: SessionView) => void): Promise<UnlistenFn> =>
    listen<SessionView>(EVENTS.session, (e) => f(e.payload)),
  language: (f: (l: Language) => void): Promise<UnlistenFn> =>
    listen<Language>(EVENTS.language, (e) => f(e.payload)),
  camera: (f: (c: CameraView) => void): Promise<UnlistenFn> =>
    listen<CameraView>(EVENTS.camera, (e) => f(e.payload)),
  tag: (f: (t: TagView) => void): Promise<UnlistenFn> => listen<TagView>(EVENTS.tag, (e) => f(e.payload)),
  call: (f: (c: CallView) => void): Promise<UnlistenFn> => listen<CallView>(EVENTS.call, (e) => f(e.payload)),
  power: (f: (p: PowerView) => void): Promise<UnlistenFn> => listen<PowerView>(EVENTS.power, (e) => f(e.payload)),
  settings: (f: (s: KioskSnapshot) => void): Promise<UnlistenFn> =>
    listen<KioskSnapshot>(EVENTS.settings, (e) => f(e.payload)),
  catalogSync: (f: (s: CatalogSyncView) => void): Promise<UnlistenFn> =>
    listen<CatalogSyncView>(EVENTS.catalogSync, (e) => f(e.payload)),
};

/** A command's error as the Rust side shapes it, or null for anything else. */
export function commandError(e: unknown): CommandErrorPayload | null {
  if (typeof e === "object" && e !== null && "kind" in e && "message" in e) {
    return e as CommandErrorPayload;
  }
  return null;
}
