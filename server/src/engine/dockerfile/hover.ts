// The FROM hover: what the engine knows of a stage's base image from its
// reference (Go toolchain and version, libc, /bin/sh, Windows release, an
// approximate size), and — when the local Docker engine answered — the real
// size and digest. Pure: Docker's answer is passed in by the server.
import { parseImageRef, type BaseFacts, type ImageRef } from '../images';
import { fromImageWord, variablesIn } from '../rules/base-image-unpinned';
import type { Position } from '../types';
import type { DockerfileModel, Stage } from './model';
import type { ImageInspect } from '../docker/cli';

export interface BaseAt {
  stage: Stage;
  /** The image word as written. */
  word: string;
  /** Document offsets of the image word. */
  start: number;
  end: number;
}

/** The FROM whose image word contains `position` (its end included). */
export function baseAt(model: DockerfileModel, position: Position): BaseAt | undefined {
  const offset = model.index.offsetAt(position);
  // offsetAt clamps to the line: a position past the end of the line is not on the word
  if (model.index.positionAt(offset).character !== position.character || model.index.positionAt(offset).line !== position.line) return undefined;
  for (const stage of model.stages) {
    const w = fromImageWord(stage.from);
    if (w && offset >= w.start && offset <= w.end) return { stage, word: model.text.slice(w.start, w.end), start: w.start, end: w.end };
  }
  return undefined;
}

export interface SizeEstimate {
  /** e.g. "~800 MB–1 GB". */
  text: string;
  /** False when the figure is a rough one of ours, shown with "(approx.)". */
  cited: boolean;
}

/**
 * Typical uncompressed sizes of common bases. Cited figures come from the
 * domain notes (docs/rules/go-single-stage.md: golang ~800 MB–1 GB;
 * docs/rules/windows-servercore-runtime.md: servercore ~5 GB, nanoserver a
 * few hundred MB); `scratch` is empty by definition. The others are rough
 * figures for recent tags, marked "approx." in the hover: golang alpine
 * ~250 MB, alpine ~8 MB, debian bookworm-slim ~75 MB, distroless static
 * ~2 MB, distroless base ~20 MB.
 */
export function approximateSize(ref: ImageRef | undefined, facts: BaseFacts): SizeEstimate | undefined {
  const repo = ref ? ref.repository : '';
  const last = repo.split('/').pop() ?? '';
  const tag = (ref?.tag ?? '').toLowerCase();
  switch (facts.kind) {
    case 'scratch':
      return { text: '0 B (empty)', cited: true };
    case 'windows-servercore':
      return facts.goToolchain ? { text: '~5 GB plus the Go toolchain', cited: false } : { text: '~5 GB', cited: true };
    case 'windows-nanoserver':
      return facts.goToolchain ? { text: 'a few hundred MB plus the Go toolchain', cited: false } : { text: 'a few hundred MB', cited: true };
    case 'golang':
      return facts.libc === 'musl' ? { text: '~250 MB', cited: false } : repo === 'golang' || repo.endsWith('/golang') ? { text: '~800 MB–1 GB', cited: true } : undefined;
    case 'distroless-static':
      return { text: '~2 MB', cited: false };
    case 'distroless':
      return /(^|\/)base(-|$)/.test(repo.replace(/^(gcr\.io\/)?distroless\//, '')) ? { text: '~20 MB', cited: false } : undefined;
    case 'alpine':
      return last === 'alpine' ? { text: '~8 MB', cited: false } : undefined;
    default:
      if (last === 'debian' && /slim/.test(tag)) return { text: '~75 MB', cited: false };
      return undefined;
  }
}

const WINDOWS_BUILDS: Record<string, string> = { ltsc2019: '10.0.17763', ltsc2022: '10.0.20348', ltsc2025: '10.0.26100' };

function code(s: string): string {
  // a backtick in the text needs a longer fence
  return s.includes('`') ? '`` ' + s + ' ``' : '`' + s + '`';
}

function rootOf(stage: Stage): Stage {
  let s = stage;
  while (s.parent) s = s.parent;
  return s;
}

/**
 * Markdown describing the base image under `position` when it is on a FROM
 * line's image word; undefined elsewhere.
 */
export function describeBase(model: DockerfileModel, position: Position): string | undefined {
  const at = baseAt(model, position);
  if (!at) return undefined;
  const { stage, word } = at;
  const lines: string[] = [];

  let facts: BaseFacts = stage.base;
  let ref: ImageRef | undefined = stage.ref;
  if (stage.parent) {
    const root = rootOf(stage);
    const parentName = stage.parent.name ?? String(stage.parent.index);
    lines.push(`**Base:** stage ${code(parentName)} (line ${stage.parent.from.line + 1})` + (root.image ? `, built on ${code(root.image)}` : ''));
    ref = root.ref;
    facts = root.base;
  } else if (stage.image === undefined) {
    const missing = variablesIn(word).filter((v) => model.globalArgs.get(v) === undefined);
    lines.push(`**Base image:** ${code(word)} cannot be resolved` + (missing.length ? `: ${missing.map((v) => code('ARG ' + v)).join(', ')} has no default` : ''));
    lines.push('', 'Its value is only known at build time (`--build-arg`).');
    return lines.join('\n');
  } else {
    lines.push(`**Base image:** ${code(stage.image)}`);
    if (word !== stage.image) {
      const args = variablesIn(word).filter((v) => model.globalArgs.has(v)).map((v) => code(`ARG ${v}=${model.globalArgs.get(v) ?? ''}`));
      lines.push('', `from ${code(word)}` + (args.length ? ` with ${args.join(', ')}` : ''));
    }
  }
  if (!ref && stage.image) ref = parseImageRef(stage.image);

  const items: string[] = [];
  if (facts.goToolchain) {
    const mod = model.goMod?.go ? ` (go.mod: \`go ${model.goMod.go}\`)` : '';
    items.push(`Go toolchain: ${facts.goVersion ? `yes, Go ${facts.goVersion}` : 'yes (the tag names no version)'}${mod}`);
  } else if (facts.kind !== 'other' || facts.windows || facts.libc !== 'unknown') items.push('Go toolchain: no');
  else items.push('Go toolchain: not known from the reference');
  const libc = { glibc: 'glibc', musl: 'musl', none: 'none (a cgo binary does not start here: build with `CGO_ENABLED=0`)', unknown: 'unknown' }[facts.libc];
  items.push(`libc: ${libc}`);
  items.push(`\`/bin/sh\`: ${facts.shell === true ? 'present' : facts.shell === false ? 'absent (shell-form `RUN`/`CMD` cannot run; use exec form)' : facts.windows ? 'none (Windows: `cmd` or PowerShell)' : 'unknown'}`);
  if (facts.windows) {
    const rel = facts.windowsRelease;
    items.push(`Windows release: ${rel ? rel + (WINDOWS_BUILDS[rel] ? ` (${WINDOWS_BUILDS[rel]})` : '') : 'not named by the tag'}`);
  }
  const size = approximateSize(ref, facts);
  items.push(`Size: ${size ? size.text + (size.cited ? '' : ' (approx.)') : 'unknown'}`);
  if (ref?.digest) items.push(`Pinned: ${code(ref.digest)}`);

  lines.push('', ...items.map((i) => '- ' + i));
  return lines.join('\n');
}

function humanBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** Markdown for what the local Docker engine said about the base image (real size, digest, platform). */
export function describeLocalImage(image: ImageInspect, repoDigest: string | undefined): string {
  const platform = [image.Os, image.Architecture, image.Variant].filter(Boolean).join('/');
  const items = [
    `Size: ${humanBytes(image.Size)} (${image.Size} bytes, uncompressed)`,
    repoDigest ? `Digest: ${code(repoDigest.slice(repoDigest.indexOf('@') + 1))}` : 'Digest: none (built or tagged locally, never pushed or pulled)',
    `Image ID: ${code(image.Id)}`,
  ];
  if (platform) items.push(`Platform: ${platform}`);
  if (image.Created) items.push(`Created: ${image.Created}`);
  return ['**Local image** (Docker):', '', ...items.map((i) => '- ' + i)].join('\n');
}
