// The kiosk front end: three layers (screen, overlay, status) redrawn from one state.

import type { AdminView, CallView, CameraView, KioskSnapshot, Language, RelayStatus, SessionView, SnapshotView } from "../../shared/bindings";
import { h, mount } from "../../shared/dom";
import { setLanguage, t } from "../../shared/i18n";
import { api, on } from "../../shared/ipc";
import { adminScreen, calibrateOverlay, updateAdminRelay, updateAdminSync } from "./screens/admin";
import { adviceScreen, callLayer, setPictureSize } from "./screens/advice";
import { setAskEnabled } from "./screens/ask";
import { attractScreen } from "./screens/attract";
import { browseScreen } from "./screens/browse";
import { scrollTestScreen } from "./screens/scrolltest";
import type { ScrollStats } from "./scroll-test";
import { coloursScreen } from "./screens/colours";
import { pinPrompt } from "./screens/pin";
import { looksScreen } from "./screens/looks";
import { compareOverlay, sessionScreen, stillThereOverlay } from "./screens/session";
import { feature, setSwitches } from "./switches";
import { listenForScanner, tagPanel } from "./tags";
import { cameraChip, onLongPress, relayChip } from "./widgets";

type Overlay =
  | { kind: "none" }
  | { kind: "pin" }
  | { kind: "admin"; view: AdminView }
  | { kind: "calibrate" }
  | { kind: "compare"; a: SnapshotView; b: SnapshotView }
  // The installer's scrolling test, opened from the admin screen and going back to it.
  | { kind: "scrollTest"; view: AdminView };

interface State {
  snapshot: KioskSnapshot;
  session: SessionView;
  /** When `session` arrived, to count elapsed time locally between updates. */
  sessionAt: number;
  relay: RelayStatus;
  camera: CameraView;
  overlay: Overlay;
  /** Within a session: the home screen or the catalog. */
  view: "home" | "browse" | "looks" | "colours" | "advice";
  /** The call: invite, queue, remotes and the shared board. */
  call: CallView;
  /** This session's photos (in memory on the Rust side, erased with the session). */
  photos: SnapshotView[];
}

const ADMIN_LONG_PRESS_MS = 1500;

const app = document.getElementById("app") as HTMLElement;
const screenLayer = h("div", { class: "layer screen-layer" });
const overlayLayer = h("div", { class: "layer overlay-layer" });
const statusLayer = h("div", { class: "layer status-layer" });
const tagLayer = h("div", { class: "layer tag-layer" });
const callHost = h("div", { class: "layer call-host" });
const showTag = tagPanel(tagLayer);
const adminCorner = h("div", { class: "admin-corner", "data-testid": "admin-corner", "aria-hidden": "true" });

let state: State;
/** The last scrolling test's result, shown on the admin screen until the kiosk restarts. */
let lastScrollTest: ScrollStats | null = null;

function renderScreen(): void {
  const s = state.session;
  const onLanguage = (l: Language) => void changeLanguage(l);
  if (s.phase === "attract") {
    state.view = "home";
    mount(screenLayer, attractScreen({ onStart: () => void startSession(), onLanguage }));
  } else if (state.view === "browse") {
    mount(screenLayer, browseScreen({ onBack: () => showView("home") }));
  } else if (state.view === "looks") {
    mount(screenLayer, looksScreen({ onBack: () => showView("home") }));
  } else if (state.view === "advice") {
    mount(screenLayer, adviceScreen(state.call, { onBack: () => showView("home"), onAskStylist: () => void api.askStylist(null, null) }));
  } else if (state.view === "colours") {
    mount(screenLayer, coloursScreen({ onBack: () => showView("home"), onLooks: () => showView("looks") }));
  } else {
    mount(
      screenLayer,
      sessionScreen({
        session: s,
        elapsedSecs: () => state.session.elapsedSecs + (Date.now() - state.sessionAt) / 1000,
        onEnd: () => void endSession(),
        onBrowse: () => showView("browse"),
        onLooks: () => showView("looks"),
        onColours: () => showView("colours"),
        onAdvice: state.call.enabled && (feature("friendCalls") || feature("stylistCalls")) ? () => showView("advice") : null,
        onLanguage,
        camera: state.camera.state === "off" ? null : {
          photos: state.photos,
          flattering: state.camera.flattering,
          onPhoto: () => void takePhoto(),
          onDelete: (id) => void deletePhoto(id),
          onCompare: (a, b) => openOverlay({ kind: "compare", a, b }),
          onFlattering: (on) => void api.setFlattering(on),
        },
      }),
    );
  }
}

function showView(view: State["view"]): void {
  state.view = view;
  renderScreen();
}

function renderOverlay(): void {
  const o = state.overlay;
  // While the installer calibrates, the whole mirror is camera picture: nothing may cover the card.
  document.documentElement.dataset.calibrating = o.kind === "calibrate" ? "on" : "off";
  if (o.kind !== "admin") document.documentElement.dataset.previewing = "off";
  // The test's browse list stands where the shopper's would: nothing of the screen under it.
  screenLayer.hidden = o.kind === "scrollTest";
  if (o.kind === "pin") {
    mount(overlayLayer, pinPrompt({ onCancel: closeOverlay, onUnlocked: (view) => openOverlay({ kind: "admin", view }) }));
  } else if (o.kind === "admin") {
    mount(
      overlayLayer,
      adminScreen(
        o.view,
        state.relay,
        state.camera,
        closeOverlay,
        () => openOverlay({ kind: "calibrate" }),
        (settings) => {
          // Saved and in force: the next time the screen opens it shows these.
          if (state.overlay.kind === "admin") state.overlay.view.settings = settings;
        },
        { last: lastScrollTest, onTest: () => openOverlay({ kind: "scrollTest", view: o.view }) },
      ),
    );
  } else if (o.kind === "scrollTest") {
    const back = () => openOverlay({ kind: "admin", view: o.view });
    mount(overlayLayer, scrollTestScreen({ onBack: back, onResult: (s) => (lastScrollTest = s) }));
  } else if (o.kind === "calibrate") {
    mount(overlayLayer, calibrateOverlay(closeOverlay));
  } else if (o.kind === "compare") {
    mount(overlayLayer, compareOverlay(o.a, o.b, closeOverlay));
  } else if (state.session.phase === "stillThere") {
    mount(overlayLayer, stillThereOverlay({ secondsLeft: state.session.stillThereSecsLeft ?? 0, onStay: () => void touch() }));
  } else {
    mount(overlayLayer);
  }
}

function renderStatus(): void {
  const badges: HTMLElement[] = [];
  if (state.snapshot.demo) badges.push(h("span", { class: "badge demo" }, t("demoBadge")));
  if (state.snapshot.problemCount > 0) {
    badges.push(h("span", { class: "badge problems", "data-testid": "problems-badge" }, t("adminProblemsBadge", { n: state.snapshot.problemCount })));
  }
  mount(statusLayer, h("div", { class: "status-bar" }, cameraChip(state.camera), ...badges, relayChip(state.relay)));
}

function renderCall(): void {
  mount(callHost, callLayer(state.call));
}

function applyCall(c: CallView): void {
  const enabledChanged = c.enabled !== state.call.enabled;
  state.call = c;
  setAskEnabled(c.enabled);
  if (enabledChanged) renderScreen();
  renderCall();
  if (state.view === "advice" && state.session.phase !== "attract") renderScreen();
}

function renderAll(): void {
  renderScreen();
  renderCall();
  renderOverlay();
  renderStatus();
}

function openOverlay(o: Overlay): void {
  state.overlay = o;
  renderOverlay();
}

function closeOverlay(): void {
  openOverlay({ kind: "none" });
}

async function takePhoto(): Promise<void> {
  try {
    state.photos = [...state.photos, await api.takeSnapshot()].slice(-6);
  } catch {
    showNotice(t("photoFailed"));
    return;
  }
  renderScreen();
}

async function deletePhoto(id: number): Promise<void> {
  await api.deleteSnapshot(id);
  state.photos = state.photos.filter((p) => p.id !== id);
  renderScreen();
}

function showNotice(text: string): void {
  const note = h("p", { class: "notice", role: "status" }, text);
  statusLayer.append(note);
  window.setTimeout(() => note.remove(), 4000);
}

function applySession(view: SessionView): void {
  const phaseChanged = view.phase !== state.session.phase || view.number !== state.session.number;
  if (view.number !== state.session.number || view.phase === "attract") {
    // A new shopper, or none: the last one's photos and tag card are gone (erased in Rust too).
    state.photos = [];
    mount(tagLayer);
    if (state.overlay.kind === "compare") state.overlay = { kind: "none" };
  }
  state.session = view;
  state.sessionAt = Date.now();
  if (phaseChanged) renderScreen();
  if (state.overlay.kind === "none") renderOverlay();
}

function applyLanguage(l: Language): void {
  setLanguage(l);
  state.snapshot.language = l;
  renderAll();
}

async function changeLanguage(l: Language): Promise<void> {
  applyLanguage(l);
  await api.setLanguage(l);
}

async function startSession(): Promise<void> {
  applySession(await api.startSession());
}

async function endSession(): Promise<void> {
  applySession(await api.endSession());
}

let lastTouch = 0;
async function touch(): Promise<void> {
  // Any touch during a session keeps it alive; once a second is plenty.
  const now = Date.now();
  if (state.session.phase === "attract" || now - lastTouch < 1000) return;
  lastTouch = now;
  applySession(await api.sessionActivity());
}

function applyCamera(c: CameraView): void {
  setPictureSize(c.picture);
  const toolsChanged = c.flattering !== state.camera?.flattering || (c.state === "off") !== (state.camera?.state === "off");
  state.camera = c;
  if (toolsChanged && state.session.phase !== "attract" && state.view === "home") renderScreen();
  // Where the camera picture runs under the page, the page must let it show through.
  document.documentElement.dataset.video = c.state === "off" || c.state === "unavailable" ? "off" : "on";
  renderStatus();
}

function applyDisplay(snapshot: KioskSnapshot): void {
  const root = document.documentElement;
  root.dataset.orientation = snapshot.display.orientation;
  root.dataset.rotation = String(snapshot.display.rotationDeg);
  root.dataset.glass = snapshot.display.mirrorGlass ? "mirror" : "screen";
  root.dataset.flip = snapshot.display.mirrorFlip ? "on" : "off";
  setSwitches(snapshot.features, snapshot.privacy);
  setAskEnabled(state.call.enabled);
}

/** Settings saved on the admin screen: the screens (not the open admin screen) follow at once. */
function applySettings(snapshot: KioskSnapshot): void {
  state.snapshot = { ...state.snapshot, display: snapshot.display, identity: snapshot.identity, features: snapshot.features, privacy: snapshot.privacy };
  applyDisplay(state.snapshot);
  renderScreen();
  renderCall();
  renderStatus();
}

function applyRelay(s: RelayStatus): void {
  // Events and the snapshot travel separately: keep whichever status is newest.
  if (s.revision <= state.relay.revision) return;
  // The chip shows only the state: redraw it only when that changes (retries tick every second).
  const visible = s.state !== state.relay.state;
  state.relay = s;
  if (visible) renderStatus();
  if (state.overlay.kind === "admin") updateAdminRelay(overlayLayer, s);
}

async function boot(): Promise<void> {
  // Listen first, then read the snapshot, so no change can fall between the two.
  let early: RelayStatus | null = null;
  let earlyCamera: CameraView | null = null;
  let earlyCall: CallView | null = null;
  let ready = false;
  await Promise.all([
    on.relayStatus((s) => {
      if (ready) applyRelay(s);
      else if (!early || s.revision > early.revision) early = s;
    }),
    on.session((v) => {
      if (ready) applySession(v);
    }),
    on.language((l) => {
      if (ready && l !== state.snapshot.language) applyLanguage(l);
    }),
    on.camera((c) => {
      if (ready) applyCamera(c);
      else earlyCamera = c;
    }),
    on.tag((tag) => {
      if (ready) showTag(tag);
    }),
    on.power((p) => {
      // Asleep, the page is black (a mirror); any touch wakes it.
      document.documentElement.dataset.power = p.asleep ? "asleep" : "awake";
    }),
    on.call((c) => {
      if (ready) applyCall(c);
      else earlyCall = c;
    }),
    on.settings((s) => {
      if (ready) applySettings(s);
    }),
    on.catalogSync((s) => {
      if (ready && state.overlay.kind === "admin") updateAdminSync(overlayLayer, s);
    }),
  ]);
  const snapshot = await api.snapshot();
  const call = earlyCall ?? (await api.callView());
  state = { snapshot, session: snapshot.session, sessionAt: Date.now(), relay: snapshot.relay, camera: snapshot.camera, overlay: { kind: "none" }, view: "home", photos: [], call };
  setLanguage(snapshot.language);
  applyDisplay(snapshot);
  app.replaceChildren(screenLayer, callHost, tagLayer, overlayLayer, statusLayer, adminCorner);
  // A hand-held tag scanner types the code and Enter; the kiosk answers with a tag event.
  listenForScanner((code) => void api.lookupTag(code).catch(() => undefined));
  onLongPress(adminCorner, ADMIN_LONG_PRESS_MS, () => openOverlay({ kind: "pin" }));
  document.addEventListener("pointerdown", () => void touch(), { capture: true });
  document.addEventListener(
    "pointerdown",
    (e) => {
      if (document.documentElement.dataset.power !== "asleep") return;
      // The touch that wakes the screen does nothing else.
      e.stopPropagation();
      e.preventDefault();
      void api.screenTouch();
    },
    { capture: true },
  );
  renderAll();
  ready = true;
  applyCamera(earlyCamera ?? snapshot.camera);
  if (early) applyRelay(early);
  // The first screen is drawn and listeners are in place: tell Rust after the next paint.
  requestAnimationFrame(() => requestAnimationFrame(() => void api.uiReady()));
}

boot().catch((e: unknown) => {
  // Without the Rust side there is nothing to show but the reason, as text.
  mount(app, h("pre", { class: "fatal" }, String(e)));
});
