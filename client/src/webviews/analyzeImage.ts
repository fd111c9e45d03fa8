// "Container Tuner: Analyze Image": pick a local image, an archive or an OCI layout
// folder, analyze it in the language server (`containerTuner/analyzeImage`, with
// work-done progress and cancellation) and show the report in a webview panel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import type { ImageReport } from '../../../server/src/engine/image/analyze';
import { reportToMarkdown } from '../../../server/src/engine/image/markdown';
import { findDockerfileLines, type LineHit } from './dockerfileLines';
import { isDockerfile } from './layersView';
import { localImageItems, showImagePick, type ImagePickItem } from './pickImage';
import { requestLayers } from './protocol';
import { renderReport } from './reportHtml';

export const ANALYZE_COMMAND = 'containerTuner.analyzeImage';

/** The image reference on the cursor's line of a Dockerfile (`FROM`) or a manifest (`image:`). */
export function imageAtCursor(editor: vscode.TextEditor | undefined): string | undefined {
  if (!editor) return undefined;
  const doc = editor.document;
  const line = doc.lineAt(editor.selection.active.line).text;
  let ref: string | undefined;
  if (isDockerfile(doc)) {
    const m = /^\s*FROM\s+(?:--\S+\s+)*([^\s]+)(?:\s+AS\s+\S+)?\s*$/i.exec(line);
    ref = m?.[1];
    // a stage name is not an image
    if (ref && new RegExp(`^\\s*FROM\\s+.*\\s+AS\\s+${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'im').test(doc.getText())) ref = undefined;
  } else if (doc.languageId === 'yaml') {
    ref = /^\s*(?:-\s*)?image:\s*["']?([^\s"'#]+)["']?/.exec(line)?.[1];
  }
  if (!ref || ref.includes('$') || ref.includes('{{') || ref.toLowerCase() === 'scratch') return undefined;
  return ref;
}

/** The image matched to the active Dockerfile by the layer service (best effort, bounded wait). */
async function matchedImage(client: LanguageClient, editor: vscode.TextEditor | undefined): Promise<string | undefined> {
  if (!editor || !isDockerfile(editor.document)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 3000)));
  try {
    const t = await Promise.race([requestLayers(client, editor.document.uri.toString(), {}).catch(() => null), deadline]);
    const img = t?.image;
    return img ? (img.refs[0] ?? img.id) : undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function chooseTarget(client: LanguageClient): Promise<{ kind: 'image' | 'path'; target: string } | undefined> {
  const editor = vscode.window.activeTextEditor;
  const cursor = imageAtCursor(editor);
  const extra: ImagePickItem[] = cursor ? [{ label: cursor, description: 'image under the cursor', iconPath: new vscode.ThemeIcon('target'), value: { kind: 'image', target: cursor } }] : [];
  const items = Promise.all([localImageItems(client), matchedImage(client, editor)]).then(([list, matched]) => {
    if (!matched || matched === cursor) return list;
    const first: ImagePickItem = { label: matched, description: 'image built from the active Dockerfile', iconPath: new vscode.ThemeIcon('layers'), value: { kind: 'image', target: matched } };
    return { ...list, items: [first, ...list.items.filter((i) => i.label !== matched)] };
  });
  const tail: ImagePickItem[] = [
    { label: '$(file-zip) Browse for an archive…', description: 'docker save or OCI layout .tar', browse: 'archive', alwaysShow: true },
    { label: '$(folder) Browse for an OCI layout folder…', browse: 'folder', alwaysShow: true },
  ];
  const pick = await showImagePick('Analyze Image', items, extra, tail);
  if (!pick) return undefined;
  if (pick.value) return pick.value;
  const uris = await vscode.window.showOpenDialog(
    pick.browse === 'folder'
      ? { canSelectFolders: true, canSelectFiles: false, openLabel: 'Analyze', title: 'OCI image layout folder' }
      : { canSelectFiles: true, canSelectFolders: false, openLabel: 'Analyze', title: 'Image archive', filters: { 'Image archives': ['tar', 'tgz', 'gz', 'zst'], 'All files': ['*'] } },
  );
  const u = uris?.[0];
  return u ? { kind: 'path', target: u.fsPath } : undefined;
}

/** Runs the analysis with a cancellable progress notification fed by the server's work-done progress. */
export function runAnalysis(client: LanguageClient, target: { kind: 'image' | 'path'; target: string }): Thenable<ImageReport | undefined> {
  const name = target.kind === 'path' ? path.basename(target.target) : target.target;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Analyzing ${name}`, cancellable: true }, async (progress, token) => {
    const workDoneToken = `containerTuner/analyze/${Date.now()}/${Math.random().toString(36).slice(2)}`;
    let done = 0;
    const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
      if (v.kind === 'end') return;
      const pct = typeof v.percentage === 'number' ? v.percentage : undefined;
      const increment = pct !== undefined && pct > done ? pct - done : undefined;
      if (pct !== undefined && pct > done) done = pct;
      progress.report({ message: v.message, increment });
    });
    try {
      return await client.sendRequest<ImageReport>('containerTuner/analyzeImage', { target: target.target, kind: target.kind, workDoneToken }, token);
    } catch (e) {
      if (token.isCancellationRequested) return undefined;
      void vscode.window.showErrorMessage(`Analyze Image: ${name}: ${(e as Error)?.message ?? e}`);
      return undefined;
    } finally {
      sub.dispose();
    }
  });
}

const DOCKERFILE_GLOB = '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,*.containerfile,Dockerfile.*,Containerfile.*}';

/** Layers whose instruction is in a Dockerfile of the workspace (the active one preferred). */
async function dockerfileLines(report: ImageReport): Promise<Record<number, LineHit>> {
  if (!vscode.workspace.workspaceFolders?.length) return {};
  try {
    const uris = await vscode.workspace.findFiles(DOCKERFILE_GLOB, '**/{node_modules,.git,vendor}/**', 200);
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    uris.sort((a, b) => (a.toString() === active ? -1 : b.toString() === active ? 1 : a.fsPath.length - b.fsPath.length));
    const files = [];
    for (const u of uris) {
      const bytes = await vscode.workspace.fs.readFile(u);
      if (bytes.byteLength > 1_000_000) continue;
      files.push({ id: u.toString(), label: vscode.workspace.asRelativePath(u, false), text: Buffer.from(bytes).toString('utf8') });
    }
    return findDockerfileLines(report.layers.map((l) => l.instruction), files);
  } catch {
    return {};
  }
}

/** The report panel with its actions (open a Dockerfile line, export Markdown / JSON). */
export async function showReport(context: vscode.ExtensionContext, report: ImageReport): Promise<vscode.WebviewPanel> {
  const title = `Image: ${report.image.repoTags[0] ?? path.basename(report.image.input)}`;
  const panel = vscode.window.createWebviewPanel('containerTuner.imageReport', title, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [],
    retainContextWhenHidden: false,
  });
  const hits = await dockerfileLines(report);
  const labels: Record<number, string> = {};
  for (const [k, v] of Object.entries(hits)) labels[Number(k)] = v.label;
  panel.webview.html = renderReport(report, { cspSource: panel.webview.cspSource, dockerfileLines: labels });
  const base = (report.image.repoTags[0] ?? path.basename(report.image.input)).replace(/[^A-Za-z0-9._-]+/g, '_');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const save = async (ext: string, filter: string, text: string) => {
    const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}.report.${ext}`) : undefined, filters: { [filter]: [ext] }, title: `Export ${filter}` });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(uri, false)}`);
  };
  panel.webview.onDidReceiveMessage(
    async (m: { type?: string; layer?: string; href?: string }) => {
      switch (m?.type) {
        case 'exportMarkdown':
          return save('md', 'Markdown', reportToMarkdown(report));
        case 'exportJson':
          return save('json', 'JSON', JSON.stringify(report, null, 2) + '\n');
        case 'openExternal':
          if (typeof m.href === 'string' && /^https:\/\//.test(m.href)) await vscode.env.openExternal(vscode.Uri.parse(m.href));
          return;
        case 'openLine': {
          const hit = hits[Number(m.layer)];
          if (!hit) return;
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(hit.id));
          const pos = new vscode.Position(hit.line, 0);
          await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(pos, pos) });
          return;
        }
      }
    },
    undefined,
    context.subscriptions,
  );
  return panel;
}

/** The command: `target` (a reference or path) skips the pick (e.g. from other commands and tests). */
export async function analyzeImageCommand(context: vscode.ExtensionContext, client: LanguageClient, target?: string): Promise<void> {
  const t = typeof target === 'string' && target.trim() ? { kind: 'path' as const, target: target.trim() } : await chooseTarget(client);
  if (!t) return;
  const report = await runAnalysis(client, t);
  if (report) await showReport(context, report);
}
