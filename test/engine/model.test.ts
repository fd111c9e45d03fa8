import { describe, expect, it } from 'vitest';
import { buildDockerfileModel, envAt, expandVariables, workdirAt } from '../../server/src/engine/dockerfile/model';
import { parseGoBuild, shippedGoBuilds, lastFlag } from '../../server/src/engine/dockerfile/gobuild';
import { parseGoMod, compareGoVersions, goAtLeast, linkerStrip, splitLdflags } from '../../server/src/engine/go';
import { baseFacts, parseImageRef } from '../../server/src/engine/images';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

const model = (text: string, files: Record<string, string> = {}) => buildDockerfileModel(text, '/p/Dockerfile', new MemoryWorkspace({ '/p/Dockerfile': text, ...Object.fromEntries(Object.entries(files).map(([k, v]) => ['/p/' + k, v])) }));

describe('Dockerfile model', () => {
  it('resolves ARG defaults in FROM, stage names and inheritance', () => {
    const m = model('ARG GO=1.22\nARG VARIANT\nFROM golang:${GO}-alpine AS build\nRUN go build -o /out/app ./cmd/app\nFROM build AS test\nFROM ${RUNTIME:-gcr.io/distroless/static-debian12}\nCOPY --from=build /out/app /app\n');
    expect(m.stages.map((s) => s.image)).toEqual(['golang:1.22-alpine', 'build', 'gcr.io/distroless/static-debian12']);
    expect(m.stages[1].parent).toBe(m.stages[0]);
    expect(m.stages[1].goToolchain).toBe(true);
    expect(m.stages[0].base.libc).toBe('musl');
    expect(m.stages[2].base.kind).toBe('distroless-static');
    expect(m.finalStage?.isFinal).toBe(true);
    expect(m.buildsGo).toBe(true);
    const shipped = shippedGoBuilds(m);
    expect(shipped).toHaveLength(1);
    expect(shipped[0].build.output).toBe('/out/app');
  });
  it('leaves unresolvable FROM variables unresolved', () => {
    const m = model('ARG BASE\nFROM ${BASE}\n');
    expect(m.stages[0].image).toBeUndefined();
  });
  it('expands variables like the builder', () => {
    const vars: Record<string, string> = { A: 'x', E: '' };
    const look = (n: string) => vars[n];
    expect(expandVariables('$A-${A}-${B:-d}-${E:-d}-${E-d}-${A:+y}', look)).toBe('x-x-d-d--y');
    expect(expandVariables('${B}', look)).toBeUndefined();
  });
  it('tracks WORKDIR, ENV and cd for go builds', () => {
    const m = model('FROM golang:1.23\nWORKDIR /src\nENV CGO_ENABLED=0 GOBIN=/bin2\nWORKDIR app\nRUN cd cmd && go build -o ../bin/svc . && go install ./tools\n');
    const s = m.stages[0];
    expect(workdirAt(s)).toBe('/src/app');
    expect(envAt(s).get('CGO_ENABLED')?.value).toBe('0');
    const [build, install] = s.goCommands.map(parseGoBuild);
    expect(build.output).toBe('/src/app/bin/svc');
    expect(install.output).toBe('/bin2/');
  });
  it('reads go build flags in both forms', () => {
    const m = model('FROM golang:1.23\nRUN go build -trimpath -ldflags="-X main.v=1" -ldflags "-s -w" -o=/x .\n');
    const b = parseGoBuild(m.stages[0].goCommands[0]);
    expect(lastFlag(b, 'ldflags')?.value).toBe('-s -w');
    expect(lastFlag(b, 'o')?.inline).toBe(true);
    expect(b.output).toBe('/x');
    expect(b.packages.map((w) => w.value)).toEqual(['.']);
  });
  it('follows a binary through an intermediate stage', () => {
    const m = model('FROM golang:1.23 AS build\nRUN go build -o /bin/app .\nFROM alpine AS pack\nCOPY --from=build /bin/app /usr/bin/app\nRUN upx /usr/bin/app\nFROM scratch\nCOPY --from=pack /usr/bin/app /app\n');
    expect(shippedGoBuilds(m).map((s) => s.build.output)).toEqual(['/bin/app']);
  });
  it('does not ship builds of test or tool stages', () => {
    const m = model('FROM golang:1.23 AS build\nRUN go build -o /bin/app .\nFROM golang:1.23 AS lint\nRUN go build -o /bin/linter ./tools\nFROM scratch\nCOPY --from=build /bin/app /app\n');
    expect(shippedGoBuilds(m).map((s) => s.build.output)).toEqual(['/bin/app']);
  });
  it('finds go.mod walking up, and the module root as context', () => {
    const ws = new MemoryWorkspace({ '/repo/go.mod': 'module x\n\ngo 1.24\ntoolchain go1.25.1\n', '/repo/build/Dockerfile': 'FROM golang:1.24\n' });
    const m = buildDockerfileModel('FROM golang:1.24\n', '/repo/build/Dockerfile', ws);
    expect(m.goMod?.go).toBe('1.24');
    expect(m.goMod?.toolchain).toBe('1.25.1');
    expect(m.contextDir).toBe('/repo');
  });
  it('reads the escape directive and Windows stages', () => {
    const m = model('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN go build `\n  -o C:\\app\\app.exe .\n');
    expect(m.escape).toBe('`');
    expect(m.stages[0].windows).toBe(true);
    expect(m.stages[0].base.windowsRelease).toBe('ltsc2022');
    expect(m.stages[0].goCommands[0].cmd.argv.map((w) => w.value)).toEqual(['go', 'build', '-o', 'C:\\app\\app.exe', '.']);
  });
  it('parses heredoc RUN bodies as scripts', () => {
    const m = model('FROM golang:1.23\nRUN <<EOF\nset -e\ngo build -o /a .\nEOF\n');
    expect(m.stages[0].goCommands.map((g) => g.sub)).toEqual(['build']);
  });
});

describe('Go facts', () => {
  it('parses go.mod', () => {
    const g = parseGoMod('module example.com/a // c\n\ngo 1.23.2\n\ntoolchain go1.24.0\n\nrequire (\n\tgo.uber.org/automaxprocs v1.6.0\n\tgithub.com/x/y v1.0.0 // indirect\n)\nrequire github.com/KimMachineGun/automemlimit v0.7.0\n', '/a/go.mod');
    expect(g).toMatchObject({ module: 'example.com/a', go: '1.23.2', toolchain: '1.24.0' });
    expect([...g.requires]).toEqual(['go.uber.org/automaxprocs', 'github.com/x/y', 'github.com/KimMachineGun/automemlimit']);
  });
  it('compares versions (1.22 means 1.22.0, rc before release)', () => {
    expect(compareGoVersions('1.22', '1.22.0')).toBe(0);
    expect(compareGoVersions('1.21.13', '1.22')).toBeLessThan(0);
    expect(compareGoVersions('1.23rc1', '1.23.0')).toBeLessThan(0);
    expect(goAtLeast('1.25', 25)).toBe(true);
    expect(goAtLeast('1.24.9', 25)).toBe(false);
    expect(goAtLeast(undefined, 25)).toBeUndefined();
  });
  it('reads -s/-w like the linker', () => {
    expect(splitLdflags(`-s -w -X 'main.v=1 2' -extldflags "-static"`)).toEqual(['-s', '-w', '-X', 'main.v=1 2', '-extldflags', '-static']);
    expect(linkerStrip(['-s', '-w=0'])).toEqual({ s: true, w: false });
    expect(linkerStrip(['-w'])).toEqual({ s: false, w: true });
  });
});

describe('image facts', () => {
  it('parses references', () => {
    expect(parseImageRef('docker.io/library/golang:1.22-alpine@sha256:abc')).toMatchObject({ registry: '', repository: 'golang', tag: '1.22-alpine', digest: 'sha256:abc' });
    expect(parseImageRef('localhost:5000/team/app')).toMatchObject({ registry: 'localhost:5000', repository: 'team/app', tag: undefined });
    expect(parseImageRef('registry.hub.docker.com/library/golang:1.22')).toMatchObject({ registry: '', repository: 'golang', tag: '1.22' });
    expect(baseFacts(parseImageRef('registry.hub.docker.com/library/golang:1.22')).goToolchain).toBe(true);
  });
  it('knows Go toolchains, libc and shells', () => {
    expect(baseFacts(parseImageRef('golang:1.23.4-bookworm'))).toMatchObject({ goToolchain: true, goVersion: '1.23.4', officialGolangLinux: true, libc: 'glibc' });
    expect(baseFacts(parseImageRef('public.ecr.aws/docker/library/golang:1.22-alpine3.20'))).toMatchObject({ goToolchain: true, libc: 'musl', officialGolangLinux: true });
    expect(baseFacts(parseImageRef('golang:1.22-windowsservercore-ltsc2022'))).toMatchObject({ goToolchain: true, windows: true, officialGolangLinux: false, windowsRelease: 'ltsc2022' });
    expect(baseFacts(parseImageRef('gcr.io/distroless/static-debian12:nonroot'))).toMatchObject({ kind: 'distroless-static', shell: false, libc: 'none' });
    expect(baseFacts(parseImageRef('gcr.io/distroless/base-debian12:debug'))).toMatchObject({ kind: 'distroless', shell: true, libc: 'glibc' });
    expect(baseFacts(parseImageRef('mcr.microsoft.com/windows/nanoserver:1809'))).toMatchObject({ kind: 'windows-nanoserver', windowsRelease: 'ltsc2019' });
  });
});
