import { stageLineage, wordOffsets, type DockerfileModel, type InstructionInfo, type Stage } from '../dockerfile/model';
import type { ShellScript, SimpleCommand, Word } from '../dockerfile/shell';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';

const CLEANUP = 'rm -rf /var/lib/apt/lists/*';
/** apt-get options that take the next word as their value. */
const VALUE_OPTS = new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--default-release']);
const LISTS_PATH = /^\/var\/lib\/apt(\/lists)?(\/|\/\*|\/\*\*)?$/;
const LISTS_MOUNT = /(^|,)(target|dst|destination)=\/var\/lib\/apt(\/lists)?\/?(,|$)/;

interface Cmd {
  script: ShellScript;
  /** Index of the script in the RUN (0 = command line, then heredoc bodies). */
  si: number;
  cmd: SimpleCommand;
}

/** The apt-get / apt subcommand word and its index, or undefined. */
function aptSub(cmd: SimpleCommand, wrappers = false): { word: Word; index: number } | undefined {
  const argv = cmd.argv;
  const tool = argv[0]?.value ?? '';
  // wrappers (tonistiigi/xx's xx-apt) read the same lists: they count as later users, not as installs to report
  if (!(wrappers ? /(^|\/)(xx-)?apt(-get)?$/ : /(^|\/)apt(-get)?$/).test(tool)) return undefined;
  let i = 1;
  while (i < argv.length) {
    const v = argv[i].value;
    if (!v.startsWith('-')) return { word: argv[i], index: i };
    i += VALUE_OPTS.has(v) ? 2 : 1;
  }
  return undefined;
}

const isAptUpdate = (c: SimpleCommand) => aptSub(c)?.word.value === 'update';

function removesLists(c: SimpleCommand): boolean {
  const a = c.argv;
  const tool = a[0]?.value ?? '';
  if (/(^|\/)rm$/.test(tool)) return a.slice(1).some((w) => LISTS_PATH.test(w.value));
  if (/(^|\/)find$/.test(tool)) return LISTS_PATH.test(a[1]?.value ?? '') && a.some((w) => w.value === '-delete');
  // apt 2.7.8+ (Debian 13): `apt-get distclean` (alias dist-clean) also removes the lists
  const sub = aptSub(c)?.word.value;
  return sub === 'distclean' || sub === 'dist-clean';
}

function commandsOf(ins: InstructionInfo): Cmd[] {
  if (ins.keyword !== 'RUN' || ins.json) return [];
  return ins.scripts.flatMap((script, si) => script.commands.map((cmd) => ({ script, si, cmd })));
}

const listsMounted = (ins: InstructionInfo) => ins.flags.some((f) => f.name === 'mount' && LISTS_MOUNT.test(f.value ?? ''));

/** Instructions of a stage's lineage that come before `ins` (ancestors first). */
function before(stage: Stage, ins: InstructionInfo): InstructionInfo[] {
  const out: InstructionInfo[] = [];
  for (const s of stageLineage(stage).reverse()) {
    for (const x of s.instructions) {
      if (x === ins) return out;
      out.push(x);
    }
  }
  return out;
}

/** RUNs after `ins` whose image contains its layer: later in its stage, and in stages built on it. */
function after(model: DockerfileModel, ins: InstructionInfo): InstructionInfo[] {
  const stage = ins.stage!;
  const out: InstructionInfo[] = [];
  for (const s of model.stages) {
    // (loops, not push(...spread): 100,000 instructions overflow the stack)
    if (s === stage) for (const x of s.instructions.slice(s.instructions.indexOf(ins) + 1)) out.push(x);
    else if (s.index > stage.index && stageLineage(s).includes(stage)) for (const x of s.instructions) out.push(x);
  }
  return out;
}

/** Whether shell text ends inside a quote, `${`, `$(` or backquote (a half-typed line): text appended there would land inside it. */
function endsOpen(t: string): boolean {
  const stack: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    const top = stack[stack.length - 1];
    if (top === "'") { if (c === "'") stack.pop(); continue; }
    if (c === '\\') { i++; continue; }
    if (c === top && top !== '(') { stack.pop(); continue; }
    if (top !== '"' && c === '#' && (i === 0 || /\s/.test(t[i - 1]))) { while (i + 1 < t.length && t[i + 1] !== '\n' && t[i + 1] !== '\r') i++; continue; }
    if (c === '$' && (t[i + 1] === '{' || t[i + 1] === '(')) { stack.push(t[i + 1] === '{' ? '}' : ')'); i++; continue; }
    if (top === ')' && c === '(') stack.push(')');
    else if (c === '"' || c === '`' || (c === "'" && top !== '"')) stack.push(c);
  }
  return stack.length > 0;
}

/** Where `&& rm -rf /var/lib/apt/lists/*` goes: the end of the script holding the last install. */
function cleanupEdit(model: DockerfileModel, ins: InstructionInfo, cmds: Cmd[], last: Cmd): TextEdit | undefined {
  const script = last.script;
  if (endsOpen(script.source.text)) return undefined;
  if (last.si === 0) {
    const cs = script.commands;
    const lastCmd = cs[cs.length - 1];
    const lastWord = lastCmd.words[lastCmd.words.length - 1];
    const trailing = script.source.text.slice(lastWord.end);
    // a trailing redirection, comment, `&`, `)` or `fi` would change what the cleanup means
    if (!/^[ \t]*(?:;[ \t]*)?$/.test(trailing)) return undefined; // (not `[ \t]*;?[ \t]*`: quadratic on long blank runs)
    // heredoc bodies run after the command line: the cleanup must not come before them
    if (cmds.some((c) => c.si > 0)) return undefined;
    const end = wordOffsets(script, lastWord)[1];
    return editAt(model, end, end, ` && ${CLEANUP}`);
  }
  const body = script.source;
  const lines = body.text.split(/\r\n|\n|\r/);
  const lastLine = lines[lines.length - 1];
  if (/\\[ \t]*$/.test(body.text) || !lastLine.trim()) return undefined;
  if (last.si !== ins.scripts.length - 1) return undefined;
  const indent = /^[ \t]*/.exec(lastLine)![0];
  const end = body.at(body.text.length);
  return editAt(model, end, end, model.eol + indent + CLEANUP);
}

/** `apt-get install` leaving the package lists in the layer, or installing recommended packages. */
export const aptListsCleanup: Rule = {
  id: 'apt-lists-cleanup',
  defaultSeverity: 'warning',
  summary: '`apt-get install` without `--no-install-recommends`, or without removing /var/lib/apt/lists in the same `RUN`.',
  hadolint: ['DL3009', 'DL3015'],
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    const finalLineage = model.finalStage ? stageLineage(model.finalStage) : [];
    for (const stage of model.stages) {
      for (const ins of stage.instructions) {
        const cmds = commandsOf(ins);
        const installs = cmds.map((c, i) => ({ c, i, sub: aptSub(c.cmd) })).filter((x) => x.sub?.word.value === 'install');
        if (!installs.length) continue;
        const prior = before(stage, ins);
        const mountedHere = listsMounted(ins);
        const laterDependents = after(model, ins).filter((x) => {
          const cs = commandsOf(x).map((c) => c.cmd);
          const first = cs.findIndex((c) => aptSub(c, true)?.word.value === 'install');
          return first >= 0 && !cs.slice(0, first).some(isAptUpdate);
        });
        // a config file (or a RUN writing one) may already turn recommends off
        const recommendsConfigured =
          /Install-Recommends/i.test(model.text.slice(ins.start, ins.end)) ||
          prior.some((x) => ['RUN', 'COPY', 'ADD'].includes(x.keyword) && /Install-Recommends|\/etc\/apt\/apt\.conf/i.test(model.text.slice(x.start, x.end)));
        const lastInstall = installs[installs.length - 1].c;
        let cleanupGiven = false;

        for (const { c, i, sub } of installs) {
          const argv = c.cmd.argv;
          const missingNir = !recommendsConfigured && !argv.some((w) => w.value === '--no-install-recommends' || /Install-Recommends/i.test(w.value));

          // (a) where do the lists come from, and are they removed in their layer?
          let lists: 'ok' | 'here' | 'earlier' = 'ok';
          let updateLine = 0;
          const cleanedLater = cmds.slice(i + 1).some((x) => removesLists(x.cmd));
          if (cmds.slice(0, i).some((x) => isAptUpdate(x.cmd))) {
            if (!cleanedLater && !mountedHere) lists = 'here';
          } else if (!cleanedLater && !mountedHere) {
            const upd = [...prior].reverse().find((x) => commandsOf(x).some((y) => isAptUpdate(y.cmd)));
            // a bare `RUN apt-get update`; an update RUN that also installs is reported on its own
            if (upd && !listsMounted(upd) && !commandsOf(upd).some((y) => removesLists(y.cmd) || aptSub(y.cmd)?.word.value === 'install')) {
              lists = 'earlier';
              updateLine = upd.line + 1;
            }
          }
          if (!missingNir && lists === 'ok') continue;

          const [start] = wordOffsets(c.script, argv[0]);
          const subEnd = wordOffsets(c.script, sub!.word)[1];
          const shipped = !!ins.stage && finalLineage.includes(ins.stage);
          const what = c.cmd.argv[0].value.replace(/^.*\//, '') + ' install';
          const parts: string[] = [];
          if (missingNir) parts.push('without `--no-install-recommends` it also installs recommended packages the service does not need');
          if (lists === 'here') parts.push(`without \`${CLEANUP}\` in the same RUN the package lists from \`apt-get update\` (tens of MB) stay in this layer`);
          if (lists === 'earlier')
            parts.push(
              `the package lists from the separate \`RUN apt-get update\` on line ${updateLine} stay in that layer (tens of MB; deleting them later saves nothing, and a cached update layer serves stale lists): run \`apt-get update\`, the install and \`${CLEANUP}\` in one RUN`,
            );
          let message = `\`${what}\`: ` + parts.join('; ') + '.';
          if (lists === 'here' && laterDependents.length)
            message += ` (The cleanup is not added automatically: \`apt-get install\` on line ${laterDependents[0].line + 1} relies on these lists.)`;
          if (!shipped) message += ' This build stage is not part of the final image, so this only grows the build cache.';

          const edits: TextEdit[] = [];
          if (missingNir) edits.push(editAt(model, subEnd, subEnd, ' --no-install-recommends'));
          let cleanup: TextEdit | undefined;
          if (lists === 'here' && !laterDependents.length) cleanup = cleanupEdit(model, ins, cmds, lastInstall);
          // one cleanup per RUN: it rides with the first fix; later ones offer the identical edit alone
          if (cleanup && (!cleanupGiven || !edits.length)) {
            edits.push(cleanup);
            cleanupGiven = true;
          }
          const fixes: Fix[] = [];
          if (edits.length) {
            const titles: string[] = [];
            if (missingNir) titles.push('add --no-install-recommends');
            if (edits.includes(cleanup!)) titles.push(`add ${CLEANUP}`);
            const title = titles.join(' and ');
            fixes.push({ title: title[0].toUpperCase() + title.slice(1), preferred: true, edits });
          }
          out.push({ severity: shipped ? undefined : 'info', message, range: rangeOf(model, start, subEnd), fixes });
        }
      }
    }
    return out;
  },
};
