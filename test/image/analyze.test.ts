// The image report: history, config, base image, Go binaries and findings,
// on hand-built archives.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeArchive, instructionOf, type ImageReport } from '../../server/src/engine/image/analyze';
import { readImageTar } from '../../server/src/engine/image/archive';
import { reportToMarkdown } from '../../server/src/engine/image/markdown';
import { GO_MODINFO, imageConfig, legacyArchive, makeElf, makePe, tarOf, type Hist, type TEntry } from './fixtures';

type ConfigOpts = Parameters<typeof imageConfig>[1];

async function report(layerEntries: TEntry[][], cfg: ConfigOpts = {}, thresholds?: { minEfficiency?: number; maxWastedPercent?: number; maxWastedBytes?: number }): Promise<ImageReport> {
  const layers = await Promise.all(layerEntries.map(tarOf));
  const buf = await legacyArchive(layers, imageConfig(layers, cfg), { tags: ['svc:test'] });
  return analyzeArchive(await readImageTar(Readable.from([buf]), { name: 'svc.tar' }), { input: 'svc.tar', thresholds });
}

const ids = (r: ImageReport) => r.findings.map((f) => f.id);
const find = (r: ImageReport, id: string) => r.findings.find((f) => f.id === id);

const SVC = (spec: Parameters<typeof makeElf>[0] = {}) => makeElf({ goVersion: 'go1.22.5', modinfo: GO_MODINFO({ path: 'example.com/svc', build: ['-ldflags="-s -w"', 'CGO_ENABLED=0', 'GOOS=linux', 'GOARCH=amd64'] }), ...spec });
const NONROOT = { user: '65532:65532', env: ['PATH=/bin', 'GOMAXPROCS=2'], entrypoint: ['/app'] };

describe('history', () => {
  it('reads Dockerfile instructions from both builders', () => {
    expect(instructionOf('/bin/sh -c #(nop)  CMD ["/app"]')).toBe('CMD ["/app"]');
    expect(instructionOf('/bin/sh -c #(nop) COPY file:abc in /app ')).toBe('COPY file:abc in /app');
    expect(instructionOf('/bin/sh -c apk add --no-cache git')).toBe('RUN apk add --no-cache git');
    expect(instructionOf('|2 TARGETOS=linux TARGETARCH=amd64 /bin/sh -c go build -o /app .')).toBe('RUN go build -o /app .');
    expect(instructionOf('RUN /bin/sh -c go mod download # buildkit')).toBe('RUN go mod download');
    expect(instructionOf('RUN |2 TARGETOS=linux TARGETARCH=amd64 /bin/sh -c go build -o /app . # buildkit')).toBe('RUN go build -o /app .');
    expect(instructionOf('RUN go build ./... # buildkit')).toBe('RUN go build ./...');
    expect(instructionOf('COPY --chown=1:1 /out/app /app # buildkit')).toBe('COPY --chown=1:1 /out/app /app');
    expect(instructionOf('WORKDIR /src')).toBe('WORKDIR /src');
    expect(instructionOf('cmd /S /C go build -o app.exe .')).toBe('RUN go build -o app.exe .');
    expect(instructionOf('cmd /S /C #(nop)  ENTRYPOINT ["app.exe"]')).toBe('ENTRYPOINT ["app.exe"]');
    expect(instructionOf('Apply image 10.0.20348.2340')).toBe('Apply image 10.0.20348.2340');
    expect(instructionOf('/bin/busybox rm /tmp/big')).toBe('RUN /bin/busybox rm /tmp/big');
    expect(instructionOf('')).toBe('');
  });

  it('aligns history with the layers through empty_layer', async () => {
    const history: Hist[] = [
      { created_by: '/bin/sh -c #(nop) ADD file:base in / ' },
      { created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
      { created_by: 'WORKDIR /src', empty_layer: true },
      { created_by: 'COPY app /app # buildkit', comment: 'buildkit.dockerfile.v0' },
      { created_by: 'ENV GOMAXPROCS=2', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
    ];
    const r = await report([[{ name: 'bin/sh', size: 10 }], [{ name: 'app', size: 20 }]], { history });
    expect(r.layers.map((l) => [l.instruction, l.comment])).toEqual([
      ['ADD file:base in /', undefined],
      ['COPY app /app', 'buildkit.dockerfile.v0'],
    ]);
    expect(r.history.map((h) => [h.instruction, h.emptyLayer, h.layer])).toEqual([
      ['ADD file:base in /', false, 0],
      ['CMD ["sh"]', true, undefined],
      ['WORKDIR /src', true, undefined],
      ['COPY app /app', false, 1],
      ['ENV GOMAXPROCS=2', true, undefined],
    ]);
  });

  it('an image without history still has its layers', async () => {
    const r = await report([[{ name: 'a', size: 1 }], [{ name: 'b', size: 2 }]], { history: null });
    expect(r.history).toEqual([]);
    expect(r.layers.map((l) => [l.size, l.instruction])).toEqual([
      [1, undefined],
      [2, undefined],
    ]);
  });

  it('per layer: file counts, biggest files and directories, repeated blobs', async () => {
    const base: TEntry[] = [
      { name: 'usr/', type: 'directory' },
      { name: 'usr/lib/', type: 'directory' },
      { name: 'usr/lib/a.so', size: 900 },
      { name: 'usr/lib/b.so', size: 100 },
      { name: 'usr/bin/x', size: 300 },
      { name: 'etc/hosts', size: 5 },
      { name: 'lib64', type: 'symlink', linkname: 'usr/lib64' },
    ];
    const r = await report([base, [{ name: 'app', size: 50 }], base]);
    const l = r.layers[0];
    expect([l.files, l.dirs, l.links]).toEqual([4, 2, 1]);
    expect(l.biggestFiles.slice(0, 2)).toEqual([
      { path: '/usr/lib/a.so', size: 900 },
      { path: '/usr/bin/x', size: 300 },
    ]);
    expect(l.biggestDirs.slice(0, 3)).toEqual([
      { path: '/usr', size: 1300, files: 3 },
      { path: '/usr/lib', size: 1000, files: 2 },
      { path: '/usr/bin', size: 300, files: 1 },
    ]);
    expect(r.layers[2].sameAs).toBe(0);
    expect(r.layers[0].sameAs).toBeUndefined();
  });
});

describe('config and base image', () => {
  it('env, user, entrypoint and cmd with their form, ports, labels', async () => {
    const r = await report([[{ name: 'app', size: 1 }]], {
      env: ['PATH=/bin', 'EMPTY=', 'EQ=a=b'],
      entrypoint: ['/app', '--serve'],
      cmd: ['/bin/sh', '-c', 'echo hi'],
      user: 'nonroot',
      ports: ['8080/tcp', '443/tcp'],
      labels: { 'org.opencontainers.image.source': 'https://example.com/svc' },
    });
    const c = r.image.config;
    expect(c.env).toEqual([
      { name: 'PATH', value: '/bin' },
      { name: 'EMPTY', value: '' },
      { name: 'EQ', value: 'a=b' },
    ]);
    expect(c.entrypoint).toEqual({ form: 'exec', argv: ['/app', '--serve'] });
    expect(c.cmd).toEqual({ form: 'shell', argv: ['/bin/sh', '-c', 'echo hi'], script: 'echo hi' });
    expect(c.user).toBe('nonroot');
    expect(c.exposedPorts).toEqual(['443/tcp', '8080/tcp']);
    expect(c.labels).toEqual({ 'org.opencontainers.image.source': 'https://example.com/svc' });
    expect(r.image.os).toBe('linux');
    expect(r.image.architecture).toBe('amd64');
    expect(r.image.repoTags).toEqual(['svc:test']);
  });

  it('guesses the base image', async () => {
    const guess = async (layer: TEntry[], cfg: ConfigOpts = {}) => (await report([layer], cfg)).image.baseImage;
    expect(await guess([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n' }])).toEqual({ name: 'alpine:3.20', reason: '/etc/os-release: Alpine Linux v3.20' });
    expect((await guess([{ name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' }, { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }]))?.name).toBe('debian:bookworm');
    expect((await guess([{ name: 'etc/os-release', content: 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="12"\n' }]))?.name).toBe('gcr.io/distroless/static-debian12');
    expect((await guess([{ name: 'usr/local/go/VERSION', content: 'go1.22.5\ntime 2024-07-01\n' }, { name: 'etc/os-release', content: 'ID=debian\nVERSION_CODENAME=bookworm\n' }]))?.name).toBe('golang:1.22.5-bookworm');
    expect((await guess([{ name: 'app', size: 10 }]))?.name).toBe('scratch');
    expect((await guess([{ name: 'app', size: 10 }], { labels: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.20' } }))?.name).toBe('docker.io/library/alpine:3.20');
  });
});

describe('Go binaries', () => {
  it('a static stripped service: build info, no findings about the binary', async () => {
    const r = await report([[{ name: 'app', content: SVC(), mode: 0o755 }]], NONROOT);
    expect(r.goBinaries).toHaveLength(1);
    const b = r.goBinaries[0];
    expect(b).toMatchObject({ path: '/app', layer: 0, format: 'elf', arch: 'amd64', goVersion: 'go1.22.5', mainPackage: 'example.com/svc', mainModule: { path: 'example.com/svc', version: '(devel)' }, ldflags: '-s -w', cgo: false, goos: 'linux', goarch: 'amd64', trimpath: false, stripped: true });
    expect(b.interpreter).toBeUndefined();
    expect(ids(r)).toEqual([]);
  });

  it('not stripped: go-strip-symbols with the bytes of DWARF and symbols', async () => {
    const elf = SVC({ symtab: true, debug: { '.debug_info': 40000, '.debug_line': 10000 } });
    const r = await report([[{ name: 'app', content: elf }]], NONROOT);
    const f = find(r, 'go-binary-not-stripped')!;
    expect(f).toMatchObject({ rule: 'go-strip-symbols', severity: 'warning', path: '/app', layer: 0 });
    expect(f.data).toMatchObject({ debugBytes: 50000, symtabBytes: 160 });
    expect(f.message).toContain('debug sections (DWARF) 50.0 kB and symbol table 160 B');
    expect(f.docs).toMatch(/docs\/rules\/go-strip-symbols\.md$/);
  });

  it('dynamically linked: an error when the interpreter is missing, nothing when it is there (through symlinks)', async () => {
    const dyn = SVC({ interp: '/lib64/ld-linux-x86-64.so.2' });
    const missing = await report([[{ name: 'app', content: dyn }]], NONROOT);
    const f = find(missing, 'go-interpreter-missing')!;
    expect(f).toMatchObject({ rule: 'go-static-binary', severity: 'error', path: '/app' });
    expect(f.message).toContain('`/lib64/ld-linux-x86-64.so.2`, which is not in the image: the container cannot start');
    expect(missing.goBinaries[0]).toMatchObject({ interpreter: '/lib64/ld-linux-x86-64.so.2', interpreterFound: false });

    const present = await report(
      [
        [
          { name: 'lib64', type: 'symlink', linkname: 'usr/lib64' },
          { name: 'usr/lib64/ld-linux-x86-64.so.2', type: 'symlink', linkname: '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
          { name: 'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', size: 200000 },
        ],
        [{ name: 'app', content: dyn }],
      ],
      NONROOT,
    );
    expect(present.goBinaries[0].interpreterFound).toBe(true);
    expect(ids(present)).toEqual([]);
  });

  it('only binaries in the final filesystem: replaced and deleted ones are not reported', async () => {
    const r = await report(
      [
        [{ name: 'app', content: SVC({ goVersion: 'go1.20.1' }) }, { name: 'tool', content: SVC() }],
        [{ name: 'app', content: SVC({ goVersion: 'go1.23.0' }) }, { name: '.wh.tool', size: 0 }],
      ],
      NONROOT,
    );
    expect(r.goBinaries.map((b) => [b.path, b.goVersion, b.layer])).toEqual([['/app', 'go1.23.0', 1]]);
  });

  it('a Go toolchain in the final image: go-single-stage with its size; its binaries are not the service', async () => {
    const r = await report(
      [
        [
          { name: 'usr/local/go/bin/go', content: SVC({ symtab: true, debug: { '.debug_info': 1000 } }) },
          { name: 'usr/local/go/pkg/tool/linux_amd64/compile', size: 300000 },
          { name: 'usr/local/go/src/fmt/print.go', size: 20000 },
        ],
        [{ name: 'app', content: SVC() }],
      ],
      NONROOT,
    );
    const f = find(r, 'go-toolchain-in-image')!;
    expect(f).toMatchObject({ rule: 'go-single-stage', severity: 'warning', path: '/usr/local/go' });
    expect(f.data).toMatchObject({ files: 3 });
    expect(r.goBinaries.find((b) => b.path === '/usr/local/go/bin/go')?.toolchain).toBe('/usr/local/go');
    // the toolchain's own unstripped go binary is not a finding
    expect(find(r, 'go-binary-not-stripped')).toBeUndefined();
  });

  it('GOMAXPROCS: Go < 1.25 without it; a go.mod older than 1.25 on Go 1.25; automaxprocs; a set value', async () => {
    const cfg = { user: '1000', entrypoint: ['/app'], env: ['PATH=/bin'] };
    const old = await report([[{ name: 'app', content: SVC() }]], cfg);
    expect(find(old, 'go-maxprocs-unset')).toMatchObject({ rule: 'go-maxprocs', severity: 'info', path: '/app' });
    expect(find(old, 'go-maxprocs-unset')!.message).toContain('`/app` (go1.22.5)');

    const go125 = (godebug?: string) =>
      SVC({ goVersion: 'go1.25.1', modinfo: GO_MODINFO({ path: 'example.com/svc', build: ['CGO_ENABLED=0', ...(godebug ? [`DefaultGODEBUG=${godebug}`] : [])] }) });
    expect(find(await report([[{ name: 'app', content: go125() }]], cfg), 'go-maxprocs-unset')).toBeUndefined();
    expect(find(await report([[{ name: 'app', content: go125('asynctimerchan=1,containermaxprocs=0,updatemaxprocs=0') }]], cfg), 'go-maxprocs-unset')).toBeDefined();

    const auto = SVC({ modinfo: GO_MODINFO({ path: 'example.com/svc', deps: ['dep\tgo.uber.org/automaxprocs\tv1.6.0\th1:x='] }) });
    expect(find(await report([[{ name: 'app', content: auto }]], cfg), 'go-maxprocs-unset')).toBeUndefined();
    expect(find(await report([[{ name: 'app', content: SVC() }]], { ...cfg, env: ['GOMAXPROCS=4'] }), 'go-maxprocs-unset')).toBeUndefined();

    const ignored = await report([[{ name: 'app', content: SVC() }]], { ...cfg, env: ['GOMAXPROCS=500m'] });
    expect(find(ignored, 'go-env-invalid')).toMatchObject({ rule: 'go-env-syntax', severity: 'warning', hint: 'Use `GOMAXPROCS=1`.' });
    expect(find(ignored, 'go-env-invalid')!.message).toBe(
      '`GOMAXPROCS=500m` in the image config: `500m` is a Kubernetes CPU quantity: Go silently ignores it and uses the runtime default (before Go 1.25: every CPU of the node). `1` is the CPU count rounded up, as the Kubernetes downward API and Go 1.25 do.',
    );
    expect(find(ignored, 'go-env-invalid')!.data).toEqual({ name: 'GOMAXPROCS', value: '500m' });
    // GOGC with no exact rewrite: no hint
    const gogc = find(await report([[{ name: 'app', content: SVC() }]], { ...cfg, env: ['GOMAXPROCS=2', 'GOGC=1.5'] }), 'go-env-invalid')!;
    expect(gogc).toMatchObject({ rule: 'go-env-syntax', severity: 'warning', hint: undefined, data: { name: 'GOGC', value: '1.5' } });
    expect(gogc.message).toBe('`GOGC=1.5` in the image config: Go silently ignores `1.5` and uses the default GOGC=100: it takes `off` or an integer percentage.');
  });

  it('GOMEMLIMIT in the config that the runtime rejects: go-env-syntax error with the exact rewrite', async () => {
    const r = await report([[{ name: 'app', content: SVC() }]], { ...NONROOT, env: ['GOMAXPROCS=2', 'GOMEMLIMIT=512Mi'] });
    const f = find(r, 'go-env-invalid')!;
    expect(f).toMatchObject({ rule: 'go-env-syntax', severity: 'error', hint: 'Use `GOMEMLIMIT=512MiB`.' });
    expect(f.message).toBe('`GOMEMLIMIT=512Mi` in the image config makes every Go program in it abort at start (`malformed GOMEMLIMIT`). `512Mi` is a Kubernetes quantity; Go wants the `B`: `512MiB`.');
    expect(f.data).toEqual({ name: 'GOMEMLIMIT', value: '512Mi', rewrite: '512MiB' });
    expect(find(await report([[{ name: 'app', content: SVC() }]], { ...NONROOT, env: ['GOMAXPROCS=2', 'GOMEMLIMIT=512MiB'] }), 'go-env-invalid')).toBeUndefined();
  });
});

describe('other findings', () => {
  it('shell form: an error without a shell, a warning with one', async () => {
    const noShell = await report([[{ name: 'app', content: SVC() }]], { ...NONROOT, entrypoint: undefined, cmd: ['/bin/sh', '-c', '/app --port 8080'] });
    const f = find(noShell, 'shell-form-no-shell')!;
    expect(f).toMatchObject({ rule: 'exec-form-cmd', severity: 'error' });
    expect(f.hint).toBe('Use the exec (JSON) form: `CMD ["/app","--port","8080"]`.');
    const withShell = await report([[{ name: 'bin/busybox', size: 100 }, { name: 'bin/sh', type: 'link', linkname: 'bin/busybox' }, { name: 'app', content: SVC() }]], { ...NONROOT, entrypoint: undefined, cmd: ['/bin/sh', '-c', '/app'] });
    expect(find(withShell, 'shell-form-command')).toMatchObject({ rule: 'exec-form-cmd', severity: 'warning' });
    expect(find(withShell, 'shell-form-no-shell')).toBeUndefined();
  });

  it('root: no USER, `root`, `0:0`; not for a numeric non-root user', async () => {
    for (const user of [undefined, 'root', '0:0', '0']) {
      const r = await report([[{ name: 'app', size: 1 }]], { user, entrypoint: ['/app'] });
      expect(find(r, 'runs-as-root')).toMatchObject({ rule: 'runtime-user-root', severity: 'info' });
    }
    expect(find(await report([[{ name: 'app', size: 1 }]], { user: '65532' }), 'runs-as-root')).toBeUndefined();
  });

  it('package-manager caches left in layers, deleted later or not', async () => {
    const r = await report(
      [
        [{ name: 'etc/os-release', content: 'ID=debian\n' }],
        [
          { name: 'var/lib/apt/lists/lock', size: 0 },
          { name: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', size: 9_000_000 },
          { name: 'var/cache/apk/APKINDEX.abc.tar.gz', size: 500_000 },
        ],
        [{ name: 'var/lib/apt/.wh.lists', size: 0 }],
      ],
      NONROOT,
    );
    const apt = r.findings.find((f) => f.rule === 'apt-lists-cleanup')!;
    expect(apt).toMatchObject({ severity: 'warning', layer: 1, path: '/var/lib/apt/lists', data: { bytes: 9_000_000, files: 1, inFinal: false } });
    expect(apt.message).toContain('deleted by a later layer but still shipped');
    const apk = r.findings.find((f) => f.rule === 'apk-no-cache')!;
    expect(apk).toMatchObject({ severity: 'warning', data: { bytes: 500_000, inFinal: true } });
  });

  it('wasted bytes above the thresholds (dive defaults 0.9 / 0.1)', async () => {
    const r = await report([[{ name: 'bin/busybox', size: 1000 }], [{ name: 'big', size: 5000 }], [{ name: '.wh.big', size: 0 }], [{ name: 'app', size: 1000 }]], NONROOT);
    const f = find(r, 'wasted-bytes')!;
    expect(f).toMatchObject({ rule: 'layer-delete-later', severity: 'warning', path: '/big', layer: 1 });
    expect(f.message).toMatch(/^5\.00 kB wasted/);
    expect(f.message).toContain('added in layer 2');
    expect(find(await report([[{ name: 'a', size: 1000 }], [{ name: 'b', size: 5000 }]], NONROOT), 'wasted-bytes')).toBeUndefined();
    // relaxed thresholds silence it
    expect(find(await report([[{ name: 'bin/busybox', size: 1000 }], [{ name: 'big', size: 5000 }], [{ name: '.wh.big', size: 0 }]], NONROOT, { minEfficiency: 0, maxWastedPercent: 10 }), 'wasted-bytes')).toBeUndefined();
  });
});

describe('Windows images', () => {
  const windowsLayers = (powershell: boolean): TEntry[][] => [
    [
      { name: 'Files/', type: 'directory' },
      { name: 'Files/Windows/System32/cmd.exe', size: 300_000 },
      { name: 'Files/Windows/System32/ntdll.dll', size: 2_000_000 },
      ...(powershell ? [{ name: 'Files/Windows/System32/WindowsPowerShell/v1.0/powershell.exe', size: 500_000 }] : []),
      { name: 'Files/Windows/Temp/setup.log', size: 70_000 },
      { name: 'Hives/', type: 'directory' },
      { name: 'Hives/DefaultUser_Delta', size: 40_000 },
      { name: 'UtilityVM/Files/x', size: 10 },
    ],
    [
      { name: 'Files/app.exe', content: makePe({ goVersion: 'go1.22.5', modinfo: GO_MODINFO({ path: 'example.com/win', build: ['GOOS=windows', 'CGO_ENABLED=0'] }) }) },
      // whiteouts match case-insensitively
      { name: 'Files/windows/temp/.wh.SETUP.LOG', size: 0 },
      { name: 'Hives/Software_Delta', size: 1000 },
    ],
  ];

  it('Files/ is the filesystem, Hives/ and UtilityVM/ are not; PE Go binaries; nanoserver', async () => {
    const r = await report(windowsLayers(false), { os: 'windows', osVersion: '10.0.20348.2340', entrypoint: ['C:\\app.exe'], user: 'ContainerUser', env: ['GOMAXPROCS=2'] });
    expect(r.image.windows).toBe(true);
    expect(r.image.baseImage).toEqual({ name: 'mcr.microsoft.com/windows/nanoserver:ltsc2022', reason: 'no Windows PowerShell; os.version 10.0.20348.2340' });
    expect(r.goBinaries.map((b) => [b.path, b.format, b.goVersion, b.goos])).toEqual([['/app.exe', 'pe', 'go1.22.5', 'windows']]);
    expect(r.waste.wastedPaths).toEqual([{ path: '/Windows/Temp/setup.log', size: 70_000, files: 1, addedIn: 0, removedIn: 1, how: 'deleted' }]);
    expect(r.layers[0].biggestFiles[0]).toEqual({ path: '/Windows/System32/ntdll.dll', size: 2_000_000 });
    expect(r.problems).toContain('2 registry hive files (41000 bytes) under Hives/ are not part of the filesystem view');
    expect(find(r, 'windows-servercore-base')).toBeUndefined();
    expect(find(r, 'runs-as-root')).toBeUndefined();
  });

  it('servercore: windows-servercore-runtime with the base layer size; cmd shell form with cmd.exe present', async () => {
    const r = await report(windowsLayers(true), { os: 'windows', osVersion: '10.0.17763.5576', cmd: ['cmd', '/S', '/C', 'app.exe'], user: 'ContainerAdministrator', env: ['GOMAXPROCS=2'] });
    expect(r.image.baseImage?.name).toBe('mcr.microsoft.com/windows/servercore:ltsc2019');
    const f = find(r, 'windows-servercore-base')!;
    expect(f).toMatchObject({ rule: 'windows-servercore-runtime', severity: 'warning', data: { baseBytes: 2_910_010 } });
    expect(f.message).toContain('A static Go binary runs on nanoserver');
    expect(find(r, 'shell-form-command')).toBeDefined();
    expect(find(r, 'shell-form-no-shell')).toBeUndefined();
    expect(find(r, 'runs-as-root')?.message).toBe('The container runs as `ContainerAdministrator`.');
  });
});

describe('Markdown export', () => {
  it('summary, findings with rule links, layers, wasted paths, Go binaries, config', async () => {
    const r = await report(
      [[{ name: 'bin/busybox', size: 1000 }], [{ name: 'big|pipe', size: 5000 }], [{ name: '.wh.big|pipe', size: 0 }], [{ name: 'app', content: SVC({ symtab: true }) }]],
      { env: ['GOMEMLIMIT=1G'], history: [{ created_by: '/bin/sh -c #(nop) COPY file:a in /bin ' }, { created_by: '/bin/sh -c dd if=/dev/zero of="/big|pipe"' }, { created_by: '/bin/sh -c rm "/big|pipe"' }, { created_by: 'COPY app /app # buildkit' }] },
    );
    const md = reportToMarkdown(r);
    expect(md).toMatch(/^# Image report: svc\.tar\n/);
    expect(md).toContain('| Base image (guess) | `scratch` — no /etc/os-release and no /bin/sh |');
    expect(md).toContain('([go-env-syntax](https://github.com/container-tuner/container-tuner/blob/main/docs/rules/go-env-syntax.md))');
    expect(md).toContain('## Layers');
    expect(md).toContain('| 4 | ');
    expect(md).toContain('`COPY app /app`');
    expect(md).toContain('| `/big\\|pipe` | 5.00 kB | 1 | layer 2 | layer 3 | deleted |');
    expect(md).toContain('## Go binaries');
    expect(md).toContain('| `/app` |');
    expect(md).toContain('## Config');
    expect(md).toContain('`GOMEMLIMIT=1G`');
  });
});
