// The report on one image: what the extension's webview, the CLI and the
// Markdown export show. Pure: built from an ImageArchive (archive.ts) with no
// I/O. See docs/analyze.md for what each figure means.
import type { ArchiveFormat, ImageArchive, ImageConfigJson, LayerData, RawEntry } from './archive';
import { buildSetting, type GoModule } from './buildinfo';
import { diveFigures, type DiveInefficiency } from './dive';
import { FinalFs, fsPathOf, type HiddenRecord } from './fstree';
import { imageFindings, type ImageFinding } from './findings';
import type { ExecutableInfo } from './scan';

export const REPORT_VERSION = 1;

export interface CommandReport {
  /** exec: JSON form, run directly; shell: wrapped in the image's shell (`/bin/sh -c`, `cmd /S /C`). */
  form: 'exec' | 'shell';
  argv: string[];
  /** Shell form: the command line the shell runs. */
  script?: string;
}

export interface ImageConfigReport {
  env: { name: string; value: string }[];
  user: string;
  workdir: string;
  entrypoint?: CommandReport;
  cmd?: CommandReport;
  exposedPorts: string[];
  labels: Record<string, string>;
  shell?: string[];
  stopSignal?: string;
  healthcheck?: string[];
}

export interface ImageSummary {
  /** What was asked for (image reference, archive path). */
  input: string;
  /** `sha256:` of the config (the image ID). */
  id?: string;
  repoTags: string[];
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  created?: string;
  windows: boolean;
  /** Σ layer sizes: uncompressed bytes of the files in every layer (dive's image size; `docker image inspect`'s Size counts symlink targets' lengths too). */
  totalSize: number;
  /** Bytes of the files visible in the final filesystem. */
  finalSize: number;
  finalFiles: number;
  /** Σ of the distinct layer blobs as stored in the archive. */
  storedSize: number;
  layerCount: number;
  baseImage?: { name: string; reason: string };
  config: ImageConfigReport;
}

export interface LayerReport {
  index: number;
  /** The layer's diff_id: the sha256 of its content when `digestVerified`, else the config's (plain layers of a file read without `--verify`). */
  diffId: string;
  digestVerified?: boolean;
  /** Path of the blob in the archive. */
  blob: string;
  compression: LayerData['compression'];
  blobSize: number;
  size: number;
  /** History entry that made it (raw `created_by`), and a Dockerfile-like reading of it. */
  createdBy?: string;
  instruction?: string;
  comment?: string;
  created?: string;
  files: number;
  dirs: number;
  links: number;
  whiteouts: number;
  opaqueDirs: number;
  biggestFiles: { path: string; size: number }[];
  biggestDirs: { path: string; size: number; files: number }[];
  /** Bytes this layer adds that later layers delete or replace. */
  hiddenBytes: number;
  /** Index of the earlier layer with the same blob, when this one repeats it. */
  sameAs?: number;
}

export interface HistoryItem {
  created?: string;
  createdBy: string;
  instruction: string;
  comment?: string;
  emptyLayer: boolean;
  /** The layer it made (0-based), when it made one. */
  layer?: number;
}

/** A path whose bytes a later layer deleted or replaced (what fstree records as hidden). */
export type WastedPath = HiddenRecord;

export interface WasteReport {
  /** dive's efficiency score (0–1). */
  efficiency: number;
  /** dive's wasted bytes. */
  wastedBytes: number;
  /** dive's user size: every layer but the first. */
  userSize: number;
  /** dive's wasted bytes / user size, a fraction; null when the user size is 0 (dive: NaN or +Inf). */
  userWastedPercent: number | null;
  /** dive's paths present in two or more layers, largest first (at most `top`). */
  inefficiencies: DiveInefficiency[];
  inefficiencyCount: number;
  /** Bytes in layers that the final filesystem never shows (deleted, replaced, under opaque directories). */
  hiddenBytes: number;
  /** Where those bytes are, largest first (at most `top`). */
  wastedPaths: WastedPath[];
}

export interface GoBinaryReport {
  path: string;
  layer: number;
  size: number;
  format: 'elf' | 'pe';
  arch: string;
  goVersion?: string;
  /** The build info header was found but not fully read. */
  goError?: string;
  /** Main package path (`path` line). */
  mainPackage?: string;
  mainModule?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
  ldflags?: string;
  cgo?: boolean;
  goos?: string;
  goarch?: string;
  trimpath: boolean;
  vcsRevision?: string;
  vcsTime?: string;
  vcsModified?: boolean;
  defaultGODEBUG?: string;
  /** No symbol table and no DWARF; undefined when the section table was not readable. */
  stripped?: boolean;
  symtab: boolean;
  symtabBytes: number;
  debugBytes: number;
  /** The debug figures are estimates (section names were unreadable). */
  approximate?: boolean;
  /** ELF PT_INTERP: dynamically linked. */
  interpreter?: string;
  /** Whether the interpreter exists in the final filesystem (symlinks followed). */
  interpreterFound?: boolean;
  /** Part of a Go toolchain shipped in the image (this directory): not the service. */
  toolchain?: string;
}

export interface ImageReport {
  version: typeof REPORT_VERSION;
  source: { input: string; kind: 'local-image' | 'archive' | 'oci-dir'; format: ArchiveFormat; archiveBytes: number };
  image: ImageSummary;
  layers: LayerReport[];
  history: HistoryItem[];
  waste: WasteReport;
  goBinaries: GoBinaryReport[];
  findings: ImageFinding[];
  /** Things noticed while reading: unsafe names, digests that do not match. */
  problems: string[];
}

export interface AnalyzeOptions {
  /** What the user asked for (reference or path). */
  input?: string;
  kind?: ImageReport['source']['kind'];
  /** Length of the top lists (wasted paths, inefficiencies). Default 20. */
  top?: number;
  /** Biggest files/directories per layer. Default 10. */
  topPerLayer?: number;
  /** Finding thresholds (dive's CI defaults). */
  thresholds?: { minEfficiency?: number; maxWastedPercent?: number; maxWastedBytes?: number };
}

// ---------------------------------------------------------------------------
// History texts

/** A Dockerfile-like reading of a history `created_by`, for both builders (domain notes §4). */
export function instructionOf(createdBy: string | undefined): string {
  let s = (createdBy ?? '').trim();
  if (!s) return '';
  s = s.replace(/\s+# buildkit$/, '');
  // classic builder: metadata
  let m = /^\/bin\/sh -c #\(nop\)\s+(.*)$/s.exec(s);
  if (m) return m[1].trim();
  m = /^cmd \/S \/C #\(nop\)\s+(.*)$/is.exec(s);
  if (m) return m[1].trim();
  // build args prefix: `|2 A=1 B=2 /bin/sh -c …`
  const args = /^\|\d+ (.*)$/s.exec(s);
  if (args) {
    const rest = args[1];
    const sh = rest.search(/(?:^|\s)(\/bin\/sh -c|cmd \/S \/C) /i);
    if (sh >= 0) s = rest.slice(sh).trim();
  }
  m = /^(?:RUN )?(?:\|\d+ \S+(?: \S+=\S*)* )?(\/bin\/sh -c|cmd \/S \/C) (.*)$/is.exec(s);
  if (m) return `RUN ${m[2].trim()}`;
  if (/^(RUN|COPY|ADD|WORKDIR|ENV|CMD|ENTRYPOINT|LABEL|EXPOSE|USER|VOLUME|ARG|SHELL|STOPSIGNAL|HEALTHCHECK|ONBUILD|MAINTAINER)\b/.test(s)) return s;
  if (/^Apply image /i.test(s)) return s;
  // classic exec-form RUN records the argv joined by spaces
  return `RUN ${s}`;
}

function command(argv: string[] | null | undefined, windows: boolean, shell: string[] | undefined): CommandReport | undefined {
  if (!argv || !argv.length) return undefined;
  const sh = shell?.length ? shell : windows ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
  const isShell = argv.length === sh.length + 1 && sh.every((w, i) => (windows ? argv[i].toLowerCase() === w.toLowerCase() : argv[i] === w));
  return isShell ? { form: 'shell', argv: [...argv], script: argv[argv.length - 1] } : { form: 'exec', argv: [...argv] };
}

function configReport(c: ImageConfigJson, windows: boolean): ImageConfigReport {
  const cfg = c.config ?? {};
  const env = (cfg.Env ?? []).filter((e): e is string => typeof e === 'string').map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? { name: e, value: '' } : { name: e.slice(0, i), value: e.slice(i + 1) };
  });
  const shell = Array.isArray(cfg.Shell) && cfg.Shell.length ? cfg.Shell : undefined;
  return {
    env,
    user: typeof cfg.User === 'string' ? cfg.User : '',
    workdir: typeof cfg.WorkingDir === 'string' ? cfg.WorkingDir : '',
    entrypoint: command(cfg.Entrypoint, windows, shell),
    cmd: command(cfg.Cmd, windows, shell),
    exposedPorts: Object.keys(cfg.ExposedPorts ?? {}).sort(),
    labels: { ...(cfg.Labels ?? {}) },
    ...(shell ? { shell } : {}),
    ...(cfg.StopSignal ? { stopSignal: cfg.StopSignal } : {}),
    ...(cfg.Healthcheck?.Test?.length ? { healthcheck: cfg.Healthcheck.Test } : {}),
  };
}

// ---------------------------------------------------------------------------
// Base image

function osRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return out;
}

const WINDOWS_RELEASES: [RegExp, string][] = [
  [/^10\.0\.17763\./, 'ltsc2019'],
  [/^10\.0\.20348\./, 'ltsc2022'],
  [/^10\.0\.26100\./, 'ltsc2025'],
];

function guessBase(fs: FinalFs, textOf: (p: string) => string | undefined, c: ImageConfigJson, windows: boolean): ImageSummary['baseImage'] {
  const labels = c.config?.Labels ?? {};
  if (labels['org.opencontainers.image.base.name']) return { name: labels['org.opencontainers.image.base.name'], reason: 'label org.opencontainers.image.base.name' };
  if (windows) {
    const release = WINDOWS_RELEASES.find(([re]) => re.test(c['os.version'] ?? ''))?.[1];
    const tag = release ? `:${release}` : '';
    if (fs.resolve('/Windows/System32/WindowsPowerShell/v1.0/powershell.exe')) return { name: `mcr.microsoft.com/windows/servercore${tag}`, reason: 'Windows PowerShell is present (nanoserver has none)' };
    return { name: `mcr.microsoft.com/windows/nanoserver${tag}`, reason: 'no Windows PowerShell' + (release ? `; os.version ${c['os.version']}` : '') };
  }
  const goVersion = textOf('/usr/local/go/VERSION')?.split(/\r?\n/)[0]?.trim();
  const rel = textOf('/etc/os-release') ?? textOf('/usr/lib/os-release');
  const os = rel ? osRelease(rel) : undefined;
  let distro: string | undefined;
  if (os?.ID === 'alpine') distro = `alpine:${(os.VERSION_ID ?? '').split('.').slice(0, 2).join('.') || 'latest'}`;
  else if (os?.PRETTY_NAME && /distroless/i.test(os.PRETTY_NAME)) {
    const libc = fs.resolve('/lib/x86_64-linux-gnu/libc.so.6') || fs.resolve('/lib/aarch64-linux-gnu/libc.so.6') || fs.resolve('/lib64/ld-linux-x86-64.so.2');
    distro = `gcr.io/distroless/${libc ? 'base' : 'static'}-debian${(os.VERSION_ID ?? '').split('.')[0] || '12'}`;
  } else if (os?.ID === 'debian' || os?.ID === 'ubuntu') {
    const ver = os.VERSION_CODENAME || os.VERSION_ID || 'latest';
    distro = `${os.ID}:${ver}`;
  } else if (os?.ID) distro = `${os.ID}${os.VERSION_ID ? ':' + os.VERSION_ID : ''}`;
  if (goVersion && /^go\d/.test(goVersion)) {
    const v = goVersion.replace(/^go/, '');
    return { name: `golang:${v}${os?.ID === 'alpine' ? '-alpine' : os?.VERSION_CODENAME ? '-' + os.VERSION_CODENAME : ''}`, reason: `/usr/local/go/VERSION says ${goVersion}${distro ? ` on ${distro}` : ''}` };
  }
  if (distro) return { name: distro, reason: `/etc/os-release: ${os?.PRETTY_NAME ?? os?.ID}` };
  if (!fs.resolve('/bin/sh') && !fs.resolve('/etc/os-release') && !fs.resolve('/usr/lib/os-release')) return { name: 'scratch', reason: 'no /etc/os-release and no /bin/sh' };
  return undefined;
}

// ---------------------------------------------------------------------------

function top<T>(list: T[], n: number, by: (t: T) => number): T[] {
  return [...list].sort((a, b) => by(b) - by(a)).slice(0, n);
}

/** Builds the report for an image read by archive.ts. */
export function analyzeArchive(archive: ImageArchive, opts: AnalyzeOptions = {}): ImageReport {
  const c = archive.config;
  const TOP = opts.top ?? 20;
  const TOP_LAYER = opts.topPerLayer ?? 10;
  const allNames = archive.layers.flatMap((l) => l.entries.slice(0, 50).map((e) => e.name));
  const windows = (c.os ?? '').toLowerCase() === 'windows' || (allNames.length > 0 && allNames.every((n) => /^(Files|Hives|UtilityVM)(\/|$)/i.test(n)));
  const fs = new FinalFs(windows);
  const hives = { files: 0, bytes: 0 };

  // layers, applied bottom to top
  const firstIndex = new Map<LayerData, number>();
  const layerReports: LayerReport[] = [];
  archive.layers.forEach((layer, i) => {
    const mapped: { path: string; entry: RawEntry }[] = [];
    let files = 0;
    let dirs = 0;
    let links = 0;
    let whiteouts = 0;
    let opaqueDirs = 0;
    const dirSizes = new Map<string, { size: number; files: number }>();
    /** Bytes and files directly in each directory; added up to the ancestors after the loop. */
    const direct = new Map<string, { size: number; files: number }>();
    const fileSizes: { path: string; size: number }[] = [];
    for (const e of layer.entries) {
      const where = fsPathOf(e.name, windows);
      if ('hive' in where) {
        if (e.type === 'file') {
          hives.files++;
          hives.bytes += e.size;
        }
        continue;
      }
      if ('other' in where) continue;
      mapped.push({ path: where.path, entry: e });
      const base = where.path.slice(where.path.lastIndexOf('/') + 1);
      if (base === '.wh..wh..opq') opaqueDirs++;
      else if (base.startsWith('.wh.')) whiteouts++;
      else if (e.type === 'file') {
        files++;
        const p = '/' + where.path;
        fileSizes.push({ path: p, size: e.size });
        // every ancestor directory gets the file's bytes (below); directories enter the map
        // deepest first, in the order the files reach them (ties in the top list keep that order)
        const k = p.lastIndexOf('/');
        if (k > 0) {
          const parent = p.slice(0, k);
          let s = direct.get(parent);
          if (!s) {
            direct.set(parent, (s = { size: 0, files: 0 }));
            // once a directory is in the map its ancestors are too
            for (let j = k; j > 0 && !dirSizes.has(p.slice(0, j)); j = p.lastIndexOf('/', j - 1)) dirSizes.set(p.slice(0, j), { size: 0, files: 0 });
          }
          s.size += e.size;
          s.files++;
        }
      } else if (e.type === 'dir') dirs++;
      else if (e.type === 'symlink' || e.type === 'link') links++;
    }
    for (const [d, s] of direct) {
      for (let k = d.length; k > 0; k = d.lastIndexOf('/', k - 1)) {
        const t = dirSizes.get(d.slice(0, k))!;
        t.size += s.size;
        t.files += s.files;
      }
    }
    fs.applyLayer(i, mapped);
    const sameAs = firstIndex.get(layer);
    if (sameAs === undefined) firstIndex.set(layer, i);
    layerReports.push({
      index: i,
      diffId: layer.diffId,
      digestVerified: layer.verified,
      blob: layer.key,
      compression: layer.compression,
      blobSize: layer.blobSize,
      size: layer.size,
      files,
      dirs,
      links,
      whiteouts,
      opaqueDirs,
      biggestFiles: top(fileSizes, TOP_LAYER, (f) => f.size),
      biggestDirs: top([...dirSizes].map(([path, s]) => ({ path, size: s.size, files: s.files })), TOP_LAYER, (d) => d.size),
      hiddenBytes: 0,
      ...(sameAs !== undefined ? { sameAs } : {}),
    });
  });
  for (const l of layerReports) l.hiddenBytes = fs.hiddenByLayer.get(l.index) ?? 0;

  // history aligned with the layers: entries without empty_layer consume layers in order
  const history: HistoryItem[] = [];
  let next = 0;
  for (const h of c.history ?? []) {
    const createdBy = h.created_by ?? '';
    const item: HistoryItem = { createdBy, instruction: instructionOf(createdBy), emptyLayer: !!h.empty_layer, ...(h.created ? { created: h.created } : {}), ...(h.comment ? { comment: h.comment } : {}) };
    if (!h.empty_layer && next < layerReports.length) {
      item.layer = next;
      const l = layerReports[next++];
      l.createdBy = createdBy;
      l.instruction = item.instruction;
      if (h.comment) l.comment = h.comment;
      if (h.created) l.created = h.created;
    }
    history.push(item);
  }

  // the final filesystem
  const toolchain = toolchainUsage(fs);
  let finalSize = 0;
  let finalFiles = 0;
  const goBinaries: GoBinaryReport[] = [];
  for (const node of fs.walk()) {
    const f = node.file;
    if (!f || f.type !== 'file') continue;
    finalSize += f.size;
    finalFiles++;
    const exe = archive.layers[f.layer]?.executables.get(f.entryName);
    if (exe) {
      const b = goBinary(FinalFs.pathOf(node), f.layer, f.size, exe, fs);
      const tc = toolchain.find((t) => b.path.startsWith(t.dir + '/'));
      if (tc) b.toolchain = tc.dir;
      goBinaries.push(b);
    }
  }

  const textOf = (p: string): string | undefined => {
    const n = fs.resolve(p);
    return n?.file ? archive.layers[n.file.layer]?.texts.get(n.file.entryName) : undefined;
  };

  const dive = diveFigures(archive.layers);
  const hiddenRecords = fs.hiddenRecords();
  const wastedPaths = top(hiddenRecords, TOP, (r) => r.size).map((r) => ({ ...r }));
  const storedSize = [...new Set(archive.layers)].reduce((n, l) => n + l.blobSize, 0);

  const image: ImageSummary = {
    input: opts.input ?? archive.source,
    ...(archive.configDigest ? { id: archive.configDigest } : {}),
    repoTags: archive.repoTags,
    os: c.os ?? '',
    architecture: c.architecture ?? '',
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c['os.version'] ? { osVersion: c['os.version'] } : {}),
    ...(c.created ? { created: c.created } : {}),
    windows,
    totalSize: dive.sizeBytes,
    finalSize,
    finalFiles,
    storedSize,
    layerCount: archive.layers.length,
    baseImage: guessBase(fs, textOf, c, windows),
    config: configReport(c, windows),
  };
  if (!image.baseImage) delete image.baseImage;

  const report: ImageReport = {
    version: REPORT_VERSION,
    source: { input: opts.input ?? archive.source, kind: opts.kind ?? (archive.format === 'oci-dir' ? 'oci-dir' : 'archive'), format: archive.format, archiveBytes: archive.archiveBytes },
    image,
    layers: layerReports,
    history,
    waste: {
      efficiency: dive.efficiency,
      wastedBytes: dive.wastedBytes,
      userSize: dive.userSizeBytes,
      userWastedPercent: Number.isFinite(dive.userWastedPercent) ? dive.userWastedPercent : null,
      inefficiencies: dive.inefficiencies.slice(0, TOP),
      inefficiencyCount: dive.inefficiencies.length,
      hiddenBytes: hiddenRecords.reduce((n, r) => n + r.size, 0),
      wastedPaths,
    },
    goBinaries,
    findings: [],
    problems: [...archive.problems],
  };
  if (hives.files) report.problems.push(`${hives.files} registry hive files (${hives.bytes} bytes) under Hives/ are not part of the filesystem view`);
  report.findings = imageFindings(report, {
    fs,
    thresholds: opts.thresholds,
    cacheUsage: packageCaches(archive, windows, fs),
    toolchain,
    hasShell: (p) => !!fs.resolve(p),
  });
  return report;
}

function goBinary(path: string, layer: number, size: number, exe: ExecutableInfo, fs: FinalFs): GoBinaryReport {
  const bi = exe.go;
  const settings: Record<string, string> = {};
  for (const s of bi?.settings ?? []) settings[s.key] = s.value;
  const cgo = bi ? buildSetting(bi, 'CGO_ENABLED') : undefined;
  const out: GoBinaryReport = {
    path,
    layer,
    size,
    format: exe.format,
    arch: exe.arch,
    ...(bi ? { goVersion: bi.goVersion } : {}),
    ...(exe.goError ? { goError: exe.goError } : {}),
    ...(bi?.path ? { mainPackage: bi.path } : {}),
    ...(bi?.main ? { mainModule: bi.main } : {}),
    deps: bi?.deps ?? [],
    settings,
    ...(settings['-ldflags'] !== undefined ? { ldflags: settings['-ldflags'] } : {}),
    ...(cgo !== undefined ? { cgo: cgo === '1' } : {}),
    ...(settings.GOOS ? { goos: settings.GOOS } : {}),
    ...(settings.GOARCH ? { goarch: settings.GOARCH } : {}),
    trimpath: settings['-trimpath'] === 'true',
    ...(settings['vcs.revision'] ? { vcsRevision: settings['vcs.revision'] } : {}),
    ...(settings['vcs.time'] ? { vcsTime: settings['vcs.time'] } : {}),
    ...(settings['vcs.modified'] ? { vcsModified: settings['vcs.modified'] === 'true' } : {}),
    ...(settings.DefaultGODEBUG !== undefined ? { defaultGODEBUG: settings.DefaultGODEBUG } : {}),
    ...(exe.strip.stripped !== undefined ? { stripped: exe.strip.stripped } : {}),
    symtab: exe.strip.symtab,
    symtabBytes: exe.strip.symtabBytes,
    debugBytes: exe.strip.debugBytes,
    ...(exe.strip.approximate ? { approximate: true } : {}),
  };
  if (exe.interpreter !== undefined) {
    out.interpreter = exe.interpreter;
    const n = exe.interpreter ? fs.resolve(exe.interpreter) : undefined;
    out.interpreterFound = !!n && !n.isDir;
  }
  return out;
}

export interface CacheUsage {
  kind: 'apt-lists' | 'apt-archives' | 'apk-cache' | 'go-build-cache' | 'go-mod-cache';
  dir: string;
  layer: number;
  bytes: number;
  files: number;
  /** Still in the final filesystem (else deleted by a later layer: still shipped). */
  inFinal: boolean;
}

const CACHE_DIRS: { kind: CacheUsage['kind']; re: RegExp; dir: string }[] = [
  { kind: 'apt-lists', re: /^var\/lib\/apt\/lists\/(?!lock$|partial$|partial\/|auxfiles$|auxfiles\/)/, dir: '/var/lib/apt/lists' },
  { kind: 'apt-archives', re: /^var\/cache\/apt\/(archives\/[^/]+\.deb$|[^/]+\.bin$)/, dir: '/var/cache/apt' },
  { kind: 'apk-cache', re: /^(var\/cache\/apk\/|lib\/apk\/db\/\.?cache|etc\/apk\/cache\/)/, dir: '/var/cache/apk' },
  { kind: 'go-build-cache', re: /^(root\/\.cache\/go-build\/|home\/[^/]+\/\.cache\/go-build\/)/, dir: '~/.cache/go-build' },
  { kind: 'go-mod-cache', re: /^(go\/pkg\/mod\/|root\/go\/pkg\/mod\/)/, dir: '/go/pkg/mod' },
];

/** Package-manager and Go caches per layer (bytes the layer ships under those directories). */
function packageCaches(archive: ImageArchive, windows: boolean, fs: FinalFs): CacheUsage[] {
  if (windows) return [];
  const out: CacheUsage[] = [];
  const kept = new Set<string>();
  for (const dir of ['/var/lib/apt/lists', '/var/cache/apt', '/var/cache/apk', '/lib/apk/db', '/etc/apk/cache', '/root/.cache/go-build', '/home', '/go/pkg/mod', '/root/go/pkg/mod']) {
    const n = fs.get(dir);
    if (!n) continue;
    for (const x of fs.walk(n)) {
      if (x.file?.type !== 'file') continue;
      const c = CACHE_DIRS.find((d) => d.re.test(FinalFs.pathOf(x).slice(1)));
      if (c) kept.add(`${c.kind}\0${x.file.layer}`);
    }
  }
  archive.layers.forEach((l, i) => {
    const per = new Map<CacheUsage['kind'], CacheUsage>();
    for (const e of l.entries) {
      if (e.type !== 'file' || e.size === 0) continue;
      const c = CACHE_DIRS.find((d) => d.re.test(e.name));
      if (!c) continue;
      let u = per.get(c.kind);
      if (!u) per.set(c.kind, (u = { kind: c.kind, dir: c.dir, layer: i, bytes: 0, files: 0, inFinal: false }));
      u.bytes += e.size;
      u.files++;
    }
    for (const u of per.values()) u.inFinal = kept.has(`${u.kind}\0${u.layer}`);
    out.push(...per.values());
  });
  return out;
}

/** A Go toolchain in the final filesystem: /usr/local/go (official images) or Debian's /usr/lib/go-1.x. */
function toolchainUsage(fs: FinalFs): { dir: string; bytes: number; files: number }[] {
  const out: { dir: string; bytes: number; files: number }[] = [];
  const candidates = ['/usr/local/go'];
  const lib = fs.get('/usr/lib');
  for (const c of lib?.children?.values() ?? []) if (/^go(-\d+\.\d+)?$/.test(c.name)) candidates.push(`/usr/lib/${c.name}`);
  for (const dir of candidates) {
    const node = fs.get(dir);
    // /usr/lib/go is Debian's symlink to /usr/lib/go-1.x: count the real directory once
    if (!node || node.file?.type === 'symlink') continue;
    const bin = fs.resolve(`${dir}/bin/go`);
    if (!bin || bin.isDir) continue;
    const u = fs.usage(dir);
    if (u) out.push({ dir, ...u });
  }
  return out;
}
