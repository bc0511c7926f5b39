// The staff PIN prompt: a large keypad, dots for the digits, the lockout explained.

import type { AdminView } from "../../../shared/bindings";
import { h } from "../../../shared/dom";
import { t } from "../../../shared/i18n";
import { api, commandError } from "../../../shared/ipc";

const MAX_DIGITS = 8;

export function pinPrompt(opts: { onCancel: () => void; onUnlocked: (view: AdminView) => void }): HTMLElement {
  let digits = "";
  let busy = false;
  const dots = h("div", { class: "pin-dots", "data-testid": "pin-dots", "aria-live": "polite" });
  const message = h("p", { class: "pin-message", "data-testid": "pin-message", role: "alert" });

  const renderDots = () => {
    dots.replaceChildren(...Array.from({ length: Math.max(4, digits.length) }, (_, i) => h("span", { class: i < digits.length ? "dot filled" : "dot" })));
  };

  const submit = async () => {
    if (busy || digits.length < 4) return;
    busy = true;
    try {
      const view = await api.adminUnlock(digits);
      opts.onUnlocked(view);
    } catch (e) {
      const err = commandError(e);
      if (err?.kind === "wrongPin") message.textContent = t("pinWrong", { n: err.attemptsLeft ?? 0 });
      else if (err?.kind === "lockedOut") message.textContent = t("pinLocked", { n: err.retryInSecs ?? 0 });
      else message.textContent = String(e);
      digits = "";
      renderDots();
    } finally {
      busy = false;
    }
  };

  const press = (d: string) => {
    if (digits.length < MAX_DIGITS) digits += d;
    message.textContent = "";
    renderDots();
  };
  const key = (label: string, attrs: Record<string, string>, action: () => void) =>
    h("button", { type: "button", class: "key", ...attrs, onclick: action }, label);

  const keypad = h(
    "div",
    { class: "keypad" },
    ..."123456789".split("").map((d) => key(d, { "data-key": d }, () => press(d))),
    key(t("deleteDigit"), { "data-key": "delete", class: "key small" }, () => {
      digits = digits.slice(0, -1);
      renderDots();
    }),
    key("0", { "data-key": "0" }, () => press("0")),
    key(t("ok"), { "data-key": "ok", class: "key small primary", "data-testid": "pin-ok" }, () => void submit()),
  );
  renderDots();

  return h(
    "div",
    { class: "overlay pin", role: "dialog", "aria-modal": "true", "data-testid": "pin-prompt" },
    h(
      "div",
      { class: "panel" },
      h("h2", {}, t("adminPinTitle")),
      h("p", { class: "hint" }, t("adminPinHint")),
      dots,
      message,
      keypad,
      h("button", { type: "button", class: "secondary", "data-testid": "pin-cancel", onclick: opts.onCancel }, t("cancel")),
    ),
  );
}
