// What the lint path remembers to go faster must not change what it answers:
// the stage-ancestry index against the plain walk, the dockerfile-ast argument
// memo against a fresh read of the text, the workspace caches against the disk.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildDockerfileModel, inLineage, stageLineage, stageRoot } from '../../server/src/engine/dockerfile/model';
import { joinContinuations, plainText, type LogicalText } from '../../server/src/engine/dockerfile/shell';
import { CachedFsWorkspace, LintWorkspace, MemoryWorkspace } from '../../server/src/engine/workspace';
import type { Workspace } from '../../server/src/engine/types';

const model = (text: string) => buildDockerfileModel(text, '/p/Dockerfile', new MemoryWorkspace({ '/p/Dockerfile': text }));

describe('stage ancestry index', () => {
  it('inLineage and stageRoot agree with stageLineage for every pair of stages of a forest', () => {
    // two trees and a lone image stage, names reused, children declared far from their parents
    const text = [
      'FROM golang:1.22 AS a',
      'FROM a AS b',
      'FROM alpine:3.20 AS c',
      'FROM b AS d',
      'FROM c AS e',
      'FROM a AS f',
      'FROM d AS g',
      'FROM scratch',
      'FROM e AS h',
      'FROM g',
    ].join('\n') + '\n';
    const m = model(text);
    expect(m.stages).toHaveLength(10);
    for (const s of m.stages) {
      const lineage = stageLineage(s);
      expect(stageRoot(s)).toBe(lineage[lineage.length - 1]);
      for (const t of m.stages) expect(inLineage(m, s, t), `${s.index} in lineage of ${t.index}`).toBe(lineage.includes(t));
    }
    // the expected shape itself
    expect(stageLineage(m.stages[9]).map((s) => s.index)).toEqual([9, 6, 3, 1, 0]);
    expect(inLineage(m, m.stages[9], m.stages[0])).toBe(true);
    expect(inLineage(m, m.stages[8], m.stages[0])).toBe(false);
  });

  it('a chain of 20,000 stages: no recursion, and every stage reaches the root', () => {
    let text = 'FROM golang:1.22 AS s0\n';
    for (let i = 1; i < 20_000; i++) text += `FROM s${i - 1} AS s${i}\n`;
    const m = model(text);
    const last = m.stages[m.stages.length - 1];
    expect(stageRoot(last)).toBe(m.stages[0]);
    expect(inLineage(m, last, m.stages[0])).toBe(true);
    expect(inLineage(m, m.stages[0], last)).toBe(false);
    expect(inLineage(m, last, m.stages[12_345])).toBe(true);
  });
});

describe('dockerfile-ast arguments, read once per instruction', () => {
  it('every caller gets its own copy of the same arguments (flags shifted off one do not reach the next)', () => {
    const m = model('FROM alpine:3.20\nCOPY --chown=1:1 --from=x a b /dst/\n');
    const node = m.instructions[1].node as unknown as { getArguments(): { getValue(): string }[]; getRawArguments(): { getValue(): string }[] };
    const first = node.getArguments().map((a) => a.getValue());
    const again = node.getArguments().map((a) => a.getValue());
    expect(first).toEqual(['a', 'b', '/dst/']);
    expect(again).toEqual(first);
    expect(node.getRawArguments().map((a) => a.getValue())).toEqual(['--chown=1:1', '--from=x', 'a', 'b', '/dst/']);
  });

  it('the memo keeps what the text says: flags, heredocs, continuations and comments between them', () => {
    const text = 'FROM golang:1.22 AS b\nRUN --mount=type=cache,target=/go/pkg/mod \\\n  # a comment\n  go build \\\n  -o /out/app . && <<EOF cat\nhello\nEOF\nCOPY --from=b /out/app /app\n';
    const m = model(text);
    const run = m.instructions[1];
    expect(run.flags.map((f) => [f.name, f.value])).toEqual([['mount', 'type=cache,target=/go/pkg/mod']]);
    expect(run.scripts[0].commands.map((c) => c.argv.map((w) => w.value))).toEqual([['go', 'build', '-o', '/out/app', '.'], ['cat']]);
    expect((run.node as unknown as { getHeredocs(): unknown[] }).getHeredocs()).toHaveLength(1);
    expect(m.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'COPY']);
    expect(m.instructions[2].range.start.line).toBe(7);
  });
});

/** The document offset of every logical index, the end marker included. */
const offsets = (t: LogicalText) => Array.from({ length: t.text.length + 1 }, (_, i) => t.at(i));
describe('joinContinuations', () => {
  it('keeps each character with its document offset (runs copied at once)', () => {
    const doc = 'RUN a \\\n  # c\n\n  b \\  \r\n c\\\nd';
    const t = joinContinuations(doc, 4, doc.length, '\\', false);
    expect(t.text).toBe('a   b  cd');
    for (let i = 0; i < t.text.length; i++) expect(doc[t.at(i)]).toBe(t.text[i]);
    expect(t.at(t.text.length)).toBe(doc.length);
    // a line break that is not escaped ends the logical line
    const first = joinContinuations('RUN x\nRUN y', 4, 11, '\\', true);
    expect([first.text, offsets(first)]).toEqual(['x', [4, 5]]);
  });

  it('trimStart drops the blanks before the first kept character, on any line, as trimming the joined text does', () => {
    const doc = 'RUN  \t \\\n   \\\n  apk add x\nRUN   \nRUN  \\';
    const joined = joinContinuations(doc, 3, 29, '\\', true);
    const trimmed = joinContinuations(doc, 3, 29, '\\', true, true);
    const lead = joined.text.length - joined.text.trimStart().length;
    expect([trimmed.text, offsets(trimmed)]).toEqual([joined.text.slice(lead), offsets(joined).slice(lead)]);
    expect(trimmed.text).toBe('apk add x');
    // nothing but blanks: the end marker is just after the last blank, as before
    const blank = doc.indexOf('RUN   \n') + 3;
    const allBlank = joinContinuations(doc, blank, blank + 4, '\\', true, true);
    expect([allBlank.text, offsets(allBlank)]).toEqual(['', [blank + 3]]);
    const j = joinContinuations(doc, blank, blank + 4, '\\', true);
    expect(offsets(j).slice(j.text.length)).toEqual(offsets(allBlank));
    // blanks then an escape at the very end of the text
    const tail = doc.lastIndexOf('RUN') + 3;
    const t1 = joinContinuations(doc, tail, doc.length, '\\', true);
    const t2 = joinContinuations(doc, tail, doc.length, '\\', true, true);
    expect([t2.text, offsets(t2)]).toEqual(['', offsets(t1).slice(t1.text.length)]);
  });

  it('finds the offset of every character of a long continuation (runs searched, not scanned)', () => {
    // 300 continuation lines with comment and blank lines between some of them, CRLF and LF mixed
    const lines = Array.from({ length: 300 }, (_, k) => `  cmd${k} --flag=${'x'.repeat(k % 7)} \\${k % 3 ? '\n' : '\r\n'}${k % 11 === 0 ? '# note\n\n' : ''}`);
    const doc = `RUN ${lines.join('')}  end\n`;
    const t = joinContinuations(doc, 4, doc.length, '\\', true);
    const at = offsets(t);
    for (let i = 0; i < t.text.length; i++) {
      if (doc[at[i]] !== t.text[i]) throw new Error(`offset of ${i}`);
      // what lies between two kept characters is a continuation: the escape, blanks, a line break, comment and blank lines
      const gap = doc.slice(at[i] + 1, at[i + 1]);
      if (gap && !/^\\[ \t]*(\r\n|\n)((#[^\n]*)?\n)*$/.test(gap)) throw new Error(`gap after ${i}: ${JSON.stringify(gap)}`);
    }
    expect(t.at(t.text.length)).toBe(doc.indexOf('end') + 3);
  });

  it('slices keep the offsets, across runs, and clamp indexes outside the text', () => {
    const doc = 'RUN --mount=type=cache,target=/root/.cache \\\n    go build \\\n  -o /app .';
    const args = joinContinuations(doc, 3, doc.length, '\\', true, true);
    for (const from of [0, 1, 10, 41, 42, 45, 50, args.text.length - 1, args.text.length, args.text.length + 3]) {
      const s = args.slice(from);
      const k = Math.min(from, args.text.length);
      expect(s.text).toBe(args.text.slice(from));
      expect(offsets(s)).toEqual(offsets(args).slice(k));
    }
    // the same text further on in the document: every offset moved, slices of it too
    const moved = args.shifted(7);
    expect(offsets(moved)).toEqual(offsets(args).map((o) => o + 7));
    for (const from of [0, 5, 42, args.text.length]) expect(offsets(moved.slice(from))).toEqual(offsets(args.slice(from)).map((o) => o + 7));
    expect(offsets(moved.shifted(-7))).toEqual(offsets(args));
    expect(args.at(-5)).toBe(args.at(0));
    expect(args.at(args.text.length + 9)).toBe(args.at(args.text.length));
    const p = plainText(doc, 4, 9);
    expect([p.text, offsets(p)]).toEqual(['--mou', [4, 5, 6, 7, 8, 9]]);
    expect(offsets(plainText(doc, 7, 7))).toEqual([7]);
  });
});

describe('workspace caches', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.useRealTimers();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cache-'));
    dirs.push(d);
    return d;
  };

  it('LintWorkspace asks its workspace once per path and answers the same', () => {
    const calls: string[] = [];
    const inner = new MemoryWorkspace({ '/w/go.mod': 'module x\n', '/w/sub/a.go': 'package a\n' });
    const counting: Workspace = {
      readFile: (p) => (calls.push(`read ${p}`), inner.readFile(p)),
      exists: (p) => (calls.push(`exists ${p}`), inner.exists(p)),
      isDirectory: (p) => (calls.push(`dir ${p}`), inner.isDirectory(p)),
      listDir: (p) => (calls.push(`list ${p}`), inner.listDir(p)),
    };
    const ws = LintWorkspace.of(counting);
    expect(LintWorkspace.of(ws)).toBe(ws);
    for (let i = 0; i < 3; i++) {
      expect(ws.readFile('/w/go.mod')).toBe('module x\n');
      expect(ws.readFile('/w/none')).toBeUndefined();
      expect(ws.exists('/w/sub')).toBe(true);
      expect(ws.isDirectory('/w/sub')).toBe(true);
      expect(ws.isDirectory('/w/go.mod')).toBe(false);
      expect(ws.listDir('/w').sort()).toEqual(['go.mod', 'sub']);
    }
    expect(calls).toEqual(['read /w/go.mod', 'read /w/none', 'exists /w/sub', 'dir /w/sub', 'dir /w/go.mod', 'list /w']);
  });

  it('CachedFsWorkspace with a maximum age: the disk is read again once an answer is older, or after invalidate(); editor buffers win', () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const d = tmp();
    const mod = path.join(d, 'go.mod');
    const ws = new CachedFsWorkspace(1000);
    expect(ws.readFile(mod)).toBeUndefined();
    expect(ws.exists(mod)).toBe(false);
    fs.writeFileSync(mod, 'module a\n');
    // within the age: what was read
    vi.setSystemTime(1_000_500);
    expect(ws.readFile(mod)).toBeUndefined();
    expect(ws.exists(mod)).toBe(false);
    // older: read again
    vi.setSystemTime(1_001_600);
    expect(ws.readFile(mod)).toBe('module a\n');
    expect(ws.exists(mod)).toBe(true);
    fs.writeFileSync(mod, 'module b\n');
    fs.mkdirSync(path.join(d, 'vendor'));
    expect(ws.readFile(mod)).toBe('module a\n');
    expect(ws.listDir(d).sort()).toEqual(['go.mod', 'vendor']);
    ws.invalidate();
    expect(ws.readFile(mod)).toBe('module b\n');
    expect(ws.isDirectory(path.join(d, 'vendor'))).toBe(true);
    // an open editor buffer is never cached
    ws.overlay.set(mod, 'module edited\n');
    expect(ws.readFile(mod)).toBe('module edited\n');
    ws.overlay.delete(mod);
    expect(ws.readFile(mod)).toBe('module b\n');
  });

  it('CachedFsWorkspace without an age (a CLI run) keeps every answer', () => {
    const d = tmp();
    const f = path.join(d, '.dockerignore');
    const ws = new CachedFsWorkspace();
    expect(ws.readFile(f)).toBeUndefined();
    fs.writeFileSync(f, '.git\n');
    expect(ws.readFile(f)).toBeUndefined();
    expect(ws.exists(path.join(d, 'missing', 'deeper'))).toBe(false);
    expect(ws.isDirectory(d)).toBe(true);
  });
});
