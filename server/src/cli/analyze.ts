// `container-tuner analyze <image-ref | file.tar | oci-dir>`: the image report
// in the terminal (text), for tools (json) or for a pull request (markdown),
// with dive-compatible CI gates.
import { parseArgs } from 'node:util';
import type { ImageReport } from '../engine/image/analyze';
import { AbortError, ArchiveError } from '../engine/image/archive';
import { analyzeTarget, ImageAnalysisError, type AnalyzeProgress, type TargetOptions } from '../engine/image/index';
import { reportToMarkdown } from '../engine/image/markdown';
import { formatBytes, formatPercent, parseSize } from '../engine/image/units';
import type { CliIO } from './main';

export const ANALYZE_HELP = `Usage: container-tuner analyze <image-ref | file.tar | oci-dir> [options]

Reports what is in an image: layers and the instructions that made them, wasted
bytes (dive's figures), the Go binaries inside (version, module, build settings,
stripped, static or dynamic) and findings linked to the Dockerfile rules.

  image-ref   a local image (docker save; nothing is pulled)
  file.tar    a \`docker save\` archive (legacy or OCI layout) or an OCI layout tar
  oci-dir     an OCI image layout directory

Options:
  --format text|json|markdown   output (default: text)
  --min-efficiency N            exit 1 when dive's efficiency is below N (0-1, e.g. 0.9)
  --max-wasted-bytes SIZE       exit 1 when the wasted bytes exceed SIZE (20MB, 20MiB, 1000)
  --max-wasted-percent N        exit 1 when wasted / bytes above the first layer exceeds N (0-1, e.g. 0.1)
  --platform OS/ARCH            image of a multi-platform OCI index (default: this machine's)
  --verify                      hash every layer and compare it with the config's digests
                                (uncompressed layers of a file are otherwise read headers only)
  --docker PATH                 the docker executable (default: docker on PATH)
  --no-color                    plain text output

Gates are off unless given; they fail on strict < / > like dive's CI rules.
Exit status: 0 analyzed and every gate passed, 1 a gate failed, 2 error.
`;

interface Gate {
  name: 'min-efficiency' | 'max-wasted-bytes' | 'max-wasted-percent';
  threshold: number;
  value: number | null;
  passed: boolean;
}

function parseFraction(v: string | undefined, flag: string): number | undefined | 'disabled' | Error {
  if (v === undefined) return undefined;
  if (/^(disabled|off|none)$/i.test(v)) return 'disabled';
  const n = Number(v.trim().replace(/%$/, ''));
  if (!v.trim() || !Number.isFinite(n)) return new Error(`${flag} must be a number between 0 and 1 (got "${v}")`);
  const f = /%$/.test(v.trim()) ? n / 100 : n;
  if (f < 0 || f > 1) return new Error(`${flag} must be between 0 and 1 (got "${v}")`);
  return f;
}

/** dive's CI rules: efficiency < min fails; wasted bytes > max fails; user wasted percent > max fails (NaN passes, +Inf fails). */
export function evaluateGates(r: ImageReport, g: { minEfficiency?: number; maxWastedBytes?: number; maxWastedPercent?: number }): Gate[] {
  const out: Gate[] = [];
  if (g.minEfficiency !== undefined) out.push({ name: 'min-efficiency', threshold: g.minEfficiency, value: r.waste.efficiency, passed: !(r.waste.efficiency < g.minEfficiency) });
  if (g.maxWastedBytes !== undefined) out.push({ name: 'max-wasted-bytes', threshold: g.maxWastedBytes, value: r.waste.wastedBytes, passed: !(r.waste.wastedBytes > g.maxWastedBytes) });
  if (g.maxWastedPercent !== undefined) {
    const pct = r.waste.userWastedPercent ?? (r.waste.wastedBytes > 0 ? Infinity : NaN);
    out.push({ name: 'max-wasted-percent', threshold: g.maxWastedPercent, value: Number.isFinite(pct) ? pct : null, passed: !(pct > g.maxWastedPercent) });
  }
  return out;
}

export interface AnalyzeCliOptions {
  /** Show progress on stderr (a terminal). */
  progress?: boolean;
  /** Cancel on Ctrl+C (the real process). */
  handleSignals?: boolean;
  /** For tests: replaces the engine call. */
  analyze?: (target: string, opts: TargetOptions) => Promise<ImageReport>;
}

export async function runAnalyze(argv: string[], io: CliIO, cli: AnalyzeCliOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        'min-efficiency': { type: 'string' },
        'max-wasted-bytes': { type: 'string' },
        'max-wasted-percent': { type: 'string' },
        platform: { type: 'string' },
        verify: { type: 'boolean', default: false },
        docker: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`container-tuner analyze: ${(e as Error).message}\n\n${ANALYZE_HELP}`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) {
    io.stdout(ANALYZE_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr(`container-tuner analyze: give exactly one image reference, archive or OCI directory\n\n${ANALYZE_HELP}`);
    return 2;
  }
  const format = o.format as string;
  if (!['text', 'json', 'markdown'].includes(format)) {
    io.stderr(`container-tuner analyze: --format must be text, json or markdown (got "${format}")\n`);
    return 2;
  }
  const gates: { minEfficiency?: number; maxWastedBytes?: number; maxWastedPercent?: number } = {};
  for (const [flag, key] of [
    ['min-efficiency', 'minEfficiency'],
    ['max-wasted-percent', 'maxWastedPercent'],
  ] as const) {
    const v = parseFraction(o[flag] as string | undefined, `--${flag}`);
    if (v instanceof Error) {
      io.stderr(`container-tuner analyze: ${v.message}\n`);
      return 2;
    }
    if (typeof v === 'number') gates[key] = v;
  }
  const wb = o['max-wasted-bytes'] as string | undefined;
  if (wb !== undefined && !/^(disabled|off|none)$/i.test(wb)) {
    const n = parseSize(wb);
    if (n === undefined) {
      io.stderr(`container-tuner analyze: --max-wasted-bytes must be a size such as 20MB, 20MiB or 1000 (got "${wb}")\n`);
      return 2;
    }
    gates.maxWastedBytes = n;
  }

  const target = parsed.positionals[0];
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  if (cli.handleSignals) process.once('SIGINT', onSigint);
  let lastProgress = '';
  const onProgress = cli.progress
    ? (p: AnalyzeProgress) => {
        const pct = p.totalBytes ? ` ${Math.min(100, Math.floor((100 * p.bytes) / p.totalBytes))} %` : '';
        const line = p.phase === 'saving' ? `docker save${pct} (${formatBytes(p.bytes)})` : `reading${pct}, ${p.layersDone} layers done`;
        if (line !== lastProgress) io.stderr(`\r${line.padEnd(60)}`);
        lastProgress = line;
      }
    : undefined;
  let report: ImageReport;
  try {
    const run = cli.analyze ?? analyzeTarget;
    report = await run(target, {
      cwd: io.cwd,
      signal: controller.signal,
      onProgress,
      docker: o.docker ? { dockerPath: o.docker as string } : undefined,
      analyze: { input: target, thresholds: { ...gates } },
      ...(o.platform ? { platform: o.platform as string } : {}),
      ...(o.verify ? { verify: true } : {}),
    });
  } catch (e) {
    if (lastProgress) io.stderr('\r'.padEnd(62) + '\r');
    const msg = e instanceof AbortError ? 'cancelled' : e instanceof ArchiveError || e instanceof ImageAnalysisError ? e.message : `internal error: ${(e as Error)?.stack ?? e}`;
    io.stderr(`container-tuner analyze: ${msg}\n`);
    return 2;
  } finally {
    if (cli.handleSignals) process.off('SIGINT', onSigint);
  }
  if (lastProgress) io.stderr('\r'.padEnd(62) + '\r');

  const results = evaluateGates(report, gates);
  if (format === 'json') io.stdout(JSON.stringify({ ...report, gates: results }, null, 2) + '\n');
  else if (format === 'markdown') io.stdout(reportToMarkdown(report) + gatesMarkdown(results));
  else io.stdout(formatReportText(report, results, { color: io.isTTY && !o['no-color'] && !process.env.NO_COLOR }));
  return results.some((g) => !g.passed) ? 1 : 0;
}

/** Go binaries that belong to a toolchain shipped in the image, by toolchain directory. */
export function toolchains(r: ImageReport): Map<string, ImageReport['goBinaries']> {
  const m = new Map<string, ImageReport['goBinaries']>();
  for (const b of r.goBinaries) if (b.toolchain) m.set(b.toolchain, [...(m.get(b.toolchain) ?? []), b]);
  return m;
}

function gateText(g: Gate): string {
  const pct = (n: number | null) => (n === null ? 'n/a' : formatPercent(n));
  switch (g.name) {
    case 'min-efficiency':
      return `efficiency ${pct(g.value)} ${g.passed ? '≥' : '<'} ${formatPercent(g.threshold)}`;
    case 'max-wasted-bytes':
      return `wasted ${formatBytes(g.value ?? 0)} ${g.passed ? '≤' : '>'} ${formatBytes(g.threshold)}`;
    case 'max-wasted-percent':
      return `wasted ${pct(g.value)} of the bytes above the first layer ${g.passed ? '≤' : '>'} ${formatPercent(g.threshold)}`;
  }
}

function gatesMarkdown(gates: Gate[]): string {
  if (!gates.length) return '';
  return ['## Gates', '', ...gates.map((g) => `- ${g.passed ? '✅ pass' : '❌ fail'}: ${gateText(g)}`), ''].join('\n');
}

/** The report for a terminal. */
export function formatReportText(r: ImageReport, gates: Gate[] = [], opt: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (opt.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = (s: string) => c('1', s);
  const dim = (s: string) => c('2', s);
  const sev = { error: (s: string) => c('31', s), warning: (s: string) => c('33', s), info: (s: string) => c('36', s) };
  const i = r.image;
  const w = r.waste;
  const lines: string[] = [];
  const id = i.id ? ` (${i.id.replace(/^sha256:/, '').slice(0, 12)})` : '';
  lines.push(`${bold('Image')}  ${i.input}${id}  ${i.os}/${i.architecture}${i.variant ? '/' + i.variant : ''}${i.baseImage ? `  base: ${i.baseImage.name} ${dim(`(${i.baseImage.reason})`)}` : ''}`);
  lines.push(`${bold('Size')}   ${formatBytes(i.totalSize)} in ${i.layerCount} layers; ${formatBytes(i.finalSize)} visible in ${i.finalFiles} files`);
  lines.push(
    `${bold('Waste')}  efficiency ${formatPercent(w.efficiency)}, wasted ${formatBytes(w.wastedBytes)}${w.userWastedPercent !== null ? ` (${formatPercent(w.userWastedPercent)} of ${formatBytes(w.userSize)} above the first layer)` : ''}; deleted or replaced by later layers: ${formatBytes(w.hiddenBytes)}`,
  );
  const cfg = i.config;
  const cmd = cfg.entrypoint ?? cfg.cmd;
  lines.push(`${bold('Run')}    ${cmd ? `${JSON.stringify([...(cfg.entrypoint?.argv ?? []), ...(cfg.cmd?.argv ?? [])])} (${cmd.form} form)` : '(no command)'} as ${cfg.user || 'root'}${cfg.exposedPorts.length ? `, ports ${cfg.exposedPorts.join(' ')}` : ''}`);
  lines.push('');

  lines.push(bold('Layers'));
  for (const l of r.layers) {
    const what = l.sameAs !== undefined ? `(same as layer ${l.sameAs + 1}) ` : '';
    const instr = (l.instruction || '(no history)').replace(/\s+/g, ' ');
    lines.push(`  ${String(l.index + 1).padStart(3)}  ${formatBytes(l.size).padStart(9)}  ${String(l.files).padStart(6)} files  ${l.hiddenBytes ? sev.warning(`${formatBytes(l.hiddenBytes)} hidden later`.padEnd(20)) : ''.padEnd(20)}  ${what}${instr.length > 100 ? instr.slice(0, 99) + '…' : instr}`);
  }
  if (w.wastedPaths.length) {
    lines.push('', bold('Wasted paths'));
    for (const p of w.wastedPaths.slice(0, 10)) {
      lines.push(`  ${formatBytes(p.size).padStart(9)}  ${p.path}${p.files > 1 ? ` (${p.files} files)` : ''}  ${dim(`added in layer ${p.addedIn + 1}, ${p.how} in layer ${p.removedIn + 1}`)}`);
    }
  }
  if (r.goBinaries.length) {
    lines.push('', bold('Go binaries'));
    for (const b of r.goBinaries.filter((x) => !x.toolchain)) {
      const mod = b.mainModule ? `${b.mainModule.path} ${b.mainModule.version}` : (b.mainPackage ?? '');
      const link = b.interpreter !== undefined ? (b.interpreterFound ? `dynamic (${b.interpreter})` : sev.error(`dynamic, ${b.interpreter} MISSING`)) : 'static';
      const strip = b.stripped === undefined ? 'stripped: ?' : b.stripped ? 'stripped' : sev.warning(`not stripped (${formatBytes(b.debugBytes + b.symtabBytes)})`);
      lines.push(`  ${b.path}  ${formatBytes(b.size)}  ${b.goVersion ?? b.goError ?? ''}  ${mod}`);
      const settings = [b.cgo !== undefined ? `CGO_ENABLED=${b.cgo ? 1 : 0}` : '', b.goos && b.goarch ? `${b.goos}/${b.goarch}` : '', b.ldflags !== undefined ? `-ldflags=${JSON.stringify(b.ldflags)}` : '', b.trimpath ? '-trimpath' : '', b.vcsRevision ? `vcs ${b.vcsRevision.slice(0, 12)}${b.vcsModified ? '+dirty' : ''}` : '', b.deps.length ? `${b.deps.length} deps` : '']
        .filter(Boolean)
        .join('  ');
      lines.push(`      ${link}, ${strip}${settings ? '  ' + dim(settings) : ''}`);
    }
    for (const [dir, list] of toolchains(r)) lines.push(`  ${dim(`+ ${list.length} binaries of the Go toolchain in ${dir} (${[...new Set(list.map((b) => b.goVersion))].join(', ')})`)}`);
  }
  lines.push('', bold('Findings'));
  if (!r.findings.length) lines.push('  none');
  for (const f of r.findings) {
    lines.push(`  ${sev[f.severity](f.severity.padEnd(7))}  ${f.rule ? dim(f.rule) + '  ' : ''}${f.message}`);
    if (f.hint) lines.push(`           ${dim('fix: ' + f.hint)}`);
  }
  if (r.problems.length) {
    lines.push('', bold('Problems while reading'));
    for (const p of r.problems) lines.push(`  ${p}`);
  }
  if (gates.length) {
    lines.push('', bold('Gates'));
    for (const g of gates) lines.push(`  ${g.passed ? c('32', 'PASS') : c('31', 'FAIL')}  ${gateText(g)}`);
  }
  return lines.join('\n') + '\n';
}
