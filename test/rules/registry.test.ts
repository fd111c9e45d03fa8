// Every rule is registered, documented, tested, configurable and listed in the README.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../server/src/engine/rules';

const ROOT = path.resolve(__dirname, '../..');
const ruleFiles = fs.readdirSync(path.join(ROOT, 'server/src/engine/rules')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('rule registry', () => {
  it('registers every rule file exactly once, ids matching file names', () => {
    expect(ALL_RULES.map((r) => r.id).sort()).toEqual([...ruleFiles].sort());
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
  });
  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s has a docs page, a test table, a setting and a README row', (id, rule) => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/rules', `${id}.md`), 'utf8');
    expect(doc).toMatch(new RegExp(`^# ${id}\\b`));
    for (const section of ['## What it does', '## Why is this bad?', '## Example']) expect(doc).toContain(section);
    expect(fs.existsSync(path.join(ROOT, 'test/rules', `${id}.test.ts`))).toBe(true);
    const setting = pkg.contributes.configuration.properties['containerTuner.rules'].properties[id];
    expect(setting?.enum).toEqual(['off', 'info', 'warning', 'error']);
    expect(readme).toContain(`[${id}](docs/rules/${id}.md)`);
    expect(rule.summary.length).toBeLessThan(200);
  });
});
