// 2. Cold start: server process start -> first publishDiagnostics (ours and
// docker-langserver); extension bundle load + activate() with a stub vscode
// module; .vsix size. Ours is measured on the production bundles that the .vsix
// ships (built in a temp copy of the tree), and on the dev build (`npm run build`)
// for reference.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configAnswer, LspClient, ms, PEER_SERVER, ROOT, run, stats, tmpdir } from './lib.mjs';
import { goServiceFolder, realisticDockerfile } from './latency.mjs';

async function serverStart(server, settings, dir, text) {
  const [cmd, args, env] = server;
  const file = path.join(dir, 'Dockerfile');
  const uri = pathToFileURL(file).href;
  const client = new LspClient(cmd, args, { onRequest: configAnswer(settings), cwd: dir, env: env ? { ...process.env, ...env } : process.env });
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
// time is load + activation up to the fork call, without the server's own start
// (measured above) and without what the client does after a failed fork (it logs
// the error with a localized time stamp, ~10 ms of ICU set-up that a real start
// never runs).
// The extension host has loaded these Node modules before any extension (static
// imports of VS Code 1.100's out/vs/workbench/api/node/extensionHostProcess.js):
// the child loads them before the clock starts, as a real activation finds them.
const HOST_PRELOADED = ['assert', 'child_process', 'crypto', 'events', 'fs', 'http', 'net', 'os', 'stream', 'string_decoder', 'url', 'util', 'zlib'];
const ACTIVATE_CHILD = `
const Module = require('module');
for (const m of ${JSON.stringify(HOST_PRELOADED)}) require(m);
const t0 = process.hrtime.bigint();
class StopAtFork extends Error {}
let forked = false;
let tFork = null;
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
const stop = () => { forked = true; tFork ??= process.hrtime.bigint(); throw new StopAtFork('bench: server start not measured here'); };
const cpStub = { ...realCp, fork: stop, spawn: stop };
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscodeStub;
  if (request === 'child_process' || request === 'node:child_process') return cpStub;
  return load.apply(this, arguments);
};
const ext = require(process.argv[2]);
const t1 = process.hrtime.bigint();
// the global storage folder VS Code gives every extension (where ours keeps its V8 code cache)
const globalStorageUri = { scheme: 'file', fsPath: process.argv[4], path: process.argv[4] };
const ctx = { subscriptions: [], asAbsolutePath: (p) => require('path').join(process.argv[3], p), extensionPath: process.argv[3], extensionUri: vscodeStub.Uri, globalState: vscodeStub.globalState, workspaceState: vscodeStub.workspaceState, storageUri: undefined, globalStorageUri, logUri: vscodeStub.Uri, extensionMode: 1, environmentVariableCollection: vscodeStub.env, secrets: vscodeStub.secrets };
let error = null;
Promise.resolve().then(() => ext.activate(ctx)).catch((e) => { error = e; }).then(() => {
  const t2 = tFork ?? process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ loadMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, totalMs: Number(t2 - t0) / 1e6, reachedFork: forked, error: error && !(error instanceof StopAtFork) && !forked ? String(error && error.stack || error) : null, subscriptions: ctx.subscriptions.length }));
  process.exit(0);
});
`;

async function activateOnce(dir, extRoot, storage) {
  const script = path.join(dir, 'activate-child.js');
  fs.writeFileSync(script, ACTIVATE_CHILD);
  const r = await run(process.execPath, [script, path.join(extRoot, 'dist', 'client.js'), extRoot, storage], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`activate child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A temp copy of the tree with the production bundles, as `npm run package` builds them (the shared dist/ is left alone). */
async function productionTree() {
  const dir = tmpdir('vsix');
  for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'tsconfig.json', 'images', 'syntaxes', 'media', 'client', 'server', 'scripts']) {
    if (fs.existsSync(path.join(ROOT, f))) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const b = await run(process.execPath, ['scripts/build.mjs', '--production'], { cwd: dir, timeoutMs: 300_000 });
  if (b.code !== 0) throw new Error(`production build failed: ${b.stderr}`);
  return dir;
}

/** The .vsix as `npm run package` makes it from the production tree (container-tuner.vsix is left alone). */
async function vsixSize(dir) {
  const out = path.join(dir, 'container-tuner.vsix');
  const p = await run(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', out], { cwd: dir, timeoutMs: 300_000 });
  if (p.code !== 0) throw new Error(`vsce package failed: ${p.stderr || p.stdout}`);
  // the bundles the .vsix ships: the `!dist/*.js` lines of .vscodeignore (dist/cli.js is not one)
  const shipped = fs.readFileSync(path.join(dir, '.vscodeignore'), 'utf8').split(/\r?\n/).filter((l) => /^!dist\/[^/*]+\.js$/.test(l.trim())).map((l) => l.trim().slice('!dist/'.length));
  const sizes = {};
  for (const f of shipped) if (fs.existsSync(path.join(dir, 'dist', f))) sizes[f] = fs.statSync(path.join(dir, 'dist', f)).size;
  return { bytes: fs.statSync(out).size, bundles: sizes };
}

/** `fresh`: a new, empty global storage folder each run (the first activation after an install or update: no code cache yet). */
async function activateStats(dir, extRoot, runs, fresh = false) {
  const storage = () => fs.mkdtempSync(path.join(dir, 'global-storage-'));
  const kept = storage();
  await activateOnce(dir, extRoot, kept); // warm-up (file cache; writes the code cache)
  const act = [];
  for (let i = 0; i < runs; i++) act.push(await activateOnce(dir, extRoot, fresh ? storage() : kept));
  const bad = act.find((a) => !a.reachedFork);
  return { total: stats(act.map((a) => a.totalMs)), load: stats(act.map((a) => a.loadMs)), activate: stats(act.map((a) => a.activateMs)), reachedFork: !bad, error: bad?.error ?? null, subscriptions: act[0].subscriptions };
}

export async function coldStartBench({ quick }) {
  const runs = quick ? 3 : 10;
  const dir = tmpdir('cold');
  let prod;
  try {
    prod = await productionTree();
    goServiceFolder(dir);
    const text = realisticDockerfile(300);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), text);
    // as the VS Code client starts it: with a code cache folder in the global storage (written by the warm-up run)
    const cache = { CONTAINER_TUNER_CODE_CACHE: fs.mkdtempSync(path.join(dir, 'code-cache-')) };
    const ours = [process.execPath, [path.join(prod, 'dist', 'server.js'), '--stdio'], cache];
    const oursNoCache = [process.execPath, [path.join(prod, 'dist', 'server.js'), '--stdio']];
    const oursDev = [process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio']];
    const res = { runs, bundles: 'production (.vsix); *Dev: dev build' };
    for (const [key, server, settings] of [['ours', ours, {}], ['oursNoCache', oursNoCache, {}], ['oursDev', oursDev, {}], ['peer', PEER_SERVER(), undefined]]) {
      await serverStart(server, settings, dir, text); // warm-up (file cache)
      const xs = [];
      for (let i = 0; i < runs; i++) xs.push(await serverStart(server, settings, dir, text));
      res[key] = stats(xs);
    }
    res.activate = await activateStats(dir, prod, runs);
    res.activateFirst = await activateStats(dir, prod, runs, true);
    res.activateDev = await activateStats(dir, ROOT, runs, true);
    res.vsix = await vsixSize(prod);
    return res;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    if (prod) fs.rmSync(prod, { recursive: true, force: true });
  }
}
