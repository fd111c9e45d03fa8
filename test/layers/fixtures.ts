// Loads the recorded fixtures of test/layers/fixtures (captured from real
// builds by fixtures/capture.sh) into an in-memory workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDockerfileModel, type DockerfileModel } from '../../server/src/engine/dockerfile/model';
import { parseHistory, type HistoryRow } from '../../server/src/engine/layers/history';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function fixtureText(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
}

export function history(rel: string): HistoryRow[] {
  return parseHistory(fixtureText(rel));
}

export function inspectSize(rel: string): number {
  return JSON.parse(fixtureText(rel))[0].Size;
}

/** The fixture folder as an in-memory build context: real names and sizes (contents are filler). */
export function fixtureWorkspace(dir: string, root = `/fixture/${dir}`): { ws: MemoryWorkspace; root: string } {
  const sizes = JSON.parse(fixtureText(`${dir}/context.json`)) as Record<string, number>;
  const ws = new MemoryWorkspace();
  for (const [rel, size] of Object.entries(sizes)) {
    const real = path.join(FIXTURES, dir, rel);
    ws.set(path.join(root, rel), fs.existsSync(real) && fs.statSync(real).size === size ? fs.readFileSync(real, 'utf8') : 'x'.repeat(size));
  }
  for (const f of fs.readdirSync(path.join(FIXTURES, dir))) {
    if (/^(Dockerfile|base\.Dockerfile)/.test(f)) ws.set(path.join(root, f), fixtureText(`${dir}/${f}`));
  }
  return { ws, root };
}

export function fixtureModel(dir: string, dockerfile: string, text?: string): DockerfileModel {
  const { ws, root } = fixtureWorkspace(dir);
  const file = path.join(root, dockerfile);
  const t = text ?? ws.readFile(file)!;
  ws.set(file, t);
  return buildDockerfileModel(t, file, ws);
}
