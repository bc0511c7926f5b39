// The wire types the two web clients speak: the relay's /call socket (docs/CALLS.md,
// crates/protocol/src/call.rs) and the board data channel (docs/BOARD.md, crates/domain/src/board/wire.rs).
// Written by hand from the Rust types: only the fields the pages read or send.

export const PROTOCOL = 1;

export type Role = "kiosk" | "stylist" | "staff" | "friend";

export interface PeerInfo {
  role: Role;
  displayName: string;
}

export interface LookOnScreen {
  id?: string | null;
  summary?: string | null;
}

export interface RequestView {
  request: number;
  deviceId: string;
  storeId: string;
  room: string;
  context: { garments: string[]; look?: LookOnScreen | null };
}

export interface QueueEntry {
  position: number;
  waitingSinceMs: number;
  view: RequestView;
}

export interface Colleague {
  username: string;
  displayName: string;
  role: Role;
  busy: boolean;
}

export interface Member {
  leg: number;
  peer: PeerInfo;
  away: boolean;
}

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export type Signal =
  | { type: "offer"; sdp: string }
  | { type: "answer"; sdp: string }
  | {
      type: "candidate";
      candidate: string;
      sdpMid?: string | null;
      sdpMLineIndex?: number | null;
      usernameFragment?: string | null;
    }
  | { type: "endOfCandidates" };

export type CallErrorCode =
  | "badMessage"
  | "tooLarge"
  | "invalidSignal"
  | "unsupportedProtocol"
  | "authRequired"
  | "alreadyAuthenticated"
  | "badCredentials"
  | "sessionExpired"
  | "rateLimited"
  | "inviteUnknown"
  | "inviteUsed"
  | "inviteExpired"
  | "notAllowed"
  | "notInCall"
  | "noSession"
  | "kioskOffline"
  | "alreadyRequested"
  | "requestGone"
  | "callFull"
  | "busy"
  | "notOnDuty"
  | "transferUnavailable"
  | "transferGone"
  | "peerAway";

export type LegEndReason =
  | "hungUp"
  | "endedByKiosk"
  | "peerLeft"
  | "transferred"
  | "kioskLeft"
  | "sessionEnded"
  | "loggedOut";

export type ClientMessage =
  | { type: "login"; protocol: number; username: string; password: string }
  // fresh: the page has no working peer connection for its leg (reloaded, or failed): the kiosk
  // builds a new one instead of restarting ICE on the old.
  | { type: "resume"; protocol: number; token: string; fresh?: boolean }
  | { type: "joinInvite"; protocol: number; invite: string; displayName?: string }
  | { type: "ping"; seq: number }
  | { type: "logout" }
  | { type: "signal"; leg: number; signal: Signal }
  | { type: "hangUp"; leg?: number }
  | { type: "setDuty"; onDuty: boolean }
  | { type: "accept"; request: number }
  | { type: "decline"; request: number }
  | { type: "transfer"; leg: number; to: string }
  | { type: "acceptTransfer"; transfer: number }
  | { type: "declineTransfer"; transfer: number }
  | { type: "answerAsk"; request: number; answer: AskAnswer };

export type ServerMessage =
  | {
      type: "authenticated";
      protocol: number;
      role: Role;
      displayName: string;
      token?: string;
      tokenExpiresAtMs?: number | null;
      onDuty: boolean;
    }
  | { type: "pong"; seq: number }
  | { type: "loggedOut" }
  | { type: "queue"; entries: QueueEntry[]; total: number; onDuty: Colleague[] }
  | { type: "transferOffer"; transfer: number; from: PeerInfo; request: RequestView }
  | { type: "transferWithdrawn"; transfer: number }
  | { type: "transferFailed"; transfer: number; reason: "declined" | "timedOut" | "unavailable" }
  | {
      type: "legStarted";
      leg: number;
      call: number;
      peer: PeerInfo;
      offerer: boolean;
      iceServers: IceServer[];
      request?: RequestView;
    }
  | { type: "legResumed"; leg: number; call: number; iceServers: IceServer[] }
  | { type: "legEnded"; leg: number; reason: LegEndReason }
  | { type: "members"; call: number; members: Member[] }
  | { type: "signal"; leg: number; signal: Signal }
  | { type: "staffAsks"; asks: AskView[] }
  | { type: "error"; code: CallErrorCode; message: string };

// --- Asks to store staff (another size or colour) ---

export interface AskItem {
  sku: string;
  name?: string | null;
  size?: string | null;
  colour?: string | null;
}

export type AskState =
  | { kind: "open" }
  | { kind: "onMyWay"; by: string }
  | { kind: "notInStock"; by: string; suggestion: string | null }
  | { kind: "arrived"; by: string }
  | { kind: "closed" };

export interface AskView {
  request: number;
  room: string;
  items: AskItem[];
  createdAtMs: number;
  state: AskState;
}

export type AskAnswer = { kind: "onMyWay" } | { kind: "notInStock"; suggestion?: string } | { kind: "arrived" };

// --- The board ---

export type BoardRole = "friend" | "stylist";
export type StrokeColour = "white" | "black" | "red" | "yellow" | "green" | "blue" | "pink";
export type VoteChoice = "keep" | "skip" | "sizeUp";
export type Reaction = "heart" | "thumbsUp" | "thumbsDown" | "fire" | "clap" | "wow";
export type Point = [number, number];

export const STROKE_COLOURS: StrokeColour[] = ["white", "black", "red", "yellow", "green", "blue", "pink"];
export const REACTIONS: Reaction[] = ["heart", "thumbsUp", "thumbsDown", "fire", "clap", "wow"];
export const VOTE_CHOICES: VoteChoice[] = ["keep", "skip", "sizeUp"];

export interface Participant {
  id: number;
  role: BoardRole;
  name: string;
  present: boolean;
}

export interface Card {
  id: number;
  by: number;
  sku: string;
  variant: string | null;
  colour: string | null;
  size: string | null;
  note: string | null;
}

export interface Stroke {
  id: number;
  by: number;
  colour: StrokeColour;
  width: number;
  points: Point[];
}

export interface Tally {
  keep: number;
  skip: number;
  sizeUp: number;
}

export interface ItemVotes {
  sku: string;
  votes: { by: number; choice: VoteChoice }[];
  tally: Tally;
}

export interface ChatMessage {
  id: number;
  by: number;
  text: string;
}

export interface ReactionShown {
  id: number;
  by: number;
  reaction: Reaction;
}

export interface BoardState {
  participants: Participant[];
  cards: Card[];
  strokes: Stroke[];
  votes: ItemVotes[];
  chat: ChatMessage[];
  reactions: ReactionShown[];
}

export type Change =
  | { type: "joined"; participant: Participant }
  | { type: "left"; participant: number }
  | { type: "cardPushed"; card: Card; evicted: number | null }
  | { type: "cardRemoved"; card: number }
  | { type: "strokeAdded"; stroke: Stroke; evicted: number[] }
  | { type: "strokesCleared"; by: number | null }
  | { type: "voted"; sku: string; by: number; choice: VoteChoice | null }
  | { type: "chatted"; message: ChatMessage; evicted: number | null }
  | { type: "reacted"; reaction: ReactionShown; evicted: number | null }
  | { type: "reactionsExpired"; ids: number[] }
  | { type: "cleared" }
  | { type: "wiped" };

export interface Limits {
  maxMessageBytes: number;
  maxPointsPerStroke: number;
  maxStrokeWidth: number;
  maxChatChars: number;
  maxNoteChars: number;
  ratePerSec: number;
  rateBurst: number;
}

export type BoardErrorCode = "badMessage" | "tooLarge" | "forbidden" | "unknownProduct" | "notFound" | "full" | "rateLimited";

export type BoardMessage =
  | { type: "welcome"; you: number; role: BoardRole; epoch: number; seq: number; limits: Limits }
  | { type: "delta"; seq: number; change: Change }
  | { type: "snapshot"; epoch: number; seq: number; state: BoardState }
  | { type: "synced"; seq: number }
  | { type: "error"; code: BoardErrorCode };

export type Intent =
  | { type: "sync"; epoch: number | null; lastSeq: number | null }
  | { type: "pushCard"; sku: string; variant?: string; colour?: string; size?: string; note?: string }
  | { type: "removeCard"; card: number }
  | { type: "draw"; points: Point[]; colour: StrokeColour; width: number }
  | { type: "clear"; scope: "mine" | "all" }
  | { type: "vote"; sku: string; choice: VoteChoice }
  | { type: "unvote"; sku: string }
  | { type: "chat"; text: string }
  | { type: "react"; reaction: Reaction };

/** The catalog search of the stylist console (`GET /api/stylist/catalog`). */
export interface ProductHit {
  sku: string;
  nameEn: string;
  nameZh: string;
  category: string;
  priceMinor: number;
  currency: string;
  colours: { nameEn: string; nameZh: string; inStore: number }[];
  sizes: { size: string; inStore: number }[];
  variants: { variantSku: string; colourEn: string; size: string; inStore: number }[];
  thumbnail: string | null;
}

export interface SearchResult {
  store: string | null;
  products: ProductHit[];
  total: number;
}
