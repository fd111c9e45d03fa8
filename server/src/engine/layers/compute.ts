// Computing a layer table with Docker: list the local images, read histories
// (cached per image id: an id's history never changes), match, inspect the
// chosen image and the base, and build the table (estimate.ts). Shared by the
// language server and `container-tuner layers`. Every Docker call goes
// through the adapter (../docker/cli.ts) with the caller's dockerPath,
// environment (DOCKER_HOST, DOCKER_CONTEXT), timeout and AbortSignal.
import type { DockerFailure, DockerOptions, ImageInspect } from '../docker/cli';
import { repositoryKey } from '../docker/cli';
import { contextFor, type Config } from '../config';
import { buildDockerfileModel, type DockerfileModel, type Stage } from '../dockerfile/model';
import type { Workspace } from '../types';
import { parseImageRef } from '../images';
import { buildLayerTable, ContextSizer, type BaseFacts, type ImageFacts, type LayerState, type LayerTable, type MatchedImage } from './estimate';
import { inspectImages, listImages, readHistory, type HistoryRow, type ImageListEntry } from './history';
import {
  alignHistory,
  AUTO_MATCH_MIN,
  BASE_MISMATCH_PENALTY,
  baseRowsFromHistory,
  candidateShortlist,
  chooseImage,
  expectedForStage,
  groupCandidates,
  rememberImage,
  stageChain,
  stageShells,
  type Alignment,
  type ImageCandidate,
  type ImageMemory,
  type ScoredImage,
} from './match';

/** Histories and inspections by image id (immutable for an id). */
export interface LayerCache {
  history: Map<string, HistoryRow[]>;
  inspect: Map<string, ImageInspect>;
}

export function createLayerCache(): LayerCache {
  return { history: new Map(), inspect: new Map() };
}

export class LayerCancelled extends Error {
  constructor() {
    super('layer computation cancelled');
  }
}

export interface ComputeOptions {
  /** How to run docker (path, env, timeout, signal). */
  docker?: DockerOptions;
  cache?: LayerCache;
  /** Stage index to show (default: final). */
  stage?: number;
  /** An image named by the user (CLI --image, the panel's pick): used whatever it scores. */
  image?: string;
  /** The image `.container-tuner.yaml` names for this Dockerfile (`images:`). */
  configuredImage?: string;
  /** What was remembered for this Dockerfile (server). */
  memory?: ImageMemory;
  /** false: do not run Docker at all (untrusted workspace); estimates only. */
  useDocker?: boolean;
  /** Message for `useDocker: false`. */
  noDockerMessage?: string;
  /** At most this many recent images have their history read for automatic matching (default 40). */
  candidateLimit?: number;
  /** Parallel `docker history` calls (default 4). */
  concurrency?: number;
  /** Which local images automatic matching may pick (default: all). */
  imageFilter?: (image: ImageCandidate) => boolean;
  /** `docker image ls` already read for this computation (several stages share one listing). */
  images?: ImageListEntry[];
  sizer?: ContextSizer;
}

export interface ComputeResult {
  table: LayerTable;
  /** What to remember for this Dockerfile now (undefined: forget). */
  memory?: ImageMemory;
}

/** The table state (and message) for a Docker failure. */
export function failureState(f: DockerFailure): { state: LayerState; message: string } {
  switch (f.kind) {
    case 'not-installed':
      return { state: 'no-docker', message: `${f.message}. Showing estimates only.` };
    case 'daemon-down':
    case 'permission-denied':
    case 'timeout':
      return { state: 'daemon-down', message: f.message };
    case 'bad-output':
      return { state: 'daemon-down', message: `Docker answered with something unexpected: ${f.message}` };
    default:
      return { state: 'daemon-down', message: f.message };
  }
}

/** `name[:tag]` as a comparable key (`alpine` = `docker.io/library/alpine:latest`). */
export function refKey(ref: string): string {
  const r = parseImageRef(ref);
  return `${repositoryKey(ref)}:${r.tag ?? 'latest'}${r.digest ? '@' + r.digest : ''}`;
}

/** The listed image a reference or id names. */
export function findImage<T extends { id: string; refs: string[] }>(list: T[], ref: string): T | undefined {
  const r = ref.trim();
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(r)) {
    const id = r.startsWith('sha256:') ? r : `sha256:${r}`;
    const hit = list.find((c) => c.id.startsWith(id));
    if (hit) return hit;
  }
  const key = refKey(r);
  return list.find((c) => c.refs.some((x) => x === r || refKey(x) === key));
}

async function cachedHistory(id: string, cache: LayerCache, docker: DockerOptions): Promise<HistoryRow[] | DockerFailure> {
  const hit = cache.history.get(id);
  if (hit) return hit;
  const r = await readHistory(id, docker);
  if (!r.ok) return r;
  cache.history.set(id, r.value);
  return r.value;
}

async function cachedInspect(ids: string[], cache: LayerCache, docker: DockerOptions): Promise<Map<string, ImageInspect> | DockerFailure> {
  const want = [...new Set(ids)].filter((id) => !cache.inspect.has(id));
  if (want.length) {
    const r = await inspectImages(want, docker);
    if (!r.ok) return r;
    for (const info of r.value) cache.inspect.set(info.Id, info);
  }
  const out = new Map<string, ImageInspect>();
  for (const id of ids) {
    const v = cache.inspect.get(id);
    if (v) out.set(id, v);
  }
  return out;
}

function checkAbort(docker: DockerOptions): void {
  if (docker.signal?.aborted) throw new LayerCancelled();
}

function isCancel(f: DockerFailure): boolean {
  return f.kind === 'cancelled';
}

/** Runs `fn` over `items` with at most `n` at a time, in order of the results. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Computes the layer table of a stage of `model`. Never throws for Docker
 * trouble (the table's `state` says what went wrong, with estimates);
 * throws LayerCancelled when `docker.signal` is aborted.
 */
export async function computeLayerTable(model: DockerfileModel, opts: ComputeOptions = {}): Promise<ComputeResult> {
  const docker = opts.docker ?? {};
  const cache = opts.cache ?? createLayerCache();
  const sizer = opts.sizer ?? new ContextSizer(model);
  const stage: Stage | undefined = opts.stage !== undefined ? model.stages[opts.stage] ?? model.finalStage : model.finalStage;
  const stageIndex = stage?.index;
  const estimatesOnly = (state: LayerState, message: string, memory = opts.memory, base?: BaseFacts): ComputeResult => ({
    table: buildLayerTable({ model, stage: stageIndex, state, message, sizer, base }),
    memory,
  });
  if (opts.useDocker === false) return estimatesOnly('no-docker', opts.noDockerMessage ?? 'Docker is not used here: showing estimates only.');
  if (!stage) return estimatesOnly('no-image', 'No FROM instruction: nothing to measure.');

  checkAbort(docker);
  const listed = opts.images ? { ok: true as const, value: opts.images } : await listImages(docker);
  if (!listed.ok) {
    if (isCancel(listed)) throw new LayerCancelled();
    const s = failureState(listed);
    return estimatesOnly(s.state, s.message);
  }
  const candidates = groupCandidates(listed.value);

  // the base image of the stage chain (local or not)
  const root = stageChain(stage)[0];
  const baseRef = root.image;
  let base: BaseFacts | undefined;
  let baseHistory: HistoryRow[] | undefined;
  let baseImage = baseRef && baseRef.toLowerCase() !== 'scratch' ? findImage(candidates, baseRef) : undefined;
  if (!baseImage && baseRef?.includes('@')) {
    // `name@sha256:…` is not in the listing's tags: ask Docker for it
    const r = await inspectImages([baseRef], docker);
    if (r.ok && r.value[0]) {
      cache.inspect.set(r.value[0].Id, r.value[0]);
      baseImage = candidates.find((c) => c.id === r.value[0].Id);
    }
  }
  if (baseImage) {
    const [ins, hist] = await Promise.all([cachedInspect([baseImage.id], cache, docker), cachedHistory(baseImage.id, cache, docker)]);
    checkAbort(docker);
    if (!(ins instanceof Map)) {
      if (isCancel(ins)) throw new LayerCancelled();
    } else {
      const info = ins.get(baseImage.id);
      if (info) base = { ref: baseRef!, size: info.Size };
    }
    if (Array.isArray(hist)) baseHistory = hist;
    else if (isCancel(hist)) throw new LayerCancelled();
  }

  const expected = expectedForStage(model, stage);
  const shells = stageShells(stage);
  const align = (rows: HistoryRow[]): Alignment => {
    const baseRows = baseHistory ? baseRowsFromHistory(rows, baseHistory) : undefined;
    const al = alignHistory(rows, expected, { baseRows, shells });
    if (baseHistory && baseRows === undefined) {
      al.baseMismatch = true;
      al.score = Math.max(0, al.score - BASE_MISMATCH_PENALTY);
    }
    return al;
  };

  // which image
  const named = opts.image ?? opts.configuredImage;
  let chosen: { candidate: ImageCandidate; alignment: Alignment; by: MatchedImage['by'] } | undefined;
  let memory = opts.memory;
  if (named) {
    const hit = findImage(candidates, named);
    if (!hit) {
      const where = opts.image ? '' : ' (named in .container-tuner.yaml)';
      const removed = !!opts.image && !!memory?.pinned && memory.ref === opts.image;
      return estimatesOnly(removed ? 'image-removed' : 'no-image', `No local image ${named}${where}${removed ? ' any more (removed?)' : ''}: build it, or pick another. Showing estimates.`, memory, base);
    }
    if (opts.image) memory = { ref: opts.image, id: hit.id, pinned: true, ...(Number.isFinite(hit.created) ? { created: hit.created } : {}) };
    const hist = await cachedHistory(hit.id, cache, docker);
    if (!Array.isArray(hist)) {
      if (isCancel(hist)) throw new LayerCancelled();
      const s = failureState(hist);
      return estimatesOnly(s.state, s.message, memory, base);
    }
    chosen = { candidate: hit, alignment: align(hist), by: opts.image ? 'request' : 'config' };
  } else {
    const shortlist = candidateShortlist(
      candidates.filter((c) => c.id !== baseImage?.id && (!opts.imageFilter || opts.imageFilter(c))),
      memory ? [memory.ref] : [],
      opts.candidateLimit ?? 40,
    );
    const scored: (ScoredImage & { alignment: Alignment })[] = [];
    let failure: DockerFailure | undefined;
    await pool(shortlist, opts.concurrency ?? 4, async (c) => {
      if (failure) return;
      const hist = await cachedHistory(c.id, cache, docker);
      if (!Array.isArray(hist)) {
        // an image removed between `ls` and `history` is simply not a candidate
        if (hist.kind !== 'not-found') failure = hist;
        return;
      }
      const alignment = align(hist);
      scored.push({ ...c, score: alignment.score, alignment });
    });
    checkAbort(docker);
    if (failure) {
      if (isCancel(failure)) throw new LayerCancelled();
      const s = failureState(failure);
      return estimatesOnly(s.state, s.message, memory, base);
    }
    const choice = chooseImage(scored, memory, AUTO_MATCH_MIN);
    memory = rememberImage(choice, memory);
    if (choice.kind === 'none') return estimatesOnly(choice.state, choice.message, memory, base);
    const best = scored.find((c) => c.id === choice.image.id)!;
    chosen = { candidate: best, alignment: best.alignment, by: choice.by };
  }

  const inspected = await cachedInspect([chosen.candidate.id], cache, docker);
  checkAbort(docker);
  if (!(inspected instanceof Map) && isCancel(inspected)) throw new LayerCancelled();
  const info = inspected instanceof Map ? inspected.get(chosen.candidate.id) : undefined;
  const image: ImageFacts = {
    id: chosen.candidate.id,
    refs: chosen.candidate.refs,
    created: info?.Created || chosen.candidate.createdAt,
    size: info?.Size,
    by: chosen.by,
    alignment: chosen.alignment,
  };
  const table = buildLayerTable({ model, stage: stageIndex, image, base, state: 'ok', sizer });
  return { table, memory };
}

/** Image list entries as candidates (exported for tests and the panel's picker). */
export function candidatesFrom(entries: ImageListEntry[]): ImageCandidate[] {
  return groupCandidates(entries);
}

/** The model the layer table reads: the build context as configured (`contexts:` in .container-tuner.yaml). */
export function layerModel(text: string, filePath: string, workspace: Workspace, config?: Config): DockerfileModel {
  const contextDir = config ? contextFor(config, filePath) : undefined;
  return buildDockerfileModel(text, filePath, workspace, contextDir ? { contextDir } : {});
}
