// Headless Chromium pages for the call bench (crates/call/benches/call_bench): friends that join a
// kiosk through the relay, and a page that plays the kiosk itself (kioskHello with the demo device,
// invites, the offer) for the Chromium↔Chromium reference. Every page sends a canvas (a moving bar
// and the capture stamp of bench-stamp.js, drawn `fps` times a second) captured with captureStream()
// and the fake microphone, reads the stamp of every frame it is shown (requestVideoFrameCallback),
// and echoes board texts starting with "ping".
//
// One JSON object per line: commands on stdin, events on stdout (each with the page's `id`).
//   in:  {type:"open", id, width, height, fps} {type:"join", id, url, invite}
//        {type:"kiosk", id, url, deviceId, deviceKey, session} {type:"invite", id} {type:"leave", id}
//        {type:"rtt", id, count} {type:"samples", id} {type:"stats", id} {type:"close", id} {type:"quit"}
//   out: {type:"ready"} {type:"opened", id} {type:"joinSent", id, at} {type:"authenticated", id, role}
//        {type:"inviteCreated", id, code} {type:"legStarted", id, leg, offerer} {type:"state", id, state, at}
//        {type:"firstFrame", id, at, width, height} {type:"legEnded", id} {type:"left", id} {type:"closed", id}
//        {type:"rtt", id, ms:[…]}
//        {type:"samples", id, ages:[…], unread} {type:"stats", id, …} {type:"error", message}
// Times (`at`) are Unix milliseconds from the page's clock (performance.timeOrigin + …), the clock the
// bench reads too.

import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, failer, launchChromium, serveCommands } from './common.mjs';

const fail = failer('bench-peer');
const here = path.dirname(fileURLToPath(import.meta.url));

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><meta charset="utf-8"><title>bench</title><body></body>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await launchChromium([
  // Several pages at once, none in front: none may be throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
]);

/** @type {Map<string, import('playwright-core').Page>} */
const pages = new Map();

// Runs in each page: the canvas source, the stamp reader, the relay roles.
function pageMain({ width, height, fps }) {
  const stamp = window.benchStamp;
  // The stamp's own round trip on a canvas, before anything is measured with it.
  {
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 360;
    const x = c.getContext('2d', { willReadFrequently: true });
    x.fillStyle = '#777';
    x.fillRect(0, 0, 640, 360);
    const v = 0xdeadbeef;
    stamp.draw(x, 640, 360, v);
    const got = stamp.read(x.getImageData(0, 0, 640, stamp.stripRows(360)).data, 640, 360);
    if (got !== v) throw new Error(`the page's stamp does not round-trip: ${got}`);
  }
  const now = () => performance.timeOrigin + performance.now();

  // The outgoing picture.
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d', { alpha: false });
  let n = 0;
  setInterval(() => {
    n += 1;
    ctx.fillStyle = '#3a5a7a';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#c0a060';
    ctx.fillRect((n * 8) % width, height / 4, width / 8, height / 2);
    stamp.draw(ctx, width, height, Math.floor(now()) >>> 0);
  }, 1000 / fps);
  const videoTrack = canvas.captureStream(fps).getVideoTracks()[0];
  // Keep 1280×720 as the kiosk's camera does (fixed size, x264 at 1.5 Mbit/s): under a low first
  // bandwidth estimate Chromium would rather send 480×270, which is not the same picture.
  videoTrack.contentHint = 'detail';
  const S = { ws: null, pc: null, leg: null, board: null, early: [], ages: [], unread: 0, first: false };
  window.S = S;
  const micPromise = navigator.mediaDevices.getUserMedia({ audio: true });

  const send = (m) => S.ws && S.ws.readyState === 1 && S.ws.send(JSON.stringify(m));

  const watchVideo = (track) => {
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    document.body.appendChild(video);
    const reader = document.createElement('canvas');
    const rctx = reader.getContext('2d', { willReadFrequently: true });
    const onFrame = (_t, meta) => {
      if (S.pc === null) return;
      // When the frame went to the compositor: "glass" short of the display's own refresh.
      const at = performance.timeOrigin + meta.presentationTime;
      if (!S.first) {
        S.first = true;
        window.toRust({ type: 'firstFrame', at, width: meta.width, height: meta.height });
      }
      const w = video.videoWidth;
      const h = video.videoHeight;
      const rows = stamp.stripRows(h);
      if (reader.width !== w || reader.height !== rows) {
        reader.width = w;
        reader.height = rows;
      }
      rctx.drawImage(video, 0, 0, w, rows, 0, 0, w, rows);
      const value = stamp.read(rctx.getImageData(0, 0, w, rows).data, w, h);
      if (value === null) S.unread += 1;
      else S.ages.push(stamp.age(value, at));
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    video.play().catch((err) => console.log(`play: ${err}`));
  };

  const newPeer = (iceServers) => {
    const pc = new RTCPeerConnection({ iceServers });
    S.pc = pc;
    S.first = false;
    pc.onicecandidate = (ev) => {
      if (ev.candidate && ev.candidate.candidate) {
        const c = ev.candidate.toJSON();
        send({
          type: 'signal',
          leg: S.leg,
          signal: {
            type: 'candidate',
            candidate: c.candidate,
            sdpMid: c.sdpMid ?? null,
            sdpMLineIndex: c.sdpMLineIndex ?? null,
            usernameFragment: c.usernameFragment ?? null,
          },
        });
      } else if (!ev.candidate) {
        send({ type: 'signal', leg: S.leg, signal: { type: 'endOfCandidates' } });
      }
    };
    pc.onconnectionstatechange = () =>
      window.toRust({ type: 'state', state: pc.connectionState, at: now() });
    pc.ontrack = (ev) => {
      if (ev.track.kind === 'video') watchVideo(ev.track);
    };
    pc.ondatachannel = (ev) => board(ev.channel);
    return pc;
  };

  const board = (channel) => {
    S.board = channel;
    channel.onmessage = (m) => {
      if (typeof m.data === 'string' && m.data.startsWith('ping')) channel.send(m.data);
    };
  };

  const addTracks = async (pc) => {
    const mic = await micPromise;
    const stream = new MediaStream([videoTrack, ...mic.getAudioTracks()]);
    for (const track of stream.getTracks()) {
      if (!pc.getSenders().some((x) => x.track === track)) pc.addTrack(track, stream);
    }
  };

  const endLeg = () => {
    if (S.pc) S.pc.close();
    S.pc = null;
    S.board = null;
    S.leg = null;
    S.early = [];
    for (const v of document.querySelectorAll('video')) v.remove();
  };

  const onSignal = async (s) => {
    const pc = S.pc;
    if (!pc) return;
    if (s.type === 'offer' || s.type === 'answer') {
      await pc.setRemoteDescription({ type: s.type, sdp: s.sdp });
      if (s.type === 'offer') {
        await addTracks(pc);
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'signal', leg: S.leg, signal: { type: 'answer', sdp: pc.localDescription.sdp } });
      }
      for (const c of S.early.splice(0)) await pc.addIceCandidate(c);
    } else if (s.type === 'candidate') {
      const c = { candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex };
      if (s.usernameFragment) c.usernameFragment = s.usernameFragment;
      if (!pc.remoteDescription) S.early.push(c);
      else await pc.addIceCandidate(c);
    }
  };

  // As the kiosk does: video (H.264 constrained baseline only, as the kiosk offers), audio, the
  // board channel, then the offer.
  const offer = async () => {
    const pc = S.pc;
    await addTracks(pc);
    const h264 = RTCRtpSender.getCapabilities('video').codecs.filter(
      (c) =>
        c.mimeType === 'video/H264' &&
        /packetization-mode=1/.test(c.sdpFmtpLine || '') &&
        /profile-level-id=42e01f/.test(c.sdpFmtpLine || ''),
    );
    const video = pc.getTransceivers().find((t) => t.sender.track && t.sender.track.kind === 'video');
    if (h264.length > 0 && video) video.setCodecPreferences(h264);
    board(pc.createDataChannel('board', { ordered: true }));
    await pc.setLocalDescription(await pc.createOffer());
    send({ type: 'signal', leg: S.leg, signal: { type: 'offer', sdp: pc.localDescription.sdp } });
  };

  const connect = (url, hello) => {
    endLeg();
    if (S.ws) S.ws.close();
    const ws = new WebSocket(url);
    S.ws = ws;
    ws.onopen = () => {
      window.toRust({ type: 'joinSent', at: now() });
      send(hello);
    };
    ws.onmessage = async (e) => {
      const msg = JSON.parse(e.data);
      switch (msg.type) {
        case 'authenticated':
          window.toRust({ type: 'authenticated', role: msg.role });
          setInterval(() => send({ type: 'ping', seq: Date.now() }), 15000);
          break;
        case 'error':
          window.toRust({ type: 'relayError', code: msg.code });
          break;
        case 'inviteCreated':
          window.toRust({ type: 'inviteCreated', code: msg.code });
          break;
        case 'legStarted':
          endLeg();
          S.leg = msg.leg;
          newPeer(msg.iceServers);
          window.toRust({ type: 'legStarted', leg: msg.leg, offerer: msg.offerer });
          if (msg.offerer) await offer();
          break;
        case 'legEnded':
          endLeg();
          window.toRust({ type: 'legEnded' });
          break;
        case 'signal':
          await onSignal(msg.signal);
          break;
        default:
          break;
      }
    };
  };

  window.bench = {
    join: (url, invite) =>
      connect(url, { type: 'joinInvite', protocol: 1, invite, displayName: 'Friend' }),
    kiosk: (url, deviceId, deviceKey, session) =>
      connect(url, { type: 'kioskHello', protocol: 1, deviceId, deviceKey, session }),
    invite: () => send({ type: 'createInvite' }),
    leave: () => {
      if (S.leg !== null) send({ type: 'hangUp', leg: S.leg });
      endLeg();
      if (S.ws) S.ws.close();
      S.ws = null;
    },
    rtt: async (count) => {
      const channel = S.board;
      if (!channel) throw new Error('no board channel');
      if (channel.readyState !== 'open') {
        await new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
      }
      const out = [];
      for (let i = 0; i < count; i += 1) {
        const text = `ping-${i}`;
        const t0 = performance.now();
        await new Promise((resolve) => {
          const onMessage = (m) => {
            if (m.data === text) {
              channel.removeEventListener('message', onMessage);
              resolve();
            }
          };
          channel.addEventListener('message', onMessage);
          channel.send(text);
        });
        out.push(performance.now() - t0);
      }
      return out;
    },
    samples: () => {
      const out = { ages: S.ages.splice(0), unread: S.unread };
      S.unread = 0;
      return out;
    },
    stats: async () => {
      const out = { connectionState: S.pc ? S.pc.connectionState : 'none' };
      if (!S.pc) return out;
      (await S.pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          out.videoIn = {
            framesDecoded: s.framesDecoded,
            framesPerSecond: s.framesPerSecond,
            frameWidth: s.frameWidth,
            frameHeight: s.frameHeight,
            jitterBufferMs: s.jitterBufferEmittedCount
              ? (1000 * s.jitterBufferDelay) / s.jitterBufferEmittedCount
              : null,
            decodeMs: s.framesDecoded ? (1000 * s.totalDecodeTime) / s.framesDecoded : null,
            decoderImplementation: s.decoderImplementation,
          };
        } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
          out.videoOut = {
            framesEncoded: s.framesEncoded,
            framesPerSecond: s.framesPerSecond,
            frameWidth: s.frameWidth,
            frameHeight: s.frameHeight,
            encodeMs: s.framesEncoded ? (1000 * s.totalEncodeTime) / s.framesEncoded : null,
            encoderImplementation: s.encoderImplementation,
            qualityLimitationReason: s.qualityLimitationReason,
          };
        } else if (s.type === 'codec') {
          (out.codecs ||= []).push(s.mimeType);
        }
      });
      return out;
    },
  };
}

async function openPage(id, size) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => process.stderr.write(`page ${id}: ${m.text()}\n`));
  page.on('pageerror', (e) => fail(`page ${id} error: ${e.message}`));
  await page.exposeFunction('toRust', (msg) => emit({ ...msg, id }));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.addScriptTag({ path: path.join(here, 'bench-stamp.js') });
  await page.evaluate(pageMain, size);
  pages.set(id, page);
}

const pageOf = (id) => {
  const page = pages.get(id);
  if (!page) throw new Error(`no page ${id}`);
  return page;
};

async function handle(msg) {
  switch (msg.type) {
    case 'open':
      await openPage(msg.id, { width: msg.width, height: msg.height, fps: msg.fps });
      emit({ type: 'opened', id: msg.id });
      break;
    case 'join':
      await pageOf(msg.id).evaluate(([u, i]) => window.bench.join(u, i), [msg.url, msg.invite]);
      break;
    case 'kiosk':
      await pageOf(msg.id).evaluate(
        ([u, d, k, s]) => window.bench.kiosk(u, d, k, s),
        [msg.url, msg.deviceId, msg.deviceKey, msg.session],
      );
      break;
    case 'invite':
      await pageOf(msg.id).evaluate(() => window.bench.invite());
      break;
    case 'leave':
      await pageOf(msg.id).evaluate(() => window.bench.leave());
      emit({ type: 'left', id: msg.id });
      break;
    case 'close': {
      const page = pageOf(msg.id);
      pages.delete(msg.id);
      await page.context().close();
      emit({ type: 'closed', id: msg.id });
      break;
    }
    case 'rtt':
      emit({ type: 'rtt', id: msg.id, ms: await pageOf(msg.id).evaluate((n) => window.bench.rtt(n), msg.count) });
      break;
    case 'samples':
      emit({ type: 'samples', id: msg.id, ...(await pageOf(msg.id).evaluate(() => window.bench.samples())) });
      break;
    case 'stats':
      emit({ type: 'stats', id: msg.id, ...(await pageOf(msg.id).evaluate(() => window.bench.stats())) });
      break;
    case 'quit':
      await browser.close();
      server.close();
      process.exit(0);
      break;
    default:
      fail(`unknown command ${msg.type}`);
  }
}

emit({ type: 'ready' });
serveCommands({ browser, handle, fail });
