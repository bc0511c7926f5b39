// The stylist console (`/stylist`): sign in, go on duty, the queue across stores with what each
// shopper tried on, accept → the live call (answer the kiosk's offer, own camera and microphone),
// strokes over the shopper's video, catalog search with the store's stock → a card on the mirror,
// chat, reactions, transfer, end; private session notes kept in this browser only.
// Every text from the relay, the kiosk or another person goes in as text, never as HTML.

import "./web.css";
import { h, mount } from "../../shared/dom";
import { BoardClient } from "./board";
import { COLOUR_CSS, Overlay } from "./draw";
import { clock, language, money, onLanguageChange, t, type MessageKey } from "./i18n";
import { AnsweringPeer, localMedia } from "./peer";
import { CallSocket, callUrl } from "./socket";
import { REACTION_EMOJI, exposeDebug, languageButton, sessionGet, sessionSet } from "./common";
import {
  PROTOCOL,
  REACTIONS,
  STROKE_COLOURS,
  type ClientMessage,
  type Colleague,
  type IceServer,
  type Member,
  type PeerInfo,
  type ProductHit,
  type QueueEntry,
  type RequestView,
  type SearchResult,
  type ServerMessage,
  type Signal,
  type StrokeColour,
} from "./wire";

const TOKEN_KEY = "atelier.stylist.token";
const USER_KEY = "atelier.stylist.username";
const NOTES_PREFIX = "atelier.notes.";

interface Call {
  leg: number;
  call: number;
  peer: AnsweringPeer;
  request: RequestView | null;
  kiosk: PeerInfo;
}

interface Offer {
  transfer: number;
  from: PeerInfo;
  request: RequestView;
}

const app = document.getElementById("app") as HTMLElement;

let token: string | null = sessionGet(TOKEN_KEY);
let username: string | null = sessionGet(USER_KEY);
let pendingLogin: { username: string; password: string } | null = null;
let signedIn = false;
let me = "";
let onDuty = false;
let loginError: MessageKey | null = null;
let queue: QueueEntry[] = [];
let queueTotal = 0;
let colleagues: Colleague[] = [];
let call: Call | null = null;
let members: Member[] = [];
let offers: Offer[] = [];
let notice: string | null = null;
let local: MediaStream | null = null;
let drawColour: StrokeColour = "yellow";
let results: SearchResult | null = null;
/** Signals for a leg whose peer is still being set up (waiting for the camera). */
let starting: { leg: number; signals: Signal[] } | null = null;
const productNames = new Map<string, ProductHit>();
const thumbs = new Map<string, string>();

const board = new BoardClient((e) => {
  if (e.kind === "error") setNotice(t("boardError", { code: e.code }));
  renderBoard();
});

const socket = new CallSocket(callUrl(), {
  auth: (): ClientMessage | null => {
    if (pendingLogin) return { type: "login", protocol: PROTOCOL, ...pendingLogin };
    // After a reload (or a failed connection) the kiosk must start a new one: the relay then
    // answers with the whole legStarted again, and the call view is built from it.
    if (token) return { type: "resume", protocol: PROTOCOL, token, fresh: !(call && call.peer.isAlive()) };
    return null;
  },
  onMessage: (msg) => handle(msg),
  onState: () => renderHeader(),
  shouldReconnect: () => token !== null,
});

// --- Persistent elements ---
const headerEl = h("header", { class: "bar" });
const queueEl = h("section", { class: "queue" });
const offersEl = h("div", { class: "offers" });
const callHead = h("div", { class: "call-head" });
const video = h("video", { class: "remote", autoplay: true, playsinline: true });
const canvas = h("canvas", { class: "overlay drawable" });
const selfView = h("video", { class: "self", autoplay: true, playsinline: true });
const stage = h("div", { class: "stage" }, video, canvas);
const reactionsEl = h("div", { class: "reactions-shown" });
const toolsEl = h("div", { class: "tools" });
const boardCards = h("section", { class: "cards" });
const chatList = h("ol", { class: "chat-list" });
const chatInput = h("input", { type: "text", class: "chat-input", maxlength: 280, autocomplete: "off" });
const notes = h("textarea", { class: "notes", rows: 5 });
const searchInput = h("input", { type: "search", class: "search-input", maxlength: 64, autocomplete: "off" });
const resultsEl = h("section", { class: "results" });
/** What only makes sense during a call: reactions, the board's cards, chat, notes. */
const callBody = h("div", { class: "call-body" });
selfView.muted = true;
stage.append(reactionsEl);
const overlay = new Overlay(video, canvas, {
  enabled: () => call !== null,
  colour: () => drawColour,
  width: () => 5,
  onStroke: (points) => board.draw(points, drawColour, 5),
});
notes.addEventListener("input", () => {
  if (!call) return;
  try {
    localStorage.setItem(`${NOTES_PREFIX}call${call.call}`, notes.value);
  } catch {
    // Not kept: storage is off.
  }
});

function setNotice(text: string | null): void {
  notice = text;
  renderCall();
}

function handle(msg: ServerMessage): void {
  switch (msg.type) {
    case "authenticated":
      if (msg.token) {
        token = msg.token;
        sessionSet(TOKEN_KEY, msg.token);
      }
      if (pendingLogin) {
        username = pendingLogin.username.toLowerCase();
        sessionSet(USER_KEY, username);
      }
      pendingLogin = null;
      me = msg.displayName;
      onDuty = msg.onDuty;
      loginError = null;
      if (!signedIn) {
        signedIn = true;
        render();
      } else renderHeader();
      break;
    case "loggedOut":
      signOutLocally();
      break;
    case "queue":
      queue = msg.entries;
      queueTotal = msg.total;
      colleagues = msg.onDuty;
      renderQueue();
      renderCall();
      break;
    case "transferOffer":
      offers = offers.filter((o) => o.transfer !== msg.transfer).concat([{ transfer: msg.transfer, from: msg.from, request: msg.request }]);
      renderOffers();
      break;
    case "transferWithdrawn":
      offers = offers.filter((o) => o.transfer !== msg.transfer);
      renderOffers();
      break;
    case "transferFailed":
      setNotice(t("transferFailed", { reason: msg.reason }));
      break;
    case "legStarted":
      void startLeg(msg.leg, msg.call, msg.peer, msg.iceServers, msg.request ?? null);
      break;
    case "legResumed":
      if (call && call.leg === msg.leg) call.peer.setIceServers(msg.iceServers);
      // The board channel may have missed changes while the socket was down: catch up.
      if (board.isOpen()) board.sync();
      renderCall();
      break;
    case "signal":
      if (call && msg.leg === call.leg) void call.peer.handleSignal(msg.signal);
      else if (starting && msg.leg === starting.leg) starting.signals.push(msg.signal);
      break;
    case "members":
      members = msg.members;
      renderCall();
      break;
    case "legEnded":
      if (call && call.leg === msg.leg) endCall();
      break;
    case "error":
      onError(msg.code);
      break;
    default:
      break;
  }
}

function onError(code: string): void {
  if (code === "badCredentials" || code === "rateLimited") {
    if (!signedIn) {
      pendingLogin = null;
      loginError = code === "badCredentials" ? "badCredentials" : "rateLimited";
      socket.close();
      render();
      return;
    }
  }
  if (code === "sessionExpired") {
    loginError = "sessionExpired";
    signOutLocally();
    return;
  }
  setNotice(t("genericError", { message: code }));
}

function signOutLocally(): void {
  token = null;
  sessionSet(TOKEN_KEY, null);
  signedIn = false;
  socket.close();
  if (call) endCall();
  render();
}

async function startLeg(leg: number, callId: number, kiosk: PeerInfo, iceServers: IceServer[], request: RequestView | null): Promise<void> {
  // The kiosk's offer may come while the camera starts: keep it for the peer.
  starting = { leg, signals: [] };
  if (!local) local = await localMedia();
  const early = starting?.leg === leg ? starting.signals : [];
  starting = null;
  call?.peer.close();
  const peer = new AnsweringPeer(leg, iceServers, local, {
    sendSignal: (signal) => socket.send({ type: "signal", leg, signal }),
    onRemoteStream: (stream) => {
      if (video.srcObject !== stream) video.srcObject = stream;
      void video.play().catch(() => {
        video.muted = true;
        void video.play().catch(() => undefined);
      });
    },
    onBoardChannel: (channel) => board.attach(channel),
    onState: () => renderCall(),
  });
  call = { leg, call: callId, peer, request, kiosk };
  for (const signal of early) void peer.handleSignal(signal);
  notes.value = readNotes(callId);
  if (local?.getVideoTracks().length) selfView.srcObject = local;
  if (request) void runSearch();
  renderCall();
  renderBoard();
}

function readNotes(callId: number): string {
  try {
    return localStorage.getItem(`${NOTES_PREFIX}call${callId}`) ?? "";
  } catch {
    return "";
  }
}

function endCall(): void {
  call?.peer.close();
  call = null;
  members = [];
  video.srcObject = null;
  renderCall();
  renderBoard();
}

// --- Catalog ---

let searchNumber = 0;

async function runSearch(): Promise<void> {
  if (!token) return;
  // Only the latest search's answer is shown (an older one arriving late would undo choices made).
  const mine = ++searchNumber;
  const params = new URLSearchParams({ q: searchInput.value.trim() });
  if (call?.request) params.set("store", call.request.storeId);
  try {
    const res = await fetch(`/api/stylist/catalog?${params.toString()}`, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
    });
    if (res.status === 401) {
      setNotice(t("sessionExpired"));
      return;
    }
    if (!res.ok) {
      setNotice(t("genericError", { message: String(res.status) }));
      return;
    }
    const found = (await res.json()) as SearchResult;
    for (const p of found.products) productNames.set(p.sku, p);
    if (mine !== searchNumber) return;
    results = found;
  } catch {
    setNotice(t("noConnection"));
  }
  renderResults();
}

/** A thumbnail fetched with the session token (an <img> cannot send it) and shown from a blob URL. */
async function loadThumb(url: string, img: HTMLImageElement): Promise<void> {
  const known = thumbs.get(url);
  if (known) {
    img.src = known;
    return;
  }
  if (!token || !url.startsWith("/api/stylist/images/")) return;
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return;
    const blobUrl = URL.createObjectURL(await res.blob());
    thumbs.set(url, blobUrl);
    img.src = blobUrl;
  } catch {
    // No thumbnail; the name is enough.
  }
}

function productName(p: ProductHit): string {
  return language() === "zh-CN" ? p.nameZh : p.nameEn;
}

// --- Views ---

function loginView(): HTMLElement {
  const user = h("input", { type: "text", name: "username", autocomplete: "username", required: true, maxlength: 64 });
  const pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, maxlength: 256 });
  if (username) user.value = username;
  return h(
    "main",
    { class: "panel" },
    h("h1", {}, t("consoleTitle")),
    loginError ? h("p", { class: "refusal", role: "alert" }, t(loginError)) : null,
    h(
      "form",
      {
        class: "login-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          pendingLogin = { username: user.value.trim(), password: pass.value };
          token = null;
          socket.close();
          socket.open();
        },
      },
      h("label", {}, t("username"), user),
      h("label", {}, t("password"), pass),
      h("button", { type: "submit", class: "primary" }, t("signIn")),
    ),
  );
}

function consoleView(): HTMLElement {
  chatInput.placeholder = t("chatPlaceholder");
  mount(
    callBody,
    h("div", { class: "react-row" }, ...REACTIONS.map((r) => h("button", { type: "button", class: "react", "data-reaction": r, onclick: () => board.send({ type: "react", reaction: r }) }, REACTION_EMOJI[r]))),
    boardCards,
    h("h2", {}, t("chat")),
    chatList,
    h(
      "form",
      {
        class: "chat-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const text = chatInput.value.trim();
          if (text && board.send({ type: "chat", text })) chatInput.value = "";
        },
      },
      chatInput,
      h("button", { type: "submit" }, t("send")),
    ),
    h("label", { class: "notes-label" }, t("notes"), notes),
  );
  searchInput.placeholder = t("searchPlaceholder");
  return h(
    "div",
    { class: "console" },
    headerEl,
    offersEl,
    h("aside", { class: "left" }, h("h2", {}, t("queue")), queueEl),
    h(
      "main",
      { class: "center" },
      callHead,
      stage,
      toolsEl,
      callBody,
    ),
    h(
      "aside",
      { class: "right" },
      h("h2", {}, t("catalog")),
      h(
        "form",
        {
          class: "search-form",
          onsubmit: (e: Event) => {
            e.preventDefault();
            void runSearch();
          },
        },
        searchInput,
        h("button", { type: "submit" }, t("search")),
      ),
      resultsEl,
    ),
  );
}

function render(): void {
  if (!signedIn) {
    if (token) {
      mount(app, h("main", { class: "panel" }, h("p", { class: "status" }, t("socketDown"))));
      socket.open();
    } else mount(app, h("div", { class: "top" }, languageButton()), loginView());
    return;
  }
  mount(app, consoleView());
  renderHeader();
  renderOffers();
  renderQueue();
  renderCall();
  renderBoard();
  renderResults();
}

function renderHeader(): void {
  if (!signedIn) return;
  const up = socket.state === "open";
  mount(
    headerEl,
    h("strong", {}, me),
    h("span", { class: up ? "link up" : "link down", role: "status" }, up ? t("socketUp") : t("socketDown")),
    h("span", { class: onDuty ? "duty on" : "duty off" }, onDuty ? t("onDuty") : t("offDuty")),
    h(
      "button",
      {
        type: "button",
        class: "duty-toggle",
        onclick: () => {
          if (socket.send({ type: "setDuty", onDuty: !onDuty })) {
            onDuty = !onDuty;
            // Ask for the camera now, so accepting a call does not wait for it.
            if (onDuty && !local) void localMedia().then((m) => (local = local ?? m));
            if (!onDuty) queue = [];
            renderHeader();
            renderQueue();
          }
        },
      },
      onDuty ? t("goOffDuty") : t("goOnDuty"),
    ),
    languageButton(),
    h(
      "button",
      {
        type: "button",
        onclick: () => {
          socket.send({ type: "logout" });
          signOutLocally();
        },
      },
      t("signOut"),
    ),
  );
}

function requestSummary(view: RequestView): HTMLElement {
  const look = view.context.look;
  return h(
    "div",
    { class: "request" },
    h("div", {}, h("b", {}, `${t("store")}: `), view.storeId, " · ", h("b", {}, `${t("room")}: `), view.room),
    h(
      "div",
      {},
      h("b", {}, `${t("garments")}: `),
      view.context.garments.length ? view.context.garments.join(", ") : t("noGarments"),
    ),
    look && (look.summary || look.id) ? h("div", {}, h("b", {}, `${t("lookOnScreen")}: `), look.summary ?? look.id ?? "") : null,
  );
}

function renderQueue(): void {
  if (!onDuty) {
    mount(queueEl, h("p", { class: "muted" }, t("queueOffDuty")));
    return;
  }
  const others = colleagues.filter((c) => c.username !== username).map((c) => c.displayName);
  mount(
    queueEl,
    h("p", { class: "muted" }, t("queueTotal", { n: queueTotal })),
    others.length ? h("p", { class: "muted" }, t("colleaguesOnDuty", { names: others.join(", ") })) : null,
    queue.length === 0 ? h("p", { class: "muted" }, t("queueEmpty")) : null,
    ...queue.map((e) =>
      h(
        "article",
        { class: "entry", "data-request": e.view.request },
        h("div", { class: "wait", "data-since": e.waitingSinceMs }, waitText(e.waitingSinceMs)),
        requestSummary(e.view),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "primary accept", disabled: call !== null, onclick: () => socket.send({ type: "accept", request: e.view.request }) }, t("accept")),
          h("button", { type: "button", class: "decline", onclick: () => socket.send({ type: "decline", request: e.view.request }) }, t("decline")),
        ),
      ),
    ),
  );
}

function waitText(sinceMs: number): string {
  return t("waiting", { time: clock((Date.now() - sinceMs) / 1000) });
}

function renderOffers(): void {
  mount(
    offersEl,
    ...offers.map((o) =>
      h(
        "div",
        { class: "offer", role: "alert" },
        t("transferOffer", { name: o.from.displayName, store: o.request.storeId, room: o.request.room }),
        requestSummary(o.request),
        h("button", { type: "button", class: "primary", onclick: () => { socket.send({ type: "acceptTransfer", transfer: o.transfer }); offers = offers.filter((x) => x !== o); renderOffers(); } }, t("accept")),
        h("button", { type: "button", onclick: () => { socket.send({ type: "declineTransfer", transfer: o.transfer }); offers = offers.filter((x) => x !== o); renderOffers(); } }, t("decline")),
      ),
    ),
  );
}

function renderCall(): void {
  if (!signedIn) return;
  callBody.hidden = call === null;
  if (!call) {
    mount(callHead, notice ? h("p", { class: "notice" }, notice) : null, h("p", { class: "muted" }, t("noCall")));
    mount(toolsEl);
    stage.classList.add("idle");
    return;
  }
  stage.classList.remove("idle");
  const c = call;
  const req = c.request;
  const free = colleagues.filter((x) => !x.busy && x.username !== username);
  const pick = h("select", { class: "transfer-to" }, h("option", { value: "" }, t("transferTo")), ...free.map((x) => h("option", { value: x.username }, x.displayName)));
  const who = members.map((m) => `${m.peer.displayName}${m.away ? ` (${t("away")})` : ""}`).join(", ");
  mount(
    callHead,
    h("h2", {}, req ? t("callWith", { store: req.storeId, room: req.room }) : c.kiosk.displayName),
    req ? requestSummary(req) : null,
    who ? h("p", { class: "muted" }, `${t("members")}: ${who}`) : null,
    h("p", { class: "muted" }, c.peer.pc.connectionState),
    notice ? h("p", { class: "notice" }, notice) : null,
  );
  mount(
    toolsEl,
    ...STROKE_COLOURS.map((col) => {
      const b = h("button", { type: "button", class: "swatch", title: col, "data-colour": col, "aria-pressed": String(col === drawColour), onclick: () => { drawColour = col; renderCall(); } });
      b.style.background = COLOUR_CSS[col];
      return b;
    }),
    h("button", { type: "button", class: "clear-mine", onclick: () => board.send({ type: "clear", scope: "mine" }) }, t("clearMine")),
    h("button", { type: "button", class: "clear-all", onclick: () => board.send({ type: "clear", scope: "all" }) }, t("clearAll")),
    pick,
    h("button", { type: "button", onclick: () => { if (pick.value) socket.send({ type: "transfer", leg: c.leg, to: pick.value }); } }, t("transfer")),
    h("button", { type: "button", class: "danger hang-up", onclick: () => { socket.send({ type: "hangUp", leg: c.leg }); endCall(); } }, t("hangUp")),
    local?.getVideoTracks().length ? selfView : null,
  );
}

function renderBoard(): void {
  const s = board.state;
  overlay.setStrokes(call && s ? s.strokes : []);
  if (!call || !s) {
    mount(boardCards);
    mount(chatList);
    mount(reactionsEl);
    return;
  }
  mount(
    boardCards,
    ...s.cards.map((card) => {
      const p = productNames.get(card.sku);
      const tally = board.tally(card.sku);
      return h(
        "article",
        { class: "card", "data-sku": card.sku, "data-card": card.id },
        h("div", { class: "sku" }, p ? `${productName(p)} · ${card.sku}` : card.sku),
        h("div", { class: "details" }, [card.colour, card.size].filter(Boolean).join(" · ")),
        card.note ? h("p", { class: "note" }, card.note) : null,
        h("div", { class: "tally" }, `${t("vote_keep")} ${tally.keep} · ${t("vote_skip")} ${tally.skip} · ${t("vote_sizeUp")} ${tally.sizeUp}`),
        h("button", { type: "button", class: "remove", onclick: () => board.send({ type: "removeCard", card: card.id }) }, "×"),
      );
    }),
  );
  mount(chatList, ...s.chat.map((m) => h("li", { class: m.by === board.you ? "mine" : "" }, h("b", {}, board.nameOf(m.by, t("someone"))), " ", m.text)));
  chatList.scrollTop = chatList.scrollHeight;
  mount(reactionsEl, ...s.reactions.map((r) => h("span", { class: "bubble" }, REACTION_EMOJI[r.reaction] ?? "")));
}

function renderResults(): void {
  if (!results) {
    mount(resultsEl);
    return;
  }
  if (results.products.length === 0) {
    mount(resultsEl, h("p", { class: "muted" }, t("noResults")));
    return;
  }
  mount(resultsEl, ...results.products.map((p) => productView(p)));
}

function productView(p: ProductHit): HTMLElement {
  const zh = language() === "zh-CN";
  const colourSel = h("select", { class: "colour" }, h("option", { value: "" }, t("anyColour")), ...p.colours.map((c) => h("option", { value: c.nameEn }, `${zh ? c.nameZh : c.nameEn}${c.inStore ? ` (${c.inStore})` : ""}`)));
  const sizeSel = h("select", { class: "size" }, h("option", { value: "" }, t("anySize")), ...p.sizes.map((s) => h("option", { value: s.size }, `${s.size}${s.inStore ? ` (${s.inStore})` : " —"}`)));
  const note = h("input", { type: "text", class: "note-input", maxlength: 140, placeholder: t("notePlaceholder") });
  const stock = p.sizes.filter((s) => s.inStore > 0);
  const img = h("img", { class: "thumb", alt: "" });
  if (p.thumbnail) void loadThumb(p.thumbnail, img);
  return h(
    "article",
    { class: "product", "data-sku": p.sku },
    p.thumbnail ? img : null,
    h("div", { class: "name" }, productName(p)),
    h("div", { class: "muted" }, `${p.sku} · ${money(p.priceMinor, p.currency)}`),
    h("div", { class: "muted" }, stock.length ? stock.map((s) => `${s.size}: ${s.inStore}`).join(" · ") : t("soldOutHere")),
    h("div", { class: "pick" }, colourSel, sizeSel),
    note,
    h(
      "button",
      {
        type: "button",
        class: "primary push",
        disabled: call === null,
        onclick: () => {
          const colour = colourSel.value || undefined;
          const size = sizeSel.value || undefined;
          const variant = colour && size ? p.variants.find((v) => v.colourEn === colour && v.size === size)?.variantSku : undefined;
          const text = note.value.trim() || undefined;
          if (board.send({ type: "pushCard", sku: p.sku, variant, colour, size, note: text })) note.value = "";
        },
      },
      t("push"),
    ),
  );
}

// The queue's wait times tick without redrawing the buttons under the pointer.
window.setInterval(() => {
  for (const el of queueEl.querySelectorAll<HTMLElement>(".wait")) {
    const since = Number(el.dataset["since"]);
    if (Number.isFinite(since)) el.textContent = waitText(since);
  }
}, 1000);

onLanguageChange(render);

exposeDebug({
  signedIn: () => signedIn,
  onDuty: () => onDuty,
  leg: () => call?.leg ?? null,
  stats: () => (call ? call.peer.stats() : Promise.resolve({ connectionState: "none" })),
  board: () => ({ epoch: board.epoch, lastSeq: board.lastSeq, you: board.you, state: board.state, open: board.isOpen() }),
  socketState: () => socket.state,
  dropSocket: () => socket.drop(),
});

render();
