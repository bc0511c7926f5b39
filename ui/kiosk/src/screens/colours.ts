// "My colours": the shopper agrees on screen, the mirror measures her skin tone for two seconds,
// and shows her shade, undertone, contrast, how sure it is, and the colours that flatter her.
// Nothing is measured before "Yes"; the result lives in the session and "Forget this" drops it.

import type { ColourView, SkinOutcome, SkinView } from "../../../shared/bindings";
import { h, mount } from "../../../shared/dom";
import { language, t, type MessageKey } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";

const UNDERTONE: Record<string, MessageKey> = {
  warm: "undertoneWarm",
  neutral: "undertoneNeutral",
  cool: "undertoneCool",
};
const CONTRAST: Record<string, MessageKey> = {
  low: "contrastLow",
  medium: "contrastMedium",
  high: "contrastHigh",
};
const CONFIDENCE: Record<string, MessageKey> = {
  low: "confidenceLow",
  medium: "confidenceMedium",
  high: "confidenceHigh",
};
const PROBLEM: Record<Exclude<SkinOutcome["status"], "ok">, MessageKey> = {
  noFace: "skinNoFace",
  tooLittleSkin: "skinTooLittle",
  noCamera: "skinNoCamera",
};

function swatches(colours: ColourView[], testid: string): HTMLElement {
  const zh = language() === "zh-CN";
  return h(
    "ul",
    { class: "palette", "data-testid": testid },
    ...colours.map((c) => {
      const dot = h("span", { class: "swatch big" });
      dot.style.setProperty("--swatch", c.hex);
      return h("li", { class: "palette-colour" }, dot, h("span", {}, zh ? c.nameZh : c.nameEn));
    }),
  );
}

function result(view: SkinView, actions: { onRetake: () => void; onForget: () => void; onLooks: () => void }): HTMLElement {
  const shade = h("span", { class: "shade", "data-testid": "skin-shade" });
  shade.style.setProperty("--swatch", view.skinHex);
  const monk = h("span", { class: "shade monk" });
  monk.style.setProperty("--swatch", view.monkHex);
  const low = view.confidenceLevel === "low";
  const retake = h(
    "button",
    { type: "button", class: low ? "primary" : "secondary", "data-testid": "skin-retake", onclick: actions.onRetake },
    t("retake"),
  );
  return h(
    "div",
    { class: "skin-result", "data-testid": "skin-result", "data-monk": view.monk, "data-confidence": view.confidenceLevel, "data-calibrated": String(view.calibrated), "data-skin": view.skinHex },
    h(
      "div",
      { class: "shade-row" },
      shade,
      monk,
      h(
        "div",
        {},
        h("p", { class: "shade-name", "data-testid": "skin-monk" }, t("skinShade", { n: view.monk })),
        h("p", { "data-testid": "skin-undertone" }, t(UNDERTONE[view.undertone] ?? "undertoneNeutral")),
        h("p", {}, t(CONTRAST[view.contrast] ?? "contrastMedium")),
      ),
    ),
    h(
      "p",
      { class: low ? "confidence low" : "confidence", "data-testid": "skin-confidence" },
      t(CONFIDENCE[view.confidenceLevel] ?? "confidenceLow"),
    ),
    view.calibrated ? null : h("p", { class: "hint" }, t("notCalibrated")),
    h("h3", {}, t("paletteFlatters")),
    swatches(view.flattering, "palette-flatters"),
    h("h3", {}, t("paletteAvoid")),
    swatches(view.avoid, "palette-avoid"),
    h(
      "div",
      { class: "actions" },
      low ? retake : h("button", { type: "button", class: "primary", "data-testid": "skin-looks", onclick: actions.onLooks }, t("looksInMyColours")),
      low ? h("button", { type: "button", class: "secondary", "data-testid": "skin-looks", onclick: actions.onLooks }, t("looksInMyColours")) : retake,
      h("button", { type: "button", class: "secondary", "data-testid": "skin-forget", onclick: actions.onForget }, t("forgetMe")),
    ),
  );
}

export function coloursScreen(opts: { onBack: () => void; onLooks: () => void }): HTMLElement {
  const body = h("div", { class: "colours-body" });

  const consent = () =>
    mount(
      body,
      h(
        "div",
        { class: "consent", "data-testid": "skin-consent" },
        h("h2", {}, t("consentTitle")),
        h("p", {}, t("consentBody")),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "primary", "data-testid": "consent-yes", onclick: () => void measure() }, t("consentYes")),
          h("button", { type: "button", class: "secondary", "data-testid": "consent-no", onclick: opts.onBack }, t("consentNo")),
        ),
      ),
    );

  const show = (view: SkinView) =>
    mount(
      body,
      result(view, {
        onRetake: () => void measure(),
        onForget: () => {
          void api.forgetSkin().then(consent, consent);
        },
        onLooks: opts.onLooks,
      }),
    );

  const problem = (key: MessageKey) =>
    mount(
      body,
      h(
        "div",
        { class: "consent", "data-testid": "skin-problem" },
        h("p", { role: "status" }, t(key)),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "primary", "data-testid": "skin-try-again", onclick: () => void measure() }, t("tryAgain")),
          h("button", { type: "button", class: "secondary", onclick: opts.onBack }, t("back")),
        ),
      ),
    );

  // The shopper tapped "Yes": that tap is the consent the command requires.
  const measure = async () => {
    mount(body, h("p", { class: "analysing", role: "status", "data-testid": "skin-analysing" }, t("analysing")));
    try {
      const outcome = await api.analyseSkin(true);
      if (outcome.status === "ok") show(outcome.result);
      else problem(PROBLEM[outcome.status]);
    } catch {
      problem("skinFailed");
    }
  };

  // Back on this screen in the same session: the result is still there (until "Forget this").
  void api.skinResult().then((v) => (v ? show(v) : consent()), consent);

  return h(
    "main",
    { class: "screen browse colours-screen", "data-testid": "colours-screen" },
    h("div", { class: "reflection-area short" }),
    h(
      "section",
      { class: "browse-panel" },
      h(
        "header",
        { class: "browse-header" },
        h("button", { type: "button", class: "secondary", "data-testid": "colours-back", onclick: opts.onBack }, t("back")),
        h("h2", {}, t("coloursTitle")),
      ),
      body,
    ),
  );
}
