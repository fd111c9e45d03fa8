// Where the tag of a stage's base image is written, so that rules can point at
// it and rewrite it: in the FROM word itself, or in the default of the global
// ARG the FROM word takes it from (`ARG TAG=ltsc2022` / `FROM img:${TAG}`,
// `ARG BASE=img:ltsc2022` / `FROM ${BASE}`).
import type { DockerfileModel, Stage } from './model';
import { fromImageWord, variablesIn } from '../rules/base-image-unpinned';
import { envSettings } from '../rules/go-env-syntax';

export interface ImageTagSpot {
  /** Document offsets to point at: the tag as written in the FROM word, else the whole image word. */
  show: [number, number];
  /**
   * Where the tag's text lives, when it can be rewritten without touching
   * anything else: [start, end) of the tag, or an empty span where `:tag`
   * goes when the reference has none. Undefined when the tag is built from
   * several pieces, comes from an ARG other FROMs also use, or is unknown.
   */
  edit?: { start: number; end: number; hasTag: boolean };
  /** The reference carries a digest: a new tag would not change the image. */
  digest: boolean;
}

/** Offsets (relative to `s`) of the tag of an image reference, or of where `:tag` would go. */
function tagIn(s: string): { start: number; end: number; hasTag: boolean; digest: boolean } {
  const at = s.indexOf('@');
  const name = at >= 0 ? s.slice(0, at) : s;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return { start: colon + 1, end: name.length, hasTag: true, digest: at >= 0 };
  return { start: name.length, end: name.length, hasTag: false, digest: at >= 0 };
}

/** The global ARG (declared before the first FROM) named `name`: its last declaration's value span, when literal. */
function globalArgValue(model: DockerfileModel, name: string): { value: string; start: number; end: number } | undefined {
  const firstFrom = model.stages[0]?.from.start ?? model.text.length;
  const decls = envSettings(
    model,
    model.instructions.filter((i) => i.keyword === 'ARG' && i.start < firstFrom),
  ).filter((s) => s.name === name);
  const last = decls[decls.length - 1];
  if (!last || last.value === undefined) return undefined;
  return { value: last.value, start: last.innerStart, end: last.innerEnd };
}

/** Whether any FROM other than `stage`'s refers to variable `name`. */
function usedByOtherFrom(model: DockerfileModel, stage: Stage, name: string): boolean {
  return model.stages.some((s) => s !== stage && variablesIn(fromImageWord(s.from)?.text ?? '').includes(name));
}

/** Where the tag of the image a root stage is built FROM is written; undefined when the FROM has no image word. */
export function imageTagSpot(model: DockerfileModel, stage: Stage): ImageTagSpot | undefined {
  const word = fromImageWord(stage.from);
  if (!word) return undefined;
  const t = tagIn(word.text);
  const literalTag = !word.text.slice(t.start, t.end).includes('$');
  const show: [number, number] = t.hasTag && t.end > t.start ? [word.start + t.start, word.start + t.end] : [word.start, word.end];
  // the logical word maps 1:1 onto the document only when it sits on one line
  const oneLine = word.end - word.start === word.text.length;
  if (!word.text.includes('$')) {
    return { show, digest: t.digest, edit: oneLine ? { start: word.start + t.start, end: word.start + t.end, hasTag: t.hasTag } : undefined };
  }
  if (t.hasTag && literalTag && oneLine) {
    // `${REGISTRY}/img:ltsc2022`: the tag itself is literal
    return { show, digest: t.digest, edit: { start: word.start + t.start, end: word.start + t.end, hasTag: true } };
  }
  const whole = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(word.text);
  if (whole) {
    // FROM ${BASE} with ARG BASE=<the whole reference>
    const name = whole[1] ?? whole[2];
    const arg = globalArgValue(model, name);
    if (!arg || arg.value !== stage.image || arg.value.includes('$') || usedByOtherFrom(model, stage, name)) return { show, digest: false };
    const at = tagIn(arg.value);
    return { show, digest: at.digest, edit: { start: arg.start + at.start, end: arg.start + at.end, hasTag: at.hasTag } };
  }
  const tagVar = t.hasTag ? /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(word.text.slice(t.start, t.end)) : null;
  if (tagVar) {
    // FROM img:${TAG} with ARG TAG=<the tag>
    const name = tagVar[1] ?? tagVar[2];
    const arg = globalArgValue(model, name);
    if (!arg || arg.value.includes('$') || !/^[\w][\w.-]*$/.test(arg.value) || usedByOtherFrom(model, stage, name)) return { show, digest: t.digest };
    if (variablesIn(word.text).length !== 1) return { show, digest: t.digest };
    return { show, digest: t.digest, edit: { start: arg.start, end: arg.end, hasTag: true } };
  }
  return { show, digest: t.digest };
}

/** The replacement text that gives the spot the tag `tag`. */
export function tagReplacement(spot: NonNullable<ImageTagSpot['edit']>, tag: string): string {
  return spot.hasTag ? tag : ':' + tag;
}
