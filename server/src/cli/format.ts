// CLI output formats: text, JSON and SARIF 2.1.0.
import * as path from 'node:path';
import type * as sarif from 'sarif';
import { docsUrl } from '../engine/rule';
import { ALL_RULES } from '../engine/rules';
import type { Finding, Severity } from '../engine/types';

export interface FileReport {
  /** Path as given on the command line (or found under a given folder). */
  file: string;
  findings: Finding[];
  /** Findings that `--fix` would fix (or that it fixed, when it ran). */
  fixable: Set<Finding>;
  /** A message when the file could not be read or linted. */
  error?: string;
  /** Findings fixed by `--fix`. */
  fixed?: number;
}

export interface JsonFinding {
  rule: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fixable: boolean;
}

export function toJson(reports: FileReport[]): { file: string; findings: JsonFinding[]; error?: string; fixed?: number }[] {
  return reports.map((r) => ({
    file: r.file,
    findings: r.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      fixable: r.fixable.has(f),
    })),
    ...(r.error ? { error: r.error } : {}),
    ...(r.fixed ? { fixed: r.fixed } : {}),
  }));
}

export function formatText(reports: FileReport[], opts: { color?: boolean; fixRan?: boolean } = {}): string {
  const c = opts.color
    ? { red: (s: string) => `\x1b[31m${s}\x1b[0m`, yellow: (s: string) => `\x1b[33m${s}\x1b[0m`, blue: (s: string) => `\x1b[36m${s}\x1b[0m`, dim: (s: string) => `\x1b[2m${s}\x1b[0m`, bold: (s: string) => `\x1b[1m${s}\x1b[0m` }
    : { red: (s: string) => s, yellow: (s: string) => s, blue: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
  const lines: string[] = [];
  const count = { error: 0, warning: 0, info: 0 };
  let fixable = 0;
  let fixed = 0;
  for (const r of reports) {
    if (r.error) lines.push(`${r.file}: ${c.red('error')} ${r.error}`);
    fixed += r.fixed ?? 0;
    for (const f of r.findings) {
      count[f.severity]++;
      if (r.fixable.has(f)) fixable++;
      const sev = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.blue('info');
      lines.push(`${r.file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${sev} ${c.dim(f.rule)} ${f.message}`);
    }
  }
  const total = count.error + count.warning + count.info;
  const files = reports.length;
  const parts = [`${count.error} error${count.error === 1 ? '' : 's'}`, `${count.warning} warning${count.warning === 1 ? '' : 's'}`, `${count.info} info`];
  if (lines.length) lines.push('');
  let summary = total === 0 ? `No problems in ${files} file${files === 1 ? '' : 's'}.` : `${total} problem${total === 1 ? '' : 's'} (${parts.join(', ')}) in ${files} file${files === 1 ? '' : 's'}.`;
  if (opts.fixRan) summary += ` Fixed ${fixed}.`;
  else if (fixable) summary += ` ${fixable} fixable with --fix.`;
  lines.push(c.bold(summary));
  return lines.join('\n') + '\n';
}

const LEVEL: Record<Severity, sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(reports: FileReport[], cwd: string, version: string): sarif.Log {
  const rules: sarif.ReportingDescriptor[] = ALL_RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: r.summary },
    fullDescription: { text: r.summary },
    helpUri: docsUrl(r.id),
    help: { text: `${r.summary} See ${docsUrl(r.id)}`, markdown: `${r.summary} [Documentation](${docsUrl(r.id)})` },
    defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
    properties: { tags: ['containers', 'go', 'performance'] },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: sarif.Result[] = [];
  const notifications: sarif.Notification[] = [];
  for (const rep of reports) {
    const uri = toUri(rep.file, cwd);
    if (rep.error) {
      notifications.push({ level: 'error', message: { text: `${rep.file}: ${rep.error}` }, locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' } } }] });
    }
    for (const f of rep.findings) {
      const result: sarif.Result = {
        ruleId: f.rule,
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
              region: {
                startLine: f.range.start.line + 1,
                startColumn: f.range.start.character + 1,
                endLine: f.range.end.line + 1,
                endColumn: f.range.end.character + 1,
              },
            },
          },
        ],
      };
      const ri = index.get(f.rule);
      if (ri !== undefined) result.ruleIndex = ri;
      const preferred = f.fixes.find((x) => x.preferred);
      if (preferred) {
        result.fixes = [
          {
            description: { text: preferred.title },
            artifactChanges: [
              {
                artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
                replacements: preferred.edits.map((e) => ({
                  deletedRegion: {
                    startLine: e.range.start.line + 1,
                    startColumn: e.range.start.character + 1,
                    endLine: e.range.end.line + 1,
                    endColumn: e.range.end.character + 1,
                  },
                  insertedContent: { text: e.newText },
                })),
              },
            ],
          },
        ];
      }
      results.push(result);
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'container-tuner', semanticVersion: version, informationUri: 'https://github.com/container-tuner/container-tuner', rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileUri(cwd.endsWith(path.sep) ? cwd : cwd + path.sep) } },
        columnKind: 'utf16CodeUnits',
        results,
        ...(notifications.length ? { invocations: [{ executionSuccessful: false, toolExecutionNotifications: notifications }] } : { invocations: [{ executionSuccessful: true }] }),
      },
    ],
  };
}

function toUri(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  const p = rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  return p.split(path.sep).map(encodeURIComponent).join('/');
}

function pathToFileUri(p: string): string {
  return 'file://' + p.split(path.sep).map(encodeURIComponent).join('/');
}
