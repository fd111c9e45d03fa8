import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from '../dockerfile/model';
import { envAt, inLineage, runCommands, stageByRef, stageLineage, stageRoot, wordOffsets, workdirAt } from '../dockerfile/model';
import { copyPaths, flagValue, lastFlag, parseGoBuild } from '../dockerfile/gobuild';
import { splitAssignment } from '../dockerfile/shell';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { TextEdit } from '../types';
import { fromImageWord } from './base-image-unpinned';
import { envSettings } from './go-env-syntax';
import { commandVars } from './go-strip-symbols';
import { containerPath, windowsStage } from './go-toolchain-mismatch';
import { ownPackages } from './go-trimpath';

const TARGET_NAME = /TARGET(PLATFORM|OS|ARCH|VARIANT)/;
const TARGET_USE = /\$\{?TARGET(PLATFORM|OS|ARCH|VARIANT)\b/;

/** Names an ARG instruction declares (`ARG A B=1 C="x y"`: dockerfile-ast reads only the first of several). */
function argNames(ins: InstructionInfo): string[] {
  const out: string[] = [];
  for (const m of ins.args.text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)) out.push(m[1]);
  return out;
}

/** What makes the Dockerfile multi-platform, for the message; undefined when nothing does. */
export function multiPlatformSignal(model: DockerfileModel): string | undefined {
  for (const ins of model.instructions) {
    if (ins.keyword === 'ARG') {
      const decl = argNames(ins).find((n) => /^TARGET(PLATFORM|OS|ARCH|VARIANT)$/.test(n));
      if (decl) return `\`ARG ${decl}\` on line ${ins.line + 1}`;
    }
    if (ins.keyword === 'FROM') {
      const p = flagValue(ins, 'platform');
      if (p?.includes('$')) return `\`--platform=${p}\` on line ${ins.line + 1}`;
    }
    const m = TARGET_USE.exec(ins.args.text) ?? ins.scripts.map((s) => TARGET_USE.exec(s.source.text)).find(Boolean);
    if (m) return `\`$TARGET${m[1]}\` on line ${ins.line + 1}`;
  }
  return undefined;
}

/** The `--platform` a stage runs on (its own FROM's, or inherited from the stage it is built on). */
function stagePlatform(stage: Stage): string | undefined {
  for (const s of stageLineage(stage)) {
    const p = flagValue(s.from, 'platform');
    if (p !== undefined) return p;
    // a bare `--platform` (half-typed): the stage has one, of unknown value (adding another did not help)
    if (s.from.flags.some((f) => f.name === 'platform')) return '';
  }
  return undefined;
}

/** The value of `name` as written where the command gets it (assignment, earlier export, ENV, stage ARG default). */
function rawSetting(model: DockerfileModel, gc: GoCommand, name: string): string | undefined {
  if (gc.env.has(name)) return gc.env.get(name);
  let fromScript: string | undefined;
  let found = false;
  for (const c of gc.script.commands) {
    if (c === gc.cmd) break;
    const words = !c.argv.length ? c.assignments : c.argv[0].value === 'export' ? c.argv.slice(1) : [];
    for (const w of words) {
      if (!w.value.startsWith(name + '=')) continue;
      fromScript = splitAssignment(w)[1];
      found = true;
    }
  }
  if (found) return fromScript;
  const env = envAt(gc.instr.stage!, gc.instr).get(name);
  if (env) return env.value;
  let arg: string | undefined;
  for (const ins of gc.instr.stage!.instructions) {
    if (ins === gc.instr) break;
    if (ins.keyword !== 'ARG') continue;
    for (const s of envSettings(model, [ins])) if (s.name === name) arg = s.hasValue ? model.text.slice(s.start, s.end) : '$' + name;
  }
  return arg;
}

/** Whether the value of `name` for this command comes from a TARGET* build argument. */
function fromTarget(model: DockerfileModel, gc: GoCommand, name: string, depth = 0): boolean {
  const raw = rawSetting(model, gc, name);
  if (raw === undefined || depth > 3) return false;
  if (TARGET_NAME.test(raw) && raw.includes('$')) return true;
  for (const m of raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (m[1] !== name && fromTarget(model, gc, m[1], depth + 1)) return true;
  return false;
}

type VarState = 'target' | 'fixed' | 'unset' | 'unknown';

function varState(model: DockerfileModel, gc: GoCommand, name: 'GOOS' | 'GOARCH'): VarState {
  if (fromTarget(model, gc, name)) return 'target';
  const v = commandVars(model, gc)(name);
  if (v === null) return 'unknown';
  return v ? 'fixed' : 'unset';
}

/** TARGET* names an ARG of the stage declares before `upTo`. */
function declaredTargets(stage: Stage, upTo: InstructionInfo): Set<string> {
  const out = new Set<string>();
  for (const ins of stage.instructions) {
    if (ins === upTo) break;
    if (ins.keyword !== 'ARG') continue;
    for (const n of argNames(ins)) out.add(n);
  }
  return out;
}

/** Files safe to take from a stage built for another platform: certificates, time zones, users, configuration. */
const ARCH_INDEPENDENT = /^\/etc\/(ssl|pki|ca-certificates|passwd|group|nsswitch\.conf|mime\.types)|\/zoneinfo|\.(crt|pem|json|ya?ml|toml|conf|html|css|js|txt|md|sql|tmpl|proto|sh)$/;

function carries(src: string, file: string): boolean {
  const s = src.replace(/(?<!\/)\/+$/, '') || '/';
  return s === file || file.startsWith(s === '/' ? '/' : s + '/');
}

const APK_CC = /^(gcc|build-base|alpine-sdk|clang)(=.*)?$/;

/** CGO_ENABLED as the build sees it: '0' known off; otherwise why a cross build would differ. */
function cgoProblem(model: DockerfileModel, gc: GoCommand, stage: Stage): string | undefined {
  const v = commandVars(model, gc)('CGO_ENABLED');
  if (v === '0') return undefined;
  if (v === '1') return 'it builds with cgo (`CGO_ENABLED=1`), which needs a C cross-compiler for each target (e.g. tonistiigi/xx)';
  if (v === null) return 'its `CGO_ENABLED` has no known value; with cgo it would need a C cross-compiler for each target';
  // not set: official Alpine images have no C compiler, so cgo is already off
  const b = stage.base;
  const compiler = stageLineage(stage).some((st) =>
    runCommands(model, st).some(({ cmd }) => {
      const a = cmd.argv.map((w) => w.value);
      return /(^|\/)apk$/.test(a[0] ?? '') && a.includes('add') && a.some((x) => APK_CC.test(x));
    }),
  );
  if (b.officialGolangLinux && b.libc === 'musl' && !compiler) return undefined;
  return '`CGO_ENABLED` is not set: native builds here use cgo and cross-compiled ones would not; set `CGO_ENABLED=0` first if the program does not need cgo';
}

/** `go install pkg@version`, or of packages outside this module: a tool or a cache warm-up, not the program. */
function isTool(model: DockerfileModel, gc: GoCommand): boolean {
  return gc.sub === 'install' && !ownPackages(model, parseGoBuild(gc));
}

interface Family {
  root: Stage;
  /** Stages built on `root` that take its platform (no `--platform` of their own). */
  stages: Stage[];
  builds: GoCommand[];
}

export const goCrossCompile: Rule = {
  id: 'go-cross-compile',
  defaultSeverity: 'info',
  summary: 'A multi-platform Dockerfile compiles Go under emulation: the build stage lacks `FROM --platform=$BUILDPLATFORM`.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    const signal = multiPlatformSignal(model);
    if (!signal) return out;
    const final = model.finalStage;
    const families = new Map<Stage, Family>();
    for (const stage of model.stages) {
      if (windowsStage(model, stage)) continue;
      const builds = stage.goCommands.filter((g) => g.sub === 'build' || g.sub === 'install');
      if (!builds.length) continue;
      if (stagePlatform(stage) !== undefined) continue; // $BUILDPLATFORM already, or a platform chosen on purpose
      const root = stageRoot(stage);
      // the image itself is built on this stage: it must run on the target platform
      if (final && inLineage(model, final, root)) continue;
      const fam = families.get(root) ?? { root, stages: [], builds: [] };
      families.set(root, fam);
    }
    for (const fam of families.values()) {
      fam.stages = model.stages.filter((s) => stageLineage(s).includes(fam.root) && stagePlatform(s) === undefined);
      fam.builds = fam.stages.flatMap((s) => s.goCommands.filter((g) => g.sub === 'build' || g.sub === 'install'));
      // only tools are compiled here: they must run in the stage, cross-compiling them is no remedy
      if (fam.builds.every((g) => isTool(model, g))) continue;
      const f = report(model, fam, signal);
      if (f) out.push(f);
    }
    return out;
  },
};

function report(model: DockerfileModel, fam: Family, signal: string): RuleFinding | undefined {
  const word = fromImageWord(fam.root.from);
  if (!word) return undefined;
  const problems: string[] = [];
  const edits: TextEdit[] = [];
  const crossOutputs: string[] = [];
  const needArgs = new Map<Stage, Set<string>>();

  for (const gc of fam.builds) {
    const stage = gc.instr.stage!;
    if (isTool(model, gc)) continue; // a tool for the build itself (or a dependency warm-up): runs natively afterwards
    if (gc.sub === 'install') problems.push('`go install` puts cross-compiled binaries in `$GOPATH/bin/<os>_<arch>/`, so paths that copy them change');
    const cgo = cgoProblem(model, gc, stage);
    if (cgo) problems.push(`line ${gc.instr.line + 1}: ${cgo}`);
    const prefix: string[] = [];
    const needed = new Set<string>();
    for (const [name, arg] of [
      ['GOOS', 'TARGETOS'],
      ['GOARCH', 'TARGETARCH'],
    ] as const) {
      const st = varState(model, gc, name);
      if (st === 'unknown') problems.push(`line ${gc.instr.line + 1}: \`${name}\` has no known value`);
      if (st === 'unset') {
        prefix.push(`${name}=$${arg}`);
        needed.add(arg);
      }
      if (st === 'target') {
        // the value comes from TARGET* arguments: they must be declared in the stage
        const raw = rawSetting(model, gc, name) ?? '';
        for (const m of raw.matchAll(/TARGET(PLATFORM|OS|ARCH|VARIANT)/g)) needed.add(m[0]);
      }
    }
    const declared = declaredTargets(stage, gc.instr);
    const stageNeeds = needArgs.get(stage) ?? new Set<string>();
    needArgs.set(stage, stageNeeds);
    for (const n of needed) if (!declared.has(n)) stageNeeds.add(n);
    if (prefix.length) {
      const at = commandStart(gc);
      edits.push(editAt(model, at, at, prefix.join(' ') + ' '));
    }
    const b = parseGoBuild(gc);
    // where the binary goes, variables left as written (`-o /out/$TARGETARCH/app`); without -o, the working directory
    const o = lastFlag(b, 'o')?.value;
    if (o) crossOutputs.push(containerPath(gc.workdir, o) + (/[\\/]$/.test(o) ? '/' : ''));
    else if (b.output) crossOutputs.push(b.output);
    else if (gc.sub === 'build') crossOutputs.push(containerPath('/', gc.workdir) + '/');
    // a binary built here and run by a later command would not run on the build platform
    if (b.output && !b.output.endsWith('/')) {
      const runsIt = fam.stages.some((s) =>
        runCommands(model, s).some(({ ins, cmd }) => {
          if (ins.line < gc.instr.line && s === stage) return false;
          const a0 = cmd.argv[0];
          if (!a0 || a0.expands || (ins === gc.instr && cmd === gc.cmd)) return false;
          return a0.value.includes('/') && containerPath(workdirAt(s, ins), a0.value) === b.output;
        }),
      );
      if (runsIt) problems.push(`the stage runs \`${b.output}\` after building it`);
    }
  }

  // what other stages take from this family must not depend on the platform it runs on
  const family = new Set(fam.stages);
  for (const st of model.stages) {
    if (family.has(st)) continue;
    for (const ins of st.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = flagValue(ins, 'from');
      const src = from !== undefined ? stageByRef(model, from, st) : undefined;
      if (!src || !family.has(src)) continue;
      for (const s of copyPaths(ins)?.sources ?? []) {
        const abs = containerPath('/', s);
        const ok =
          ARCH_INDEPENDENT.test(abs) ||
          crossOutputs.some((o) => (o.endsWith('/') ? carries(o.slice(0, -1), abs) || carries(abs, o.slice(0, -1)) : carries(abs, o)));
        if (!ok) problems.push(`line ${ins.line + 1} copies \`${s}\` from it, which would then be built for the build platform`);
      }
    }
  }

  // --platform=$BUILDPLATFORM right after FROM
  const fromArgs = fam.root.from.args;
  const flagAt = fromArgs.at(0);
  edits.unshift(editAt(model, flagAt, flagAt, '--platform=$BUILDPLATFORM '));
  // ARG lines for the TARGET* values the builds use
  for (const [stage, names] of needArgs) {
    if (!names.size) continue;
    const order = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT'];
    const list = [...names].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const next = stage.instructions[0];
    const indent = next ? /^[ \t]*/.exec(model.index.lineText(next.line))![0] : '';
    edits.push(editAt(model, stage.from.end, stage.from.end, `${model.eol}${indent}ARG ${list.join(' ')}`));
  }

  const unique = [...new Set(problems)];
  let message =
    `This Dockerfile builds for several platforms (${signal}), but \`FROM ${word.text}\` has no \`--platform=$BUILDPLATFORM\`: ` +
    'for every platform other than the build machine\'s, the Go compiler itself runs under QEMU emulation, several times slower. ' +
    'Go cross-compiles natively: run the stage on `$BUILDPLATFORM` and pass `GOOS=$TARGETOS GOARCH=$TARGETARCH` to the build.';
  if (unique.length) message += ` Check before applying: ${unique.join('; ')}.`;
  return {
    message,
    range: rangeOf(model, word.start, word.end),
    fixes: [
      {
        title: 'Cross-compile: FROM --platform=$BUILDPLATFORM, GOOS/GOARCH from TARGETOS/TARGETARCH',
        preferred: unique.length === 0,
        edits,
      },
    ],
  };
}

/** Where to put `NAME=value ` before a go command: before `go` after assignments and `env`, else before the whole command. */
function commandStart(gc: GoCommand): number {
  const words = gc.cmd.words;
  const goAt = words.indexOf(gc.goWord);
  const lead = words.slice(0, goAt);
  const plain = lead.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value) || w.value === 'env');
  return wordOffsets(gc.script, plain ? gc.goWord : words[0])[0];
}
