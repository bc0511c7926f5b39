// Headless Chromium as a kiosk caller's FRIEND: it talks to the relay's /call socket itself, like the
// friend page will. The test tells it where and which invite; everything else is between the page and
// the relay (joinInvite, legStarted, the kiosk's offer, the answer, candidates both ways, pings).
//
// One JSON object per line: commands on stdin, events on stdout; diagnostics go to stderr.
//   in:  {type:"join", url, invite, relayOnly?} {type:"stats"} {type:"quit"}
//   out: {type:"ready"} {type:"authenticated", role} {type:"legStarted", leg, offerer, iceServers}
//        {type:"offer"} {type:"answered"} {type:"state", state} {type:"firstFrame", width, height}
//        {type:"relayError", code} {type:"closed"} {type:"stats", ...} {type:"error", message}

import { emit, failer, launch, quit, serveCommands } from './common.mjs';

const fail = failer('friend');
const chrome = await launch({ title: 'friend', consolePrefix: 'friend page', fail });
const { browser, page } = chrome;

await page.evaluate(() => {
  window.join = async (url, invite) => {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 480 },
      audio: true,
    });
    const ws = new WebSocket(url);
    let pc = null;
    let leg = null;
    const send = (m) => ws.send(JSON.stringify(m));
    const early = [];
    ws.onopen = () => {
      send({ type: 'joinInvite', protocol: 1, invite, displayName: 'Friend' });
      setInterval(() => send({ type: 'ping', seq: Date.now() }), 15000);
    };
    ws.onclose = () => window.toRust({ type: 'closed' });
    ws.onmessage = async (e) => {
      const msg = JSON.parse(e.data);
      switch (msg.type) {
        case 'authenticated':
          window.toRust({ type: 'authenticated', role: msg.role });
          break;
        case 'error':
          window.toRust({ type: 'relayError', code: msg.code });
          break;
        case 'legStarted': {
          leg = msg.leg;
          // relayOnly: only TURN candidates, as behind a strict firewall (the TURN test).
          pc = new RTCPeerConnection({ iceServers: msg.iceServers, iceTransportPolicy: window.relayOnly ? 'relay' : 'all' });
          window.pc = pc;
          pc.onicecandidate = (ev) => {
            if (ev.candidate && ev.candidate.candidate) {
              const c = ev.candidate.toJSON();
              send({
                type: 'signal',
                leg,
                signal: {
                  type: 'candidate',
                  candidate: c.candidate,
                  sdpMid: c.sdpMid ?? null,
                  sdpMLineIndex: c.sdpMLineIndex ?? null,
                  usernameFragment: c.usernameFragment ?? null,
                },
              });
            } else if (!ev.candidate) {
              send({ type: 'signal', leg, signal: { type: 'endOfCandidates' } });
            }
          };
          pc.onconnectionstatechange = () => window.toRust({ type: 'state', state: pc.connectionState });
          pc.ontrack = (ev) => {
            if (ev.track.kind !== 'video') return;
            const video = document.createElement('video');
            video.muted = true;
            video.autoplay = true;
            video.playsInline = true;
            video.srcObject = new MediaStream([ev.track]);
            document.body.appendChild(video);
            video.requestVideoFrameCallback((_now, meta) => {
              window.toRust({ type: 'firstFrame', width: meta.width, height: meta.height });
            });
            video.play().catch((err) => console.log(`play: ${err}`));
          };
          window.toRust({ type: 'legStarted', leg, offerer: msg.offerer, iceServers: msg.iceServers });
          break;
        }
        case 'signal': {
          const s = msg.signal;
          if (s.type === 'offer') {
            window.toRust({ type: 'offer' });
            await pc.setRemoteDescription({ type: 'offer', sdp: s.sdp });
            for (const track of stream.getTracks()) {
              if (!pc.getSenders().some((x) => x.track === track)) pc.addTrack(track, stream);
            }
            const answer = await pc.createAnswer();
            await pc.setLocalDescription(answer);
            send({ type: 'signal', leg, signal: { type: 'answer', sdp: pc.localDescription.sdp } });
            window.toRust({ type: 'answered' });
            for (const c of early.splice(0)) await pc.addIceCandidate(c);
          } else if (s.type === 'candidate') {
            const c = { candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex };
            if (s.usernameFragment) c.usernameFragment = s.usernameFragment;
            if (!pc.remoteDescription) early.push(c);
            else await pc.addIceCandidate(c);
          }
          break;
        }
        default:
          break;
      }
    };
  };
  window.stats = async () => {
    const pc = window.pc;
    if (!pc) return { connectionState: 'none' };
    const out = { connectionState: pc.connectionState };
    const report = await pc.getStats();
    // The pair in use and its candidates' types (relay = through TURN).
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = report.get(s.selectedCandidatePairId);
        if (pair) {
          out.localCandidateType = report.get(pair.localCandidateId)?.candidateType;
          out.remoteCandidateType = report.get(pair.remoteCandidateId)?.candidateType;
        }
      }
    });
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.videoIn = {
          packetsReceived: s.packetsReceived,
          framesDecoded: s.framesDecoded,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
        };
      } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.videoOut = { packetsSent: s.packetsSent, framesEncoded: s.framesEncoded };
      }
    });
    return out;
  };
});
emit({ type: 'ready' });

async function handle(msg) {
  switch (msg.type) {
    case 'join':
      await page.evaluate(([u, i, r]) => {
        window.relayOnly = r;
        return window.join(u, i);
      }, [msg.url, msg.invite, Boolean(msg.relayOnly)]);
      break;
    case 'stats':
      emit({ type: 'stats', ...(await page.evaluate(() => window.stats())) });
      break;
    case 'quit':
      await quit(chrome);
      break;
    default:
      fail(`unknown command ${msg.type}`);
  }
}

serveCommands({ browser, handle, fail });
