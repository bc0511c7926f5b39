// The attract screen: what an empty fitting room shows. Black is mirror; the call to action sits
// in the lower-middle band, within everyone's reach.

import type { Language } from "../../../shared/bindings";
import { h } from "../../../shared/dom";
import { t } from "../../../shared/i18n";
import { languageSwitch } from "../widgets";

export function attractScreen(opts: { onStart: () => void; onLanguage: (l: Language) => void }): HTMLElement {
  return h(
    "main",
    { class: "screen attract", "data-testid": "attract-screen" },
    h("div", { class: "reflection-area" }),
    h(
      "section",
      { class: "band" },
      h("p", { class: "wordmark" }, t("brand")),
      h("p", { class: "hint" }, t("attractHint")),
      h(
        "button",
        { class: "start-button", type: "button", "data-testid": "start-button", onclick: opts.onStart },
        t("tapToStart"),
      ),
      languageSwitch(opts.onLanguage),
    ),
  );
}
