// The settings store staff change on the admin screen: each applies live once saved (Rust checks
// every field by atelier.toml's own rules, writes the file and puts it in force). Cameras are
// previewed on the mirror before they are saved. Big targets, steppers for numbers: it is a touch
// screen; text fields are for the installer's keyboard.

import type { AdminSettings, CameraChoice, FeaturesConfig, FieldError, Language, PrivacyConfig, SaveOutcome } from "../../../shared/bindings";
import { h, mount } from "../../../shared/dom";
import { t, type MessageKey } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";

/** The localized rule for each field that can be wrong. */
const RULES: Record<string, MessageKey> = {
  "kiosk.store_id": "ruleStoreId",
  "kiosk.room": "ruleRoom",
  "display.rotation_deg": "ruleRotation",
  "camera.rotation_deg": "ruleRotation",
  "camera.source": "ruleCamera",
  "ui.idle_timeout_secs": "ruleIdle",
  "ui.still_there_secs": "ruleStillThere",
  "relay.url": "ruleRelay",
  call: "ruleBusy",
};

const PRIVACY: [keyof PrivacyConfig, MessageKey][] = [
  ["snapshots", "setPrivacySnapshots"],
  ["skinAnalysis", "setPrivacySkin"],
  ["motionWake", "setPrivacyMotion"],
  ["analytics", "setPrivacyAnalytics"],
];

const FEATURES: [keyof FeaturesConfig, MessageKey][] = [
  ["friendCalls", "setFeatureFriend"],
  ["stylistCalls", "setFeatureStylist"],
  ["staffRequests", "setFeatureStaff"],
  ["tagScan", "setFeatureTags"],
  ["looks", "setFeatureLooks"],
];

/** The last save's result, shown again when the screen is redrawn (a new language redraws it). */
let lastStatus: { result: string; text: () => string; at: number } | null = null;
/** The status line of the form on screen now (a redraw replaces it while a save is under way). */
let statusLine: HTMLElement | null = null;

/** What is being edited, kept across redraws of the same saved settings. */
interface Editing {
  base: AdminSettings;
  draft: AdminSettings;
  previewed: string | null;
}
const editing = new WeakMap<AdminSettings, Editing>();

export interface SettingsForm {
  el: HTMLElement;
  /** The camera section alone, shown over the live picture while previewing. */
  cameraSection: HTMLElement;
  /** The cameras to choose from arrived. */
  setCameras: (cameras: CameraChoice[]) => void;
  /** Back to the saved camera if another one is on the mirror unsaved (the screen closes). */
  revertPreview: () => void;
}

function field(label: string, control: HTMLElement, name: string): HTMLElement {
  return h(
    "div",
    { class: "field", "data-field": name },
    h("span", { class: "field-label" }, label),
    control,
    h("p", { class: "field-error", role: "alert", "data-testid": `err-${name}` }),
  );
}

/** One choice of several, as big chips. */
function choice<T extends string | number>(
  testid: string,
  options: [T, string][],
  current: () => T,
  pick: (v: T) => void,
): HTMLElement {
  const row = h("div", { class: "chips wrap", role: "radiogroup", "data-testid": testid });
  const draw = (): void =>
    mount(
      row,
      ...options.map(([v, label]) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "aria-checked": current() === v ? "true" : "false",
            "data-testid": `${testid}-${v}`,
            onclick: () => {
              pick(v);
              draw();
            },
          },
          label,
        ),
      ),
    );
  draw();
  return row;
}

function toggle(testid: string, label: string, current: () => boolean, flip: () => void): HTMLElement {
  const b = h("button", { type: "button", class: "secondary toggle setting-toggle", "data-testid": testid }, label);
  const draw = (): void => {
    b.setAttribute("aria-pressed", current() ? "true" : "false");
  };
  b.addEventListener("click", () => {
    flip();
    draw();
  });
  draw();
  return b;
}

/** − value + for a number of seconds, in `step`s within [min, max]. */
function stepper(testid: string, current: () => number, set: (n: number) => void, step: number, min: number, max: number): HTMLElement {
  const value = h("span", { class: "stepper-value", "data-testid": `${testid}-value` });
  const draw = (): void => {
    value.textContent = t("seconds", { n: current() });
  };
  const by = (d: number) => () => {
    set(Math.min(max, Math.max(min, current() + d)));
    draw();
  };
  draw();
  return h(
    "div",
    { class: "stepper", "data-testid": testid },
    h("button", { type: "button", class: "secondary", "data-testid": `${testid}-minus`, "aria-label": "−", onclick: by(-step) }, "−"),
    value,
    h("button", { type: "button", class: "secondary", "data-testid": `${testid}-plus`, "aria-label": "+", onclick: by(step) }, "+"),
  );
}

function textInput(testid: string, current: string, set: (v: string) => void, maxLength: number): HTMLInputElement {
  const input = h("input", { type: "text", class: "text-input", "data-testid": testid, maxlength: maxLength, autocomplete: "off", spellcheck: "false" });
  input.value = current;
  // (WebDriver's "clear" fires only "change".)
  for (const ev of ["input", "change"]) input.addEventListener(ev, () => set(input.value));
  return input;
}

export function settingsForm(saved: AdminSettings, deviceId: string, relayRows: HTMLElement, onSaved: (s: AdminSettings) => void): SettingsForm {
  let e = editing.get(saved);
  if (!e) {
    e = { base: structuredClone(saved), draft: structuredClone(saved), previewed: null };
    editing.set(saved, e);
  }
  const edit = e;
  const draft = edit.draft;

  const status = h("p", { class: "settings-status", role: "status", "data-testid": "settings-status" });
  statusLine = status;
  const setStatus = (result: string, text: () => string): void => {
    lastStatus = { result, text, at: Date.now() };
    const line = statusLine ?? status;
    line.dataset.result = result;
    line.textContent = text();
  };
  if (lastStatus && Date.now() - lastStatus.at < 10_000) {
    status.dataset.result = lastStatus.result;
    status.textContent = lastStatus.text();
  }
  const cameraList = h("div", { class: "chips wrap", role: "radiogroup", "data-testid": "set-camera" }, h("span", { class: "hint small" }, t("setCamerasLoading")));
  let cameras: CameraChoice[] = [];
  const cameraLabel = (c: CameraChoice): string =>
    c.source === "auto" ? t("setCameraAuto") : c.source === "test" ? t("setCameraTest") : c.name ? `${c.name} (${c.source})` : c.source;
  const drawCameras = (): void =>
    mount(
      cameraList,
      ...cameras.map((c, i) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "aria-checked": draft.cameraSource === c.source ? "true" : "false",
            "data-testid": `set-camera-${i}`,
            "data-source": c.source,
            onclick: () => {
              draft.cameraSource = c.source;
              drawCameras();
              // Shown on the mirror at once; saved only with "Save".
              void api.adminPreviewCamera(c.source).then((o) => {
                if (o.status === "invalid") showErrors(o.errors);
                else edit.previewed = c.source;
              });
            },
          },
          cameraLabel(c),
        ),
      ),
    );

  const preview = h("button", { type: "button", class: "secondary toggle", "data-testid": "set-preview", "aria-pressed": "false" }, t("setPreview"));
  preview.addEventListener("click", () => {
    const root = preview.closest<HTMLElement>(".overlay");
    const on = root?.dataset.preview !== "on";
    if (root) root.dataset.preview = on ? "on" : "off";
    // Only the camera's choices stay, at the bottom: the rest of the mirror is its picture.
    document.documentElement.dataset.previewing = on ? "on" : "off";
    preview.setAttribute("aria-pressed", on ? "true" : "false");
  });

  const cameraSection = h(
    "section",
    { class: "camera-settings" },
    h("h3", {}, t("setCameraTitle")),
    field(t("setCameraSource"), cameraList, "camera.source"),
    field(
      t("setCameraRotation"),
      choice("set-camera-rotation", [0, 90, 180, 270].map((d) => [d, `${d}°`] as [number, string]), () => draft.cameraRotationDeg, (v) => (draft.cameraRotationDeg = v)),
      "camera.rotation_deg",
    ),
    h("div", { class: "tool-row" }, preview),
  );

  const save = h("button", { type: "button", class: "primary", "data-testid": "settings-save" }, t("setSave")) as HTMLButtonElement;
  const el = h(
    "div",
    { class: "settings", "data-testid": "settings-form" },
    h(
      "section",
      {},
      h("h3", {}, t("adminKiosk")),
      h("dl", {}, h("div", { class: "row" }, h("dt", {}, t("adminDevice")), h("dd", {}, deviceId))),
      field(t("adminStore"), textInput("set-store", draft.storeId, (v) => (draft.storeId = v), 64), "kiosk.store_id"),
      field(t("adminRoom"), textInput("set-room", draft.room, (v) => (draft.room = v), 64), "kiosk.room"),
    ),
    h(
      "section",
      {},
      h("h3", {}, t("setShopper")),
      field(
        t("setLanguage"),
        choice<Language>("set-language", [["zh-CN", t("langZh")], ["en", t("langEn")]], () => draft.language, (v) => (draft.language = v)),
        "ui.language",
      ),
      field(t("setIdle"), stepper("set-idle", () => draft.idleTimeoutSecs, (n) => (draft.idleTimeoutSecs = n), 15, 15, 3600), "ui.idle_timeout_secs"),
      field(t("setStillThere"), stepper("set-still", () => draft.stillThereSecs, (n) => (draft.stillThereSecs = n), 5, 5, 300), "ui.still_there_secs"),
    ),
    h(
      "section",
      {},
      h("h3", {}, t("adminDisplay")),
      field(
        t("adminOrientation"),
        choice("set-orientation", [["portrait", t("portrait")], ["landscape", t("landscape")]], () => draft.orientation, (v) => (draft.orientation = v)),
        "display.orientation",
      ),
      field(
        t("adminRotation"),
        choice("set-rotation", [0, 90, 180, 270].map((d) => [d, `${d}°`] as [number, string]), () => draft.rotationDeg, (v) => (draft.rotationDeg = v)),
        "display.rotation_deg",
      ),
      toggle("set-mirror-flip", t("setMirrorFlip"), () => draft.mirrorFlip, () => (draft.mirrorFlip = !draft.mirrorFlip)),
    ),
    cameraSection,
    h(
      "section",
      {},
      h("h3", {}, t("setPrivacy")),
      h("div", { class: "toggles" }, ...PRIVACY.map(([k, label]) => toggle(`set-privacy-${k}`, t(label), () => draft.privacy[k], () => (draft.privacy[k] = !draft.privacy[k])))),
    ),
    h(
      "section",
      {},
      h("h3", {}, t("setFeatures")),
      h("div", { class: "toggles" }, ...FEATURES.map(([k, label]) => toggle(`set-feature-${k}`, t(label), () => draft.features[k], () => (draft.features[k] = !draft.features[k])))),
    ),
    h(
      "section",
      {},
      h("h3", {}, t("adminRelay")),
      field(t("adminRelayUrl"), textInput("set-relay", draft.relayUrl, (v) => (draft.relayUrl = v.trim()), 256), "relay.url"),
      relayRows,
    ),
    h("div", { class: "settings-actions" }, save, status),
  );

  function clearErrors(): void {
    for (const e of el.querySelectorAll<HTMLElement>(".field-error")) e.textContent = "";
    for (const f of el.querySelectorAll<HTMLElement>(".field.invalid")) f.classList.remove("invalid");
  }

  function showErrors(errors: FieldError[]): void {
    clearErrors();
    for (const e of errors) {
      const rule = RULES[e.field];
      const text = rule ? `${t(rule)} (${e.message})` : e.message;
      const slot = el.querySelector<HTMLElement>(`[data-testid="err-${CSS.escape(e.field)}"]`);
      if (slot) {
        slot.textContent = text;
        slot.closest(".field")?.classList.add("invalid");
      }
    }
    const first = errors[0];
    const rule = first && !el.querySelector(`[data-testid="err-${CSS.escape(first.field)}"]`) ? RULES[first.field] : undefined;
    setStatus("invalid", () => (rule ? t(rule) : t("setInvalid", { n: errors.length })));
    el.querySelector(".field.invalid")?.scrollIntoView({ block: "center" });
  }

  function outcome(o: SaveOutcome): void {
    if (o.status === "saved") {
      clearErrors();
      edit.base = structuredClone(draft);
      edit.previewed = null;
      const n = o.changed.length;
      setStatus("saved", () => (n === 0 ? t("setNothingChanged") : t("setSaved", { n })));
      onSaved(structuredClone(draft));
    } else if (o.status === "invalid") {
      showErrors(o.errors);
    } else {
      const reason = o.message;
      setStatus("failed", () => t("setFailed", { reason }));
    }
  }

  save.addEventListener("click", () => {
    save.disabled = true;
    setStatus("saving", () => t("setSaving"));
    api.adminSaveSettings(draft).then(
      (o) => {
        save.disabled = false;
        outcome(o);
      },
      () => {
        save.disabled = false;
        setStatus("failed", () => t("setLocked"));
      },
    );
  });

  return {
    el,
    cameraSection,
    setCameras: (list) => {
      cameras = list;
      drawCameras();
    },
    revertPreview: () => {
      if (edit.previewed !== null && edit.previewed !== edit.base.cameraSource) void api.adminPreviewCamera(null).catch(() => undefined);
      edit.previewed = null;
    },
  };
}
