// Ad-hoc: `RULE=go-strip-symbols npx vitest run -c scripts/vitest.corpus.config.mts` prints what a rule
// (or every rule, without RULE) reports on each corpus Dockerfile. Not part of `npm test`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'vitest';
import { lint } from '../server/src/engine/lint';
import { ALL_RULES } from '../server/src/engine/rules';
import { FsWorkspace } from '../server/src/engine/workspace';

it('corpus report', async () => {
  const dir = path.resolve(__dirname, '../../shared/corpus/dockerfiles');
  const only = process.env.RULE;
  let rules = ALL_RULES;
  if (only) {
    const file = path.resolve(__dirname, '../server/src/engine/rules', only + '.ts');
    const mod = await import(file);
    rules = Object.values(mod).filter((v: any) => v && v.id === only) as any;
  }
  for (const f of fs.readdirSync(dir).sort()) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const { findings } = lint({ text, path: path.join(dir, f) }, new FsWorkspace(), { rules, onRuleError: (r, e) => console.log('THROW', r, e) });
    for (const x of findings) console.log(`${f}:${x.range.start.line + 1} ${x.severity} ${x.rule} ${x.message}${x.fixes.length ? ' [fix: ' + x.fixes.map((y) => y.title + (y.preferred ? '*' : '')).join(', ') + ']' : ''}`);
  }
});
