// Browser test of the dcmaid admin console (host/console/), driven by headless Chromium.
//
// Needs a running dcmaid with the admin API on, persona plugin "hello" v0.1.0 installed,
// and these environment variables:
//   DCMAID_URL          e.g. http://127.0.0.1:8080
//   DCMAID_TOKEN        the admin token
//   HELLO_V2_MANIFEST   path of hello v0.2.0's plugin.toml
//   HELLO_V2_COMPONENT  path of hello v0.2.0's .wasm component
//   SCREENSHOT          path of the PNG to save (a phone-sized one goes to *-phone.png)
//   CHROMIUM            optional, the browser binary (default /usr/bin/chromium)
// Exits 0 when every step passed, 1 (naming the step and why) otherwise.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 30_000; // any single wait
// Reviewing and installing compile the uploaded component, slow in a debug build on 2 cores.
const INSTALL_TIMEOUT_MS = 120_000;
const OVERALL_TIMEOUT_MS = 420_000; // the whole run, as a last resort

/** Reads a required environment variable or stops with a clear message. */
function env(name) {
  const value = process.env[name];
  if (!value) fail(`environment variable ${name} is not set`);
  return value;
}

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const baseUrl = env('DCMAID_URL').replace(/\/+$/, '');
const token = env('DCMAID_TOKEN');
const manifest = env('HELLO_V2_MANIFEST');
const component = env('HELLO_V2_COMPONENT');
const screenshot = env('SCREENSHOT');
for (const file of [manifest, component]) {
  if (!fs.existsSync(file)) fail(`upload file ${file} does not exist`);
}
const phoneScreenshot = /\.png$/i.test(screenshot)
  ? screenshot.replace(/\.png$/i, '-phone.png')
  : `${screenshot}-phone.png`;

const watchdog = setTimeout(() => fail(`the whole test took longer than ${OVERALL_TIMEOUT_MS / 1000} s`), OVERALL_TIMEOUT_MS);

/** Text of the first element matching `selector`, or '' (for failure messages). */
async function textOf(page, selector) {
  return (await page.locator(selector).first().innerText({ timeout: 1000 }).catch(() => '')) ?? '';
}

/** Runs one step; on failure, adds the step's name and the console's status line. */
let passed = 0;
async function step(page, name, fn) {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    const status = page ? (await textOf(page, '#status')).trim() : '';
    const detail = String(error?.message ?? error).split('\n')[0];
    throw new Error(`step "${name}" failed: ${detail}${status ? `\n  console status line: ${status}` : ''}`);
  }
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - started} ms)`);
}

/**
 * Waits until the element's rendered text matches every regular expression in `patterns`
 * (source strings; none means "is not empty"). Regexes rather than a predicate function
 * so nothing is eval'd in the page (the console may be served with a strict CSP).
 * `errorPrefix`, if given, stops the wait early when the console's status line shows an
 * error starting with it (e.g. "Upload:"), instead of waiting out the timeout.
 */
async function waitForText(page, selector, description, { patterns = [], timeout = STEP_TIMEOUT_MS, errorPrefix } = {}) {
  // Runs in the page: 'match', 'error' (the status line shows the error), or false.
  const probe = ({ selector, patterns, errorPrefix }) => {
    // innerText, not textContent: it separates table cells and blocks, so \b works.
    const text = document.querySelector(selector)?.innerText ?? '';
    const matched = patterns.length === 0
      ? text.trim().length > 0
      : patterns.every((source) => new RegExp(source).test(text));
    if (matched) return 'match';
    const status = document.querySelector('#status');
    const failed = errorPrefix && status?.classList.contains('status-error') && status.textContent.startsWith(errorPrefix);
    return failed ? 'error' : false;
  };
  const args = { selector, patterns, errorPrefix: errorPrefix ?? null };
  // A timeout is not thrown from here: the check below says what was seen instead.
  await page.waitForFunction(probe, args, { timeout }).catch(() => {});
  if ((await page.evaluate(probe, args)) !== 'match') {
    const seen = (await textOf(page, selector)).replace(/\s+/g, ' ').trim();
    throw new Error(`${selector} never ${description}; it shows: "${seen.slice(0, 300)}"`);
  }
}

/** Opens a section by its nav link and waits until the section is shown. */
async function openSection(page, name) {
  await page.click(`#nav-${name}`);
  await page.locator(`#section-${name}`).waitFor({ state: 'visible' });
}

/** Sends `text` as `user` in the chat and returns the text of the new bot bubble. */
async function chat(page, user, text) {
  await page.fill('#chat-user', user);
  const count = () => page.evaluate(() => ({
    bots: document.querySelectorAll('#chat-log .bot').length,
    errors: document.querySelectorAll('#chat-log .system').length, // the console's error bubbles
  }));
  const before = await count();
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
  await page.waitForFunction(
    (b) => document.querySelectorAll('#chat-log .bot').length > b.bots
      || document.querySelectorAll('#chat-log .system').length > b.errors,
    before,
    { timeout: STEP_TIMEOUT_MS },
  ).catch(() => {});
  const after = await count();
  if (after.bots <= before.bots) {
    const why = after.errors > before.errors
      ? `the console showed "${(await page.locator('#chat-log .system').last().innerText()).trim()}"`
      : `nothing came within ${STEP_TIMEOUT_MS / 1000} s`;
    throw new Error(`no bot reply to "${text}": ${why}`);
  }
  const last = page.locator('#chat-log .bot').last();
  const bubbleText = last.locator('.bubble-text');
  return ((await bubbleText.count()) ? await bubbleText.textContent() : await last.textContent()).trim();
}

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);

  // Problems the page itself shows: uncaught exceptions and requests to other origins.
  const problems = [];
  const origin = new URL(baseUrl).origin;
  page.on('pageerror', (error) => problems.push(`uncaught error in the page: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (/^https?:/.test(url) && new URL(url).origin !== origin) problems.push(`request to another origin: ${url}`);
  });

  try {
    await step(page, 'a wrong token is refused with a message', async () => {
      const response = await page.goto(`${baseUrl}/console/`);
      if (!response || !response.ok()) throw new Error(`GET /console/ answered ${response?.status()}`);
      await page.locator('#token').waitFor({ state: 'visible' });
      await page.fill('#token', `${token}-wrong`);
      await page.click('#login');
      await waitForText(page, '#login-error', 'showed an error');
    });

    await step(page, 'the right token logs in', async () => {
      await page.fill('#token', token);
      await page.click('#login'); // clears #login-error, then checks the token
      await page.waitForFunction(
        () => !document.querySelector('#app-view')?.hidden || document.querySelector('#login-error')?.textContent.trim(),
        null, { timeout: STEP_TIMEOUT_MS },
      );
      const refused = (await textOf(page, '#login-error')).trim();
      if (refused) throw new Error(`the token was refused: "${refused}"`);
      await page.locator('#nav-chat').waitFor({ state: 'visible' });
    });

    await step(page, 'chat: hello v0.1.0 greets alice', async () => {
      await openSection(page, 'chat');
      const reply = await chat(page, 'alice', 'hello');
      if (!reply.startsWith('Hi, alice')) throw new Error(`the reply was "${reply}", expected it to start with "Hi, alice"`);
    });

    // The errorPrefix values are the contexts console.js gives showError() for these calls.
    await step(page, 'plugins: upload review shows hello 0.2.0 asking for kv', async () => {
      await openSection(page, 'plugins');
      if (await page.locator('#upload').isEnabled()) throw new Error('#upload is enabled before any review');
      // The upload is unsigned: the operator vouches for it.
      await page.check('#allow-unsigned');
      await page.setInputFiles('#upload-manifest', manifest);
      await page.setInputFiles('#upload-component', component);
      await page.click('#upload-review');
      await waitForText(page, '#review-result', 'mentioned hello, 0.2.0 and kv', {
        patterns: ['hello', '0\\.2\\.0', '\\bkv\\b'], timeout: INSTALL_TIMEOUT_MS, errorPrefix: 'Review upload:',
      });
    });

    await step(page, 'plugins: upload installs and swaps in 0.2.0', async () => {
      const upload = page.locator('#upload');
      await page.waitForFunction(() => !document.querySelector('#upload').disabled, null, { timeout: STEP_TIMEOUT_MS })
        .catch(() => { throw new Error('#upload stayed disabled after the review'); });
      await upload.click();
      await waitForText(page, '#install-result', 'mentioned 0.2.0', {
        patterns: ['0\\.2\\.0'], timeout: INSTALL_TIMEOUT_MS, errorPrefix: 'Upload:',
      });
    });

    await step(page, 'chat: hello v0.2.0 greets alice', async () => {
      await openSection(page, 'chat');
      const reply = await chat(page, 'alice', 'hello');
      if (!reply.startsWith('Ohayou, alice')) throw new Error(`the reply was "${reply}", expected it to start with "Ohayou, alice"`);
    });

    await step(page, 'dashboard: messages per minute is above 0', async () => {
      await openSection(page, 'dashboard');
      // The dashboard polls every 5 s; allow a few polls.
      try {
        await page.waitForFunction(
          () => parseFloat(document.querySelector('#tile-mpm')?.textContent ?? '') > 0,
          null,
          { timeout: 30_000 },
        );
      } catch {
        throw new Error(`#tile-mpm shows "${(await textOf(page, '#tile-mpm')).trim()}", expected a number > 0`);
      }
    });

    await step(page, 'screenshots', async () => {
      fs.mkdirSync(path.dirname(path.resolve(screenshot)), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('#tile-mpm').waitFor({ state: 'visible' });
      await page.screenshot({ path: phoneScreenshot, fullPage: true });
      console.log(`   saved ${screenshot} and ${phoneScreenshot}`);
    });

    if (problems.length > 0) throw new Error(`the page had problems:\n  ${problems.join('\n  ')}`);
  } catch (error) {
    // Keep a picture of the failure next to where the screenshot would have gone.
    const failureShot = phoneScreenshot.replace(/-phone\.png$/, '-failure.png');
    await page.screenshot({ path: failureShot, fullPage: true }).catch(() => {});
    if (problems.length > 0 && !String(error.message).includes('the page had problems')) {
      error.message += `\n  also: ${problems.join('\n  also: ')}`;
    }
    error.message += `\n  (screenshot of the failure: ${failureShot})`;
    throw error;
  }
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
} catch (error) {
  fail(`cannot launch Chromium: ${String(error?.message ?? error).split('\n')[0]}`);
}

try {
  await run(browser);
  console.log('console browser test: all steps passed');
  console.log(`${passed} passed, 0 failed`);
} catch (error) {
  await browser.close().catch(() => {});
  fail(error.message);
}
await browser.close();
clearTimeout(watchdog);
process.exit(0);
