// The page's /call WebSocket: authenticates with what `auth()` gives (login, resume or joinInvite),
// pings every 15 s (the relay drops a socket silent for 45 s), and when the socket drops while
// `shouldReconnect()` says so, reconnects with growing pauses and authenticates again (`resume`).

import { PROTOCOL, type ClientMessage, type ServerMessage } from "./wire";

export type SocketState = "connecting" | "open" | "closed";

export interface SocketHandlers {
  /** The first message on a new socket, or null to stay closed. */
  auth: () => ClientMessage | null;
  onMessage: (msg: ServerMessage) => void;
  onState: (state: SocketState) => void;
  /** Asked when the socket drops without `close()`. */
  shouldReconnect: () => boolean;
}

const PING_MS = 15_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5_000;

/** `ws://<this host>/call` (or `wss://` on https). */
export function callUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/call`;
}

export class CallSocket {
  private ws: WebSocket | null = null;
  private ping: number | undefined;
  private retry: number | undefined;
  private retryMs = RETRY_MIN_MS;
  private closedByUs = false;
  state: SocketState = "closed";

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  /** Opens the socket (no-op if one is open or opening). */
  open(): void {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    const first = this.handlers.auth();
    if (!first) return;
    this.closedByUs = false;
    window.clearTimeout(this.retry);
    this.setState("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify(first));
      this.ping = window.setInterval(() => this.send({ type: "ping", seq: Date.now() }), PING_MS);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string") return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(e.data) as ServerMessage;
      } catch {
        return;
      }
      if (msg.type === "authenticated") {
        this.retryMs = RETRY_MIN_MS;
        this.setState("open");
      }
      this.handlers.onMessage(msg);
    };
    ws.onclose = () => {
      window.clearInterval(this.ping);
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState("closed");
      if (!this.closedByUs && this.handlers.shouldReconnect()) {
        this.retry = window.setTimeout(() => this.open(), this.retryMs);
        this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      }
    };
  }

  /** Sends if the socket is open; false otherwise. */
  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Closes for good (until `open()`). */
  close(): void {
    this.closedByUs = true;
    window.clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = null;
    window.clearInterval(this.ping);
    ws?.close();
    this.setState("closed");
  }

  /** Drops the socket as a network failure would (reconnect rules apply). For tests and the debug hook. */
  drop(): void {
    this.ws?.close();
  }

  private setState(s: SocketState): void {
    if (this.state === s) return;
    this.state = s;
    this.handlers.onState(s);
  }
}

export { PROTOCOL };
