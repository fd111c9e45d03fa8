import { runCommands, stageLineage, wordOffsets } from '../dockerfile/model';
import type { ShellScript } from '../dockerfile/shell';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
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
      if (argv[0]?.value !== 'apk' && !/\/apk$/.test(argv[0]?.value ?? '')) continue;
      // apk's global options may come before the applet: `apk --update add ...`
      const addIdx = argv.findIndex((w, i) => i > 0 && !w.value.startsWith('-'));
      if (addIdx < 0 || argv[addIdx].value !== 'add') continue;
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
      out.push({
        severity: shipped ? undefined : 'info',
        message: shipped
          ? '`apk add` without `--no-cache` keeps the APK index (about 2–3 MB) in this layer; add `--no-cache`.'
          : '`apk add` without `--no-cache` keeps the APK index (about 2–3 MB) in this build stage\'s layer (not shipped, but cached and rebuilt); add `--no-cache`.',
        range: rangeOf(model, wordOffsets(script, argv[0])[0], e),
        fixes: [{ title: 'Add --no-cache', preferred: true, edits: [editAt(model, e, e, ' --no-cache')] }],
      });
    }
    return out;
  },
};
