// Re-renders bench/RESULTS.md from bench/results.json (after editing report.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './lib.mjs';
import { renderMarkdown } from './report.mjs';

const dir = path.join(ROOT, 'bench');
fs.writeFileSync(path.join(dir, 'RESULTS.md'), renderMarkdown(JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'))));
