// Local images through the Docker CLI (server/src/engine/docker/cli.ts: no
// shell, argument arrays, timeouts, cancellation): `docker image ls` for the
// picker, and `docker save -o <temp file>` + the archive reader for analysis.
//
// Why a temporary file and not `docker save`'s stdout: the archive reader
// reads the tar in one pass either way, but a file lets the engine report
// progress against a known size, and frees Docker from waiting on a slow
// reader. The file is deleted when the analysis ends (also on error or
// cancellation). It needs as much free space as the image's uncompressed size.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { imageInspect, runDocker, type DockerFailure, type DockerOptions, type DockerResult } from '../docker/cli';
import { analyzeArchive, type AnalyzeOptions, type ImageReport } from './analyze';
import { AbortError, readImageArchive, type ReadOptions } from './archive';

export interface LocalImage {
  /** What to pass to `docker save`: `repo:tag`, or the image ID for an untagged image. */
  ref: string;
  repository: string;
  tag: string;
  id: string;
  /** As Docker prints it (`5.3MB`). */
  size: string;
  createdSince: string;
  createdAt: string;
}

/** `docker image ls --format '{{json .}}'` (dangling images included as IDs). */
export async function listLocalImages(opts: DockerOptions = {}): Promise<DockerResult<LocalImage[]>> {
  const r = await runDocker(['image', 'ls', '--format', '{{json .}}'], opts);
  if (!r.ok) return r;
  const out: LocalImage[] = [];
  for (const line of r.stdout.split(/\r?\n/)) {
    if (!line.trim()) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      return { ok: false, kind: 'bad-output', message: `\`docker image ls\` printed a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}` };
    }
    const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
    const repository = s('Repository');
    const tag = s('Tag');
    const id = s('ID');
    const named = repository && repository !== '<none>';
    out.push({
      ref: named ? (tag && tag !== '<none>' ? `${repository}:${tag}` : repository) : id,
      repository,
      tag,
      id,
      size: s('Size'),
      createdSince: s('CreatedSince'),
      createdAt: s('CreatedAt'),
    });
  }
  return { ok: true, value: out };
}

export interface AnalyzeProgress {
  phase: 'saving' | 'reading';
  /** Bytes written by `docker save` (saving) or read from the archive (reading). */
  bytes: number;
  totalBytes?: number;
  layersDone: number;
  current?: string;
}

export interface LocalAnalyzeOptions {
  docker?: DockerOptions;
  signal?: AbortSignal;
  onProgress?: (p: AnalyzeProgress) => void;
  analyze?: AnalyzeOptions;
  /** Where the temporary archive goes; default the OS temp folder. */
  tmpDir?: string;
  /** Limit for `docker save`; default 30 minutes. */
  saveTimeoutMs?: number;
  /** `os/arch[/variant]` of a multi-platform archive (see ReadOptions.platform). */
  platform?: string;
  /** Hash the plain layers and compare them with the config's diff_ids (see ReadOptions.verify). */
  verify?: boolean;
}

export class ImageAnalysisError extends Error {
  constructor(
    message: string,
    readonly failure?: DockerFailure,
  ) {
    super(message);
    this.name = 'ImageAnalysisError';
  }
}

/** Analyzes a local image: `docker save` to a temporary file, then one pass over it. */
export async function analyzeLocalImage(ref: string, opts: LocalAnalyzeOptions = {}): Promise<ImageReport> {
  const docker = { ...opts.docker, signal: opts.signal };
  const info = await imageInspect(ref, docker);
  if (!info.ok) {
    if (info.kind === 'cancelled') throw new AbortError();
    throw new ImageAnalysisError(info.message, info);
  }
  const dir = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'container-tuner-save-'));
  const file = path.join(dir, 'image.tar');
  let poll: NodeJS.Timeout | undefined;
  try {
    if (opts.onProgress) {
      poll = setInterval(() => {
        let bytes = 0;
        try {
          bytes = fs.statSync(file).size;
        } catch {
          /* not created yet */
        }
        opts.onProgress!({ phase: 'saving', bytes, totalBytes: info.value.Size || undefined, layersDone: 0 });
      }, 250);
    }
    const saved = await runDocker(['save', '-o', file, '--', ref], { ...docker, timeoutMs: opts.saveTimeoutMs ?? 30 * 60_000 });
    if (poll) clearInterval(poll);
    if (!saved.ok) {
      if (saved.kind === 'cancelled') throw new AbortError();
      throw new ImageAnalysisError(saved.message, saved);
    }
    const read: ReadOptions = {
      signal: opts.signal,
      ref,
      platform: opts.platform,
      verify: opts.verify,
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ phase: 'reading', bytes: p.bytesRead, totalBytes: p.totalBytes, layersDone: p.layersDone, current: p.current })),
    };
    const archive = await readImageArchive(file, read);
    archive.source = ref;
    const report = analyzeArchive(archive, { ...opts.analyze, input: ref, kind: 'local-image' });
    if (!report.image.id) report.image.id = info.value.Id;
    return report;
  } finally {
    if (poll) clearInterval(poll);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
