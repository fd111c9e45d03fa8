import { describe, expect, it } from 'vitest';
import { joinContinuations, parseScript, plainText, tokenize, wordSpan } from '../../server/src/engine/dockerfile/shell';

const words = (s: string) => parseScript(plainText(s, 0, s.length)).commands.map((c) => ({ env: c.assignments.map((w) => w.value), argv: c.argv.map((w) => w.value), t: c.terminator }));

describe('shell word reader', () => {
  it('splits lists, pipelines and assignments', () => {
    expect(words('CGO_ENABLED=0 GOOS=linux go build -o /app . && echo ok | tee log; true')).toEqual([
      { env: ['CGO_ENABLED=0', 'GOOS=linux'], argv: ['go', 'build', '-o', '/app', '.'], t: '&&' },
      { env: [], argv: ['echo', 'ok'], t: '|' },
      { env: [], argv: ['tee', 'log'], t: ';' },
      { env: [], argv: ['true'], t: '' },
    ]);
  });
  it('keeps quotes, $(...) and backticks inside one word', () => {
    expect(words(`go build -ldflags "-s -w -X 'main.v=$(git describe --tags)'" -o x`)[0].argv).toEqual([
      'go', 'build', '-ldflags', "-s -w -X 'main.v=$(git describe --tags)'", '-o', 'x',
    ]);
    expect(words('echo `date; uname` done')[0].argv).toEqual(['echo', '`date; uname`', 'done']);
    expect(words("echo 'a && b' \"c;d\"")[0].argv).toEqual(['echo', 'a && b', 'c;d']);
  });
  it('drops redirections and their targets, and comments', () => {
    expect(words('go build ./... 2>&1 > /dev/null # build it\necho x')).toEqual([
      { env: [], argv: ['go', 'build', './...'], t: '\n' },
      { env: [], argv: ['echo', 'x'], t: '' },
    ]);
  });
  it('sees through env/exec wrappers and compound keywords', () => {
    expect(words('env -u X CGO_ENABLED=0 go build .')[0]).toEqual({ env: ['CGO_ENABLED=0'], argv: ['go', 'build', '.'], t: '' });
    expect(words('if true; then go test ./...; fi').map((c) => c.argv[0])).toEqual(['true', 'go']);
  });
  it('does not treat backslash as an escape for cmd.exe', () => {
    const src = 'go build -o C:\\out\\app.exe .';
    expect(parseScript(plainText(src, 0, src.length), false).commands[0].argv.map((w) => w.value)).toContain('C:\\out\\app.exe');
  });
  it('is linear on adversarial input', () => {
    for (const s of ['"'.repeat(50_000), '\\'.repeat(50_000), ' '.repeat(50_000), '$('.repeat(20_000), "'".repeat(50_001), '2>'.repeat(30_000)]) {
      expect(() => tokenize(s)).not.toThrow();
    }
  });
});

describe('continuation joining', () => {
  it('maps every logical character back to the document, across continuations and comment lines', () => {
    const doc = 'RUN a \\\n  # note\n\n  && go build \\\r\n   -o /y\nRUN next';
    const start = 4;
    const lt = joinContinuations(doc, start, doc.indexOf('\nRUN next'), '\\');
    expect(lt.text).toBe('a   && go build    -o /y');
    const script = parseScript(lt);
    const go = script.commands[1].argv[0];
    const [s, e] = wordSpan(lt, go);
    expect(doc.slice(s, e)).toBe('go');
    const y = script.commands[1].argv[3];
    const [ys, ye] = wordSpan(lt, y);
    expect(doc.slice(ys, ye)).toBe('/y');
  });
  it('uses the escape directive character', () => {
    const doc = 'RUN a `\n  b\\c';
    const lt = joinContinuations(doc, 4, doc.length, '`');
    expect(lt.text).toBe('a   b\\c');
  });
});
