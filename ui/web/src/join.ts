// The friend page (`/join`): opened from the mirror's QR link (`/join#<token>`) or by typing the
// six-character code. Joins the call receive-only when the camera is refused, shows the shopper
// large, and speaks the board: votes on the stylist's cards, chat, reactions, strokes over the video.
// Every text from the relay, the kiosk or another person goes in as text, never as HTML.

import "./web.css";
import { h, mount } from "../../shared/dom";
import { BoardClient } from "./board";
import { COLOUR_CSS, Overlay } from "./draw";
import { onLanguageChange, t, type MessageKey } from "./i18n";
import { AnsweringPeer, localMedia } from "./peer";
import { CallSocket, callUrl } from "./socket";
import { REACTION_EMOJI, exposeDebug, languageButton, sessionGet, sessionSet } from "./common";
import {
  PROTOCOL,
  REACTIONS,
  STROKE_COLOURS,
  VOTE_CHOICES,
  type ClientMessage,
  type Member,
  type ServerMessage,
  type StrokeColour,
} from "./wire";

const RESUME_KEY = "atelier.friend.resume";
const REFUSALS: CallErrorKey[] = ["inviteUsed", "inviteExpired", "inviteUnknown", "kioskOffline", "callFull", "rateLimited"];
type CallErrorKey = Extract<MessageKey, "inviteUsed" | "inviteExpired" | "inviteUnknown" | "kioskOffline" | "callFull" | "rateLimited">;

type Phase = "form" | "joining" | "call" | "ended" | "refused";

const app = document.getElementById("app") as HTMLElement;

let phase: Phase = "form";
let refusal: MessageKey | null = null;
let pendingInvite: string | null = null;
let displayName = "";
let resumeToken: string | null = sessionGet(RESUME_KEY);
let leg: number | null = null;
let peer: AnsweringPeer | null = null;
let local: MediaStream | null = null;
let members: Member[] = [];
let drawing = false;
let colour: StrokeColour = "pink";
let boardNotice: string | null = null;

const board = new BoardClient((e) => {
  if (e.kind === "error") boardNotice = t("boardError", { code: e.code });
  renderBoard();
});

const socket = new CallSocket(callUrl(), {
  auth: (): ClientMessage | null => {
    if (resumeToken) {
      // After a reload (or a failed connection) the kiosk must start a new one: the relay then
      // answers with the whole legStarted again.
      const fresh = !(peer && peer.isAlive());
      return { type: "resume", protocol: PROTOCOL, token: resumeToken, fresh };
    }
    if (pendingInvite) {
      const msg: ClientMessage = { type: "joinInvite", protocol: PROTOCOL, invite: pendingInvite };
      if (displayName) msg.displayName = displayName;
      return msg;
    }
    return null;
  },
  onMessage: (msg) => handle(msg),
  onState: () => renderStatus(),
  shouldReconnect: () => phase === "call" && resumeToken !== null,
});

// --- The call's persistent elements (built once, so inputs keep focus across updates) ---
const video = h("video", { class: "remote", autoplay: true, playsinline: true });
const canvas = h("canvas", { class: "overlay" });
const selfView = h("video", { class: "self", autoplay: true, playsinline: true });
const status = h("div", { class: "status", role: "status" });
const cardsEl = h("section", { class: "cards" });
const chatList = h("ol", { class: "chat-list" });
const reactionsEl = h("div", { class: "reactions-shown", "aria-live": "polite" });
const chatInput = h("input", { type: "text", class: "chat-input", maxlength: 280, autocomplete: "off" });
const overlay = new Overlay(video, canvas, {
  enabled: () => drawing,
  colour: () => colour,
  width: () => 6,
  onStroke: (points) => board.draw(points, colour, 6),
});
video.muted = false;
selfView.muted = true;

function handle(msg: ServerMessage): void {
  switch (msg.type) {
    case "authenticated":
      if (msg.token) {
        resumeToken = msg.token;
        sessionSet(RESUME_KEY, msg.token);
      }
      pendingInvite = null;
      if (phase !== "call") {
        phase = "call";
        render();
      }
      break;
    case "legStarted":
      startLeg(msg.leg, msg.iceServers);
      break;
    case "legResumed":
      if (peer && peer.leg === msg.leg) peer.setIceServers(msg.iceServers);
      else startLeg(msg.leg, msg.iceServers);
      // The board channel may have missed changes while we were away: catch up.
      if (board.isOpen()) board.sync();
      break;
    case "signal":
      if (peer && msg.leg === peer.leg) void peer.handleSignal(msg.signal);
      break;
    case "members":
      members = msg.members;
      renderStatus();
      break;
    case "legEnded":
      end();
      break;
    case "error":
      if ((REFUSALS as string[]).includes(msg.code)) refuse(msg.code as CallErrorKey);
      else if (msg.code === "sessionExpired") {
        resumeToken = null;
        sessionSet(RESUME_KEY, null);
        refuse("callEndedOrExpired");
      } else console.warn(`relay: ${msg.code}`);
      break;
    default:
      break;
  }
}

function startLeg(id: number, iceServers: { urls: string[] }[]): void {
  peer?.close();
  leg = id;
  phase = "call";
  peer = new AnsweringPeer(id, iceServers, local, {
    sendSignal: (signal) => socket.send({ type: "signal", leg: id, signal }),
    onRemoteStream: (stream) => {
      if (video.srcObject !== stream) video.srcObject = stream;
      void video.play().catch(() => {
        // Autoplay with sound may be blocked until a tap; muted playback always works.
        video.muted = true;
        void video.play().catch(() => undefined);
      });
      renderStatus();
    },
    onBoardChannel: (channel) => board.attach(channel),
    onState: () => renderStatus(),
  });
  render();
}

function refuse(key: MessageKey | "callEndedOrExpired"): void {
  socket.close();
  peer?.close();
  peer = null;
  refusal = key === "callEndedOrExpired" ? "callEnded" : key;
  phase = "refused";
  render();
}

function end(): void {
  phase = "ended";
  resumeToken = null;
  sessionSet(RESUME_KEY, null);
  socket.close();
  peer?.close();
  peer = null;
  leg = null;
  local?.getTracks().forEach((tr) => tr.stop());
  render();
}

function leave(): void {
  if (leg !== null) socket.send({ type: "hangUp", leg });
  end();
}

async function join(invite: string): Promise<void> {
  pendingInvite = invite;
  refusal = null;
  phase = "joining";
  render();
  if (!local) local = await localMedia();
  socket.open();
}

/** A typed code: letters and digits only, upper case (dashes and spaces are for reading). */
function normaliseCode(raw: string): string {
  return raw.replace(/[^0-9a-z]/gi, "").toUpperCase();
}

// --- Views ---

function formView(): HTMLElement {
  const code = h("input", {
    type: "text",
    name: "code",
    class: "code-input",
    inputmode: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: 9,
    required: true,
  });
  const name = h("input", { type: "text", name: "name", maxlength: 40, autocomplete: "nickname" });
  name.value = displayName;
  const form = h(
    "form",
    {
      class: "join-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const c = normaliseCode(code.value);
        if (c.length !== 6) {
          refusal = "inviteUnknown";
          render();
          return;
        }
        displayName = name.value.trim().slice(0, 40);
        void join(c);
      },
    },
    h("label", {}, t("codeLabel"), code),
    h("label", {}, t("nameLabel"), name),
    h("button", { type: "submit", class: "primary" }, t("joinButton")),
  );
  return h(
    "main",
    { class: "panel" },
    h("h1", {}, t("friendTitle")),
    h("p", {}, t("friendIntro")),
    refusal ? h("p", { class: "refusal", role: "alert" }, t(refusal)) : null,
    form,
  );
}

function callView(): HTMLElement {
  const colours = STROKE_COLOURS.map((c) => {
    const b = h("button", {
      type: "button",
      class: "swatch",
      title: c,
      "aria-pressed": String(c === colour),
      "data-colour": c,
      onclick: () => {
        colour = c;
        render();
      },
    });
    b.style.background = COLOUR_CSS[c];
    return b;
  });
  return h(
    "main",
    { class: drawing ? "call drawing" : "call" },
    h(
      "header",
      { class: "bar" },
      status,
      languageButton(),
      h("button", { type: "button", class: "danger", onclick: () => leave() }, t("leave")),
    ),
    h("div", { class: "stage" }, video, canvas, reactionsEl, local?.getVideoTracks().length ? selfView : null),
    h(
      "div",
      { class: "tools" },
      h(
        "button",
        {
          type: "button",
          class: "draw-toggle",
          "aria-pressed": String(drawing),
          onclick: () => {
            drawing = !drawing;
            render();
          },
        },
        drawing ? t("drawing") : t("draw"),
      ),
      ...(drawing ? colours : []),
      h("button", { type: "button", onclick: () => board.send({ type: "clear", scope: "mine" }) }, t("clearMine")),
    ),
    h(
      "div",
      { class: "react-row" },
      ...REACTIONS.map((r) =>
        h("button", { type: "button", class: "react", "data-reaction": r, title: r, onclick: () => board.send({ type: "react", reaction: r }) }, REACTION_EMOJI[r]),
      ),
    ),
    h("h2", {}, t("cards")),
    cardsEl,
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
  );
}

function messageView(key: MessageKey, retry: boolean): HTMLElement {
  return h(
    "main",
    { class: "panel" },
    h("h1", {}, t("friendTitle")),
    h("p", { class: "refusal", role: "alert" }, t(key)),
    retry
      ? h(
          "button",
          {
            type: "button",
            class: "primary",
            onclick: () => {
              phase = "form";
              render();
            },
          },
          t("joinButton"),
        )
      : null,
  );
}

function render(): void {
  chatInput.placeholder = t("chatPlaceholder");
  switch (phase) {
    case "form":
      mount(app, h("div", { class: "top" }, languageButton()), formView());
      break;
    case "joining":
      mount(app, h("main", { class: "panel" }, h("p", { class: "status" }, t("joining"))));
      break;
    case "call":
      mount(app, callView());
      if (local && local.getVideoTracks().length && selfView.srcObject !== local) selfView.srcObject = local;
      // Moved in the page, a playing video may pause; carry on.
      if (video.srcObject && video.paused) void video.play().catch(() => undefined);
      break;
    case "ended":
      mount(app, h("div", { class: "top" }, languageButton()), messageView("callEnded", false));
      break;
    case "refused":
      mount(app, h("div", { class: "top" }, languageButton()), messageView(refusal ?? "inviteUnknown", true));
      break;
  }
  renderStatus();
  renderBoard();
}

function renderStatus(): void {
  const parts: string[] = [];
  if (socket.state === "closed" && phase === "call") parts.push(t("reconnecting"));
  else if (!peer || peer.pc.connectionState !== "connected") parts.push(t("waitingForVideo"));
  else parts.push(local ? t("youAreLive") : t("receiveOnly"));
  if (phase === "call" && !local) parts.push(t("receiveOnly"));
  const others = members.map((m) => m.peer.displayName + (m.away ? ` (${t("away")})` : ""));
  if (others.length) parts.push(others.join(", "));
  status.textContent = [...new Set(parts)].join(" · ");
}

function renderBoard(): void {
  const s = board.state;
  if (!s) {
    mount(cardsEl, h("p", { class: "muted" }, board.isOpen() ? t("boardWaiting") : t("noCards")));
    mount(chatList);
    mount(reactionsEl);
    overlay.setStrokes([]);
    return;
  }
  overlay.setStrokes(s.strokes);
  mount(
    cardsEl,
    boardNotice ? h("p", { class: "notice" }, boardNotice) : null,
    s.cards.length === 0 ? h("p", { class: "muted" }, t("noCards")) : null,
    ...s.cards
      .slice()
      .reverse()
      .map((card) => {
        const tally = board.tally(card.sku);
        const mine = board.myVote(card.sku);
        const details = [card.colour, card.size ? t("size", { size: card.size }) : null].filter(Boolean).join(" · ");
        return h(
          "article",
          { class: "card", "data-sku": card.sku, "data-card": card.id },
          h("div", { class: "sku" }, card.sku),
          details ? h("div", { class: "details" }, details) : null,
          card.note ? h("p", { class: "note" }, card.note) : null,
          h(
            "div",
            { class: "votes" },
            ...VOTE_CHOICES.map((choice) =>
              h(
                "button",
                {
                  type: "button",
                  class: "vote",
                  "data-vote": choice,
                  "aria-pressed": String(mine === choice),
                  onclick: () =>
                    board.send(mine === choice ? { type: "unvote", sku: card.sku } : { type: "vote", sku: card.sku, choice }),
                },
                `${t(`vote_${choice}`)} `,
                h("span", { class: "count", "data-count": choice }, String(tally[choice])),
              ),
            ),
          ),
        );
      }),
  );
  mount(
    chatList,
    ...s.chat.map((m) =>
      h(
        "li",
        { class: m.by === board.you ? "mine" : "" },
        h("b", {}, board.nameOf(m.by, t("someone"))),
        " ",
        m.text,
      ),
    ),
  );
  chatList.scrollTop = chatList.scrollHeight;
  mount(reactionsEl, ...s.reactions.map((r) => h("span", { class: "bubble" }, REACTION_EMOJI[r.reaction] ?? "")));
}

onLanguageChange(render);

exposeDebug({
  phase: () => phase,
  leg: () => leg,
  stats: () => (peer ? peer.stats() : Promise.resolve({ connectionState: "none" })),
  board: () => ({ epoch: board.epoch, lastSeq: board.lastSeq, you: board.you, state: board.state, open: board.isOpen() }),
  boardChannel: () => board.rawChannel(),
  dropSocket: () => socket.drop(),
  refusal: () => refusal,
});

// Start: a QR link's token (taken out of the address bar so a reload does not present it again),
// else a resume after a reload, else the code form.
const fromLink = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : null;
if (fromLink) {
  history.replaceState(null, "", location.pathname);
  resumeToken = null;
  sessionSet(RESUME_KEY, null);
  void join(fromLink);
} else if (resumeToken) {
  phase = "call";
  render();
  void localMedia().then((m) => {
    local = m;
    socket.open();
  });
} else {
  render();
}

