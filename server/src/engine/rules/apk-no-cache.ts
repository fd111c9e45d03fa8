import { runCommands, stageLineage, wordOffsets, type DockerfileModel } from '../dockerfile/model';
import type { ShellScript } from '../dockerfile/shell';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';
import { KeyMemo } from '../memo';

/** Whether a script removes /var/cache/apk (once per script: a RUN of many `apk add` stays linear). */
const cleaning = new KeyMemo<ShellScript, boolean>();
function cleansApkCache(script: ShellScript): boolean {
  let v = cleaning.get(script);
  if (v === undefined) {
    v = script.commands.some((c) => c.argv[0]?.value === 'rm' && c.argv.some((w) => /^\/var\/cache\/apk(\/\*?)?$/.test(w.value)));
    cleaning.set(script, v);
  }
  return v;
}

type Command = ShellScript['commands'][number];

/** Per script (once: a RUN of thousands of commands stays linear): its apk commands. */
interface ApkInfo {
  index: Map<Command, number>;
  /** Indexes of its `apk update` commands. */
  updates: number[];
  /** Its `apk add` commands without --no-cache. */
  lacking: Command[];
  /** Every apk command besides `apk update` is `apk add` or `apk del` (none needs an index `apk update` fetched). */
  onlyAddDel: boolean;
}
const apkInfos = new KeyMemo<ShellScript, ApkInfo>();
function apkInfo(script: ShellScript): ApkInfo {
  let info = apkInfos.get(script);
  if (info) return info;
  info = { index: new Map(), updates: [], lacking: [], onlyAddDel: true };
  script.commands.forEach((c, i) => {
    info!.index.set(c, i);
    const a = apkApplet(c);
    if (!a) return;
    if (a.name === 'update') info!.updates.push(i);
    else if (a.name !== 'add' && a.name !== 'del') info!.onlyAddDel = false;
    if (a.name === 'add' && !c.argv.some((w) => w.value === '--no-cache')) info!.lacking.push(c);
  });
  apkInfos.set(script, info);
  return info;
}

/** The applet of an `apk` command (`apk --update add x` → add, at its index in argv), or undefined for another program. */
function apkApplet(cmd: Command): { name: string; index: number } | undefined {
  const argv = cmd.argv;
  if (argv[0]?.value !== 'apk' && !/\/apk$/.test(argv[0]?.value ?? '')) return undefined;
  // apk's global options may come before the applet: `apk --update add ...`
  const index = argv.findIndex((w, i) => i > 0 && !w.value.startsWith('-'));
  return index < 0 ? undefined : { name: argv[index].value, index };
}

/**
 * The edit that deletes an `apk update` command and the `&&`, `;` or line
 * break after it, up to the next command (continuation lines included), when
 * the text between them holds nothing else; undefined otherwise.
 */
function deleteCommand(model: DockerfileModel, script: ShellScript, k: number): TextEdit | undefined {
  const cmd = script.commands[k];
  const next = script.commands[k + 1];
  if (!cmd || !next || cmd.assignments.length || !cmd.words.length || !next.words.length) return undefined;
  const start = wordOffsets(script, cmd.words[0])[0];
  const end = wordOffsets(script, cmd.words[cmd.words.length - 1])[1];
  const nextStart = wordOffsets(script, next.words[0])[0];
  const between = model.text.slice(end, nextStart).split(model.escape + '\r\n').join(' ').split(model.escape + '\n').join(' ');
  if (!/^\s*(&&|;)?\s*$/.test(between)) return undefined;
  return editAt(model, start, nextStart, '');
}

/** `apk add` keeps the package index (/var/cache/apk) in the layer unless told not to. */
export const apkNoCache: Rule = {
  id: 'apk-no-cache',
  defaultSeverity: 'warning',
  summary: '`apk add` without `--no-cache` leaves the package index in the layer.',
  hadolint: ['DL3019'],
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const { ins, script, cmd } of runCommands(model)) {
      const argv = cmd.argv;
      const applet = apkApplet(cmd);
      if (applet?.name !== 'add') continue;
      const addIdx = applet.index;
      const opts = argv.slice(1).map((w) => w.value);
      if (opts.includes('--no-cache')) continue;
      // a cache mount on /var/cache/apk keeps the index out of the layer too
      if (ins.flags.some((f) => f.name === 'mount' && /target=\/var\/cache\/apk|dst=\/var\/cache\/apk|destination=\/var\/cache\/apk/.test(f.value ?? ''))) continue;
      // the index removed in the same RUN is not in the layer either
      const cleaned = cleansApkCache(script);
      if (cleaned) continue;
      const [, e] = wordOffsets(script, argv[addIdx]);
      // a stage the final image is not built from only grows the build cache
      const shipped = !!model.finalStage && !!ins.stage && stageLineage(model.finalStage).includes(ins.stage);
      // `apk update` before it in this RUN writes the index too, and `--no-cache` does not remove it:
      // the fix drops `apk update` as well (`--no-cache` fetches a fresh index), when nothing else
      // in the RUN needs the index (only `apk add`/`apk del` besides it)
      const info = apkInfo(script);
      const at = info.index.get(cmd)!;
      let fix: Fix = { title: 'Add --no-cache', preferred: true, edits: [editAt(model, e, e, ' --no-cache')] };
      let note = '';
      if (info.updates.length && info.updates[0] < at) {
        const drop = info.updates.length === 1 && info.onlyAddDel ? deleteCommand(model, script, info.updates[0]) : undefined;
        // the first `apk add` without --no-cache carries the whole fix (every such `apk add` of the RUN
        // gets --no-cache): the others' fixes would delete the same `apk update` again
        const lacking = info.lacking;
        if (drop && lacking[0] === cmd) {
          const inserts = lacking.map((c) => {
            const [, end] = wordOffsets(script, c.argv[apkApplet(c)!.index]);
            return editAt(model, end, end, ' --no-cache');
          });
          fix = { title: 'Drop `apk update` and add --no-cache', preferred: true, edits: [drop, ...inserts] };
        } else if (drop) fix = { ...fix, preferred: false };
        if (drop) {
          note = ' `apk update` earlier in this RUN writes the index too, and `--no-cache` does not delete it: drop `apk update` (`apk add --no-cache` fetches a fresh index without keeping it).';
        } else {
          fix = { ...fix, preferred: false };
          note = ' `apk update` earlier in this RUN writes the index too, and `--no-cache` does not delete it: end this RUN with `rm -rf /var/cache/apk/*`.';
        }
      }
      out.push({
        severity: shipped ? undefined : 'info',
        message:
          (shipped
            ? '`apk add` without `--no-cache` keeps the APK index (about 2–3 MB) in this layer; add `--no-cache`.'
            : '`apk add` without `--no-cache` keeps the APK index (about 2–3 MB) in this build stage\'s layer (not shipped, but cached and rebuilt); add `--no-cache`.') + note,
        range: rangeOf(model, wordOffsets(script, argv[0])[0], e),
        fixes: [fix],
      });
    }
    return out;
  },
};
