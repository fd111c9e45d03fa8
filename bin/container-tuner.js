#!/usr/bin/env node
'use strict';
// The CLI entry: the bundled engine lives in dist/ (built by `npm run build`, run by `npm ci`).
let cli;
try {
  cli = require('../dist/cli.js');
} catch (e) {
  process.stderr.write('container-tuner: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(2);
}
const code = cli.main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
