// "Looks for you": complete outfits from this store's stock in the shopper's size, built around
// what she scanned, for the occasion and budget she picks; swipe through them and ask staff to
// bring one. Every product text is data and goes through h(), so it is always escaped.

import type { LookView, LooksRequest } from "../../../shared/bindings";
import { h, mount } from "../../../shared/dom";
import { language, money, t, type MessageKey } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";

const OCCASIONS: [string | null, MessageKey][] = [
  [null, "occasionAny"],
  ["work", "occasionWork"],
  ["casual", "occasionCasual"],
  ["date", "occasionDate"],
  ["party", "occasionParty"],
  ["travel", "occasionTravel"],
  ["wedding-guest", "occasionWedding"],
];
const STYLES: [string | null, MessageKey][] = [
  [null, "styleAny"],
  ["classic", "styleClassic"],
  ["minimal", "styleMinimal"],
  ["smart-casual", "styleSmartCasual"],
  ["romantic", "styleRomantic"],
  ["street", "styleStreet"],
  ["sporty", "styleSporty"],
  ["boho", "styleBoho"],
];
const SIZES = ["XS", "S", "M", "L", "XL"];
const SHOE_SIZES = ["35", "36", "37", "38", "39", "40", "41", "42", "43", "44"];
const BUDGETS = [null, 1000, 2000, 3000];

function chipRow<T>(
  label: string,
  testid: string,
  options: [T, string][],
  current: () => T,
  pick: (v: T) => void,
): HTMLElement {
  const row = h("div", { class: "chips", role: "radiogroup", "aria-label": label, "data-testid": testid });
  const draw = () =>
    mount(
      row,
      ...options.map(([v, text]) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "data-value": v === null ? "any" : String(v),
            "aria-checked": current() === v ? "true" : "false",
            onclick: () => {
              pick(v);
              draw();
            },
          },
          text,
        ),
      ),
    );
  draw();
  return h("div", { class: "picker" }, h("span", { class: "picker-label" }, label), row);
}

function lookCard(look: LookView, size: string | null): HTMLElement {
  const zh = language() === "zh-CN";
  const bring = h("button", { type: "button", class: "primary", "data-testid": "bring-me" }, t("bringMe"));
  bring.addEventListener("click", () => {
    (bring as HTMLButtonElement).disabled = true;
    api
      .bringMe(
        look.id,
        look.items.filter((i) => !i.scanned).map((i) => i.productSku),
        size,
      )
      .then(
        () => (bring.textContent = t("bringMeSent")),
        () => {
          bring.textContent = t("bringMeFailed");
          (bring as HTMLButtonElement).disabled = false;
        },
      );
  });
  return h(
    "article",
    { class: "look", "data-testid": "look" },
    h(
      "ul",
      { class: "look-items" },
      ...look.items.map((i) => {
        const dot = h("span", { class: "swatch" });
        dot.style.setProperty("--swatch", i.hex);
        return h(
          "li",
          { class: "look-item", "data-sku": i.productSku },
          i.image ? h("img", { src: i.image, alt: "", width: 160, height: 200 }) : h("div", { class: "no-image" }),
          h(
            "div",
            {},
            h("p", { class: "look-name" }, zh ? i.nameZh : i.nameEn),
            h("p", { class: "look-colour" }, dot, " ", zh ? i.colourZh : i.colourEn, i.scanned ? ` · ${t("inHand")}` : ""),
            h("p", { class: "look-price" }, money(i.priceMinor, look.currency)),
          ),
        );
      }),
    ),
    h("p", { class: "look-reason", "data-testid": "look-reason" }, zh ? look.reasonZh : look.reasonEn),
    h("p", { class: "look-total" }, t("lookTotal", { total: money(look.totalMinor, look.currency) })),
    bring,
  );
}

/** A look in view counts as shown; one she stays on for two seconds, as opened (for learning). */
function watchLooks(list: HTMLElement, looks: LookView[], cards: HTMLElement[]): void {
  const dwell = new Map<Element, number>();
  const observer = new IntersectionObserver(
    (entries) => {
      if (!list.isConnected) {
        observer.disconnect();
        return;
      }
      for (const e of entries) {
        const look = looks[cards.indexOf(e.target as HTMLElement)];
        if (!look) continue;
        if (e.isIntersecting) {
          void api.lookEvent(look.id, "shown").catch(() => undefined);
          dwell.set(
            e.target,
            window.setTimeout(() => {
              if (list.isConnected) void api.lookEvent(look.id, "opened").catch(() => undefined);
            }, 2000),
          );
        } else {
          window.clearTimeout(dwell.get(e.target));
          dwell.delete(e.target);
        }
      }
    },
    { root: list, threshold: 0.6 },
  );
  cards.forEach((c) => observer.observe(c));
}

export function looksScreen(opts: { onBack: () => void }): HTMLElement {
  const req: LooksRequest = { occasion: null, style: null, budget: null, size: "M", shoeSize: "38" };
  const list = h("div", { class: "looks", "data-testid": "looks" });
  // With a skin analysis this session, looks favour her palette: say so.
  const note = h("p", { class: "hint", "data-testid": "looks-palette-note", hidden: "" }, t("inYourColours"));
  void api.skinResult().then((v) => {
    if (v) note.removeAttribute("hidden");
  }, () => undefined);
  const load = async () => {
    mount(list, h("p", { class: "empty" }, t("looksLoading")));
    const looks = await api.recommendLooks(req);
    if (looks.length === 0) mount(list, h("p", { class: "empty", "data-testid": "looks-empty" }, t("looksEmpty")));
    else {
      const cards = looks.map((l) => lookCard(l, req.size));
      mount(list, ...cards);
      watchLooks(list, looks, cards);
    }
  };
  const pickers = h(
    "div",
    { class: "pickers" },
    chipRow(t("pickOccasion"), "pick-occasion", OCCASIONS.map(([v, k]) => [v, t(k)]), () => req.occasion, (v) => {
      req.occasion = v;
      void load();
    }),
    chipRow(t("pickStyle"), "pick-style", STYLES.map(([v, k]) => [v, t(k)]), () => req.style, (v) => {
      req.style = v;
      void load();
    }),
    chipRow(t("pickSize"), "pick-size", SIZES.map((s) => [s, s]), () => req.size, (v) => {
      req.size = v;
      void load();
    }),
    chipRow(t("pickShoeSize"), "pick-shoe", SHOE_SIZES.map((s) => [s, s]), () => req.shoeSize, (v) => {
      req.shoeSize = v;
      void load();
    }),
    chipRow(
      t("pickBudget"),
      "pick-budget",
      BUDGETS.map((b) => [b, b === null ? t("budgetAny") : t("budgetUpTo", { n: b })]),
      () => req.budget,
      (v) => {
        req.budget = v;
        void load();
      },
    ),
  );
  void load();
  return h(
    "main",
    { class: "screen browse looks-screen", "data-testid": "looks-screen" },
    h("div", { class: "reflection-area short" }),
    h(
      "section",
      { class: "browse-panel" },
      h(
        "header",
        { class: "browse-header" },
        h("button", { type: "button", class: "secondary", "data-testid": "looks-back", onclick: opts.onBack }, t("back")),
        h("h2", {}, t("looksTitle")),
      ),
      note,
      pickers,
      list,
    ),
  );
}
