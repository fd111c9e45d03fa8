// Reading images: `docker history`, `docker image inspect` and `docker image ls`
// through the Docker adapter (../docker/cli.ts: argument arrays, timeouts,
// classified failures), and the normalisation of each history row's
// `CreatedBy` text for both builders so that the matcher (match.ts) can
// compare it with a Dockerfile instruction.
//
// `docker history --no-trunc --human=false --format '{{json .}}' IMAGE` prints
// one JSON object per line, newest first, every field a string: ID
// (`sha256:…` or `<missing>`), CreatedAt (RFC 3339), CreatedSince, CreatedBy,
// Size (bytes, with --human=false), Comment (`buildkit.dockerfile.v0` for
// BuildKit, `Imported from -` for `docker import`, '' for the classic builder).
//
// `CreatedBy`, as the two builders write it (all seen on Docker Engine 20.10,
// recorded in test/layers/fixtures):
//   classic   RUN shell form   `/bin/sh -c <cmd>`  (Windows: `cmd /S /C <cmd>`; a SHELL: its words)
//             RUN with ARGs    `|2 FLAVOR=plain VERSION=1.0 /bin/sh -c <cmd>`  (args sorted by name)
//             RUN exec form    `/bin/busybox --install -s /bin`  (the words, space-joined)
//             metadata         `/bin/sh -c #(nop)  CMD ["/srv/app"]`, `#(nop)  ENV A=1 B=2`,
//                              `#(nop) WORKDIR /srv`, `#(nop)  EXPOSE 8080`, `#(nop)  LABEL k=v` (quotes removed)
//             COPY/ADD         `/bin/sh -c #(nop) COPY file:<sha256> in /dst ` (`dir:`, `multi:`);
//                              flags glued to the hash: `COPY --chown=1000:1000file:<sha256> in /srv/app `
//   BuildKit  RUN              `RUN /bin/sh -c <cmd> # buildkit`, `RUN |2 TARGETOS=linux TARGETARCH=amd64 /bin/sh -c <cmd> # buildkit`
//                              (args in declaration order; exec form `RUN go build … # buildkit`;
//                              `--mount`/`--network` flags are not recorded; a heredoc records its body)
//             COPY/ADD         `COPY src… dest # buildkit` (no `--from`, `--link`; newer versions may keep `--chown=`/`--chmod=`)
//             metadata         `WORKDIR /srv`, `ENV A=1 B=2`, `CMD ["/srv/app"]`, `EXPOSE map[8080/tcp:{}]`, `ARG TARGETOS`
//   others    `docker import`  '' (Comment `Imported from -`); Windows bases `Apply image 10.0.17763.…`
import type { DockerFailure, DockerOptions } from '../docker/cli';
import { parseImageInspect, runDocker, type ImageInspect } from '../docker/cli';

/** One row of `docker history`, newest first as Docker prints them. */
export interface HistoryRow {
  /** `sha256:…`, or `<missing>` for layers without a local image (BuildKit-built or pulled). */
  id: string;
  /** RFC 3339. */
  createdAt: string;
  createdBy: string;
  /** Uncompressed layer size in bytes (0 for metadata instructions). */
  size: number;
  comment: string;
}

export type Builder = 'classic' | 'buildkit' | 'other';

/** What a history row says about the instruction that made it. */
export interface HistoryCommand {
  builder: Builder;
  /**
   * The Dockerfile keyword (RUN, COPY, ADD, ENV, …) or '' when the row was not
   * made by a Dockerfile instruction (`docker import`, `docker commit`, a
   * Windows base layer).
   */
  keyword: string;
  /**
   * The arguments as the matcher compares them (whitespace not yet collapsed):
   * RUN: the command (shell prefix and build args removed; exec form: the words);
   * COPY/ADD: `src… dest` (BuildKit) or `dest` (classic, which records a content hash instead of sources);
   * metadata: the argument text as recorded.
   */
  args: string;
  /** RUN: `|N K=V …` build args in effect. */
  buildArgs?: Record<string, string>;
  /** RUN: the shell prefix it ran through (`/bin/sh -c`, `cmd /S /C`), undefined for exec form. */
  shell?: string;
  /** COPY/ADD: the sources as recorded (BuildKit only). */
  sources?: string[];
  /** COPY/ADD: the destination. */
  dest?: string;
  /** COPY/ADD classic: `file:<sha256>`, `dir:<sha256>` or `multi:<sha256>`. */
  hash?: string;
  /** COPY/ADD: recorded flags (`--chown=1000:1000`, `--chmod=755`). */
  flags?: string[];
}

export const BUILDKIT_COMMENT = 'buildkit.dockerfile.v0';
const BUILDKIT_SUFFIX = ' # buildkit';
/** Shells Docker puts before a shell-form RUN: Linux default, Windows default. */
export const DEFAULT_SHELLS = ['/bin/sh -c', 'cmd /S /C'];
const METADATA = ['ENV', 'LABEL', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'USER', 'ARG', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'VOLUME', 'WORKDIR', 'MAINTAINER'];
const KEYWORDS = new Set(['RUN', 'COPY', 'ADD', ...METADATA]);

export class HistoryParseError extends Error {}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/**
 * Parses the output of `docker history --no-trunc --human=false --format '{{json .}}'`.
 * Throws HistoryParseError on anything else (a line that is not a JSON object
 * with `CreatedBy`, a human-readable size): garbage is never turned into numbers.
 */
export function parseHistory(stdout: string): HistoryRow[] {
  const rows: HistoryRow[] = [];
  const lines = stdout.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      throw new HistoryParseError(`line ${i + 1} of \`docker history\` is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o) || !('CreatedBy' in o)) {
      throw new HistoryParseError(`line ${i + 1} of \`docker history\` is not a history entry: ${JSON.stringify(line.slice(0, 80))}`);
    }
    const r = o as Record<string, unknown>;
    const sizeText = str(r.Size).trim();
    if (!/^\d+$/.test(sizeText)) {
      throw new HistoryParseError(`line ${i + 1} of \`docker history\` has a size that is not a byte count (${JSON.stringify(sizeText)}; was --human=false given?)`);
    }
    rows.push({ id: str(r.ID), createdAt: str(r.CreatedAt), createdBy: str(r.CreatedBy), size: Number(sizeText), comment: str(r.Comment) });
  }
  return rows;
}

/** Splits `K=V K2=V2 …` (values may hold spaces) into a record. */
function splitAssignments(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g;
  const hits: { name: string; start: number; valueStart: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) hits.push({ name: m[1], start: m.index, valueStart: m.index + m[0].length });
  for (let i = 0; i < hits.length; i++) {
    const end = i + 1 < hits.length ? hits[i + 1].start : s.length;
    out[hits[i].name] = s.slice(hits[i].valueStart, end);
  }
  return out;
}

/**
 * Reads a RUN command line: an optional `|N K=V …` build-args prefix, then a
 * shell prefix (one of `shells`) or exec-form words.
 */
function parseRun(text: string, shells: string[]): Pick<HistoryCommand, 'args' | 'buildArgs' | 'shell'> {
  let rest = text;
  let buildArgs: Record<string, string> | undefined;
  const pre = /^\|(\d+) /.exec(rest);
  if (pre) {
    const n = Number(pre[1]);
    rest = rest.slice(pre[0].length);
    buildArgs = {};
    if (n > 0) {
      // the args end where the shell starts (values may hold spaces); exec form: the first n words
      let cut = -1;
      for (const sh of shells) {
        const k = rest.indexOf(' ' + sh + ' ');
        const k2 = rest.endsWith(' ' + sh) ? rest.length - sh.length - 1 : -1;
        for (const c of [k, k2]) if (c >= 0 && (cut < 0 || c < cut)) cut = c;
      }
      if (cut >= 0) {
        buildArgs = splitAssignments(rest.slice(0, cut));
        rest = rest.slice(cut + 1);
      } else {
        const words = rest.split(' ');
        buildArgs = splitAssignments(words.slice(0, n).join(' '));
        rest = words.slice(n).join(' ');
      }
    }
  }
  for (const sh of shells) {
    if (rest === sh) return { args: '', buildArgs, shell: sh };
    if (rest.startsWith(sh + ' ')) return { args: rest.slice(sh.length + 1), buildArgs, shell: sh };
  }
  return { args: rest, buildArgs };
}

function parseCopyClassic(keyword: string, rest: string): HistoryCommand {
  // `COPY --chown=1000:1000file:<sha> in /dst ` (flags glued to the hash) or `COPY file:<sha> in /dst `
  const m = /^(.*?)((?:file|dir|multi):[0-9a-f]+) in (.*?)\s*$/s.exec(rest);
  if (m) {
    const flags = m[1].split(/(?=--)/).map((f) => f.trim()).filter(Boolean);
    return { builder: 'classic', keyword, args: m[3], dest: m[3], hash: m[2], flags };
  }
  const m2 = /^(.*) in (.*?)\s*$/s.exec(rest);
  if (m2) return { builder: 'classic', keyword, args: m2[2], dest: m2[2], hash: m2[1].trim(), flags: [] };
  return { builder: 'classic', keyword, args: rest.trim(), flags: [] };
}

/** Splits BuildKit's `COPY [--chown=…] src… dest` text; sources with spaces are not told apart. */
function parseCopyBuildkit(keyword: string, rest: string): HistoryCommand {
  const words = rest.trim().split(/ +/).filter(Boolean);
  const flags: string[] = [];
  while (words.length && words[0].startsWith('--')) flags.push(words.shift()!);
  const dest = words.length ? words[words.length - 1] : '';
  const sources = words.slice(0, -1);
  return { builder: 'buildkit', keyword, args: [...sources, dest].join(' '), sources, dest, flags };
}

/**
 * What a `CreatedBy` text says about the instruction that made the row.
 * `shells` are the shell prefixes a RUN may carry: Docker's defaults plus the
 * words of the Dockerfile's SHELL instructions (`powershell -Command`).
 */
export function parseCreatedBy(createdBy: string, comment = '', shells: string[] = DEFAULT_SHELLS): HistoryCommand {
  const text = createdBy;
  const buildkit = comment === BUILDKIT_COMMENT || text.endsWith(BUILDKIT_SUFFIX);
  if (buildkit) {
    let body = text.endsWith(BUILDKIT_SUFFIX) ? text.slice(0, -BUILDKIT_SUFFIX.length) : text;
    const kw = /^([A-Z]+)(?: |$)/.exec(body);
    const keyword = kw && KEYWORDS.has(kw[1]) ? kw[1] : '';
    if (!keyword) return { builder: 'buildkit', keyword: '', args: text };
    body = body.slice(kw![0].length);
    if (keyword === 'RUN') return { builder: 'buildkit', keyword, ...parseRun(body, shells) };
    if (keyword === 'COPY' || keyword === 'ADD') return parseCopyBuildkit(keyword, body);
    return { builder: 'buildkit', keyword, args: body };
  }
  if (!text.trim()) return { builder: 'other', keyword: '', args: '' };
  if (/^Apply image /.test(text)) return { builder: 'other', keyword: '', args: text };
  // classic: `[|N args ]<shell> #(nop) <KEYWORD> …` for metadata and COPY/ADD, `<shell> <cmd>` for RUN
  for (const sh of shells) {
    const nop = text.indexOf(sh + ' #(nop) ');
    if (nop === 0 || (nop > 0 && text.startsWith('|'))) {
      const rest = text.slice(nop + sh.length + ' #(nop) '.length).replace(/^\s+/, '');
      const kw = /^([A-Z]+)(?: |$)/.exec(rest);
      const keyword = kw && KEYWORDS.has(kw[1]) ? kw[1] : '';
      if (!keyword) return { builder: 'classic', keyword: '', args: rest };
      const after = rest.slice(kw![0].length);
      if (keyword === 'COPY' || keyword === 'ADD') return parseCopyClassic(keyword, after);
      return { builder: 'classic', keyword, args: after };
    }
  }
  return { builder: 'classic', keyword: 'RUN', ...parseRun(text, shells) };
}

// ---------------------------------------------------------------------------
// Talking to Docker

export type DockerRead<T> = { ok: true; value: T } | DockerFailure;

/** `docker history` of one image (by id or reference), newest first. */
export async function readHistory(ref: string, opts: DockerOptions = {}): Promise<DockerRead<HistoryRow[]>> {
  const r = await runDocker(['history', '--no-trunc', '--human=false', '--format', '{{json .}}', '--', ref], opts);
  if (!r.ok) return r;
  try {
    return { ok: true, value: parseHistory(r.stdout) };
  } catch (e) {
    return { ok: false, kind: 'bad-output', message: `\`docker history\` printed something unexpected: ${(e as Error).message}` };
  }
}

/**
 * `docker image inspect` of several local images at once (ids or references).
 * Images that are not there are left out (Docker prints the others and fails
 * with "No such image" for the missing ones).
 */
export async function inspectImages(refs: string[], opts: DockerOptions = {}): Promise<DockerRead<ImageInspect[]>> {
  if (!refs.length) return { ok: true, value: [] };
  const r = await runDocker(['image', 'inspect', '--', ...refs], opts);
  let stdout: string;
  if (r.ok) stdout = r.stdout;
  else if (r.kind === 'not-found') {
    // Docker fails the whole command when one is missing: ask for each one
    if (refs.length === 1) return { ok: true, value: [] };
    const each = await Promise.all(refs.map((ref) => inspectImages([ref], opts)));
    const fail = each.find((x) => !x.ok);
    if (fail && !fail.ok && fail.kind !== 'not-found') return fail;
    return { ok: true, value: each.flatMap((x) => (x.ok ? x.value : [])) };
  } else return r;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (e) {
    return { ok: false, kind: 'bad-output', message: `\`docker image inspect\` printed something that is not JSON: ${JSON.stringify(stdout.trim().slice(0, 80))}` };
  }
  if (!Array.isArray(parsed)) return { ok: false, kind: 'bad-output', message: '`docker image inspect` did not print a JSON array' };
  const out: ImageInspect[] = [];
  for (const v of parsed) {
    const info = parseImageInspect(v);
    if (info) out.push(info);
  }
  return { ok: true, value: out };
}

/** One local image as `docker image ls --no-trunc --format '{{json .}}'` lists it. */
export interface ImageListEntry {
  /** `sha256:…` (full id). */
  id: string;
  /** `repo:tag`, or undefined for an untagged (dangling) image. */
  ref?: string;
  repository: string;
  tag: string;
  /** As Docker prints it (`2026-11-23 11:08:35 +0000 UTC`). */
  createdAt: string;
  /** Milliseconds since the epoch (NaN when unreadable). */
  created: number;
}

/** Docker's `CreatedAt` of `image ls` (`2026-11-23 11:08:35 +0000 UTC`) or RFC 3339, in ms. */
export function parseDockerTime(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? ([+-]\d{2})(\d{2})/.exec(s);
  if (m) return Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  return Date.parse(s);
}

export function parseImageList(stdout: string): ImageListEntry[] {
  const out: ImageListEntry[] = [];
  const lines = stdout.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      throw new HistoryParseError(`line ${i + 1} of \`docker image ls\` is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (!o || typeof o !== 'object' || typeof o.ID !== 'string') throw new HistoryParseError(`line ${i + 1} of \`docker image ls\` has no ID`);
    const id = o.ID.includes(':') ? o.ID : `sha256:${o.ID}`;
    const repository = str(o.Repository);
    const tag = str(o.Tag);
    const ref = repository && repository !== '<none>' && tag && tag !== '<none>' ? `${repository}:${tag}` : undefined;
    const createdAt = str(o.CreatedAt);
    out.push({ id, ref, repository, tag, createdAt, created: parseDockerTime(createdAt) });
  }
  return out;
}

/** Every local image (one entry per tag; untagged images once). */
export async function listImages(opts: DockerOptions = {}): Promise<DockerRead<ImageListEntry[]>> {
  const r = await runDocker(['image', 'ls', '--no-trunc', '--format', '{{json .}}'], opts);
  if (!r.ok) return r;
  try {
    return { ok: true, value: parseImageList(r.stdout) };
  } catch (e) {
    return { ok: false, kind: 'bad-output', message: `\`docker image ls\` printed something unexpected: ${(e as Error).message}` };
  }
}
