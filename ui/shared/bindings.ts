// Generated from the Rust types by `scripts/gen-bindings.sh`; do not edit.
// A test (`bindings_are_current`) fails when this file is stale.

export type Language = "en" | "zh-CN";

export type SessionPhase = "attract" | "active" | "stillThere";

export type SessionView = { phase: SessionPhase, 
/**
 * Sessions started since the kiosk started; 0 before the first.
 */
number: number, 
/**
 * Seconds since the session started (0 on the attract screen).
 */
elapsedSecs: number, 
/**
 * Seconds left on the "Still there?" countdown, when it runs.
 */
stillThereSecsLeft: number | null, };

export type Orientation = "portrait" | "landscape";

export type DisplayConfig = { orientation: Orientation, 
/**
 * Rotates the whole UI for a screen mounted turned (when the OS does not rotate it): 0, 90, 180 or 270.
 */
rotationDeg: number, 
/**
 * Fullscreen kiosk window; false only for development.
 */
fullscreen: boolean, 
/**
 * A two-way mirror: black is glass, so no camera picture is drawn behind the UI.
 */
mirrorGlass: boolean, };

export type KioskIdentity = { deviceId: string, storeId: string, room: string, };

export type RelayState = "disabled" | "connecting" | "connected" | "offline";

export type RelayStatus = { state: RelayState, url: string, 
/**
 * Connection attempts since the last successful one.
 */
failedAttempts: number, 
/**
 * Why the last attempt or connection ended, in plain words.
 */
lastError: string | null, 
/**
 * Milliseconds until the next attempt, when offline.
 */
retryInMs: number | null, 
/**
 * Round trip of the last heartbeat.
 */
rttMs: number | null, 
/**
 * Grows with every change, so a listener can drop a status older than one it already has.
 */
revision: number, };

export type CameraState = "off" | "starting" | "live" | "unavailable";

export type CameraView = { state: CameraState, 
/**
 * `test`, or the device path.
 */
source: string, };

export type KioskSnapshot = { appVersion: string, 
/**
 * Demo mode: test camera source and demo catalog.
 */
demo: boolean, language: Language, display: DisplayConfig, identity: KioskIdentity, session: SessionView, relay: RelayStatus, camera: CameraView, 
/**
 * Problems found at start-up; details only behind the admin PIN.
 */
problemCount: number, };

export type ProblemSource = "config" | "dataDir" | "database";

export type StartupProblem = { source: ProblemSource, key: string | null, line: number | null, message: string, };

export type CatalogStatusView = { 
/**
 * The hub's version this kiosk holds; 0 if it never synced (an imported catalog only).
 */
version: number, 
/**
 * When it last synced, unix seconds.
 */
syncedAtUnix: number | null, products: number, lastSyncError: string | null, };

export type AdminView = { appVersion: string, dataDir: string, configPath: string, problems: Array<StartupProblem>, identity: KioskIdentity, display: DisplayConfig, relay: RelayStatus, catalog: CatalogStatusView, };

export type CommandErrorKind = "wrongPin" | "lockedOut" | "badRequest" | "storage";

export type CommandErrorPayload = { kind: CommandErrorKind, message: string, 
/**
 * Tries left before a lockout (wrong PIN).
 */
attemptsLeft: number | null, 
/**
 * Seconds to wait (locked out).
 */
retryInSecs: number | null, };

export type SwatchView = { nameEn: string, nameZh: string, 
/**
 * sRGB of the measured colour, `#rrggbb`.
 */
hex: string, };

export type CardView = { sku: string, nameEn: string, nameZh: string, category: string, priceMinor: number, currency: string, colours: Array<SwatchView>, sizesInStock: Array<string>, 
/**
 * `img://` URL of the card-size image.
 */
image: string | null, };

export type CatalogPage = { cards: Array<CardView>, total: number, offset: number, };

export type CategoryCount = { category: string, count: number, };

export const EVENTS = { relayStatus: "relay-status", session: "session", language: "language", camera: "camera", catalog: "catalog" } as const;
