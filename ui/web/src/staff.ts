// The store staff page (/staff), phone first: sign in, see the shoppers' asks from every fitting
// room of the store (another size or colour), and answer "on my way", "not in stock" (with a
// suggestion) or "arrived". The mirror shows each answer with the staff member's name.

import "./web.css";
import { h, mount } from "../../shared/dom";
import { languageButton, sessionGet, sessionSet } from "./common";
import { clock, onLanguageChange, t } from "./i18n";
import { CallSocket, PROTOCOL, callUrl } from "./socket";
import type { AskAnswer, AskView, ClientMessage, ServerMessage } from "./wire";

const TOKEN_KEY = "atelier.staff.token";

const app = document.getElementById("app") as HTMLElement;
let token: string | null = sessionGet(TOKEN_KEY);
let pendingLogin: { username: string; password: string } | null = null;
let signedIn = false;
let me = "";
let notStaff = false;
let loginError: string | null = null;
let asks: AskView[] = [];

const socket = new CallSocket(callUrl(), {
  auth: (): ClientMessage | null => {
    if (pendingLogin) return { type: "login", protocol: PROTOCOL, username: pendingLogin.username, password: pendingLogin.password };
    if (token) return { type: "resume", protocol: PROTOCOL, token };
    return null;
  },
  onMessage: handle,
  onState: () => render(),
  shouldReconnect: () => token !== null,
});

function handle(msg: ServerMessage): void {
  switch (msg.type) {
    case "authenticated":
      if (msg.token) {
        token = msg.token;
        sessionSet(TOKEN_KEY, msg.token);
      }
      pendingLogin = null;
      loginError = null;
      me = msg.displayName;
      notStaff = msg.role !== "staff";
      signedIn = true;
      render();
      break;
    case "staffAsks":
      asks = msg.asks;
      render();
      break;
    case "loggedOut":
      signOut();
      break;
    case "error":
      if (msg.code === "badCredentials" || msg.code === "rateLimited" || msg.code === "sessionExpired") {
        loginError = msg.code;
        if (msg.code === "sessionExpired") signOut();
        else {
          pendingLogin = null;
          socket.close();
          render();
        }
      }
      break;
    default:
      break;
  }
}

function signOut(): void {
  token = null;
  sessionSet(TOKEN_KEY, null);
  signedIn = false;
  asks = [];
  socket.close();
  render();
}

function answer(request: number, a: AskAnswer): void {
  socket.send({ type: "answerAsk", request, answer: a });
}

function loginView(): HTMLElement {
  const user = h("input", { type: "text", name: "username", autocomplete: "username", required: true, maxlength: 64 });
  const pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, maxlength: 256 });
  return h(
    "main",
    { class: "panel" },
    h("h1", {}, t("staffTitle")),
    loginError && (loginError === "badCredentials" || loginError === "rateLimited" || loginError === "sessionExpired")
      ? h("p", { class: "refusal", role: "alert" }, t(loginError))
      : null,
    h(
      "form",
      {
        class: "login-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          pendingLogin = { username: user.value.trim(), password: pass.value };
          socket.open();
        },
      },
      h("label", {}, t("username"), user),
      h("label", {}, t("password"), pass),
      h("button", { type: "submit", class: "primary" }, t("signIn")),
    ),
  );
}

function askCard(a: AskView): HTMLElement {
  const waited = Math.max(0, Math.round((Date.now() - a.createdAtMs) / 1000));
  const suggest = h("input", { type: "text", class: "suggest-input", maxlength: 120, placeholder: t("staffSuggest") });
  const state =
    a.state.kind === "onMyWay"
      ? t("staffTakenBy", { name: a.state.by })
      : a.state.kind === "notInStock"
        ? t("staffNotInStockBy", { name: a.state.by })
        : t("staffWaiting", { time: clock(waited) });
  return h(
    "article",
    { class: `ask ask-${a.state.kind}`, "data-request": a.request, "data-state": a.state.kind },
    h("h2", { class: "room" }, a.room),
    h(
      "ul",
      { class: "items" },
      ...a.items.map((i) => h("li", {}, [i.name ?? i.sku, i.size, i.colour].filter(Boolean).join(" · "), h("span", { class: "muted" }, ` (${i.sku})`))),
    ),
    h("p", { class: "muted state" }, state),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "primary on-my-way", onclick: () => answer(a.request, { kind: "onMyWay" }) }, t("staffOnMyWay")),
      h("button", { type: "button", class: "arrived", onclick: () => answer(a.request, { kind: "arrived" }) }, t("staffArrived")),
    ),
    h(
      "div",
      { class: "actions" },
      suggest,
      h(
        "button",
        {
          type: "button",
          class: "not-in-stock",
          onclick: () => {
            const s = suggest.value.trim();
            answer(a.request, s ? { kind: "notInStock", suggestion: s } : { kind: "notInStock" });
          },
        },
        t("staffNotInStock"),
      ),
    ),
  );
}

function render(): void {
  if (!signedIn) {
    mount(app, h("div", { class: "top" }, languageButton()), loginView());
    return;
  }
  const up = socket.state === "open";
  mount(
    app,
    h(
      "header",
      { class: "bar" },
      h("strong", {}, me),
      h("span", { class: up ? "link up" : "link down", role: "status" }, up ? t("socketUp") : t("socketDown")),
      languageButton(),
      h("button", { type: "button", onclick: () => { socket.send({ type: "logout" }); signOut(); } }, t("signOut")),
    ),
    h(
      "main",
      { class: "staff-asks" },
      h("p", { class: "muted" }, notStaff ? t("staffNotStaff") : t("staffIntro")),
      asks.length === 0 ? h("p", { class: "muted none" }, t("staffNone")) : null,
      ...asks.map(askCard),
    ),
  );
}

onLanguageChange(render);
// The waiting times tick without redrawing the inputs under the fingers.
window.setInterval(() => {
  for (const el of app.querySelectorAll<HTMLElement>(".ask-open .state")) {
    const card = el.closest<HTMLElement>(".ask");
    const a = asks.find((x) => String(x.request) === card?.dataset["request"]);
    if (a) el.textContent = t("staffWaiting", { time: clock(Math.max(0, Math.round((Date.now() - a.createdAtMs) / 1000))) });
  }
}, 1000);
render();
if (token) socket.open();
