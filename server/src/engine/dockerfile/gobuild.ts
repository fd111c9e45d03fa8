// `go build` command lines and where their binaries end up.
import * as path from 'node:path';
import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from './model';
import { envAt, stageByRef, stageLineage, workdirAt } from './model';
import type { Word } from './shell';
import { copyCarries } from './glob';
import { KeyMemo } from '../memo';

/** go build flags that take a value (the rest are booleans). */
const VALUE_FLAGS = new Set([
  'o', 'p', 'C', 'covermode', 'coverpkg', 'asmflags', 'buildmode', 'compiler', 'gccgoflags', 'gcflags',
  'installsuffix', 'ldflags', 'mod', 'modfile', 'overlay', 'pgo', 'pkgdir', 'tags', 'toolexec', 'exec', 'run', 'bench', 'timeout', 'count',
]);

export interface GoFlag {
  name: string;
  /** The word holding the flag name (`-ldflags` or `-ldflags=...`). */
  nameWord: Word;
  /** The word holding the value: the same word when written `-x=v`, the next word otherwise. */
  valueWord?: Word;
  value?: string;
  /** `-x=v` form. */
  inline: boolean;
}

export interface GoBuild {
  cmd: GoCommand;
  flags: GoFlag[];
  /** Package arguments (after the flags). */
  packages: Word[];
  /** Absolute path of the produced binary, or of the directory it goes into (ends with '/'), if known. */
  output?: string;
}

/** The flags, packages and output of a go command (parsed once per command: several rules ask for each). */
export function parseGoBuild(cmd: GoCommand): GoBuild {
  let b = parsed.get(cmd);
  if (!b) parsed.set(cmd, (b = scanGoBuild(cmd)));
  return b;
}
const parsed = new KeyMemo<GoCommand, GoBuild>();

function scanGoBuild(cmd: GoCommand): GoBuild {
  const argv = cmd.cmd.argv;
  const flags: GoFlag[] = [];
  let i = 2;
  while (i < argv.length) {
    const w = argv[i];
    const m = /^--?([A-Za-z][A-Za-z0-9_.-]*)(=(.*))?$/s.exec(w.value);
    if (!m || w.value === '--') break;
    const name = m[1];
    if (m[2] !== undefined) {
      flags.push({ name, nameWord: w, valueWord: w, value: m[3], inline: true });
      i++;
    } else if (VALUE_FLAGS.has(name) && i + 1 < argv.length) {
      flags.push({ name, nameWord: w, valueWord: argv[i + 1], value: argv[i + 1].value, inline: false });
      i += 2;
    } else {
      flags.push({ name, nameWord: w, inline: false });
      i++;
    }
  }
  const packages = argv.slice(i).filter((w) => w.value !== '--');
  const build: GoBuild = { cmd, flags, packages };
  const o = lastFlag(build, 'o');
  if (cmd.sub === 'build' || cmd.sub === 'install') {
    if (cmd.sub === 'build' && o?.value && !o.valueWord?.expands) {
      const isDir = /[\\/]$/.test(o.value);
      const abs = resolveIn(cmd.workdir, o.value);
      build.output = isDir ? abs + '/' : abs;
    } else if (cmd.sub === 'install') {
      const gobin = cmd.env.get('GOBIN') ?? envAt(cmd.instr.stage!, cmd.instr).get('GOBIN')?.value;
      const gopath = cmd.env.get('GOPATH') ?? envAt(cmd.instr.stage!, cmd.instr).get('GOPATH')?.value ?? '/go';
      build.output = (gobin || path.posix.join(gopath, 'bin')) + '/';
    }
  }
  return build;
}

/**
 * `p` resolved against `base` as an absolute POSIX path. Windows paths
 * (`C:\app\x.exe`, or `bin\x.exe` under `C:\app`) become `/app/x.exe`: the
 * drive is dropped and backslashes read as `/`, so builds and COPY sources
 * compare (path.posix.resolve alone would resolve them against process.cwd()).
 */
function resolveIn(base: string, p: string): string {
  const win = (x: string) => /^[A-Za-z]:|\\/.test(x);
  if (!win(base) && !win(p)) return path.posix.resolve(base, p);
  const norm = (x: string) => x.replace(/^[A-Za-z]:/, '').replace(/\\+/g, '/');
  return path.posix.resolve('/', norm(base), norm(p));
}

export function lastFlag(b: GoBuild, name: string): GoFlag | undefined {
  for (let i = b.flags.length - 1; i >= 0; i--) if (b.flags[i].name === name) return b.flags[i];
  return undefined;
}

/** All `go build` / `go install` commands of the file, parsed. */
export function goBuilds(model: DockerfileModel): GoBuild[] {
  let out = builds.get(model);
  if (!out) {
    out = [];
    for (const s of model.stages) for (const c of s.goCommands) if (c.sub === 'build' || c.sub === 'install') out.push(parseGoBuild(c));
    builds.set(model, out);
  }
  return out.slice();
}
const builds = new KeyMemo<DockerfileModel, GoBuild[]>();

/** Sources and destination of a COPY/ADD (shell or JSON form; flags excluded). */
export function copyPaths(ins: InstructionInfo): { sources: string[]; dest: string } | undefined {
  let parts: string[];
  if (ins.json) parts = ins.json;
  else {
    parts = ins.args.text.slice(ins.restStart).trim().split(/[ \t]+/).filter(Boolean);
    if (parts.some((p) => p.startsWith('<<'))) return undefined; // heredoc COPY
  }
  if (parts.length < 2) return undefined;
  return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

export function flagValue(ins: InstructionInfo, name: string): string | undefined {
  for (let i = ins.flags.length - 1; i >= 0; i--) if (ins.flags[i].name === name) return ins.flags[i].value;
  return undefined;
}

/** Files that are not programs, commonly copied from build stages next to the binary. */
const DATA_PATH = /^\/(etc|usr\/share|usr\/local\/share|var)\/|\.(crt|pem|json|ya?ml|toml|conf|html|css|js|txt|md|sql|tmpl|proto)$|zoneinfo|passwd|group$/;


export interface Shipped {
  build: GoBuild;
  /** The final-stage instruction that brings the binary in (a COPY --from), or the build itself. */
  via: InstructionInfo;
}

/**
 * The `go build`/`go install` commands whose binaries end up in the final image:
 * builds run in the final stage (or its ancestors), and builds in stages the
 * final stage copies from, followed through intermediate stages.
 */
export function shippedGoBuilds(model: DockerfileModel): Shipped[] {
  // once per model: most Go rules start from it
  let out = shipped.get(model);
  if (!out) shipped.set(model, (out = scanShippedGoBuilds(model)));
  return out.slice();
}
const shipped = new KeyMemo<DockerfileModel, Shipped[]>();

function scanShippedGoBuilds(model: DockerfileModel): Shipped[] {
  const final = model.finalStage;
  if (!final) return [];
  const all = goBuilds(model);
  const result = new Map<GoBuild, Shipped>();
  const lineage = stageLineage(final);
  for (const b of all) if (lineage.includes(b.cmd.instr.stage!)) result.set(b, { build: b, via: b.cmd.instr });

  // (stage, absolute path or undefined for "whatever is copied") pairs to resolve; each pair is
  // looked at once (again only from a shallower depth): a chain of stages copying from each
  // other used to be walked once per path through it (exponential in the number of stages)
  const seen = new Map<string, number>();
  const visit = (stage: Stage, wanted: string | undefined, via: InstructionInfo, depth: number) => {
    if (depth > 8) return;
    for (let s: Stage | undefined = stage; s; s = s.parent) {
      const key = `${s.index}\0${wanted ?? ''}`;
      // seen: its ancestors were walked then too
      if ((seen.get(key) ?? Infinity) <= depth) break;
      seen.set(key, depth);
      for (const b of all) {
        if (b.cmd.instr.stage !== s) continue;
        if (wanted === undefined) continue;
        const out = b.output;
        if (out === undefined) {
          // without -o, `go build` writes into its working directory: a copy from elsewhere does not carry it
          const wd = resolveIn('/', b.cmd.workdir);
          const reaches =
            b.cmd.sub !== 'build' || lastFlag(b, 'o') !== undefined || wd.includes('$') || copyCarries(wanted, wd) || copyCarries(wd, wanted);
          if (reaches && !DATA_PATH.test(wanted)) result.set(b, result.get(b) ?? { build: b, via });
        } else if (out.endsWith('/') ? copyCarries(wanted, out.slice(0, -1)) || wanted.startsWith(out) : copyCarries(wanted, out)) {
          result.set(b, result.get(b) ?? { build: b, via });
        }
      }
      // follow COPY --from in this stage that produce the wanted path
      for (const ins of s.instructions) {
        if (ins.keyword !== 'COPY') continue;
        const from = flagValue(ins, 'from');
        if (!from) continue;
        const src = stageByRef(model, from, s);
        const p = copyPaths(ins);
        if (!src || !p || wanted === undefined) continue;
        const dest = resolveIn(workdirAt(s, ins), p.dest);
        for (const source of p.sources) {
          const abs = resolveIn('/', source);
          const landed = /[\\/]$/.test(p.dest) || p.sources.length > 1 ? path.posix.join(dest, path.posix.basename(abs)) : dest;
          if (copyCarries(landed, wanted) || copyCarries(wanted, landed)) visit(src, abs, via, depth + 1);
        }
      }
    }
  };

  for (const st of lineage) {
    for (const ins of st.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = flagValue(ins, 'from');
      if (!from) continue;
      const src = stageByRef(model, from, st);
      const p = copyPaths(ins);
      if (!src || !p) continue;
      for (const source of p.sources) visit(src, resolveIn('/', source), ins, 0);
    }
  }
  return [...result.values()];
}

