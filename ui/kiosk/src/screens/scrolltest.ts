// The installer's scrolling test as a screen: the real browse screen, with a banner saying what is
// measured and then the result, and a way back to the admin screen.

import { h } from "../../../shared/dom";
import { t } from "../../../shared/i18n";
import { isSmooth, measureScroll, type ScrollStats } from "../scroll-test";
import { browseScreen } from "./browse";

/** How long the list scrolls, and how long it first settles (images decoding, layout). */
const RUN_MS = 5000;
const SETTLE_MS = 1000;

export function scrollResultText(s: ScrollStats): string {
  return t("scrollTestResult", { fps: Math.round(s.fps), p50: s.p50.toFixed(1), p95: s.p95.toFixed(1) });
}

export function scrollVerdict(s: ScrollStats): string {
  return isSmooth(s) ? t("scrollTestSmooth") : t("scrollTestSlow");
}

export function scrollTestScreen(opts: { onBack: () => void; onResult: (s: ScrollStats) => void }): HTMLElement {
  const status = h("p", { class: "scroll-test-status", role: "status", "data-testid": "scroll-test-status" }, t("scrollTestRunning"));
  const verdict = h("p", { class: "scroll-test-verdict", "data-testid": "scroll-test-verdict" });
  const back = h("button", { type: "button", class: "secondary", "data-testid": "scroll-test-back", onclick: opts.onBack }, t("scrollTestBack"));
  const banner = h("div", { class: "scroll-test-banner", "data-testid": "scroll-test-banner" }, h("div", {}, status, verdict), back);
  return browseScreen({
    onBack: opts.onBack,
    banner,
    onFirstPage: (scroller, more) => {
      window.setTimeout(() => {
        // An empty or one-screen catalog does not scroll: its frames would measure nothing.
        if (scroller.scrollHeight <= scroller.clientHeight + 50) {
          status.textContent = t("scrollTestNothing");
          banner.dataset.done = "true";
          return;
        }
        void measureScroll(scroller, RUN_MS, more).then((s) => {
          status.textContent = scrollResultText(s);
          verdict.textContent = scrollVerdict(s);
          verdict.classList.toggle("slow", !isSmooth(s));
          // For support and tests, in any language.
          Object.assign(banner.dataset, { frames: String(s.frames), fps: s.fps.toFixed(1), p50: s.p50.toFixed(1), p95: s.p95.toFixed(1) });
          banner.dataset.done = "true";
          opts.onResult(s);
        });
      }, SETTLE_MS);
    },
  });
}
