import { copyPaths } from '../dockerfile/gobuild';
import { stageLineage, type DockerfileModel, type InstructionInfo, type Stage } from '../dockerfile/model';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, Severity } from '../types';

/** Shell builtins and keywords that have no program of their own: exec form cannot run them. */
const SH_BUILTINS = new Set([
  'cd', '.', 'source', 'eval', 'exec', 'set', 'unset', 'export', 'readonly', 'ulimit', 'umask', 'trap', 'wait', 'read', 'alias',
  'exit', 'return', 'shift', 'local', 'if', 'for', 'while', 'until', 'case', 'function', '{', '!', '[[', ':', 'then', 'do',
]);
/** cmd.exe internal commands. */
const CMD_BUILTINS = new Set([
  'assoc', 'break', 'call', 'cd', 'chdir', 'cls', 'color', 'copy', 'date', 'del', 'dir', 'echo', 'endlocal', 'erase', 'exit', 'for',
  'ftype', 'goto', 'if', 'md', 'mkdir', 'mklink', 'move', 'path', 'pause', 'popd', 'prompt', 'pushd', 'rd', 'rem', 'ren', 'rename',
  'rmdir', 'set', 'setlocal', 'shift', 'start', 'time', 'title', 'type', 'ver', 'verify', 'vol',
]);

/**
 * Splits a shell-form command into words when it uses no shell syntax at all:
 * plain words and quoted words only. Undefined when anything would need a shell.
 */
export function plainWords(text: string, windows: boolean): string[] | undefined {
  const words: string[] = [];
  const plain = windows ? /[\w./:,=+@\\-]/ : /[\w./:,=+@%-]/;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) break;
    let w = '';
    while (i < n && text[i] !== ' ' && text[i] !== '\t') {
      const c = text[i];
      if (c === "'" && !windows) {
        const close = text.indexOf("'", i + 1);
        if (close < 0) return undefined;
        w += text.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0) return undefined;
        const inner = text.slice(i + 1, close);
        if (windows ? /[%!^]|\\$/.test(inner) : /[$`\\]/.test(inner)) return undefined;
        w += inner;
        i = close + 1;
      } else if (plain.test(c)) {
        w += c;
        i++;
      } else return undefined;
    }
    words.push(w);
  }
  if (!words.length) return undefined;
  // NAME=value before the command is an environment assignment
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) return undefined;
  const first = words[0];
  if (windows ? CMD_BUILTINS.has(first.toLowerCase()) || /\.(bat|cmd|ps1)$/i.test(first) : SH_BUILTINS.has(first)) return undefined;
  return words;
}

/** Lenient reading of a bracketed list that is not valid JSON (single quotes): `['./app', '-v']`. */
function lenientArray(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  const body = t.slice(1, -1).trim();
  if (!body) return undefined;
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (body[i] === ' ' || body[i] === '\t') i++;
    const q = body[i];
    if (q !== "'" && q !== '"') return undefined;
    const close = body.indexOf(q, i + 1);
    if (close < 0) return undefined;
    const inner = body.slice(i + 1, close);
    if (inner.includes('\\')) return undefined;
    out.push(inner);
    i = close + 1;
    while (body[i] === ' ' || body[i] === '\t') i++;
    if (i >= body.length) break;
    if (body[i] !== ',') return undefined;
    i++;
  }
  return out;
}

const toJson = (words: string[]) => '[' + words.map((w) => JSON.stringify(w)).join(', ') + ']';

interface Effective {
  entry?: InstructionInfo;
  cmd?: InstructionInfo;
  shell?: InstructionInfo;
}

/** The ENTRYPOINT and CMD the final image runs with (ENTRYPOINT resets an inherited CMD). */
function effectiveCommands(final: Stage): Effective {
  const eff: Effective = {};
  for (const stage of stageLineage(final).reverse()) {
    let cmdHere = false;
    let entryHere = false;
    for (const ins of stage.instructions) {
      if (ins.keyword === 'CMD') {
        eff.cmd = ins;
        cmdHere = true;
      } else if (ins.keyword === 'ENTRYPOINT') {
        eff.entry = ins;
        entryHere = true;
      } else if (ins.keyword === 'SHELL') eff.shell = ins;
    }
    if (entryHere && !cmdHere) eff.cmd = undefined;
  }
  return eff;
}

/** A COPY that may bring a shell into a shell-less base (busybox, /bin, a whole tree). */
function mayCopyShell(final: Stage): boolean {
  for (const st of stageLineage(final)) {
    for (const ins of st.instructions) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const p = copyPaths(ins);
      if (!p) return true;
      if (p.sources.some((x) => /busybox|(^|\/)(ba|da|a)?sh$|^\/?(usr\/)?bin\/?$|^\/$/.test(x))) return true;
      if (/busybox|(^|\/)(ba|da|a)?sh$/.test(p.dest)) return true;
    }
  }
  return false;
}

/** Logical [start, end) of the instruction's arguments, whitespace trimmed. */
function argSpan(ins: InstructionInfo): [number, number] {
  const t = ins.args.text;
  let s = ins.restStart;
  while (s < t.length && (t[s] === ' ' || t[s] === '\t')) s++;
  let e = t.length;
  while (e > s && (t[e - 1] === ' ' || t[e - 1] === '\t')) e--;
  return [s, e];
}

/** Document range of the arguments on the instruction's first line. */
function firstLineRange(model: DockerfileModel, ins: InstructionInfo, s: number, e: number) {
  const args = ins.args;
  let k = s;
  while (k + 1 < e && args.at(k + 1) === args.at(k) + 1) k++;
  while (k > s && (ins.args.text[k] === ' ' || ins.args.text[k] === '\t')) k--;
  return rangeOf(model, args.at(s), args.at(k) + 1);
}

/** CMD / ENTRYPOINT in shell form in the final image. */
export const execFormCmd: Rule = {
  id: 'exec-form-cmd',
  defaultSeverity: 'warning',
  summary: 'Shell-form `CMD`/`ENTRYPOINT`: the app does not receive SIGTERM, and without /bin/sh it does not start.',
  hadolint: ['DL3025'],
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final) return [];
    const out: RuleFinding[] = [];
    const eff = effectiveCommands(final);
    const windows = final.windows;
    const noShell = final.base.shell === false && !eff.shell && !mayCopyShell(final);
    const root = stageLineage(final).pop()!;
    const baseName = root.image ?? 'the base image';
    const entryShell = eff.entry && !eff.entry.json;

    const report = (ins: InstructionInfo, role: 'ENTRYPOINT' | 'CMD') => {
      const [s, e] = argSpan(ins);
      if (s >= e) return;
      const text = ins.args.text.slice(s, e);
      const kw = ins.node.getKeyword();
      const from = ins.args.at(s);
      const to = ins.args.at(e - 1) + 1;
      // a comment line inside the continuation would be lost with the replaced text
      const dropsComment = /[\r\n][ \t]*#/.test(model.text.slice(from, to));
      const replace = (words: string[], title: string, preferred: boolean): Fix =>
        dropsComment
          ? { title: `${title} (removes the comment lines inside it)`, preferred: false, edits: [editAt(model, from, to, toJson(words))] }
          : { title, preferred, edits: [editAt(model, from, to, toJson(words))] };
      const range = firstLineRange(model, ins, s, e);
      const cmdArgsToEntry = role === 'CMD' && eff.entry && eff.entry.json;

      // looks like exec form but is not JSON: Docker runs the brackets through the shell
      const words0 = lenientArray(text);
      // (a shell `[ ... ]` test command is not mistaken for it: no quote right after the bracket, no list)
      if (words0 || (/^\[["']/.test(text) && text.endsWith(']'))) {
        const words = words0;
        out.push({
          severity: 'error',
          message:
            `\`${kw}\` looks like exec form but is not valid JSON (exec form needs double quotes), so Docker treats it as shell form and runs the text, brackets and all, through ${windows ? '`cmd /S /C`' : '`/bin/sh -c`'}` +
            (cmdArgsToEntry ? ` as arguments of the ENTRYPOINT (line ${eff.entry!.line + 1}).` : ': the command is not found and the container does not start.'),
          range,
          fixes: words ? [replace(words, 'Rewrite as a JSON array', true)] : [],
        });
        return;
      }

      let words = plainWords(text, windows);
      if (!windows && /^exec[ \t]/.test(text)) {
        // `exec app`: the shell replaces itself, signals reach the app; it still needs /bin/sh
        if (!noShell && !cmdArgsToEntry) return;
        const rest = plainWords(text.replace(/^exec[ \t]+/, ''), windows);
        words = rest && !rest[0].startsWith('-') ? rest : undefined;
      }
      if (eff.shell && !cmdArgsToEntry) return; // an explicit SHELL: the shell form is deliberate

      let severity: Severity | undefined;
      let message: string;
      if (cmdArgsToEntry) {
        severity = 'warning';
        message = `\`CMD\` in shell form with an exec-form \`ENTRYPOINT\` (line ${eff.entry!.line + 1}): Docker passes \`${windows ? 'cmd /S /C' : '/bin/sh -c'} "${text}"\` as arguments to the entrypoint, not the words of this CMD. Write CMD in exec (JSON) form.`;
      } else if (noShell) {
        severity = 'error';
        message = `\`${kw}\` in shell form runs \`/bin/sh -c ${JSON.stringify(text)}\`, but \`${baseName}\` has no /bin/sh: the container does not start. Use exec (JSON) form.`;
      } else {
        const shell = windows ? '`cmd /S /C`' : '`/bin/sh -c`';
        message =
          `\`${kw}\` in shell form runs the app under ${shell}: the shell is PID 1 and does not forward SIGTERM, so on \`docker stop\` or a pod deletion the app is killed after the grace period instead of shutting down cleanly. Use exec (JSON) form` +
          (words ? '.' : windows ? ', or move the shell logic into the program or a script.' : ', or prefix the command with `exec`.');
        if (role === 'ENTRYPOINT' && eff.cmd) message += ` Note: a shell-form ENTRYPOINT ignores CMD (line ${eff.cmd.line + 1}).`;
      }
      const fixes: Fix[] = [];
      if (words) {
        if (role === 'ENTRYPOINT' && eff.cmd) {
          fixes.push(replace(words, `Convert to exec form (CMD on line ${eff.cmd.line + 1} is then appended as arguments)`, false));
        } else if (!windows && /\.sh$/.test(words[0])) {
          fixes.push(replace(words, 'Convert to exec form (the script needs a #! line)', false));
        } else {
          fixes.push(replace(words, 'Convert to exec form', true));
        }
      }
      out.push({ severity, message, range, fixes });
    };

    if (entryShell) report(eff.entry!, 'ENTRYPOINT');
    // a shell-form ENTRYPOINT ignores CMD altogether
    if (eff.cmd && !eff.cmd.json && !entryShell) report(eff.cmd, 'CMD');
    return out;
  },
};
