// Incremental Dockerfile parse (issue #9): the language server keeps the parse
// of a Dockerfile's previous version and, on a keystroke inside one line of
// one instruction, parses that instruction again (dockerfile/incremental.ts).
// Property: after any sequence of edits (characters typed and deleted, `\`
// at line ends, `<<`, comments, quotes, line breaks, CRLF, keywords changed,
// stages added), the instructions are node for node what a whole parse gives
// (keyword, ranges, arguments, properties, heredocs, text), and linting with
// the cache gives exactly the findings of a fresh lint. The test also counts
// how often the one-instruction path was taken, so that it cannot pass by
// always parsing the whole text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instruction } from 'dockerfile-ast';
import { commonPrefix, commonSuffix, DockerfileParseCache, parseDockerfile, type ParsedDockerfile } from '../../server/src/engine/dockerfile/incremental';
import { buildDockerfileModel, nodeHeredocs, type DockerfileModel } from '../../server/src/engine/dockerfile/model';
import { lint } from '../../server/src/engine/lint';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { corpusFiles, dockerfileDoc } from '../fuzz/generators';

const SEED = 0x1d0c;
const EXAMPLES = path.resolve(__dirname, '../../examples');

/** What typing does: characters, words, things that change an instruction's extent or kind. */
const PIECES = [
  'a', 'x', ' ', ' ', '\t', '-', '=', '/', '.', '"', "'", '$', '${GO', '}', '`', '#', '# c', '\\', ' \\', '<<', '<<EOF', '&&', ' && go build -o /app .',
  ' -ldflags="-s -w"', 'CGO_ENABLED=0 ', '--mount=type=cache,target=/root/.cache/go-build ', 'AS build', ' AS ', ':3.20', '@sha256:', 'USER 1000',
  'FROM golang:1.24', 'FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'RUN ', 'COPY . .', 'ENV GOMAXPROCS=2', 'ARG X=1', '["/app"]', '[', ']', ',', 'é', '\n', '\r\n', '\r', '\nRUN go test ./...', '\n# comment\n',
];

type Edit = { at: number; del: number; text: string; lineEnd: boolean };
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  del: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: 4 }) }, { weight: 1, arbitrary: fc.nat({ max: 60 }) }),
  text: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.constant('') }),
  lineEnd: fc.boolean(),
});

function applyEdit(text: string, e: Edit): string {
  let at = e.at % (text.length + 1);
  if (e.lineEnd) {
    // at the end of the line (typing at the end of an instruction, `\` included)
    const m = /\r\n|\n|\r|$/g;
    m.lastIndex = at;
    at = m.exec(text)!.index;
  }
  const del = Math.min(e.del, text.length - at);
  return text.slice(0, at) + e.text + text.slice(at + del);
}

function nodeShape(n: Instruction): unknown {
  const any = n as any;
  return [
    n.getKeyword(),
    n.getRange(),
    n.getInstructionRange(),
    n.getTextContent(),
    n.getArguments().map((a) => [a.getValue(), a.getRange()]),
    (any.getFlags?.() ?? []).map((f: any) => [f.getName(), f.getValue(), f.getRange()]),
    (any.getProperties?.() ?? []).map((p: any) => [p.getName(), p.getValue(), p.getRange()]),
    nodeHeredocs(n).map((h: any) => [h.getName?.(), h.getContentRange?.()]),
  ];
}
const shape = (p: ParsedDockerfile) => [p.escape, p.instructions.map(nodeShape)];

/** What the model read from each instruction, every document offset spelled out (reused parts are moved, not re-read). */
function modelShape(m: DockerfileModel) {
  const offsets = (t: { text: string; at(i: number): number }) => [t.text, Array.from({ length: t.text.length + 1 }, (_, i) => t.at(i))];
  return m.instructions.map((ins) => [
    ins.keyword, ins.start, ins.end, ins.stage?.index, offsets(ins.args), ins.flags, ins.restStart, ins.json,
    ins.scripts.map((sc) => [offsets(sc.source), sc.commands.map((c) => [c.terminator, c.assignments.map((w) => w.value), c.words.map((w) => [w.value, w.start, w.end, w.quoted, w.expands])])]),
  ]);
}

const examples = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'Dockerfile'))).map((d) => {
  const dir = path.join(EXAMPLES, d);
  const files: Record<string, string> = {};
  for (const f of ['go.mod', 'main.go', '.dockerignore']) if (fs.existsSync(path.join(dir, f))) files[`/ex/${d}/${f}`] = fs.readFileSync(path.join(dir, f), 'utf8');
  return { path: `/ex/${d}/Dockerfile`, text: fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), files };
});

describe('incremental Dockerfile parse', () => {
  it('finds the common prefix and suffix of two texts (compared a chunk at a time)', () => {
    const naivePrefix = (a: string, b: string, max: number) => { let p = 0; while (p < max && a[p] === b[p]) p++; return p; };
    const naiveSuffix = (a: string, b: string, max: number) => { let q = 0; while (q < max && a[a.length - 1 - q] === b[b.length - 1 - q]) q++; return q; };
    // long shared runs (several chunks), with the difference anywhere, one-byte and two-byte strings
    const text = fc.tuple(fc.string({ maxLength: 40 }), fc.nat({ max: 2000 }), fc.constantFrom('a', 'é', '🚀', '\r\n'));
    fc.assert(
      fc.property(text, text, fc.nat({ max: 3000 }), ([a1, n, c], [b1], cut) => {
        const base = (c + 'RUN go build ').repeat(Math.ceil(n / 10)).slice(0, n);
        const a = base.slice(0, cut) + a1 + base.slice(cut);
        const b = base.slice(0, cut) + b1 + base.slice(cut);
        const max = Math.min(a.length, b.length);
        const p = commonPrefix(a, b, max);
        expect(p).toBe(naivePrefix(a, b, max));
        expect(commonSuffix(a, b, max - p)).toBe(naiveSuffix(a, b, max - p));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('parses one instruction again for a keystroke in it, the whole text otherwise', () => {
    const text = 'FROM golang:1.24 AS build\nWORKDIR /src\n# build it\nRUN go build \\\n    -o /app .\n\nFROM alpine:3.20\nCOPY --from=build /app /app\n';
    const cache = new DockerfileParseCache();
    cache.parse(text);
    expect(cache.last).toBe('whole');
    const check = (t: string, how: string) => {
      expect(shape(cache.parse(t))).toEqual(shape(parseDockerfile(t)));
      expect(cache.last, t).toBe(how);
    };
    let t = text.replace('-o /app .', '-o /app -trimpath .');
    check(t, 'instruction');
    check(t, 'same');
    check((t = t.replace('WORKDIR /src', 'WORKDIR /srcx')), 'instruction');
    // the last line of the RUN gets a `\`: it would run on into the blank line and the FROM
    check((t = t.replace('-trimpath .', '-trimpath . \\')), 'whole');
    check((t = t.replace('-trimpath . \\', '-trimpath .')), 'whole');
    check((t = t.replace('# build it', '# build it now')), 'whole'); // a comment line outside instructions
    check((t = t.replace('alpine:3.20', 'alpine:3.21\nUSER 1000')), 'whole'); // a line break
    check((t = t.replace('USER 1000', 'USER 1001')), 'instruction');
    check((t = t.replace('RUN go build', 'RUN <<EOF go build')), 'whole'); // a heredoc
    check('# escape=`\nFROM x\nRUN a `\n b\n', 'whole');
    check('# escape=`\nFROM x\nRUN a `\n bc\n', 'whole'); // only the `\` escape is parsed by instruction
  });

  it('reuses what the model read from unchanged instructions, moved to where they are now', () => {
    const ws = new MemoryWorkspace({ '/r/go.mod': 'module x\ngo 1.24\n' });
    const cache = new DockerfileParseCache();
    const same = (t: string) => {
      const kept = buildDockerfileModel(t, '/r/Dockerfile', ws, { parseCache: cache });
      expect(modelShape(kept)).toEqual(modelShape(buildDockerfileModel(t, '/r/Dockerfile', ws)));
      expect(lint({ text: t, path: '/r/Dockerfile' }, ws, { dockerfileCache: cache }).findings).toEqual(lint({ text: t, path: '/r/Dockerfile' }, ws).findings);
      return kept;
    };
    // (`C:\out\app` reads as `C:outapp` with POSIX quoting, as written with cmd.exe's)
    const run = 'RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/app \\\n    -ldflags="-s -w" ./cmd/app && echo C:\\out\\app';
    let t = `FROM golang:1.24 AS build\nWORKDIR /src\nCOPY . .\n${run}\n${run}\nFROM scratch\nCOPY --from=build /out/app /app\nCMD ["/app"]\n`;
    const first = same(t);
    // typed before them: the same instructions further on, read once, their offsets moved
    const moved = same((t = t.replace('WORKDIR /src', 'WORKDIR /srcdir')));
    expect(cache.instructionParses.get(run)).toBeDefined();
    expect(moved.instructions[3].args.text).toBe(first.instructions[3].args.text);
    expect(moved.instructions[3].start).toBe(first.instructions[3].start + 3);
    // each lint gets its own script objects (rules keep memos on them), sharing the parsed commands
    expect(moved.instructions[3].scripts[0]).not.toBe(first.instructions[3].scripts[0]);
    expect(moved.instructions[3].scripts[0].commands).toBe(first.instructions[3].scripts[0].commands);
    // a line break above: everything moves down a line
    same((t = t.replace('WORKDIR /srcdir', 'WORKDIR /srcdir\nENV GOFLAGS=-mod=mod')));
    // the same text under a Windows image: read again with cmd.exe's quoting (no `\` escapes)
    same((t = t.replace('FROM golang:1.24 AS build', 'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build')));
    same((t = t.replace('FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build', 'FROM golang:1.24 AS build')));
    // another escape character: everything read again
    same((t = '# escape=`\n' + t.replace(/\\\n/g, '`\n')));
    same(t.replace('# escape=`\n', ''));
    // texts no instruction has any more are let go (about as many entries as instructions are kept)
    for (let k = 0; k < 50; k++) same((t = t.replace(/WORKDIR \S+/, `WORKDIR /w${k}`)));
    expect(cache.instructionParses.size).toBeLessThanOrEqual(2 * 9 + 16);
  });

  it('after any edits: node for node a whole parse, and the findings of a fresh lint', () => {
    let instruction = 0;
    let total = 0;
    // generated Dockerfiles, the examples, and the corpus's real Dockerfiles when ../shared is there (read, never copied)
    const corpus = corpusFiles().filter((f) => f.kind === 'dockerfile').map((f) => ({ path: `/corpus/${f.name}`, text: f.bytes.toString('utf8'), files: {} as Record<string, string> }));
    const start = fc.oneof(
      { weight: 3, arbitrary: dockerfileDoc },
      { weight: 1, arbitrary: fc.constantFrom(...examples) },
      ...(corpus.length ? [{ weight: 2, arbitrary: fc.constantFrom(...corpus) }] : []),
    );
    fc.assert(
      fc.property(start, fc.array(edit, { minLength: 1, maxLength: 16 }), fc.boolean(), (doc, edits, crlf) => {
        const ws = new MemoryWorkspace(doc.files ?? {});
        const cache = new DockerfileParseCache();
        let text = crlf ? doc.text.replace(/\r?\n/g, '\r\n') : doc.text;
        const lintCache = new DockerfileParseCache();
        const modelCache = new DockerfileParseCache();
        lint({ text, path: doc.path, languageId: 'dockerfile' }, ws, { dockerfileCache: lintCache });
        buildDockerfileModel(text, doc.path, ws, { parseCache: modelCache });
        cache.parse(text);
        for (const e of edits) {
          text = applyEdit(text, e);
          expect(shape(cache.parse(text))).toEqual(shape(parseDockerfile(text)));
          total++;
          if (cache.last === 'instruction') instruction++;
          expect(modelShape(buildDockerfileModel(text, doc.path, ws, { parseCache: modelCache }))).toEqual(modelShape(buildDockerfileModel(text, doc.path, ws)));
          const incremental = lint({ text, path: doc.path, languageId: 'dockerfile' }, ws, { dockerfileCache: lintCache });
          expect(incremental.findings).toEqual(lint({ text, path: doc.path, languageId: 'dockerfile' }, ws).findings);
        }
      }),
      // (INC_SEED, INC_RUNS: longer runs by hand)
      { seed: process.env.INC_SEED ? Number(process.env.INC_SEED) : SEED, numRuns: process.env.INC_RUNS ? Number(process.env.INC_RUNS) : 250 },
    );
    // about a third of these edits stay inside one line of one instruction (the others add line breaks,
    // comments, `\` or `<<`, or land outside instructions): the short path must have been taken that often
    console.log(`incremental Dockerfile parse: ${instruction} of ${total} edits parsed one instruction`);
    expect(instruction / total).toBeGreaterThan(0.3);
  }, 120_000);
});
