// "Analyze Image": one entry for the CLI and the extension.
//   analyzeTarget('alpine:3.20')          a local image (docker save → temp file → one pass)
//   analyzeTarget('image.tar')            a `docker save` archive or an OCI layout tar
//   analyzeTarget('oci-dir/')             an OCI image layout directory
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeArchive, type ImageReport } from './analyze';
import { readImageArchive } from './archive';
import { analyzeLocalImage, type LocalAnalyzeOptions } from './local';

export type { ImageReport } from './analyze';
export { analyzeArchive } from './analyze';
export { AbortError, ArchiveError, readImageArchive, readImageTar } from './archive';
export { analyzeLocalImage, ImageAnalysisError, listLocalImages, type AnalyzeProgress, type LocalImage } from './local';
export { reportToMarkdown } from './markdown';

export interface TargetOptions extends LocalAnalyzeOptions {
  /** Base for relative paths. */
  cwd?: string;
}

/** Whether `target` names a file or directory (else it is taken as an image reference). */
export function targetIsPath(target: string, cwd = process.cwd()): boolean {
  try {
    fs.statSync(path.resolve(cwd, target));
    return true;
  } catch {
    return false;
  }
}

export async function analyzeTarget(target: string, opts: TargetOptions = {}): Promise<ImageReport> {
  if (targetIsPath(target, opts.cwd)) {
    const file = path.resolve(opts.cwd ?? process.cwd(), target);
    const archive = await readImageArchive(file, {
      signal: opts.signal,
      platform: opts.platform,
      verify: opts.verify,
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ phase: 'reading', bytes: p.bytesRead, totalBytes: p.totalBytes, layersDone: p.layersDone, current: p.current })),
    });
    return analyzeArchive(archive, { ...opts.analyze, input: target });
  }
  return analyzeLocalImage(target, opts);
}
