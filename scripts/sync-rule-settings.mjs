// Writes the `containerTuner.rules` setting's per-rule properties into package.json
// from the rule registry (run after adding a rule: `node scripts/sync-rule-settings.mjs`).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

const ids = JSON.parse(
  execFileSync(process.execPath, ['-e', "const r=require('./dist/cli.js');process.stdout.write(JSON.stringify(r.ruleIds()))"], { encoding: 'utf8' }),
);
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const rules = pkg.contributes.configuration.properties['containerTuner.rules'];
rules.properties = Object.fromEntries(
  ids.map(([id, summary]) => [id, { type: 'string', enum: ['off', 'info', 'warning', 'error'], markdownDescription: `${summary} ([docs](https://github.com/container-tuner/container-tuner/blob/main/docs/rules/${id}.md))` }]),
);
fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
console.log(`${ids.length} rules`);
