// Child of young-gen.test.ts, run with --expose-gc: how much of a lint is
// still reachable from outside it after lint() returned, as the young
// generation's collector sees it. For each kind of document: heap used after
// two minor collections, minus before the lint (the median of 40 lints, one
// typed character apart). Objects alive after two scavenges are promoted to
// the old generation: that is the growth measured.
import { lint } from '../../server/src/engine/lint';
import { ManifestParseCache } from '../../server/src/engine/k8s/model';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

declare const gc: (o?: { type?: 'minor' | 'major' }) => void;

function dockerfile(): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG GO_VERSION=1.22', 'ARG ALPINE=3.20'];
  for (let i = 0; i < 10; i++) {
    out.push(
      `FROM golang:\${GO_VERSION}-alpine AS build${i}`,
      'ENV CGO_ENABLED=0 GOFLAGS=-trimpath',
      'WORKDIR /src',
      'COPY go.mod go.sum ./',
      'RUN go mod download',
      'COPY . .',
      `RUN apk add git make && \\`,
      `    go build -ldflags "-s -w -X main.version=\${VERSION}" -o /out/app${i} ./cmd/app${i} && \\`,
      '    rm -rf /root/.cache/go-build',
      `FROM alpine:\${ALPINE} AS run${i}`,
      'RUN apk add --no-cache ca-certificates tzdata',
      `COPY --from=build${i} /out/app${i} /usr/local/bin/app${i}`,
      'USER 65532:65532',
      'EXPOSE 8080',
      `ENTRYPOINT ["/usr/local/bin/app${i}"]`,
      '',
    );
  }
  return out.join('\n');
}

function manifest(): string {
  const docs: string[] = [];
  for (let i = 0; i < 20; i++) {
    docs.push(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        `metadata: { name: svc${i} }`,
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - name: app${i}`,
        `          image: ghcr.io/example/svc${i}:v1.2.3`,
        '          env:',
        '            - name: GOGC',
        '              value: "200"',
        '          resources:',
        '            limits: { cpu: "2", memory: 512Mi }',
      ].join('\n'),
    );
  }
  return docs.join('\n---\n') + '\n';
}

const ws = new MemoryWorkspace({ '/w/go.mod': 'module example.com/svc\n\ngo 1.22\n', '/w/main.go': 'package main\n', '/w/.git/HEAD': 'ref: refs/heads/main\n' });
// what the engine did before: module-level WeakMaps keyed by the lint's objects (the control)
const oldStyle = new WeakMap<object, unknown>();

function measure(kind: 'dockerfile' | 'manifest' | 'control'): number {
  const lines = (kind === 'manifest' ? manifest() : dockerfile()).split('\n');
  const editable = lines.map((l, i) => [l, i] as const).filter(([l]) => (kind === 'manifest' ? /image:/.test(l) : /^RUN /.test(l))).map(([, i]) => i);
  const cache = kind === 'manifest' ? new ManifestParseCache() : undefined;
  const once = (k: number) => {
    lines[editable[k % editable.length]] += 'x';
    const text = lines.join('\n');
    const r = lint({ text, path: kind === 'manifest' ? '/w/deploy.yaml' : '/w/Dockerfile' }, ws, { manifestCache: cache });
    if (kind === 'control') {
      oldStyle.set(r.model!, r.model!.stages);
      for (const ins of r.model!.instructions) oldStyle.set(ins, ins.scripts);
    }
  };
  for (let k = 0; k < 30; k++) once(k);
  gc();
  gc();
  const growth: number[] = [];
  for (let k = 30; k < 70; k++) {
    gc({ type: 'minor' });
    const before = process.memoryUsage().heapUsed;
    once(k);
    gc({ type: 'minor' });
    gc({ type: 'minor' });
    growth.push(process.memoryUsage().heapUsed - before);
  }
  growth.sort((a, b) => a - b);
  return growth[growth.length >> 1];
}

const out: Record<string, number> = {};
for (const kind of ['dockerfile', 'manifest', 'control'] as const) out[kind] = measure(kind);
process.stdout.write(JSON.stringify(out) + '\n');
