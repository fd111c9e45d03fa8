// The report as Markdown (CLI `--format markdown`, the webview's "Export Markdown").
import type { ImageReport } from './analyze';
import { formatBytes, formatPercent } from './units';

function cell(s: string | number | undefined): string {
  return String(s ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function codeCell(s: string | undefined): string {
  if (!s) return '';
  const t = s.length > 120 ? s.slice(0, 117) + '…' : s;
  return '`' + cell(t).replace(/`/g, "'") + '`';
}

function table(head: string[], rows: (string | number | undefined)[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map((c) => (typeof c === 'number' ? String(c) : (c ?? ''))).join(' | ')} |`)].join('\n');
}

const ICON = { error: '🛑 error', warning: '⚠️ warning', info: 'ℹ️ info' } as const;

export function reportToMarkdown(r: ImageReport): string {
  const i = r.image;
  const w = r.waste;
  const out: string[] = [];
  out.push(`# Image report: ${cell(i.input)}`, '');
  out.push(
    table(
      ['', ''],
      [
        ['Image', codeCell(i.id ?? '')],
        ['Tags', i.repoTags.map(codeCell).join(', ')],
        ['Platform', `${i.os}/${i.architecture}${i.variant ? '/' + i.variant : ''}${i.osVersion ? ` (${i.osVersion})` : ''}`],
        ['Base image (guess)', i.baseImage ? `${codeCell(i.baseImage.name)} — ${cell(i.baseImage.reason)}` : 'unknown'],
        ['Size', `${formatBytes(i.totalSize)} in ${i.layerCount} layers; ${formatBytes(i.finalSize)} visible in ${i.finalFiles} files`],
        ['Efficiency (dive)', `${formatPercent(w.efficiency)}; wasted ${formatBytes(w.wastedBytes)}${w.userWastedPercent !== null ? ` (${formatPercent(w.userWastedPercent)} of ${formatBytes(w.userSize)} above the first layer)` : ''}`],
        ['Hidden bytes', `${formatBytes(w.hiddenBytes)} deleted or replaced by later layers`],
        ['Go binaries', String(r.goBinaries.length)],
      ],
    ),
    '',
  );

  out.push('## Findings', '');
  if (!r.findings.length) out.push('None.', '');
  for (const f of r.findings) {
    const rule = f.rule ? ` ([${f.rule}](${f.docs}))` : '';
    out.push(`- **${ICON[f.severity]}**${rule}: ${f.message}${f.hint ? `  \n  Fix: ${f.hint}` : ''}`);
  }
  if (r.findings.length) out.push('');

  out.push('## Layers', '');
  out.push(
    table(
      ['#', 'Size', 'Files', 'Hidden later', 'Created by'],
      r.layers.map((l) => [l.index + 1, formatBytes(l.size), l.files, l.hiddenBytes ? formatBytes(l.hiddenBytes) : '', (l.sameAs !== undefined ? `(same blob as layer ${l.sameAs + 1}) ` : '') + (l.instruction ? codeCell(l.instruction) : '(no history)')]),
    ),
    '',
  );

  if (w.wastedPaths.length) {
    out.push('## Wasted paths', '');
    out.push(
      table(
        ['Path', 'Size', 'Files', 'Added in', 'Removed in', 'How'],
        w.wastedPaths.map((p) => [codeCell(p.path), formatBytes(p.size), p.files, `layer ${p.addedIn + 1}`, `layer ${p.removedIn + 1}`, p.how]),
      ),
      '',
    );
  }

  if (r.goBinaries.length) {
    out.push('## Go binaries', '');
    out.push(
      table(
        ['Path', 'Size', 'Go', 'Module', 'Stripped', 'Linking', 'Build settings'],
        r.goBinaries.filter((b) => !b.toolchain).map((b) => [
          codeCell(b.path),
          formatBytes(b.size),
          cell(b.goVersion ?? b.goError ?? ''),
          b.mainModule ? codeCell(`${b.mainModule.path}@${b.mainModule.version}`) : codeCell(b.mainPackage),
          b.stripped === undefined ? '?' : b.stripped ? 'yes' : `no (${formatBytes(b.debugBytes + b.symtabBytes)} of symbols/DWARF)`,
          b.interpreter !== undefined ? `dynamic: ${codeCell(b.interpreter)}${b.interpreterFound ? '' : ' **missing**'}` : 'static',
          [b.cgo !== undefined ? `CGO_ENABLED=${b.cgo ? 1 : 0}` : '', b.ldflags !== undefined ? `-ldflags=${codeCell(b.ldflags)}` : '', b.trimpath ? '-trimpath' : '', b.goos && b.goarch ? `${b.goos}/${b.goarch}` : '', b.vcsRevision ? `vcs ${b.vcsRevision.slice(0, 12)}${b.vcsModified ? '+dirty' : ''}` : '']
            .filter(Boolean)
            .join(', '),
        ]),
      ),
      '',
    );
    const tc = new Map<string, string[]>();
    for (const b of r.goBinaries) if (b.toolchain) tc.set(b.toolchain, [...(tc.get(b.toolchain) ?? []), b.goVersion ?? '?']);
    for (const [dir, versions] of tc) out.push(`Also ${versions.length} binaries of the Go toolchain in ${codeCell(dir)} (${[...new Set(versions)].join(', ')}).`, '');
  }

  const c = i.config;
  out.push('## Config', '');
  const cmd = (x: typeof c.cmd) => (x ? `${codeCell(JSON.stringify(x.argv))} (${x.form} form)` : '');
  out.push(
    table(
      ['', ''],
      [
        ['User', c.user ? codeCell(c.user) : '(root)'],
        ['Entrypoint', cmd(c.entrypoint)],
        ['Cmd', cmd(c.cmd)],
        ['Workdir', codeCell(c.workdir)],
        ['Exposed ports', c.exposedPorts.join(', ')],
        ['Env', c.env.map((e) => codeCell(`${e.name}=${e.value}`)).join('<br>')],
        ['Labels', Object.entries(c.labels).map(([k, v]) => codeCell(`${k}=${v}`)).join('<br>')],
      ],
    ),
    '',
  );

  if (r.problems.length) {
    out.push('## Problems while reading', '');
    for (const p of r.problems) out.push(`- ${cell(p)}`);
    out.push('');
  }
  return out.join('\n');
}
