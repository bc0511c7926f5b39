// "Ask for advice": choosing a friend or a stylist, the invite (a big QR code and a short code),
// the stylists' queue, and the call layer drawn over the mirror while someone is with the shopper:
// the live indicator, remote tiles' frames, the board (cards with vote tallies, strokes, chat,
// reactions) and the call controls.

import type { BoardCardView, CallView, PictureSize, RemoteView, StrokeView } from "../../../shared/bindings";
import { h } from "../../../shared/dom";
import { language, money, t, type MessageKey } from "../../../shared/i18n";
import { api } from "../../../shared/ipc";
import { feature } from "../switches";
import { asksPanel } from "./ask";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The camera picture's width / height (after the mounting rotation), as the kiosk last reported
 * it; 16:9 until frames flow. The mirror shows its centre, cropped to the screen and mirrored.
 * Board points are in the unmirrored, uncropped picture (what the remote sees). */
let sourceAspect = 16 / 9;

export function setPictureSize(picture: PictureSize | null): void {
  if (picture && picture.width > 0 && picture.height > 0) sourceAspect = picture.width / picture.height;
}

function toMirror(x: number, y: number, w: number, hgt: number): [number, number] {
  const screen = w / hgt;
  let sx = x;
  let sy = y;
  if (sourceAspect > screen) {
    const kept = screen / sourceAspect;
    sx = (x - (1 - kept) / 2) / kept;
  } else {
    const kept = sourceAspect / screen;
    sy = (y - (1 - kept) / 2) / kept;
  }
  // Flipped like the picture, unless the mirror shows it as the camera sees it.
  const flipped = document.documentElement.dataset.flip !== "off";
  return [(flipped ? 1 - sx : sx) * w, sy * hgt];
}

const STROKE_COLOURS: Record<string, string> = {
  white: "#ffffff",
  black: "#111111",
  red: "#ff4d4d",
  yellow: "#ffd84d",
  green: "#4dd98a",
  blue: "#4da6ff",
  pink: "#ff7ac8",
};

const REACTIONS: Record<string, string> = {
  heart: "❤️",
  thumbsUp: "👍",
  thumbsDown: "👎",
  fire: "🔥",
  clap: "👏",
  wow: "😮",
};

function noticeKey(code: string): MessageKey {
  switch (code) {
    case "offline":
    case "kioskOffline":
      return "adviceOffline";
    case "noStylists":
    case "nobodyOnDuty":
      return "adviceNoStylists";
    case "callFull":
      return "adviceCallFull";
    default:
      return "adviceFailed";
  }
}

/** The screen reached from "Ask for advice". */
export function adviceScreen(call: CallView, opts: { onBack: () => void; onAskStylist: () => void }): HTMLElement {
  const body: (HTMLElement | null)[] = [];
  if (!call.online) body.push(h("p", { class: "advice-notice", role: "status", "data-testid": "advice-offline" }, t("adviceOffline")));
  else if (call.notice) body.push(h("p", { class: "advice-notice", role: "status", "data-testid": "advice-notice" }, t(noticeKey(call.notice))));

  if (call.invite) {
    const inv = call.invite;
    const qr = svg("svg", { viewBox: `0 0 ${inv.qrSize} ${inv.qrSize}`, class: "qr", "data-testid": "invite-qr", role: "img" });
    qr.setAttribute("aria-label", t("adviceQrLabel"));
    qr.append(svg("rect", { width: inv.qrSize, height: inv.qrSize, fill: "#fff" }), svg("path", { d: inv.qrPath, fill: "#000" }));
    body.push(
      h(
        "section",
        { class: "invite", "data-testid": "invite" },
        h("h2", {}, t("adviceFriendTitle")),
        qr,
        h("p", { class: "hint" }, t("adviceScan")),
        h("p", { class: "invite-code", "data-testid": "invite-code" }, inv.code),
        h("p", { class: "hint small" }, t("adviceTypeCode", { url: inv.joinAt })),
        h("button", { class: "secondary", type: "button", "data-testid": "advice-cancel", onclick: () => void api.cancelAdvice() }, t("cancel")),
      ),
    );
  }
  if (call.queue) {
    const q = call.queue;
    body.push(
      h(
        "section",
        { class: "queue", "data-testid": "queue" },
        h("h2", {}, t("adviceStylistTitle")),
        h("p", { class: "queue-place", "data-testid": "queue-place" }, t("adviceQueuePlace", { n: q.position })),
        h(
          "p",
          { class: "hint" },
          q.onDuty === 0 ? t("adviceNoStylistsYet") : q.waitSecs != null ? t("adviceQueueWait", { n: Math.max(1, Math.round(q.waitSecs / 60)) }) : t("adviceQueueSoon"),
        ),
        h("button", { class: "secondary", type: "button", "data-testid": "advice-cancel", onclick: () => void api.cancelAdvice() }, t("adviceLeaveQueue")),
      ),
    );
  }
  if (call.remotes.length > 0) {
    body.push(
      h(
        "section",
        { class: "in-call" },
        h("h2", {}, t("adviceWithYou")),
        h("ul", { class: "members" }, ...call.remotes.map((r) => h("li", { "data-testid": "member" }, remoteLabel(r)))),
      ),
    );
  }
  const canAdd = call.online && call.remotes.length < 3;
  if (canAdd && !call.invite && feature("friendCalls")) {
    body.push(h("button", { class: "primary browse-button", type: "button", "data-testid": "ask-friend", onclick: () => void api.askFriend() }, t("adviceAskFriend")));
  }
  if (canAdd && !call.queue && !call.remotes.some((r) => r.role !== "friend") && feature("stylistCalls")) {
    body.push(h("button", { class: "secondary browse-button", type: "button", "data-testid": "ask-stylist", onclick: opts.onAskStylist }, t("adviceAskStylist")));
  }
  return h(
    "main",
    { class: "screen advice", "data-testid": "advice-screen" },
    h("div", { class: "reflection-area" }),
    h(
      "section",
      { class: "band" },
      h("h1", { class: "welcome" }, t("adviceTitle")),
      h("p", { class: "hint" }, t("adviceHint")),
      ...body,
      h("button", { class: "secondary", type: "button", "data-testid": "advice-back", onclick: opts.onBack }, t("back")),
    ),
  );
}

function remoteLabel(r: RemoteView): string {
  const role = r.role === "friend" ? t("roleFriend") : r.role === "staff" ? t("roleStaff") : t("roleStylist");
  const state = r.away ? t("remoteAway") : r.connected ? "" : t("remoteConnecting");
  return state ? `${r.name} · ${role} · ${state}` : `${r.name} · ${role}`;
}

/** Drawn over every screen while a call runs (empty otherwise). */
export function callLayer(call: CallView): HTMLElement | null {
  if (call.remotes.length === 0 && call.cards.length === 0 && call.strokes.length === 0 && call.asks.length === 0) return null;
  const w = window.innerWidth;
  const hgt = window.innerHeight;
  const layer = h("div", { class: "call-layer", "data-testid": "call-layer" });

  const asks = asksPanel(call.asks, () => void api.askStylist(null, null));
  if (asks) layer.append(asks);
  if (call.live) {
    layer.append(h("div", { class: "live-indicator", role: "status", "data-testid": "live-indicator" }, h("span", { class: "dot" }), t("liveNow")));
  }
  if (call.strokes.length > 0) layer.append(strokesSvg(call.strokes, w, hgt));
  for (const r of call.remotes) {
    if (!r.tile) continue;
    const frame = h(
      "div",
      {
        class: `tile-frame${r.away ? " away" : ""}`,
        "data-testid": "remote-tile",
        "data-role": r.role,
        "data-video": r.video ? "on" : "off",
      },
      h("span", { class: "tile-name" }, remoteLabel(r)),
    );
    // Placed through the CSSOM: the CSP (style-src 'self') blocks a style attribute, which left
    // every frame and name at the corner, away from its picture.
    Object.assign(frame.style, {
      left: `${r.tile.x * 100}%`,
      top: `${r.tile.y * 100}%`,
      width: `${r.tile.w * 100}%`,
      height: `${r.tile.h * 100}%`,
    });
    layer.append(frame);
  }
  if (call.cards.length > 0) {
    layer.append(h("div", { class: "board-cards", "data-testid": "board-cards" }, ...call.cards.map(boardCard)));
  }
  if (call.chat.length > 0) {
    layer.append(
      h("ol", { class: "board-chat", "data-testid": "board-chat" }, ...call.chat.slice(-3).map((m) => h("li", {}, h("b", {}, m.by), " ", m.text))),
    );
  }
  if (call.reactions.length > 0) {
    layer.append(h("div", { class: "board-reactions" }, ...call.reactions.map((r) => h("span", { title: r.by }, REACTIONS[r.reaction] ?? "·"))));
  }
  if (call.remotes.length > 0) {
    layer.append(
      h(
        "div",
        { class: "call-controls" },
        h(
          "button",
          { class: "secondary toggle", type: "button", "data-testid": "call-mute", "aria-pressed": call.muted ? "true" : "false", onclick: () => void api.callMute(!call.muted) },
          call.muted ? t("unmute") : t("mute"),
        ),
        h(
          "button",
          { class: "secondary toggle", type: "button", "data-testid": "call-camera", "aria-pressed": call.cameraOff ? "true" : "false", onclick: () => void api.callCameraOff(!call.cameraOff) },
          call.cameraOff ? t("cameraOn") : t("cameraOff"),
        ),
        call.cards.length + call.strokes.length > 0
          ? h("button", { class: "secondary", type: "button", "data-testid": "board-clear", onclick: () => void api.boardAction("clear", null) }, t("boardClear"))
          : null,
        h("button", { class: "end-button", type: "button", "data-testid": "call-end", onclick: () => void api.hangUp(null) }, t("endCall")),
      ),
    );
  }
  return layer;
}

function boardCard(c: BoardCardView): HTMLElement {
  const p = c.product;
  return h(
    "article",
    { class: "board-card", "data-testid": "board-card", "data-sku": c.sku },
    p?.image ? h("img", { src: p.image, alt: "" }) : null,
    h(
      "div",
      { class: "board-card-text" },
      h("h3", {}, p ? (language() === "zh-CN" ? p.nameZh : p.nameEn) : c.sku),
      p ? h("p", { class: "price" }, money(p.priceMinor, p.currency)) : null,
      c.size || c.colour ? h("p", { class: "hint small" }, [c.colour, c.size].filter(Boolean).join(" · ")) : null,
      c.note ? h("p", { class: "card-note" }, c.note) : null,
      h("p", { class: "hint small" }, t("boardFrom", { name: c.by })),
      h(
        "p",
        { class: "tally", "data-testid": "tally" },
        h("span", { "data-vote": "keep" }, `${t("voteKeep")} ${c.keep}`),
        h("span", { "data-vote": "skip" }, `${t("voteSkip")} ${c.skip}`),
        h("span", { "data-vote": "sizeUp" }, `${t("voteSizeUp")} ${c.sizeUp}`),
      ),
    ),
    h("button", { class: "dismiss", type: "button", "aria-label": t("boardDismiss"), onclick: () => void api.boardAction("dismiss", c.id) }, "×"),
  );
}

function strokesSvg(strokes: StrokeView[], w: number, hgt: number): SVGSVGElement {
  const root = svg("svg", {
    class: "board-strokes",
    viewBox: `0 0 ${w} ${hgt}`,
    "data-testid": "board-strokes",
    "data-source-aspect": sourceAspect.toFixed(4),
  });
  for (const s of strokes) {
    const pts = s.points.map(([x, y]) => toMirror(x, y, w, hgt));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(1)} ${y.toFixed(1)}`).join("");
    root.append(
      svg("path", {
        d,
        fill: "none",
        stroke: STROKE_COLOURS[s.colour] ?? "#fff",
        "stroke-width": Math.max(2, (s.width / 1000) * w),
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
      }),
    );
  }
  return root;
}
