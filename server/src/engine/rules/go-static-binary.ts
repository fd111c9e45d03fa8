import type { DockerfileModel, GoCommand, Stage } from '../dockerfile/model';
import { runCommands, stageLineage, stageRoot, wordOffsets } from '../dockerfile/model';
import { flagValue, lastFlag, shippedGoBuilds } from '../dockerfile/gobuild';
import { splitAssignment, type ShellScript } from '../dockerfile/shell';
import { goAtLeast } from '../go';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, Severity } from '../types';
import { commandVars, effectiveLdflags, hasHiddenFlags, producesProgram, type VarValue } from './go-strip-symbols';
import { KeyMemo } from '../memo';

/** Packages that put a C compiler (gcc, which cgo looks for) into an Alpine builder. */
const C_COMPILER_PKG = /^(gcc|g\+\+|build-base|alpine-sdk)(=.*)?$/;
/** Packages that make glibc binaries start on Alpine. */
const GLIBC_COMPAT_PKG = /^(gcompat|libc6-compat)(=.*)?$/;

function apkAdds(model: DockerfileModel, stages: Stage[], before: { line: number } | undefined, pkg: RegExp): boolean {
  for (const st of stages) {
    for (const { ins, cmd } of runCommands(model, st)) {
      if (before && ins.line > before.line && st === stages[0]) continue;
      const argv = cmd.argv.map((w) => w.value);
      if (!/(^|\/)apk$/.test(argv[0] ?? '')) continue;
      const addAt = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
      if (addAt < 0 || argv[addAt] !== 'add') continue;
      if (argv.slice(addAt + 1).some((a) => pkg.test(a))) return true;
    }
  }
  return false;
}

const envMentions = new KeyMemo<DockerfileModel, boolean>();
function mentionsEnv(model: DockerfileModel): boolean {
  let v = envMentions.get(model);
  if (v === undefined) envMentions.set(model, (v = /\benv\b/.test(model.text)));
  return v;
}

/** `go env -w NAME=value` run earlier in the stage lineage (or the same script): the go env file's value. */
function goEnvFile(model: DockerfileModel, gc: GoCommand, name: string): VarValue {
  let value: VarValue = undefined;
  // most Dockerfiles run no `go env` at all: then nothing to walk (asked for every build)
  if (!mentionsEnv(model)) return value;
  const stage = gc.instr.stage!;
  const lineage = stageLineage(stage).reverse();
  for (const st of lineage) {
    for (const { ins, cmd } of runCommands(model, st)) {
      if (ins === gc.instr && cmd === gc.cmd) return value;
      if (st === stage && ins.line > gc.instr.line) return value;
      const argv = cmd.argv.map((w) => w.value);
      if (!/(^|\/)go$/.test(argv[0] ?? '') || argv[1] !== 'env') continue;
      if (argv.includes('-w')) {
        for (const w of cmd.argv.slice(2)) {
          if (!w.value.startsWith(name + '=')) continue;
          const v = splitAssignment(w)[1];
          value = w.expands ? null : v;
        }
      } else if (argv.includes('-u') && argv.includes(name)) value = undefined;
    }
  }
  return value;
}

/** Architecture of a builder stage's `FROM --platform=os/arch`, 'unknown' for a variable, undefined when absent. */
function builderPlatformArch(stage: Stage): string | 'unknown' | undefined {
  for (const s of stageLineage(stage)) {
    const p = flagValue(s.from, 'platform');
    if (p === undefined) continue;
    const m = /^[a-z0-9]+\/([a-z0-9]+)(\/[a-z0-9]+)?$/.exec(p);
    return m ? m[1] : 'unknown';
  }
  return undefined;
}

function isOfficialGolang(stage: Stage): boolean {
  const root = stageRoot(stage);
  const repo = root.ref ? (root.ref.registry ? root.ref.registry + '/' : '') + root.ref.repository : '';
  return stage.base.goToolchain && !stage.windows && /(^|\/)golang$/.test(repo) && !repo.includes('chainguard');
}

const FINAL_NAMES: Record<string, string> = { scratch: '`scratch`', 'distroless-static': 'distroless `static`', alpine: 'Alpine (musl)' };

export const goStaticBinary: Rule = {
  id: 'go-static-binary',
  defaultSeverity: 'error',
  summary: 'A cgo (dynamically linked) Go binary shipped in scratch, distroless static or Alpine fails to start: build with CGO_ENABLED=0.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    const final = model.finalStage;
    if (!final) return out;
    const kind = final.base.kind;
    let severity: Severity;
    if (kind === 'scratch' || kind === 'distroless-static') severity = 'error';
    else if (kind === 'alpine') severity = 'warning';
    else return out;
    // Alpine with a glibc compatibility layer runs glibc binaries
    if (kind === 'alpine' && apkAdds(model, stageLineage(final), undefined, GLIBC_COMPAT_PKG)) return out;

    for (const { build } of shippedGoBuilds(model)) {
      const gc = build.cmd;
      const stage = gc.instr.stage;
      if (gc.sub !== 'build' || !stage || !isOfficialGolang(stage)) continue;
      const libc = stage.base.libc;
      if (libc !== 'glibc' && libc !== 'musl') continue;
      if (kind === 'alpine' && libc !== 'glibc') continue;
      const lookup = commandVars(model, gc);
      if (!producesProgram(build) || hasHiddenFlags(build, lookup)) continue;
      const mode = lastFlag(build, 'buildmode')?.value;
      if (mode && !/^(exe|pie|default)$/.test(mode)) continue;

      // the target: another OS is not a Linux binary; a literal GOARCH on a builder
      // pinned to another platform is a cross build, where cgo is off by default
      const goos = lookup('GOOS');
      if (typeof goos === 'string' && goos !== '' && goos !== 'linux') continue;
      const goarch = lookup('GOARCH');
      const hostArch = builderPlatformArch(stage);
      if (typeof goarch === 'string' && goarch && hostArch !== undefined && goarch !== hostArch) continue;

      // CGO_ENABLED as the command sees it
      let cgo = lookup('CGO_ENABLED');
      if (cgo === undefined || cgo === '') cgo = goEnvFile(model, gc, 'CGO_ENABLED');
      if (cgo === '') cgo = undefined;
      if (cgo === null || cgo === '0') continue;
      let why: string;
      if (cgo === undefined) {
        if (libc === 'glibc') why = `CGO_ENABLED is not set and \`${stage.image ?? 'golang'}\` has gcc`;
        else {
          // Alpine builders have no C compiler: since Go 1.20 cgo is then off
          const compiler = apkAdds(model, stageLineage(stage), gc.instr, C_COMPILER_PKG);
          const before120 = stage.base.goVersion !== undefined && goAtLeast(stage.base.goVersion, 20) === false;
          if (!compiler && !before120) continue;
          why = compiler ? 'CGO_ENABLED is not set and gcc is installed' : `CGO_ENABLED is not set and Go ${stage.base.goVersion} enables cgo by default`;
        }
      } else if (cgo === '1') why = 'CGO_ENABLED=1';
      else continue;

      // linked statically anyway: -ldflags '-extldflags "-static"'
      const ld = effectiveLdflags(build, lookup);
      if (ld.fromGoflags || (ld.flag && !ld.info) || ld.info?.opaque || ld.info?.extStatic) continue;

      const script = gc.script;
      const [gs] = wordOffsets(script, gc.goWord);
      const [, se] = wordOffsets(script, gc.cmd.argv[1]);
      const libcName = libc === 'glibc' ? 'glibc' : 'musl';
      const message =
        kind === 'alpine'
          ? `This binary is built with cgo (${why}), so it is dynamically linked against glibc; the final image is Alpine (musl), which has no glibc loader, and it fails at start with \`exec ... no such file or directory\`. Set CGO_ENABLED=0.`
          : `This binary is built with cgo (${why}), so it is dynamically linked against ${libcName}; the final image is ${FINAL_NAMES[kind]}, which has no libc or ELF interpreter, and it fails at start with \`exec ... no such file or directory\`. Set CGO_ENABLED=0.`;
      out.push({ severity, message, range: rangeOf(model, gs, se), fixes: fixesFor(model, gc, cgo === '1') });
    }
    return out;
  },
};

/** Index of the first command of a script with a `CGO_ENABLED=` word (Infinity when none), once per script. */
const cgoSetters = new KeyMemo<ShellScript, number>();
function firstCgoSetter(script: ShellScript): number {
  let i = cgoSetters.get(script);
  if (i === undefined) {
    i = script.commands.findIndex((c) => c.words.some((w) => w.value.startsWith('CGO_ENABLED=')));
    if (i < 0) i = Infinity;
    cgoSetters.set(script, i);
  }
  return i;
}

function fixesFor(model: DockerfileModel, gc: GoCommand, askedForCgo: boolean): Fix[] {
  const fixes: Fix[] = [];
  const script = gc.script;
  const onCommand = gc.cmd.assignments.filter((w) => w.value.startsWith('CGO_ENABLED='));
  const firstSetter = firstCgoSetter(gc.script);
  const scriptSetsIt = firstSetter !== Infinity && firstSetter < gc.script.commands.indexOf(gc.cmd);
  if (onCommand.length) {
    // the command asks for cgo itself: turn it off there (the user's choice, so not applied blindly)
    const w = onCommand[onCommand.length - 1];
    const [s, e] = wordOffsets(script, w);
    fixes.push({ title: 'Set CGO_ENABLED=0 (turns off the cgo this command asks for)', edits: [editAt(model, s, e, 'CGO_ENABLED=0')] });
    return fixes;
  }
  // before the `go` word, after assignments and `env`/`sudo`; before other wrappers (`time`, `nice`) the whole command
  const goAt = gc.cmd.words.indexOf(gc.goWord);
  const lead = gc.cmd.words.slice(0, goAt);
  let wi = 0;
  while (wi < lead.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(lead[wi].value)) wi++;
  const insertBeforeGo = wi === lead.length || lead.slice(wi).every((w) => /^(env|sudo)$/.test(w.value) || w.value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value));
  const at = wordOffsets(script, insertBeforeGo ? gc.goWord : gc.cmd.words[0])[0];
  fixes.push({
    title: askedForCgo ? 'Add CGO_ENABLED=0 to the command (overrides the CGO_ENABLED=1 set earlier)' : 'Add CGO_ENABLED=0 to the command',
    preferred: !askedForCgo,
    edits: [editAt(model, at, at, 'CGO_ENABLED=0 ')],
  });
  if (!scriptSetsIt) {
    // an ENV line right before the RUN, indented like it
    const line = gc.instr.line;
    const lineStart = model.index.lineStarts[line];
    const indent = /^[ \t]*/.exec(model.index.lineText(line))![0];
    fixes.push({
      title: 'Add ENV CGO_ENABLED=0 to the build stage',
      edits: [editAt(model, lineStart + indent.length, lineStart + indent.length, `ENV CGO_ENABLED=0${model.eol}${indent}`)],
    });
  }
  return fixes;
}
