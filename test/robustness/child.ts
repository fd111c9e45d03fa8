// Runs test/robustness/worker.ts in a child process with a kill timeout per
// case: the worker announces each case ({"start": name}) and reports it
// ({"done": name, ...}); a case still running after `caseKillMs` is killed
// and reported as hung, and a fresh child takes the remaining cases. Nothing
// is timed for an assertion: the kill only turns a hang into a failure.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

let bundled: string | undefined;

/** esbuild bundle of worker.ts (the engine included), built once per test file. */
export function workerBundle(): string {
  if (bundled && fs.existsSync(bundled)) return bundled;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-hostile-'));
  const outfile = path.join(dir, 'worker.cjs');
  buildSync({ entryPoints: [path.join(__dirname, 'worker.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'error' });
  bundled = outfile;
  return outfile;
}

export interface Event {
  start?: string;
  done?: string;
  [k: string]: unknown;
}

export interface ChildRun {
  /** Results by case name. */
  done: Map<string, Event>;
  /** Cases killed after the per-case timeout. */
  hung: string[];
  /** Cases whose child died (crash, out of memory) while running them. */
  crashed: { name: string; detail: string }[];
  stderr: string;
}

function once(args: string[], caseKillMs: number, onEvent: (e: Event) => void): Promise<{ running?: string; killed: boolean; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', workerBundle(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let running: string | undefined;
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    let buf = '';
    let stderr = '';
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, caseKillMs);
    };
    arm();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as Event;
        if (e.start) { running = e.start; arm(); }
        if (e.done) running = undefined;
        onEvent(e);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { if (stderr.length < 20_000) stderr += d; });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ running, killed, code, signal, stderr });
    });
  });
}

/** Runs `names` through `worker cases`, restarting after a hang or a crash. */
export async function runCases(names: string[], caseKillMs: number): Promise<ChildRun> {
  const result: ChildRun = { done: new Map(), hung: [], crashed: [], stderr: '' };
  let todo = [...names];
  while (todo.length) {
    const r = await once(['cases', ...todo], caseKillMs, (e) => { if (e.done) result.done.set(e.done, e); });
    result.stderr += r.stderr;
    const stuck = r.running;
    if (stuck) {
      if (r.killed) result.hung.push(stuck);
      else result.crashed.push({ name: stuck, detail: `exit ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}` });
    }
    const next = todo.filter((n) => !result.done.has(n) && !result.hung.includes(n) && !result.crashed.some((c) => c.name === n));
    if (next.length === todo.length) {
      // the child died before starting anything: report them all
      for (const n of next) result.crashed.push({ name: n, detail: `child exited ${r.code ?? r.signal} before the case: ${r.stderr.slice(-2000)}` });
      break;
    }
    todo = next;
  }
  return result;
}

/**
 * Runs one of the worker's sweeps, events in order: `regex n slots...` (every rule on adversarial
 * strings of n characters in each slot) or `scale reps names...` (each SCALING input linted at n and 4n).
 */
export async function runSweep(mode: 'regex' | 'scale', count: number, names: string[], caseKillMs: number): Promise<{ events: Event[]; hung?: string; crashed?: string }> {
  const events: Event[] = [];
  const r = await once([mode, String(count), ...names], caseKillMs, (e) => events.push(e));
  if (r.running) return r.killed ? { events, hung: r.running } : { events, crashed: `${r.running}: exit ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}` };
  if (r.code !== 0) return { events, crashed: `exit ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}` };
  return { events };
}
