// Entry of dist/client.js (package.json "main"). Loads the extension itself
// (dist/extension.js, client/src/extension.ts) through V8's code cache in the
// extension's global storage (server/src/codeCache.ts): from the second start
// on, activation skips compiling vscode-languageclient and our code.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { codeCacheFolder, loadWithCodeCache, type CachedModule } from '../../server/src/codeCache';

type Extension = typeof import('./extension');

let extension: CachedModule<Extension> | undefined;

export function activate(context: vscode.ExtensionContext): Promise<void> {
  const cacheDir = codeCacheFolder(context);
  extension ??= loadWithCodeCache<Extension>(path.join(__dirname, 'extension.js'), cacheDir);
  const loaded = extension;
  const started = loaded.exports.activate(context, cacheDir);
  // V8 caches what is compiled by now: the bundle's start-up and activate() up to the server start
  const save = () => loaded.save();
  started.then(save, save);
  return started;
}

export function deactivate(): Promise<void> | undefined {
  return extension?.exports.deactivate();
}
