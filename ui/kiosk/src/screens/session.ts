// The session screen and its "Still there?" countdown.

import type { Language, SessionView, SnapshotView } from "../../../shared/bindings";
import { h, mount } from "../../../shared/dom";
import { clock, t, type MessageKey } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";
import { allowed, feature } from "../switches";
import { languageSwitch } from "../widgets";

export function sessionScreen(opts: {
  session: SessionView;
  elapsedSecs: () => number;
  onEnd: () => void;
  onBrowse: () => void;
  onLooks: () => void;
  onColours: () => void;
  /** "Ask for advice", when calls are possible at all. */
  onAdvice: (() => void) | null;
  onLanguage: (l: Language) => void;
  camera: CameraTools | null;
}): HTMLElement {
  const timer = h("p", { class: "session-time", "data-testid": "session-time" }, t("sessionTime", { time: clock(opts.elapsedSecs()) }));
  const tick = window.setInterval(() => {
    if (!timer.isConnected) {
      window.clearInterval(tick);
      return;
    }
    timer.textContent = t("sessionTime", { time: clock(opts.elapsedSecs()) });
  }, 1000);

  return h(
    "main",
    { class: "screen session", "data-testid": "session-screen", "data-session": opts.session.number },
    h("div", { class: "reflection-area" }),
    h(
      "section",
      { class: "band" },
      h("h1", { class: "welcome" }, t("welcome")),
      h("p", { class: "hint" }, t("sessionHint")),
      timer,
      feature("looks") ? h("button", { class: "primary browse-button", type: "button", "data-testid": "looks-button", onclick: opts.onLooks }, t("looks")) : null,
      allowed("skinAnalysis")
        ? h("button", { class: "secondary browse-button", type: "button", "data-testid": "colours-button", onclick: opts.onColours }, t("myColours"))
        : null,
      h("button", { class: "secondary browse-button", type: "button", "data-testid": "browse-button", onclick: opts.onBrowse }, t("browse")),
      opts.onAdvice
        ? h("button", { class: "secondary browse-button", type: "button", "data-testid": "advice-button", onclick: opts.onAdvice }, t("askAdvice"))
        : null,
      opts.camera ? cameraTools(opts.camera) : null,
      languageSwitch(opts.onLanguage),
      h("p", { class: "privacy" }, t("privacyNote")),
      problemReport(),
      h("button", { class: "end-button", type: "button", "data-testid": "end-session", onclick: opts.onEnd }, t("endSession")),
    ),
  );
}

export function stillThereOverlay(opts: { secondsLeft: number; onStay: () => void }): HTMLElement {
  return h(
    "div",
    { class: "overlay still-there", role: "alertdialog", "aria-modal": "true", "data-testid": "still-there" },
    h(
      "div",
      { class: "panel" },
      h("h2", {}, t("stillThereTitle")),
      h("p", { class: "countdown" }, t("stillThereBody", { n: opts.secondsLeft })),
      h("button", { class: "primary", type: "button", "data-testid": "still-here", onclick: opts.onStay }, t("stillHere")),
    ),
  );
}

/** What the shopper can do with the camera: photos (kept in this session only), comparing two,
 * and the flattering light. */
export interface CameraTools {
  photos: SnapshotView[];
  flattering: boolean;
  onPhoto: () => void;
  onDelete: (id: number) => void;
  onCompare: (a: SnapshotView, b: SnapshotView) => void;
  onFlattering: (on: boolean) => void;
}

function cameraTools(c: CameraTools): HTMLElement {
  const picked: SnapshotView[] = [];
  const compare = h("button", { class: "secondary", type: "button", "data-testid": "photo-compare", disabled: true }, t("photoCompare"));
  compare.addEventListener("click", () => {
    const [a, b] = picked;
    if (a && b) c.onCompare(a, b);
  });
  const strip = h(
    "div",
    { class: "photo-strip", "data-testid": "photo-strip" },
    ...c.photos.map((p) => {
      const thumb = h(
        "button",
        { class: "photo", type: "button", "aria-pressed": "false", "data-testid": "photo", "data-id": p.id },
        h("img", { src: p.url, alt: "" }),
      );
      thumb.addEventListener("click", () => {
        const i = picked.indexOf(p);
        if (i >= 0) picked.splice(i, 1);
        else {
          if (picked.length === 2) picked.shift();
          picked.push(p);
        }
        for (const el of strip.querySelectorAll<HTMLElement>(".photo")) {
          el.setAttribute("aria-pressed", picked.some((q) => String(q.id) === el.dataset.id) ? "true" : "false");
        }
        (compare as HTMLButtonElement).disabled = picked.length !== 2;
      });
      return thumb;
    }),
  );
  return h(
    "div",
    { class: "camera-tools" },
    h(
      "div",
      { class: "tool-row" },
      allowed("snapshots") ? h("button", { class: "secondary", type: "button", "data-testid": "photo-take", onclick: c.onPhoto }, t("photoTake")) : null,
      h(
        "button",
        {
          class: "secondary toggle",
          type: "button",
          "data-testid": "flattering",
          "aria-pressed": c.flattering ? "true" : "false",
          onclick: () => c.onFlattering(!c.flattering),
        },
        t("flattering"),
      ),
    ),
    c.photos.length > 0 ? strip : null,
    c.photos.length > 1 ? h("div", { class: "tool-row" }, compare, h("span", { class: "hint small" }, t("photoCompareHint"))) : null,
    c.photos.length > 0 ? h("p", { class: "hint small" }, t("photoHint")) : null,
  );
}

type Problem = "mirror" | "fit" | "wait" | "stock" | "other";
const PROBLEMS: [Problem, MessageKey][] = [
  ["mirror", "problemMirror"],
  ["fit", "problemFit"],
  ["wait", "problemWait"],
  ["stock", "problemStock"],
  ["other", "problemOther"],
];

/** "Something not right?": a few taps, a short code for the store's report, never free text. */
function problemReport(): HTMLElement {
  const box = h("div", { class: "problem-report", "data-testid": "problem-report" });
  const ask = (): void =>
    mount(
      box,
      h("button", { type: "button", class: "link-button", "data-testid": "report-problem", onclick: choose }, t("problemAsk")),
    );
  const choose = (): void =>
    mount(
      box,
      h("p", { class: "hint small" }, t("problemWhat")),
      h(
        "div",
        { class: "chips wrap" },
        ...PROBLEMS.map(([code, label]) =>
          h(
            "button",
            {
              type: "button",
              class: "chip",
              "data-testid": `problem-${code}`,
              onclick: () =>
                void api.reportProblem(code).then(
                  () => mount(box, h("p", { class: "hint small", role: "status", "data-testid": "problem-thanks" }, t("problemThanks"))),
                  () => mount(box, h("p", { class: "hint small", role: "status" }, t("problemFailed"))),
                ),
            },
            t(label),
          ),
        ),
      ),
    );
  ask();
  return box;
}

export function compareOverlay(a: SnapshotView, b: SnapshotView, onClose: () => void): HTMLElement {
  return h(
    "div",
    { class: "overlay compare", role: "dialog", "aria-modal": "true", "data-testid": "compare" },
    h(
      "div",
      { class: "panel wide" },
      h("h2", {}, t("compareTitle")),
      h("div", { class: "compare-pair" }, h("img", { src: a.url, alt: "" }), h("img", { src: b.url, alt: "" })),
      h("button", { class: "primary", type: "button", onclick: onClose }, t("adminClose")),
    ),
  );
}
