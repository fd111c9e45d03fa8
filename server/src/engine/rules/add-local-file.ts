import * as path from 'node:path';
import type { DockerfileModel, InstructionInfo } from '../dockerfile/model';
import { envAt, expandVariables, instructionsBefore } from '../dockerfile/model';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';
import { KeyMemo } from '../memo';

// ---------------------------------------------------------------------------
// Helpers shared with dockerignore-missing and layer-delete-later: the words
// of a COPY/ADD with their offsets, and the variables an instruction sees.
// ---------------------------------------------------------------------------

export interface ArgWord {
  /** Quotes removed (shell form) or the JSON string's value (exec form). */
  value: string;
  /** Document offsets of the word as written (quotes included). */
  start: number;
  end: number;
}

/** The arguments after the flags of a COPY/ADD (sources then destination), shell or JSON form, with document offsets. */
export function instructionWords(ins: InstructionInfo): ArgWord[] {
  // read once per instruction: four rules ask for each COPY/ADD
  let words = wordsMemo.get(ins);
  if (!words) wordsMemo.set(ins, (words = scanInstructionWords(ins)));
  return words.slice();
}
const wordsMemo = new KeyMemo<InstructionInfo, ArgWord[]>();

function scanInstructionWords(ins: InstructionInfo): ArgWord[] {
  const t = ins.args.text;
  const args = ins.args;
  const out: ArgWord[] = [];
  let i = ins.restStart;
  if (ins.json) {
    // the strings of the JSON array, in order
    while (i < t.length) {
      if (t[i] !== '"') { i++; continue; }
      let j = i + 1;
      while (j < t.length && t[j] !== '"') j += t[j] === '\\' ? 2 : 1;
      let value: string;
      try {
        value = JSON.parse(t.slice(i, j + 1));
      } catch {
        return [];
      }
      out.push({ value, start: args.at(i), end: args.at(Math.min(j, t.length - 1)) + 1 });
      i = j + 1;
    }
    return out;
  }
  while (i < t.length) {
    while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
    if (i >= t.length) break;
    const s = i;
    let value = '';
    let quote = '';
    while (i < t.length) {
      const c = t[i];
      if (quote) {
        if (c === quote) quote = '';
        else value += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t') break;
      else value += c;
      i++;
    }
    out.push({ value, start: args.at(s), end: args.at(i - 1) + 1 });
  }
  return out;
}

/**
 * What `$NAME` holds at an instruction (not a RUN): ENV of the stage and its
 * ancestors, else the stage's ARG default (or the global default it
 * redeclares). Undefined when the Dockerfile does not say (an ARG without a
 * default, a build argument, a value made of other variables).
 */
export function varsAt(model: DockerfileModel, ins: InstructionInfo): (name: string) => string | undefined {
  let vars = varsMemo.get(ins);
  if (!vars) varsMemo.set(ins, (vars = scanVarsAt(model, ins)));
  return vars;
}
const varsMemo = new KeyMemo<InstructionInfo, (name: string) => string | undefined>();

function scanVarsAt(model: DockerfileModel, ins: InstructionInfo): (name: string) => string | undefined {
  const stage = ins.stage;
  if (!stage) return (n) => model.globalArgs.get(n);
  const env = envAt(stage, ins);
  const args = new Map<string, string | undefined>();
  for (const i of instructionsBefore(stage, ['ARG'], ins)) {
    for (const p of (i.node as any).getProperties?.() ?? []) {
      const d: string | null | undefined = p.getValue();
      args.set(p.getName(), d ?? model.globalArgs.get(p.getName()));
    }
  }
  return (name) => {
    const v = env.has(name) ? env.get(name)!.value : args.get(name);
    return v !== undefined && v.includes('$') ? undefined : v;
  };
}

/** `${X}` and `$X` replaced by NUL characters (one per expansion), for reading the literal parts of a value. */
export function maskVariables(s: string): string {
  return s.replace(/\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/g, '\u0000');
}

// ---------------------------------------------------------------------------

/** Sources ADD fetches instead of reading the context: URLs and Git repositories. */
export function isRemoteSource(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/i.test(s) || /\.git(#.*)?$/i.test(s) || /\.git#/i.test(s);
}

/**
 * Names ADD may extract: tar archives, plain or compressed (gzip, bzip2, xz,
 * zstd), under their usual extensions. A bare `.gz`/`.bz2`/`.xz`/`.zst` may be a
 * compressed tar too (ADD decides by content), so those count as well.
 */
export const ARCHIVE_NAME = /\.(tar|tgz|tbz2?|tb2|txz|tzst|taz|tz2|tlz|gz|bz2|xz|zst|zstd|lz|lzma|z)$/i;

/** ADD detects archives by content: tar header, or gzip, bzip2, xz, zstd magic (as read through a UTF-8 decoder). */
function looksLikeArchive(content: string): boolean {
  if (content.charCodeAt(0) === 0x1f && (content.charCodeAt(1) === 0x8b || content.charCodeAt(1) === 0xfffd)) return true;
  if (/^BZh[1-9]/.test(content)) return true;
  if (content.slice(1, 6) === '7zXZ\u0000') return true;
  if (content.charCodeAt(0) === 0x28 && content[2] === '/') return true;
  return content.slice(250, 600).includes('ustar');
}

/** COPY has no equivalent for these ADD flags: no fix then. */
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

/** The COPY keyword written in the case of the ADD it replaces (`ADD` -> `COPY`, `add` -> `copy`, `Add` -> `Copy`). */
function copyKeyword(written: string): string {
  if (written === written.toLowerCase()) return 'copy';
  if (written === written.toUpperCase()) return 'COPY';
  return written[0] === written[0].toUpperCase() ? 'Copy' : 'copy';
}

type Verdict = 'plain' | 'needs-add' | 'unknown';

function classify(model: DockerfileModel, ins: InstructionInfo, raw: string, lookup: (n: string) => string | undefined): Verdict {
  let s = raw;
  if (s.includes('$')) {
    const e = expandVariables(s, lookup);
    if (e === undefined) {
      // the literal parts must settle both questions: where it comes from (start) and what it is (end)
      const masked = maskVariables(s);
      if (masked.startsWith('\u0000') || isRemoteSource(masked.replace(/\u0000/g, 'x'))) return 'unknown';
      const tail = masked.slice(masked.lastIndexOf('\u0000') + 1);
      if (/[\\/]$/.test(masked)) return 'plain'; // a folder: never extracted
      if (!/\.[A-Za-z0-9]+$/.test(tail)) return 'unknown';
      s = masked.replace(/\u0000/g, 'x');
    } else s = e;
  }
  if (isRemoteSource(s)) return 'needs-add';
  if (/[\\/]$/.test(s) || s === '.' || s === '..') return 'plain';
  const base = s.replace(/\\/g, '/').split('/').pop() ?? '';
  if (ARCHIVE_NAME.test(base)) return 'needs-add';
  if (/[*?[]/.test(base)) {
    // a pattern: which files it matches is known only from its extension
    return /\.[A-Za-z0-9]+$/.test(base) && !/[*?[\]]/.test(base.slice(base.lastIndexOf('.'))) ? 'plain' : 'unknown';
  }
  // a file of the context that is an archive under another name is extracted too
  const abs = path.join(model.contextDir, s.replace(/\\/g, '/')); // absolute sources are context-relative too
  const content = model.workspace.isDirectory(abs) ? undefined : model.workspace.readFile(abs);
  if (content !== undefined && looksLikeArchive(content)) return 'needs-add';
  return 'plain';
}

/** `ADD` of files or folders of the build context that it does not extract: `COPY` does the same, visibly. */
export const addLocalFile: Rule = {
  id: 'add-local-file',
  defaultSeverity: 'info',
  summary: '`ADD` of a local file or folder that is not an archive to extract: use `COPY`.',
  hadolint: ['DL3020'],
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const ins of model.instructions) {
      if (ins.keyword !== 'ADD' || !ins.stage) continue;
      if (ins.flags.some((f) => f.name === 'from')) continue; // not valid for ADD: the build reports it
      const words = instructionWords(ins);
      if (words.length < 2 || words.some((w) => w.value.startsWith('<<'))) continue; // heredoc ADD: inline content
      const lookup = varsAt(model, ins);
      const sources = words.slice(0, -1);
      const verdicts = sources.map((w) => classify(model, ins, w.value, lookup));
      if (verdicts.some((v) => v !== 'plain')) continue;

      const kw = model.index.offsetAt(ins.node.getInstructionRange().start);
      const kwEnd = model.index.offsetAt(ins.node.getInstructionRange().end);
      const written = model.text.slice(kw, kwEnd);
      const addOnly = ins.flags.filter((f) => ADD_ONLY_FLAGS.has(f.name)).map((f) => `--${f.name}`);
      const fixes: Fix[] = addOnly.length
        ? []
        : [{ title: 'Replace ADD with COPY', preferred: true, edits: [editAt(model, kw, kwEnd, copyKeyword(written))] }];
      const what = sources.map((w) => `\`${w.value}\``).join(', ');
      out.push({
        message:
          `\`ADD\` only copies ${what} from the build context (no tar archive to extract, no URL to fetch): \`COPY\` does the same and says so, ` +
          'while `ADD` would silently unpack a source that one day becomes a tar archive.' +
          (addOnly.length ? ` No quick-fix: ${addOnly.join(', ')} has no COPY equivalent.` : ''),
        range: rangeOf(model, kw, kwEnd),
        fixes,
      });
    }
    return out;
  },
};
