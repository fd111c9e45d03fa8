// Bundles the extension client, the language server and the CLI with esbuild.
// `--production` minifies and drops source maps (what goes into the .vsix).
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Production: whitespace and syntax only. Renamed identifiers made both bundles
  // slower to start (measured with `process.cpuUsage()` around `require`, 15 runs
  // each, interleaved: the server bundle 57 ms of CPU fully minified against 49–52
  // whitespace/syntax-only, the client to the server start 41–43 against 34–36),
  // for a .vsix that stays far below its size budget.
  minifyWhitespace: production,
  minifySyntax: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

// vscode-languageclient checks VS Code's version with two `semver` functions;
// client/src/semver.ts does that one check without loading the whole package (see there).
const semverLite = {
  name: 'semver-lite',
  setup(build) {
    const lite = path.join(ROOT, 'client', 'src', 'semver.ts');
    build.onResolve({ filter: /^semver\/functions\/(parse|satisfies)$/ }, (args) => ({ path: args.path, namespace: 'semver-lite' }));
    build.onLoad({ filter: /.*/, namespace: 'semver-lite' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(lite)}).${args.path.endsWith('parse') ? 'parse' : 'satisfies'};`,
      resolveDir: ROOT,
      loader: 'js',
    }));
  },
};

// dist/client.js and dist/server.js are small loaders that load dist/extension.js and
// dist/server-main.js through V8's code cache (server/src/codeCache.ts).
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/main.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [semverLite] }),
  esbuild.build({ ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/serverMain.ts'], outfile: 'dist/server-main.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' }),
]);
