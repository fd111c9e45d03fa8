import type { DockerfileModel, InstructionInfo, Stage } from '../dockerfile/model';
import { parseImageRef } from '../images';
import { rangeOf, type Rule, type RuleFinding } from '../rule';

/** The image word of a FROM (after its flags): text as written and document offsets. */
export function fromImageWord(from: InstructionInfo): { text: string; start: number; end: number } | undefined {
  const args = from.args;
  const text = args.text;
  let i = from.restStart;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  let j = i;
  while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
  if (j === i) return undefined;
  return { text: text.slice(i, j), start: args.at(i), end: args.at(j - 1) + 1 };
}

/** Names of the variables a word refers to ($X, ${X}, ${X:-y}, ...), in order. */
export function variablesIn(word: string): string[] {
  const out: string[] = [];
  for (const m of word.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    const name = m[1] ?? m[2];
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function describeArgs(model: DockerfileModel, word: string): string {
  const vars = variablesIn(word).filter((v) => model.globalArgs.has(v));
  if (!vars.length) return '';
  return ' (' + vars.map((v) => `\`ARG ${v}\` defaults to \`${model.globalArgs.get(v) ?? ''}\``).join(', ') + ')';
}

/** A FROM with no tag or `:latest` (and no digest): the base changes under the same Dockerfile. */
export const baseImageUnpinned: Rule = {
  id: 'base-image-unpinned',
  defaultSeverity: 'warning',
  summary: 'A base image with no tag or `:latest` makes builds irreproducible.',
  hadolint: ['DL3006', 'DL3007'],
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const stage of model.stages) {
      const f = check(model, stage);
      if (f) out.push(f);
    }
    return out;
  },
};

function check(model: DockerfileModel, stage: Stage): RuleFinding | undefined {
  const word = fromImageWord(stage.from);
  if (!word) return undefined;
  // a stage built on an earlier stage is pinned by that stage's own FROM
  if (stage.parent) return undefined;
  let image = stage.image;
  if (image === undefined) {
    // unresolved variables: only a literal `:latest` tag (after the last '/', no digest) is certain
    const t = word.text;
    const colon = t.lastIndexOf(':');
    if (t.includes('@') || colon < 0 || colon < t.lastIndexOf('/') || t.slice(colon + 1) !== 'latest') return undefined;
    image = t;
  }
  // a default that itself holds shell-style syntax (`${X/a/b}`) is beyond what Docker's ARG expansion shows us
  if (!image || (stage.image !== undefined && image.includes('$'))) return undefined;
  const ref = parseImageRef(image);
  if (ref.repository === 'scratch' && !ref.registry) return undefined;
  if (ref.digest) return undefined;
  // `FROM golang:` (an empty ARG default): not a valid reference, nothing we can say
  if (ref.tag === '') return undefined;
  if (ref.tag !== undefined && ref.tag !== 'latest') return undefined;
  const via = word.text.includes('$') && stage.image !== undefined ? describeArgs(model, word.text) : '';
  const what = ref.tag === undefined ? `\`${image}\` has no tag, so it means \`:latest\`` : `\`${image}\` uses the moving \`:latest\` tag`;
  return {
    message:
      `Base image ${what}${via}: every build may pull a different image, so builds are not reproducible and a new base can silently change the Go toolchain, libc or CA certificates. ` +
      'Pin a version tag (and ideally a `@sha256:` digest).',
    range: rangeOf(model, word.start, word.end),
  };
}
