// The layer table: how many bytes each instruction of a Dockerfile stage adds
// to the image, measured from the last image built from it where possible and
// estimated elsewhere — and `LayerTable`, the plain JSON the language server
// returns for `containerTuner/layers`, the panel draws and
// `container-tuner layers --format json` prints.
//
// Where each figure comes from (`LayerRow.source`):
//   built     the size of the matched `docker history` row (the line is unchanged since the build)
//   base      FROM: the base image's size (`docker image inspect` when it is local, else the
//             history rows below this Dockerfile's first row; `scratch` is 0; `FROM <stage>`
//             adds that stage's rows)
//   context   COPY/ADD not built yet: the sum of the build-context files the sources match,
//             after `.dockerignore` (server/src/engine/dockerfile/context.ts)
//   metadata  0 B: ENV, LABEL, CMD, EXPOSE, USER, ARG, ENTRYPOINT, STOPSIGNAL, HEALTHCHECK,
//             SHELL, ONBUILD, VOLUME, MAINTAINER (and a WORKDIR not built yet)
//   changed   the line was edited since the build: `builtSize` is the last built size, `estimate`
//             the new estimate (context for COPY/ADD, 0 for metadata, null for RUN); `size`
//             (what totals add) is the estimate when there is one, else the last built size
//   unknown   no figure: a RUN never built, COPY --from a stage never built, ADD of a URL,
//             a base image that is not local — never a made-up number (`size` is null)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contextFiles, contextRelative, isIgnored, type ContextEntry } from '../dockerfile/context';
import { envAt, expandVariables, heredocsOf, type DockerfileModel, type InstructionInfo, type Stage } from '../dockerfile/model';
import type { Workspace } from '../types';
import type { Builder, HistoryRow } from './history';
import { METADATA_KEYWORDS, expectedForStage, imageName, stageChain, suggestedTag, type Alignment } from './match';

export type LayerSource = 'built' | 'base' | 'context' | 'metadata' | 'changed' | 'unknown';

/** Why Docker figures are or are not there. */
export type LayerState = 'ok' | 'no-docker' | 'daemon-down' | 'no-image' | 'image-removed';

export interface LayerRow {
  /** 0-based line of the instruction's keyword, and of its last line (continuations, heredocs). */
  line: number;
  endLine: number;
  /** 0-based character where the instruction's last line ends (for inlay hints). */
  endCharacter: number;
  keyword: string;
  /** The instruction, shortened to one line of at most 80 characters. */
  text: string;
  source: LayerSource;
  /** Bytes this row adds (what totals count); null when unknown. */
  size: number | null;
  /** `changed`: the size when last built. */
  builtSize?: number;
  /** `changed`: the estimate for the line as it is now (null: none, e.g. RUN). */
  estimate?: number | null;
  /** `built`/`changed`: the history row it was matched with. */
  history?: { createdBy: string; createdAt: string; id: string; score: number };
  /** `context`: number of files the sources matched. */
  files?: number;
  /** A short explanation (why unknown, which base, partial context). */
  note?: string;
}

export interface StageEntry {
  index: number;
  name?: string;
  /** 0-based line of its FROM. */
  line: number;
  /** The FROM image as written (after ARG substitution when known). */
  from: string;
  /** Index of the stage it is built FROM, when it is another stage. */
  parent?: number;
  isFinal: boolean;
}

export interface MatchedImage {
  id: string;
  /** `repo:tag` names (empty for an untagged image). */
  refs: string[];
  /** Display name: the first tag or the short id. */
  name: string;
  /** RFC 3339 / Docker's time text. */
  created: string;
  /** `docker image inspect` Size (bytes). */
  size?: number;
  /** Matching score 0 … 1 (match.ts). */
  score: number;
  /** How it was chosen: `.container-tuner.yaml` images, the request's `image`, the remembered pick, automatic matching. */
  by: 'config' | 'request' | 'pinned' | 'auto';
  builder: Builder | 'mixed' | 'unknown';
}

export interface RemovedRow {
  createdBy: string;
  createdAt: string;
  size: number;
}

export interface LayerTotals {
  /** base + added: the image this Dockerfile would make now (unknown rows count 0: see `unknownRows`). */
  image: number;
  /** Bytes from the base (the FROM row). */
  base: number;
  /** Bytes added by this Dockerfile's instructions of the stage (the other rows). */
  added: number;
  /** Rows without a figure: when > 0 the totals are lower bounds. */
  unknownRows: number;
  /** Size of the matched image as built (`docker image inspect`). */
  measured?: number;
  /** Bytes of built rows that no instruction matches any more (lines removed since the build). */
  removed: number;
}

/**
 * The layer table of one stage of one Dockerfile. Plain JSON (no classes,
 * no undefined-only semantics): what `containerTuner/layers` returns and what
 * `container-tuner layers --format json` prints. Sizes are bytes; the human
 * form (`formatBytes`) is decimal like Docker's (1 MB = 1,000,000 B).
 */
export interface LayerTable {
  version: 1;
  /** Absolute path of the Dockerfile. */
  file: string;
  /** The build context folder the estimates read. */
  contextDir: string;
  state: LayerState;
  /** Explains a state other than `ok` (and what to do). */
  message?: string;
  /** The command that builds an image from this Dockerfile, run in `contextDir` (shown with `no-image`). */
  buildCommand: string;
  /** Index of the stage shown (default: the final stage). */
  stage: number;
  stages: StageEntry[];
  image?: MatchedImage;
  rows: LayerRow[];
  removed: RemovedRow[];
  totals: LayerTotals;
}

// ---------------------------------------------------------------------------
// Context sizes

/** Size on disk (what Docker sends), else the workspace text's byte length. */
export function fileSize(ws: Workspace, abs: string): number {
  try {
    const st = fs.statSync(abs);
    if (st.isFile()) return st.size;
  } catch {
    /* not on disk (in-memory workspace) */
  }
  const t = ws.readFile(abs);
  return t === undefined ? 0 : Buffer.byteLength(t, 'utf8');
}

/** Go filepath.Match (what Docker's COPY uses per path) as a RegExp; `**` spans folders. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, close);
        if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface ContextEstimate {
  bytes: number;
  files: number;
  note?: string;
}

/** One listing of the build context per model (walks are bounded by context.ts). */
export class ContextSizer {
  private listing?: { entries: ContextEntry[]; truncated: boolean };
  private sizes = new Map<string, number>();
  constructor(private readonly model: DockerfileModel) {}

  private list(): { entries: ContextEntry[]; truncated: boolean } {
    this.listing ??= contextFiles(this.model);
    return this.listing;
  }

  private size(abs: string): number {
    let s = this.sizes.get(abs);
    if (s === undefined) {
      s = fileSize(this.model.workspace, abs);
      this.sizes.set(abs, s);
    }
    return s;
  }

  /** Bytes of the context files `sources` (as written in COPY/ADD) match after .dockerignore. */
  estimate(sources: string[]): ContextEstimate {
    const { entries, truncated } = this.list();
    const picked = new Set<ContextEntry>();
    const notes: string[] = [];
    for (const src of sources) {
      const rel = contextRelative(this.model, src);
      const wild = /[*?[]/.test(rel);
      let hits = 0;
      if (rel === '') {
        for (const e of entries) picked.add(e);
        hits = entries.length;
      } else if (wild) {
        const re = globToRegExp(rel);
        for (const e of entries) {
          // a match may be a file or a folder (then everything below it)
          const parts = e.path.split('/');
          for (let k = 1; k <= parts.length; k++) {
            if (re.test(parts.slice(0, k).join('/'))) {
              picked.add(e);
              hits++;
              break;
            }
          }
        }
      } else {
        for (const e of entries) {
          if (e.path === rel || e.path.startsWith(rel + '/')) {
            picked.add(e);
            hits++;
          }
        }
        if (!hits && isIgnored(this.model, rel)) notes.push(`${src} is excluded by .dockerignore (the build fails)`);
      }
      if (!hits && !notes.length) notes.push(`${src} matches no file of the build context`);
    }
    let bytes = 0;
    for (const e of picked) bytes += this.size(e.abs);
    if (truncated) notes.push('the build context is too large to list completely: at least this much');
    return { bytes, files: picked.size, note: notes.length ? notes.join('; ') : undefined };
  }
}

// ---------------------------------------------------------------------------
// Rows

const MAX_TEXT = 80;

/** The instruction on one line, at most 80 characters. */
export function shortText(ins: InstructionInfo, model: DockerfileModel): string {
  const first = model.text.slice(ins.start, ins.end).split(/\r?\n|\r/)[0];
  let t = (ins.keyword + ' ' + ins.args.text.replace(/\s+/g, ' ').trim()).trim();
  if (/<<-?["']?[A-Za-z_]/.test(first)) t = first.replace(/\s+/g, ' ').trim();
  return t.length > MAX_TEXT ? t.slice(0, MAX_TEXT - 1) + '…' : t;
}

function rowBase(ins: InstructionInfo, model: DockerfileModel): Pick<LayerRow, 'line' | 'endLine' | 'endCharacter' | 'keyword' | 'text'> {
  // the instruction's range ends after its last line (heredoc terminator included)
  let endOffset = ins.end;
  while (endOffset > ins.start && /[\r\n]/.test(model.text[endOffset - 1])) endOffset--;
  const end = model.index.positionAt(endOffset);
  return { line: ins.line, endLine: end.line, endCharacter: end.character, keyword: ins.keyword, text: shortText(ins, model) };
}

/** Variables a COPY source may use: ARG defaults and ENV values in effect. */
function expandSource(model: DockerfileModel, ins: InstructionInfo, s: string): string | undefined {
  if (!s.includes('$')) return s;
  const stage = ins.stage;
  const env = stage ? envAt(stage, ins) : new Map<string, { value: string }>();
  const args = new Map<string, string | undefined>(model.globalArgs);
  if (stage) {
    for (const i of stage.instructions) {
      if (i === ins) break;
      if (i.keyword !== 'ARG') continue;
      for (const p of (i.node as any).getProperties?.() ?? []) args.set(p.getName(), p.getValue() ?? args.get(p.getName()));
    }
  }
  return expandVariables(s, (n) => env.get(n)?.value ?? args.get(n));
}

/** The estimate for a COPY/ADD not built as it is: context bytes, or why there is none. */
export function copyEstimate(model: DockerfileModel, ins: InstructionInfo, sizer: ContextSizer): { size: number | null; files?: number; note?: string; source: 'context' | 'unknown' } {
  const from = ins.flags.find((f) => f.name === 'from');
  if (from) return { size: null, source: 'unknown', note: `copied from ${/^\d+$/.test(from.value ?? '') ? 'stage ' : ''}${from.value}: known once built` };
  const words = ins.json ?? ins.args.text.slice(ins.restStart).trim().split(/\s+/).filter(Boolean);
  const sources = words.slice(0, -1);
  const heredocs = heredocsOf(ins);
  if (heredocs.length) {
    let bytes = 0;
    for (const h of heredocs) {
      const cr = h.getContentRange();
      // the file holds the body's lines, each ending with a line break
      if (cr) bytes += Buffer.byteLength(model.text.slice(model.index.offsetAt(cr.start), model.index.offsetAt(cr.end)).replace(/\r\n/g, '\n') + '\n', 'utf8');
    }
    const others = sources.filter((s) => !s.startsWith('<<'));
    const est = others.length ? sizer.estimate(others) : { bytes: 0, files: 0 };
    return { size: bytes + est.bytes, files: heredocs.length + est.files, source: 'context', note: 'here-document text' };
  }
  if (!sources.length) return { size: null, source: 'unknown', note: 'no source' };
  if (ins.keyword === 'ADD' && sources.some((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s))) {
    return { size: null, source: 'unknown', note: 'downloaded at build time: known once built' };
  }
  const expanded: string[] = [];
  for (const s of sources) {
    const e = expandSource(model, ins, s);
    if (e === undefined) return { size: null, source: 'unknown', note: `${s} uses a variable without a known value` };
    expanded.push(e);
  }
  const est = sizer.estimate(expanded);
  let note = est.note;
  if (ins.keyword === 'ADD' && expanded.some((s) => /\.(tar|tgz|tar\.(gz|bz2|xz|zst))$/i.test(s))) {
    note = [note, 'ADD extracts local archives: the layer holds the extracted files'].filter(Boolean).join('; ');
  }
  return { size: est.bytes, files: est.files, source: 'context', note };
}

export interface ImageFacts {
  id: string;
  refs: string[];
  created: string;
  size?: number;
  by: MatchedImage['by'];
  alignment: Alignment;
}

export interface BaseFacts {
  /** The FROM reference of the stage chain's root. */
  ref: string;
  /** `docker image inspect` Size when local. */
  size?: number;
}

export interface TableInput {
  model: DockerfileModel;
  /** Stage to show (default: the final stage). */
  stage?: number;
  image?: ImageFacts;
  /** The root base image, when local. */
  base?: BaseFacts;
  state: LayerState;
  message?: string;
  /** Reused across calls on the same model (one context listing). */
  sizer?: ContextSizer;
}

export function stageEntries(model: DockerfileModel): StageEntry[] {
  return model.stages.map((s) => ({
    index: s.index,
    name: s.name,
    line: s.from.line,
    from: s.image ?? s.from.args.text.slice(s.from.restStart).trim().split(/\s+/)[0] ?? '',
    parent: s.parent?.index,
    isFinal: s.isFinal,
  }));
}

/** `docker build` command for this Dockerfile, to run in the context folder. */
export function buildCommandFor(model: DockerfileModel, stage: Stage | undefined, tag?: string): string {
  const rel = path.relative(model.contextDir, path.resolve(model.path)).split(path.sep).join('/');
  const args = ['docker', 'build'];
  if (rel !== 'Dockerfile') args.push('-f', rel);
  if (stage && !stage.isFinal) args.push('--target', stage.name ?? String(stage.index));
  args.push('-t', tag ?? suggestedTag(model), '.');
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function isScratch(ref: string | undefined): boolean {
  return !!ref && ref.trim().toLowerCase() === 'scratch';
}

/** Builds the table of one stage from the model, the matched image (if any) and the base image facts. */
export function buildLayerTable(input: TableInput): LayerTable {
  const { model } = input;
  const sizer = input.sizer ?? new ContextSizer(model);
  const stage = input.stage !== undefined ? model.stages[input.stage] : model.finalStage;
  const empty: LayerTotals = { image: 0, base: 0, added: 0, unknownRows: 0, removed: 0 };
  const table: LayerTable = {
    version: 1,
    file: path.resolve(model.path),
    contextDir: model.contextDir,
    state: input.state,
    message: input.message,
    buildCommand: buildCommandFor(model, stage),
    stage: stage?.index ?? 0,
    stages: stageEntries(model),
    rows: [],
    removed: [],
    totals: empty,
  };
  if (!stage) return table;

  const chain = stageChain(stage);
  const expected = expectedForStage(model, stage);
  const al = input.image?.alignment;
  const matchOf = new Map<InstructionInfo, { row: HistoryRow; score: number }>();
  if (al) {
    expected.forEach((e, k) => {
      const m = al.matches[k];
      if (m) matchOf.set(e.ins, { row: al.rows[m.row], score: m.score });
    });
    table.image = {
      id: input.image!.id,
      refs: input.image!.refs,
      name: imageName(input.image!),
      created: input.image!.created,
      size: input.image!.size,
      score: Math.round(al.score * 1000) / 1000,
      by: input.image!.by,
      builder: al.builder,
    };
    for (const i of al.orphans) table.removed.push({ createdBy: al.rows[i].createdBy, createdAt: al.rows[i].createdAt, size: al.rows[i].size });
  }

  const rowsOf = new Map<Stage, LayerRow[]>();
  for (const s of chain) rowsOf.set(s, s.instructions.map((ins) => instructionRow(model, ins, matchOf.get(ins), sizer)));

  // FROM of the shown stage: the root base, plus the rows of ancestor stages
  const root = chain[0];
  let baseSize: number | null;
  let baseSource: LayerSource = 'base';
  let baseNote: string | undefined;
  if (al) {
    const fromHistory = al.rows.slice(0, al.baseRowCount).reduce((a, r) => a + r.size, 0);
    baseSize = input.base?.size ?? fromHistory;
    baseNote =
      al.baseMismatch && input.base
        ? `${input.base.ref} (docker image inspect); the image was built FROM another version of it`
        : input.base?.size !== undefined
        ? `${input.base.ref} (docker image inspect)`
        : isScratch(root.image) && al.baseRowCount === 0
          ? 'scratch: empty'
          : `${root.image ?? 'base'}: the ${al.baseRowCount} history rows below this Dockerfile's`;
  } else if (isScratch(root.image)) {
    baseSize = 0;
    baseNote = 'scratch: empty';
  } else if (input.base?.size !== undefined) {
    baseSize = input.base.size;
    baseNote = `${input.base.ref} (docker image inspect)`;
  } else {
    baseSize = null;
    baseSource = 'unknown';
    baseNote = !root.image
      ? 'the base image could not be resolved (ARG without a default?)'
      : input.state === 'no-docker' || input.state === 'daemon-down'
        ? `${root.image}: its size needs Docker`
        : `${root.image} is not a local image: its size is known once it is pulled or built from`;
  }
  const ancestors = chain.slice(0, -1);
  let ancestorBytes = 0;
  let ancestorUnknown = 0;
  for (const s of ancestors) {
    for (const r of rowsOf.get(s)!) {
      if (r.size === null) ancestorUnknown++;
      else ancestorBytes += r.size;
    }
  }
  const fromRow: LayerRow = {
    ...rowBase(stage.from, model),
    source: baseSize === null ? 'unknown' : baseSource,
    size: baseSize === null ? null : baseSize + ancestorBytes,
    note: ancestors.length
      ? [`stage ${ancestors.map((s) => (s.name ? `"${s.name}"` : s.index)).join(' → ')} on ${baseNote ?? ''}`, ancestorUnknown ? `${ancestorUnknown} of its rows unknown` : ''].filter(Boolean).join('; ')
      : baseNote,
  };
  table.rows.push(fromRow, ...rowsOf.get(stage)!);

  const totals: LayerTotals = { image: 0, base: fromRow.size ?? 0, added: 0, unknownRows: 0, removed: table.removed.reduce((a, r) => a + r.size, 0) };
  for (const r of table.rows) {
    if (r.size === null) totals.unknownRows++;
    if (r !== fromRow) totals.added += r.size ?? 0;
  }
  totals.image = totals.base + totals.added;
  if (table.image?.size !== undefined) totals.measured = table.image.size;
  table.totals = totals;
  return table;
}

function instructionRow(model: DockerfileModel, ins: InstructionInfo, match: { row: HistoryRow; score: number } | undefined, sizer: ContextSizer): LayerRow {
  const base = rowBase(ins, model);
  const k = ins.keyword;
  const history = match ? { createdBy: match.row.createdBy, createdAt: match.row.createdAt, id: match.row.id, score: Math.round(match.score * 1000) / 1000 } : undefined;
  const exact = !!match && match.score >= 1 - 1e-9;
  if (METADATA_KEYWORDS.has(k)) {
    if (match && !exact) return { ...base, source: 'changed', size: 0, builtSize: match.row.size, estimate: 0, history };
    return { ...base, source: 'metadata', size: match ? match.row.size : 0, history };
  }
  if (exact) return { ...base, source: 'built', size: match!.row.size, history };
  if (k === 'COPY' || k === 'ADD') {
    const est = copyEstimate(model, ins, sizer);
    if (match) return { ...base, source: 'changed', size: est.size ?? match.row.size, builtSize: match.row.size, estimate: est.size, files: est.files, history, note: est.note };
    return { ...base, source: est.source, size: est.size, files: est.files, note: est.note };
  }
  if (k === 'RUN') {
    if (match) return { ...base, source: 'changed', size: match.row.size, builtSize: match.row.size, estimate: null, history, note: 'edited since the build: the last built size until it is built again' };
    return { ...base, source: 'unknown', size: null, note: 'never built: its size is known once it is built' };
  }
  if (k === 'WORKDIR') {
    if (match) return { ...base, source: 'changed', size: 0, builtSize: match.row.size, estimate: 0, history };
    return { ...base, source: 'metadata', size: 0, note: 'creates the folder when missing: a few bytes at most' };
  }
  // unknown keywords: no figure
  if (match) return { ...base, source: 'changed', size: match.row.size, builtSize: match.row.size, estimate: null, history };
  return { ...base, source: 'unknown', size: null };
}
