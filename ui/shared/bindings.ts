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
mirrorGlass: boolean, 
/**
 * The camera picture is flipped left–right, like a mirror (off: as the camera sees it, e.g.
 * for a camera that already mirrors, or behind a rear-projection screen).
 */
mirrorFlip: boolean, };

export type KioskIdentity = { deviceId: string, storeId: string, room: string, };

export type PrivacyConfig = { 
/**
 * The shopper may take photos of herself (kept in memory for her session only).
 */
snapshots: boolean, 
/**
 * The shopper may ask for her skin tone and undertone to be measured (after agreeing on screen).
 */
skinAnalysis: boolean, 
/**
 * Movement in front of the camera wakes the screen (the picture is only compared, never kept).
 */
motionWake: boolean, 
/**
 * Anonymous usage events (sessions, calls, looks shown) go to the relay's report.
 */
analytics: boolean, };

export type FeaturesConfig = { 
/**
 * "Ask a friend": a QR link and a short code.
 */
friendCalls: boolean, 
/**
 * "Ask a stylist": the on-duty queue.
 */
stylistCalls: boolean, 
/**
 * "Another size or colour" asks to store staff.
 */
staffRequests: boolean, 
/**
 * Garment tags held up to the camera are read.
 */
tagScan: boolean, 
/**
 * Outfit recommendations ("Looks for me").
 */
looks: boolean, };

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

export type CameraState = "off" | "starting" | "live" | "disconnected" | "unavailable";

export type CameraFaultView = { 
/**
 * `noDevice`, `busy`, `permissionDenied`, `capsNotSupported`, `disconnected`, `badFile`, `other`.
 */
kind: string, element: string, message: string, };

export type PictureSize = { width: number, height: number, };

export type CameraView = { state: CameraState, 
/**
 * `test`, `file:…`, or the device path.
 */
source: string, 
/**
 * The last fault, until frames flow again.
 */
fault: CameraFaultView | null, 
/**
 * The flattering light is on.
 */
flattering: boolean, 
/**
 * Video is being encoded for a call: it leaves the device.
 */
videoLeaving: boolean, 
/**
 * The picture's size after the mounting rotation, once frames flow: what a call's remotes
 * see and draw on, and what the mirror crops from.
 */
picture: PictureSize | null, };

export type KioskSnapshot = { appVersion: string, 
/**
 * Demo mode: test camera source and demo catalog.
 */
demo: boolean, language: Language, display: DisplayConfig, identity: KioskIdentity, 
/**
 * What the shopper is offered, and what may be done with her picture.
 */
privacy: PrivacyConfig, features: FeaturesConfig, session: SessionView, relay: RelayStatus, camera: CameraView, 
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

export type AdminSettings = { storeId: string, room: string, 
/**
 * The language each session starts in.
 */
language: Language, orientation: Orientation, 
/**
 * The UI turned for a screen mounted turned: 0, 90, 180 or 270.
 */
rotationDeg: number, 
/**
 * The picture flipped left–right, like a mirror.
 */
mirrorFlip: boolean, 
/**
 * `auto`, `test`, `/dev/videoN` or `file:PATH`.
 */
cameraSource: string, 
/**
 * How the camera is mounted: 0, 90, 180 or 270.
 */
cameraRotationDeg: number, idleTimeoutSecs: number, stillThereSecs: number, 
/**
 * `ws://host:port/ws`, `wss://host/ws`, or empty for a mirror without a store link.
 */
relayUrl: string, privacy: PrivacyConfig, features: FeaturesConfig, };

export type FieldError = { field: string, 
/**
 * What is wrong and what is allowed (English; the UI shows its own text per field).
 */
message: string, };

export type AdminView = { appVersion: string, dataDir: string, configPath: string, problems: Array<StartupProblem>, identity: KioskIdentity, relay: RelayStatus, catalog: CatalogStatusView, 
/**
 * The camera's colour calibration, if one was made.
 */
calibration: CalibrationView | null, 
/**
 * What staff may change here, as saved.
 */
settings: AdminSettings, };

export type CameraChoice = { 
/**
 * What goes into `[camera] source`.
 */
source: string, 
/**
 * The device's own name, or empty for `auto` and `test` (the UI names those).
 */
name: string, };

export type SyncPhase = "idle" | "pulling" | "applying" | "images" | "done" | "failed";

export type CatalogSyncView = { 
/**
 * Rises with every update: the UI keeps the newest it saw (events and replies cross).
 */
seq: number, phase: SyncPhase, 
/**
 * 0 to 1 over the whole sync.
 */
fraction: number, pulled: number, imagesDone: number, imagesTotal: number, 
/**
 * The catalog version after a sync that is done.
 */
version: number | null, error: string | null, };

export type AdminSettingsView = { view: AdminView, cameras: Array<CameraChoice>, sync: CatalogSyncView, };

export type SaveOutcome = { "status": "saved", changed: Array<string>, } | { "status": "invalid", errors: Array<FieldError>, } | { "status": "failed", message: string, };

export type CommandErrorKind = "wrongPin" | "lockedOut" | "badRequest" | "storage" | "unavailable";

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

export type Via = "camera" | "scanner";

export type TagView = { 
/**
 * Counts up per read; the UI answers `tag_shown(seq)` once the card is on screen.
 */
seq: number, via: Via, 
/**
 * The product, or none when the code is not in this store's catalog.
 */
card: CardView | null, 
/**
 * The exact variant (colour and size) when the tag names one.
 */
variantSku: string | null, };

export type SnapshotView = { id: number, 
/**
 * `img://localhost/snap/<id>`: served from memory, gone when the session ends.
 */
url: string, };

export type LooksRequest = { occasion: string | null, style: string | null, 
/**
 * The most a whole look may cost, in the currency's major unit.
 */
budget: number | null, 
/**
 * Clothing size (tops, bottoms, dresses), e.g. `M`.
 */
size: string | null, 
/**
 * Shoe size, e.g. `38`.
 */
shoeSize: string | null, };

export type LookItemView = { productSku: string, nameEn: string, nameZh: string, category: string, colourEn: string, colourZh: string, hex: string, priceMinor: number, image: string | null, 
/**
 * Already in the shopper's hands.
 */
scanned: boolean, };

export type LookView = { 
/**
 * This session's number for the look, for [`look_event`].
 */
id: number, items: Array<LookItemView>, totalMinor: number, currency: string, reasonEn: string, reasonZh: string, };

export type ColourView = { nameEn: string, nameZh: string, hex: string, };

export type SkinView = { 
/**
 * Monk Skin Tone, 1 (lightest) to 10 (deepest).
 */
monk: number, 
/**
 * The measured skin colour.
 */
skinHex: string, 
/**
 * The Monk swatch it is nearest to.
 */
monkHex: string, 
/**
 * `warm`, `neutral` or `cool`.
 */
undertone: string, 
/**
 * `light`, `medium` or `deep`.
 */
depth: string, 
/**
 * `low`, `medium` or `high`.
 */
contrast: string, 
/**
 * 0–1.
 */
confidence: number, 
/**
 * `low`, `medium` or `high`: low asks for a retake.
 */
confidenceLevel: string, 
/**
 * The camera was colour-calibrated for this room's light.
 */
calibrated: boolean, flattering: Array<ColourView>, avoid: Array<ColourView>, 
/**
 * Frames with a face that went into the answer.
 */
frames: number, };

export type SkinOutcome = { "status": "ok", result: SkinView, } | { "status": "noFace" } | { "status": "tooLittleSkin" } | { "status": "noCamera" };

export type CalibrationView = { meanDeltaE: number, maxDeltaE: number, worstPatch: string, orientation: string, source: string, atUnix: number, };

export type GuideView = { left: number, top: number, width: number, height: number, };

export type CalibrationOutcome = { "status": "ok", calibration: CalibrationView, } | { "status": "noChart", reason: string, } | { "status": "noCamera" };

export type InviteView = { 
/**
 * `http(s)://<relay>/join#<token>`, what the QR code holds.
 */
url: string, 
/**
 * Six characters to type at `<relay>/join`.
 */
code: string, 
/**
 * Where to type it, for the screen.
 */
joinAt: string, expiresAtMs: number, 
/**
 * The QR code as an SVG path over a `size`×`size` grid (quiet zone included).
 */
qrPath: string, qrSize: number, };

export type QueueView = { position: number, waitSecs: number | null, onDuty: number, };

export type TileRect = { x: number, y: number, w: number, h: number, };

export type RemoteView = { leg: number, 
/**
 * `friend`, `stylist`, `staff`.
 */
role: string, name: string, 
/**
 * Media flows.
 */
connected: boolean, 
/**
 * Their socket dropped; the leg waits for them.
 */
away: boolean, 
/**
 * Their picture is on the mirror.
 */
video: boolean, tile: TileRect | null, };

export type BoardCardView = { id: number, sku: string, by: string, size: string | null, colour: string | null, note: string | null, product: CardView | null, keep: number, skip: number, sizeUp: number, };

export type StrokeView = { id: number, 
/**
 * `white`, `black`, `red`, `yellow`, `green`, `blue`, `pink`.
 */
colour: string, 
/**
 * Thousandths of the video's width.
 */
width: number, 
/**
 * x, y pairs in 0–1 of the shopper's (unmirrored) picture.
 */
points: Array<[number, number]>, };

export type ChatView = { id: number, by: string, text: string, };

export type ReactionView = { id: number, by: string, reaction: string, };

export type PowerView = { asleep: boolean, };

export type AskView = { ask: number, sku: string, name: string | null, size: string | null, colour: string | null, 
/**
 * `sending`, `open`, `onMyWay`, `notInStock`, `arrived`, or `unreachable` (the store link is
 * down: go to the counter).
 */
state: string, 
/**
 * Who answered.
 */
by: string | null, 
/**
 * What staff suggest instead (not in stock).
 */
suggestion: string | null, 
/**
 * Nobody answered within `[ui] staff_answer_secs`: offer a stylist call.
 */
overdue: boolean, };

export type CallView = { 
/**
 * A relay is configured (calls are possible at all).
 */
enabled: boolean, 
/**
 * The call socket is up now.
 */
online: boolean, invite: InviteView | null, queue: QueueView | null, remotes: Array<RemoteView>, 
/**
 * Video and sound are leaving the device now.
 */
live: boolean, muted: boolean, cameraOff: boolean, cards: Array<BoardCardView>, strokes: Array<StrokeView>, chat: Array<ChatView>, reactions: Array<ReactionView>, 
/**
 * Asks to store staff this session, newest last.
 */
asks: Array<AskView>, 
/**
 * The last thing that went wrong, as a code for the UI to word: `offline`, `noStylists`,
 * `kioskNotEnrolled`, `callFull`, `failed`.
 */
notice: string | null, };

export const EVENTS = { relayStatus: "relay-status", session: "session", language: "language", camera: "camera", catalog: "catalog", tag: "tag", call: "call", power: "power", settings: "settings", catalogSync: "catalog-sync" } as const;
