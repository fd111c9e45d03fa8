// "Pin to digest": where a FROM's base image can take an `@sha256:` digest,
// and the edit that adds it. Pure: the digest comes from the caller (the
// server asks the local Docker engine with `repoDigestFor`).
import { parseImageRef } from '../images';
import { fromImageWord } from '../rules/base-image-unpinned';
import type { TextEdit } from '../types';
import type { DockerfileModel, InstructionInfo, Stage } from './model';

export interface PinTarget {
  stage: Stage;
  /** The base image after ARG substitution: what to ask Docker about. */
  image: string;
  /** Document offsets of the image word in the FROM. */
  start: number;
  end: number;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** The stage's base image when it is a registry image without a digest (not `scratch`, not an earlier stage, ARGs resolved). */
export function pinTarget(model: DockerfileModel, stage: Stage): PinTarget | undefined {
  if (stage.parent) return undefined;
  const word = fromImageWord(stage.from);
  const image = stage.image;
  if (!word || !image || image.includes('$') || /\s/.test(image)) return undefined;
  const ref = parseImageRef(image);
  if (ref.digest !== undefined || ref.tag === '' || !ref.repository) return undefined;
  if (ref.repository === 'scratch' && !ref.registry) return undefined;
  return { stage, image, start: word.start, end: word.end };
}

/** Every FROM that could be pinned, in document order. */
export function pinTargets(model: DockerfileModel): PinTarget[] {
  return model.stages.map((s) => pinTarget(model, s)).filter((t): t is PinTarget => !!t);
}

/** How many times `$name` / `${name…}` occurs in the text outside the given ranges. */
function countReferences(model: DockerfileModel, name: string, skip: [number, number][]): number {
  const re = new RegExp(`\\$(?:\\{${name}(?=[}:+\\-])|${name}(?![A-Za-z0-9_]))`, 'g');
  let n = 0;
  for (const m of model.text.matchAll(re)) {
    const at = m.index ?? 0;
    if (!skip.some(([s, e]) => at >= s && at < e)) n++;
  }
  return n;
}

/** The last global ARG (before the first FROM) that declares `name` with a value, and the value's offsets. */
function globalArgValue(model: DockerfileModel, name: string): { ins: InstructionInfo; start: number; end: number; text: string } | undefined {
  let found: { ins: InstructionInfo; start: number; end: number; text: string } | undefined;
  for (const ins of model.instructions) {
    if (ins.keyword === 'FROM') break;
    if (ins.keyword !== 'ARG') continue;
    for (const p of (ins.node as any).getProperties?.() ?? []) {
      if (p.getName() !== name) continue;
      const r = p.getValueRange?.();
      if (!r) {
        found = undefined;
        continue;
      }
      const start = model.index.offsetAt(r.start);
      const end = model.index.offsetAt(r.end);
      found = { ins, start, end, text: model.text.slice(start, end) };
    }
  }
  return found;
}

/**
 * The edit that pins a stage's base image to `digest` (`sha256:<64 hex>`):
 * `alpine:3.20` → `alpine:3.20@sha256:…`, `alpine` → `alpine@sha256:…`. When
 * the image word ends with an ARG (`FROM golang:${GO}`, `FROM ${BASE}`), the
 * ARG's default gets the digest, unless something else uses that ARG: then
 * the digest goes after the variable in the FROM itself. Undefined when the
 * stage cannot be pinned (no resolvable image, already pinned, quoting or
 * expansions the edit cannot follow).
 */
export function pinEdit(model: DockerfileModel, stage: Stage, digest: string): TextEdit | undefined {
  if (!DIGEST_RE.test(digest)) return undefined;
  const target = pinTarget(model, stage);
  if (!target) return undefined;
  const word = model.text.slice(target.start, target.end);
  const at = (offset: number): TextEdit => ({ range: model.index.range(offset, offset), newText: '@' + digest });

  // the word as written may span continuations; what matters is how it ends
  const tailVar = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(word);
  if (!tailVar) {
    // ends with literal text (or an expansion form such as ${X:-y} we do not rewrite)
    if (word.endsWith('}') && /\$\{[^}]*$/.test(word.slice(0, -1))) return undefined;
    return at(target.end);
  }
  const name = tailVar[1] ?? tailVar[2];
  const arg = globalArgValue(model, name);
  if (!arg) return undefined;
  // a default we can append to: plain, or quoted as a whole
  let insertAt = arg.end;
  let value = arg.text;
  const q = value[0];
  if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
    value = value.slice(1, -1);
    insertAt = arg.end - 1;
  }
  if (!value || /["'$\\`\s]/.test(value)) return undefined;
  const elsewhere = countReferences(model, name, [[target.start, target.end]]);
  if (elsewhere > 0) return at(target.end);
  return at(insertAt);
}

/** `sha256:abcd1234…` for titles. */
export function shortDigest(digest: string): string {
  const m = /^sha256:([0-9a-f]{8})/.exec(digest);
  return m ? `sha256:${m[1]}…` : digest;
}

/** Title of the quick-fix: `Pin alpine:3.20 to sha256:abcd1234… (local image)`. */
export function pinTitle(image: string, digest: string): string {
  return `Pin ${image} to ${shortDigest(digest)} (local image)`;
}
