// Garment tags: the card that slides in when a tag is read (by the camera or a hand scanner), and
// the hand scanner itself, which types the code like a keyboard and ends with Enter.

import type { TagView } from "../../shared/bindings";
import { h, mount } from "../../shared/dom";
import { t } from "../../shared/i18n";
import { api } from "../../shared/ipc";
import { productCard } from "./screens/browse";

/** How long a tag card stays unless closed or replaced. */
const SHOW_MS = 15000;

export function tagPanel(layer: HTMLElement): (tag: TagView) => void {
  let hide: number | undefined;
  return (tag: TagView) => {
    if (hide !== undefined) window.clearTimeout(hide);
    const close = () => mount(layer);
    const body = tag.card
      ? h("div", { class: "tag-body" }, h("p", { class: "tag-title" }, t("tagTitle")), productCard(tag.card))
      : h("p", { class: "tag-unknown", "data-testid": "tag-unknown" }, t("tagNotFound"));
    mount(
      layer,
      h(
        "aside",
        { class: "tag-panel", role: "status", "data-testid": "tag-panel", "data-seq": tag.seq, "data-via": tag.via },
        body,
        h("button", { class: "tag-close", type: "button", onclick: close }, t("tagClose")),
      ),
    );
    hide = window.setTimeout(close, SHOW_MS);
    // Tell the kiosk once the card is painted (it measures tag → card latency).
    requestAnimationFrame(() => requestAnimationFrame(() => void api.tagShown(tag.seq)));
  };
}

/** Keys closer together than this are a scanner, not a person. */
const SCANNER_GAP_MS = 50;
const MIN_CODE = 4;
const MAX_CODE = 256;

/** Listens for a keyboard-wedge scanner and hands each complete code to `onCode`. */
export function listenForScanner(onCode: (code: string) => void): void {
  let buffer = "";
  let last = 0;
  document.addEventListener("keydown", (e) => {
    const now = performance.now();
    if (now - last > SCANNER_GAP_MS) buffer = "";
    last = now;
    if (e.key === "Enter") {
      if (buffer.length >= MIN_CODE) onCode(buffer);
      buffer = "";
      return;
    }
    if (e.key.length === 1 && buffer.length < MAX_CODE) buffer += e.key;
  });
}
