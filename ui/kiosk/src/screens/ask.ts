// Asking store staff for another size or colour, from any product card: a sheet to pick the size
// and colour, then the ask goes to every staff member of the store; the mirror shows who is coming
// (the call layer draws the asks).

import type { AskView, CardView } from "../../../shared/bindings";
import { h, mount } from "../../../shared/dom";
import { language, t } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";
import { feature } from "../switches";

let enabled = false;

/** Asks are possible when the kiosk has a store link configured (a standalone mirror has no staff). */
export function setAskEnabled(on: boolean): void {
  enabled = on;
}

/** The "Another size or colour" button of a product card (null on a standalone mirror). */
export function askButton(c: CardView): HTMLElement | null {
  if (!enabled || !feature("staffRequests")) return null;
  return h(
    "button",
    { class: "secondary ask-button", type: "button", "data-testid": "ask-staff", onclick: () => openSheet(c) },
    t("askAnother"),
  );
}

function openSheet(c: CardView): void {
  const zh = language() === "zh-CN";
  const name = zh ? c.nameZh : c.nameEn;
  let size: string | null = null;
  let colour: string | null = null;
  const layer = h("div", { class: "overlay ask-sheet", role: "dialog", "aria-modal": "true", "data-testid": "ask-sheet" });
  const close = () => layer.remove();
  const chips = (values: string[], pick: (v: string) => void, current: () => string | null, testid: string) => {
    const row = h("div", { class: "chips", "data-testid": testid });
    const draw = () =>
      mount(
        row,
        ...values.map((v) =>
          h(
            "button",
            {
              type: "button",
              class: "chip",
              "data-value": v,
              "aria-pressed": current() === v ? "true" : "false",
              onclick: () => {
                pick(current() === v ? "" : v);
                draw();
              },
            },
            v,
          ),
        ),
      );
    draw();
    return row;
  };
  const colours = c.colours.map((s) => (zh ? s.nameZh : s.nameEn));
  const send = h(
    "button",
    {
      class: "primary",
      type: "button",
      "data-testid": "ask-send",
      onclick: () => {
        void api.askStaff(c.sku, name, size, colour).catch(() => undefined);
        close();
      },
    },
    t("askSend"),
  );
  layer.append(
    h(
      "div",
      { class: "panel" },
      h("h2", {}, t("askTitle")),
      h("p", { class: "hint" }, name),
      h("h3", {}, t("askSize")),
      c.sizesInStock.length > 0
        ? chips(c.sizesInStock, (v) => (size = v || null), () => size, "ask-sizes")
        : h("p", { class: "hint small" }, t("soldOutHere")),
      colours.length > 1 ? h("h3", {}, t("askColour")) : null,
      colours.length > 1 ? chips(colours, (v) => (colour = v || null), () => colour, "ask-colours") : null,
      h("div", { class: "tool-row" }, send, h("button", { class: "secondary", type: "button", onclick: close }, t("cancel"))),
    ),
  );
  document.getElementById("app")?.append(layer);
}

/** The asks on the mirror: what was asked and where it stands. */
export function asksPanel(asks: AskView[], onAskStylist: () => void): HTMLElement | null {
  if (asks.length === 0) return null;
  return h(
    "ol",
    { class: "asks", "data-testid": "asks", role: "status" },
    ...asks.map((a) => {
      const what = [a.size, a.colour].filter(Boolean).join(" · ");
      const line = (() => {
        switch (a.state) {
          case "onMyWay":
            return t("askOnMyWay", { name: a.by ?? "" });
          case "notInStock":
            return a.suggestion ? t("askNotInStockSuggest", { name: a.by ?? "", suggestion: a.suggestion }) : t("askNotInStock", { name: a.by ?? "" });
          case "arrived":
            return t("askArrived", { name: a.by ?? "" });
          case "unreachable":
            return t("askUnreachable");
          default:
            return t("askWaiting");
        }
      })();
      return h(
        "li",
        { class: `ask ask-${a.state}`, "data-testid": "ask", "data-state": a.state, "data-ask": a.ask },
        h("p", { class: "ask-what" }, what ? `${a.name ?? a.sku} — ${what}` : a.name ?? a.sku),
        h("p", { class: "ask-state" }, line),
        a.overdue && feature("stylistCalls") ? h("p", { class: "hint small" }, t("askNoAnswer")) : null,
        a.overdue && feature("stylistCalls")
          ? h("button", { class: "secondary", type: "button", "data-testid": "ask-stylist-instead", onclick: onAskStylist }, t("adviceAskStylist"))
          : null,
        h("button", { class: "dismiss", type: "button", "aria-label": t("askDismiss"), onclick: () => void api.cancelAsk(a.ask) }, "×"),
      );
    }),
  );
}
