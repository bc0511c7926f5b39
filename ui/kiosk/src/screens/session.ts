// The session screen and its "Still there?" countdown.

import type { Language, SessionView } from "../../../shared/bindings";
import { h } from "../../../shared/dom";
import { clock, t } from "../../../shared/i18n";
import { languageSwitch } from "../widgets";

export function sessionScreen(opts: {
  session: SessionView;
  elapsedSecs: () => number;
  onEnd: () => void;
  onBrowse: () => void;
  onLanguage: (l: Language) => void;
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
      h("button", { class: "primary browse-button", type: "button", "data-testid": "browse-button", onclick: opts.onBrowse }, t("browse")),
      languageSwitch(opts.onLanguage),
      h("p", { class: "privacy" }, t("privacyNote")),
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
