// 5. Layer panel: edit -> updated layer data for a 60-instruction Dockerfile
// (benchmarkLayerTable from the engine), `docker history` not cached vs cached,
// with a real image built from that Dockerfile by the classic builder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { engine, run, stats } from './lib.mjs';

export function sixtyInstructions() {
  const lines = ['FROM golang:1.19 AS build', 'WORKDIR /src', 'COPY go.mod ./', 'COPY main.go ./'];
  for (let i = 0; lines.length < 58; i++) {
    if (i % 3 === 0) lines.push(`RUN mkdir -p /opt/step${i} && echo step ${i} > /opt/step${i}/note.txt`);
    else if (i % 3 === 1) lines.push(`ENV STEP_${i}=value${i}`);
    else lines.push(`COPY data${i % 4}.txt /opt/data${i}.txt`);
  }
  lines.push('ENV CGO_ENABLED=0', 'CMD ["/bin/true"]');
  return lines.join('\n') + '\n';
}

export async function layersBench({ quick, tmp }) {
  const runs = quick ? 3 : 10;
  const info = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 }).catch((e) => ({ code: -1, stderr: e.message }));
  if (info.code !== 0) return { skipped: `Docker is not running (docker info: ${(info.stderr || '').trim().split('\n')[0]})` };
  const base = await run('docker', ['image', 'inspect', 'golang:1.19', '--format', '{{.Id}}'], { timeoutMs: 20_000 });
  if (base.code !== 0) return { skipped: 'no local golang:1.19 image to build on (see /work/shared/docs/docker-recipe.md)' };
  const dir = path.join(tmp, 'layers');
  fs.mkdirSync(dir, { recursive: true });
  const text = sixtyInstructions();
  const file = path.join(dir, 'Dockerfile');
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/bench\n\ngo 1.19\n');
  fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
  for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(dir, `data${i}.txt`), `data ${i}\n`.repeat(100 * (i + 1)));
  const tag = `ct-bench-layers:${process.pid}`;
  const b = await run('docker', ['build', '-q', '-t', tag, dir], { timeoutMs: 600_000, env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  if (b.code !== 0) return { skipped: `docker build failed: ${b.stderr.trim().split('\n').slice(-2).join(' ')}` };
  try {
    const e = await engine();
    await e.benchmarkLayerTable(text, file, { runs: 1 }); // warm-up
    const t = await e.benchmarkLayerTable(text, file, { runs });
    const rows = t.table.rows ?? t.table.layers ?? [];
    return {
      instructions: text.trim().split('\n').length,
      runs,
      uncached: stats(t.uncachedMs),
      cached: stats(t.cachedMs),
      matchedImage: t.table.image?.ref ?? t.table.image?.id ?? t.table.image ?? null,
      rows: Array.isArray(rows) ? rows.length : null,
      localImages: (await run('docker', ['image', 'ls', '-q'], { timeoutMs: 20_000 })).stdout.trim().split('\n').filter(Boolean).length,
    };
  } finally {
    await run('docker', ['rmi', '-f', tag], { timeoutMs: 120_000 }).catch(() => undefined);
  }
}
