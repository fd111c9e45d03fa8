// The live side of layer sizes, for the language server (protocol-free: the
// server maps it to `containerTuner/layers`, `containerTuner/layersChanged`,
// `containerTuner/watchImages` and `textDocument/inlayHint`).
//
// - Recomputes a document's tables after edits (debounced), cancelling the
//   stale computation (its docker commands are stopped through an AbortSignal).
// - Caches `docker history` / `docker image inspect` per image id across
//   documents; lists images once per computation (or once per image event
//   while the events stream is up).
// - Remembers per Dockerfile (and stage) the image it matched or the user
//   picked (match.ts `chooseImage` / `rememberImage`).
// - Watches `docker events --since … --filter type=image` only while asked to
//   (`setWatching`), restarting with backoff when the stream ends; no polling.
// - Untrusted workspace: no docker command at all; estimates only.
import type { Config } from '../config';
import { imageFor } from '../config';
import { runDocker, type DockerFailure, type DockerOptions } from '../docker/cli';
import type { Workspace } from '../types';
import { computeLayerTable, createLayerCache, failureState, LayerCancelled, layerModel, type LayerCache } from './compute';
import { buildLayerTable, ContextSizer, type LayerRow, type LayerTable } from './estimate';
import { listImages, type ImageListEntry } from './history';
import type { ImageMemory } from './match';

export interface LayerDocument {
  text: string;
  version: number;
  /** File-system path of the Dockerfile. */
  path: string;
}

export interface LayerServiceHost {
  /** The open document, or undefined when it is closed or not a Dockerfile. */
  document(uri: string): LayerDocument | undefined;
  workspace: Workspace;
  /** Configuration for a file (editor settings + .container-tuner.yaml). */
  config(filePath: string): Config;
  /** How to run docker (path, timeout). */
  docker(): DockerOptions;
  trusted(): boolean;
  /** Wait after the last edit before recomputing. */
  debounceMs(): number;
  /** Compute tables for documents nobody asked for yet (inlay hints on). */
  eager(): boolean;
  /** A document's table changed (send `containerTuner/layersChanged`, refresh inlay hints). */
  changed(uri: string): void;
  log(message: string): void;
}

export interface LayerRequest {
  /** Stage index (default: the stage last asked for, else the final stage). */
  stage?: number;
  /** Pick this image (`repo:tag` or id) and keep it for the Dockerfile; '' goes back to automatic matching. */
  image?: string;
}

interface DocState {
  /** Stage the panel shows. */
  stage?: number;
  /** Per stage index: the remembered image. */
  memory: Map<number, ImageMemory>;
  /** Tables of the last finished computation, per stage, and the version they were computed for. */
  version?: number;
  tables?: Map<number, LayerTable>;
  json?: string;
  job?: { version: number; abort: AbortController; promise: Promise<void> };
  timer?: NodeJS.Timeout;
  /** Asked for by a client (panel): recomputed on edits and image events even when not eager. */
  requested: boolean;
}

const UNTRUSTED_MESSAGE = 'Docker is not run in an untrusted workspace: showing estimates only. Trust the workspace to see measured sizes.';
const EVENT_DEBOUNCE_MS = 300;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** The events stream is restarted after this long even when it keeps running (a hung daemon stays noticed). */
const EVENTS_TIMEOUT_MS = 6 * 3600_000;

export class LayerService {
  readonly cache: LayerCache = createLayerCache();
  private readonly docs = new Map<string, DocState>();
  /** `image ls` while the events stream is up and no event came since. */
  private imageList?: ImageListEntry[];
  private watch?: { abort: AbortController; backoff: number; restart?: NodeJS.Timeout; live: boolean; since: number };
  private eventTimer?: NodeJS.Timeout;
  private disposed = false;

  constructor(private readonly host: LayerServiceHost) {}

  private state(uri: string): DocState {
    let s = this.docs.get(uri);
    if (!s) {
      s = { memory: new Map(), requested: false };
      this.docs.set(uri, s);
    }
    return s;
  }

  /** A document was opened or edited. */
  documentChanged(uri: string, delay = this.host.debounceMs()): void {
    const s = this.docs.get(uri);
    if (!this.host.eager() && !s?.requested) return;
    const st = this.state(uri);
    if (st.timer) clearTimeout(st.timer);
    // a computation for an older version is stale now
    if (st.job && st.job.version !== this.host.document(uri)?.version) st.job.abort.abort();
    st.timer = setTimeout(() => {
      st.timer = undefined;
      void this.run(uri);
    }, Math.max(0, delay));
  }

  documentClosed(uri: string): void {
    const s = this.docs.get(uri);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    s.job?.abort.abort();
    // keep the image memory (the Dockerfile may be reopened), drop the tables; with nothing to
    // remember, drop the entry (every Dockerfile ever opened used to keep one: the server grew)
    if (!s.memory.size) {
      this.docs.delete(uri);
      return;
    }
    s.tables = undefined;
    s.json = undefined;
    s.version = undefined;
    s.requested = false;
  }

  /** Recompute every document that has tables (settings, trust or images changed). */
  refreshAll(delay = 0): void {
    for (const [uri, s] of this.docs) if (s.tables || s.requested) this.documentChanged(uri, delay);
  }

  /** The table of the stage for the document's current version, computing it now if needed. */
  async request(uri: string, req: LayerRequest = {}): Promise<LayerTable | undefined> {
    const doc = this.host.document(uri);
    if (!doc) return undefined;
    const st = this.state(uri);
    st.requested = true;
    let dirty = false;
    if (req.stage !== undefined && Number.isInteger(req.stage) && req.stage >= 0) st.stage = req.stage;
    const stage = st.stage;
    if (req.image !== undefined) {
      const key = stage ?? this.finalStageIndex(doc);
      if (req.image === '') st.memory.delete(key);
      else st.memory.set(key, { ref: req.image, id: '', pinned: true });
      dirty = true;
    }
    const table = await this.tablesFor(uri, dirty);
    if (!table) return undefined;
    return this.pick(table, stage);
  }

  private finalStageIndex(doc: LayerDocument): number {
    const model = layerModel(doc.text, doc.path, this.host.workspace, this.host.config(doc.path));
    return model.finalStage?.index ?? 0;
  }

  private pick(tables: Map<number, LayerTable>, stage: number | undefined): LayerTable | undefined {
    if (stage !== undefined && tables.has(stage)) return tables.get(stage);
    return tables.get(-1) ?? [...tables.values()].pop();
  }

  /** Tables for the current version (waiting for the running computation, or starting one). */
  private async tablesFor(uri: string, force = false): Promise<Map<number, LayerTable> | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = this.host.document(uri);
      if (!doc) return undefined;
      const st = this.state(uri);
      if (!force && st.tables && st.version === doc.version) return st.tables;
      if (!force && st.job && st.job.version === doc.version) {
        await st.job.promise;
        continue;
      }
      force = false;
      if (st.timer) {
        clearTimeout(st.timer);
        st.timer = undefined;
      }
      await this.run(uri);
    }
    return this.docs.get(uri)?.tables;
  }

  /** The last table of a document for inlay hints: rows of every stage, for that version. */
  async hintRows(uri: string, version: number): Promise<LayerRow[]> {
    const tables = await this.tablesFor(uri);
    const st = this.docs.get(uri);
    if (!tables || st?.version !== version) return [];
    const rows: LayerRow[] = [];
    const seen = new Set<number>();
    for (const [k, t] of tables) {
      if (k === -1) continue;
      for (const r of t.rows) {
        if (seen.has(r.line)) continue;
        seen.add(r.line);
        rows.push(r);
      }
    }
    return rows.sort((a, b) => a.line - b.line);
  }

  /** Computes all stage tables of the document's current version (cancelling a stale run). */
  private run(uri: string): Promise<void> {
    const doc = this.host.document(uri);
    const st = this.state(uri);
    if (!doc) return Promise.resolve();
    st.job?.abort.abort();
    const abort = new AbortController();
    const version = doc.version;
    const promise = this.compute(uri, doc, st, abort.signal)
      .catch((e) => {
        if (!(e instanceof LayerCancelled)) this.host.log(`layer sizes for ${uri} failed: ${(e as Error)?.stack ?? e}`);
      })
      .finally(() => {
        if (st.job?.abort === abort) st.job = undefined;
      });
    st.job = { version, abort, promise };
    return promise;
  }

  private async compute(uri: string, doc: LayerDocument, st: DocState, signal: AbortSignal): Promise<void> {
    const config = this.host.config(doc.path);
    const model = layerModel(doc.text, doc.path, this.host.workspace, config);
    const trusted = this.host.trusted();
    const docker: DockerOptions = { ...this.host.docker(), signal };
    const sizer = new ContextSizer(model);
    // one image listing for all stages
    let images: ImageListEntry[] | undefined = this.imageList;
    let listFailure: DockerFailure | undefined;
    if (trusted && !images && model.stages.length) {
      const r = await listImages(docker);
      if (signal.aborted) throw new LayerCancelled();
      if (r.ok) {
        images = r.value;
        if (this.watch?.live) this.imageList = images;
      } else listFailure = r;
    }
    const tables = new Map<number, LayerTable>();
    const configured = imageFor(config, doc.path);
    if (listFailure) {
      // Docker did not answer the listing: every stage gets its state and message, with estimates
      const { state, message } = failureState(listFailure);
      for (const stage of model.stages) tables.set(stage.index, buildLayerTable({ model, stage: stage.index, state, message, sizer }));
    } else {
      for (const stage of model.stages) {
        const memory = st.memory.get(stage.index);
        const pickedNow = memory?.pinned && !memory.id ? memory.ref : undefined;
        const r = await computeLayerTable(model, {
          docker,
          cache: this.cache,
          stage: stage.index,
          // an image the user just picked (by reference), else what .container-tuner.yaml names (final stage)
          image: pickedNow,
          configuredImage: stage.isFinal ? configured : undefined,
          memory: pickedNow ? undefined : memory,
          useDocker: trusted,
          noDockerMessage: trusted ? undefined : UNTRUSTED_MESSAGE,
          images,
          sizer,
        });
        if (signal.aborted) throw new LayerCancelled();
        if (r.memory) st.memory.set(stage.index, r.memory);
        else if (!pickedNow) st.memory.delete(stage.index);
        else st.memory.set(stage.index, memory!);
        tables.set(stage.index, r.table);
      }
    }
    if (model.finalStage) tables.set(-1, tables.get(model.finalStage.index)!);
    if (!model.stages.length) tables.set(-1, buildLayerTable({ model, state: 'no-image', message: 'No FROM instruction: nothing to measure.', sizer }));
    const current = this.host.document(uri);
    if (!current || current.version !== doc.version || signal.aborted) throw new LayerCancelled();
    const json = JSON.stringify([...tables.entries()]);
    const changed = json !== st.json;
    st.tables = tables;
    st.version = doc.version;
    st.json = json;
    if (changed) this.host.changed(uri);
  }

  // -------------------------------------------------------------------------
  // docker events

  /** Watch image events (the panel is visible) or stop watching. */
  setWatching(enabled: boolean): void {
    if (enabled && !this.watch && this.host.trusted()) {
      // events from a second before watching began are replayed (`--since`): none is lost while the stream connects
      this.watch = { abort: new AbortController(), backoff: BACKOFF_MIN_MS, live: false, since: Date.now() - 1000 };
      this.startEvents();
    } else if (!enabled && this.watch) {
      this.stopWatching();
    }
  }

  get watching(): boolean {
    return !!this.watch;
  }

  private stopWatching(): void {
    const w = this.watch;
    if (!w) return;
    this.watch = undefined;
    this.imageList = undefined;
    if (w.restart) clearTimeout(w.restart);
    w.abort.abort();
  }

  private startEvents(): void {
    const w = this.watch;
    if (!w || this.disposed) return;
    const started = Date.now();
    let buffer = '';
    w.live = true;
    const since = (w.since / 1000).toFixed(3);
    void runDocker(['events', '--since', since, '--filter', 'type=image', '--format', '{{json .}}'], {
      ...this.host.docker(),
      timeoutMs: EVENTS_TIMEOUT_MS,
      signal: w.abort.signal,
      onStdout: (chunk) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) this.onImageEvent(line);
        }
      },
    }).then((r) => {
      if (this.watch !== w) return; // stopped on purpose
      w.live = false;
      // the next stream replays what happened from shortly before this one ended
      w.since = Date.now() - 1000;
      this.imageList = undefined;
      if (!r.ok && r.kind === 'not-installed') {
        this.host.log(`docker events: ${r.message}; not watching images`);
        this.watch = undefined;
        return;
      }
      // the stream ended (daemon restarted, timeout): start again with backoff
      if (Date.now() - started > 60_000) w.backoff = BACKOFF_MIN_MS;
      const wait = w.backoff;
      w.backoff = Math.min(BACKOFF_MAX_MS, w.backoff * 2);
      this.host.log(`docker events ended${r.ok ? '' : `: ${r.message}`}; watching again in ${wait} ms`);
      w.restart = setTimeout(() => {
        w.restart = undefined;
        // images may have changed while nobody listened
        this.refreshAll();
        this.startEvents();
      }, wait);
    });
  }

  private onImageEvent(line: string): void {
    try {
      const e = JSON.parse(line) as { Type?: string; Action?: string };
      if (e.Type && e.Type !== 'image') return;
    } catch {
      this.host.log(`docker events: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    }
    this.imageList = undefined;
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.eventTimer = setTimeout(() => {
      this.eventTimer = undefined;
      this.imageList = undefined;
      this.refreshAll();
    }, EVENT_DEBOUNCE_MS);
  }

  dispose(): void {
    this.disposed = true;
    this.stopWatching();
    if (this.eventTimer) clearTimeout(this.eventTimer);
    for (const uri of this.docs.keys()) this.documentClosed(uri);
  }
}
