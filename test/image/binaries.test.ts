// ELF/PE parsing and Go build info on hand-made executables, and the
// streaming scanner against whole-file parsing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferSource, SparseBytes, uvarint } from '../../server/src/engine/image/bytes';
import { parseModInfo, quotedPrefix, readGoBuildInfo } from '../../server/src/engine/image/buildinfo';
import { elfStripInfo, parseElf } from '../../server/src/engine/image/elf';
import { parsePe } from '../../server/src/engine/image/pe';
import { ExecutableScanner, inspectBuffer } from '../../server/src/engine/image/scan';
import { GO_MODINFO, makeElf, makePe } from './fixtures';

function streamed(buf: Buffer, chunkSizes: number[]) {
  const s = new ExecutableScanner(buf.length);
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    const n = chunkSizes.length ? chunkSizes[k++ % chunkSizes.length] : buf.length;
    s.write(buf.subarray(i, i + n));
    i += n;
  }
  return { info: s.finish(), held: s.held };
}

describe('module info lines (runtime/debug.ParseBuildInfo)', () => {
  it('reads path, mod, dep, => and build lines with quoted keys and values', () => {
    const text = [
      'path\texample.com/svc/cmd/api',
      'mod\texample.com/svc\tv1.2.3\th1:abc=',
      'dep\tgo.uber.org/automaxprocs\tv1.5.3\th1:def=',
      'dep\tgithub.com/x/y\tv0.1.0\th1:ghi=',
      '=>\t../y\t(devel)\t',
      'build\t-buildmode=exe',
      'build\t-ldflags="-s -w -X main.version=1.2.3"',
      'build\t-tags=netgo',
      'build\t-trimpath=true',
      'build\tCGO_ENABLED=0',
      'build\t"key with space"=`raw value`',
      'build\tDefaultGODEBUG=containermaxprocs=0,updatemaxprocs=0',
      'build\tvcs.revision=0123456789abcdef',
      'build\tvcs.modified=true',
      '',
    ].join('\n');
    const r = parseModInfo(text);
    expect(r.parseError).toBeUndefined();
    expect(r.path).toBe('example.com/svc/cmd/api');
    expect(r.main).toEqual({ path: 'example.com/svc', version: 'v1.2.3', sum: 'h1:abc=' });
    expect(r.deps).toEqual([
      { path: 'go.uber.org/automaxprocs', version: 'v1.5.3', sum: 'h1:def=' },
      { path: 'github.com/x/y', version: 'v0.1.0', sum: 'h1:ghi=', replace: { path: '../y', version: '(devel)' } },
    ]);
    expect(Object.fromEntries(r.settings.map((s) => [s.key, s.value]))).toEqual({
      '-buildmode': 'exe',
      '-ldflags': '-s -w -X main.version=1.2.3',
      '-tags': 'netgo',
      '-trimpath': 'true',
      CGO_ENABLED: '0',
      'key with space': 'raw value',
      DefaultGODEBUG: 'containermaxprocs=0,updatemaxprocs=0',
      'vcs.revision': '0123456789abcdef',
      'vcs.modified': 'true',
    });
  });

  it('stops at a malformed line, keeping what it read, like Go', () => {
    expect(parseModInfo('path\tp\nmod\tonlyone\n').parseError).toBe('line 2: expected 2 or 3 columns; got 1');
    expect(parseModInfo('=>\ta\tb\tc\n').parseError).toBe('line 1: replacement with no module on previous line');
    expect(parseModInfo('build\t=x\n').parseError).toBe('line 1: build line with missing key');
    expect(parseModInfo('build\tnoequals\n').parseError).toBe("line 1: build line missing '=' after key");
    const r = parseModInfo('path\tp\nbuild\tA="unterminated\n');
    expect(r.path).toBe('p');
    expect(r.parseError).toBe('line 2: invalid quoted value in build line');
    // a last line without its newline is ignored, as Go does
    expect(parseModInfo('path\tp\nbuild\tA=1').settings).toEqual([]);
  });

  it('unquotes Go string literals', () => {
    expect(quotedPrefix('"a\\tb\\"c\\x41\\u00e9\\101"rest')).toEqual({ raw: '"a\\tb\\"c\\x41\\u00e9\\101"', value: 'a\tb"cAéA' });
    expect(quotedPrefix('`raw\\n`x')).toEqual({ raw: '`raw\\n`', value: 'raw\\n' });
    expect(quotedPrefix('"bad\\q"')).toBeUndefined();
    expect(quotedPrefix('"open')).toBeUndefined();
  });

  it('uvarint', () => {
    expect(uvarint(Uint8Array.from([0x96, 0x01]), 0)).toEqual({ value: 150, length: 2 });
    expect(uvarint(Uint8Array.from([0x80]), 0)).toBeUndefined();
  });
});

describe('ELF', () => {
  const modinfo = GO_MODINFO({ path: 'example.com/svc', build: ['-ldflags="-s -w"', 'CGO_ENABLED=0', 'GOOS=linux', 'GOARCH=amd64'] });

  it('static, stripped, inline build info in .go.buildinfo (Go linker layout)', () => {
    const elf = makeElf({ goVersion: 'go1.22.5', modinfo });
    const info = inspectBuffer(elf)!;
    expect(info.format).toBe('elf');
    expect(info.arch).toBe('amd64');
    expect(info.bits).toBe(64);
    expect(info.interpreter).toBeUndefined();
    expect(info.strip).toEqual({ symtab: false, symtabBytes: 0, debugBytes: 0, debugSections: [], stripped: true });
    expect(info.go?.goVersion).toBe('go1.22.5');
    expect(info.go?.format).toBe('inline');
    expect(info.go?.path).toBe('example.com/svc');
    expect(info.go?.modinfo).toBe(modinfo);
    expect(info.go?.settings.find((s) => s.key === '-ldflags')?.value).toBe('-s -w');
  });

  it('dynamic (PT_INTERP), unstripped, debug sections counted, gcc layout (section headers at the end)', () => {
    const elf = makeElf({ interp: '/lib64/ld-linux-x86-64.so.2', symtab: true, debug: { '.debug_info': 5000, '.zdebug_line': 3000 }, shdrsAtEnd: true });
    const info = inspectBuffer(elf)!;
    expect(info.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(info.strip.stripped).toBe(false);
    expect(info.strip.symtab).toBe(true);
    expect(info.strip.symtabBytes).toBe(24 * 4 + 64);
    expect(info.strip.debugBytes).toBe(8000);
    expect(info.strip.debugSections).toEqual(['.debug_info', '.zdebug_line']);
    expect(info.go?.goVersion).toBe('go1.22.5');
  });

  it('no .go.buildinfo section: found in the first writable non-executable PT_LOAD', () => {
    const info = inspectBuffer(makeElf({ buildinfoSection: false }))!;
    expect(info.go?.goVersion).toBe('go1.22.5');
  });

  it('32-bit and big-endian', () => {
    const a = inspectBuffer(makeElf({ bits: 32 }))!;
    expect(a.bits).toBe(32);
    expect(a.arch).toBe('386');
    expect(a.go?.goVersion).toBe('go1.22.5');
    const b = inspectBuffer(makeElf({ bigEndian: true, interp: '/lib/ld.so.1' }))!;
    expect(b.go?.goVersion).toBe('go1.22.5');
    expect(b.interpreter).toBe('/lib/ld.so.1');
  });

  it('pointer format (Go < 1.18): strings through string headers, from the whole file', () => {
    for (const bits of [64, 32] as const) {
      for (const bigEndian of [false, true]) {
        const elf = makeElf({ format: 'pointer', goVersion: 'go1.16.15', modinfo, bits, bigEndian });
        const info = inspectBuffer(elf)!;
        expect(info.go?.format).toBe('pointer');
        expect(info.go?.goVersion).toBe('go1.16.15');
        expect(info.go?.modinfo).toBe(modinfo);
      }
    }
  });

  it('pointer format while streaming: the strings lie behind the header, reported as unreadable', () => {
    // as in real binaries, the strings are far behind: past the first 64 KiB and the 256 KiB tail window
    const elf = makeElf({ format: 'pointer', goVersion: 'go1.16.15', modinfo, textSize: 100000, rodataPad: 300000 });
    expect(inspectBuffer(elf)?.go?.goVersion).toBe('go1.16.15');
    const { info } = streamed(elf, [4096]);
    expect(info?.go).toBeUndefined();
    expect(info?.goError).toMatch(/pre-Go 1\.18/);
  });

  it('an ELF without build info is not a Go binary', () => {
    const elf = makeElf();
    // wipe the magic
    const i = elf.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    elf.fill(0, i, i + 14);
    const info = inspectBuffer(elf)!;
    expect(info.go).toBeUndefined();
    expect(info.goError).toBeUndefined();
  });

  it('a magic that is not 16-byte aligned is ignored, as Go does', () => {
    const elf = makeElf({ buildinfoSection: false });
    const i = elf.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    const moved = Buffer.from(elf);
    moved.copy(moved, i + 1, i, i + 200);
    moved[i] = 0;
    expect(inspectBuffer(moved)!.go).toBeUndefined();
  });

  it('names unknown: debug sections estimated from non-allocated PROGBITS', () => {
    const elf = makeElf({ symtab: true, debug: { '.debug_info': 1000 }, shdrsAtEnd: true });
    const full = parseElf(new BufferSource(elf))!;
    const shstr = full.sections!.find((s) => s.name === '.shstrtab')!;
    // a source that lacks the name table
    const sparse = new SparseBytes(elf.length);
    sparse.add(0, elf.subarray(0, shstr.offset));
    sparse.add(shstr.offset + shstr.size, elf.subarray(shstr.offset + shstr.size));
    const info = parseElf(sparse)!;
    expect(info.sectionNames).toBe(false);
    const strip = elfStripInfo(info);
    expect(strip.approximate).toBe(true);
    expect(strip.stripped).toBe(false);
    expect(strip.debugBytes).toBe(1000);
  });
});

describe('PE', () => {
  it('Go build info in .data; stripped', () => {
    const pe = makePe({ goVersion: 'go1.21.0' });
    const info = inspectBuffer(pe)!;
    expect(info.format).toBe('pe');
    expect(info.arch).toBe('amd64');
    expect(info.go?.goVersion).toBe('go1.21.0');
    expect(info.go?.path).toBe('example.com/win');
    expect(info.strip.stripped).toBe(true);
  });

  it('COFF symbols and DWARF sections with long names from the string table', () => {
    const pe = makePe({ symtab: true, symbols: 10, debug: { '.zdebug_info': 700, '.debug_line': 300 } });
    const parsed = parsePe(new BufferSource(pe))!;
    expect(parsed.sections.map((s) => s.name)).toEqual(['.text', '.rdata', '.data', '.zdebug_info', '.debug_line']);
    const info = inspectBuffer(pe)!;
    expect(info.strip.stripped).toBe(false);
    expect(info.strip.symtab).toBe(true);
    expect(info.strip.debugSections).toEqual(['.zdebug_info', '.debug_line']);
    // raw (file-aligned) sizes: what the file carries
    expect(info.strip.debugBytes).toBe(1024 + 512);
    expect(readGoBuildInfo(new BufferSource(pe), parsed)?.ok).toBe(true);
  });

  it('PE32', () => {
    const info = inspectBuffer(makePe({ bits: 32 }))!;
    expect(info.bits).toBe(32);
    expect(info.arch).toBe('386');
    expect(info.go?.goVersion).toBe('go1.22.5');
  });

  it('MZ without a PE header is not an executable we read', () => {
    expect(inspectBuffer(Buffer.from('MZ' + '\0'.repeat(200)))).toBeUndefined();
  });
});

describe('streaming scanner = whole-file parsing', () => {
  const specs = [
    () => makeElf({ goVersion: 'go1.23.1' }),
    () => makeElf({ interp: '/lib/ld-musl-x86_64.so.1', symtab: true, debug: { '.debug_info': 70000, '.debug_line': 9000 }, shdrsAtEnd: true, textSize: 300000 }),
    () => makeElf({ buildinfoSection: false, bits: 32, textSize: 100000 }),
    () => makeElf({ bigEndian: true, symtab: true, shdrsAtEnd: true }),
    () => makePe({ symtab: true, debug: { '.zdebug_info': 90000 } }),
    () => makePe({ bits: 32 }),
  ];
  it('for any chunking', () => {
    const bins = specs.map((f) => f());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bins.length - 1 }), fc.array(fc.integer({ min: 16, max: 70000 }), { minLength: 1, maxLength: 8 }), (k, chunks) => {
        const buf = bins[k];
        expect(streamed(buf, chunks).info).toEqual(inspectBuffer(buf));
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  it('byte by byte and other tiny chunks', () => {
    for (const buf of [makeElf(), makeElf({ shdrsAtEnd: true, symtab: true, interp: '/lib/ld.so' }), makePe({ symtab: true, debug: { '.zdebug_info': 100 } })]) {
      for (const chunk of [1, 3, 13, 15, 17]) expect(streamed(buf, [chunk]).info).toEqual(inspectBuffer(buf));
    }
  }, 120_000);

  it('keeps a bounded part of a large binary', () => {
    const big = makeElf({ textSize: 8 * 1024 * 1024, debug: { '.debug_info': 4 * 1024 * 1024 }, symtab: true, shdrsAtEnd: true });
    const { info, held } = streamed(big, [65536]);
    expect(info?.go?.goVersion).toBe('go1.22.5');
    expect(info?.strip.debugBytes).toBe(4 * 1024 * 1024);
    expect(held).toBeLessThan(512 * 1024);
  });

  it('a file that is not an executable holds only its head', () => {
    const s = new ExecutableScanner(200000);
    s.write(Buffer.alloc(200000, 0x41));
    expect(s.finish()).toBeUndefined();
    expect(s.held).toBe(65536);
  });
});
