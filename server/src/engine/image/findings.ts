// What to change in a built image, with numbers, each linked to the Dockerfile
// rule that catches the same mistake at its source when there is one.
import { parseGoVersion } from '../go';
import { checkGoGC, checkGoMaxProcs, checkGoMemLimit } from '../goenv';
import { docsUrl } from '../rule';
import type { Severity } from '../types';
import type { CacheUsage, CommandReport, GoBinaryReport, ImageReport } from './analyze';
import type { FinalFs } from './fstree';
import { formatBytes, formatPercent } from './units';

export interface ImageFinding {
  /** Stable id of the kind of finding. */
  id: string;
  /** The Dockerfile rule that catches this at its source, when there is one. */
  rule?: string;
  severity: Severity;
  /** One or two sentences with the numbers. Markdown code spans. */
  message: string;
  /** What to change. */
  hint?: string;
  /** The rule's documentation page. */
  docs?: string;
  /** The layer (0-based) and/or path it is about. */
  layer?: number;
  path?: string;
  /** The figures behind the message (bytes, versions, …). */
  data?: Record<string, number | string | boolean>;
}

export interface FindingThresholds {
  /** dive's lowestEfficiency (default 0.9): below it, a finding. */
  minEfficiency?: number;
  /** dive's highestUserWastedPercent (default 0.1). */
  maxWastedPercent?: number;
  /** dive's highestWastedBytes (default: none). */
  maxWastedBytes?: number;
}

export interface FindingContext {
  fs: FinalFs;
  thresholds?: FindingThresholds;
  cacheUsage: CacheUsage[];
  toolchain: { dir: string; bytes: number; files: number }[];
  hasShell: (path: string) => boolean;
}

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

/** The go-env-invalid finding for a Go runtime variable of the image config whose value the runtime rejects or ignores. */
function invalidEnv(
  name: string,
  value: string,
  c: { valid: boolean; reason?: string; rewrite?: string },
  severity: ImageFinding['severity'],
  opts: { effect?: string; fallbackHint?: string; dataRewrite?: boolean } = {},
): ImageFinding | undefined {
  if (c.valid) return undefined;
  return finding({
    id: 'go-env-invalid',
    rule: 'go-env-syntax',
    severity,
    message: `${code(`${name}=${value}`)} in the image config${opts.effect ? ` ${opts.effect}` : ': '}${c.reason}`,
    hint: c.rewrite ? `Use ${code(`${name}=${c.rewrite}`)}.` : opts.fallbackHint,
    data: { name, value, ...(opts.dataRewrite && c.rewrite ? { rewrite: c.rewrite } : {}) },
  });
}

function finding(f: ImageFinding): ImageFinding {
  if (f.rule) f.docs = docsUrl(f.rule);
  return f;
}

function goVersionOf(v: string | undefined): [number, number, number] | undefined {
  const m = /^go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)/.exec(v ?? '');
  return m ? parseGoVersion(m[1]) : undefined;
}

/** Whether this binary's runtime sizes GOMAXPROCS from the container's CPU limit (Go ≥ 1.25 built with a go.mod `go` line ≥ 1.25). */
function containerAwareMaxProcs(b: GoBinaryReport): boolean | undefined {
  const v = goVersionOf(b.goVersion);
  if (!v) return undefined;
  if (v[0] === 1 && v[1] < 25) return false;
  // a module whose go line is older than 1.25 gets containermaxprocs=0 in its DefaultGODEBUG
  if (b.defaultGODEBUG && /(^|,)containermaxprocs=0(,|$)/.test(b.defaultGODEBUG)) return false;
  return true;
}

function describeLayer(r: ImageReport, i: number): string {
  const l = r.layers[i];
  const what = l?.instruction ? `: ${code(l.instruction.length > 80 ? l.instruction.slice(0, 77) + '…' : l.instruction)}` : '';
  return `layer ${i + 1}${what}`;
}

/** The command the container runs, and whether it goes through a shell. */
function effectiveCommand(r: ImageReport): CommandReport | undefined {
  const { entrypoint, cmd } = r.image.config;
  return entrypoint ?? cmd;
}

export function imageFindings(r: ImageReport, ctx: FindingContext): ImageFinding[] {
  const out: ImageFinding[] = [];
  const env = new Map(r.image.config.env.map((e) => [e.name, e.value]));
  // the service's binaries: a toolchain shipped in the image is reported as such, not binary by binary
  const services = r.goBinaries.filter((b) => !b.toolchain);
  const go = services.filter((b) => b.goVersion);

  // Go toolchain in the final image
  for (const t of ctx.toolchain) {
    out.push(
      finding({
        id: 'go-toolchain-in-image',
        rule: 'go-single-stage',
        severity: 'warning',
        message: `The Go toolchain ships in the final image: ${code(t.dir)} is ${formatBytes(t.bytes)} (${t.files} files) of the image's ${formatBytes(r.image.finalSize)}.`,
        hint: 'Build in a `golang` stage and `COPY --from=` only the binary into `scratch`, distroless or alpine.',
        path: t.dir,
        data: { bytes: t.bytes, files: t.files },
      }),
    );
  }

  for (const b of services) {
    // not stripped
    if (b.stripped === false) {
      const strippable = b.debugBytes + b.symtabBytes;
      const parts = [b.debugBytes ? `debug sections (DWARF) ${formatBytes(b.debugBytes)}` : '', b.symtab ? `symbol table ${formatBytes(b.symtabBytes)}` : ''].filter(Boolean);
      out.push(
        finding({
          id: 'go-binary-not-stripped',
          rule: 'go-strip-symbols',
          severity: 'warning',
          message: `${code(b.path)} is not stripped: ${parts.join(' and ')}${b.approximate ? ' (estimated)' : ''}, ${formatPercent(strippable / Math.max(1, b.size), 0)} of its ${formatBytes(b.size)}.`,
          hint: 'Build with `-ldflags="-s -w"` (keep any other `-ldflags`, such as `-X main.version=…`).',
          path: b.path,
          layer: b.layer,
          data: { debugBytes: b.debugBytes, symtabBytes: b.symtabBytes, size: b.size, ...(b.ldflags !== undefined ? { ldflags: b.ldflags } : {}) },
        }),
      );
    }
    // dynamically linked, interpreter missing
    if (b.interpreter !== undefined && !b.interpreterFound) {
      out.push(
        finding({
          id: 'go-interpreter-missing',
          rule: 'go-static-binary',
          severity: 'error',
          message: `${code(b.path)} is dynamically linked${b.cgo ? ' (CGO_ENABLED=1)' : ''} and needs the ELF interpreter ${code(b.interpreter || '(unreadable)')}, which is not in the image: the container cannot start (${code(`exec ${b.path}: no such file or directory`)}).`,
          hint: 'Build with `CGO_ENABLED=0` for a static binary, or ship it on a base with the matching libc.',
          path: b.path,
          layer: b.layer,
          data: { interpreter: b.interpreter },
        }),
      );
    }
    if (b.goError) {
      out.push(
        finding({
          id: 'go-buildinfo-unreadable',
          severity: 'info',
          message: `${code(b.path)} carries Go build information that could not be read completely (${b.goError}).`,
          path: b.path,
          layer: b.layer,
        }),
      );
    }
  }

  // GOMAXPROCS
  if (go.length) {
    const maxprocs = env.get('GOMAXPROCS');
    if (maxprocs === undefined || maxprocs === '') {
      const blind = go.filter((b) => containerAwareMaxProcs(b) === false && !b.deps.some((d) => d.path === 'go.uber.org/automaxprocs'));
      if (blind.length) {
        const list = blind.map((b) => `${code(b.path)} (${b.goVersion})`).join(', ');
        out.push(
          finding({
            id: 'go-maxprocs-unset',
            rule: 'go-maxprocs',
            severity: 'info',
            message: `${list} ${blind.length > 1 ? 'size' : 'sizes'} GOMAXPROCS to the node's CPUs, not the container's CPU limit (Go < 1.25, or a go.mod older than 1.25), and the image sets no ${code('GOMAXPROCS')}: under a CPU limit the CFS quota throttles it.`,
            hint: 'Set `GOMAXPROCS` (e.g. from the Kubernetes downward API `limits.cpu`), import `go.uber.org/automaxprocs`, or build with Go ≥ 1.25 and a `go 1.25` line in go.mod.',
            path: blind[0].path,
            data: { goVersion: blind[0].goVersion ?? '' },
          }),
        );
      }
    } else {
      const f = invalidEnv('GOMAXPROCS', maxprocs, checkGoMaxProcs(maxprocs), 'warning');
      if (f) out.push(f);
    }
  }
  const memlimit = env.get('GOMEMLIMIT');
  if (memlimit !== undefined) {
    const f = invalidEnv('GOMEMLIMIT', memlimit, checkGoMemLimit(memlimit), 'error', {
      effect: `makes every Go program in it abort at start (${code('malformed GOMEMLIMIT')}). `,
      fallbackHint: 'Use bytes with an optional `B`, `KiB`, `MiB`, `GiB` or `TiB` suffix, or `off`.',
      dataRewrite: true,
    });
    if (f) out.push(f);
  }
  const gogc = env.get('GOGC');
  if (gogc !== undefined) {
    const f = invalidEnv('GOGC', gogc, checkGoGC(gogc), 'warning');
    if (f) out.push(f);
  }

  // Windows servercore
  if (r.image.windows && r.image.baseImage && /servercore/i.test(r.image.baseImage.name)) {
    const baseBytes = r.layers.filter((l, i) => i === 0 || /^Apply image /i.test(l.createdBy ?? '')).reduce((n, l) => n + l.size, 0);
    out.push(
      finding({
        id: 'windows-servercore-base',
        rule: 'windows-servercore-runtime',
        severity: 'warning',
        message: `The image runs on Windows Server Core (${r.image.baseImage.reason}): its base layers are ${formatBytes(baseBytes)} of ${formatBytes(r.image.totalSize)}.${go.length ? ' A static Go binary runs on nanoserver, a fraction of that.' : ''}`,
        hint: 'Use `mcr.microsoft.com/windows/nanoserver` of the same release for the runtime stage (no PowerShell there).',
        data: { baseBytes },
      }),
    );
  }

  // shell form
  const cmd = effectiveCommand(r);
  if (cmd?.form === 'shell') {
    const shell = cmd.argv.slice(0, -1);
    const shellPath = r.image.windows ? (/^cmd(\.exe)?$/i.test(shell[0] ?? '') ? '/Windows/System32/cmd.exe' : shell[0]) : shell[0];
    const which = r.image.config.entrypoint ? 'ENTRYPOINT' : 'CMD';
    if (shellPath && !ctx.hasShell(shellPath)) {
      out.push(
        finding({
          id: 'shell-form-no-shell',
          rule: 'exec-form-cmd',
          severity: 'error',
          message: `${which} is in shell form (${code(cmd.argv.join(' '))}) but the image has no ${code(shell[0])}: the container cannot start.`,
          hint: `Use the exec (JSON) form: ${code(`${which} ${JSON.stringify(splitWords(cmd.script ?? ''))}`)}.`,
          data: { shell: shell[0] },
        }),
      );
    } else {
      out.push(
        finding({
          id: 'shell-form-command',
          rule: 'exec-form-cmd',
          severity: 'warning',
          message: `${which} is in shell form (${code(cmd.argv.join(' '))}): ${code(shell[0])} is PID 1 and does not forward SIGTERM, so the app is killed after the grace period instead of shutting down cleanly.`,
          hint: `Use the exec (JSON) form: ${code(`${which} ${JSON.stringify(splitWords(cmd.script ?? ''))}`)}.`,
        }),
      );
    }
  }

  // root
  const user = r.image.config.user.trim();
  const rootLinux = !r.image.windows && (user === '' || /^(root|0)(:.*)?$/.test(user));
  const rootWindows = r.image.windows && /^containeradministrator$/i.test(user);
  if (rootLinux || rootWindows) {
    out.push(
      finding({
        id: 'runs-as-root',
        rule: 'runtime-user-root',
        severity: 'info',
        message: user ? `The container runs as ${code(user)}.` : 'The image sets no USER: the container runs as root.',
        hint: r.image.windows ? 'Add `USER ContainerUser`.' : 'Add `USER 65532:65532` (or a named non-root user) to the runtime stage.',
        data: { user },
      }),
    );
  }

  // waste
  const w = r.waste;
  const t = { minEfficiency: 0.9, maxWastedPercent: 0.1, ...ctx.thresholds };
  const reasons: string[] = [];
  if (w.efficiency < t.minEfficiency) reasons.push(`efficiency ${formatPercent(w.efficiency)} < ${formatPercent(t.minEfficiency, 0)}`);
  if (w.userWastedPercent !== null && w.userWastedPercent > t.maxWastedPercent) reasons.push(`${formatPercent(w.userWastedPercent)} of the bytes added above the first layer > ${formatPercent(t.maxWastedPercent, 0)}`);
  if (t.maxWastedBytes !== undefined && w.wastedBytes > t.maxWastedBytes) reasons.push(`more than ${formatBytes(t.maxWastedBytes)}`);
  if (reasons.length) {
    const worst = w.wastedPaths[0];
    out.push(
      finding({
        id: 'wasted-bytes',
        // deleting in a later layer is what layer-delete-later catches in the Dockerfile
        ...(worst?.how === 'deleted' ? { rule: 'layer-delete-later' } : {}),
        severity: 'warning',
        message: `${formatBytes(w.wastedBytes)} wasted on files repeated or removed across layers (${reasons.join('; ')}).${worst ? ` Largest: ${code(worst.path)}, ${formatBytes(worst.size)} added in ${describeLayer(r, worst.addedIn)} and ${worst.how === 'overwritten' ? 'replaced' : 'removed'} in ${describeLayer(r, worst.removedIn)}.` : ''}`,
        hint: 'Create and delete files in the same RUN, or copy only the result from a build stage: deleting in a later layer saves nothing.',
        ...(worst ? { path: worst.path, layer: worst.addedIn } : {}),
        data: { wastedBytes: w.wastedBytes, efficiency: w.efficiency, ...(w.userWastedPercent !== null ? { userWastedPercent: w.userWastedPercent } : {}) },
      }),
    );
  }

  // caches left in layers
  for (const u of ctx.cacheUsage) {
    const min = u.kind === 'apt-lists' || u.kind === 'apk-cache' ? 1 : 1024 * 1024;
    if (u.bytes < min) continue;
    const rule = u.kind === 'apk-cache' ? 'apk-no-cache' : u.kind.startsWith('apt') ? 'apt-lists-cleanup' : 'go-build-cache-mount';
    const what = { 'apt-lists': 'the apt package lists', 'apt-archives': "apt's package cache", 'apk-cache': "apk's package index cache", 'go-build-cache': "Go's build cache", 'go-mod-cache': "Go's module cache" }[u.kind];
    out.push(
      finding({
        id: 'package-cache',
        ...(rule ? { rule } : {}),
        severity: u.kind.startsWith('go-') ? 'info' : 'warning',
        message: `${describeLayer(r, u.layer)[0].toUpperCase()}${describeLayer(r, u.layer).slice(1)} keeps ${what} (${code(u.dir)}): ${formatBytes(u.bytes)} in ${u.files} files${u.inFinal ? '' : ', deleted by a later layer but still shipped in this one'}.`,
        hint: {
          'apt-lists': 'End the same RUN with `rm -rf /var/lib/apt/lists/*` (and use `--no-install-recommends`).',
          'apt-archives': 'End the same RUN with `apt-get clean`.',
          'apk-cache': 'Use `apk add --no-cache`.',
          'go-build-cache': 'Build in a separate stage, or use `RUN --mount=type=cache,target=/root/.cache/go-build`.',
          'go-mod-cache': 'Build in a separate stage, or use `RUN --mount=type=cache,target=/go/pkg/mod`.',
        }[u.kind],
        layer: u.layer,
        path: u.dir,
        data: { bytes: u.bytes, files: u.files, inFinal: u.inFinal },
      }),
    );
  }

  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return out.sort((a, b) => order[a.severity] - order[b.severity]);
}

/** Words of a shell command line for the exec-form hint (plain words; quotes removed). */
function splitWords(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
