// Matching `docker history` rows to the instructions of a Dockerfile stage,
// and picking the local image built from a Dockerfile.
//
// ## Row ↔ instruction score (0 … 1)
// Keywords must agree (a RUN row only ever matches a RUN instruction), then:
//   - 1.0   the normalised texts are equal: RUN command (build-args prefix,
//           shell prefix and RUN flags such as --mount removed, whitespace
//           collapsed; a heredoc RUN compares its body), COPY/ADD `src… dest`
//           (BuildKit) or `dest` + recorded --chown (classic, which records a
//           content hash instead of the sources), metadata arguments
//           (ENV/LABEL/ARG as `K=V`, EXPOSE as a port set, CMD/ENTRYPOINT/
//           SHELL/VOLUME as a word list, WORKDIR/USER/STOPSIGNAL unquoted and
//           ENV-expanded, WORKDIR as the absolute directory).
//   - RUN otherwise: 0.35 + 0.6 × Dice similarity of the command words
//           (0.9 for equal text when the line has flags such as --mount that
//           only BuildKit builds but the row is the classic builder's).
//   - COPY/ADD otherwise: same destination 0.6 + 0.35 × Dice(sources);
//           another destination 0.35 + 0.3 × Dice(all words).
//   - metadata otherwise: same names (ENV/LABEL/ARG keys, EXPOSE, …) 0.7,
//           else 0.35 + 0.3 × Dice.
// A pair scoring below 1 is a match whose line was edited since the build
// (`changed` in the table); pairs below MATCH_MIN (0.35) never match.
//
// ## Alignment (order)
// Rows (oldest first) are aligned with the stage's instructions (its ancestry
// of stages included: `FROM build` images contain the `build` stage's rows)
// keeping both orders (a dynamic programme, maximising the sum of the pair
// scores minus ORPHAN_PENALTY (0.4) per row above the base that matches no
// instruction). The rows below the first matched row are the base image's;
// when the base image is local and its own history is the bottom of this
// image's history, exactly those rows are the base.
//
// ## Image score
// (Σ pair scores − 0.4 × unmatched rows above the base) / number of
// instructions, clamped to 0 … 1; minus BASE_MISMATCH_PENALTY (0.25) when the
// base image is local and its history is not the bottom of the candidate's
// (built FROM another image, or an older build of the base). Automatic matching takes the best local
// image scoring at least AUTO_MATCH_MIN (0.5); ties go to the image remembered
// for the Dockerfile, then to the newest.
import * as path from 'node:path';
import { envAt, expandVariables, heredocsOf, workdirAt, type DockerfileModel, type InstructionInfo, type Stage } from '../dockerfile/model';
import { tokenize } from '../dockerfile/shell';
import { DEFAULT_SHELLS, parseCreatedBy, type HistoryCommand, type HistoryRow } from './history';
import { KeyMemo } from '../memo';

export const MATCH_MIN = 0.35;
export const ORPHAN_PENALTY = 0.4;
export const AUTO_MATCH_MIN = 0.5;
export const BASE_MISMATCH_PENALTY = 0.25;

/** Keywords whose rows never hold files (0 B). */
export const METADATA_KEYWORDS = new Set(['ENV', 'LABEL', 'CMD', 'EXPOSE', 'USER', 'ARG', 'ENTRYPOINT', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'VOLUME', 'MAINTAINER']);

/** What a history row made by an instruction would say, in the forms `score` compares. */
export interface ExpectedCommand {
  ins: InstructionInfo;
  keyword: string;
  /** Normalised argument texts any of which counts as equal (RUN: shell line, heredoc bodies). */
  texts: string[];
  sources?: string[];
  dest?: string;
  /** --chown/--chmod as written. */
  flags?: string[];
  /** RUN: written with flags (--mount, --network, --security) only BuildKit builds. */
  buildkitOnly?: boolean;
  /** COPY/ADD: what the classic builder's hash prefix would be (`file:`, `dir:`, `multi:`), when sure. */
  hashKind?: 'file' | 'dir' | 'multi';
  /** ENV/LABEL/ARG names. */
  keys?: string[];
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function words(s: string): string[] {
  return collapse(s).split(' ').filter(Boolean);
}

/** Dice coefficient of two word multisets (1 = same words). */
export function dice(a: string[], b: string[]): number {
  if (!a.length && !b.length) return 1;
  if (!a.length || !b.length) return 0;
  const counts = new Map<string, number>();
  for (const w of a) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of b) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  return (2 * common) / (a.length + b.length);
}

/** A bracketed list as recorded: `["a" "b"]` (Go %q), `["a","b"]` (JSON) or `[/data /x]`. */
export function parseList(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  const inner = t.slice(1, -1).trim();
  if (!inner) return [];
  if (inner.startsWith('"')) {
    const out: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(inner))) {
      try {
        out.push(JSON.parse(`"${m[1]}"`));
      } catch {
        out.push(m[1]);
      }
    }
    return out;
  }
  return inner.split(/[\s,]+/).filter(Boolean);
}

/** EXPOSE as a sorted port set: `8080 9090/udp` and BuildKit's `map[8080/tcp:{} 9090/udp:{}]` alike. */
export function normalizePorts(s: string): string {
  const t = s.trim().replace(/^map\[(.*)\]$/, '$1').replace(/:\{\}/g, '');
  return words(t)
    .map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`))
    .sort()
    .join(' ');
}

function props(ins: InstructionInfo): { name: string; value: string | undefined }[] {
  const ps = (ins.node as any).getProperties?.() ?? [];
  return ps.map((p: any) => ({ name: String(p.getName()), value: p.getValue() ?? undefined }));
}

/** The words after the flags of a COPY/ADD (JSON form or space-separated). */
function copyWords(ins: InstructionInfo): string[] {
  if (ins.json) return ins.json;
  return words(ins.args.text.slice(ins.restStart));
}

function heredocBodies(ins: InstructionInfo, model: DockerfileModel): { name: string; body: string }[] {
  const out: { name: string; body: string }[] = [];
  for (const h of heredocsOf(ins)) {
    const cr = h.getContentRange();
    const body = cr ? model.text.slice(model.index.offsetAt(cr.start), model.index.offsetAt(cr.end)) : '';
    out.push({ name: String(h.getName?.() ?? ''), body });
  }
  return out;
}

/** The shell words a stage's shell-form commands run through (SHELL instruction, else the default). */
export function stageShell(stage: Stage | undefined, upTo?: InstructionInfo): string[] {
  let shell = stage?.windows ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
  const chain: Stage[] = [];
  for (let s = stage; s; s = s.parent) chain.unshift(s);
  for (const s of chain) {
    for (const ins of s.instructions) {
      if (ins === upTo) break;
      if (ins.keyword === 'SHELL' && ins.json?.length) shell = ins.json;
    }
  }
  return shell;
}

/** What history would record for this instruction. */
export function expectedCommand(ins: InstructionInfo, model: DockerfileModel): ExpectedCommand {
  const keyword = ins.keyword;
  const rest = ins.args.text.slice(ins.restStart);
  switch (keyword) {
    case 'RUN': {
      const texts: string[] = [];
      if (ins.json) texts.push(collapse(ins.json.join(' ')));
      else {
        texts.push(collapse(rest));
        const docs = heredocBodies(ins, model);
        if (docs.length) {
          texts.push(collapse(docs[0].body));
          texts.push(collapse(rest + '\n' + docs.map((d) => d.body + '\n' + d.name).join('\n')));
        }
      }
      return { ins, keyword, texts, buildkitOnly: ins.flags.length > 0 };
    }
    case 'COPY':
    case 'ADD': {
      const w = copyWords(ins);
      const dest = w.length ? w[w.length - 1] : '';
      const sources = w.slice(0, -1);
      const flags = ins.flags.filter((f) => f.name === 'chown' || f.name === 'chmod').map((f) => `--${f.name}=${f.value ?? ''}`);
      let hashKind: ExpectedCommand['hashKind'];
      if (sources.length > 1 && !sources.some((x) => /[*?[$]|^<</.test(x))) hashKind = 'multi';
      else if (sources.length === 1 && !/[*?[$]|^<<|^[a-z]+:\/\//i.test(sources[0]) && !ins.flags.some((f) => f.name === 'from')) {
        const abs = path.join(model.contextDir, sources[0]);
        if (model.workspace.isDirectory(abs)) hashKind = 'dir';
        else if (model.workspace.exists(abs)) hashKind = 'file';
      }
      return { ins, keyword, texts: [collapse([...sources, dest].join(' '))], sources, dest, flags, hashKind };
    }
    case 'ENV':
    case 'LABEL':
    case 'ARG': {
      const ps = props(ins);
      const texts = [collapse(ps.map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`)).join(' '))];
      return { ins, keyword, texts, keys: ps.map((p) => p.name) };
    }
    case 'EXPOSE':
      return { ins, keyword, texts: [normalizePorts(rest)] };
    case 'CMD':
    case 'ENTRYPOINT':
    case 'SHELL':
    case 'VOLUME': {
      const list = ins.json ?? (keyword === 'VOLUME' ? words(rest) : keyword === 'SHELL' ? words(rest) : [...stageShell(ins.stage, ins), collapse(rest)]);
      return { ins, keyword, texts: [list.map(collapse).join('\u0000')] };
    }
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
      return { ins, keyword, texts: recordedValues(ins, model) };
    default:
      return { ins, keyword, texts: [collapse(ins.args.text)] };
  }
}

/**
 * What history records for WORKDIR/USER/STOPSIGNAL: both builders record the value after
 * quote removal and ENV expansion, and WORKDIR as the absolute directory it resolves to
 * (`WORKDIR "/app"` then `WORKDIR sub\ dir` is recorded `WORKDIR /app/sub dir`). The text as
 * written stays a candidate (the base's directory, or a variable, may be unknown here).
 */
function recordedValues(ins: InstructionInfo, model: DockerfileModel): string[] {
  const raw = collapse(ins.args.text);
  const value = ins.keyword === 'WORKDIR' && ins.stage ? resolvedWorkdirs(ins.stage, model).get(ins) : recordedValue(ins, model);
  return value === undefined || value === raw ? [raw] : [raw, value];
}

/** The instruction's argument as Docker reads it: quotes removed, ENV variables expanded; undefined when unknown. */
function recordedValue(ins: InstructionInfo, model: DockerfileModel): string | undefined {
  const windows = !!ins.stage?.windows;
  const toks = tokenize(ins.args.text, !windows && model.escape === '\\');
  const value = toks.map((t) => (t.kind === 'word' ? t.word.value : '')).filter(Boolean).join(' ');
  if (!value || !value.includes('$') || !ins.stage) return value || undefined;
  const env = envAt(ins.stage, ins);
  return expandVariables(value, (name) => env.get(name)?.value);
}

const workdirCache = new KeyMemo<Stage, Map<InstructionInfo, string | undefined>>();

/** The absolute directory each WORKDIR of a stage sets (undefined once one is unknown), in one pass. */
function resolvedWorkdirs(stage: Stage, model: DockerfileModel): Map<InstructionInfo, string | undefined> {
  let out = workdirCache.get(stage);
  if (out) return out;
  out = new Map();
  const first = stage.instructions[0];
  let wd: string | undefined = first ? workdirAt(stage, first) : undefined;
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'WORKDIR') continue;
    const v = recordedValue(ins, model);
    if (stage.windows) wd = v;
    else if (v === undefined) wd = undefined;
    else if (v.startsWith('/')) wd = path.posix.resolve(v);
    else wd = wd === undefined ? undefined : path.posix.resolve(wd, v);
    out.set(ins, wd);
  }
  workdirCache.set(stage, out);
  return out;
}

/** Score of one history row against one instruction (see the header). */
export function scorePair(cmd: HistoryCommand, exp: ExpectedCommand): number {
  if (!cmd.keyword || cmd.keyword !== exp.keyword) return 0;
  const k = exp.keyword;
  if (k === 'RUN') {
    const a = collapse(cmd.args);
    // `RUN --mount=…` cannot have been built by the classic builder
    if (exp.texts.includes(a)) return exp.buildkitOnly && cmd.builder === 'classic' ? 0.9 : 1;
    return MATCH_MIN + 0.6 * Math.max(...exp.texts.map((t) => dice(words(a), words(t))));
  }
  if (k === 'COPY' || k === 'ADD') {
    const dest = collapse(cmd.dest ?? '');
    if (cmd.sources === undefined) {
      // classic: destination and recorded --chown only
      if (dest !== collapse(exp.dest ?? '')) return MATCH_MIN + 0.3 * dice(words(dest), words(exp.dest ?? ''));
      const chown = (fl: string[] | undefined) => (fl ?? []).filter((f) => f.startsWith('--chown=')).join(' ');
      // the hash kind tells one file, one folder or several sources apart
      const kind = /^(file|dir|multi):/.exec(cmd.hash ?? '')?.[1];
      if (kind && exp.hashKind && kind !== exp.hashKind) return 0.8;
      return chown(cmd.flags) === chown(exp.flags) ? 1 : 0.9;
    }
    const srcA = cmd.sources.map(collapse);
    const srcB = (exp.sources ?? []).map(collapse);
    if (dest === collapse(exp.dest ?? '')) {
      if (srcA.join(' ') === srcB.join(' ')) return 1;
      return 0.6 + 0.35 * dice(srcA, srcB);
    }
    return MATCH_MIN + 0.3 * dice([...srcA, dest], [...srcB, exp.dest ?? '']);
  }
  let text = collapse(cmd.args);
  if (k === 'EXPOSE') text = normalizePorts(cmd.args);
  else if (k === 'CMD' || k === 'ENTRYPOINT' || k === 'SHELL' || k === 'VOLUME') {
    const list = parseList(cmd.args);
    if (list) text = list.map(collapse).join('\u0000');
  }
  if (exp.texts.includes(text)) return 1;
  if (k === 'HEALTHCHECK' && exp.texts.some((t) => t && collapse(cmd.args).includes(collapse(t.replace(/^CMD\s+/i, ''))))) return 1;
  if (exp.keys) {
    const names = Object.keys(splitKeys(cmd.args));
    if (names.length && names.join(' ') === exp.keys.join(' ')) return 0.7;
  } else if (k === 'EXPOSE' || k === 'CMD' || k === 'ENTRYPOINT' || k === 'USER' || k === 'WORKDIR' || k === 'STOPSIGNAL' || k === 'SHELL' || k === 'HEALTHCHECK') {
    // one per stage in practice: the same keyword is the same line, edited
    return 0.7;
  }
  return MATCH_MIN + 0.3 * dice(words(text), words(exp.texts[0] ?? ''));
}

function splitKeys(s: string): Record<string, true> {
  const out: Record<string, true> = {};
  const re = /(?:^|\s)([A-Za-z_][A-Za-z0-9_.\-/]*)(?==|\s|$)/g;
  let m: RegExpExecArray | null;
  // keys are the words right before '=' (values may hold spaces): take `name=` occurrences
  const eq = /(?:^|\s)([A-Za-z_][A-Za-z0-9_.\-/]*)=/g;
  let any = false;
  while ((m = eq.exec(s))) {
    out[m[1]] = true;
    any = true;
  }
  if (!any) while ((m = re.exec(s))) out[m[1]] = true;
  return out;
}

// ---------------------------------------------------------------------------
// Alignment

export interface PairMatch {
  /** Index into Alignment.rows (oldest first). */
  row: number;
  score: number;
}

export interface Alignment {
  /** History rows oldest first. */
  rows: HistoryRow[];
  commands: HistoryCommand[];
  /** Rows [0, baseRowCount) come from the base image. */
  baseRowCount: number;
  /** Per expected instruction (same order): its row, or undefined when no row matches. */
  matches: (PairMatch | undefined)[];
  /** Rows above the base that match no instruction (lines deleted since the build, or another image's). */
  orphans: number[];
  /** Image score 0 … 1 (see the header). */
  score: number;
  builder: 'classic' | 'buildkit' | 'mixed' | 'unknown';
  /** The local base image's history is not the bottom of this one (score lowered by BASE_MISMATCH_PENALTY). */
  baseMismatch?: boolean;
}

export interface AlignOptions {
  /** Number of oldest rows known to be the base image's (from its own local history). */
  baseRows?: number;
  /** Extra shell prefixes for RUN rows (the Dockerfile's SHELL words). */
  shells?: string[];
}

/**
 * The number of oldest rows of `rows` (newest first) that are the base
 * image's history `baseRows` (newest first), or undefined when the base's
 * history is not the bottom of this one.
 */
export function baseRowsFromHistory(rows: HistoryRow[], baseRows: HistoryRow[]): number | undefined {
  if (baseRows.length > rows.length) return undefined;
  const a = rows.slice(rows.length - baseRows.length);
  for (let i = 0; i < baseRows.length; i++) {
    const x = a[i];
    const y = baseRows[i];
    if (x.createdBy !== y.createdBy || x.size !== y.size || x.createdAt !== y.createdAt) return undefined;
  }
  return baseRows.length;
}

/** Aligns history rows (newest first, as Docker prints them) with the expected commands (Dockerfile order). */
export function alignHistory(rowsNewestFirst: HistoryRow[], expected: ExpectedCommand[], opts: AlignOptions = {}): Alignment {
  const rows = rowsNewestFirst.slice().reverse();
  const shells = [...DEFAULT_SHELLS, ...(opts.shells ?? [])];
  const commands = rows.map((r) => parseCreatedBy(r.createdBy, r.comment, shells));
  const n = rows.length;
  const m = expected.length;
  const scores: number[][] = [];
  for (let i = 0; i < n; i++) {
    scores.push(expected.map((e) => scorePair(commands[i], e)));
  }
  // f[i][j]: best value aligning rows [i, n) with expected [j, m)
  const f: Float64Array[] = [];
  for (let i = 0; i <= n; i++) f.push(new Float64Array(m + 1));
  for (let i = n - 1; i >= 0; i--) f[i][m] = f[i + 1][m] - ORPHAN_PENALTY;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      let best = Math.max(f[i + 1][j] - ORPHAN_PENALTY, f[i][j + 1]);
      const s = scores[i][j];
      if (s >= MATCH_MIN) best = Math.max(best, f[i + 1][j + 1] + s);
      f[i][j] = best;
    }
  }
  let base: number;
  if (opts.baseRows !== undefined && opts.baseRows <= n) base = opts.baseRows;
  else {
    // the boundary with the best value (on ties the higher one: fewer rows claimed by this build)
    base = n;
    let bestValue = 0;
    for (let b = n - 1; b >= 0; b--) {
      if (f[b][0] > bestValue + 1e-9) {
        bestValue = f[b][0];
        base = b;
      }
    }
  }
  // trace back from (base, 0), preferring matches over skips on ties
  const matches: (PairMatch | undefined)[] = new Array(m).fill(undefined);
  const orphans: number[] = [];
  let i = base;
  let j = 0;
  let total = 0;
  while (i < n || j < m) {
    if (i < n && j < m) {
      const s = scores[i][j];
      if (s >= MATCH_MIN && Math.abs(f[i][j] - (f[i + 1][j + 1] + s)) < 1e-9) {
        matches[j] = { row: i, score: s };
        total += s;
        i++;
        j++;
        continue;
      }
      if (Math.abs(f[i][j] - f[i][j + 1]) < 1e-9) {
        j++;
        continue;
      }
      orphans.push(i);
      i++;
      continue;
    }
    if (i < n) {
      orphans.push(i);
      i++;
    } else j++;
  }
  const score = m ? Math.max(0, Math.min(1, (total - ORPHAN_PENALTY * orphans.length) / m)) : 0;
  const builders = new Set(commands.slice(base).filter((c) => c.keyword).map((c) => c.builder));
  const builder = builders.size === 0 ? 'unknown' : builders.size > 1 ? 'mixed' : builders.has('buildkit') ? 'buildkit' : builders.has('classic') ? 'classic' : 'unknown';
  return { rows, commands, baseRowCount: base, matches, orphans, score, builder };
}

/** The stages whose instructions an image of `stage` contains: its FROM-ancestry, root first. */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s; s = s.parent) out.unshift(s);
  return out;
}

/** Expected commands of a stage's image: every instruction of its ancestry, root first (FROM lines excluded). */
export function expectedForStage(model: DockerfileModel, stage: Stage): ExpectedCommand[] {
  return stageChain(stage).flatMap((s) => s.instructions.map((ins) => expectedCommand(ins, model)));
}

/** Shell prefixes (SHELL instruction words) used in a stage's ancestry. */
export function stageShells(stage: Stage): string[] {
  const out: string[] = [];
  for (const s of stageChain(stage)) for (const ins of s.instructions) if (ins.keyword === 'SHELL' && ins.json?.length) out.push(ins.json.join(' '));
  return out;
}

// ---------------------------------------------------------------------------
// Picking the image

export interface ImageCandidate {
  /** `sha256:…`. */
  id: string;
  /** `repo:tag` names of this image (empty for a dangling one). */
  refs: string[];
  /** ms since the epoch. */
  created: number;
  createdAt: string;
}

export interface ScoredImage extends ImageCandidate {
  score: number;
}

/** What the server remembers per Dockerfile about its image. */
export interface ImageMemory {
  /** `repo:tag` (followed when the tag moves to a rebuilt image) or the id of an untagged image. */
  ref: string;
  id: string;
  /** Picked by the user (the panel's "pick another"): kept whatever the scores say. */
  pinned?: boolean;
  /** When the remembered image was created (ms): once it is gone, only a newer build replaces it. */
  created?: number;
}

export type ImageChoice =
  | { kind: 'chosen'; image: ScoredImage; by: 'pinned' | 'auto' }
  | { kind: 'none'; state: 'no-image' | 'image-removed'; message: string };

function sameImage(c: ImageCandidate, ref: string): boolean {
  return c.id === ref || c.refs.includes(ref) || (ref.startsWith('sha256:') && c.id.startsWith(ref)) || c.refs.includes(`${ref}:latest`);
}

/**
 * Which image to show, from scored local candidates and what was remembered
 * (pure: the server keeps the memory, see `rememberImage`).
 *  1. a pinned image is kept while it exists (else `image-removed`);
 *  2. otherwise the best score ≥ `threshold`; ties go to the remembered image, then the newest;
 *     when the remembered image is gone, only images created after it count
 *     (a new build replaces it; an older image is not silently shown instead);
 *  3. none: `image-removed` when the remembered image is gone, else `no-image`.
 */
export function chooseImage(scored: ScoredImage[], memory: ImageMemory | undefined, threshold = AUTO_MATCH_MIN): ImageChoice {
  if (memory?.pinned) {
    const hit = scored.find((c) => sameImage(c, memory.ref)) ?? scored.find((c) => c.id === memory.id);
    if (hit) return { kind: 'chosen', image: hit, by: 'pinned' };
    return { kind: 'none', state: 'image-removed', message: `The image ${memory.ref} is no longer there (removed?). Build it again or pick another.` };
  }
  const gone = !!memory && !scored.some((c) => c.id === memory.id || sameImage(c, memory.ref));
  const ok = scored.filter((c) => c.score >= threshold && !(gone && memory!.created !== undefined && !((c.created || 0) > memory!.created)));
  if (ok.length) {
    const remembered = (c: ScoredImage) => !!memory && (c.id === memory.id || sameImage(c, memory.ref));
    ok.sort((a, b) => b.score - a.score || Number(remembered(b)) - Number(remembered(a)) || (b.created || 0) - (a.created || 0) || a.id.localeCompare(b.id));
    // a tie within rounding: prefer the remembered one, then the newest
    const top = ok[0].score;
    const tied = ok.filter((c) => top - c.score < 1e-6);
    tied.sort((a, b) => Number(remembered(b)) - Number(remembered(a)) || (b.created || 0) - (a.created || 0));
    return { kind: 'chosen', image: tied[0], by: 'auto' };
  }
  if (gone) {
    return { kind: 'none', state: 'image-removed', message: `The image ${memory.ref} built from this Dockerfile is no longer there (removed?): showing estimates.` };
  }
  return { kind: 'none', state: 'no-image', message: 'No local image was built from this Dockerfile yet: showing estimates.' };
}

/** The memory to keep after a choice (undefined: keep nothing). */
export function rememberImage(choice: ImageChoice, previous?: ImageMemory): ImageMemory | undefined {
  if (choice.kind === 'none') return choice.state === 'image-removed' ? previous : undefined;
  const img = choice.image;
  const ref = previous && (img.id === previous.id || sameImage(img, previous.ref)) && img.refs.includes(previous.ref) ? previous.ref : img.refs[0] ?? img.id;
  return { ref, id: img.id, pinned: choice.by === 'pinned', ...(Number.isFinite(img.created) ? { created: img.created } : {}) };
}

/** Candidates worth reading the history of: the newest `limit` images, plus any named in `prefer`. */
export function candidateShortlist<T extends ImageCandidate>(all: T[], prefer: string[] = [], limit = 40): T[] {
  const sorted = all.slice().sort((a, b) => (b.created || 0) - (a.created || 0));
  const out = sorted.slice(0, limit);
  for (const c of sorted.slice(limit)) if (prefer.some((p) => sameImage(c, p))) out.push(c);
  return out;
}

/** Groups `image ls` rows (one per tag) into one candidate per image id. */
export function groupCandidates(entries: { id: string; ref?: string; created: number; createdAt: string }[]): ImageCandidate[] {
  const byId = new Map<string, ImageCandidate>();
  for (const e of entries) {
    let c = byId.get(e.id);
    if (!c) {
      c = { id: e.id, refs: [], created: e.created, createdAt: e.createdAt };
      byId.set(e.id, c);
    }
    if (e.ref && !c.refs.includes(e.ref)) c.refs.push(e.ref);
  }
  return [...byId.values()];
}

/** A readable name for an image: its first tag, or its short id. */
export function imageName(c: { id: string; refs: string[] }): string {
  return c.refs[0] ?? c.id.replace(/^sha256:/, '').slice(0, 12);
}

/** Folder name Docker users tag a build with (`docker build -t <name> .`). */
export function suggestedTag(model: DockerfileModel): string {
  const base = path.basename(model.contextDir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app';
  return `${base}:dev`;
}
