// The VS Code extension: starts the language server and registers commands.
// All linting happens in the server; this file only wires it into the editor.
// Bundled as dist/extension.js, loaded by dist/client.js (main.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { analyzeImageCommand, ANALYZE_COMMAND } from './webviews/analyzeImage';
import { LAYERS_VIEW_ID, LayersViewProvider } from './webviews/layersView';
import { CODE_CACHE_ENV } from '../../server/src/codeCache';

let client: LanguageClient | undefined;

/** Called by dist/client.js (client/src/main.ts); `codeCacheDir`: where the server keeps its V8 code cache. */
export async function activate(context: vscode.ExtensionContext, codeCacheDir?: string): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const env = codeCacheDir ? { [CODE_CACHE_ENV]: codeCacheDir } : undefined;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: env && { env } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'], env } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'dockerfile' },
      { pattern: '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,*.containerfile,Dockerfile.*,Containerfile.*}' },
      // Kubernetes manifests; other YAML is read and left alone
      { language: 'yaml', scheme: 'file' },
      { language: 'yaml', scheme: 'untitled' },
    ],
    synchronize: {
      configurationSection: 'containerTuner',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{go.mod,.dockerignore,*.dockerignore,.container-tuner.yaml,.container-tuner.yml,kustomization.yaml,kustomization.yml,Kustomization,skaffold.yaml,skaffold.yml,Tiltfile,Chart.yaml}'),
    },
    // `trusted`: in an untrusted workspace the server runs no docker command (read again on every (re)start)
    initializationOptions: () => ({ settings: vscode.workspace.getConfiguration('containerTuner'), trusted: vscode.workspace.isTrusted }),
    diagnosticCollectionName: 'container-tuner',
  };
  client = new LanguageClient('containerTuner', 'Container Tuner', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.commands.registerCommand('containerTuner.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      await vscode.commands.executeCommand('editor.action.codeAction', { kind: 'source.fixAll.containerTuner', apply: 'first' });
    }),
    vscode.commands.registerCommand('containerTuner.restartServer', async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand('containerTuner.showOutput', () => client?.outputChannel.show()),
  );

  // webviews: "Image Layers" (view + command) and "Analyze Image" (command + report panel)
  const layersView = new LayersViewProvider(client);
  context.subscriptions.push(
    layersView,
    vscode.window.registerWebviewViewProvider(LAYERS_VIEW_ID, layersView),
    vscode.commands.registerCommand('containerTuner.showLayers', () => layersView.show()),
    vscode.commands.registerCommand(ANALYZE_COMMAND, (target?: unknown) => analyzeImageCommand(context, client!, typeof target === 'string' ? target : undefined)),
  );

  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void client?.sendNotification('containerTuner/trust', { trusted: true });
    }),
  );

  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
