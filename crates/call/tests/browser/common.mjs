// What the test scripts share: the JSON-lines pipes to the Rust test, a headless Chromium with fake
// camera and microphone on a page served from 127.0.0.1, and the command loop.
//
// One JSON object per line: commands on stdin, events on stdout; diagnostics go to stderr.

import http from 'node:http';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

/** An event for the Rust test, on stdout. */
export const emit = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

/** A `fail(message)` that reports an error event and logs it under `name` on stderr. */
export const failer = (name) => (message) => {
  emit({ type: 'error', message });
  process.stderr.write(`${name}: ${message}\n`);
};

/**
 * Headless Chromium on a blank page titled `title`, served from 127.0.0.1 (getUserMedia needs a
 * secure context: http://127.0.0.1 is one, about:blank and data: are not). The page's console goes
 * to stderr prefixed with `consolePrefix`, its errors to `fail`, and `window.toRust(msg)` emits.
 */
/** Headless Chromium with fake camera and microphone, as every test script runs it (plus `extraArgs`). */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

export async function launch({ title, consolePrefix, fail }) {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><meta charset="utf-8"><title>${title}</title><body></body>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  const browser = await launchChromium();
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`${consolePrefix}: ${m.text()}\n`));
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  await page.exposeFunction('toRust', (msg) => emit(msg));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  return { server, browser, page };
}

/** Closes the browser and the page's server, and exits. */
export async function quit({ server, browser }) {
  await browser.close();
  server.close();
  process.exit(0);
}

/**
 * Runs `handle(msg)` for each command line on stdin, one at a time and in order (a candidate must
 * not overtake the offer); a command that throws is reported through `fail`. At the end of stdin the
 * browser closes and the process exits.
 */
export function serveCommands({ browser, handle, fail }) {
  let queue = Promise.resolve();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(async () => {
      try {
        await handle(JSON.parse(line));
      } catch (e) {
        fail(String(e && e.message ? e.message : e));
      }
    });
  });
  process.stdin.on('end', async () => {
    await queue;
    await browser.close();
    process.exit(0);
  });
}
