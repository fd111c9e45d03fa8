// Headless Chromium for the webview tests: loads a page of HTML the way a
// webview shows it (served from one origin, under the page's own CSP meta tag,
// nothing else reachable) and records everything that would betray injected
// code: dialogs, requests, CSP violations (`securitypolicyviolation` events and
// console reports), console errors, uncaught page errors.
// Without /usr/bin/chromium the browser tests skip loudly (REQUIRE_E2E=1: fail).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** The origin pages are served from; it is also the `cspSource` they are rendered with. */
export const ORIGIN = 'https://webview.test';
export const SHOTS = path.resolve(__dirname, '../e2e/screenshots');

/** Why the browser tests cannot run (undefined: they can). Loud, and a failure with REQUIRE_E2E=1. */
export function chromiumUnavailable(what: string): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  const why = `${what} SKIPPED: ${CHROMIUM} not found (apt-get install chromium, or npm run test:e2e which installs it)`;
  if (process.env.REQUIRE_E2E === '1') throw new Error(`${why} — REQUIRE_E2E=1 makes this a failure`);
  console.warn(`\n!!!!! ${why}\n`);
  return why;
}

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-webview-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_CACHE_HOME: path.join(tmp, 'cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export interface Loaded {
  page: Page;
  dialogs: string[];
  /** CSP violations: `securitypolicyviolation` events (directive + blocked URI) and console reports. */
  violations: string[];
  /** Console errors and uncaught exceptions that are not CSP reports. */
  errors: string[];
  /** Every request other than the page itself (all answered 404). */
  requests: string[];
}

/** Serves `html` at ORIGIN/index.html and loads it; waits until the page script (nonce) has run. */
export async function loadPage(browser: Browser, html: string, width = 900): Promise<Loaded> {
  const page = await browser.newPage({ viewport: { width, height: 700 }, colorScheme: 'dark' });
  const l: Loaded = { page, dialogs: [], violations: [], errors: [], requests: [] };
  page.on('dialog', (d) => {
    l.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) l.violations.push(m.text());
    else if (m.type() === 'error') l.errors.push(m.text());
  });
  page.on('pageerror', (e) => l.errors.push(`pageerror: ${e.message}`));
  // before any of the page's own code: CSP does not apply to init scripts
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __violations: string[]; document: { addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string; sample?: string }) => void): void } };
    g.__violations = [];
    g.document.addEventListener('securitypolicyviolation', (e) => g.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`));
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    l.requests.push(url);
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  // the page script (nonce) ran: it posts `ready`
  await page.waitForFunction(() => Array.isArray((globalThis as unknown as { __posted?: unknown[] }).__posted));
  return l;
}

/** The `securitypolicyviolation` events seen so far, with the console reports. */
export async function violationsOf(l: Loaded): Promise<string[]> {
  const events = await l.page.evaluate(() => (globalThis as unknown as { __violations: string[] }).__violations);
  return [...events, ...l.violations];
}

export const posted = (page: Page) => page.evaluate(() => (globalThis as unknown as { __posted: Record<string, string>[] }).__posted);
export const pwned = (page: Page) => page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned);

/**
 * Text nodes of plain ASCII (the pages' own words, short data) that the browser lays out right to left:
 * what a bidi override left open in data (a file name ending in U+202E) does to the text after it when
 * it is not isolated. Compares the first and last visible character of each single-line text node.
 */
export async function reversedText(l: Loaded): Promise<string[]> {
  return l.page.evaluate(() => {
    type Rect = { left: number; top: number };
    type TextNode = { data: string; parentElement: { closest(s: string): unknown } | null };
    const d = (globalThis as unknown as {
      document: {
        body: unknown;
        createTreeWalker(root: unknown, what: number): { nextNode(): TextNode | null };
        createRange(): { setStart(n: unknown, o: number): void; setEnd(n: unknown, o: number): void; getClientRects(): ArrayLike<Rect> };
      };
    }).document;
    const out: string[] = [];
    const walker = d.createTreeWalker(d.body, 4 /* NodeFilter.SHOW_TEXT */);
    const rectAt = (n: TextNode, i: number): Rect | undefined => {
      const r = d.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + 1);
      return r.getClientRects()[0];
    };
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.data;
      if (!/^[\x20-\x7e]+$/.test(t) || t.trim().length < 3 || n.parentElement?.closest('script, style, head')) continue;
      const first = t.search(/\S/);
      const last = t.length - 1 - (t.length - t.trimEnd().length);
      const a = rectAt(n, first);
      const b = rectAt(n, last);
      if (!a || !b || Math.abs(a.top - b.top) > 2) continue;
      if (a.left > b.left) out.push(t);
    }
    return out;
  });
}
