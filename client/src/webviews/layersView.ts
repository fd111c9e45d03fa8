// "Image Layers": the webview view in the Container Tuner view container. Follows
// the active Dockerfile, asks the server for its layer table (`containerTuner/layers`),
// refreshes on `containerTuner/layersChanged`, and watches `docker events` through the
// server (`containerTuner/watchImages`) only while the view is visible.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { LayerTable } from '../../../server/src/engine/layers/estimate';
import { buildCommandLine, renderLayers, type LayersViewData } from './layersHtml';
import { localImageItems, showImagePick } from './pickImage';
import { requestLayers, watchImages } from './protocol';

export const LAYERS_VIEW_ID = 'containerTuner.layers';

const DOCKERFILE_NAME = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.(?:dockerfile|containerfile)$/i;

export function isDockerfile(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'dockerfile' || DOCKERFILE_NAME.test(path.basename(doc.uri.path));
}

export class LayersViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  private uri?: string;
  private table?: LayerTable;
  private notice?: string;
  private busy = false;
  /** Per Dockerfile: the image the user picked (kept for Retry). */
  private readonly picked = new Map<string, string>();
  private seq = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly client: LanguageClient) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && isDockerfile(e.document) && e.document.uri.toString() !== this.uri) this.follow(e.document.uri.toString());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.toString() === this.uri) {
          this.uri = undefined;
          this.table = undefined;
          this.render();
        }
      }),
      client.onNotification('containerTuner/layersChanged', (p: { uri?: string }) => {
        if (p?.uri === this.uri && this.view?.visible) void this.refresh();
      }),
    );
    const e = vscode.window.activeTextEditor;
    if (e && isDockerfile(e.document)) this.uri = e.document.uri.toString();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [] };
    view.webview.onDidReceiveMessage((m) => void this.onMessage(m), undefined, this.disposables);
    view.onDidChangeVisibility(() => {
      void watchImages(this.client, view.visible).catch(() => undefined);
      if (view.visible) void this.refresh();
    }, undefined, this.disposables);
    view.onDidDispose(() => {
      this.view = undefined;
      void watchImages(this.client, false).catch(() => undefined);
    }, undefined, this.disposables);
    void watchImages(this.client, view.visible).catch(() => undefined);
    this.render();
    void this.refresh();
  }

  /** Show the view (command "Container Tuner: Show Image Layers") for the active Dockerfile. */
  async show(): Promise<void> {
    const e = vscode.window.activeTextEditor;
    if (e && isDockerfile(e.document)) this.uri = e.document.uri.toString();
    await vscode.commands.executeCommand(`${LAYERS_VIEW_ID}.focus`);
    await this.refresh();
  }

  private follow(uri: string): void {
    this.uri = uri;
    this.table = undefined;
    if (this.view?.visible) void this.refresh();
  }

  private async refresh(req: { stage?: number; image?: string } = {}): Promise<void> {
    if (!this.view) return;
    const uri = this.uri;
    if (!uri) {
      this.table = undefined;
      this.notice = undefined;
      this.render();
      return;
    }
    const seq = ++this.seq;
    // re-rendering reloads the page: only say "measuring" when there is nothing to show yet
    if (!this.table) {
      this.busy = true;
      this.notice = 'Measuring layers…';
      this.render();
    }
    try {
      const t = await requestLayers(this.client, uri, req);
      if (seq !== this.seq || uri !== this.uri) return;
      this.table = t ?? undefined;
      this.notice = t ? undefined : 'Not a Dockerfile (or Container Tuner is disabled).';
    } catch (e) {
      if (seq !== this.seq) return;
      this.notice = `Could not read the layers: ${(e as Error)?.message ?? e}`;
    } finally {
      if (seq === this.seq) {
        this.busy = false;
        this.render();
      }
    }
  }

  private render(): void {
    if (!this.view) return;
    const data: LayersViewData = { table: this.table, notice: this.notice, busy: this.busy };
    this.view.description = this.table ? path.basename(this.table.file) : undefined;
    this.view.webview.html = renderLayers(data, { cspSource: this.view.webview.cspSource });
  }

  private async onMessage(m: { type?: string; line?: string; value?: string }): Promise<void> {
    const uri = this.uri;
    switch (m?.type) {
      case 'reveal': {
        const line = Number(m.line);
        if (!uri || !Number.isInteger(line)) return;
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
        const pos = new vscode.Position(line, 0);
        const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false, selection: new vscode.Range(pos, pos) });
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
      case 'stage': {
        const stage = Number(m.value);
        if (Number.isInteger(stage)) await this.refresh({ stage });
        return;
      }
      case 'pickImage': {
        if (!uri) return;
        const pick = await showImagePick('Image to read layer sizes from', localImageItems(this.client));
        if (!pick?.value) return;
        this.picked.set(uri, pick.value.target);
        await this.refresh({ image: pick.value.target });
        return;
      }
      case 'autoImage':
        if (!uri) return;
        this.picked.delete(uri);
        await this.refresh({ image: '' });
        return;
      case 'retry':
        // a pick (or '' = automatic matching) makes the server compute again now
        if (uri) await this.refresh({ image: this.picked.get(uri) ?? '' });
        return;
      case 'copyBuild':
        if (this.table) {
          await vscode.env.clipboard.writeText(buildCommandLine(this.table));
          void vscode.window.setStatusBarMessage('Build command copied', 3000);
        }
        return;
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
