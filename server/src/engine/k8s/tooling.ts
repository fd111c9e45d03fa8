// What the deploy tooling around a manifest does to it before it reaches the
// cluster: the kustomization.yaml next to it (patches, `images:` overrides),
// and the image names skaffold or Tilt build and substitute with a tagged
// image at deploy time. Read through the model's workspace (so the language
// server sees unsaved buffers and re-lints when these files change).
import * as path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { parseImageRef, repoKey } from '../images';
import { KeyMemo } from '../memo';
import type { ManifestModel } from './model';

const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface Kustomization {
  path: string;
  /** Absolute paths of `resources` entries. */
  resources: string[];
  /** Absolute paths of the files applied as patches (`patchesStrategicMerge`, `patches[].path`, `patchesJson6902[].path`). */
  patches: string[];
  /** `images:` overrides: which image name gets which new name, tag or digest. */
  images: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

/** The kustomization file in the manifest's folder (the first of kustomization.yaml, .yml, Kustomization), once per model. */
export function kustomizationNextTo(model: ManifestModel): Kustomization | undefined {
  if (kustomizations.has(model)) return kustomizations.get(model);
  const k = readKustomization(model);
  kustomizations.set(model, k);
  return k;
}
const kustomizations = new KeyMemo<ManifestModel, Kustomization | undefined>();

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function readKustomization(model: ManifestModel): Kustomization | undefined {
  const dir = path.dirname(path.resolve(model.path));
  for (const name of KUSTOMIZATION) {
    const file = path.join(dir, name);
    const text = model.workspace.readFile(file);
    if (text === undefined) continue;
    let k: unknown;
    try {
      k = parseYaml(text, { maxAliasCount: 100 });
    } catch {
      return undefined;
    }
    if (!k || typeof k !== 'object') return undefined;
    const rec = k as Record<string, unknown>;
    const paths = (list: unknown, key?: string): string[] =>
      (Array.isArray(list) ? list : [])
        .map((it) => (key && it && typeof it === 'object' ? (it as Record<string, unknown>)[key] : it))
        .filter((p): p is string => typeof p === 'string')
        .map((p) => path.resolve(dir, p));
    const images: Kustomization['images'] = [];
    for (const it of Array.isArray(rec.images) ? rec.images : []) {
      if (!it || typeof it !== 'object') continue;
      const i = it as Record<string, unknown>;
      const imageName = str(i.name);
      if (imageName) images.push({ name: imageName, newName: str(i.newName), newTag: str(i.newTag), digest: str(i.digest) });
    }
    return {
      path: file,
      resources: paths(rec.resources),
      patches: [...paths(rec.patchesStrategicMerge), ...paths(rec.patches, 'path'), ...paths(rec.patchesJson6902, 'path')],
      images,
    };
  }
  return undefined;
}

/** An image's name without its tag and digest, normalized (Docker Hub's aliases and `library/`), for matching. */
export function imageNameKey(image: string): string {
  return repoKey(parseImageRef(image));
}

/**
 * Whether the kustomization next to the manifest, which lists the manifest
 * among its resources, gives `image` a tag other than `latest` or a digest
 * (`images: - name: … newTag: v1.2.3`): what reaches the cluster is pinned.
 */
export function kustomizePinsImage(model: ManifestModel, image: string): boolean {
  const k = kustomizationNextTo(model);
  if (!k || !k.images.length || !k.resources.includes(path.resolve(model.path))) return false;
  const key = imageNameKey(image);
  const own = parseImageRef(image).tag;
  return k.images.some((i) => imageNameKey(i.name) === key && (!!i.digest || (i.newTag !== undefined ? i.newTag !== 'latest' : own !== undefined && own !== 'latest')));
}

const SKAFFOLD = ['skaffold.yaml', 'skaffold.yml'];
/** `docker_build('name', …)`, `custom_build(ref='name', …)`, `ko_build('name', …)` in a Tiltfile. */
const TILT_BUILD = /\b(?:docker_build|docker_build_with_restart|custom_build|ko_build)\(\s*(?:ref\s*=\s*)?(['"])([^'"\n]+)\1/g;
/** Levels walked up from the manifest: a repository is rarely deeper. */
const MAX_LEVELS = 32;

/**
 * Image names that skaffold (`build.artifacts[].image`, in profiles too) or
 * Tilt (`docker_build`, `custom_build`, `ko_build`) builds and writes into
 * the manifests it deploys, tagged: from the skaffold.yaml and Tiltfile
 * files in the manifest's folder and its parents, up to the repository root
 * (a folder holding `.git`). Keys as `imageNameKey` gives them. Once per model.
 */
export function toolBuiltImages(model: ManifestModel): Set<string> {
  let found = builtImages.get(model);
  if (!found) builtImages.set(model, (found = scanToolBuiltImages(model)));
  return found;
}
const builtImages = new KeyMemo<ManifestModel, Set<string>>();

function scanToolBuiltImages(model: ManifestModel): Set<string> {
  const ws = model.workspace;
  const out = new Set<string>();
  let dir = path.dirname(path.resolve(model.path));
  for (let level = 0; level < MAX_LEVELS; level++) {
    for (const name of SKAFFOLD) {
      const text = ws.readFile(path.join(dir, name));
      if (text !== undefined) for (const image of skaffoldArtifacts(text)) out.add(imageNameKey(image));
    }
    const tilt = ws.readFile(path.join(dir, 'Tiltfile'));
    if (tilt !== undefined) for (const m of tilt.matchAll(TILT_BUILD)) out.add(imageNameKey(m[2]));
    if (ws.exists(path.join(dir, '.git'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/** The `image` of every build artifact of every config (and profile) in a skaffold.yaml. */
function skaffoldArtifacts(text: string): string[] {
  const out: string[] = [];
  const fromBuild = (build: unknown) => {
    const artifacts = build && typeof build === 'object' ? (build as Record<string, unknown>).artifacts : undefined;
    for (const a of Array.isArray(artifacts) ? artifacts : []) {
      const image = a && typeof a === 'object' ? str((a as Record<string, unknown>).image) : undefined;
      if (image) out.push(image);
    }
  };
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return out;
  }
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    let cfg: unknown;
    try {
      cfg = d.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (!cfg || typeof cfg !== 'object') continue;
    const c = cfg as Record<string, unknown>;
    fromBuild(c.build);
    for (const p of Array.isArray(c.profiles) ? c.profiles : []) if (p && typeof p === 'object') fromBuild((p as Record<string, unknown>).build);
  }
  return out;
}
