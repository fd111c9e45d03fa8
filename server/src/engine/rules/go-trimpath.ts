import { runCommands, stageLineage, wordOffsets } from '../dockerfile/model';
import type { DockerfileModel, Stage } from '../dockerfile/model';
import { lastFlag, shippedGoBuilds, type GoBuild } from '../dockerfile/gobuild';
import { goAtLeast } from '../go';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import { commandVars, debugOrUnknownGcflags, hasHiddenFlags, producesProgram } from './go-strip-symbols';
import { KeyMemo } from '../memo';

/**
 * Whether a `go install` builds this module's own packages (relative or under
 * go.mod's module path): not a third-party tool (`pkg@version`) or a
 * dependency installed to warm the build cache.
 */
export function ownPackages(model: DockerfileModel, b: GoBuild): boolean {
  if (!b.packages.length) return true;
  const mod = model.goMod?.module;
  return b.packages.every((w) => {
    const v = w.value;
    if (v.includes('@')) return false;
    if (v === '.' || v.startsWith('./') || v.startsWith('../') || v.startsWith('/')) return true;
    return !!mod && (v === mod || v.startsWith(mod + '/'));
  });
}

/** `-trimpath` (or `-trimpath=<bool>`) among GOFLAGS fields. */
function goflagsTrimpath(goflags: string): boolean {
  return goflags.split(/\s+/).some((f) => /^--?trimpath(=.*)?$/.test(f));
}

/** A `go env ... GOFLAGS=...` in the stage itself (once per stage: asked for every shipped build). */
const goflagsFiles = new KeyMemo<Stage, boolean>();
function setsGoflagsFile(model: DockerfileModel, st: Stage): boolean {
  let v = goflagsFiles.get(st);
  if (v === undefined) {
    v = runCommands(model, st).some(({ cmd }) => {
      const a = cmd.argv.map((w) => w.value);
      return /(^|[\\/])go(\.exe)?$/i.test(a[0] ?? '') && a[1] === 'env' && a.some((x) => x.startsWith('GOFLAGS='));
    });
    goflagsFiles.set(st, v);
  }
  return v;
}

export const goTrimpath: Rule = {
  id: 'go-trimpath',
  defaultSeverity: 'info',
  summary: 'A shipped `go build` without `-trimpath` embeds the build paths in the binary.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const { build, via } of shippedGoBuilds(model)) {
      const gc = build.cmd;
      const stage = gc.instr.stage;
      if ((gc.sub !== 'build' && gc.sub !== 'install') || !stage) continue;
      // -trimpath arrived in Go 1.13: older builders reject the flag
      if (stage.base.goToolchain && stage.base.goVersion && goAtLeast(stage.base.goVersion, 13) === false) continue;
      if (gc.sub === 'install' && !ownPackages(model, build)) continue;
      const lookup = commandVars(model, gc);
      if (!producesProgram(build) || hasHiddenFlags(build, lookup)) continue;
      // any -trimpath on the command, even =false, is a choice
      if (lastFlag(build, 'trimpath')) continue;
      const goflags = lookup('GOFLAGS');
      if (goflags === null || (goflags && goflagsTrimpath(goflags))) continue;
      // a `go env -w GOFLAGS=...` file may carry it
      const goEnvFile = stageLineage(stage).some((st) => setsGoflagsFile(model, st));
      if (goEnvFile) continue;
      // Delve needs the real paths of a debug build
      if (debugOrUnknownGcflags(build, lookup)) continue;

      const script = gc.script;
      const sub = gc.cmd.argv[1];
      const [start] = wordOffsets(script, gc.goWord);
      const [, end] = wordOffsets(script, sub);
      // built where the sources stay: code that finds files through runtime.Caller paths would change behaviour
      const inPlace = via === gc.instr;
      out.push({
        message:
          `This shipped \`go ${gc.sub}\` has no \`-trimpath\`: the binary records the builder's absolute paths (the source directory, \`/go/pkg/mod/...\`, GOROOT) ` +
          'in its file table, panics and stack traces, so its bytes depend on where it was built and it shows the build layout. Add `-trimpath` (Go 1.13+), which records module paths instead.' +
          (inPlace ? ' The binary runs next to its sources here: check that nothing locates files through `runtime.Caller` paths before applying.' : ''),
        range: rangeOf(model, start, end),
        fixes: [{ title: 'Add -trimpath', preferred: !inPlace, edits: [editAt(model, end, end, ' -trimpath')] }],
      });
    }
    return out;
  },
};
