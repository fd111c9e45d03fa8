// go-single-stage: the final image is a Go toolchain image. The service needs
// its compiled binary (5–20 MB), not the compiler, module cache and build
// tools (~800 MB–1 GB). The fix names the build stage, appends a runtime stage
// that copies the binary, and moves the runtime settings (CMD, ENTRYPOINT,
// EXPOSE, USER, runtime ENV, ...) into it.
import * as path from 'node:path';
import type { Config } from '../config';
import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from '../dockerfile/model';
import { envAt, expandVariables, isGoBinary, stageByRef, stageLineage, wordOffsets, workdirAt } from '../dockerfile/model';
import { copyPaths, flagValue, goBuilds, lastFlag, type GoBuild } from '../dockerfile/gobuild';
import { parseScript, plainText } from '../dockerfile/shell';
import { baseFacts, parseImageRef, type BaseFacts } from '../images';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';

const posix = path.posix;

/** PATH of the official Linux golang images. */
const GOLANG_PATH = ['/go/bin', '/usr/local/go/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Programs that need the toolchain at run time or mark a development image:
 * `go run`/`go test`, live reloaders, debuggers, build tools, shells, keep-alive commands.
 */
const DEV_PROGRAMS = new Set([
  'go', 'air', 'dlv', 'reflex', 'compiledaemon', 'gow', 'realize', 'fresh', 'modd', 'watchexec', 'entr', 'nodemon',
  'golangci-lint', 'gotestsum', 'ginkgo', 'goreleaser', 'staticcheck', 'govulncheck', 'gopls', 'xcaddy', 'ko',
  'make', 'mage', 'task', 'sleep', 'tail',
  // code generators and linters that load packages through the go command
  'mockgen', 'mockery', 'gqlgen', 'controller-gen', 'stringer', 'wire', 'swagger', 'kubebuilder', 'operator-sdk', 'protoc', 'buf',
  'goimports', 'gofmt', 'golint', 'revive', 'gosec', 'errcheck', 'go-licenses', 'gox',
  'sh', 'bash', 'ash', 'dash', 'zsh', 'cmd', 'powershell', 'pwsh',
]);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
/** Process wrappers that run the command after their own options. */
const WRAPPERS = new Set(['tini', 'tini-static', 'dumb-init', 'env', 'exec', 'nohup', 'su-exec', 'gosu', 'catatonit']);
/** Stage names and Dockerfile names that say "this image is for development". */
const DEV_NAME = /(^|[-_.])(dev|devel|develop|development|debug|test|tests|testing|ci|lint|tools?|local)([-_.]|$)/i;

const DEV_WORDS = 'dev|devel|development|debug|test|tests|e2e|integration|ci|local|build|builder|tools|lint|cross';
const DEV_FILE = new RegExp(`^(?:(?:docker|container)file[.-](?:${DEV_WORDS})|(?:${DEV_WORDS})\\.(?:docker|container)file)$`, 'i');
/** Folders of development images: VS Code dev containers, dev/ and test/ setups. */
const DEV_DIR = /^(\.devcontainer|dev|devel|development|debug|test|tests|e2e|ci|local|tools)$/i;

/** ENV that configure the build, not the service: they stay in the build stage. */
const BUILD_ENV = new Set([
  'CGO_ENABLED', 'GOOS', 'GOARCH', 'GOFLAGS', 'GOPROXY', 'GOPRIVATE', 'GONOSUMDB', 'GONOPROXY', 'GOSUMDB', 'GOINSECURE',
  'GOPATH', 'GOBIN', 'GOROOT', 'GOCACHE', 'GOMODCACHE', 'GO111MODULE', 'GOTOOLCHAIN', 'GOARM', 'GOARM64', 'GOAMD64', 'GO386',
  'GOEXPERIMENT', 'GOWORK', 'CC', 'CXX', 'CGO_CFLAGS', 'CGO_CPPFLAGS', 'CGO_CXXFLAGS', 'CGO_LDFLAGS', 'PATH',
]);

/** Packages that only serve the build (compilers, VCS, downloaders). */
const BUILD_PACKAGES = /^(git|gcc|g\+\+|clang|make|cmake|musl-dev|libc-dev|libc6-dev|build-base|build-essential|binutils|gcc-multilib|pkgconf|pkgconfig|pkg-config|upx|upx-ucl|curl|wget|ca-certificates|bash|openssh|openssh-client|gnupg|gpg|mercurial|bzr|subversion|unzip|zip|tar|xz|xz-utils|file|protobuf|protobuf-dev|protoc|protobuf-compiler|linux-headers|autoconf|automake|libtool|patch|coreutils|findutils|sed|grep|go|golang|\.build-deps|\.?build-dependencies)$/;

/** Modules that only work with cgo: a CGO_ENABLED=0 build of them breaks at run time. */
const CGO_MODULES = [
  'github.com/mattn/go-sqlite3', 'github.com/confluentinc/confluent-kafka-go', 'github.com/google/gopacket/pcap', 'gocv.io/x/gocv',
  'github.com/libgit2/git2go', 'github.com/tecbot/gorocksdb', 'github.com/linxGnu/grocksdb', 'github.com/DataDog/zstd',
  'github.com/valyala/gozstd', 'github.com/go-gl/', 'github.com/miekg/pkcs11', 'github.com/godror/godror', 'github.com/ibmdb/go_ibm_db',
];

/** Context entries that look like files the service reads at run time. */
const ASSET_DIR = /^(templates?|views|static|public|assets|web|www|html|migrations?|configs?|conf|locales?|i18n|translations|resources|data|frontend|ui|dist|certs|keys|fonts|images|img|css|js|sql|db)$/i;
const ASSET_FILE = /\.(html?|tmpl|tpl|gohtml|css|js|json|ya?ml|toml|ini|conf|cfg|env|sql|pem|crt|key|csv|db|sqlite3?)$/i;
const NOT_ASSET_FILE = /^(\.(?!env$).*|makefile|license.*|readme.*|.*\.(md|txt|proto)|(docker-)?compose.*|codecov\..*|renovate\.json|skaffold\..*|taskfile\..*|buf(\.gen|\.work)?\.ya?ml|cloudbuild\..*|chart\.yaml|values\.yaml|package(-lock)?\.json|tsconfig\.json|go\.work\.sum|mkdocs\.ya?ml|\.?goreleaser.*|\.?golangci.*)$/i;
const GO_DIR = /^(cmd|internal|pkg|vendor|src|app|api|server|service|handlers?|models?)$/i;

export const goSingleStage: Rule = {
  id: 'go-single-stage',
  defaultSeverity: 'warning',
  summary: 'The final image is a Go toolchain image: copy the compiled binary into a small runtime stage instead.',
  checkDockerfile({ model, config }) {
    const final = model.finalStage;
    if (!final || !final.goToolchain) return [];
    if (DEV_FILE.test(path.basename(model.path)) || DEV_DIR.test(path.basename(model.dir))) return [];
    const lineage = stageLineage(final).reverse();
    if (lineage.some((s) => s.name && DEV_NAME.test(s.name))) return [];

    const command = effectiveCommand(lineage);
    if (!command) return []; // no CMD/ENTRYPOINT: a toolchain or builder image (the default command is a shell)
    const argv = commandArgv(command);
    const programs = argv ? programsOf(argv) : [];
    if (!programs.length) return [];
    for (const p of programs) {
      const base = p.replace(/^.*[\\/]/, '').replace(/\.exe$/i, '').toLowerCase();
      if (DEV_PROGRAMS.has(base) || isGoBinary(p)) return []; // the toolchain is shipped on purpose
      if (/\.(sh|bash|ps1|cmd|bat)$/i.test(p)) return []; // a script: cannot see what it runs
    }

    const ctx = new Ctx(model, config, final, lineage);
    const progIns = command.entrypoint ?? command.cmd!;
    const program = simpleArgs(progIns, final.windows).args?.[0];
    const prog = program !== undefined ? ctx.resolveProgram(program) : undefined;
    const builds = ctx.lineageBuilds();
    const matched = prog ? ctx.matchBuild(builds, prog) : undefined;
    // a prebuilt program copied from the build context (a tool that may need Go at run time)
    if (!matched && prog && ctx.copiedFromContext(prog)) return [];

    const word = imageWord(final.from);
    if (!word) return [];
    const root = lineage[0];
    const image = root.image ?? '';
    const message = final.parent
      ? `The final stage builds on stage \`${word.text}\`, a Go toolchain image (\`${image}\`, about 800 MB–1 GB with compiler, module cache and build tools) although the service needs only its compiled binary (typically 5–20 MB): copy the binary into a small runtime stage (distroless, scratch, alpine).`
      : `The final image is the Go toolchain image \`${image}\` (about 800 MB–1 GB with compiler, module cache and build tools) although the service needs only its compiled binary (typically 5–20 MB): copy the binary into a small runtime stage (distroless, scratch, alpine).`;
    const fix = matched && program !== undefined ? ctx.buildFix(word, command, program, matched) : undefined;
    const finding: RuleFinding = { message, range: rangeOf(model, word.start, word.end), fixes: fix ? [fix] : [] };
    return [finding];
  },
};

// ---------------------------------------------------------------------------

interface Command {
  entrypoint?: InstructionInfo;
  cmd?: InstructionInfo;
}

/** The ENTRYPOINT and CMD in effect at the end of the lineage (an ENTRYPOINT resets an inherited CMD). */
function effectiveCommand(lineage: Stage[]): Command | undefined {
  let entrypoint: InstructionInfo | undefined;
  let cmd: InstructionInfo | undefined;
  for (const s of lineage) {
    let cmdSetHere = false;
    for (const ins of s.instructions) {
      if (ins.keyword === 'CMD') {
        cmd = ins;
        cmdSetHere = true;
      } else if (ins.keyword === 'ENTRYPOINT') {
        entrypoint = ins;
        if (!cmdSetHere) cmd = undefined;
      }
    }
  }
  if (entrypoint && isEmptyExec(entrypoint)) entrypoint = undefined;
  if (!entrypoint && !cmd) return undefined;
  return { entrypoint, cmd };
}

function isEmptyExec(ins: InstructionInfo): boolean {
  return !!ins.json && ins.json.length === 0;
}

function shellText(ins: InstructionInfo): string {
  return ins.args.text.slice(ins.restStart).trim();
}

/** The argv the container starts with. */
function commandArgv(c: Command): string[] | undefined {
  const sh = (ins: InstructionInfo) => ['/bin/sh', '-c', shellText(ins)];
  if (c.entrypoint) {
    if (!c.entrypoint.json) return sh(c.entrypoint);
    const tail = c.cmd ? (c.cmd.json ?? sh(c.cmd)) : [];
    return [...c.entrypoint.json, ...tail];
  }
  if (!c.cmd) return undefined;
  return c.cmd.json ?? sh(c.cmd);
}

function baseName(p: string): string {
  return p.replace(/^.*[\\/]/, '').replace(/\.exe$/i, '').toLowerCase();
}

/** The programs an argv runs: wrappers skipped, `sh -c` scripts read. */
function programsOf(argv: string[], depth = 0): string[] {
  let i = 0;
  while (i < argv.length && WRAPPERS.has(baseName(argv[i]))) {
    const w = baseName(argv[i]);
    i++;
    while (i < argv.length && argv[i].startsWith('-')) i++;
    if ((w === 'gosu' || w === 'su-exec') && i < argv.length) i++; // the user
    while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]) && w === 'env') i++;
  }
  if (i >= argv.length) return [];
  const p = argv[i];
  if (SHELLS.has(baseName(p))) {
    const rest = argv.slice(i + 1);
    if (!rest.length) return [p];
    const c = rest.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (c >= 0 && rest[c + 1] !== undefined && depth < 2) {
      const text = rest[c + 1];
      const script = parseScript(plainText(text, 0, text.length));
      return script.commands.flatMap((cmd) => (cmd.argv.length ? programsOf(cmd.argv.map((w) => w.value), depth + 1) : []));
    }
    const file = rest.find((a) => !a.startsWith('-'));
    return file ? [file] : [p];
  }
  return [p];
}

/**
 * Arguments of a CMD/ENTRYPOINT: the JSON array, or the words of a single
 * simple shell command. `exact` when exec form with these words behaves the same.
 */
function simpleArgs(ins: InstructionInfo, windows: boolean): { args?: string[]; exact: boolean } {
  if (ins.json) return { args: ins.json, exact: true };
  const script = ins.scripts[0];
  if (!script || script.commands.length !== 1) return { exact: false };
  const c = script.commands[0];
  const raw = script.source.text;
  const wrappers = c.words.length - c.argv.length - c.assignments.length;
  const onlyExec = wrappers === 0 || (wrappers === 1 && c.words[0]?.value === 'exec');
  const exact =
    !windows && c.assignments.length === 0 && onlyExec && !c.words.some((w) => w.expands) && !/[|&;<>()`$*?~\\[\]{}#\n\r]/.test(raw);
  return { args: c.argv.map((w) => w.value), exact };
}

/** The image word of a FROM (document offsets). */
function imageWord(from: InstructionInfo): { start: number; end: number; text: string } | undefined {
  const t = from.args.text;
  let i = from.restStart;
  while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
  let j = i;
  while (j < t.length && t[j] !== ' ' && t[j] !== '\t') j++;
  if (j === i) return undefined;
  return { start: from.args.at(i), end: from.args.at(j - 1) + 1, text: t.slice(i, j) };
}

interface Binary {
  build: GoBuild;
  /** Absolute path in the build stage (POSIX; Windows paths without the drive). */
  path: string;
  /** The path was taken from the command, not from the build line. */
  inferred: boolean;
}

interface BinaryInfo {
  path?: string;
  dir?: string;
}

interface Emit {
  ins: InstructionInfo;
  move: boolean;
  /** Replacement text of the instruction (CMD/ENTRYPOINT rewritten), else the original. */
  text?: string;
}

class Ctx {
  readonly windows: boolean;
  readonly reasons: string[] = [];

  constructor(
    readonly model: DockerfileModel,
    readonly config: Config,
    readonly final: Stage,
    readonly lineage: Stage[],
  ) {
    this.windows = final.windows;
  }

  // --- paths ---------------------------------------------------------------

  /** Variables visible to an instruction: ENV of the stage lineage, the stage's ARGs, the golang image's GOPATH. */
  lookup(stage: Stage, upTo?: InstructionInfo): (name: string) => string | undefined {
    const env = envAt(stage, upTo);
    const args = new Map<string, string | undefined>();
    for (const s of stageLineage(stage).reverse()) {
      for (const ins of s.instructions) {
        if (s === stage && ins === upTo) break;
        if (ins.keyword !== 'ARG') continue;
        for (const p of (ins.node as any).getProperties?.() ?? []) {
          const v = p.getValue();
          args.set(p.getName(), v ?? this.model.globalArgs.get(p.getName()));
        }
      }
    }
    return (name) => {
      const e = env.get(name);
      if (e !== undefined) return e.value.includes('$') ? undefined : e.value;
      if (args.has(name)) return args.get(name);
      if (name === 'GOPATH' && stage.base.goToolchain) return this.windows ? 'C:\\go' : '/go';
      return undefined;
    };
  }

  /** A path as written in the Dockerfile, normalized to POSIX (Windows: drive C: dropped). */
  norm(p: string): string | undefined {
    if (!this.windows) return p;
    let s = p.replace(/[\\/]+/g, '/');
    const drive = /^([A-Za-z]):/.exec(s);
    if (drive) {
      if (drive[1].toLowerCase() !== 'c') return undefined;
      s = s.slice(2) || '/';
      if (!s.startsWith('/')) s = '/' + s;
    }
    return s;
  }

  /** Working directory before `upTo` (or at the end of the stage), with variables expanded. */
  workdir(stage: Stage, upTo?: InstructionInfo): string | undefined {
    let wd: string | undefined = stage.parent ? this.workdir(stage.parent) : stage.base.goToolchain ? '/go' : '/';
    for (const ins of stage.instructions) {
      if (ins === upTo) break;
      if (ins.keyword !== 'WORKDIR') continue;
      const raw = ins.args.text.trim().replace(/^(["'])(.*)\1$/, '$2');
      if (!raw) continue;
      const expanded = expandVariables(raw, this.lookup(stage, ins));
      const arg = expanded === undefined ? undefined : this.norm(expanded);
      if (arg === undefined) wd = undefined;
      else if (arg.startsWith('/')) wd = posix.normalize(arg);
      else wd = wd === undefined ? undefined : posix.resolve(wd, arg);
    }
    return wd;
  }

  /** Working directory of a go command (after any `cd` in its RUN). */
  buildWorkdir(gc: GoCommand): string | undefined {
    const stage = gc.instr.stage!;
    if (gc.workdir === workdirAt(stage, gc.instr)) return this.workdir(stage, gc.instr);
    return gc.workdir.includes('$') ? undefined : gc.workdir;
  }

  cmp(a: string, b: string): boolean {
    return this.windows ? a.toLowerCase() === b.toLowerCase() : a === b;
  }

  pathDirs(): string[] | undefined {
    if (this.windows) return ['/go/bin'];
    const env = envAt(this.final).get('PATH');
    if (!env) return this.final.base.goToolchain ? GOLANG_PATH : undefined;
    const v = expandVariables(env.value, (n) => (n === 'PATH' ? GOLANG_PATH.join(':') : this.lookup(this.final)(n)));
    return v === undefined ? undefined : v.split(':').filter(Boolean);
  }

  /** Where a command's program lives: an absolute path, or a bare name looked up in PATH. */
  resolveProgram(program: string): { abs?: string; bare?: string } | undefined {
    const p = this.norm(program);
    if (!p) return undefined;
    const wd = this.workdir(this.final);
    if (!p.includes('/')) {
      if (this.windows) {
        const name = /\.[A-Za-z0-9]+$/.test(p) ? p : p + '.exe';
        return { bare: name, abs: wd ? posix.join(wd, name) : undefined };
      }
      return { bare: p };
    }
    if (p.startsWith('/')) return { abs: posix.normalize(p) };
    if (!wd) return undefined;
    const abs = posix.resolve(wd, p);
    return { abs: this.windows && !/\.[A-Za-z0-9]+$/.test(abs) ? abs + '.exe' : abs };
  }

  /** Directories known to exist where a `-o` without a trailing slash is written. */
  knownDirs(upTo: InstructionInfo): Set<string> {
    const dirs = new Set(['/', '/bin', '/sbin', '/usr', '/usr/bin', '/usr/sbin', '/usr/local', '/usr/local/bin', '/usr/local/sbin', '/go', '/go/bin', '/go/src', '/tmp', '/root', '/home', '/opt', '/srv', '/var', '/etc']);
    const add = (d: string) => {
      for (let p = d; p !== '/' && p; p = posix.dirname(p)) dirs.add(p);
    };
    for (const s of this.lineage) {
      for (const ins of s.instructions) {
        if (ins === upTo) return dirs;
        if (ins.keyword === 'WORKDIR') {
          const wd = this.workdir(s, ins.stage!.instructions[ins.stage!.instructions.indexOf(ins) + 1]);
          if (wd) add(wd);
        } else if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
          const p = copyPaths(ins);
          const wd = this.workdir(s, ins);
          if (!p || !wd) continue;
          const dest = this.norm(p.dest);
          if (!dest) continue;
          const abs = posix.resolve(wd, dest);
          if (p.dest.endsWith('/') || p.sources.length > 1 || p.sources.some((x) => /^\.?\/?$|\/$/.test(x))) add(abs);
          else add(posix.dirname(abs));
        } else if (ins.keyword === 'RUN') {
          for (const sc of ins.scripts) {
            for (const c of sc.commands) {
              if (c.argv[0]?.value !== 'mkdir') continue;
              const wd = this.workdir(s, ins);
              for (const w of c.argv.slice(1)) if (!w.value.startsWith('-') && !w.expands && wd) add(posix.resolve(wd, w.value));
            }
          }
        }
      }
    }
    return dirs;
  }

  // --- builds ----------------------------------------------------------------

  lineageBuilds(): GoBuild[] {
    return goBuilds(this.model).filter((b) => this.lineage.includes(b.cmd.instr.stage!));
  }

  /** The name `go build`/`go install` gives the binary of its package arguments, when certain. */
  packageName(b: GoBuild): string | undefined {
    const pkgs = b.packages;
    if (pkgs.some((w) => w.expands)) return undefined;
    let name: string | undefined;
    if (pkgs.length && pkgs.every((w) => w.value.endsWith('.go'))) {
      if (b.cmd.sub !== 'build') return undefined;
      name = posix.basename(pkgs[0].value.replace(/\\/g, '/'), '.go');
    } else {
      if (pkgs.length !== 1) return undefined;
      const p = pkgs[0].value.replace(/@.*$/, '').replace(/\\/g, '/');
      if (p.includes('...')) return undefined;
      const segs = p.split('/').filter((s) => s && s !== '.');
      if (!segs.length || segs[segs.length - 1] === '..') return undefined;
      name = segs[segs.length - 1];
      const major = /^v(\d+)$/.exec(name);
      if (major && Number(major[1]) >= 2) {
        if (segs.length < 2) return undefined;
        name = segs[segs.length - 2];
      }
      if (name === '..') return undefined;
    }
    if (!name) return undefined;
    return this.windows ? name + '.exe' : name;
  }

  binaryOf(b: GoBuild): BinaryInfo | undefined {
    const gc = b.cmd;
    const stage = gc.instr.stage!;
    const wd = this.buildWorkdir(gc);
    const changeDir = lastFlag(b, 'C');
    if (gc.sub === 'build') {
      const o = lastFlag(b, 'o');
      if (o) {
        if (!o.value || o.valueWord?.expands) return undefined;
        const v = this.norm(o.value);
        if (!v) return undefined;
        if (!v.startsWith('/') && (changeDir || !wd)) return undefined;
        const abs = posix.resolve(wd ?? '/', v);
        if (o.value.endsWith('/') || o.value.endsWith('\\') || this.knownDirs(gc.instr).has(abs)) {
          const name = this.packageName(b);
          return name ? { path: posix.join(abs, name) } : { dir: abs };
        }
        return { path: abs };
      }
      if (changeDir || !wd) return undefined;
      // several packages without -o: compiled and discarded
      if (b.packages.length > 1 && !b.packages.every((w) => w.value.endsWith('.go'))) return undefined;
      const name = this.packageName(b);
      return name ? { path: posix.join(wd, name) } : { dir: wd };
    }
    if (gc.sub === 'install') {
      const env = envAt(stage, gc.instr);
      const get = (k: string) => gc.env.get(k) ?? env.get(k)?.value;
      // cross-compiled installs go to bin/<goos>_<goarch>: any GOARCH (the host's is unknown), or another GOOS
      const goos = get('GOOS');
      if (get('GOARCH') !== undefined || (goos !== undefined && goos !== (this.windows ? 'windows' : 'linux'))) return undefined;
      const gobin = get('GOBIN');
      const gopath = get('GOPATH') ?? (stage.base.officialGolangLinux ? '/go' : this.windows && stage.base.goToolchain ? 'C:\\go' : undefined);
      const raw = gobin || (gopath !== undefined ? gopath.replace(/(?<![\\/])[\\/]+$/, '') + '/bin' : undefined);
      if (!raw || raw.includes('$')) return undefined;
      const dir = this.norm(raw);
      if (!dir || !dir.startsWith('/')) return undefined;
      const name = this.packageName(b);
      return name ? { path: posix.join(posix.normalize(dir), name) } : { dir: posix.normalize(dir) };
    }
    return undefined;
  }

  /** The build whose binary the command runs (the last one writing that path). */
  matchBuild(builds: GoBuild[], prog: { abs?: string; bare?: string }): Binary | undefined {
    const dirs = this.pathDirs() ?? [];
    const inDirs = (d: string) => dirs.some((x) => this.cmp(x, d));
    let found: Binary | undefined;
    for (const b of builds) {
      const info = this.binaryOf(b);
      if (!info) continue;
      if (info.path) {
        const p = info.path;
        if ((prog.abs && this.cmp(prog.abs, p)) || (prog.bare && this.cmp(posix.basename(p), prog.bare) && inDirs(posix.dirname(p)))) {
          found = { build: b, path: p, inferred: false };
        }
      } else if (info.dir) {
        const d = info.dir;
        if (prog.abs && this.cmp(posix.dirname(prog.abs), d)) found = { build: b, path: prog.abs, inferred: true };
        else if (prog.bare && inDirs(d)) found = { build: b, path: posix.join(d, prog.bare), inferred: true };
      }
    }
    return found;
  }

  /** The program is a file COPY/ADDed from the build context, not something built here. */
  copiedFromContext(prog: { abs?: string; bare?: string }): boolean {
    const dirs = this.pathDirs() ?? [];
    for (const s of this.lineage) {
      for (const ins of s.instructions) {
        if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || flagValue(ins, 'from')) continue;
        const p = copyPaths(ins);
        const wd = this.workdir(s, ins);
        if (!p || !wd) continue;
        const destRaw = this.norm(p.dest);
        if (!destRaw) continue;
        const dest = posix.resolve(wd, destRaw);
        for (const src of p.sources) {
          if (/^\.?\/?$|\*|\/$/.test(src)) continue; // a directory copy: may hold anything
          const landed = p.dest.endsWith('/') || p.sources.length > 1 ? posix.join(dest, posix.basename(src)) : dest;
          if (prog.abs && this.cmp(prog.abs, landed)) return true;
          if (prog.bare && this.cmp(posix.basename(landed), prog.bare) && dirs.some((d) => this.cmp(d, posix.dirname(landed)))) return true;
        }
      }
    }
    return false;
  }

  // --- the fix -----------------------------------------------------------------

  runtimeBase(): { image: string; facts: BaseFacts } | undefined {
    const configured = this.config.runtimeBase;
    const cfgFacts = baseFacts(parseImageRef(configured));
    if (/\$/.test(configured) || cfgFacts.goToolchain) return undefined;
    if (!this.windows) return cfgFacts.windows ? undefined : { image: configured, facts: cfgFacts };
    if (cfgFacts.windows) return { image: configured, facts: cfgFacts };
    const release = this.final.base.windowsRelease;
    const tag = release === 'ltsc2022' ? 'ltsc2022' : release === 'ltsc2025' ? 'ltsc2025' : release === 'ltsc2019' ? '1809' : undefined;
    if (!tag) return undefined;
    const image = `mcr.microsoft.com/windows/nanoserver:${tag}`;
    return { image, facts: baseFacts(parseImageRef(image)) };
  }

  buildFix(word: { start: number; end: number }, command: Command, prog: string, bin: Binary): Fix | undefined {
    const model = this.model;
    const text = model.text;
    const F = this.final;
    const reasons = this.reasons;
    const base = this.runtimeBase();
    if (!base) return undefined;
    const rb = base.facts;
    if (/[\s"'$*?[\]]/.test(bin.path)) return undefined;
    const build = bin.build;
    const gc = build.cmd;
    const buildStage = gc.instr.stage!;

    // the binary must be written into the stage's filesystem, not into a cache mount
    for (const f of gc.instr.flags) {
      if (f.name !== 'mount' || !f.value) continue;
      const target = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value)?.[1];
      const t = target && this.norm(target);
      if (t && (bin.path === t || bin.path.startsWith(t.replace(/\/$/, '') + '/'))) return undefined;
    }

    // --- static binary for a base without (the same) libc ---
    let cgoEdit: TextEdit | undefined;
    if (!this.windows) {
      const builderLibc = buildStage.base.libc;
      const needStatic = rb.libc === 'none' || rb.libc === 'unknown' || rb.libc !== builderLibc;
      if (needStatic) {
        const cgo = this.cgoSetting(gc);
        const ldflags = lastFlag(build, 'ldflags')?.value ?? '';
        if (cgo === '1' || /extldflags|linkmode[= ]+external/.test(ldflags)) return undefined; // a cgo build: needs a base with its libc
        if (cgo === undefined) {
          const requires = [...(this.model.goMod?.requires ?? [])];
          if (CGO_MODULES.some((m) => requires.some((r) => r === m || r.startsWith(m)))) return undefined;
          // before `go`, or before the whole command when a wrapper (time, nice, ...) runs it
          const wrapped = gc.cmd.words.length - gc.cmd.argv.length !== gc.cmd.assignments.length;
          const at = wordOffsets(gc.script, wrapped ? gc.cmd.words[0] : gc.goWord)[0];
          cgoEdit = editAt(model, at, at, 'CGO_ENABLED=0 ');
        } else if (cgo !== '0') {
          reasons.push('CGO_ENABLED is set from a variable');
        }
      }
    }

    // --- what else the image carried ---
    if (bin.inferred) reasons.push(`binary path ${bin.path} taken from the command`);
    const builds = this.lineageBuilds();
    if (builds.length > 1) reasons.push('only the binary the command runs is copied');
    if (this.lineage.some((s) => s.instructions.some((i) => i.keyword === 'RUN' && i.json && i.json.length && isGoBinary(i.json[0])))) {
      reasons.push('an exec-form `RUN ["go", ...]` is not analysed');
    }
    if (buildStage !== F && this.model.stages.some((s) => !this.lineage.includes(s) && (s.parent === buildStage || s.instructions.some((i) => i.keyword === 'COPY' && flagValue(i, 'from') && stageByRef(this.model, flagValue(i, 'from')!, s) === buildStage)))) {
      if (cgoEdit) reasons.push(`stage ${buildStage.name ?? buildStage.index} is also used by other stages`);
    }
    if (F.from.flags.some((f) => f.name === 'platform')) reasons.push('the final FROM has --platform');
    if (this.windows) reasons.push('Windows paths and nanoserver');
    this.checkAfterBuild(gc.instr);
    this.checkPackages(rb);
    this.checkContext();

    // --- the runtime stage's instructions ---
    const emits = this.collectEmits(command);
    if (!emits) return undefined;
    const scratchLike = rb.kind === 'scratch' || rb.kind === 'distroless-static' || rb.kind === 'distroless' || rb.kind === 'windows-nanoserver' || rb.windows;
    const binName = posix.basename(bin.path);
    const dest = scratchLike ? '/' + binName : '/usr/local/bin/' + binName;
    const runPath = this.windows ? 'C:\\' + binName : dest;

    const lower = text.slice(F.from.start, F.from.start + 4) === 'from';
    const kw = (k: string) => (lower ? k.toLowerCase() : k);
    let stageName = F.name;
    const edits: TextEdit[] = [];
    if (!stageName) {
      const used = new Set(this.model.stages.map((s) => s.name?.toLowerCase()).filter(Boolean));
      stageName = ['build', 'builder', 'go-build', 'build-go'].find((n) => !used.has(n)) ?? `build-${F.index}`;
      edits.push(editAt(model, word.end, word.end, ` ${kw('AS')} ${stageName}`));
    }

    const eol = model.eol;
    const lines: string[] = [`${kw('FROM')} ${base.image}`, `${kw('COPY')} --from=${stageName} ${bin.path} ${dest}`];
    const progIns = command.entrypoint ?? command.cmd!;
    for (const e of emits) {
      let body: string;
      if (e.ins === progIns) {
        const rewritten = this.rewriteCommand(e.ins, prog, runPath, command);
        if (rewritten === undefined) return undefined;
        body = rewritten;
      } else if (e.ins === command.cmd && command.entrypoint && !e.ins.json) {
        reasons.push('CMD in shell form after an exec-form ENTRYPOINT');
        body = text.slice(e.ins.start, e.ins.end);
      } else {
        body = text.slice(e.ins.start, e.ins.end);
      }
      const comments = e.move ? this.attachedComments(e.ins) : undefined;
      if (comments) lines.push('', text.slice(comments.start, comments.end).replace(/(\r\n|\r|\n)$/, ''));
      lines.push(body);
    }

    // --- remove the moved instructions; append the stage ---
    const idx = model.index;
    const spans: [number, number][] = [];
    for (const e of emits) {
      if (!e.move) continue;
      const c = this.attachedComments(e.ins);
      const startLine = idx.positionAt(c ? c.start : e.ins.start).line;
      const endLine = idx.positionAt(e.ins.end).line;
      const s = idx.lineStarts[startLine];
      const en = endLine + 1 < idx.lineCount ? idx.lineStarts[endLine + 1] : text.length;
      spans.push([s, en]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    // the trailing run of blank lines and removed lines is replaced by the new stage
    let tail = text.length;
    for (let line = idx.lineCount - 1; line >= 0; line--) {
      const ls = idx.lineStarts[line];
      const blank = idx.lineText(line).trim() === '';
      const removed = spans.some(([s, en]) => ls >= s && ls < en);
      if (!blank && !removed) break;
      tail = ls;
    }
    for (const [s, en] of spans) if (en <= tail) edits.push(editAt(model, s, en, ''));
    const before = tail > 0 ? text[tail - 1] : '\n';
    const prefix = (before === '\n' || before === '\r' ? '' : eol) + eol;
    const endsWithEol = /[\r\n]$/.test(text);
    edits.push(editAt(model, tail, text.length, prefix + lines.join(eol) + (endsWithEol ? eol : '')));
    if (cgoEdit) edits.push(cgoEdit);

    const title = `Add a runtime stage: FROM ${base.image}, copy ${bin.path}${cgoEdit ? ', build with CGO_ENABLED=0' : ''}`;
    const preferred = reasons.length === 0;
    return {
      title: preferred ? title : `${title} (review: ${[...new Set(reasons)].join('; ')})`,
      preferred,
      edits,
    };
  }

  /** CGO_ENABLED for a go command: '0', '1', another string, or undefined when not set. */
  cgoSetting(gc: GoCommand): string | undefined {
    const own = gc.env.get('CGO_ENABLED');
    if (own !== undefined) return own;
    const stage = gc.instr.stage!;
    // ARG and ENV in the stage become the RUN's environment
    const v = this.lookup(stage, gc.instr)('CGO_ENABLED');
    if (v !== undefined) return v;
    const declared = envAt(stage, gc.instr).has('CGO_ENABLED') || stageLineage(stage).some((s) => s.instructions.some((i) => i.keyword === 'ARG' && i.start < gc.instr.start && ((i.node as any).getProperties?.() ?? []).some((p: any) => p.getName() === 'CGO_ENABLED')));
    return declared ? '$' : undefined;
  }

  /** RUN/COPY/ADD after the build change the image in ways the runtime stage does not see. */
  checkAfterBuild(buildIns: InstructionInfo): void {
    let after = false;
    for (const s of this.lineage) {
      for (const ins of s.instructions) {
        if (ins === buildIns) {
          after = true;
          continue;
        }
        if (!after) continue;
        if (ins.keyword === 'RUN') {
          const onlyGo = !ins.json && ins.scripts.length > 0 && ins.scripts.every((sc) => sc.commands.every((c) => !c.argv.length || isGoBinary(c.argv[0].value) || /^(cd|echo|ls|true)$/.test(c.argv[0].value)));
          if (!onlyGo) this.reasons.push(`RUN on line ${ins.line + 1} changes the build stage after the build`);
        } else if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
          this.reasons.push(`${ins.keyword} on line ${ins.line + 1} is not copied into the runtime stage`);
        } else if (ins.keyword === 'ONBUILD') {
          this.reasons.push('ONBUILD');
        }
      }
    }
  }

  /** Packages installed in the image that the service may use at run time. */
  checkPackages(rb: BaseFacts): void {
    for (const s of this.lineage) {
      for (const ins of s.instructions) {
        if (ins.keyword !== 'RUN') continue;
        for (const sc of ins.scripts) {
          for (const c of sc.commands) {
            const a = c.argv.map((w) => w.value);
            const pm = a[0]?.replace(/^.*\//, '');
            if (!pm || !/^(apt-get|apt|apk|yum|dnf|microdnf|zypper)$/.test(pm)) continue;
            const sub = a.findIndex((x, i) => i > 0 && !x.startsWith('-'));
            if (sub < 0 || !/^(install|add)$/.test(a[sub])) continue;
            const pkgs: string[] = [];
            for (let i = sub + 1; i < a.length; i++) {
              const x = a[i];
              if (x.startsWith('-')) {
                if (/^(-t|--target-release|--repository|-X|-o|--virtual|-p)$/.test(x)) {
                  if (x === '--virtual' || x === '-t') i++;
                  else i++;
                }
                continue;
              }
              pkgs.push(x.replace(/[=<>~].*$/, ''));
            }
            const runtime = pkgs.filter((p) => !BUILD_PACKAGES.test(p) && !(p === 'tzdata' && (rb.kind === 'distroless-static' || rb.kind === 'distroless')));
            if (runtime.length) this.reasons.push(`${pm} installs ${runtime.join(', ')} (line ${ins.line + 1}), not present in the runtime image`);
          }
        }
      }
    }
  }

  /** Files copied from the build context that the service may read at run time. */
  checkContext(): void {
    const ws = this.model.workspace;
    const ctxDir = this.model.contextDir;
    for (const s of this.lineage) {
      for (const ins of s.instructions) {
        if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || flagValue(ins, 'from')) continue;
        const p = copyPaths(ins);
        if (!p) {
          this.reasons.push(`${ins.keyword} on line ${ins.line + 1} is not analysed`);
          continue;
        }
        for (const src of p.sources) {
          if (/^[a-z]+:\/\//i.test(src) || /^git@/.test(src)) {
            this.reasons.push(`${ins.keyword} on line ${ins.line + 1} downloads files`);
            continue;
          }
          if (src.includes('$')) {
            this.reasons.push(`${ins.keyword} on line ${ins.line + 1} copies ${src}`);
            continue;
          }
          const rel = src.replace(/\\/g, '/').replace(/^\.\//, '').replace(/(?<!\/)\/+$/, '');
          const name = posix.basename(rel);
          if (/\.go$|^go\.(mod|sum|work|work\.sum)$/.test(name) || /^\*\.go$/.test(name) || rel === 'go.*') continue;
          const abs = path.join(ctxDir, rel === '' || rel === '.' || /[*?]/.test(rel) ? '.' : rel);
          if (rel === '' || rel === '.' || rel === '*' || ws.isDirectory(abs)) {
            if (!ws.isDirectory(abs)) {
              this.reasons.push(`cannot see the build context copied on line ${ins.line + 1}`);
              continue;
            }
            if (rel !== '' && rel !== '.' && rel !== '*' && ASSET_DIR.test(name)) {
              this.reasons.push(`${name}/ is copied into the build stage (line ${ins.line + 1}) but not into the runtime stage`);
              continue;
            }
            const assets = ws.listDir(abs).filter((e) => {
              const full = path.join(abs, e);
              if (ws.isDirectory(full)) return ASSET_DIR.test(e);
              return ASSET_FILE.test(e) && !NOT_ASSET_FILE.test(e);
            });
            if (assets.length) this.reasons.push(`${assets.slice(0, 3).join(', ')} copied on line ${ins.line + 1} may be read at run time`);
          } else if (ASSET_DIR.test(name) || (ASSET_FILE.test(name) && !NOT_ASSET_FILE.test(name)) || !(GO_DIR.test(name) || NOT_ASSET_FILE.test(name))) {
            this.reasons.push(`${src} is copied into the build stage (line ${ins.line + 1}) but not into the runtime stage`);
          }
        }
      }
    }
  }

  /** The runtime instructions of the lineage, in document order. */
  collectEmits(command: Command): Emit[] | undefined {
    const F = this.final;
    const last = new Map<string, InstructionInfo>();
    for (const s of this.lineage) for (const ins of s.instructions) if (['USER', 'STOPSIGNAL', 'HEALTHCHECK'].includes(ins.keyword)) last.set(ins.keyword, ins);
    // instructions after which nothing in F affects the build
    const lastBuildy = (() => {
      let at = -1;
      F.instructions.forEach((ins, i) => {
        if (['RUN', 'COPY', 'ADD', 'WORKDIR', 'ONBUILD'].includes(ins.keyword)) at = i;
      });
      return at;
    })();
    const emits: Emit[] = [];
    for (const s of this.lineage) {
      for (const ins of s.instructions) {
        const inF = s === F;
        const afterBuild = inF && F.instructions.indexOf(ins) > lastBuildy;
        switch (ins.keyword) {
          case 'CMD':
          case 'ENTRYPOINT':
            if (ins === command.cmd || ins === command.entrypoint) emits.push({ ins, move: inF });
            break;
          case 'EXPOSE':
          case 'LABEL':
          case 'STOPSIGNAL':
            if (ins.keyword === 'STOPSIGNAL' && last.get('STOPSIGNAL') !== ins) break;
            this.noVars(ins);
            emits.push({ ins, move: inF });
            break;
          case 'HEALTHCHECK':
            if (last.get('HEALTHCHECK') !== ins) break;
            if (!/^\s*none\s*$/i.test(ins.args.text)) this.reasons.push('HEALTHCHECK may run a program the runtime image lacks');
            emits.push({ ins, move: inF });
            break;
          case 'VOLUME':
            this.noVars(ins);
            emits.push({ ins, move: afterBuild });
            break;
          case 'USER': {
            if (last.get('USER') !== ins) break;
            const u = ins.args.text.trim();
            this.noVars(ins);
            if (!/^\d+(:\d+)?$/.test(u)) {
              const ok = (u === 'nonroot' || u === 'nonroot:nonroot') && /distroless|static/.test(this.runtimeKind()) ? true : /^root(:root)?$/.test(u) && this.runtimeKind() !== 'scratch';
              if (!ok) this.reasons.push(`USER ${u} may not exist in the runtime image`);
            }
            emits.push({ ins, move: afterBuild });
            break;
          }
          case 'ENV': {
            const names: string[] = ((ins.node as any).getProperties?.() ?? []).map((p: any) => p.getName());
            const build = names.filter((n) => BUILD_ENV.has(n));
            if (names.length && build.length === names.length) break; // build settings stay
            this.noVars(ins);
            if (names.includes('TZ') && (this.runtimeKind() === 'scratch' || this.runtimeKind() === 'alpine')) this.reasons.push('TZ needs tzdata, which the runtime image lacks');
            emits.push({ ins, move: afterBuild && build.length === 0 });
            break;
          }
        }
      }
    }
    // a non-root base cannot bind ports below 1024 where the toolchain image ran as root
    const base = this.runtimeBase();
    const nonrootBase = !!base && (/nonroot/.test(base.image) || /chainguard\/static/.test(base.image));
    if (nonrootBase && !last.has('USER')) {
      const low = emits.filter((e) => e.ins.keyword === 'EXPOSE').flatMap((e) => e.ins.args.text.trim().split(/\s+/)).map((p) => parseInt(p, 10)).filter((n) => n > 0 && n < 1024);
      if (low.length) this.reasons.push(`the runtime base runs as non-root and port ${low[0]} is below 1024`);
    }
    return emits;
  }

  runtimeKind(): string {
    return this.runtimeBase()?.facts.kind ?? 'other';
  }

  noVars(ins: InstructionInfo): void {
    if (/\$/.test(ins.args.text)) this.reasons.push(`${ins.keyword} on line ${ins.line + 1} uses a variable`);
  }

  /** The CMD/ENTRYPOINT running the binary, in exec form, pointing at its new path. */
  rewriteCommand(ins: InstructionInfo, prog: string, runPath: string, command: Command): string | undefined {
    const text = this.model.text;
    const kwText = text.slice(ins.start, ins.start + ins.keyword.length);
    const { args, exact } = simpleArgs(ins, this.windows);
    if (!args) return undefined;
    if (!exact) this.reasons.push(`${ins.keyword} uses shell features that exec form does not have`);
    if (args[0] !== prog) return undefined;
    const quoted = JSON.stringify(runPath);
    if (ins.json) {
      // keep the user's formatting: replace the first string of the JSON array
      const body = text.slice(ins.start + ins.keyword.length, ins.end);
      const m = /^(\s*\[\s*)"(?:[^"\\]|\\.)*"/.exec(body);
      if (m) return kwText + m[1] + quoted + body.slice(m[0].length);
      return `${kwText} ${JSON.stringify([runPath, ...args.slice(1)]).replace(/","/g, '", "')}`;
    }
    if (ins.keyword === 'ENTRYPOINT' && command.cmd) this.reasons.push('a shell-form ENTRYPOINT ignored CMD; in exec form CMD becomes its arguments');
    return `${kwText} ${JSON.stringify([runPath, ...args.slice(1)]).replace(/","/g, '", "')}`;
  }

  /** Comment lines directly above an instruction (no blank line between), as document offsets. */
  attachedComments(ins: InstructionInfo): { start: number; end: number } | undefined {
    const idx = this.model.index;
    const line = idx.positionAt(ins.start).line;
    const prevEnd = Math.max(-1, ...this.model.instructions.filter((i) => i.start < ins.start).map((i) => idx.positionAt(i.end).line));
    let first = line;
    for (let l = line - 1; l > prevEnd; l--) {
      const t = idx.lineText(l).trim();
      if (!t.startsWith('#')) break;
      first = l;
    }
    if (first === line) return undefined;
    return { start: idx.lineStarts[first], end: idx.lineStarts[line] };
  }
}
