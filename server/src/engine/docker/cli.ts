// The Docker adapter: runs the `docker` CLI (never a shell) with a timeout, an
// output cap and cancellation, and turns what it prints into typed results or
// classified failures with actionable messages. Everything that talks to a
// Docker engine goes through `runDocker`: the "Pin to digest" quick-fix and the
// FROM hover (`image inspect`), the layer panel (`history`), image analysis
// (`image ls`, `save`).
//
// Safety: arguments are passed as an array to `spawn(dockerPath, args, { shell: false })`,
// so an image reference such as `x;touch /tmp/pwned` reaches docker as one
// argument; helpers put `--` before user-controlled operands so a reference
// such as `--help` is not read as a flag. `dockerPath` comes from the editor
// setting `containerTuner.docker.path` only (restricted in untrusted
// workspaces, never from `.container-tuner.yaml`).
import { spawn, type ChildProcess } from 'node:child_process';
import { parseImageRef } from '../images';

export type DockerFailureKind =
  | 'not-installed'
  | 'daemon-down'
  | 'permission-denied'
  | 'timeout'
  | 'not-found'
  | 'bad-output'
  | 'failed'
  | 'cancelled';

export interface DockerFailure {
  ok: false;
  kind: DockerFailureKind;
  /** What happened and what to do, for people; ends with the CLI's own error line when there is one. */
  message: string;
  /** The CLI's own error line (first meaningful stderr line), when it printed one. */
  detail?: string;
  exitCode?: number | null;
  stderr?: string;
}

export interface DockerOutput {
  ok: true;
  stdout: string;
  stderr: string;
}

export type DockerRun = DockerOutput | DockerFailure;
export type DockerResult<T> = { ok: true; value: T } | DockerFailure;

export interface DockerOptions {
  /** The docker executable (setting `containerTuner.docker.path`); default `docker` from PATH. */
  dockerPath?: string;
  /** Stop the command after this long (SIGTERM to its process group, SIGKILL after `killGraceMs`). Default 10 s. */
  timeoutMs?: number;
  /** Stop reading and fail with 'bad-output' when stdout grows past this. Default 32 MiB. */
  maxOutputBytes?: number;
  /** Aborting stops the command; the result is a 'cancelled' failure. */
  signal?: AbortSignal;
  /** Environment of the command; default `process.env` (so DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG apply). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Time between SIGTERM and SIGKILL when stopping. Default 1 s. */
  killGraceMs?: number;
  /** Streams stdout to this callback instead of collecting it (no output cap then), e.g. for `docker save`. */
  onStdout?: (chunk: Buffer) => void;
}

export const DEFAULT_DOCKER_PATH = 'docker';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
const STDERR_CAP = 64 * 1024;
const DEFAULT_KILL_GRACE_MS = 1000;

function failure(kind: DockerFailureKind, message: string, extra: Partial<DockerFailure> = {}): DockerFailure {
  return { ok: false, kind, message, ...extra };
}

/** Stops the command and everything it started (its process group on POSIX, its tree on Windows). */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    if (signal === 'SIGKILL') {
      const k = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { shell: false, stdio: 'ignore', windowsHide: true });
      k.on('error', () => undefined);
    } else child.kill(signal);
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** The CLI's own error line: the first stderr line that says something (not a usage hint). */
export function errorLine(stderr: string): string | undefined {
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || /^See '.*--help'\.?$/.test(line) || /^Usage:/.test(line)) continue;
    return line.length > 400 ? line.slice(0, 400) + '…' : line;
  }
  return undefined;
}

const DAEMON_DOWN = [
  /Cannot connect to the Docker daemon/i,
  /Is the docker daemon running\?/i,
  /docker daemon is not running/i,
  /error during connect/i,
  /dial (unix|tcp|npipe)[^:]*:.*(connection refused|no such file or directory|cannot find the file)/i,
  /open \/\/\.\/pipe\/docker_engine/i,
];
const PERMISSION_DENIED = [/permission denied while trying to connect to the Docker daemon/i, /Got permission denied/i, /connect: permission denied/i];
const NOT_FOUND = [/No such image/i, /No such object/i, /invalid reference format/i, /manifest unknown/i, /reference does not exist/i];

/** Classifies a finished command's failure from its exit and stderr. */
export function classifyFailure(args: string[], exitCode: number | null, stderr: string): DockerFailure {
  const detail = errorLine(stderr);
  const tail = detail ? ` (docker: ${detail})` : '';
  const extra = { detail, exitCode, stderr: stderr.slice(0, STDERR_CAP) };
  if (PERMISSION_DENIED.some((re) => re.test(stderr))) {
    return failure('permission-denied', `No permission to use the Docker daemon's socket: add your user to the \`docker\` group (\`sudo usermod -aG docker $USER\`, then log in again) or use rootless Docker${tail}`, extra);
  }
  if (DAEMON_DOWN.some((re) => re.test(stderr))) {
    return failure('daemon-down', `Docker is not running: start Docker Desktop or \`sudo systemctl start docker\` (and check DOCKER_HOST / the docker context)${tail}`, extra);
  }
  if (NOT_FOUND.some((re) => re.test(stderr))) {
    return failure('not-found', `Not found by Docker${tail}`, extra);
  }
  return failure('failed', `\`docker ${describeArgs(args)}\` failed with exit code ${exitCode}${tail}`, extra);
}

function describeArgs(args: string[]): string {
  const words = args.filter((a) => !a.startsWith('-')).slice(0, 2);
  return words.join(' ') || args.slice(0, 1).join(' ');
}

/**
 * Runs `docker <args>` without a shell. Resolves (never rejects) with the
 * output or a classified failure; the command is stopped on timeout, on
 * cancellation and when its output passes the cap.
 */
export function runDocker(args: string[], opts: DockerOptions = {}): Promise<DockerRun> {
  const dockerPath = opts.dockerPath || DEFAULT_DOCKER_PATH;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOut = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    return Promise.resolve(failure('failed', 'runDocker: arguments must be an array of strings'));
  }
  if (opts.signal?.aborted) return Promise.resolve(failure('cancelled', `\`docker ${describeArgs(args)}\` was cancelled before it started`));

  return new Promise<DockerRun>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(dockerPath, args, {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        // its own process group, so a timeout stops whatever it started too
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (e) {
      // e.g. an argument with a NUL byte
      resolve(failure('failed', `Could not run \`${dockerPath}\`: ${(e as Error).message}`));
      return;
    }

    const out: Buffer[] = [];
    let outBytes = 0;
    const err: Buffer[] = [];
    let errBytes = 0;
    let spawnError: NodeJS.ErrnoException | undefined;
    let stopReason: 'timeout' | 'cancelled' | 'too-big' | undefined;
    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    let hardTimer: NodeJS.Timeout | undefined;

    const stop = (reason: 'timeout' | 'cancelled' | 'too-big') => {
      if (stopReason || done) return;
      stopReason = reason;
      killTree(child, 'SIGTERM');
      killTimer = setTimeout(() => {
        killTree(child, 'SIGKILL');
        // a grandchild that left the group may hold the pipes open: do not wait for it
        hardTimer = setTimeout(() => finish(null), grace);
      }, grace);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (c: Buffer) => {
      if (stopReason) return;
      if (opts.onStdout) {
        opts.onStdout(c);
        return;
      }
      outBytes += c.length;
      if (outBytes > maxOut) {
        stop('too-big');
        return;
      }
      out.push(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (errBytes >= STDERR_CAP) return;
      err.push(c);
      errBytes += c.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      if (child.pid === undefined) finish(null);
    });
    child.on('close', (code: number | null) => finish(code));

    function finish(code: number | null): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (hardTimer) clearTimeout(hardTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (stopReason) {
        // the leader is gone; make sure nothing of its group survives
        killTree(child, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
      const stderr = Buffer.concat(err).toString('utf8');
      const what = describeArgs(args);
      if (spawnError && child.pid === undefined) {
        if (spawnError.code === 'ENOENT') {
          resolve(failure('not-installed', `Docker CLI not found (\`${dockerPath}\`): install Docker, or set \`containerTuner.docker.path\` to the docker executable`));
        } else if (spawnError.code === 'EACCES') {
          resolve(failure('not-installed', `\`${dockerPath}\` cannot be executed (permission denied): set \`containerTuner.docker.path\` to the docker executable`));
        } else {
          resolve(failure('failed', `Could not run \`${dockerPath}\`: ${spawnError.message}`));
        }
        return;
      }
      if (stopReason === 'cancelled') {
        resolve(failure('cancelled', `\`docker ${what}\` was cancelled`, { stderr }));
      } else if (stopReason === 'timeout') {
        resolve(failure('timeout', `\`docker ${what}\` did not finish within ${timeoutMs} ms and was stopped: the Docker daemon may be hung or busy (restart Docker, or raise \`containerTuner.docker.timeoutMs\`)`, { stderr, detail: errorLine(stderr) }));
      } else if (stopReason === 'too-big') {
        resolve(failure('bad-output', `\`docker ${what}\` printed more than ${maxOut} bytes; stopped reading`, { stderr }));
      } else if (code === 0) {
        resolve({ ok: true, stdout: Buffer.concat(out).toString('utf8'), stderr });
      } else {
        resolve(classifyFailure(args, code, stderr));
      }
    }
  });
}

function parseJson(stdout: string, what: string): { ok: true; value: unknown } | DockerFailure {
  try {
    return { ok: true, value: JSON.parse(stdout) };
  } catch (e) {
    const head = stdout.trim().slice(0, 80);
    return failure('bad-output', `\`docker ${what}\` printed something that is not JSON (${(e as Error).message}): ${JSON.stringify(head)}`);
  }
}

// ---------------------------------------------------------------------------
// docker version

export interface DockerVersion {
  client?: string;
  server: string;
  /** API version the daemon speaks. */
  apiVersion?: string;
  os?: string;
  arch?: string;
}

/** `docker version`: answers only when the daemon does (a down daemon is 'daemon-down'). */
export async function dockerVersion(opts: DockerOptions = {}): Promise<DockerResult<DockerVersion>> {
  const r = await runDocker(['version', '--format', '{{json .}}'], opts);
  if (!r.ok) return r;
  const j = parseJson(r.stdout, 'version');
  if (!j.ok) return j;
  const v = j.value as { Client?: { Version?: unknown }; Server?: { Version?: unknown; ApiVersion?: unknown; Os?: unknown; Arch?: unknown } | null };
  const server = v && typeof v === 'object' ? v.Server : undefined;
  if (!server || typeof server.Version !== 'string') return failure('bad-output', '`docker version` printed no server version');
  return {
    ok: true,
    value: {
      client: typeof v.Client?.Version === 'string' ? v.Client.Version : undefined,
      server: server.Version,
      apiVersion: typeof server.ApiVersion === 'string' ? server.ApiVersion : undefined,
      os: typeof server.Os === 'string' ? server.Os : undefined,
      arch: typeof server.Arch === 'string' ? server.Arch : undefined,
    },
  };
}

// ---------------------------------------------------------------------------
// docker image inspect

/** The fields of `docker image inspect` the tools use (Docker's own names). */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  /** `repo@sha256:…` for each repository the image was pushed to or pulled from; empty for a local build. */
  RepoDigests: string[];
  /** Uncompressed size in bytes. */
  Size: number;
  Os: string;
  Architecture: string;
  Variant?: string;
  /** RFC 3339. */
  Created: string;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads one image object of `docker image inspect` output; undefined when it is not one. */
export function parseImageInspect(v: unknown): ImageInspect | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.Id !== 'string' || !o.Id) return undefined;
  return {
    Id: o.Id,
    RepoTags: strings(o.RepoTags),
    RepoDigests: strings(o.RepoDigests),
    Size: typeof o.Size === 'number' && Number.isFinite(o.Size) ? o.Size : 0,
    Os: typeof o.Os === 'string' ? o.Os : '',
    Architecture: typeof o.Architecture === 'string' ? o.Architecture : '',
    Variant: typeof o.Variant === 'string' && o.Variant ? o.Variant : undefined,
    Created: typeof o.Created === 'string' ? o.Created : '',
  };
}

/** `docker image inspect <ref>` of a local image (never pulls). A missing image is 'not-found'. */
export async function imageInspect(ref: string, opts: DockerOptions = {}): Promise<DockerResult<ImageInspect>> {
  if (typeof ref !== 'string' || !ref.trim()) return failure('not-found', 'No image reference given');
  const r = await runDocker(['image', 'inspect', '--', ref], opts);
  if (!r.ok) {
    if (r.kind === 'not-found') return { ...r, message: `No local image \`${ref}\` (nothing is pulled)${r.detail ? ` (docker: ${r.detail})` : ''}` };
    return r;
  }
  const j = parseJson(r.stdout, 'image inspect');
  if (!j.ok) return j;
  if (!Array.isArray(j.value)) return failure('bad-output', '`docker image inspect` did not print a JSON array');
  if (!j.value.length) return failure('not-found', `No local image \`${ref}\``);
  const info = parseImageInspect(j.value[0]);
  if (!info) return failure('bad-output', '`docker image inspect` printed an object without an image Id');
  return { ok: true, value: info };
}

// ---------------------------------------------------------------------------
// RepoDigests

/** Registry and repository of a reference, normalised (`docker.io/library/alpine` = `alpine`). */
export function repositoryKey(ref: string): string {
  const r = parseImageRef(ref);
  return (r.registry ? r.registry.toLowerCase() + '/' : '') + r.repository;
}

/**
 * The RepoDigest (`name@sha256:…`) among `repoDigests` whose repository is the
 * reference's (`alpine:3.20` ↔ `alpine@sha256:…` or `docker.io/library/alpine@sha256:…`).
 */
export function pickRepoDigest(ref: string, repoDigests: string[]): string | undefined {
  const key = repositoryKey(ref);
  return repoDigests.find((d) => d.includes('@') && repositoryKey(d.slice(0, d.indexOf('@'))) === key && /@sha256:[0-9a-f]{64}$/.test(d));
}

export interface RepoDigest {
  /** `sha256:<64 hex>`. */
  digest: string;
  /** As Docker recorded it: `alpine@sha256:…`. */
  repoDigest: string;
  image: ImageInspect;
}

/** The digest of a local image's RepoDigest for the reference's own repository; `value` undefined when it has none (built locally, never pushed or pulled). */
export function repoDigestFrom(ref: string, image: ImageInspect): RepoDigest | undefined {
  const repoDigest = pickRepoDigest(ref, image.RepoDigests);
  if (!repoDigest) return undefined;
  return { digest: repoDigest.slice(repoDigest.indexOf('@') + 1), repoDigest, image };
}

/** `imageInspect` + `repoDigestFrom`: never touches the network. */
export async function repoDigestFor(ref: string, opts: DockerOptions = {}): Promise<DockerResult<RepoDigest | undefined>> {
  const r = await imageInspect(ref, opts);
  if (!r.ok) return r;
  return { ok: true, value: repoDigestFrom(ref, r.value) };
}

// ---------------------------------------------------------------------------
// A short-lived cache for editor features (quick-fixes, hovers)

interface CacheEntry {
  at: number;
  result?: DockerResult<ImageInspect>;
  pending?: Promise<DockerResult<ImageInspect>>;
}

/**
 * `imageInspect` answers per reference, kept `ttlMs` (a minute) when Docker
 * answered or timed out and `failureTtlMs` (10 s) when it could not be reached
 * (not installed, daemon down: the user may be starting it), so that
 * moving the cursor does not spawn docker again and again. Concurrent callers
 * share one command. Keyed by docker path, DOCKER_HOST/DOCKER_CONTEXT and the reference.
 */
export class ImageInspectCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly failureTtlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key(ref: string, opts: DockerOptions): string {
    const env = opts.env ?? process.env;
    return [opts.dockerPath || DEFAULT_DOCKER_PATH, env.DOCKER_HOST ?? '', env.DOCKER_CONTEXT ?? '', ref].join('\0');
  }

  private fresh(e: CacheEntry | undefined): DockerResult<ImageInspect> | undefined {
    if (!e?.result) return undefined;
    const r = e.result;
    // a hung daemon would cost every lookup the whole timeout: remember that as long as an answer
    const ttl = r.ok || r.kind === 'not-found' || r.kind === 'timeout' ? this.ttlMs : this.failureTtlMs;
    return this.now() - e.at < ttl ? r : undefined;
  }

  /** The cached answer for `ref`, when there is a fresh one. */
  peek(ref: string, opts: DockerOptions = {}): DockerResult<ImageInspect> | undefined {
    return this.fresh(this.entries.get(this.key(ref, opts)));
  }

  /** The cached answer, or `docker image inspect` now (one command for concurrent callers). */
  get(ref: string, opts: DockerOptions = {}): Promise<DockerResult<ImageInspect>> {
    const key = this.key(ref, opts);
    const e = this.entries.get(key);
    const hit = this.fresh(e);
    if (hit) return Promise.resolve(hit);
    if (e?.pending) return e.pending;
    const pending = imageInspect(ref, { ...opts, signal: undefined }).then((result) => {
      if (result.ok || result.kind !== 'cancelled') this.entries.set(key, { at: this.now(), result });
      else this.entries.delete(key);
      return result;
    });
    if (this.entries.size >= 500) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { at: this.now(), pending });
    return pending;
  }

  clear(): void {
    this.entries.clear();
  }
}
