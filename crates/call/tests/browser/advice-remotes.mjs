// Headless Chromium as the people a shopper asks for advice, through the relay's REAL web clients:
// the stylist console (/stylist) and the friend page (/join). Driven like a person would: forms,
// buttons, a drag on the video. For the kiosk's end-to-end test (tests/tests/advice-e2e.rs).
//
// One JSON object per line: commands on stdin, events on stdout; diagnostics go to stderr.
//   in:  {type:"stylist", base, user, password}   sign in, go on duty          → {type:"onDuty"}
//        {type:"accept"}                          accept the first request     → {type:"stylistLive", width, height}
//        {type:"push", query, sku, note}          search, push the card        → {type:"pushed"}
//        {type:"draw"}                            drag across the video        → {type:"drawn"}
//        {type:"friend", base, code, name}        join by the short code       → {type:"friendLive", width, height}
//        {type:"friendReload"}                    the friend reloads her page  → {type:"friendReloaded", width, height}
//        {type:"vote", sku, choice}               the friend votes             → {type:"voted"}
//        {type:"chat", text}                      the friend chats             → {type:"chatted"}
//        {type:"staff", base, user, password}     store staff sign in (/staff) → {type:"staffReady"}
//        {type:"staffAnswer", room, action, suggestion?}  on-my-way | arrived | not-in-stock → {type:"staffAnswered", items}
//        {type:"quit"}
//   out: also {type:"ready"} {type:"error", message}

import { emit, failer, launchChromium, serveCommands } from './common.mjs';

const fail = failer('advice-remotes');
const browser = await launchChromium();

async function newPage(name) {
  // Each person has their own browser context (their own phone or desk).
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'en-GB' });
  // Keep a hand on the pages' peer connections, to read getStats like a person's browser would.
  await context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = class extends Original {
      constructor(...args) {
        super(...args);
        window.__pcs.push(this);
      }
    };
  });
  const page = await context.newPage();
  page.on('console', (m) => process.stderr.write(`${name}: ${m.text()}\n`));
  page.on('pageerror', (e) => fail(`${name} page error: ${e.message}`));
  return page;
}

/** Waits until the page's newest peer connection has decoded video and received audio (getStats). */
async function mediaIn(page) {
  const handle = await page.waitForFunction(
    async () => {
      const pc = window.__pcs[window.__pcs.length - 1];
      if (!pc) return null;
      let framesDecoded = 0;
      let audioPackets = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded = s.framesDecoded || 0;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') audioPackets = s.packetsReceived || 0;
      });
      return framesDecoded > 0 && audioPackets > 0 ? { framesDecoded, audioPackets } : null;
    },
    null,
    { timeout: 30000, polling: 200 },
  );
  return handle.jsonValue();
}

/** Waits until the page's <video class=remote> shows decoded frames; returns its size. */
async function videoPlaying(page) {
  const handle = await page.waitForFunction(
    () => {
      const v = document.querySelector('video.remote');
      if (!v || v.videoWidth === 0) return null;
      const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 1;
      return q > 0 ? { width: v.videoWidth, height: v.videoHeight, frames: q } : null;
    },
    null,
    { timeout: 30000, polling: 100 },
  );
  return handle.jsonValue();
}

let stylist = null;
let friend = null;
let staff = null;

async function handle(msg) {
  switch (msg.type) {
    case 'stylist': {
      stylist = await newPage('stylist');
      await stylist.goto(`${msg.base}/stylist`);
      await stylist.fill('.login-form input[name=username]', msg.user);
      await stylist.fill('.login-form input[name=password]', msg.password);
      await stylist.click('.login-form button[type=submit]');
      await stylist.click('.duty-toggle', { timeout: 15000 });
      await stylist.waitForSelector('.duty.on', { timeout: 10000 });
      emit({ type: 'onDuty' });
      break;
    }
    case 'accept': {
      await stylist.click('.queue .entry .accept:not([disabled])', { timeout: 30000 });
      const v = await videoPlaying(stylist);
      emit({ type: 'stylistLive', ...v, ...(await mediaIn(stylist)) });
      break;
    }
    case 'push': {
      await stylist.fill('.search-input', msg.query);
      await stylist.click('.search-form button[type=submit]');
      const product = `.results .product[data-sku="${msg.sku}"]`;
      await stylist.waitForSelector(product, { timeout: 15000 });
      if (msg.note) await stylist.fill(`${product} .note-input`, msg.note);
      await stylist.click(`${product} .push:not([disabled])`, { timeout: 15000 });
      await stylist.waitForSelector(`.cards .card[data-sku="${msg.sku}"]`, { timeout: 15000 });
      emit({ type: 'pushed' });
      break;
    }
    case 'draw': {
      const box = await stylist.locator('canvas.overlay').boundingBox();
      if (!box) throw new Error('no canvas to draw on');
      await stylist.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
      await stylist.mouse.down();
      for (let i = 1; i <= 10; i++) {
        await stylist.mouse.move(box.x + box.width * (0.3 + i * 0.03), box.y + box.height * (0.3 + i * 0.02));
      }
      await stylist.mouse.up();
      emit({ type: 'drawn' });
      break;
    }
    case 'friend': {
      friend = await newPage('friend');
      await friend.goto(`${msg.base}/join`);
      await friend.fill('.join-form .code-input', msg.code);
      await friend.fill('.join-form input[name=name]', msg.name);
      await friend.click('.join-form button[type=submit]');
      const v = await videoPlaying(friend);
      emit({ type: 'friendLive', ...v, ...(await mediaIn(friend)) });
      break;
    }
    case 'friendReload': {
      await friend.reload();
      const v = await videoPlaying(friend);
      emit({ type: 'friendReloaded', ...v, ...(await mediaIn(friend)) });
      break;
    }
    case 'vote': {
      await friend.click(`.cards .card[data-sku="${msg.sku}"] .vote[data-vote="${msg.choice}"]`, { timeout: 15000 });
      await friend.waitForSelector(`.cards .card[data-sku="${msg.sku}"] .vote[data-vote="${msg.choice}"][aria-pressed=true]`, {
        timeout: 15000,
      });
      emit({ type: 'voted' });
      break;
    }
    case 'chat': {
      await friend.fill('.chat-input', msg.text);
      await friend.click('.chat-form button[type=submit]');
      emit({ type: 'chatted' });
      break;
    }
    case 'staff': {
      staff = await newPage('staff');
      await staff.goto(`${msg.base}/staff`);
      await staff.fill('.login-form input[name=username]', msg.user);
      await staff.fill('.login-form input[name=password]', msg.password);
      await staff.click('.login-form button[type=submit]');
      await staff.waitForSelector('.staff-asks', { timeout: 15000 });
      emit({ type: 'staffReady' });
      break;
    }
    case 'staffAnswer': {
      // The newest ask from the room: what staff read on it, then the answer.
      const card = staff.locator(`.staff-asks .ask:has(.room:text-is("${msg.room}"))`).last();
      await card.waitFor({ timeout: 20000 });
      const text = await card.locator('.items').innerText();
      if (msg.suggestion) await card.locator('.suggest-input').fill(msg.suggestion);
      await card.locator(`button.${msg.action}`).click();
      emit({ type: 'staffAnswered', items: text });
      break;
    }
    case 'quit':
      await browser.close();
      process.exit(0);
      break;
    default:
      throw new Error(`unknown command ${msg.type}`);
  }
}

serveCommands({ browser, handle, fail });
emit({ type: 'ready' });
