// The page's end of one call leg: the kiosk always offers; this side answers, trickles candidates
// both ways, sends its own camera and microphone when it has them, and takes the kiosk's "board"
// data channel when it arrives. A later offer on the same leg (ICE restart after a reconnect) is
// answered on the same connection.

import type { IceServer, Signal } from "./wire";

export interface PeerHandlers {
  sendSignal: (signal: Signal) => void;
  onRemoteStream: (stream: MediaStream) => void;
  onBoardChannel: (channel: RTCDataChannel) => void;
  onState: (state: RTCPeerConnectionState) => void;
}

/** What the pages show and tests read from `getStats`. */
export interface PeerStats {
  connectionState: RTCPeerConnectionState;
  videoIn?: { packetsReceived: number; framesDecoded: number; frameWidth?: number; frameHeight?: number };
  videoOut?: { packetsSent: number; framesEncoded: number };
  audioIn?: { packetsReceived: number };
}

/** Camera and microphone, or null when refused or absent (the page then joins receive-only). */
export async function localMedia(): Promise<MediaStream | null> {
  if (!navigator.mediaDevices?.getUserMedia) return null;
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
      audio: { echoCancellation: true, noiseSuppression: true },
    });
  } catch {
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      return null;
    }
  }
}

function toIceServers(servers: IceServer[]): RTCIceServer[] {
  return servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

export class AnsweringPeer {
  readonly pc: RTCPeerConnection;
  private early: RTCIceCandidateInit[] = [];
  private tracksAdded = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly leg: number,
    iceServers: IceServer[],
    private readonly local: MediaStream | null,
    private readonly handlers: PeerHandlers,
  ) {
    const pc = new RTCPeerConnection({ iceServers: toIceServers(iceServers) });
    this.pc = pc;
    pc.onicecandidate = (ev) => {
      if (ev.candidate && ev.candidate.candidate) {
        const c = ev.candidate.toJSON();
        handlers.sendSignal({
          type: "candidate",
          candidate: c.candidate ?? "",
          sdpMid: c.sdpMid ?? null,
          sdpMLineIndex: c.sdpMLineIndex ?? null,
          usernameFragment: c.usernameFragment ?? null,
        });
      } else if (!ev.candidate) {
        handlers.sendSignal({ type: "endOfCandidates" });
      }
    };
    pc.ontrack = (ev) => {
      const stream = ev.streams[0] ?? new MediaStream([ev.track]);
      handlers.onRemoteStream(stream);
    };
    pc.ondatachannel = (ev) => {
      if (ev.channel.label === "board") handlers.onBoardChannel(ev.channel);
    };
    pc.onconnectionstatechange = () => handlers.onState(pc.connectionState);
  }

  /** New ICE servers (a resumed leg's fresh TURN credentials). */
  setIceServers(servers: IceServer[]): void {
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: toIceServers(servers) });
    } catch {
      // Kept: the old servers still work until their credentials expire.
    }
  }

  /** A signal from the kiosk, handled strictly in arrival order (a candidate never overtakes its offer). */
  handleSignal(signal: Signal): Promise<void> {
    this.queue = this.queue.then(() => this.apply(signal)).catch((e: unknown) => {
      console.warn(`signal ${signal.type}: ${String(e)}`);
    });
    return this.queue;
  }

  private async apply(signal: Signal): Promise<void> {
    const pc = this.pc;
    switch (signal.type) {
      case "offer": {
        await pc.setRemoteDescription({ type: "offer", sdp: signal.sdp });
        if (!this.tracksAdded && this.local) {
          for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
          this.tracksAdded = true;
        }
        await pc.setLocalDescription(await pc.createAnswer());
        const sdp = pc.localDescription?.sdp;
        if (sdp) this.handlers.sendSignal({ type: "answer", sdp });
        for (const c of this.early.splice(0)) await pc.addIceCandidate(c);
        break;
      }
      case "candidate": {
        const c: RTCIceCandidateInit = {
          candidate: signal.candidate,
          sdpMid: signal.sdpMid ?? null,
          sdpMLineIndex: signal.sdpMLineIndex ?? null,
        };
        if (signal.usernameFragment) c.usernameFragment = signal.usernameFragment;
        if (!pc.remoteDescription) this.early.push(c);
        else await pc.addIceCandidate(c);
        break;
      }
      case "endOfCandidates":
      case "answer":
        // The kiosk always offers; an answer from it means nothing here.
        break;
    }
  }

  async stats(): Promise<PeerStats> {
    const out: PeerStats = { connectionState: this.pc.connectionState };
    (await this.pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s["type"] === "inbound-rtp" && s["kind"] === "video") {
        out.videoIn = {
          packetsReceived: Number(s["packetsReceived"] ?? 0),
          framesDecoded: Number(s["framesDecoded"] ?? 0),
          frameWidth: s["frameWidth"] as number | undefined,
          frameHeight: s["frameHeight"] as number | undefined,
        };
      } else if (s["type"] === "inbound-rtp" && s["kind"] === "audio") {
        out.audioIn = { packetsReceived: Number(s["packetsReceived"] ?? 0) };
      } else if (s["type"] === "outbound-rtp" && s["kind"] === "video") {
        out.videoOut = { packetsSent: Number(s["packetsSent"] ?? 0), framesEncoded: Number(s["framesEncoded"] ?? 0) };
      }
    });
    return out;
  }

  close(): void {
    this.pc.close();
  }

  /** The connection can still carry media (an ICE restart can revive it). */
  isAlive(): boolean {
    return this.pc.connectionState !== "failed" && this.pc.connectionState !== "closed";
  }
}
