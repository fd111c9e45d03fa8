import { containerMaxProcsSetting, goModGodebug } from '../go';
import * as path from 'node:path';
import type { DockerfileModel, Stage } from '../dockerfile/model';
import { instructionsBefore, stageByRef, stageLineage, workdirAt } from '../dockerfile/model';
import { copyPaths, flagValue, lastFlag, shippedGoBuilds, type GoBuild, type Shipped } from '../dockerfile/gobuild';
import { goAtLeast, MAX_MODULE_DEPTH, parseGoMod, type GoMod } from '../go';
import { copyCarries } from '../dockerfile/glob';
import { editAt, rangeOf, type Rule } from '../rule';
import { lineageEnvSettings } from './go-env-syntax';
import { KeyMemo } from '../memo';


interface Module {
  mod: GoMod;
  text: string;
  /** Path for messages, relative to the Dockerfile's folder. */
  shown: string;
}

function readModule(model: DockerfileModel, file: string): Module | undefined {
  // once per file and model: asked for every build
  let known = modules.get(model);
  if (!known) modules.set(model, (known = new Map()));
  if (known.has(file)) return known.get(file);
  const text = model.workspace.readFile(file);
  const m = text === undefined ? undefined : { mod: parseGoMod(text, file), text, shown: path.relative(model.dir, file).split(path.sep).join('/') };
  known.set(file, m);
  return m;
}
const modules = new KeyMemo<DockerfileModel, Map<string, Module | undefined>>();

/** `godebug containermaxprocs=` of a go.mod, read once per module (asked for every shipped build). */
function modGodebug(m: Module): boolean | undefined {
  if (!godebugs.has(m)) godebugs.set(m, goModGodebug(m.text));
  return godebugs.get(m);
}
const godebugs = new KeyMemo<Module, boolean | undefined>();

/**
 * The go.mod of the module a `go build` runs in, found by mapping its working
 * directory back into the build context through the COPY/ADD instructions
 * before it: `COPY services/api/ /src` + `cd /src && go build` → services/api/go.mod.
 * 'unknown' when no local go.mod can be the one: `go install pkg@version` (the
 * remote module's go.mod decides) or a working directory holding a variable;
 * undefined when the mapping does not tell.
 */
function moduleOfBuild(model: DockerfileModel, b: GoBuild): Module | 'unknown' | undefined {
  if (b.cmd.sub === 'install' && b.packages.some((w) => /@/.test(w.value))) return 'unknown';
  const stage = b.cmd.instr.stage;
  if (!stage || stage.windows) return undefined;
  let dir = b.cmd.workdir;
  if (dir.includes('$')) return 'unknown';
  const c = lastFlag(b, 'C');
  if (c?.value) {
    if (c.valueWord?.expands) return undefined;
    dir = path.posix.resolve(dir, c.value);
  }
  const copies = stageLineage(stage)
    // (an index of COPY/ADD per stage: asked for every build)
    .flatMap((s) => instructionsBefore(s, ['COPY', 'ADD']).filter((i) => i.start < b.cmd.instr.start && !flagValue(i, 'from')).map((i) => ({ s, i })))
    .sort((x, y) => y.i.start - x.i.start); // latest first
  // at most MAX_MODULE_DEPTH levels up: a made-up path of thousands of parts was quadratic
  for (let d = dir, level = 0; level <= MAX_MODULE_DEPTH; d = path.posix.dirname(d), level++) {
    const target = path.posix.join(d, 'go.mod');
    for (const { s, i } of copies) {
      const p = copyPaths(i);
      if (!p || /[$]/.test(p.dest)) continue;
      const dest = path.posix.resolve(workdirAt(s, i), p.dest);
      for (const src of p.sources) {
        if (/[$*?[]|^[a-z]+:\/\//i.test(src)) continue;
        const ctx = path.join(model.contextDir, src);
        let file: string | undefined;
        if (model.workspace.isDirectory(ctx)) {
          if (target.startsWith(dest === '/' ? '/' : dest + '/')) file = path.join(ctx, path.posix.relative(dest, target));
        } else {
          const landed = p.dest.endsWith('/') || p.sources.length > 1 ? path.posix.join(dest, path.posix.basename(src)) : dest;
          if (landed === target) file = ctx;
        }
        const m = file !== undefined ? readModule(model, file) : undefined;
        if (m) return m;
      }
    }
    if (d === '/' || d === '.') return undefined;
  }
  return undefined;
}

/** The binary names `go install` / `go build -o dir/` gives its packages; undefined when not known. */
function binaryNames(b: GoBuild): string[] | undefined {
  if (!b.packages.length) return undefined;
  const out: string[] = [];
  for (const w of b.packages) {
    if (w.expands || w.value.includes('...')) return undefined;
    const pkg = w.value.replace(/@.*$/, '').replace(/(?<!\/)\/+$/, '');
    const parts = pkg.split('/').filter((x) => x && x !== '.');
    if (!parts.length || parts[parts.length - 1] === '..') return undefined;
    let name = parts[parts.length - 1];
    // example.com/tool/v2 installs "tool"
    if (/^v[0-9]+$/.test(name) && Number(name.slice(1)) >= 2 && parts.length > 1 && !pkg.startsWith('.')) name = parts[parts.length - 2];
    out.push(name);
  }
  return out;
}

/**
 * gobuild's shippedGoBuilds counts a `go install` into /go/bin/ as shipped by any
 * COPY out of /go/bin/; keep such a build only when the COPY carries its binary.
 */
function reallyShipped(model: DockerfileModel, sh: Shipped): boolean {
  const b = sh.build;
  const via = sh.via;
  if (!b.output?.endsWith('/') || via.keyword !== 'COPY' || via === b.cmd.instr || !via.stage) return true;
  const from = flagValue(via, 'from');
  const src = from ? stageByRef(model, from, via.stage) : undefined;
  if (!src || !stageLineage(src).includes(b.cmd.instr.stage!)) return true;
  const names = binaryNames(b);
  const p = copyPaths(via);
  if (!names || !p || p.sources.some((x) => x.includes('$'))) return true;
  return names.some((n) => p.sources.some((x) => copyCarries(path.posix.resolve('/', x), b.output + n)));
}

/** Document offsets of the image word of a FROM. */
function fromImageOffsets(stage: Stage): [number, number] {
  const a = stage.from.args;
  let i = stage.from.restStart;
  while (i < a.text.length && (a.text[i] === ' ' || a.text[i] === '\t')) i++;
  let j = i;
  while (j < a.text.length && a.text[j] !== ' ' && a.text[j] !== '\t') j++;
  return [a.at(i), j > i ? a.at(j - 1) + 1 : a.at(i)];
}

interface Verdict {
  /** The binary sizes GOMAXPROCS to the container (or is told how to). */
  aware: boolean;
  /** Why not, one clause ending where "the runtime sets GOMAXPROCS ..." follows. */
  why: string;
  toolchainNote: string;
}

/** Whether one shipped binary is container-aware, from its go.mod (or the builder's Go version). */
function verdict(mod: Module | undefined, builder: Stage | undefined, godebugEnv: boolean | undefined): Verdict {
  const silent: Verdict = { aware: true, why: '', toolchainNote: '' };
  if (mod?.mod.requires.has('go.uber.org/automaxprocs')) return silent;
  let version: string | undefined;
  let source: string;
  const modName = mod ? `\`${mod.shown}\`` : '';
  const root = builder ? stageLineage(builder).pop()! : undefined;
  if (mod?.mod.go) {
    version = mod.mod.go;
    source = `${modName} says \`go ${version}\``;
  } else if (builder?.base.goVersion) {
    version = builder.base.goVersion;
    source = `The binary is built with \`${root!.image}\`${mod ? ` (${modName} has no \`go\` line)` : ''}`;
  } else if (root && !root.image) {
    // `FROM golang:${GO_VERSION}` with no default: a variable the Dockerfile does not resolve
    return silent;
  } else {
    source = `The Go version is unknown (${mod ? `${modName} has no \`go\` line` : 'no go.mod was found'} and the builder image names no Go version)`;
  }
  const at125 = version !== undefined && goAtLeast(version, 25) === true;
  let aware = at125;
  const fromMod = mod ? modGodebug(mod) : undefined;
  if (fromMod !== undefined) aware = fromMod;
  if (godebugEnv !== undefined) aware = godebugEnv;
  if (aware) return silent;
  // containermaxprocs=1 with an unknown Go version: the runtime may know the setting
  if (version === undefined && (fromMod || godebugEnv)) return silent;
  const why = at125 ? `${source}, but \`containermaxprocs=0\` turns the container-aware default off: the runtime` : `${source}: before Go 1.25 the runtime`;
  const tc = mod?.mod.toolchain;
  const toolchainNote =
    tc && goAtLeast(tc, 25) && !at125 ? ` The \`toolchain go${tc}\` line is not enough: the container-aware default follows the \`go\` line.` : '';
  return { aware: false, why, toolchainNote };
}

/** The shipped Go binary may size GOMAXPROCS to the node, not to the container's CPU limit. */
export const goMaxprocs: Rule = {
  id: 'go-maxprocs',
  defaultSeverity: 'info',
  summary: "Go before 1.25 (go.mod `go` line) sizes GOMAXPROCS to the node's CPUs, ignoring the container's CPU limit.",
  checkDockerfile({ model, config }) {
    const final = model.finalStage;
    // Linux only: the runtime reads the cgroup CPU limit; Windows containers have none.
    // An unresolved base image leaves the platform in doubt.
    if (!final || !final.image || final.windows) return [];
    const shipped = shippedGoBuilds(model).filter((sh) => reallyShipped(model, sh));
    if (!shipped.length && !final.goToolchain) return [];

    const settings = lineageEnvSettings(model, final);
    if (settings.some((s) => s.keyword === 'ENV' && s.name === 'GOMAXPROCS')) return [];
    for (const st of stageLineage(final)) {
      for (const ins of st.instructions) {
        if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && /\bGOMAXPROCS=/.test(ins.args.text)) return [];
      }
    }
    let godebugEnv: boolean | undefined;
    for (const s of settings) {
      if (s.keyword !== 'ENV' || s.name !== 'GODEBUG') continue;
      if (s.value === undefined) return []; // a GODEBUG the Dockerfile does not show: stay silent
      godebugEnv = containerMaxProcsSetting(s.value) ?? godebugEnv;
    }

    const rootModule: Module | undefined = model.goMod ? readModule(model, model.goMod.path) : undefined;
    const binaries: { mod: Module | undefined; builder: Stage | undefined }[] = shipped.length
      ? shipped.map((s) => {
          const m = moduleOfBuild(model, s.build);
          return { mod: m === 'unknown' ? undefined : (m ?? rootModule), builder: s.build.cmd.instr.stage };
        })
      : [{ mod: rootModule, builder: final }];
    const v = binaries.map((b) => verdict(b.mod, b.builder, godebugEnv)).find((x) => !x.aware);
    if (!v) return [];

    const [s, e] = fromImageOffsets(final);
    const at = model.index.lineEnd(final.from.range.end.line);
    const n = config.gomaxprocs;
    return [
      {
        message:
          `${v.why} sets GOMAXPROCS to the node's CPU count and ignores the container's CPU limit: ` +
          'a pod limited to 2 CPUs on a 64-core node runs 64 Ps and is CFS-throttled (latency spikes).' +
          v.toolchainNote +
          ' Better fixes: in the Kubernetes manifest, `GOMAXPROCS` from `resourceFieldRef: {resource: limits.cpu}`; or `go 1.25` in go.mod; ' +
          `or \`ENV GOMAXPROCS=${n}\` here, or \`go.uber.org/automaxprocs\`.`,
        range: rangeOf(model, s, e),
        fixes: [
          {
            title: `Add ENV GOMAXPROCS=${n} to the final stage (match it to the container's CPU limit)`,
            edits: [editAt(model, at, at, `${model.eol}ENV GOMAXPROCS=${n}`)],
          },
        ],
      },
    ];
  },
};
