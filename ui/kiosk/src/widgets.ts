// Pieces shared by several screens: the language switch, the relay chip, long-press.

import type { CameraView, Language, RelayStatus } from "../../shared/bindings";
import { h } from "../../shared/dom";
import { language, t, type MessageKey } from "../../shared/i18n";

export function languageSwitch(onPick: (l: Language) => void): HTMLElement {
  const options: [Language, MessageKey][] = [
    ["zh-CN", "langZh"],
    ["en", "langEn"],
  ];
  return h(
    "div",
    { class: "lang-switch", role: "group", "aria-label": t("languageLabel"), "data-testid": "language-switch" },
    ...options.map(([lang, key]) =>
      h(
        "button",
        {
          class: "lang-option",
          type: "button",
          lang,
          "data-lang": lang,
          "aria-pressed": language() === lang ? "true" : "false",
          onclick: () => onPick(lang),
        },
        t(key),
      ),
    ),
  );
}

const relayText: Record<RelayStatus["state"], MessageKey> = {
  connected: "relayConnected",
  connecting: "relayConnecting",
  offline: "relayOffline",
  disabled: "relayDisabled",
};

export function relayChip(status: RelayStatus): HTMLElement {
  return h(
    "div",
    { class: `relay-chip relay-${status.state}`, "data-testid": "relay-status", "data-state": status.state, role: "status" },
    h("span", { class: "dot", "aria-hidden": "true" }),
    t(relayText[status.state]),
  );
}

/** The camera's state, always visible while it runs: shoppers must see when a camera is on. */
export function cameraChip(camera: CameraView): HTMLElement | null {
  if (camera.state === "off") return null;
  const key: Record<Exclude<CameraView["state"], "off">, MessageKey> = {
    live: "cameraLive",
    starting: "cameraStarting",
    disconnected: "cameraDisconnected",
    unavailable: "cameraUnavailable",
  };
  if (camera.videoLeaving) {
    // Video leaves the device only in a call the shopper started: say so, unmistakably.
    return h(
      "div",
      { class: "camera-chip camera-leaving", "data-testid": "camera-status", "data-state": "leaving", role: "status" },
      h("span", { class: "dot", "aria-hidden": "true" }),
      t("videoLeaving"),
    );
  }
  return h(
    "div",
    { class: `camera-chip camera-${camera.state}`, "data-testid": "camera-status", "data-state": camera.state, role: "status" },
    h("span", { class: "dot", "aria-hidden": "true" }),
    t(key[camera.state]),
    camera.source === "test" ? h("span", { class: "camera-source" }, ` · ${t("cameraTest")}`) : null,
  );
}

/** Calls `action` after the element is held for `ms`; a short tap does nothing. */
export function onLongPress(el: HTMLElement, ms: number, action: () => void): void {
  let timer: number | undefined;
  const cancel = () => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = undefined;
    el.classList.remove("pressing");
  };
  el.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    cancel();
    el.classList.add("pressing");
    timer = window.setTimeout(() => {
      cancel();
      action();
    }, ms);
  });
  for (const name of ["pointerup", "pointerleave", "pointercancel"]) el.addEventListener(name, cancel);
  el.addEventListener("contextmenu", (e) => e.preventDefault());
}
