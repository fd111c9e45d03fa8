// Entry of the server bundle (dist/server.js), started by the VS Code client over IPC.
// It loads the server itself (dist/server-main.js, serverMain.ts) through V8's code
// cache when the client names a folder for it (codeCache.ts). The cache is written
// once, with what the start-up, the first lints and hovers compiled: 10 s after the
// start, or when the process ends if that comes first.
import * as path from 'node:path';
import { CODE_CACHE_ENV, loadWithCodeCache } from './codeCache';

const server = loadWithCodeCache(path.join(__dirname, 'server-main.js'), process.env[CODE_CACHE_ENV] || undefined);
if (server.state !== 'off' && server.state !== 'hit') {
  setTimeout(() => server.save(), 10_000).unref();
  process.once('exit', () => server.save());
}
