// Configuration shared by the server and the CLI: defaults, then editor
// settings, then the repository's `.container-tuner.yaml` (found walking up).
import * as path from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import type { Severity, Workspace } from './types';

export type RuleSetting = Severity | 'off';

export interface Config {
  /** Per-rule severity or 'off'. */
  rules: Record<string, RuleSetting>;
  /** Base image for the runtime stage the go-single-stage fix adds. */
  runtimeBase: string;
  /** GOMAXPROCS value the go-maxprocs fix writes. */
  gomaxprocs: number;
  /** Globs (relative to the config file's folder) of files not to lint. */
  ignorePaths: string[];
  /** Image patterns (globs such as `ghcr.io/acme/*`) whose containers run Go, for manifests. */
  goImages: string[];
  /** Values the k8s-resources-missing fix inserts. */
  resourceDefaults: { requestsCpu: string; requestsMemory: string; limitsMemory: string };
  /**
   * Build contexts: Dockerfile path globs mapped to the folder sent as their
   * build context (`contexts: { "build/*.Dockerfile": "." }` in YAML). Both are
   * stored absolute (resolved against the config file's folder); the first
   * entry whose glob matches wins, and entries of a later source (the
   * repository file over editor settings) come first. See `contextFor`.
   */
  contexts: ContextMapping[];
  /**
   * Images built from Dockerfiles, for the layer sizes: Dockerfile path globs
   * mapped to a local image reference (`images: { "Dockerfile": "myapp:dev" }`
   * in YAML). Globs are stored absolute (resolved against the config file's
   * folder); the first match wins, a later source's entries first. See `imageFor`.
   */
  images?: ImageMapping[];
  /** Where the config came from, for messages. */
  source?: string;
}

export interface ImageMapping {
  /** Absolute glob of Dockerfile paths. */
  glob: string;
  /** Image reference (`repo:tag`, or an image id). */
  image: string;
}

export interface ContextMapping {
  /** Absolute glob of Dockerfile paths. */
  glob: string;
  /** Absolute folder sent as the build context. */
  dir: string;
}

export const DEFAULT_CONFIG: Config = {
  rules: {},
  runtimeBase: 'gcr.io/distroless/static-debian12:nonroot',
  gomaxprocs: 2,
  ignorePaths: [],
  goImages: [],
  resourceDefaults: { requestsCpu: '100m', requestsMemory: '128Mi', limitsMemory: '256Mi' },
  contexts: [],
};

export const CONFIG_FILE_NAMES = ['.container-tuner.yaml', '.container-tuner.yml'];

const SEVERITIES = new Set(['off', 'info', 'warning', 'error']);

export interface ConfigProblem {
  file: string;
  message: string;
}

/** Validates and merges a plain object (from YAML or editor settings) onto a config. */
export function mergeConfig(base: Config, raw: unknown, source: string, problems: ConfigProblem[] = []): Config {
  const out: Config = { ...base, rules: { ...base.rules }, ignorePaths: [...base.ignorePaths], goImages: [...base.goImages], resourceDefaults: { ...base.resourceDefaults }, contexts: [...(base.contexts ?? [])] };
  if (raw === null || raw === undefined) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ file: source, message: 'configuration must be a mapping of keys to values' });
    return out;
  }
  const r = raw as Record<string, unknown>;
  if (r.rules !== undefined) {
    if (r.rules && typeof r.rules === 'object' && !Array.isArray(r.rules)) {
      for (const [id, v] of Object.entries(r.rules as Record<string, unknown>)) {
        const s = typeof v === 'string' ? v.toLowerCase() : v === false ? 'off' : undefined;
        if (s && SEVERITIES.has(s)) out.rules[id] = s as RuleSetting;
        else problems.push({ file: source, message: `rules.${id}: expected off, info, warning or error` });
      }
    } else problems.push({ file: source, message: 'rules: expected a mapping of rule ids to severities' });
  }
  if (r.runtimeBase !== undefined) {
    if (typeof r.runtimeBase === 'string' && r.runtimeBase.trim()) out.runtimeBase = r.runtimeBase.trim();
    else problems.push({ file: source, message: 'runtimeBase: expected an image reference' });
  }
  if (r.gomaxprocs !== undefined) {
    const n = Number(r.gomaxprocs);
    if (Number.isInteger(n) && n >= 1) out.gomaxprocs = n;
    else problems.push({ file: source, message: 'gomaxprocs: expected a positive integer' });
  }
  if (r.ignorePaths !== undefined) {
    if (Array.isArray(r.ignorePaths) && r.ignorePaths.every((x) => typeof x === 'string')) {
      const dir = path.dirname(source);
      out.ignorePaths.push(...(r.ignorePaths as string[]).map((g) => (path.isAbsolute(g) ? g : path.join(dir, g))));
    } else problems.push({ file: source, message: 'ignorePaths: expected a list of globs' });
  }
  if (r.goImages !== undefined) {
    if (Array.isArray(r.goImages) && r.goImages.every((x) => typeof x === 'string')) out.goImages.push(...(r.goImages as string[]));
    else problems.push({ file: source, message: 'goImages: expected a list of image patterns' });
  }
  if (r.resourceDefaults !== undefined) {
    const d = r.resourceDefaults as Record<string, unknown> | null;
    if (d && typeof d === 'object' && !Array.isArray(d)) {
      for (const k of ['requestsCpu', 'requestsMemory', 'limitsMemory'] as const) {
        const v = d[k];
        if (v === undefined) continue;
        if ((typeof v === 'string' && v.trim()) || typeof v === 'number') out.resourceDefaults[k] = String(v).trim();
        else problems.push({ file: source, message: `resourceDefaults.${k}: expected a Kubernetes quantity` });
      }
    } else problems.push({ file: source, message: 'resourceDefaults: expected a mapping (requestsCpu, requestsMemory, limitsMemory)' });
  }
  if (r.images !== undefined) {
    const c = r.images as Record<string, unknown> | null;
    if (c && typeof c === 'object' && !Array.isArray(c)) {
      const dir = path.dirname(source);
      const added: ImageMapping[] = [];
      for (const [glob, v] of Object.entries(c)) {
        if (!glob.trim()) problems.push({ file: source, message: 'images: empty Dockerfile glob' });
        else if (typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(v.trim())) {
          added.push({ glob: path.isAbsolute(glob.trim()) ? path.normalize(glob.trim()) : path.join(dir, glob.trim()), image: v.trim() });
        } else problems.push({ file: source, message: `images.${glob}: expected an image reference such as myapp:dev` });
      }
      out.images = [...added, ...(base.images ?? [])];
    } else problems.push({ file: source, message: 'images: expected a mapping of Dockerfile globs to image references' });
  }
  if (r.contexts !== undefined) {
    const c = r.contexts as Record<string, unknown> | null;
    if (c && typeof c === 'object' && !Array.isArray(c)) {
      const dir = path.dirname(source);
      const added: ContextMapping[] = [];
      for (const [glob, v] of Object.entries(c)) {
        if (!glob.trim()) problems.push({ file: source, message: 'contexts: empty Dockerfile glob' });
        else if (typeof v === 'string' && v.trim()) {
          const abs = (p: string) => (path.isAbsolute(p) ? path.normalize(p) : path.join(dir, p));
          added.push({ glob: abs(glob.trim()), dir: abs(v.trim()) });
        } else problems.push({ file: source, message: `contexts.${glob}: expected the path of the build context folder` });
      }
      // this source's entries take precedence over those it is merged onto
      out.contexts = [...added, ...out.contexts];
    } else problems.push({ file: source, message: 'contexts: expected a mapping of Dockerfile globs to build context folders' });
  }
  out.source = source;
  return out;
}

/** The nearest `.container-tuner.yaml` walking up from `dir`, or undefined. */
export function findConfigFile(ws: Workspace, dir: string): string | undefined {
  let current = path.resolve(dir);
  for (let depth = 0; depth < 64; depth++) {
    for (const name of CONFIG_FILE_NAMES) {
      const p = path.join(current, name);
      if (ws.exists(p)) return p;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

export function loadConfigFile(ws: Workspace, file: string, base: Config = DEFAULT_CONFIG, problems: ConfigProblem[] = []): Config {
  const text = ws.readFile(file);
  if (text === undefined) {
    problems.push({ file, message: 'cannot read configuration file' });
    return base;
  }
  // the same file over the same base gives the same configuration: every file a CLI run lints, and every
  // keystroke in the editor, asks again (configurations are read-only once made)
  const last = loadedConfigs.get(file);
  if (last && last.text === text && last.base === base) {
    problems.push(...last.problems);
    return last.config;
  }
  const found: ConfigProblem[] = [];
  let config = base;
  let raw: unknown;
  let parsed = true;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    found.push({ file, message: `invalid YAML: ${(e as Error).message.split('\n')[0]}` });
    parsed = false;
  }
  if (parsed) config = mergeConfig(base, raw, file, found);
  if (loadedConfigs.size >= 100) loadedConfigs.clear();
  loadedConfigs.set(file, { text, base, config, problems: found });
  problems.push(...found);
  return config;
}
const loadedConfigs = new Map<string, { text: string; base: Config; config: Config; problems: ConfigProblem[] }>();

/** Config for a document: `base` (defaults + editor settings) with the repository file on top. */
export function configFor(ws: Workspace, docPath: string, base: Config = DEFAULT_CONFIG, problems: ConfigProblem[] = []): Config {
  const file = findConfigFile(ws, path.dirname(path.resolve(docPath)));
  return file ? loadConfigFile(ws, file, base, problems) : base;
}

/**
 * The build context configured for a Dockerfile (`contexts` key), as an
 * absolute folder, or undefined when no entry matches (the engine then uses
 * the Dockerfile's folder, or the module root above it).
 */
export function contextFor(config: Config, dockerfilePath: string): string | undefined {
  const file = path.resolve(dockerfilePath);
  for (const c of config.contexts ?? []) if (matchesGlob(file, c.glob)) return c.dir;
  return undefined;
}

/** Compiled picomatch matchers by glob (`dot` or not): the same few are asked at every lint. */
const matchers = new Map<string, (s: string) => boolean>();

/** picomatch's isMatch, with the glob compiled once (isMatch compiles it again at every call). */
export function picoMatch(s: string, glob: string, dot = false): boolean {
  const key = (dot ? '1' : '0') + glob;
  let m = matchers.get(key);
  if (!m) {
    if (matchers.size >= 1000) matchers.clear();
    matchers.set(key, (m = picomatch(glob, { dot })));
  }
  return m(s);
}

/** ignorePaths matching (picomatch: the glob dialect of most JS tools, with dotfiles matched). */
export function matchesGlob(file: string, glob: string): boolean {
  const f = file.split(path.sep).join('/');
  const g = glob.split(path.sep).join('/');
  return picoMatch(f, g, true) || picoMatch(f, g.replace(/\/?$/, '/**'), true);
}

/** The image `.container-tuner.yaml` names for a Dockerfile (`images` key), or undefined. */
export function imageFor(config: Config, dockerfilePath: string): string | undefined {
  const file = path.resolve(dockerfilePath);
  for (const c of config.images ?? []) if (matchesGlob(file, c.glob)) return c.image;
  return undefined;
}
