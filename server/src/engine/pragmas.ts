// Inline suppressions in comments:
//   # container-tuner ignore=rule-a,rule-b   (the next statement)
//   # container-tuner ignore-file=rule-a     (the whole file)
//   # hadolint ignore=DL3019                 (the next statement, for the rules that match hadolint's)
//   # hadolint global ignore=DL3019          (the whole file)
// `all` (or `*`) stands for every rule.

export interface Pragmas {
  /** Rules (or hadolint codes) ignored for the whole file. */
  file: Set<string>;
  /** Line of a statement's first line -> rules ignored on it. */
  lines: Map<number, Set<string>>;
}

// The list after `=` is read whole and checked apart: `=\s*([…]+?)\s*$` backtracked quadratically on a
// long run of spaces that does not end the line.
const OURS = /^\s*#\s*container-tuner\s+(ignore|ignore-file)\s*=(.*)$/;
const HADOLINT = /^\s*#\s*hadolint\s+(global\s+)?ignore\s*=(.*)$/;
const OURS_LIST = /^[A-Za-z0-9_*,\- ]+$/;
const HADOLINT_LIST = /^[A-Za-z0-9_,\- ]+$/;

/**
 * Reads pragmas from a document's text (or its lines). A line pragma applies
 * to the next line that is neither blank nor a comment (the statement it
 * precedes).
 */
export function parsePragmas(text: string | string[]): Pragmas {
  const p: Pragmas = { file: new Set(), lines: new Map() };
  // most documents have none: no split and no two regexes per line at every keystroke
  if (typeof text === 'string' && !text.includes('container-tuner') && !text.includes('hadolint')) return p;
  const lines = typeof text === 'string' ? text.split(/\r\n|\n|\r/) : text;
  let pending: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let ours = OURS.exec(line);
    if (ours && !OURS_LIST.test(ours[2].trim())) ours = null;
    let hado = ours ? null : HADOLINT.exec(line);
    if (hado && !HADOLINT_LIST.test(hado[2].trim())) hado = null;
    if (ours || hado) {
      const ids = (ours ? ours[2] : hado![2]).split(/[\s,]+/).filter(Boolean);
      const fileWide = ours ? ours[1] === 'ignore-file' : Boolean(hado![1]);
      if (fileWide) ids.forEach((id) => p.file.add(id));
      else pending.push(...ids);
      continue;
    }
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (pending.length) {
      p.lines.set(i, new Set(pending));
      pending = [];
    }
  }
  return p;
}

/** Whether a finding of `rule` (with hadolint aliases) starting on statement line `line` is suppressed. */
export function isSuppressed(p: Pragmas, rule: string, aliases: string[] | undefined, line: number | undefined): boolean {
  const names = [rule, ...(aliases ?? [])];
  const hit = (set: Set<string> | undefined) => !!set && (set.has('all') || set.has('*') || names.some((n) => set.has(n)));
  if (hit(p.file)) return true;
  return line !== undefined && hit(p.lines.get(line));
}
