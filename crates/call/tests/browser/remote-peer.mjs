// Headless Chromium as the remote of a kiosk call, for the call crate's tests.
//
// One JSON object per line: commands on stdin, events on stdout; diagnostics go to stderr.
//   in:  {type:"offer", sdp} {type:"candidate", candidate} {type:"send", text} | {type:"sendSized", bytes}
//        {type:"stats"} {type:"quit"}
//   out: {type:"ready"} {type:"answer", sdp} {type:"candidate", candidate} {type:"state", state}
//        {type:"firstFrame", width, height} {type:"board", text, bytes} {type:"sent"} {type:"stats", ...}
//        {type:"error", message}
// The browser answers with its fake camera and microphone, echoes board texts starting with
// "ping" straight back from the page, and reports getStats on request.

import { emit, failer, launch, quit, serveCommands } from './common.mjs';

const fail = failer('remote-peer');
const chrome = await launch({ title: 'remote', consolePrefix: 'page', fail });
const { browser, page } = chrome;

await page.evaluate(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480 },
    audio: true,
  });
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.pc = pc;
  window.board = null;
  pc.onicecandidate = (e) => {
    if (e.candidate) window.toRust({ type: 'candidate', candidate: e.candidate.toJSON() });
  };
  pc.onconnectionstatechange = () => window.toRust({ type: 'state', state: pc.connectionState });
  pc.ondatachannel = (e) => {
    const channel = e.channel;
    window.board = channel;
    channel.onmessage = (m) => {
      const text = typeof m.data === 'string' ? m.data : '';
      // Echo pings from here, so the round trip does not include this script's pipes.
      if (text.startsWith('ping')) channel.send(text);
      window.toRust({ type: 'board', text: text.slice(0, 200), bytes: text.length });
    };
    channel.onopen = () => window.toRust({ type: 'boardOpen', label: channel.label });
  };
  pc.ontrack = (e) => {
    if (e.track.kind !== 'video') return;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([e.track]);
    document.body.appendChild(video);
    video.requestVideoFrameCallback((_now, meta) => {
      window.toRust({ type: 'firstFrame', width: meta.width, height: meta.height });
    });
    video.play().catch((err) => console.log(`play: ${err}`));
  };
  window.handleOffer = async (sdp) => {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    // The first offer: send our camera and microphone on the transceivers it created.
    for (const track of stream.getTracks()) {
      if (!pc.getSenders().some((s) => s.track === track)) pc.addTrack(track, stream);
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    return pc.localDescription.sdp;
  };
  window.stats = async () => {
    const out = {
      connectionState: pc.connectionState,
      maxMessageSize: pc.sctp ? pc.sctp.maxMessageSize : null,
    };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.videoIn = {
          packetsReceived: s.packetsReceived,
          framesDecoded: s.framesDecoded,
          keyFramesDecoded: s.keyFramesDecoded,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          pliCount: s.pliCount,
          nackCount: s.nackCount,
          packetsLost: s.packetsLost,
        };
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.audioIn = { packetsReceived: s.packetsReceived, totalSamplesReceived: s.totalSamplesReceived };
      } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.videoOut = {
          packetsSent: s.packetsSent,
          framesEncoded: s.framesEncoded,
          encoderImplementation: s.encoderImplementation,
        };
      } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        out.audioOut = { packetsSent: s.packetsSent };
      } else if (s.type === 'codec') {
        (out.codecs ||= []).push(s.mimeType);
      }
    });
    return out;
  };
});
emit({ type: 'ready' });

async function handle(msg) {
  switch (msg.type) {
    case 'offer': {
      const sdp = await page.evaluate((s) => window.handleOffer(s), msg.sdp);
      emit({ type: 'answer', sdp });
      break;
    }
    case 'candidate':
      await page.evaluate((c) => window.pc.addIceCandidate(c), msg.candidate);
      break;
    case 'send':
      await page.evaluate((t) => window.board.send(t), msg.text);
      emit({ type: 'sent' });
      break;
    case 'sendSized':
      await page.evaluate((n) => window.board.send('x'.repeat(n)), msg.bytes);
      emit({ type: 'sent' });
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
