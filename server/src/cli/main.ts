// `container-tuner`: the same engine as the editor, for CI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE_NAMES, configFor, DEFAULT_CONFIG, loadConfigFile, matchesGlob, type Config, type ConfigProblem } from '../engine/config';
import { documentKind, fixAll, lint } from '../engine/lint';
import { SEVERITY_ORDER, type Finding, type Severity } from '../engine/types';
import { CachedFsWorkspace } from '../engine/workspace';
import { ALL_RULES } from '../engine/rules';
import { startServer } from '../server';
import { runAnalyze } from './analyze';
import { formatText, toJson, toSarif, type FileReport } from './format';
import { startLayersCommand } from './layers';

export const VERSION = '0.1.0';

/** [id, summary] of every rule (for scripts/sync-rule-settings.mjs). */
export function ruleIds(): [string, string][] {
  return ALL_RULES.map((r) => [r.id, r.summary]);
}

const HELP = `container-tuner ${VERSION} — lint Dockerfiles of Go services for image size and start-up time

Usage:
  container-tuner lint [paths...] [options]   lint files; folders are searched for Dockerfiles
  container-tuner lsp --stdio                 run the language server (for any LSP editor)
  container-tuner analyze <image | file.tar | oci-dir> [options]
                                              report on a built image: layers, wasted bytes, Go
                                              binaries (\`container-tuner analyze --help\`)
  container-tuner layers <Dockerfile> [--image REF] [--stage N] [--format text|json]
                                              bytes each instruction adds (docker history + estimates)
  container-tuner --help | --version

Lint options:
  --format text|json|sarif   output format (default: text)
  --fix                      apply every preferred fix in place, then report what is left
  --fail-on info|warning|error|none
                             exit 1 when a finding reaches this severity (default: error;
                             none: report only)
  --config FILE              use this .container-tuner.yaml instead of searching for one
  --stdin-filename NAME      name for text read from stdin (path "-"); with --fix the fixed
                             text goes to stdout and the report to stderr
  --no-color                 plain text output
  --max-file-size BYTES      skip files larger than this with one info finding (default 2097152,
                             i.e. 2 MB; 0: no limit)

Files: Dockerfile, Containerfile, *.Dockerfile, *.containerfile, Dockerfile.*, Containerfile.*,
and Kubernetes manifests *.yaml / *.yml (other YAML is ignored; Helm templates are skipped:
lint their output instead, \`helm template . | container-tuner lint -\`, and findings name the
template file from the "# Source:" comments). Folders node_modules, .git and vendor are skipped.
Exit status: 0 nothing reached --fail-on, 1 something did, 2 usage or I/O error.
`;

const SKIP_DIRS = new Set(['node_modules', '.git', 'vendor', '.hg', '.svn']);

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  readStdin: () => string;
  isTTY: boolean;
}

const defaultIO = (): CliIO => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  readStdin: () => fs.readFileSync(0, 'utf8'),
  isTTY: !!process.stdout.isTTY,
});

/** Files to lint under `p`: the file itself, or Dockerfiles found walking a folder. */
function collect(p: string, out: string[], errors: { file: string; error: string }[], display: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    errors.push({ file: display, error: `cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}` });
    return;
  }
  if (st.isFile()) {
    out.push(display);
    return;
  }
  if (!st.isDirectory()) return;
  const walk = (dir: string, shown: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push({ file: shown, error: `cannot read folder: ${(e as Error).message}` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const show = path.join(shown, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(full, show);
      } else if (e.isFile() && documentKind(full) && !CONFIG_FILE_NAMES.includes(e.name)) out.push(show);
    }
  };
  walk(p, display);
}

export function main(argv: string[], io: CliIO = defaultIO()): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  if (command === 'lsp') {
    // the connection picks its transport (--stdio, --node-ipc, --socket=N) from process.argv
    if (!rest.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) process.argv.push('--stdio');
    startServer();
    return -1; // keep running
  }
  if (command === 'layers') return startLayersCommand(rest, io);
  if (command === 'analyze') {
    // asynchronous: the exit status is set when the analysis ends
    void runAnalyze(rest, io, { progress: !!process.stderr.isTTY && io.isTTY, handleSignals: true }).then((code) => (process.exitCode = code));
    return -1;
  }
  if (command !== 'lint') {
    io.stderr(`container-tuner: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }

  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        fix: { type: 'boolean', default: false },
        'fail-on': { type: 'string', default: 'error' },
        config: { type: 'string' },
        'stdin-filename': { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        'max-file-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`container-tuner: ${(e as Error).message}\n`);
    return 2;
  }
  const opts = parsed.values;
  if (opts.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = opts.format as string;
  if (!['text', 'json', 'sarif'].includes(format)) {
    io.stderr(`container-tuner: --format must be text, json or sarif (got "${format}")\n`);
    return 2;
  }
  const failOn = opts['fail-on'] as string;
  if (!['info', 'warning', 'error', 'none'].includes(failOn)) {
    io.stderr(`container-tuner: --fail-on must be info, warning, error or none (got "${failOn}")\n`);
    return 2;
  }
  const maxFileSizeArg = opts['max-file-size'] as string | undefined;
  if (maxFileSizeArg !== undefined && !/^\d+$/.test(maxFileSizeArg)) {
    io.stderr(`container-tuner: --max-file-size takes a number of bytes (got "${maxFileSizeArg}")\n`);
    return 2;
  }
  const maxFileSize = maxFileSizeArg === undefined ? undefined : Number(maxFileSizeArg);

  const workspace = new CachedFsWorkspace();
  const problems: ConfigProblem[] = [];
  let explicitConfig: Config | undefined;
  if (opts.config) {
    const file = path.resolve(io.cwd, opts.config as string);
    if (!fs.existsSync(file)) {
      io.stderr(`container-tuner: --config ${opts.config}: no such file\n`);
      return 2;
    }
    explicitConfig = loadConfigFile(workspace, file, DEFAULT_CONFIG, problems);
  }

  const paths = parsed.positionals.length ? parsed.positionals : ['.'];
  const files: string[] = [];
  const ioErrors: { file: string; error: string }[] = [];
  let stdinText: string | undefined;
  for (const p of paths) {
    if (p === '-') {
      files.push('-');
      continue;
    }
    collect(path.resolve(io.cwd, p), files, ioErrors, p);
  }

  let fixedStdout: string | undefined;
  const reports: FileReport[] = ioErrors.map((e) => ({ file: e.file, findings: [], fixable: new Set(), error: e.error }));
  for (const shown of files) {
    const isStdin = shown === '-';
    if (isStdin) stdinText ??= safeRead(io);
    const name = isStdin ? ((opts['stdin-filename'] as string | undefined) ?? guessStdinName(stdinText ?? '')) : shown;
    const abs = path.resolve(io.cwd, name);
    const config = explicitConfig ?? configFor(workspace, abs, DEFAULT_CONFIG, problems);
    if (!isStdin && config.ignorePaths.some((g) => matchesGlob(abs, g))) continue;
    let text: string;
    try {
      if (isStdin) text = stdinText ?? '';
      else text = fs.readFileSync(abs, 'utf8');
    } catch (e) {
      reports.push({ file: name, findings: [], fixable: new Set(), error: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const languageId = documentKind(abs) ?? 'dockerfile';
    const input = { text, path: abs, languageId };
    const lintOpts = { config, maxFileSize, onRuleError: (rule: string, e: unknown) => io.stderr(`container-tuner: internal error in rule ${rule} on ${name}: ${(e as Error)?.message ?? e}\n`) };
    let fixed = 0;
    if (opts.fix) {
      const result = fixAll(input, workspace, lintOpts);
      fixed = result.fixed.length;
      if (result.text !== text) {
        if (isStdin) fixedStdout = result.text;
        else {
          try {
            fs.writeFileSync(abs, result.text);
          } catch (e) {
            reports.push({ file: name, findings: [], fixable: new Set(), error: `cannot write fixes: ${(e as Error).message}` });
            continue;
          }
        }
        text = result.text;
      }
    }
    const { findings } = lint({ ...input, text }, workspace, lintOpts);
    // only rendered output read from stdin is split: a file on disk (a rendered manifest committed to
    // the repository, `# Source:` comments and all) is what gets fixed and opened, at its own lines
    const split = isStdin && languageId === 'yaml' ? splitBySource(text, findings) : undefined;
    if (split) for (const part of split) reports.push({ file: part.file, findings: part.findings, fixable: fixableSet(part.findings), fixed: 0 });
    else reports.push({ file: name, findings, fixable: fixableSet(findings), fixed });
  }

  for (const p of problems) io.stderr(`container-tuner: ${p.file}: ${p.message}\n`);

  // with `--fix` on stdin, stdout carries the fixed text and the report goes to stderr
  const stdinFix = opts.fix && files.includes('-');
  if (stdinFix) io.stdout(fixedStdout ?? stdinText ?? '');
  const emit = stdinFix ? io.stderr : io.stdout;
  if (format === 'json') emit(JSON.stringify(toJson(reports), null, 2) + '\n');
  else if (format === 'sarif') emit(JSON.stringify(toSarif(reports, io.cwd, VERSION), null, 2) + '\n');
  else emit(formatText(reports, { color: io.isTTY && !stdinFix && !opts['no-color'] && !process.env.NO_COLOR, fixRan: !!opts.fix }));

  if (reports.some((r) => r.error)) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITY_ORDER[failOn as Severity];
  const failed = reports.some((r) => r.findings.some((f) => SEVERITY_ORDER[f.severity] >= threshold));
  return failed ? 1 : 0;
}

function safeRead(io: CliIO): string {
  try {
    return io.readStdin();
  } catch {
    return '';
  }
}

/** Stdin without --stdin-filename: a manifest when it looks like one, else a Dockerfile. */
function guessStdinName(text: string): string {
  return /^(---|apiVersion:|kind:|#\s*Source:)/m.test(text) && !/^\s*FROM\s/im.test(text) ? 'stdin.yaml' : 'Dockerfile';
}

/**
 * Rendered Helm output (`helm template`) read from stdin names each document's
 * template in a `# Source: chart/templates/x.yaml` comment: findings are
 * reported against that file, with lines counted from the start of the
 * rendered document.
 */
export function splitBySource(text: string, findings: Finding[]): { file: string; findings: Finding[] }[] | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  const sources: { line: number; docStart: number; file: string }[] = [];
  let docStart = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^---(\s|$)/.test(lines[i])) docStart = i + 1;
    const m = /^#\s*Source:\s*(\S.*?)\s*$/.exec(lines[i]);
    if (m) sources.push({ line: i, docStart, file: m[1] });
  }
  if (!sources.length) return undefined;
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    const src = [...sources].reverse().find((s) => s.docStart <= f.range.start.line);
    if (!src) continue;
    const shift = (p: { line: number; character: number }) => ({ line: p.line - src.docStart, character: p.character });
    const moved: Finding = { ...f, range: { start: shift(f.range.start), end: shift(f.range.end) }, fixes: [] };
    const list = out.get(src.file) ?? [];
    list.push(moved);
    out.set(src.file, list);
  }
  return [...new Set(sources.map((s) => s.file))].map((file) => ({ file, findings: out.get(file) ?? [] }));
}

/** Findings whose preferred fix `--fix` would apply (over its passes). */
function fixableSet(findings: Finding[]): Set<Finding> {
  // `--fix` applies every preferred fix, in further passes when edits overlap: all of them are fixable
  return new Set(findings.filter((f) => f.fixes.some((x) => x.preferred)));
}

if (typeof require !== 'undefined' && require.main === module) {
  const code = main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
}
