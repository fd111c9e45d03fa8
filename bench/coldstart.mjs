// 2. Cold start: server process start -> first publishDiagnostics (ours and
// docker-langserver); extension bundle load + activate() with a stub vscode
// module; .vsix size.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configAnswer, LspClient, ms, PEER_SERVER, ROOT, run, stats, tmpdir } from './lib.mjs';
import { goServiceFolder, realisticDockerfile } from './latency.mjs';

async function serverStart(server, settings, dir, text) {
  const [cmd, args] = server;
  const file = path.join(dir, 'Dockerfile');
  const uri = pathToFileURL(file).href;
  const client = new LspClient(cmd, args, { onRequest: configAnswer(settings), cwd: dir });
  try {
    // a client may send nothing before the initialize response: the real order
    await client.initialize(pathToFileURL(dir).href, settings ? { settings } : undefined);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    const d = await client.waitDiagnostics((x) => x.params.uri === uri);
    return ms(client.t0, d.at);
  } finally {
    await client.close();
  }
}

// The child that loads dist/client.js and calls activate(). `require('vscode')`
// returns a universal stub (any property, call or `new` gives another stub;
// `version` is a real version string; it is never a thenable). The language
// client is bundled in dist/client.js and left as is; `child_process.fork`
// (how it starts the server over IPC) throws a marker error, so activate()
// runs everything up to starting the server process and rejects there: the
// time is load + activation without the server's own start (measured above).
const ACTIVATE_CHILD = `
const Module = require('module');
const t0 = process.hrtime.bigint();
class StopAtFork extends Error {}
let forked = false;
function stub(name) {
  const cache = new Map();
  const f = function () {};
  return new Proxy(f, {
    get(_t, p) {
      if (p === 'then' || p === Symbol.iterator || p === Symbol.asyncIterator) return undefined;
      if (p === Symbol.toPrimitive) return () => '';
      if (p === 'toString' || p === 'toJSON') return () => '';
      if (p === 'version') return '1.100.0';
      // no editor open, no folder, trusted: what a window has when the extension activates on a command
      if (p === 'activeTextEditor' || p === 'workspaceFolders' || p === 'activeNotebookEditor') return undefined;
      if (p === 'visibleTextEditors' || p === 'textDocuments' || p === 'notebookDocuments' || p === 'all') return [];
      if (p === 'isTrusted') return true;
      if (p === 'prototype') return {};
      if (!cache.has(p)) cache.set(p, stub(name + '.' + String(p)));
      return cache.get(p);
    },
    apply() { return stub(name + '()'); },
    construct() { return stub('new ' + name); },
  });
}
// esbuild's CommonJS interop copies the module's own keys: list the API's names
const API = 'workspace window commands languages env extensions debug tasks scm tests notebooks authentication comments l10n chat lm Uri EventEmitter Disposable Range Position Selection Location Diagnostic DiagnosticSeverity DiagnosticTag DiagnosticRelatedInformation CodeAction CodeActionKind CodeLens CompletionItem CompletionItemKind CompletionItemTag CompletionList Hover MarkdownString TextEdit WorkspaceEdit SnippetString ThemeIcon ThemeColor ViewColumn ProgressLocation TreeItem TreeItemCollapsibleState StatusBarAlignment ConfigurationTarget FileType FileChangeType RelativePattern CancellationError CancellationTokenSource TabInputText TabInputTextDiff TabInputCustom TabInputNotebook TextEditorRevealType SymbolKind SymbolTag SymbolInformation DocumentSymbol FoldingRange FoldingRangeKind InlayHint InlayHintKind InlayHintLabelPart SemanticTokens SemanticTokensBuilder SemanticTokensEdit SemanticTokensEdits SemanticTokensLegend SignatureHelp SignatureInformation ParameterInformation DocumentLink Color ColorInformation ColorPresentation SelectionRange CallHierarchyItem CallHierarchyIncomingCall CallHierarchyOutgoingCall TypeHierarchyItem LinkedEditingRanges InlineValueText InlineValueVariableLookup InlineValueEvaluatableExpression InlineCompletionItem InlineCompletionList NotebookCellKind NotebookRange NotebookCellData NotebookData DocumentHighlight DocumentHighlightKind EndOfLine IndentAction TextDocumentSaveReason OverviewRulerLane DecorationRangeBehavior ExtensionMode ExtensionKind UIKind LogLevel QuickPickItemKind InputBoxValidationSeverity FileSystemError DataTransfer DataTransferItem TestRunProfileKind TextDocumentChangeReason version'.split(' ');
const vscodeStub = new Proxy({}, {
  get(_t, p) { return p === 'version' ? '1.100.0' : p === 'then' ? undefined : (top[p] ??= stub('vscode.' + String(p))); },
  ownKeys() { return API; },
  getOwnPropertyDescriptor(_t, p) { return { configurable: true, enumerable: true, writable: true, value: vscodeStub[p] }; },
  has(_t, p) { return API.includes(p); },
});
const top = {};
const realCp = require('child_process');
const cpStub = { ...realCp, fork() { forked = true; throw new StopAtFork('bench: server start not measured here'); }, spawn() { forked = true; throw new StopAtFork('bench: server start not measured here'); } };
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscodeStub;
  if (request === 'child_process' || request === 'node:child_process') return cpStub;
  return load.apply(this, arguments);
};
const ext = require(process.argv[2]);
const t1 = process.hrtime.bigint();
const ctx = { subscriptions: [], asAbsolutePath: (p) => require('path').join(process.argv[3], p), extensionPath: process.argv[3], extensionUri: vscodeStub.Uri, globalState: vscodeStub.globalState, workspaceState: vscodeStub.workspaceState, storageUri: undefined, globalStorageUri: vscodeStub.Uri, logUri: vscodeStub.Uri, extensionMode: 1, environmentVariableCollection: vscodeStub.env, secrets: vscodeStub.secrets };
let error = null;
Promise.resolve().then(() => ext.activate(ctx)).catch((e) => { error = e; }).then(() => {
  const t2 = process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ loadMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, totalMs: Number(t2 - t0) / 1e6, reachedFork: forked, error: error && !(error instanceof StopAtFork) && !forked ? String(error && error.stack || error) : null, subscriptions: ctx.subscriptions.length }));
  process.exit(0);
});
`;

async function activateOnce(dir) {
  const script = path.join(dir, 'activate-child.js');
  fs.writeFileSync(script, ACTIVATE_CHILD);
  const r = await run(process.execPath, [script, path.join(ROOT, 'dist', 'client.js'), ROOT], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`activate child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The .vsix as `npm run package` makes it, built in a temp copy (the shared dist/ and container-tuner.vsix are left alone). */
async function vsixSize() {
  const dir = tmpdir('vsix');
  try {
    for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'tsconfig.json', 'images', 'syntaxes', 'media', 'client', 'server', 'scripts']) {
      if (fs.existsSync(path.join(ROOT, f))) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const b = await run(process.execPath, ['scripts/build.mjs', '--production'], { cwd: dir, timeoutMs: 300_000 });
    if (b.code !== 0) throw new Error(`production build failed: ${b.stderr}`);
    const out = path.join(dir, 'container-tuner.vsix');
    const p = await run(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', out], { cwd: dir, timeoutMs: 300_000 });
    if (p.code !== 0) throw new Error(`vsce package failed: ${p.stderr || p.stdout}`);
    const sizes = {};
    for (const f of ['client.js', 'server.js']) sizes[f] = fs.statSync(path.join(dir, 'dist', f)).size;
    return { bytes: fs.statSync(out).size, bundles: sizes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function coldStartBench({ quick }) {
  const runs = quick ? 3 : 10;
  const dir = tmpdir('cold');
  try {
    goServiceFolder(dir);
    const text = realisticDockerfile(300);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), text);
    const ours = [process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio']];
    const res = { runs };
    for (const [key, server, settings] of [['ours', ours, {}], ['peer', PEER_SERVER(), undefined]]) {
      await serverStart(server, settings, dir, text); // warm-up (file cache)
      const xs = [];
      for (let i = 0; i < runs; i++) xs.push(await serverStart(server, settings, dir, text));
      res[key] = stats(xs);
    }
    await activateOnce(dir);
    const act = [];
    for (let i = 0; i < runs; i++) act.push(await activateOnce(dir));
    const bad = act.find((a) => !a.reachedFork);
    res.activate = { total: stats(act.map((a) => a.totalMs)), load: stats(act.map((a) => a.loadMs)), activate: stats(act.map((a) => a.activateMs)), reachedFork: !bad, error: bad?.error ?? null, subscriptions: act[0].subscriptions };
    res.vsix = await vsixSize();
    return res;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
