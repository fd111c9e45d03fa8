// The language server: maps engine findings to LSP diagnostics, code actions
// and hovers. Started by the VS Code client over IPC, or by
// `container-tuner lsp --stdio` for any LSP editor.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  createConnection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { stdioConnection } from './stdio';
import { configFor, DEFAULT_CONFIG, matchesGlob, mergeConfig, type Config } from './engine/config';
import { compatiblePreferredEdits, DEFAULT_MAX_FILE_SIZE, documentKind, exceedsSizeLimit, lint } from './engine/lint';
import { docsUrl } from './engine/rule';
import { ruleById } from './engine/rules';
import { comparePositions } from './engine/text';
import type { Finding, Range, Severity, TextEdit } from './engine/types';
import { CachedFsWorkspace } from './engine/workspace';
import { DEFAULT_DOCKER_PATH, DEFAULT_TIMEOUT_MS, ImageInspectCache, repoDigestFrom, type DockerOptions, type DockerResult, type ImageInspect } from './engine/docker/cli';
import { buildDockerfileModel, type DockerfileModel } from './engine/dockerfile/model';
import { ManifestParseCache } from './engine/k8s/model';
import { DockerfileParseCache } from './engine/dockerfile/incremental';
import { baseAt, describeBase, describeLocalImage } from './engine/dockerfile/hover';
import { pinEdit, pinTargets, pinTitle } from './engine/dockerfile/pin';
import { layerHints } from './engine/layers/format';
import { LayerService, type LayerRequest } from './engine/layers/service';
// "Analyze Image" (issue 7): `containerTuner/analyzeImage`, `containerTuner/listImages`
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type ProgressToken } from 'vscode-languageserver/node';
import { AbortError, analyzeLocalImage, analyzeTarget, listLocalImages, type AnalyzeProgress } from './engine/image/index';

export const FIX_ALL_KIND = 'source.fixAll.containerTuner';
const SOURCE = 'container-tuner';

export interface DockerSettings {
  /** `containerTuner.docker.path`: the docker executable (editor settings only, never `.container-tuner.yaml`). */
  path: string;
  /** `containerTuner.docker.timeoutMs`: the longest a docker command may run. */
  timeoutMs: number;
}

export interface ServerSettings {
  enable: boolean;
  debounceMs: number;
  config: Config;
  docker: DockerSettings;
  /** `containerTuner.layers.*`: inlay hints with layer sizes. */
  layers: { inlayHints: boolean };
  /** `containerTuner.maxFileSize`: bytes above which a document is not linted (one info diagnostic); 0 = no limit. */
  maxFileSize: number;
}

const DEFAULT_DOCKER_SETTINGS: DockerSettings = { path: DEFAULT_DOCKER_PATH, timeoutMs: DEFAULT_TIMEOUT_MS };
const DEFAULT_SETTINGS: ServerSettings = { enable: true, debounceMs: 200, config: DEFAULT_CONFIG, docker: DEFAULT_DOCKER_SETTINGS, layers: { inlayHints: true }, maxFileSize: DEFAULT_MAX_FILE_SIZE };
/** Editor features (the pin quick-fix, the FROM hover) wait for Docker at most this long. */
export const DOCKER_INTERACTIVE_TIMEOUT_MS = 3000;

/** `containerTuner.docker.*` as the client sends it (`{ docker: { path } }`, or flat `docker.path` keys). */
function dockerSettingsFrom(r: Record<string, unknown>): DockerSettings {
  const nested = r.docker && typeof r.docker === 'object' ? (r.docker as Record<string, unknown>) : {};
  const p = nested.path ?? r['docker.path'];
  const t = nested.timeoutMs ?? r['docker.timeoutMs'];
  return {
    path: typeof p === 'string' && p.trim() ? p.trim() : DEFAULT_DOCKER_PATH,
    timeoutMs: typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : DEFAULT_TIMEOUT_MS,
  };
}

function toLspSeverity(s: Severity): DiagnosticSeverity {
  return s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

/** A file-system path for a document URI (untitled documents get a path that does not exist). */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      /* fall through */
    }
  }
  const tail = decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:/i, '')).replace(/^\/*/, '');
  return path.join('/nonexistent-untitled', tail || 'Dockerfile');
}

function rangesIntersect(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

/** Reads `containerTuner.*` settings as sent by the client into server settings. */
export function settingsFrom(raw: unknown): ServerSettings {
  if (!raw || typeof raw !== 'object') return DEFAULT_SETTINGS;
  const r = raw as Record<string, unknown>;
  const config = mergeConfig(DEFAULT_CONFIG, { rules: r.rules, runtimeBase: r.runtimeBase || undefined, gomaxprocs: r.gomaxprocs }, 'settings');
  config.source = undefined;
  return {
    enable: r.enable !== false,
    debounceMs: typeof r.debounceMs === 'number' && r.debounceMs >= 0 ? r.debounceMs : DEFAULT_SETTINGS.debounceMs,
    config,
    docker: dockerSettingsFrom(r),
    layers: { inlayHints: ((r.layers as Record<string, unknown> | undefined)?.inlayHints ?? r['layers.inlayHints']) !== false },
    maxFileSize: typeof r.maxFileSize === 'number' && Number.isFinite(r.maxFileSize) && r.maxFileSize >= 0 ? r.maxFileSize : DEFAULT_MAX_FILE_SIZE,
  };
}

interface LintCache {
  version: number;
  findings: Finding[];
}

/** Files around a manifest that its findings depend on (kustomize, skaffold, Helm). */
const AROUND_MANIFESTS = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization', 'skaffold.yaml', 'skaffold.yml', 'Chart.yaml']);

export function startServer(connection: Connection = process.argv.includes('--stdio') ? stdioConnection() : createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  // the disk as read in the last second (a burst of keystrokes stats go.mod, .dockerignore and the
  // context once); forgotten when the client reports changed files or a document closes
  const workspace = new CachedFsWorkspace(1000);
  const cache = new Map<string, LintCache>();
  // per open document: the parse of its previous version (a keystroke re-parses only the YAML document,
  // or the Dockerfile instruction, it changed)
  const parseCaches = new Map<string, { manifest?: ManifestParseCache; dockerfile?: DockerfileParseCache }>();
  // pending lints: a timer (debounced), or an immediate when the delay is 0 (Node's setTimeout waits at least 1 ms)
  const timers = new Map<string, { cancel(): void }>();
  let settings = DEFAULT_SETTINGS;
  let hasConfigurationCapability = false;
  let hasVersionedEdits = false;
  let canCreateFiles = false;
  // workspace trust (VS Code): in an untrusted workspace no docker command runs
  let trusted = true;
  const images = new ImageInspectCache();
  // layer sizes (issue 6): tables per Dockerfile, inlay hints, the panel's data request
  let hasInlayRefresh = false;
  const layers = new LayerService({
    document: (uri) => {
      const doc = documents.get(uri);
      const filePath = doc ? uriToPath(uri) : '';
      if (!doc || !settings.enable || documentKind(filePath, doc.languageId) !== 'dockerfile') return undefined;
      // above containerTuner.maxFileSize the document is skipped (its one info diagnostic says so)
      if (exceedsSizeLimit(doc.getText(), settings.maxFileSize)) return undefined;
      return { text: doc.getText(), version: doc.version, path: filePath };
    },
    workspace,
    config: (filePath) => configFor(workspace, filePath, settings.config),
    docker: () => ({ dockerPath: settings.docker.path, timeoutMs: settings.docker.timeoutMs }),
    trusted: () => trusted,
    debounceMs: () => Math.max(settings.debounceMs, 300),
    eager: () => settings.layers.inlayHints,
    changed: (uri) => {
      connection.sendNotification('containerTuner/layersChanged', { uri });
      if (hasInlayRefresh) connection.languages.inlayHint.refresh().catch(() => undefined);
    },
    log: (m) => connection.console.log(m),
  });
  process.once('exit', () => layers.dispose());
  connection.onShutdown(() => layers.dispose());

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    hasConfigurationCapability = !!caps.workspace?.configuration;
    hasVersionedEdits = !!caps.workspace?.workspaceEdit?.documentChanges;
    canCreateFiles = hasVersionedEdits && !!caps.workspace?.workspaceEdit?.resourceOperations?.includes('create');
    hasInlayRefresh = !!caps.workspace?.inlayHint?.refreshSupport;
    const init = params.initializationOptions as { settings?: unknown; trusted?: unknown } | undefined;
    if (init?.settings) settings = settingsFrom(init.settings);
    if (init && 'trusted' in init) trusted = init.trusted !== false;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'container-tuner', version: '0.1.0' },
    };
  });

  // documents opened before the first settings arrive wait for them (no lint with the wrong rules)
  let settingsReady: Promise<void> = Promise.resolve();
  connection.onInitialized(() => {
    if (hasConfigurationCapability) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: 'containerTuner' }).catch(() => undefined);
      settingsReady = refreshSettings();
    }
  });

  async function refreshSettings(): Promise<void> {
    if (!hasConfigurationCapability) return;
    try {
      const raw = await connection.workspace.getConfiguration('containerTuner');
      settings = settingsFrom(raw);
    } catch {
      /* keep the previous settings */
    }
  }

  connection.onDidChangeConfiguration(async (change) => {
    if (hasConfigurationCapability) await refreshSettings();
    else settings = settingsFrom((change.settings as Record<string, unknown> | undefined)?.containerTuner);
    for (const doc of documents.all()) schedule(doc, 0);
    layers.refreshAll();
  });

  connection.onNotification('containerTuner/trust', (p: { trusted?: unknown } | undefined) => {
    trusted = p?.trusted !== false;
    if (!trusted) layers.setWatching(false);
    layers.refreshAll();
  });

  connection.onDidChangeWatchedFiles(() => {
    // go.mod, .dockerignore or .container-tuner.yaml changed on disk
    workspace.invalidate();
    for (const doc of documents.all()) schedule(doc, 0);
  });

  function lintNow(doc: TextDocument): void {
    timers.delete(doc.uri);
    const filePath = uriToPath(doc.uri);
    const kind = documentKind(filePath, doc.languageId);
    if (!settings.enable || !kind) {
      cache.set(doc.uri, { version: doc.version, findings: [] });
      connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
      return;
    }
    const config = configFor(workspace, filePath, settings.config);
    if (config.ignorePaths.some((g) => matchesGlob(filePath, g))) {
      cache.set(doc.uri, { version: doc.version, findings: [] });
      connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
      return;
    }
    let findings: Finding[] = [];
    let caches = parseCaches.get(doc.uri);
    if (!caches) parseCaches.set(doc.uri, (caches = {}));
    try {
      findings = lint({ text: doc.getText(), path: filePath, languageId: doc.languageId }, workspace, {
        config,
        manifestCache: kind === 'yaml' ? (caches.manifest ??= new ManifestParseCache()) : undefined,
        dockerfileCache: kind === 'dockerfile' ? (caches.dockerfile ??= new DockerfileParseCache()) : undefined,
        onRuleError: (rule, e) => connection.console.error(`rule ${rule} failed on ${doc.uri}: ${(e as Error)?.stack ?? e}`),
        maxFileSize: settings.maxFileSize,
      }).findings;
    } catch (e) {
      connection.console.error(`linting ${doc.uri} failed: ${(e as Error)?.stack ?? e}`);
    }
    // a newer version arrived while we worked: its own run will publish
    const current = documents.get(doc.uri);
    if (!current || current.version !== doc.version) return;
    cache.set(doc.uri, { version: doc.version, findings });
    connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: findings.map(toDiagnostic) });
  }

  function schedule(doc: TextDocument, delay?: number): void {
    const uri = doc.uri;
    void settingsReady.then(() => {
      timers.get(uri)?.cancel();
      // closed meanwhile (opened and closed in one burst): no timer, or its entry would stay forever
      if (!documents.get(uri)) {
        timers.delete(uri);
        return;
      }
      // always asynchronous, so a burst of changes lints once: the JSON-RPC layer handles one queued
      // message per setImmediate and this one is queued after its next, so the next change cancels it
      const run = () => { timers.delete(uri); const d = documents.get(uri); if (d) lintNow(d); };
      const ms = Math.max(0, delay ?? settings.debounceMs);
      if (ms === 0) {
        const handle = setImmediate(run);
        timers.set(uri, { cancel: () => clearImmediate(handle) });
      } else {
        const handle = setTimeout(run, ms);
        timers.set(uri, { cancel: () => clearTimeout(handle) });
      }
    });
  }

  function toDiagnostic(f: Finding): Diagnostic {
    return {
      range: f.range,
      severity: toLspSeverity(f.severity),
      source: SOURCE,
      code: f.rule,
      codeDescription: { href: docsUrl(f.rule) },
      message: f.message,
    };
  }

  function syncOverlay(doc: TextDocument, open: boolean): void {
    if (!doc.uri.startsWith('file:')) return;
    const p = path.resolve(uriToPath(doc.uri));
    if (open) workspace.overlay.set(p, doc.getText());
    else {
      workspace.overlay.delete(p);
      // the file on disk may have been saved from this buffer meanwhile: read it again
      workspace.invalidate();
    }
    const base = path.basename(p);
    // files other documents' findings are read from (the manifests' deploy tooling too)
    if (base === 'go.mod' || base.startsWith('.container-tuner') || base.endsWith('.dockerignore') || AROUND_MANIFESTS.has(base)) {
      for (const other of documents.all()) if (other.uri !== doc.uri) schedule(other);
    }
  }

  // TextDocuments fires onDidChangeContent right after onDidOpen for the same open: that one must
  // not replace the open's undebounced lint with a debounced one (first diagnostics 200 ms later)
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    syncOverlay(e.document, true);
    schedule(e.document, 0);
    layers.documentChanged(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => {
    const opening = justOpened.delete(e.document.uri);
    syncOverlay(e.document, true);
    if (!opening) schedule(e.document);
    layers.documentChanged(e.document.uri);
  });
  documents.onDidClose((e) => {
    syncOverlay(e.document, false);
    timers.get(e.document.uri)?.cancel();
    timers.delete(e.document.uri);
    cache.delete(e.document.uri);
    parseCaches.delete(e.document.uri);
    layers.documentClosed(e.document.uri);
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** Findings for the document's current version (linting now if the cache is stale). */
  function findingsFor(doc: TextDocument): Finding[] {
    const c = cache.get(doc.uri);
    if (c && c.version === doc.version) return c.findings;
    lintNow(doc);
    return cache.get(doc.uri)?.findings ?? [];
  }

  function workspaceEdit(doc: TextDocument, edits: TextEdit[]): WorkspaceEdit {
    if (hasVersionedEdits) return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
    return { changes: { [doc.uri]: edits } };
  }

  function dockerOptions(): DockerOptions {
    return { dockerPath: settings.docker.path, timeoutMs: Math.min(settings.docker.timeoutMs, DOCKER_INTERACTIVE_TIMEOUT_MS) };
  }

  /** A local image's inspect result: cached, or asked now but waited for at most the interactive timeout (never when untrusted). */
  async function localImage(ref: string): Promise<DockerResult<ImageInspect> | undefined> {
    if (!trusted) return undefined;
    const opts = dockerOptions();
    const cached = images.peek(ref, opts);
    if (cached) return cached;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), (opts.timeoutMs ?? DOCKER_INTERACTIVE_TIMEOUT_MS) + 250); });
    try {
      return await Promise.race([images.get(ref, opts), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  function dockerfileModelOf(doc: TextDocument): DockerfileModel | undefined {
    const filePath = uriToPath(doc.uri);
    if (!settings.enable || documentKind(filePath, doc.languageId) !== 'dockerfile') return undefined;
    // above the size limit nothing reads the text (hover, pin to digest): it stays as cheap as its one diagnostic
    if (exceedsSizeLimit(doc.getText(), settings.maxFileSize)) return undefined;
    try {
      return buildDockerfileModel(doc.getText(), filePath, workspace);
    } catch (e) {
      connection.console.error(`reading ${doc.uri} failed: ${(e as Error)?.stack ?? e}`);
      return undefined;
    }
  }

  /** "Pin to digest" for each FROM in the range whose image exists locally with a RepoDigest (asks Docker; the user asked for actions). */
  async function pinActions(doc: TextDocument, range: Range, findings: Finding[], sent: Diagnostic[]): Promise<CodeAction[]> {
    if (!trusted) return [];
    const model = dockerfileModelOf(doc);
    if (!model) return [];
    const targets = pinTargets(model).filter((t) => rangesIntersect(t.stage.from.range, range));
    const answers = await Promise.all(targets.map((t) => localImage(t.image)));
    const out: CodeAction[] = [];
    targets.forEach((t, i) => {
      const r = answers[i];
      if (!r?.ok) return;
      const pin = repoDigestFrom(t.image, r.value);
      if (!pin) return;
      const edit = pinEdit(model, t.stage, pin.digest);
      if (!edit) return;
      const wordRange = model.index.range(t.start, t.end);
      const f = findings.find((x) => x.rule === 'base-image-unpinned' && rangesIntersect(x.range, wordRange));
      const diagnostic = f
        ? sent.find((d) => d.code === f.rule && d.source === SOURCE && comparePositions(d.range.start, f.range.start) === 0) ?? toDiagnostic(f)
        : undefined;
      out.push({
        title: pinTitle(t.image, pin.digest),
        kind: CodeActionKind.QuickFix,
        ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
        isPreferred: false,
        edit: workspaceEdit(doc, [edit]),
      });
    });
    return out;
  }

  connection.onCodeAction(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const findings = findingsFor(doc);
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const f of findings) {
        if (!rangesIntersect(f.range, params.range)) continue;
        const diagnostic = params.context.diagnostics.find(
          (d) => d.code === f.rule && d.source === SOURCE && comparePositions(d.range.start, f.range.start) === 0,
        ) ?? toDiagnostic(f);
        for (const fix of f.fixes) {
          let edit: WorkspaceEdit;
          if (fix.fileEdits?.length) {
            // edits of other files (e.g. creating .dockerignore): needs versioned edits and file creation
            if (!canCreateFiles) continue;
            const changes: NonNullable<WorkspaceEdit['documentChanges']> = [];
            for (const fe of fix.fileEdits) {
              const uri = pathToFileURL(fe.path).href;
              if (fe.create) changes.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
              changes.push({ textDocument: { uri, version: documents.get(uri)?.version ?? null }, edits: fe.edits });
            }
            if (fix.edits.length) changes.push({ textDocument: { uri: doc.uri, version: doc.version }, edits: fix.edits });
            edit = { documentChanges: changes };
          } else edit = workspaceEdit(doc, fix.edits);
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: !!fix.preferred,
            edit,
          });
        }
      }
    }
    if (wants(FIX_ALL_KIND) && (only?.length || findings.some((f) => f.fixes.some((x) => x.preferred)))) {
      const { edits, applied } = compatiblePreferredEdits(findings);
      if (edits.length) {
        actions.push({
          title: `Container Tuner: fix all auto-fixable problems (${applied.length})`,
          kind: FIX_ALL_KIND,
          diagnostics: applied.map(toDiagnostic),
          edit: workspaceEdit(doc, edits),
        });
      }
    }
    if (wants(CodeActionKind.QuickFix) && trusted) {
      const version = doc.version;
      try {
        const pins = await pinActions(doc, params.range, findings, params.context.diagnostics);
        // the document changed while Docker answered: its edits would be stale
        if (documents.get(doc.uri)?.version === version) actions.push(...pins);
      } catch (e) {
        connection.console.error(`pin to digest failed: ${(e as Error)?.stack ?? e}`);
      }
    }
    return actions;
  });

  /** The FROM hover: the engine's facts of the base, plus what the local Docker engine says of it. */
  async function baseHover(doc: TextDocument, pos: { line: number; character: number }): Promise<string | undefined> {
    const model = dockerfileModelOf(doc);
    if (!model) return undefined;
    const text = describeBase(model, pos);
    if (!text) return undefined;
    const at = baseAt(model, pos);
    const target = at && pinTargets(model).find((t) => t.stage === at.stage);
    const image = target?.image ?? (at?.stage.image && !at.stage.parent && !at.stage.image.includes('$') && at.stage.ref?.repository !== 'scratch' ? at.stage.image : undefined);
    if (!image) return text;
    const r = await localImage(image);
    if (!r?.ok) return text;
    return text + '\n\n' + describeLocalImage(r.value, repoDigestFrom(image, r.value)?.repoDigest);
  }

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const pos = params.position;
    const hits = findingsFor(doc).filter((f) => comparePositions(f.range.start, pos) <= 0 && comparePositions(pos, f.range.end) <= 0);
    let base: string | undefined;
    try {
      base = await baseHover(doc, pos);
    } catch (e) {
      connection.console.error(`FROM hover failed: ${(e as Error)?.stack ?? e}`);
    }
    if (!hits.length && !base) return null;
    const parts = hits.map((f) => {
      const rule = ruleById(f.rule);
      const fixes = f.fixes.length ? `\n\nQuick-fix: ${f.fixes.map((x) => x.title).join('; ')}` : '';
      return `**${f.rule}** (${f.severity}) — ${rule?.summary ?? ''}\n\n${f.message}${fixes}\n\n[Rule documentation](${docsUrl(f.rule)})`;
    });
    if (base) parts.unshift(base);
    return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') } };
  });

  // Layer sizes: `containerTuner/layers` { uri, stage?, image? } -> LayerTable (engine/layers/estimate.ts),
  // or null for a document that is not an open Dockerfile
  connection.onRequest('containerTuner/layers', async (p: { uri?: unknown } & LayerRequest) => {
    if (!p || typeof p.uri !== 'string') return null;
    const req: LayerRequest = {
      stage: typeof p.stage === 'number' ? p.stage : undefined,
      image: typeof p.image === 'string' ? p.image : undefined,
    };
    return (await layers.request(p.uri, req)) ?? null;
  });
  // the panel watches `docker events` while it is visible
  connection.onRequest('containerTuner/watchImages', (p: { enabled?: unknown }) => {
    layers.setWatching(p?.enabled === true && trusted);
    return { watching: layers.watching };
  });
  // "Analyze Image": { target: image ref | archive path | OCI dir, kind?: 'image' | 'path' } -> ImageReport JSON.
  // Only ever sent when the user runs the command, so it runs Docker in an untrusted workspace too
  // (the executable then comes from user settings: containerTuner.docker.path is a restricted setting).
  // Work-done progress when the client sent a workDoneToken; $/cancelRequest aborts docker save and the reading.
  connection.onRequest('containerTuner/analyzeImage', async (p: { target?: unknown; kind?: unknown; workDoneToken?: ProgressToken }, token: CancellationToken) => {
    const target = typeof p?.target === 'string' ? p.target.trim() : '';
    if (!target) throw new ResponseError(ErrorCodes.InvalidParams, 'analyzeImage: `target` must name an image, an archive or an OCI layout folder');
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    const progress = connection.window.attachWorkDoneProgress(p.workDoneToken);
    progress.begin(`Analyzing ${target}`, 0, undefined, true);
    let last = 0;
    let saved = false;
    const onProgress = (x: AnalyzeProgress) => {
      if (x.phase === 'saving') saved = true;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const mb = (n: number) => `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} MB`;
      const of = x.totalBytes ? ` of ${mb(x.totalBytes)}` : '';
      const what = x.phase === 'saving' ? `docker save: ${mb(x.bytes)}${of}` : `reading layers (${x.layersDone} done): ${mb(x.bytes)}${of}`;
      // docker save is the first half of a local image's analysis, reading the archive the second
      const frac = x.totalBytes ? Math.min(1, x.bytes / x.totalBytes) : 0;
      progress.report(Math.min(99, Math.round(x.phase === 'saving' ? frac * 50 : saved ? 50 + frac * 50 : frac * 100)), what);
    };
    const opts = { docker: { dockerPath: settings.docker.path, timeoutMs: settings.docker.timeoutMs }, signal: abort.signal, onProgress };
    try {
      return p.kind === 'image' ? await analyzeLocalImage(target, opts) : await analyzeTarget(target, opts);
    } catch (e) {
      if (abort.signal.aborted || e instanceof AbortError) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Analysis cancelled');
      throw new ResponseError(ErrorCodes.InternalError, (e as Error)?.message ?? String(e));
    } finally {
      sub.dispose();
      progress.done();
    }
  });
  // `docker image ls` rows for the pickers (a user action: runs in untrusted workspaces too, like analyzeImage)
  connection.onRequest('containerTuner/listImages', async () => {
    const r = await listLocalImages({ dockerPath: settings.docker.path, timeoutMs: Math.min(settings.docker.timeoutMs, 10_000) });
    return r.ok ? { images: r.value } : { images: [], error: { kind: r.kind, message: r.message } };
  });
  connection.languages.inlayHint.on(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !settings.layers.inlayHints) return [];
    const version = doc.version;
    const rows = await layers.hintRows(doc.uri, version);
    if (documents.get(doc.uri)?.version !== version) return [];
    const { start, end } = params.range;
    return layerHints(rows)
      .filter((h) => h.line >= start.line && h.line <= end.line)
      .map((h) => ({ position: { line: h.line, character: h.character }, label: h.label, tooltip: h.tooltip, paddingLeft: true }));
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
