// Real Go binaries compiled here by the machine's Go: what the engine reads
// must be what `go version -m` prints, whole-file and streamed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutableScanner, inspectBuffer } from '../../server/src/engine/image/scan';
import { buildGoBinaries, expectedBuildInfo, gccAvailable, goUnavailable, type GoBinaries } from './gobuild';

const why = goUnavailable();
if (why) console.warn(`\n*** SKIPPED: real Go binaries — ${why}. The hand-made ELF/PE tests still run.\n`);

function streamed(buf: Buffer, chunk: number) {
  const s = new ExecutableScanner(buf.length);
  for (let i = 0; i < buf.length; i += chunk) s.write(buf.subarray(i, i + chunk));
  return { info: s.finish(), held: s.held };
}

describe.skipIf(!!why)('real Go binaries vs `go version -m`', () => {
  let dir: string;
  let bins: GoBinaries;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-gobin-'));
    bins = buildGoBinaries(dir);
  }, 300_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: [string, (b: GoBinaries) => string | undefined, { stripped: boolean; interp: boolean; format: 'elf' | 'pe' }][] = [
    ['static stripped (CGO_ENABLED=0 -ldflags="-s -w …")', (b) => b.stripped, { stripped: true, interp: false, format: 'elf' }],
    ['static unstripped (-trimpath)', (b) => b.static, { stripped: false, interp: false, format: 'elf' }],
    ['cgo, dynamically linked (gcc)', (b) => b.cgo, { stripped: false, interp: true, format: 'elf' }],
    ['Windows PE (GOOS=windows)', (b) => b.windows, { stripped: false, interp: false, format: 'pe' }],
  ];

  for (const [name, pick, want] of cases) {
    it(name, (ctx) => {
      const file = pick(bins);
      if (!file) {
        console.warn(`\n*** SKIPPED: ${name} — gcc is not installed (apt-get install gcc)\n`);
        ctx.skip();
        return;
      }
      const buf = fs.readFileSync(file);
      const info = inspectBuffer(buf)!;
      const expected = expectedBuildInfo(file);
      expect(info.format).toBe(want.format);
      expect(info.go?.goVersion).toBe(expected.goVersion);
      expect(info.go?.modinfo).toBe(expected.modinfo);
      expect(info.go?.path).toBe(expected.path);
      expect(info.go?.main).toEqual(expected.main);
      expect(info.go?.deps).toEqual(expected.deps);
      expect(info.go?.settings).toEqual(expected.settings);
      expect(info.strip.stripped).toBe(want.stripped);
      if (!want.stripped) expect(info.strip.debugBytes + info.strip.symtabBytes).toBeGreaterThan(100_000);
      if (want.interp) expect(info.interpreter).toMatch(/^\/lib.*\/ld-/);
      else expect(info.interpreter).toBeUndefined();
      // the stream of a layer gives the same answer with a few hundred KiB held
      for (const chunk of [512, 65536, 1 << 20]) {
        const s = streamed(buf, chunk);
        expect(s.info).toEqual(info);
        expect(s.held).toBeLessThan(512 * 1024);
      }
    });
  }

  it('the build settings the report shows: -ldflags kept with its quoting, CGO_ENABLED, -trimpath, vcs', () => {
    const info = inspectBuffer(fs.readFileSync(bins.stripped))!;
    const s = Object.fromEntries(info.go!.settings.map((x) => [x.key, x.value]));
    expect(s['-ldflags']).toBe('-s -w -X main.version=1.2.3');
    expect(s.CGO_ENABLED).toBe('0');
    expect(s.GOOS).toBe('linux');
    // with -trimpath, Go leaves -ldflags out of the build info (golang/go#52372): stripping is read from the ELF
    const t = inspectBuffer(fs.readFileSync(bins.static))!;
    const ts = Object.fromEntries(t.go!.settings.map((x) => [x.key, x.value]));
    expect(ts['-trimpath']).toBe('true');
    expect(ts['-ldflags']).toBeUndefined();
    if (s['vcs.revision'] === undefined) console.warn('\n*** note: no vcs.* build settings (git not installed): that part of the comparison is empty\n');
    else expect(s['vcs.revision']).toMatch(/^[0-9a-f]{40}$/);
  });

  it.skipIf(!gccAvailable())('cgo: CGO_ENABLED=1 in the build info', () => {
    const info = inspectBuffer(fs.readFileSync(bins.cgo!))!;
    expect(info.go!.settings.find((x) => x.key === 'CGO_ENABLED')?.value).toBe('1');
  });
});
