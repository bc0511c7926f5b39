// Headless Chromium on the relay's own web clients (the friend page, the stylist console), driven
// by a Rust test: each page is opened at a URL the relay serves, in its own browser context (its own
// sessionStorage), with fake camera and microphone.
//
// One JSON object per line: commands on stdin, events on stdout; diagnostics go to stderr.
//   in:  {type:"open", page, url}            → {type:"opened", page}
//        {type:"eval", page, ref, expr}      → {type:"result", ref, value} (expr: a JS expression, awaited)
//        {type:"click", page, ref, selector} → {type:"result", ref}
//        {type:"fill", page, ref, selector, value} → {type:"result", ref}
//        {type:"drag", page, ref, selector, points:[[x,y]…]} (0–1 of the element's box) → {type:"result", ref}
//        {type:"reload", page, ref}           → {type:"result", ref} (the page loaded again, same context)
//        {type:"close", page} {type:"quit"}
//   out: {type:"ready"} {type:"failed", ref, message} {type:"error", message} (a page error)

import { chromium } from 'playwright-core';
import { emit, failer, serveCommands } from './common.mjs';

const fail = failer('web page');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const pages = new Map();

async function open(name, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => process.stderr.write(`${name} page: ${m.text()}\n`));
  page.on('pageerror', (e) => emit({ type: 'error', message: `${name}: page error: ${e.message}` }));
  await page.goto(url);
  pages.set(name, { context, page });
}

function pageOf(name) {
  const p = pages.get(name);
  if (!p) throw new Error(`no page ${name}`);
  return p.page;
}

async function handle(msg) {
  const ref = msg.ref;
  try {
    switch (msg.type) {
      case 'open':
        await open(msg.page, msg.url);
        emit({ type: 'opened', page: msg.page });
        break;
      case 'eval': {
        const value = await pageOf(msg.page).evaluate(msg.expr);
        emit({ type: 'result', ref, value: value === undefined ? null : value });
        break;
      }
      case 'click':
        await pageOf(msg.page).click(msg.selector, { timeout: 10000 });
        emit({ type: 'result', ref, value: null });
        break;
      case 'fill':
        await pageOf(msg.page).fill(msg.selector, msg.value, { timeout: 10000 });
        emit({ type: 'result', ref, value: null });
        break;
      case 'drag': {
        const page = pageOf(msg.page);
        const box = await page.locator(msg.selector).boundingBox({ timeout: 10000 });
        if (!box) throw new Error(`${msg.selector} is not visible`);
        const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
        const [first, ...rest] = msg.points.map(at);
        await page.mouse.move(first[0], first[1]);
        await page.mouse.down();
        for (const [x, y] of rest) await page.mouse.move(x, y, { steps: 4 });
        await page.mouse.up();
        emit({ type: 'result', ref, value: null });
        break;
      }
      case 'reload':
        await pageOf(msg.page).reload();
        emit({ type: 'result', ref, value: null });
        break;
      case 'close': {
        const p = pages.get(msg.page);
        pages.delete(msg.page);
        if (p) await p.context.close();
        break;
      }
      case 'quit':
        await browser.close();
        process.exit(0);
        break;
      default:
        fail(`unknown command ${msg.type}`);
    }
  } catch (e) {
    emit({ type: 'failed', ref, message: String(e && e.message ? e.message : e) });
  }
}

emit({ type: 'ready' });
serveCommands({ browser, handle, fail });
