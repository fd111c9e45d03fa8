// The language server: maps engine findings to LSP diagnostics, code actions
// and hovers. Started by the VS Code client over IPC, or by
// `container-tuner lsp --stdio` for any LSP editor.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { configFor, DEFAULT_CONFIG, matchesGlob, mergeConfig, type Config } from './engine/config';
import { compatiblePreferredEdits, documentKind, lint } from './engine/lint';
import { docsUrl } from './engine/rule';
import { ruleById } from './engine/rules';
import { comparePositions } from './engine/text';
import type { Finding, Range, Severity, TextEdit } from './engine/types';
import { FsWorkspace } from './engine/workspace';

export const FIX_ALL_KIND = 'source.fixAll.containerTuner';
const SOURCE = 'container-tuner';

export interface ServerSettings {
  enable: boolean;
  debounceMs: number;
  config: Config;
}

const DEFAULT_SETTINGS: ServerSettings = { enable: true, debounceMs: 200, config: DEFAULT_CONFIG };

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
  };
}

interface LintCache {
  version: number;
  findings: Finding[];
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  const workspace = new FsWorkspace();
  const cache = new Map<string, LintCache>();
  const timers = new Map<string, NodeJS.Timeout>();
  let settings = DEFAULT_SETTINGS;
  let hasConfigurationCapability = false;
  let hasVersionedEdits = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    hasConfigurationCapability = !!caps.workspace?.configuration;
    hasVersionedEdits = !!caps.workspace?.workspaceEdit?.documentChanges;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings) settings = settingsFrom(init.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
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
  });

  connection.onDidChangeWatchedFiles(() => {
    // go.mod, .dockerignore or .container-tuner.yaml changed on disk
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
    try {
      findings = lint({ text: doc.getText(), path: filePath, languageId: doc.languageId }, workspace, {
        config,
        onRuleError: (rule, e) => connection.console.error(`rule ${rule} failed on ${doc.uri}: ${(e as Error)?.stack ?? e}`),
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
      const t = timers.get(uri);
      if (t) clearTimeout(t);
      // always asynchronous, so a burst of changes lints once
      timers.set(uri, setTimeout(() => { const d = documents.get(uri); if (d) lintNow(d); }, Math.max(0, delay ?? settings.debounceMs)));
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
    else workspace.overlay.delete(p);
    const base = path.basename(p);
    if (base === 'go.mod' || base.startsWith('.container-tuner') || base.endsWith('.dockerignore')) {
      for (const other of documents.all()) if (other.uri !== doc.uri) schedule(other);
    }
  }

  documents.onDidOpen((e) => {
    syncOverlay(e.document, true);
    schedule(e.document, 0);
  });
  documents.onDidChangeContent((e) => {
    syncOverlay(e.document, true);
    schedule(e.document);
  });
  documents.onDidClose((e) => {
    syncOverlay(e.document, false);
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    cache.delete(e.document.uri);
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

  connection.onCodeAction((params) => {
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
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: !!fix.preferred,
            edit: workspaceEdit(doc, fix.edits),
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
    return actions;
  });

  connection.onHover((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const pos = params.position;
    const hits = findingsFor(doc).filter((f) => comparePositions(f.range.start, pos) <= 0 && comparePositions(pos, f.range.end) <= 0);
    if (!hits.length) return null;
    const parts = hits.map((f) => {
      const rule = ruleById(f.rule);
      const fixes = f.fixes.length ? `\n\nQuick-fix: ${f.fixes.map((x) => x.title).join('; ')}` : '';
      return `**${f.rule}** (${f.severity}) — ${rule?.summary ?? ''}\n\n${f.message}${fixes}\n\n[Rule documentation](${docsUrl(f.rule)})`;
    });
    return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') } };
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
