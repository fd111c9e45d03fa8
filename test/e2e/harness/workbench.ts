// Driving the VS Code workbench (code-server) in Chromium through playwright-core.
// Every wait is on a UI state (a selector, a text, a file on disk), never a fixed sleep.
// Selectors verified with VS Code 1.100 (code-server 4.100.3). Functions run in the page are
// serialized: they reach the DOM through `(globalThis as any).document` (no DOM lib here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './paths';
import { waitUntil } from './proc';

export interface Problem {
  /** rule id (the diagnostic's code) */
  code: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  source: string;
  /** the file of the row above it in the Problems tree, relative to the workspace folder */
  file: string;
}

export const SQUIGGLE = '.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-info';

export async function launchBrowser(xdgEnv: Record<string, string>): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, ...xdgEnv },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    private readonly screenshotDir: string,
    private readonly prefix: string,
  ) {
    fs.mkdirSync(screenshotDir, { recursive: true });
  }

  static async open(browser: Browser, url: string, folder: string, screenshotDir: string, prefix: string): Promise<Workbench> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
    const wb = new Workbench(page, screenshotDir, prefix);
    await wb.step('open-workbench', async () => {
      await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
      // the workbench takes keyboard input once its editor area has focus handling wired
      await page.locator('.monaco-workbench').waitFor();
    });
    return wb;
  }

  /**
   * Runs one step; saves a screenshot after it (…-<name>.png) or when it fails
   * (…-<name>-FAILED.png), and puts the screenshot's path into the error message.
   */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const n = String(++this.shot).padStart(2, '0');
    const base = path.join(this.screenshotDir, `${this.prefix}-${n}-${name}`);
    try {
      const v = await fn();
      await this.page.screenshot({ path: `${base}.png` });
      return v;
    } catch (e) {
      const file = `${base}-FAILED.png`;
      let shot = file;
      try {
        await this.page.screenshot({ path: file });
      } catch (se) {
        shot = `(no screenshot: ${(se as Error).message})`;
      }
      const err = e as Error;
      err.message = `step "${name}" failed (screenshot: ${shot}): ${err.message}`;
      throw err;
    }
  }

  /**
   * Quick Open (Ctrl+P): types a path and opens the match; waits for its editor tab. Enter waits
   * until the focused row is that file: right after typing, the list can still show the recently
   * opened files (another file would open).
   */
  async openFile(relPath: string): Promise<void> {
    const { page } = this;
    await this.quickInput('Control+P');
    await page.keyboard.type(relPath);
    const base = path.basename(relPath);
    const dir = path.dirname(relPath) === '.' ? '' : path.basename(path.dirname(relPath));
    // a file row: its name in .label-name, its folder in .label-description (none at the workspace root)
    await page.waitForFunction(
      ({ base, dir, typed }) => {
        const doc = (globalThis as any).document;
        const input = doc.querySelector('.quick-input-widget .quick-input-box input');
        const row = doc.querySelector('.quick-input-list .monaco-list-row.focused');
        const name = (row?.querySelector('.label-name')?.textContent ?? '').trim();
        const folder = (row?.querySelector('.label-description')?.textContent ?? '').trim();
        return input?.value === typed && name === base && (dir ? folder.split(/[\\/]/).pop() === dir : !folder || folder === '.');
      },
      { base, dir, typed: relPath },
    );
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab.active[aria-label*="${base}"]`).waitFor();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /**
   * Runs a command by its palette title (Ctrl+Shift+P), waiting for its row first, then for
   * the palette to close or to turn into the command's own quick pick.
   */
  async runCommand(title: string): Promise<void> {
    const { page } = this;
    await this.quickInput('Control+Shift+P');
    await page.keyboard.type(title);
    await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first().waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction((typed) => {
      const w: any = (globalThis as any).document.querySelector('.quick-input-widget');
      const input: any = w?.querySelector('.quick-input-box input');
      return !w || w.style.display === 'none' || !w.offsetParent || (input !== null && input.value !== typed && input.value !== `>${typed}`);
    }, title);
  }

  /** Presses a shortcut that opens the quick input and waits until it takes input. */
  private async quickInput(shortcut: string): Promise<void> {
    const { page } = this;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    // the first keystrokes after load can be lost while the workbench restores focus:
    // press until the quick input shows (a state), at most a few times
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press(shortcut);
      try {
        await input.waitFor({ state: 'visible', timeout: 3_000 });
        await page.waitForFunction(() => !!(globalThis as any).document.activeElement?.closest('.quick-input-widget'));
        return;
      } catch {
        await page.keyboard.press('Escape');
      }
    }
    throw new Error(`${shortcut} did not open the quick input`);
  }

  /** Moves the cursor to 1-based line:column with "Go to Line" (Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    const { page } = this;
    await this.quickInput('Control+G');
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.waitForFunction(
      (want) => {
        const el = (globalThis as any).document.querySelector('.statusbar-item[id="status.editor.selection"]');
        return !!el && (el.textContent ?? '').includes(want);
      },
      `Ln ${line}, Col ${column}`,
    );
  }

  /** Opens the Problems panel and returns its rows (all files), parsed. */
  async problems(): Promise<Problem[]> {
    const { page } = this;
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await page.keyboard.press('Control+Shift+M');
      await panel.waitFor();
    }
    // the list renders only the rows in view: when it overflows, maximize the panel
    const overflows = () =>
      page.evaluate(() => {
        const list = (globalThis as any).document.querySelector('.markers-panel .monaco-list');
        const rows = list?.querySelector('.monaco-list-rows');
        return !!list && !!rows && rows.offsetHeight > list.clientHeight;
      });
    const maximize = await overflows();
    if (maximize) {
      await this.runCommand('View: Toggle Maximized Panel');
      await waitUntil('the maximized Problems list to show every row', async () => !(await overflows()), 10_000, 100);
    }
    const rows = await this.problemRows();
    if (maximize) {
      await this.runCommand('View: Toggle Maximized Panel');
      await page.locator('.monaco-editor .view-lines').first().waitFor();
    }
    // rows are absolutely positioned: DOM order is not list order
    rows.sort((x, y) => x.index - y.index);
    const out: Problem[] = [];
    let file = '';
    for (const r of rows) {
      const p = parseProblemRow(r.aria, r.text);
      if (p) out.push({ ...p, file });
      else {
        // "4 problems in file Dockerfile of folder ." / "3 problems in file deployment.yaml of folder k8s"
        const f = / in file (.+) of folder (.+)$/.exec(r.aria);
        if (f) file = f[2] === '.' ? f[1] : `${f[2]}/${f[1]}`;
      }
    }
    return out;
  }

  private problemRows(): Promise<{ index: number; aria: string; text: string }[]> {
    return this.page.$$eval('.markers-panel .monaco-list-row', (els) =>
      els.map((e) => ({
        index: Number(e.getAttribute('data-index') ?? -1),
        aria: e.getAttribute('aria-label') ?? '',
        text: (e as any).innerText,
      })),
    );
  }

  /** Ctrl+. at the cursor: opens the code action menu and returns its actions' titles (in menu order). */
  async openQuickFixMenu(): Promise<string[]> {
    const { page } = this;
    const rows = page.locator('.action-widget .actionList .monaco-list-row.action');
    await page.keyboard.press('Control+.');
    await rows.first().waitFor();
    return (await this.menuItems()).map((i) => i.label);
  }

  /** Picks the open menu's action whose title contains `title`, by keyboard (clicks are blocked by the menu's overlay). */
  async chooseAction(title: string): Promise<void> {
    const { page } = this;
    const items = await this.menuItems();
    const idx = items.findIndex((i) => i.label.includes(title) && !i.disabled);
    if (idx < 0) throw new Error(`no action "${title}" in the menu: ${JSON.stringify(items.map((i) => i.label))}`);
    // the first enabled action has the focus when the menu opens
    const first = items.findIndex((i) => !i.disabled);
    for (let i = first; i < idx; i++) if (!items[i].disabled) await page.keyboard.press('ArrowDown');
    await page.locator('.action-widget .actionList .monaco-list-row.action.focused', { hasText: title }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.action-widget').waitFor({ state: 'hidden' });
  }

  private menuItems(): Promise<{ label: string; disabled: boolean }[]> {
    return this.page.locator('.action-widget .actionList .monaco-list-row.action').evaluateAll((els) =>
      els
        .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
        .map((e) => ({ label: e.getAttribute('aria-label') ?? (e as any).innerText.trim(), disabled: e.classList.contains('option-disabled') })),
    );
  }

  /** Ctrl+S, then waits for the tab to lose its dirty mark and for the file on disk to satisfy `written`. */
  async save(file: string, written: (text: string) => boolean): Promise<string> {
    const { page } = this;
    await page.keyboard.press('Control+S');
    await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
    return waitUntil(`${file} to be written`, () => {
      const text = fs.readFileSync(file, 'utf8');
      return written(text) ? text : undefined;
    }, 10_000, 50);
  }
}

/**
 * A Problems marker row. VS Code 1.100 renders
 *   aria-label: "Warning: <message> at line 9 and character 5. generated by container-tuner"
 *   innerText:  "<message>\ncontainer-tuner\napk-no-cache\n[Ln 9, Col 5]"  (shown as container-tuner(apk-no-cache))
 * File rows ("4 problems in file Dockerfile of folder …") give undefined.
 */
export function parseProblemRow(aria: string, text: string): Omit<Problem, 'file'> | undefined {
  const m = /^(Error|Warning|Info)\b/i.exec(aria);
  const pos = /\[\s*Ln (\d+), Col (\d+)\s*\]/.exec(text) ?? / at line (\d+) and character (\d+)\./.exec(aria);
  if (!m || !pos) return undefined;
  const source = / generated by ([\w.-]+?)\.?$/.exec(aria)?.[1] ?? '';
  // innerText: "<message>\n<source>\n<code>\n[Ln 9, Col 5]" (the parentheses are drawn by CSS)
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const at = lines.findIndex((l) => /^\[Ln \d+, Col \d+\]$/.test(l));
  const code = at >= 2 && lines[at - 2] === source ? lines[at - 1].replace(/^\(|\)$/g, '') : '';
  return {
    severity: m[1].toLowerCase() as Problem['severity'],
    line: Number(pos[1]),
    column: Number(pos[2]),
    code,
    source,
    message: aria.replace(/^(Error|Warning|Info):\s*/i, '').replace(/ at line \d+ and character \d+\. generated by .*$/, ''),
  };
}
