// The admin screen (behind the PIN): what this kiosk is, how its relay link is, and every problem
// found at start-up with the key and line to fix.

import type { AdminSettings, AdminView, CameraView, CatalogStatusView, CatalogSyncView, RelayStatus, StartupProblem } from "../../../shared/bindings";
import { h } from "../../../shared/dom";
import { api } from "../../../shared/ipc";
import { ago, t } from "../../../shared/i18n";
import type { ScrollStats } from "../scroll-test";
import { scrollResultText, scrollVerdict } from "./scrolltest";
import { settingsForm } from "./settings";

function row(label: string, value: string, testid?: string): HTMLElement {
  return h("div", { class: "row" }, h("dt", {}, label), h("dd", testid ? { "data-testid": testid } : {}, value));
}

function problemItem(p: StartupProblem): HTMLElement {
  const where = [p.key ?? "", p.line !== null ? t("adminProblemLine", { n: p.line }) : ""].filter(Boolean).join(" · ");
  return h("li", { class: `problem source-${p.source}` }, where ? h("code", {}, where) : null, h("span", {}, p.message));
}

function relayRows(relay: RelayStatus): HTMLElement {
  const none = t("none");
  return h(
    "dl",
    { "data-testid": "admin-relay" },
    row(t("adminRelayState"), relay.state, "admin-relay-state"),
    row(t("adminRelayUrl"), relay.url || none),
    row(t("adminRelayError"), relay.lastError ?? none),
    row(t("adminRelayRtt"), relay.rttMs !== null ? `${relay.rttMs} ms` : none),
    row(t("adminRelayRetry"), relay.retryInMs !== null ? `${(relay.retryInMs / 1000).toFixed(1)} s` : none),
  );
}

/** Redraws only the relay rows of an open admin screen: the rest (scroll, buttons) stays put. */
export function updateAdminRelay(root: ParentNode, relay: RelayStatus): void {
  root.querySelector("[data-testid=admin-relay]")?.replaceWith(relayRows(relay));
}

function catalogRows(c: CatalogStatusView): HTMLElement {
  const none = t("none");
  return h(
    "dl",
    { "data-testid": "admin-catalog" },
    row(t("adminCatalogProducts"), String(c.products), "admin-catalog-products"),
    row(t("adminCatalogVersion"), String(c.version), "admin-catalog-version"),
    row(t("adminCatalogSynced"), c.syncedAtUnix !== null ? ago(c.syncedAtUnix) : t("neverSynced"), "admin-catalog-synced"),
    row(t("adminCatalogError"), c.lastSyncError ?? none),
  );
}

/** The newest sync update seen (events and the admin screen's own reads cross). */
let syncSeq = 0;

/** Redraws a catalog sync's progress on an open admin screen; once done, the catalog's rows too. */
export function updateAdminSync(root: ParentNode, sync: CatalogSyncView): void {
  const bar = root.querySelector<HTMLProgressElement>("[data-testid=sync-progress]");
  const text = root.querySelector<HTMLElement>("[data-testid=sync-status]");
  if (!bar || !text) return;
  // A redrawn screen shows the newest again; an older update never overwrites a newer one.
  if (sync.seq < syncSeq && text.dataset.seq) return;
  syncSeq = Math.max(syncSeq, sync.seq);
  text.dataset.seq = String(sync.seq);
  const running = sync.phase === "pulling" || sync.phase === "applying" || sync.phase === "images";
  bar.hidden = !running && sync.phase !== "done";
  bar.value = sync.fraction;
  text.dataset.phase = sync.phase;
  text.textContent =
    sync.phase === "pulling"
      ? t("syncPulling", { n: sync.pulled })
      : sync.phase === "applying"
        ? t("syncApplying")
        : sync.phase === "images"
          ? t("syncImages", { done: sync.imagesDone, total: sync.imagesTotal })
          : sync.phase === "done"
            ? t("syncDone", { version: sync.version ?? 0, n: sync.pulled })
            : sync.phase === "failed"
              ? t("syncFailed", { reason: sync.error ?? "" })
              : "";
  if (sync.phase === "done" || sync.phase === "failed") {
    void api.adminSettings().then(
      (v) => root.querySelector("[data-testid=admin-catalog]")?.replaceWith(catalogRows(v.view.catalog)),
      () => undefined,
    );
  }
}

export function adminScreen(
  view: AdminView,
  relay: RelayStatus,
  camera: CameraView,
  onClose: () => void,
  onCalibrate: () => void,
  onSaved: (s: AdminSettings) => void,
  scroll: { last: ScrollStats | null; onTest: () => void },
): HTMLElement {
  const none = t("none");
  const cal = view.calibration;
  const form = settingsForm(view.settings, view.identity.deviceId, relayRows(relay), onSaved);
  const syncNow = h("button", { type: "button", class: "secondary", "data-testid": "sync-now" }, t("syncNow")) as HTMLButtonElement;
  const progress = h("progress", { max: 1, "data-testid": "sync-progress" }) as HTMLProgressElement;
  progress.hidden = true;
  const syncStatus = h("p", { class: "hint small", role: "status", "data-testid": "sync-status" });
  const root = h("div", { class: "overlay admin", role: "dialog", "aria-modal": "true", "data-testid": "admin-screen" });
  syncNow.addEventListener("click", () => {
    // A second tap while one runs starts nothing (Rust runs one at a time); its progress shows.
    api.adminSyncCatalog().then(
      () => undefined,
      () => {
        syncStatus.textContent = t("syncNoRelay");
      },
    );
  });
  void api.adminSettings().then(
    (v) => {
      form.setCameras(v.cameras);
      if (v.sync.phase !== "idle") updateAdminSync(root, v.sync);
    },
    () => form.setCameras([]),
  );
  const close = (): void => {
    form.revertPreview();
    onClose();
  };
  root.append(
    h(
      "div",
      { class: "panel wide" },
      h("h2", {}, t("adminTitle")),
      h(
        "section",
        {},
        h("h3", {}, t("adminProblems")),
        view.problems.length === 0
          ? h("p", { class: "ok-note" }, t("adminNoProblems"))
          : h("ul", { class: "problems", "data-testid": "admin-problems" }, ...view.problems.map(problemItem)),
      ),
      form.el,
      h(
        "section",
        {},
        h("h3", {}, t("adminCamera")),
        h(
          "dl",
          {},
          row(t("adminCameraState"), camera.state, "admin-camera-state"),
          row(t("adminCameraSource"), camera.source || none),
          row(t("adminCameraFault"), camera.fault ? `${camera.fault.kind} · ${camera.fault.element}: ${camera.fault.message}` : none, "admin-camera-fault"),
        ),
        h("h3", {}, t("adminColour")),
        h(
          "p",
          { "data-testid": "admin-calibration" },
          cal
            ? t("adminColourDone", { when: ago(cal.atUnix), mean: cal.meanDeltaE.toFixed(2), max: cal.maxDeltaE.toFixed(2), patch: cal.worstPatch })
            : t("adminColourNone"),
        ),
        h("button", { type: "button", class: "secondary", "data-testid": "admin-calibrate", onclick: onCalibrate }, t("calibrate")),
      ),
      h(
        "section",
        {},
        h("h3", {}, t("adminCatalog")),
        catalogRows(view.catalog),
        h("div", { class: "tool-row" }, syncNow),
        progress,
        syncStatus,
      ),
      h(
        "section",
        {},
        h("h3", {}, t("adminScrolling")),
        h(
          "p",
          { "data-testid": "admin-scroll-result" },
          scroll.last ? `${scrollResultText(scroll.last)} — ${scrollVerdict(scroll.last)}` : t("scrollTestNone"),
        ),
        h("button", { type: "button", class: "secondary", "data-testid": "admin-scroll-test", onclick: scroll.onTest }, t("scrollTest")),
      ),
      h(
        "section",
        {},
        h("h3", {}, t("adminFiles")),
        h("dl", {}, row(t("adminVersion"), view.appVersion), row(t("adminDataDir"), view.dataDir), row(t("adminConfigFile"), view.configPath)),
      ),
      h("button", { type: "button", class: "primary", "data-testid": "admin-close", onclick: close }, t("adminClose")),
    ),
  );
  return root;
}

/** The calibration overlay: a guide frame over the live picture, a button to read the card, the result. */
export function calibrateOverlay(onClose: () => void): HTMLElement {
  const frame = h("div", { class: "guide-frame", "data-testid": "calibrate-guide" });
  const status = h("p", { class: "calibrate-status", role: "status", "data-testid": "calibrate-status" }, t("calibrateHint"));
  const capture = h("button", { type: "button", class: "primary", "data-testid": "calibrate-capture" }, t("calibrateCapture")) as HTMLButtonElement;
  const clear = h("button", { type: "button", class: "secondary", "data-testid": "calibrate-clear" }, t("calibrateClear")) as HTMLButtonElement;
  void api.calibrationGuide().then((g) => {
    frame.style.left = `${g.left * 100}%`;
    frame.style.top = `${g.top * 100}%`;
    frame.style.width = `${g.width * 100}%`;
    frame.style.height = `${g.height * 100}%`;
  }, onClose);
  capture.addEventListener("click", () => {
    capture.disabled = true;
    status.textContent = t("calibrateReading");
    api.calibrateCamera().then(
      (o) => {
        capture.disabled = false;
        if (o.status === "ok") {
          const c = o.calibration;
          status.textContent = t("calibrateResult", { mean: c.meanDeltaE.toFixed(2), max: c.maxDeltaE.toFixed(2), patch: c.worstPatch });
          status.dataset.result = "ok";
        } else if (o.status === "noChart") {
          status.textContent = t("calibrateNoChart", { reason: o.reason });
          status.dataset.result = "noChart";
        } else {
          status.textContent = t("skinNoCamera");
          status.dataset.result = "noCamera";
        }
      },
      () => {
        capture.disabled = false;
        status.textContent = t("skinFailed");
      },
    );
  });
  clear.addEventListener("click", () => {
    void api.clearCalibration().then(() => {
      status.textContent = t("adminColourNone");
    });
  });
  return h(
    "div",
    { class: "overlay calibrate", role: "dialog", "aria-modal": "true", "data-testid": "calibrate-screen" },
    frame,
    h(
      "div",
      { class: "calibrate-panel" },
      h("h2", {}, t("calibrateTitle")),
      status,
      h("div", { class: "actions" }, capture, clear, h("button", { type: "button", class: "secondary", "data-testid": "calibrate-close", onclick: onClose }, t("calibrateClose"))),
    ),
  );
}
