// What both pages share beyond the protocol: small view helpers and the test/debug hook.

import { h } from "../../shared/dom";
import { t, toggleLanguage } from "./i18n";
import type { Reaction } from "./wire";

export const REACTION_EMOJI: Record<Reaction, string> = {
  heart: "\u2764\uFE0F",
  thumbsUp: "\uD83D\uDC4D",
  thumbsDown: "\uD83D\uDC4E",
  fire: "\uD83D\uDD25",
  clap: "\uD83D\uDC4F",
  wow: "\uD83D\uDE2E",
};

/** The language switch button (its label is the other language's name). */
export function languageButton(): HTMLButtonElement {
  return h("button", { type: "button", class: "lang", onclick: () => toggleLanguage() }, t("langSwitch"));
}

/** Reads sessionStorage without throwing (storage may be disabled). */
export function sessionGet(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function sessionSet(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Without storage a reload simply starts over.
  }
}

/**
 * What tests (and a curious engineer in devtools) may look at: read-only views plus the socket's
 * `drop()`, which does what a network failure does. Nothing here is reachable from another origin.
 */
export function exposeDebug(hook: Record<string, unknown>): void {
  (window as unknown as { atelier: Record<string, unknown> }).atelier = hook;
}
