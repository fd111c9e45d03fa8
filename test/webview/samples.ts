// Sample data for the webview tests: a layer table and an image report, plain and hostile.
import type { ImageReport } from '../../server/src/engine/image/analyze';
import type { LayerTable } from '../../server/src/engine/layers/estimate';

/** Markup that must show as text and never run. */
export const IMG = '<img src=x onerror=alert(1)>';
export const PWN_IMG = '<img src=x onerror="window.__pwned=1">';
export const SCRIPT_BREAK = '</script><script>window.__pwned=2</script>';
export const ATTR_BREAK = '" onmouseover="window.__pwned=3" x="';
export const HOSTILE = `${IMG} ${PWN_IMG} ${SCRIPT_BREAK} ${ATTR_BREAK} \`tick\` &amp;`;

export function layerTable(hostile = false): LayerTable {
  const h = hostile ? ` ${HOSTILE}` : '';
  return {
    version: 1,
    file: `/work/svc/Dockerfile${hostile ? '.' + SCRIPT_BREAK.replace(/\//g, '_') : ''}`,
    contextDir: '/work/svc',
    state: 'ok',
    buildCommand: 'docker build -t svc:dev -f Dockerfile .',
    stage: 1,
    stages: [
      { index: 0, name: 'build', line: 0, from: 'golang:1.24-bookworm', isFinal: false },
      { index: 1, line: 7, from: `gcr.io/distroless/static-debian12:nonroot${h}`, parent: undefined, isFinal: true },
    ],
    image: {
      id: 'sha256:3f1c2a9d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110f0e0',
      refs: [`svc:dev${h}`],
      name: `svc:dev${h}`,
      created: '2025-05-14T09:12:44+02:00',
      size: 9_412_337,
      score: 0.93,
      by: 'auto',
      builder: 'buildkit',
    },
    rows: [
      { line: 7, endLine: 7, endCharacter: 48, keyword: 'FROM', text: `FROM gcr.io/distroless/static-debian12:nonroot${h}`, source: 'base', size: 1_987_214, note: 'docker image inspect' },
      { line: 8, endLine: 8, endCharacter: 24, keyword: 'WORKDIR', text: 'WORKDIR /app', source: 'built', size: 0, history: { createdBy: 'WORKDIR /app', createdAt: '2025-05-14T09:12:40+02:00', id: '<missing>', score: 1 } },
      { line: 9, endLine: 9, endCharacter: 40, keyword: 'COPY', text: `COPY --from=build /out/svc /app/svc${h}`, source: 'built', size: 7_340_112, history: { createdBy: `COPY /out/svc /app/svc # buildkit${h}`, createdAt: '2025-05-14T09:12:44+02:00', id: '<missing>', score: 1 } },
      { line: 10, endLine: 10, endCharacter: 30, keyword: 'COPY', text: 'COPY config.yaml /etc/svc/', source: 'changed', size: 12_480, builtSize: 8_200, estimate: 12_480 },
      { line: 11, endLine: 11, endCharacter: 22, keyword: 'RUN', text: 'RUN ["/app/svc", "selftest"]', source: 'unknown', size: null, note: 'never built' },
      { line: 12, endLine: 12, endCharacter: 36, keyword: 'COPY', text: 'COPY static/ /app/static/', source: 'context', size: 84_321, files: 12 },
      { line: 13, endLine: 13, endCharacter: 36, keyword: 'LABEL', text: `LABEL org.opencontainers.image.title="svc${h}"`, source: 'metadata', size: 0 },
      { line: 14, endLine: 14, endCharacter: 20, keyword: 'USER', text: 'USER 65532:65532', source: 'metadata', size: 0 },
      { line: 15, endLine: 15, endCharacter: 28, keyword: 'ENTRYPOINT', text: 'ENTRYPOINT ["/app/svc"]', source: 'metadata', size: 0 },
    ],
    removed: [],
    totals: { image: 9_424_127, base: 1_987_214, added: 7_436_913, unknownRows: 1, measured: 9_412_337, removed: 0 },
  };
}

export function imageReport(hostile = false): ImageReport {
  const h = hostile ? ` ${HOSTILE}` : '';
  return {
    version: 1,
    source: { input: `svc:dev${h}`, kind: 'local-image', format: 'oci', archiveBytes: 9_902_080 },
    image: {
      input: `svc:dev${h}`,
      id: 'sha256:3f1c2a9d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110f0e0',
      repoTags: [`svc:dev${h}`],
      os: 'linux',
      architecture: 'amd64',
      created: '2025-05-14T07:12:44Z',
      windows: false,
      totalSize: 27_760_455,
      finalSize: 9_431_002,
      finalFiles: 214,
      storedSize: 9_850_112,
      layerCount: 4,
      baseImage: { name: 'gcr.io/distroless/static-debian12', reason: `/etc/os-release and the distroless layout${h}` },
      config: {
        env: [{ name: 'PATH', value: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }, { name: 'GOMEMLIMIT', value: `512Mi${h}` }],
        user: '',
        workdir: '/app',
        entrypoint: { form: 'shell', argv: ['/bin/sh', '-c', `/app/svc --port 8080${h}`], script: `/app/svc --port 8080${h}` },
        exposedPorts: ['8080/tcp'],
        labels: { 'org.opencontainers.image.title': `svc${h}`, [`evil${h}`]: 'x' },
      },
    },
    layers: [
      { index: 0, diffId: 'sha256:aa', blob: 'blobs/sha256/aa', compression: 'none', blobSize: 2_000_000, size: 1_987_214, createdBy: 'bazel build', instruction: 'bazel build', files: 180, dirs: 40, links: 5, whiteouts: 0, opaqueDirs: 0, biggestFiles: [], biggestDirs: [], hiddenBytes: 0 },
      { index: 1, diffId: 'sha256:bb', blob: 'blobs/sha256/bb', compression: 'gzip', blobSize: 18_000_000, size: 18_329_329, createdBy: `RUN /bin/sh -c apt-get update && curl -o /tmp/big.tgz https://example.com # buildkit${h}`, instruction: `RUN apt-get update && curl -o /tmp/big.tgz https://example.com${h}`, files: 30, dirs: 4, links: 0, whiteouts: 0, opaqueDirs: 0, biggestFiles: [{ path: `/tmp/big.tgz${h}`, size: 18_000_000 }], biggestDirs: [], hiddenBytes: 18_000_000 },
      { index: 2, diffId: 'sha256:cc', blob: 'blobs/sha256/cc', compression: 'none', blobSize: 7_400_000, size: 7_340_112, createdBy: 'COPY /out/svc /app/svc # buildkit', instruction: 'COPY --from=build /out/svc /app/svc', files: 1, dirs: 1, links: 0, whiteouts: 0, opaqueDirs: 0, biggestFiles: [{ path: '/app/svc', size: 7_340_112 }], biggestDirs: [], hiddenBytes: 0 },
      { index: 3, diffId: 'sha256:dd', blob: 'blobs/sha256/dd', compression: 'none', blobSize: 1024, size: 103_800, createdBy: 'RUN /bin/sh -c rm /tmp/big.tgz # buildkit', instruction: 'RUN rm /tmp/big.tgz', files: 0, dirs: 1, links: 0, whiteouts: 1, opaqueDirs: 0, biggestFiles: [], biggestDirs: [], hiddenBytes: 0 },
    ],
    history: [],
    waste: {
      efficiency: 0.351,
      wastedBytes: 18_000_000,
      userSize: 25_773_241,
      userWastedPercent: 0.698,
      inefficiencies: [],
      inefficiencyCount: 1,
      hiddenBytes: 18_000_000,
      wastedPaths: [{ path: `/tmp/big.tgz${h}`, size: 18_000_000, files: 1, addedIn: 1, removedIn: 3, how: 'deleted' }],
    },
    goBinaries: [
      {
        path: `/app/svc${h}`, layer: 2, size: 7_340_112, format: 'elf', arch: 'x86_64', goVersion: 'go1.24.3',
        mainPackage: 'example.com/svc', mainModule: { path: `example.com/svc${h}`, version: '(devel)' }, deps: [],
        settings: {}, ldflags: `-X main.version=${h}`, cgo: true, goos: 'linux', goarch: 'amd64', trimpath: false,
        vcsRevision: '0123456789abcdef0123', vcsModified: true, stripped: false, symtab: true, symtabBytes: 400_000, debugBytes: 2_100_000,
        interpreter: '/lib64/ld-linux-x86-64.so.2', interpreterFound: false,
      },
    ],
    findings: [
      { id: 'interpreter-missing', rule: 'go-static-binary', severity: 'error', message: `\`/app/svc${h}\` is dynamically linked to \`/lib64/ld-linux-x86-64.so.2\`, which the image does not have: the container cannot start.`, hint: 'Build with `CGO_ENABLED=0`.', docs: 'https://github.com/container-tuner/container-tuner/blob/main/docs/rules/go-static-binary.md', layer: 2, path: '/app/svc' },
      { id: 'not-stripped', rule: 'go-strip-symbols', severity: 'warning', message: 'The binary carries 2.5 MB of symbols and DWARF.', hint: 'Add `-ldflags="-s -w"`.', docs: 'javascript:alert(1)', layer: 2 },
      { id: 'wasted-bytes', rule: 'layer-delete-later', severity: 'warning', message: `18 MB in layer 2 are deleted by layer 4${h}.`, layer: 1 },
      { id: 'root', rule: 'runtime-user-root', severity: 'info', message: 'The image runs as root.', docs: 'https://github.com/container-tuner/container-tuner/blob/main/docs/rules/runtime-user-root.md' },
    ],
    problems: hostile ? [`entry name ${HOSTILE}`] : [],
  } as ImageReport;
}
