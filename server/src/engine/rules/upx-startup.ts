import type { InstructionInfo } from '../dockerfile/model';
import { runCommands, wordOffsets } from '../dockerfile/model';
import { rangeOf, type Rule, type RuleFinding } from '../rule';

/** `upx`, `/usr/bin/upx`, `upx.exe`, `C:\tools\upx.exe`. */
export function isUpx(word: string): boolean {
  return /(^|[\\/])upx(\.exe)?$/i.test(word);
}

/** Options that make upx inspect or undo a compression instead of compressing. */
const NOT_COMPRESSING = /^(-d|--decompress|-t|--test|-l|--list|-V|--version|-h|--help|-L|--license|-\?)$/;
/** upx options that take the next word as their value (`-o out`). */
const VALUE_OPTIONS = new Set(['-o']);

/** Whether upx's arguments compress at least one file. */
function compresses(args: string[], implicitFiles = false): boolean {
  let files = implicitFiles ? 1 : 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (NOT_COMPRESSING.test(a)) return false;
    // short options may be grouped: -dq, -qd
    if (/^-[A-Za-z0-9]+$/.test(a) && !/^-\d$/.test(a) && /d/.test(a.slice(1)) && !/^-o/.test(a)) return false;
    if (VALUE_OPTIONS.has(a)) { i++; continue; }
    if (a === '--') { files += args.length - i - 1; break; }
    if (!a.startsWith('-')) files++;
  }
  return files > 0;
}

const MESSAGE =
  '`upx` packs the binary: the image gets smaller, but the program is unpacked into memory at every start ' +
  '(a slower cold start) and its pages are no longer shared between processes (each replica holds its own copy in RAM). ' +
  'A bad trade for a service that must start fast; strip symbols (`-ldflags="-s -w"`) and use a small base image instead.';

/** The `upx` string of an exec-form RUN, as document offsets. */
function jsonWordRange(ins: InstructionInfo, index: number): [number, number] | undefined {
  const t = ins.args.text;
  let n = -1;
  for (let i = ins.restStart; i < t.length; i++) {
    if (t[i] !== '"') continue;
    let j = i + 1;
    while (j < t.length && t[j] !== '"') j += t[j] === '\\' ? 2 : 1;
    if (++n === index) return j > i + 1 ? [ins.args.at(i + 1), ins.args.at(j - 1) + 1] : undefined;
    i = j;
  }
  return undefined;
}

/** Compressing the service binary with UPX trades start time and memory for image size. */
export const upxStartup: Rule = {
  id: 'upx-startup',
  defaultSeverity: 'info',
  summary: '`upx` on the binary: smaller image, but a slower start and no page sharing between processes.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const { script, cmd } of runCommands(model)) {
      const argv = cmd.argv;
      let at = argv.findIndex((w) => isUpx(w.value));
      // `xargs upx`, `find ... -exec upx {} +`
      if (at > 0 && !['xargs', 'find'].includes(argv[0].value) && !/(^|\/)(xargs|find)$/.test(argv[0].value)) at = -1;
      if (at < 0) continue;
      const args = argv.slice(at + 1).map((w) => w.value).filter((v) => v !== ';' && v !== '+' && v !== '\\;');
      // xargs appends the file names it reads
      if (!compresses(args, at > 0 && /(^|\/)xargs$/.test(argv[0].value))) continue;
      const [s, e] = wordOffsets(script, argv[at]);
      out.push({ message: MESSAGE, range: rangeOf(model, s, e) });
    }
    for (const ins of model.instructions) {
      if (ins.keyword !== 'RUN' || !ins.json) continue;
      const at = ins.json.findIndex((v, i) => i === 0 && isUpx(v));
      if (at !== 0 || !compresses(ins.json.slice(1))) continue;
      const r = jsonWordRange(ins, 0);
      if (r) out.push({ message: MESSAGE, range: rangeOf(model, r[0], r[1]) });
    }
    return out;
  },
};
