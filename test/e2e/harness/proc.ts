// Child processes for the e2e and packaging tests: always an argument array, always a timeout.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` to completion; rejects on timeout (killing it) and, unless `allowFail`, on a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { timeoutMs: number; allowFail?: boolean; input?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs} ms\nstdout: ${stdout.slice(-4000)}\nstderr: ${stderr.slice(-4000)}`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const r = { code, signal, stdout, stderr };
      if (code !== 0 && !opts.allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}\nstdout: ${stdout.slice(-4000)}\nstderr: ${stderr.slice(-4000)}`));
      } else resolve(r);
    });
    child.stdin!.end(opts.input ?? '');
  });
}

/** Signals a child's whole process group (children spawned with `detached: true` lead their own group). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Resolves when the child has exited, or after `ms` (then false). */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * Polls `check` until it returns a truthy value (a state, not a sleep: the interval only
 * paces the polling). Rejects with `what` and the last error after `timeoutMs`.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message ?? last}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
