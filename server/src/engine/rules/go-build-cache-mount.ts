import * as path from 'node:path';
import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from '../dockerfile/model';
import { goCommandOf, inLineage, isGoBinary, stageByRef, stageLineage, userAt, wordOffsets, workdirAt } from '../dockerfile/model';
import { copyPaths, flagValue, lastFlag, parseGoBuild } from '../dockerfile/gobuild';
import { goAtLeast } from '../go';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';
import { containerPath, goModSeenBy, runMounts, windowsStage } from './go-toolchain-mismatch';
import { commandVars, expandShell, UNKNOWN_PART, type VarValue } from './go-strip-symbols';
import { KeyMemo } from '../memo';

/** A cache location: a known absolute path, or null when the Dockerfile leaves it open. */
type CachePath = string | null;

/** Whether the Dockerfile sets `name` anywhere (ENV, ARG, an assignment or `export` in a RUN). */
function setsVar(model: DockerfileModel, name: string): boolean {
  let names = setNames.get(model);
  if (!names) setNames.set(model, (names = scanSetNames(model)));
  return names.has(name);
}
/** Per model: asked for every Go command. */
const setNames = new KeyMemo<DockerfileModel, Set<string>>();

/**
 * The names the Dockerfile may set, in one pass: every word of an ENV or ARG
 * (up to its `=`: `ENV A=1 B 2` may set A, B and 2 alike, which only widens
 * the set), and every `NAME=` in a RUN that starts the text or follows a
 * blank or one of `;&|(` (assignments, `export NAME=`, `env NAME=`).
 */
function scanSetNames(model: DockerfileModel): Set<string> {
  const names = new Set<string>();
  const assigned = (t: string) => {
    if (!t.includes('=')) return;
    for (const m of t.matchAll(RUN_ASSIGNMENT)) names.add(m[1]);
  };
  for (const ins of model.instructions) {
    if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
      for (const word of ins.args.text.split(/\s+/)) {
        const eq = word.indexOf('=');
        if (word) names.add(eq < 0 ? word : word.slice(0, eq));
      }
    } else if (ins.keyword === 'RUN') {
      assigned(ins.args.text);
      for (const sc of ins.scripts) if (sc.source.text !== ins.args.text) assigned(sc.source.text);
    }
  }
  return names;
}
const RUN_ASSIGNMENT = /(?:^|[\s;&|(])([^\s;&|(=]+)=/g;

/** A variable as a go command sees it; one the Dockerfile never sets has the base image's value (see knownBase). */
function varReader(model: DockerfileModel, gc: GoCommand): (name: string) => VarValue {
  const lookup = commandVars(model, gc);
  return (name) => (setsVar(model, name) ? lookup(name) : undefined);
}

/** USER in effect before `upTo`: root when there is none. */
function runsAsRoot(stage: Stage, upTo: InstructionInfo): boolean | undefined {
  const user = userAt(stage, upTo);
  if (user === undefined) return true;
  if (user.includes('$')) return undefined;
  return /^(root|0)(:.*)?$/.test(user);
}

/** Images whose environment we know: the official golang image (GOPATH=/go, root) and plain distributions (root, no Go variables). */
function knownBase(stage: Stage): 'golang' | 'distro' | undefined {
  const b = stage.base;
  if (b.officialGolangLinux) return 'golang';
  if (!b.goToolchain && b.shell === true && b.libc !== 'unknown' && b.libc !== 'none') return 'distro';
  return undefined;
}

function absolute(v: string): CachePath {
  if (v.includes(UNKNOWN_PART) || !v.startsWith('/')) return null;
  return path.posix.normalize(v).replace(/(.)\/+$/, '$1');
}

export function moduleCachePath(model: DockerfileModel, gc: GoCommand): CachePath {
  const v = varReader(model, gc);
  const gomodcache = v('GOMODCACHE');
  if (gomodcache === null) return null;
  if (gomodcache) return absolute(gomodcache);
  const gopath = v('GOPATH');
  if (gopath === null) return null;
  if (gopath) return absolute(gopath.split(':')[0] + '/pkg/mod');
  const base = knownBase(gc.instr.stage!);
  if (base === 'golang') return '/go/pkg/mod';
  // GOPATH defaults to $HOME/go
  if (base === 'distro' && runsAsRoot(gc.instr.stage!, gc.instr) && v('HOME') === undefined) return '/root/go/pkg/mod';
  return null;
}

export function buildCachePath(model: DockerfileModel, gc: GoCommand): CachePath {
  const v = varReader(model, gc);
  const gocache = v('GOCACHE');
  if (gocache === null || gocache === 'off') return null;
  if (gocache) return absolute(gocache);
  const xdg = v('XDG_CACHE_HOME');
  if (xdg === null) return null;
  if (xdg) return absolute(xdg + '/go-build');
  const home = v('HOME');
  if (home === null) return null;
  if (home) return absolute(home + '/.cache/go-build');
  if (!knownBase(gc.instr.stage!) || !runsAsRoot(gc.instr.stage!, gc.instr)) return null;
  return '/root/.cache/go-build';
}

/** Whether two absolute paths are the same or one holds the other. */
function overlaps(a: string, b: string): boolean {
  const inside = (x: string, y: string) => x === y || y === '/' || x.startsWith(y + '/');
  return inside(a, b) || inside(b, a);
}

/** Whether a `--mount` of the RUN covers `p` (a target with an unknown variable counts: it may). */
function mounted(model: DockerfileModel, gc: GoCommand, p: string): boolean {
  const lookup = commandVars(model, gc);
  for (const m of runMounts(gc.instr)) {
    if (!m.target) continue;
    const t = m.target.includes('$') ? expandShell(m.target, lookup) : m.target;
    if (t.includes(UNKNOWN_PART)) return true;
    if (overlaps(containerPath(workdirAt(gc.instr.stage!, gc.instr), t), p)) return true;
  }
  return false;
}

/** The build reads modules from vendor/ (`-mod=vendor`, or a vendor/modules.txt with a go line ≥ 1.14), not the module cache. */
function usesVendor(model: DockerfileModel, gc: GoCommand): boolean {
  // once per command: asked again for every RUN that may share its cache
  let v = vendorMemo.get(gc);
  if (v === undefined) vendorMemo.set(gc, (v = scanUsesVendor(model, gc)));
  return v;
}
const vendorMemo = new KeyMemo<GoCommand, boolean>();

function scanUsesVendor(model: DockerfileModel, gc: GoCommand): boolean {
  // `go install pkg@version` builds outside the main module: always from the module cache
  if (gc.sub === 'install' && gc.cmd.argv.slice(2).some((w) => !w.value.startsWith('-') && w.value.includes('@'))) return false;
  const b = parseGoBuild(gc);
  const flag = lastFlag(b, 'mod')?.value;
  if (flag !== undefined) return flag === 'vendor';
  const goflags = commandVars(model, gc)('GOFLAGS');
  if (goflags === null) return true; // unknown: may say -mod=vendor
  if (goflags) {
    const m = /(?:^|\s)--?mod=(\S+)/.exec(goflags);
    if (m) return m[1] === 'vendor';
  }
  const seen = goModSeenBy(model, gc);
  if (!seen) return false;
  const vendored = model.workspace.exists(path.join(path.dirname(seen.mod.path), 'vendor', 'modules.txt'));
  return vendored && goAtLeast(seen.mod.go ?? '1.16', 14) === true;
}

/**
 * The go command cannot download a module: it builds on the official golang
 * image, every COPY/ADD before it (in its stage and the stages it is built
 * from) brings only named `.go` files, nothing else put files there (no other
 * RUN, no bind mount), so there is no go.mod: `go build main.go` then builds
 * the files alone with the standard library (a third-party import fails:
 * there is nothing to download it for). Once per command.
 */
function cannotDownloadModules(model: DockerfileModel, gc: GoCommand): boolean {
  let v = noModulesMemo.get(gc);
  if (v === undefined) noModulesMemo.set(gc, (v = scanCannotDownloadModules(model, gc)));
  return v;
}
const noModulesMemo = new KeyMemo<GoCommand, boolean>();

function scanCannotDownloadModules(model: DockerfileModel, gc: GoCommand): boolean {
  const stage = gc.instr.stage;
  if (!stage || knownBase(stage) !== 'golang') return false;
  // `go install tool@v1.2.3` (and `go run pkg@version`) fetch their module with no go.mod at all
  if (gc.cmd.argv.slice(2).some((w) => !w.value.startsWith('-') && w.value.includes('@'))) return false;
  if (runMounts(gc.instr).some((m) => m.type === 'bind')) return false;
  for (const st of stageLineage(stage)) {
    for (const ins of st.instructions) {
      if (ins === gc.instr) break;
      if (ins.keyword === 'RUN') return false;
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const paths = copyPaths(ins);
      if (!paths || !paths.sources.every((src) => /^(\.\/)?[A-Za-z0-9_.-]+\.go$/.test(src))) return false;
    }
  }
  return true;
}

const BUILDS = new Set(['build', 'install', 'test']);

/** Commands that do not read Go modules. */
const NO_MODULES = new Set([
  'apk', 'apt-get', 'apt', 'yum', 'dnf', 'microdnf', 'mkdir', 'cp', 'mv', 'rm', 'ln', 'chmod', 'chown', 'echo', 'touch', 'cat',
  'adduser', 'addgroup', 'useradd', 'groupadd', 'usermod', 'curl', 'wget', 'tar', 'unzip', 'gzip', 'upx', 'update-ca-certificates',
  'set', 'export', 'cd', 'test', '[', 'true', 'false', 'ls', 'sed', 'grep', 'file', 'ldd', 'strip', 'printf', 'git', 'install', 'xx-verify',
]);
const GO_NO_MODULES = new Set(['version', 'env', 'help', 'fmt', 'telemetry']);

/**
 * Whether the other RUNs that share this stage's layers (its ancestors', its
 * own, and those of the stages built on it) leave the cache at `p` alone, or
 * are go commands this rule also reports for the same `p`, or mount it
 * already. A cache mount keeps the cache out of the layer: a `make` before it
 * that filled the cache, or after it that reads it, would download and
 * compile again.
 */
function othersShareCache(model: DockerfileModel, stage: Stage, self: InstructionInfo, p: string, kind: 'module' | 'build'): boolean {
  // the RUNs that do not share it, computed once per (stage, path, kind): asking for every RUN of
  // a stage used to walk all its RUNs each time (quadratic, seconds for a few hundred builds)
  let memo = blockerMemo.get(stage);
  if (!memo) blockerMemo.set(stage, (memo = new Map()));
  const key = `${kind}\0${p}`;
  let found = memo.get(key);
  if (!found) memo.set(key, (found = blockers(model, stage, p, kind)));
  return found.every((b) => b === self);
}
const blockerMemo = new KeyMemo<Stage, Map<string, InstructionInfo[]>>();

/** Up to two RUNs (in the order othersShareCache met them) that keep the cache at `p` from being shared. */
function blockers(model: DockerfileModel, stage: Stage, p: string, kind: 'module' | 'build'): InstructionInfo[] {
  const out: InstructionInfo[] = [];
  const block = (ins: InstructionInfo) => {
    out.push(ins);
    return out.length >= 2;
  };
  for (const st of model.stages) {
    if (!inLineage(model, st, stage) && !inLineage(model, stage, st)) continue;
    for (const ins of st.instructions) {
      if (ins.keyword !== 'RUN') continue;
      if (blocksCache(model, st, ins, p, kind) && block(ins)) return out;
    }
  }
  return out;
}


/** Whether one RUN fills or reads the cache at `p` without mounting it or being a go command this rule reports for the same `p`. */
function blocksCache(model: DockerfileModel, st: Stage, ins: InstructionInfo, p: string, kind: 'module' | 'build'): boolean {
  const covered = runMounts(ins).some((m) => m.target && (m.target.includes('$') || overlaps(containerPath(workdirAt(st, ins), m.target), p)));
  if (covered) return false;
  if (ins.json) return !NO_MODULES.has(path.posix.basename(ins.json[0] ?? ''));
  for (const sc of ins.scripts) {
    for (const cmd of sc.commands) {
      const a0 = cmd.argv[0]?.value;
      if (a0 === undefined) continue;
      if (!isGoBinary(a0)) {
        if (!NO_MODULES.has(path.posix.basename(a0))) return true;
        continue;
      }
      const gc = goCommandOf(st, cmd);
      if (!gc || GO_NO_MODULES.has(gc.sub) || (gc.sub === 'mod' && gc.modSub === 'init')) continue;
      const download = gc.sub === 'mod' && gc.modSub === 'download';
      if (kind === 'build' && download) continue;
      if (!BUILDS.has(gc.sub) && !download) return true;
      if (windowsStage(model, st)) return true;
      if (kind === 'module') {
        if (BUILDS.has(gc.sub) && usesVendor(model, gc)) continue;
        if (moduleCachePath(model, gc) !== p) return true;
      } else if (buildCachePath(model, gc) !== p) return true;
    }
  }
  return false;
}

/** The directory part of a path written before its first variable (`/src/out/$OS/app` → `/src/out`). */
function literalDir(s: string): string {
  const i = s.search(/[$*?[]/);
  if (i < 0) return s;
  const slash = s.lastIndexOf('/', i);
  return slash <= 0 ? '/' : s.slice(0, slash);
}

/** What the module or build cache left in a layer is still used for: then a cache mount (which keeps it out of the layer) changes the image. */
function cacheNeededInImage(model: DockerfileModel, stage: Stage, p: string): string | undefined {
  // once per (stage, path): asked for every RUN of the stage
  let memo = neededMemo.get(stage);
  if (!memo) neededMemo.set(stage, (memo = new Map()));
  if (!memo.has(p)) memo.set(p, scanCacheNeeded(model, stage, p));
  return memo.get(p);
}
const neededMemo = new KeyMemo<Stage, Map<string, string | undefined>>();

/** A CMD or ENTRYPOINT of a stage (or of its ancestors) runs `go`: an image built up to that stage (`--target`) compiles when it starts. Once per stage. */
function stageRunsGo(st: Stage): boolean {
  let v = runsGoMemo.get(st);
  if (v === undefined) {
    v = false;
    for (const ins of st.instructions.concat(stageLineage(st).slice(1).flatMap((s) => s.instructions))) {
      if (ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') continue;
      const runsGo = ins.json ? isGoBinary(ins.json[0] ?? '') : ins.scripts.some((s) => s.commands.some((c) => isGoBinary(c.argv[0]?.value ?? '')));
      if (runsGo) { v = true; break; }
    }
    runsGoMemo.set(st, v);
  }
  return v;
}
const runsGoMemo = new KeyMemo<Stage, boolean>();

function scanCacheNeeded(model: DockerfileModel, stage: Stage, p: string): string | undefined {
  // the final image, or any other target built from this stage (a `dev` stage with `CMD ["go", "run", …]`)
  for (const st of model.stages) {
    if (!inLineage(model, st, stage) || !stageRunsGo(st)) continue;
    return st === model.finalStage ? 'the image runs `go` when it starts' : `the stage \`${st.name ?? st.index}\` built from it runs \`go\` when it starts`;
  }
  for (const st of model.stages) {
    for (const ins of st.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = flagValue(ins, 'from');
      const src = from !== undefined ? stageByRef(model, from, st) : undefined;
      if (!src || !inLineage(model, src, stage)) continue;
      const paths = copyPaths(ins);
      if (paths?.sources.some((s) => overlaps(containerPath('/', literalDir(s)), p))) return `line ${ins.line + 1} copies it out of the stage`;
    }
  }
  return undefined;
}

export const goBuildCacheMount: Rule = {
  id: 'go-build-cache-mount',
  defaultSeverity: 'info',
  summary: 'A `go build`/`go mod download` RUN without BuildKit cache mounts for the module cache and the build cache.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const stage of model.stages) {
      if (windowsStage(model, stage)) continue;
      const byRun = new Map<InstructionInfo, GoCommand[]>();
      for (const gc of stage.goCommands) {
        const relevant = BUILDS.has(gc.sub) || (gc.sub === 'mod' && gc.modSub === 'download');
        if (!relevant) continue;
        const list = byRun.get(gc.instr);
        if (list) list.push(gc);
        else byRun.set(gc.instr, [gc]);
      }
      for (const [ins, cmds] of byRun) {
        const missing: { what: 'module' | 'build'; path: string }[] = [];
        for (const gc of cmds) {
          const builds = BUILDS.has(gc.sub);
          if ((!builds || !usesVendor(model, gc)) && !cannotDownloadModules(model, gc)) {
            const p = moduleCachePath(model, gc);
            if (p !== null && !mounted(model, gc, p) && !missing.some((m) => m.path === p) && othersShareCache(model, stage, ins, p, 'module'))
              missing.push({ what: 'module', path: p });
          }
          if (builds) {
            const p = buildCachePath(model, gc);
            if (p !== null && !mounted(model, gc, p) && !missing.some((m) => m.path === p) && othersShareCache(model, stage, ins, p, 'build'))
              missing.push({ what: 'build', path: p });
          }
        }
        if (!missing.length) continue;
        // keep the module cache first, as in the usual spelling
        missing.sort((a, b) => (a.what === b.what ? 0 : a.what === 'module' ? -1 : 1));
        const first = cmds[0];
        const script = first.script;
        const lastWord = first.sub === 'mod' ? first.cmd.argv[2] : first.cmd.argv[1];
        const range = rangeOf(model, wordOffsets(script, first.goWord)[0], wordOffsets(script, lastWord)[1]);
        const names = missing.map((m) => `the ${m.what} cache (\`${m.path}\`)`).join(' and ');
        const flags = missing.map((m) => `--mount=type=cache,target=${m.path}`);
        const what = cmds.some((c) => BUILDS.has(c.sub)) ? (missing.some((m) => m.what === 'module') ? 'downloads modules and compiles' : 'compiles') : 'downloads modules';
        let message =
          `This \`RUN\` ${what} without a BuildKit cache mount for ${names}: whenever its layer cache misses, ` +
          [missing.some((m) => m.what === 'module') ? 'every module is downloaded again' : '', missing.some((m) => m.what === 'build') ? 'the standard library and every dependency are recompiled' : '']
            .filter(Boolean)
            .join(' and ') +
          ' ' +
          `(one measurement: 14.6 s in a container without caches, 9.1 s with the module cache mounted, 8.2 s locally). Add ${flags.map((f) => `\`${f}\``).join(' ')}.`;
        const kwEnd = model.index.offsetAt(ins.node.getInstructionRange().end);
        const blockers = missing.map((m) => cacheNeededInImage(model, stage, m.path)).filter((x): x is string => !!x);
        if (blockers.length) message += ` Note: the cache directory is used after the build (${blockers[0]}); a cache mount keeps it out of the image.`;
        // `RUN --mount` fails on the classic builder ("the --mount option requires BuildKit"):
        // applied blindly only when the file already needs BuildKit
        const buildkit = requiresBuildKit(model);
        if (!buildkit) message += ' (`RUN --mount` needs BuildKit, the default builder since Docker 23; the classic builder, `DOCKER_BUILDKIT=0`, rejects it.)';
        const fix: Fix = {
          title: `Add ${flags.join(' ')}${buildkit ? '' : ' (needs BuildKit)'}`,
          preferred: !blockers.length && buildkit,
          edits: [editAt(model, kwEnd, kwEnd, flags.map((f) => ' ' + f).join(''))],
        };
        out.push({ message, range, fixes: [fix] });
      }
    }
    return out;
  },
};

/** The Dockerfile already uses a feature only BuildKit builds (so a `RUN --mount` costs nothing more). */
export function requiresBuildKit(model: DockerfileModel): boolean {
  let v = buildKitMemo.get(model);
  if (v === undefined) buildKitMemo.set(model, (v = scanRequiresBuildKit(model)));
  return v;
}
/** Once per model: asked for every finding. */
const buildKitMemo = new KeyMemo<DockerfileModel, boolean>();

function scanRequiresBuildKit(model: DockerfileModel): boolean {
  if (model.instructions.length && /^\s*#\s*syntax\s*=/im.test(model.text.slice(0, model.instructions[0].start))) return true;
  // the automatic platform ARGs exist only under BuildKit
  if (/\$\{?BUILDPLATFORM\b/.test(model.text)) return true;
  for (const ins of model.instructions) {
    if (ins.flags.some((f) => ['mount', 'link', 'chmod', 'network', 'security', 'parents', 'exclude'].includes(f.name))) return true;
    if ((ins.keyword === 'RUN' || ins.keyword === 'COPY' || ins.keyword === 'ADD') && /(^|\s)<<-?["']?[A-Za-z_]/.test(ins.args.text.slice(ins.restStart))) return true;
  }
  return false;
}
