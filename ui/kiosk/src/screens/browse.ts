// The browse screen: the store's catalog as cards, filtered by category, with what is in stock in
// this store. Every product text is data and goes through h(), so it is always escaped.

import type { CardView, CategoryCount } from "../../../shared/bindings";
import { h, mount } from "../../../shared/dom";
import { categoryName, language, money, t } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";
import { askButton } from "./ask";

const PAGE = 24;

export function productCard(c: CardView): HTMLElement {
  const zh = language() === "zh-CN";
  const name = zh ? c.nameZh : c.nameEn;
  const img = c.image
    ? h("img", { src: c.image, alt: name, loading: "lazy", decoding: "async", width: 480, height: 600 })
    : h("div", { class: "no-image", "aria-hidden": "true" });
  const swatches = h(
    "div",
    { class: "swatches" },
    ...c.colours.map((s) => {
      const dot = h("span", { class: "swatch", title: zh ? s.nameZh : s.nameEn });
      dot.style.setProperty("--swatch", s.hex); // CSSOM, allowed by the CSP (no inline style attribute)
      return dot;
    }),
  );
  const stock = c.sizesInStock.length > 0 ? t("inStockHere", { sizes: c.sizesInStock.join(" · ") }) : t("soldOutHere");
  return h(
    "article",
    { class: "card", "data-sku": c.sku, "data-testid": "product-card" },
    h("div", { class: "card-image" }, img),
    h("h3", { class: "card-name" }, name),
    h("p", { class: "card-price" }, money(c.priceMinor, c.currency)),
    swatches,
    h("p", { class: c.sizesInStock.length > 0 ? "card-stock" : "card-stock sold-out" }, stock),
    askButton(c),
  );
}

export interface BrowseOptions {
  onBack: () => void;
  /** Shown at the top of the panel (the installer's scrolling test says what it measures there). */
  banner?: HTMLElement;
  /**
   * Called once the first page is in, with the scroller and a "load more" that says whether rows
   * are on their way (the scrolling test keeps going through the whole catalog).
   */
  onFirstPage?: (scroller: HTMLElement, more: () => boolean) => void;
}

export function browseScreen(opts: BrowseOptions): HTMLElement {
  let category: string | null = null;
  let offset = 0;
  let total = 0;
  const grid = h("div", { class: "card-grid", "data-testid": "card-grid" });
  const more = h("button", { type: "button", class: "secondary show-more", "data-testid": "show-more" }, t("showMore"));
  const count = h("p", { class: "browse-count" });
  const chips = h("div", { class: "chips", role: "tablist" });
  const scroller = h("div", { class: "browse-scroll" }, grid, more);
  let loading = false;
  let first = true;

  const load = async (reset: boolean) => {
    if (reset) {
      offset = 0;
      grid.replaceChildren();
    }
    more.hidden = true;
    loading = true;
    const page = await api.catalogPage(category, offset, PAGE).finally(() => {
      loading = false;
    });
    total = page.total;
    offset = page.offset + page.cards.length;
    grid.append(...page.cards.map(productCard));
    count.textContent = t("itemsCount", { n: total });
    more.hidden = offset >= total;
    if (total === 0) mount(grid, h("p", { class: "empty" }, t("catalogEmpty")));
    if (first) {
      first = false;
      opts.onFirstPage?.(scroller, () => {
        if (loading) return true;
        if (more.hidden) return false;
        void load(false);
        return true;
      });
    }
  };
  more.addEventListener("click", () => void load(false));

  const renderChips = (counts: CategoryCount[]) => {
    const chip = (value: string | null, label: string) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          class: "chip",
          "data-category": value ?? "all",
          "aria-selected": category === value ? "true" : "false",
          onclick: () => {
            category = value;
            renderChips(counts);
            void load(true);
          },
        },
        label,
      );
    mount(chips, chip(null, t("allCategories")), ...counts.map((c) => chip(c.category, categoryName(c.category))));
  };

  void api.catalogCategories().then(renderChips);
  void load(true);

  return h(
    "main",
    { class: "screen browse", "data-testid": "browse-screen" },
    h("div", { class: "reflection-area short" }),
    h(
      "section",
      { class: "browse-panel" },
      opts.banner ?? null,
      h(
        "header",
        { class: "browse-header" },
        h("button", { type: "button", class: "secondary", "data-testid": "browse-back", onclick: opts.onBack }, t("back")),
        h("h2", {}, t("browseTitle")),
        count,
      ),
      chips,
      scroller,
    ),
  );
}
