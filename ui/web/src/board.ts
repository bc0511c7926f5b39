// A remote's copy of the shared board (docs/BOARD.md): the kiosk is authoritative and sends deltas;
// the page applies them in order, asks for a catch-up (`sync`) on a gap, and never applies its own
// intents optimistically. `epoch` and `lastSeq` survive a reconnect of the channel or the socket.

import type {
  BoardMessage,
  BoardRole,
  BoardState,
  Change,
  Intent,
  Limits,
  Point,
  StrokeColour,
  Tally,
  VoteChoice,
} from "./wire";

const DEFAULT_MAX_POINTS = 256;
const DEFAULT_MAX_BYTES = 8 * 1024;
const SYNC_RETRY_MS = 3000;

/** An empty board. */
export function emptyState(): BoardState {
  return { participants: [], cards: [], strokes: [], votes: [], chat: [], reactions: [] };
}

function tallyOf(votes: { choice: VoteChoice }[]): Tally {
  const t: Tally = { keep: 0, skip: 0, sizeUp: 0 };
  for (const v of votes) t[v.choice] += 1;
  return t;
}

/** Moves a state forward by one change, by the same rules as the kiosk's `BoardState::apply`. */
export function applyChange(s: BoardState, change: Change): void {
  switch (change.type) {
    case "joined": {
      const i = s.participants.findIndex((p) => p.id === change.participant.id);
      if (i >= 0) s.participants[i] = change.participant;
      else {
        s.participants.push(change.participant);
        s.participants.sort((a, b) => a.id - b.id);
      }
      break;
    }
    case "left": {
      const p = s.participants.find((x) => x.id === change.participant);
      if (p) p.present = false;
      break;
    }
    case "cardPushed":
      if (change.evicted !== null) s.cards = s.cards.filter((c) => c.id !== change.evicted);
      s.cards.push(change.card);
      break;
    case "cardRemoved":
      s.cards = s.cards.filter((c) => c.id !== change.card);
      break;
    case "strokeAdded":
      s.strokes = s.strokes.filter((x) => !change.evicted.includes(x.id));
      s.strokes.push(change.stroke);
      break;
    case "strokesCleared":
      s.strokes = change.by === null ? [] : s.strokes.filter((x) => x.by !== change.by);
      break;
    case "voted": {
      let item = s.votes.find((v) => v.sku === change.sku);
      if (!item) {
        if (change.choice === null) break;
        item = { sku: change.sku, votes: [], tally: { keep: 0, skip: 0, sizeUp: 0 } };
        s.votes.push(item);
        s.votes.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
      }
      const i = item.votes.findIndex((v) => v.by === change.by);
      if (change.choice === null) {
        if (i >= 0) item.votes.splice(i, 1);
      } else if (i >= 0) {
        item.votes[i] = { by: change.by, choice: change.choice };
      } else {
        item.votes.push({ by: change.by, choice: change.choice });
        item.votes.sort((a, b) => a.by - b.by);
      }
      item.tally = tallyOf(item.votes);
      if (item.votes.length === 0) s.votes = s.votes.filter((v) => v !== item);
      break;
    }
    case "chatted":
      if (change.evicted !== null) s.chat = s.chat.filter((m) => m.id !== change.evicted);
      s.chat.push(change.message);
      break;
    case "reacted":
      if (change.evicted !== null) s.reactions = s.reactions.filter((r) => r.id !== change.evicted);
      s.reactions.push(change.reaction);
      break;
    case "reactionsExpired":
      s.reactions = s.reactions.filter((r) => !change.ids.includes(r.id));
      break;
    case "cleared":
      Object.assign(s, { ...emptyState(), participants: s.participants });
      break;
    case "wiped":
      Object.assign(s, emptyState());
      break;
  }
}

/** Splits a long stroke into pieces of at most `max` points that join end to start. */
export function splitStroke(points: Point[], max: number): Point[][] {
  const size = Math.max(2, max);
  if (points.length <= size) return [points];
  const out: Point[][] = [];
  for (let start = 0; start < points.length - 1; start += size - 1) {
    out.push(points.slice(start, start + size));
  }
  return out;
}

/** A point clamped to 0–1 and kept to four decimals, as the kiosk keeps it. */
export function normalisedPoint(x: number, y: number): Point {
  const c = (v: number) => Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 10000) / 10000;
  return [c(x), c(y)];
}

export type BoardEvent = { kind: "changed" } | { kind: "error"; code: string };

/** The page's side of the board channel. */
export class BoardClient {
  state: BoardState | null = null;
  epoch: number | null = null;
  lastSeq: number | null = null;
  you: number | null = null;
  role: BoardRole | null = null;
  limits: Limits | null = null;
  private syncing = false;
  private syncTimer: number | undefined;
  private channel: RTCDataChannel | null = null;

  constructor(private readonly listener: (e: BoardEvent) => void) {}

  /** Uses a (new) board channel; the kiosk greets with `welcome` on it. */
  attach(channel: RTCDataChannel): void {
    this.channel = channel;
    this.syncing = false;
    channel.onmessage = (e) => {
      if (typeof e.data === "string") this.handle(e.data);
    };
    channel.onclose = () => {
      if (this.channel === channel) this.channel = null;
      this.listener({ kind: "changed" });
    };
    channel.onopen = () => this.listener({ kind: "changed" });
  }

  /** The board channel is open. */
  isOpen(): boolean {
    return this.channel?.readyState === "open";
  }

  /** The open channel, for tests that send what a page never would. */
  rawChannel(): RTCDataChannel | null {
    return this.channel;
  }

  /** Asks the kiosk what was missed since `lastSeq` (a snapshot when nothing is held). */
  sync(): void {
    const held = this.state !== null;
    window.clearTimeout(this.syncTimer);
    if (this.send({ type: "sync", epoch: held ? this.epoch : null, lastSeq: held ? this.lastSeq : null })) {
      this.syncing = true;
      // A reply can be lost (the channel or the kiosk's link to us dropped meanwhile): ask again.
      this.syncTimer = window.setTimeout(() => {
        if (this.syncing) this.sync();
      }, SYNC_RETRY_MS);
    }
  }

  /** One kiosk message. Anything unexpected is ignored: the kiosk is the authority, not this page. */
  handle(text: string): void {
    let msg: BoardMessage;
    try {
      msg = JSON.parse(text) as BoardMessage;
    } catch {
      return;
    }
    if (!msg || typeof msg !== "object") return;
    switch (msg.type) {
      case "welcome":
        this.you = msg.you;
        this.role = msg.role;
        this.limits = msg.limits;
        this.syncing = false;
        this.sync();
        break;
      case "delta": {
        if (!this.state || this.lastSeq === null) return; // before the first state: ignored
        if (msg.seq <= this.lastSeq) return;
        if (msg.seq === this.lastSeq + 1) {
          applyChange(this.state, msg.change);
          this.lastSeq = msg.seq;
          this.listener({ kind: "changed" });
        } else if (!this.syncing) {
          this.sync(); // a gap: the reply covers it
        }
        break;
      }
      case "snapshot":
        window.clearTimeout(this.syncTimer);
        this.state = msg.state;
        this.epoch = msg.epoch;
        this.lastSeq = msg.seq;
        this.syncing = false;
        this.listener({ kind: "changed" });
        break;
      case "synced":
        window.clearTimeout(this.syncTimer);
        this.syncing = false;
        if (this.lastSeq !== null && msg.seq > this.lastSeq) this.sync();
        this.listener({ kind: "changed" });
        break;
      case "error":
        this.listener({ kind: "error", code: String(msg.code) });
        break;
      default:
        break;
    }
  }

  /** Sends an intent; false when the channel is not open or the message is too large. */
  send(intent: Intent): boolean {
    const ch = this.channel;
    if (!ch || ch.readyState !== "open") return false;
    const text = JSON.stringify(intent);
    if (text.length > (this.limits?.maxMessageBytes ?? DEFAULT_MAX_BYTES)) return false;
    ch.send(text);
    return true;
  }

  /** Sends one finished stroke, split into pieces the kiosk accepts. */
  draw(points: Point[], colour: StrokeColour, width: number): void {
    if (points.length < 2) return;
    const max = this.limits?.maxPointsPerStroke ?? DEFAULT_MAX_POINTS;
    const w = Math.round(Math.min(this.limits?.maxStrokeWidth ?? 20, Math.max(1, width)));
    for (const piece of splitStroke(points, max)) this.send({ type: "draw", points: piece, colour, width: w });
  }

  /** This participant's current vote on an item. */
  myVote(sku: string): VoteChoice | null {
    const item = this.state?.votes.find((v) => v.sku === sku);
    return item?.votes.find((v) => v.by === this.you)?.choice ?? null;
  }

  tally(sku: string): Tally {
    return this.state?.votes.find((v) => v.sku === sku)?.tally ?? { keep: 0, skip: 0, sizeUp: 0 };
  }

  /** A participant's name, or `fallback`. */
  nameOf(id: number, fallback: string): string {
    return this.state?.participants.find((p) => p.id === id)?.name ?? fallback;
  }
}
