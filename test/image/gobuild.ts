// Real Go binaries for the tests, compiled here by the machine's Go (Debian's
// golang-go): static stripped, static unstripped, cgo dynamic, a Windows PE;
// and what `go version -m` says about each.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseModInfo } from '../../server/src/engine/image/buildinfo';

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeout ?? 180_000 });
}

/** Why real Go binaries cannot be built here, or undefined. */
export function goUnavailable(): string | undefined {
  const r = run('go', ['version'], { timeout: 30_000 });
  if (r.error || r.status !== 0) return 'the `go` command is not installed (apt-get install golang-go)';
  return undefined;
}

export function gccAvailable(): boolean {
  const r = run('gcc', ['--version'], { timeout: 30_000 });
  return !r.error && r.status === 0;
}

export interface GoVersionM {
  goVersion: string;
  /** The module info lines, tab-stripped, each ending with \n (what the binary embeds). */
  modinfo: string;
}

/** `go version -m FILE`, parsed. */
export function goVersionM(file: string): GoVersionM {
  const r = run('go', ['version', '-m', file], { timeout: 60_000 });
  if (r.status !== 0) throw new Error(`go version -m ${file}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const m = /^.*: (go\S+)$/.exec(lines[0]);
  if (!m) throw new Error(`unexpected go version -m output: ${r.stdout}`);
  const modinfo = lines
    .slice(1)
    .filter((l) => l.startsWith('\t'))
    .map((l) => l.slice(1) + '\n')
    .join('');
  return { goVersion: m[1], modinfo };
}

export interface GoBinaries {
  dir: string;
  /** CGO_ENABLED=0 -ldflags="-s -w -X main.version=1.2.3" */
  stripped: string;
  /** CGO_ENABLED=0 -trimpath, symbols and DWARF kept (with -trimpath Go does not record -ldflags: golang/go#52372) */
  static: string;
  /** cgo (gcc): dynamically linked, interpreter /lib64/ld-linux-x86-64.so.2 on amd64; undefined without gcc */
  cgo?: string;
  /** GOOS=windows GOARCH=amd64 */
  windows: string;
}

const MAIN = `package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	fmt.Println("svc", version, len(os.Args))
}
`;

const CGO = `package main

// int add(int a, int b) { return a + b; }
import "C"
import "fmt"

func main() { fmt.Println(C.add(1, 2)) }
`;

/** Builds the binaries in `dir` (a git repository, so that Go stamps vcs.* settings when git is there). */
export function buildGoBinaries(dir: string): GoBinaries {
  fs.mkdirSync(path.join(dir, 'src', 'cgo'), { recursive: true });
  const src = path.join(dir, 'src');
  fs.writeFileSync(path.join(src, 'go.mod'), 'module example.com/svc\n\ngo 1.19\n');
  fs.writeFileSync(path.join(src, 'main.go'), MAIN);
  fs.writeFileSync(path.join(src, 'cgo', 'main.go'), CGO);
  const git = (args: string[]) => run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'init.defaultBranch=main', ...args], { cwd: src, timeout: 30_000 });
  if (!git(['init', '-q']).error) {
    git(['add', '.']);
    git(['commit', '-q', '-m', 'test']);
  }
  const env = { ...process.env, GOFLAGS: '', GOPROXY: 'off', GOTOOLCHAIN: 'local', GO111MODULE: 'on', GOCACHE: process.env.GOCACHE ?? path.join(dir, 'gocache'), HOME: process.env.HOME ?? dir };
  const build = (out: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const file = path.join(dir, out);
    const r = run('go', ['build', '-o', file, ...args], { cwd: src, env: { ...env, ...extra } });
    if (r.status !== 0) throw new Error(`go build ${args.join(' ')}: ${r.stderr}`);
    return file;
  };
  return {
    dir,
    stripped: build('app-stripped', ['-ldflags=-s -w -X main.version=1.2.3', '.'], { CGO_ENABLED: '0' }),
    static: build('app-static', ['-trimpath', '.'], { CGO_ENABLED: '0' }),
    cgo: gccAvailable() ? build('app-cgo', ['./cgo'], { CGO_ENABLED: '1' }) : undefined,
    windows: build('app.exe', ['.'], { CGO_ENABLED: '0', GOOS: 'windows', GOARCH: 'amd64' }),
  };
}

/** The parsed form of `go version -m`, to compare with what the engine read. */
export function expectedBuildInfo(file: string) {
  const v = goVersionM(file);
  return { goVersion: v.goVersion, modinfo: v.modinfo, ...parseModInfo(v.modinfo) };
}
