import type { DockerfileModel, InstructionInfo, Stage } from '../dockerfile/model';
import { envAt, expandVariables, stageLineage, stageRoot } from '../dockerfile/model';
import { imageTagSpot, tagReplacement } from '../dockerfile/imagetag';
import { repoKey, type ImageRef } from '../images';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';
import { fromImageWord } from './base-image-unpinned';
import { shippedGoProgram } from './scratch-ca-certificates';

/** The non-root user distroless and Chainguard images define (`nonroot`), as uid:gid. */
export const NONROOT = '65532:65532';

/** Docker Hub official images (and their well-known mirrors) whose default user is root. */
const ROOT_IMAGES = new Set([
  'alpine', 'debian', 'ubuntu', 'busybox', 'golang', 'fedora', 'centos', 'rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux',
]);
const MIRRORS = /^(public\.ecr\.aws\/docker\/library\/|mirror\.gcr\.io\/(library\/)?|docker\.io\/(library\/)?)/;
const UBI = /^(registry\.access\.redhat\.com\/|redhat\/)ubi\d+(-minimal|-micro|-init)?$/;
const ARCH = '(?:-(?:amd64|arm64|arm|s390x|ppc64le))?';

function fullRepo(ref: ImageRef): string {
  return repoKey(ref).replace(MIRRORS, '');
}

type Default = { user: 'root'; what: string; distroless?: boolean } | { user: 'nonroot' } | undefined;

/** The user an image runs as when the Dockerfile sets none, when the reference tells. */
function defaultUser(stage: Stage): Default {
  const ref = stage.ref;
  if (stage.base.kind === 'scratch') return { user: 'root', what: '`scratch` has no USER, so processes run as uid 0' };
  if (!ref) return undefined;
  const repo = fullRepo(ref);
  const tag = (ref.tag ?? 'latest').toLowerCase();
  if (/^(gcr\.io\/)?distroless\//.test(repo)) {
    if (/(^|-)nonroot(-|$)/.test(tag)) return { user: 'nonroot' };
    // pinned by digest alone: the digest may well be a `:nonroot` image
    if (ref.digest && ref.tag === undefined) return undefined;
    return { user: 'root', what: `\`${repo}:${ref.tag ?? 'latest'}\` runs as root (only the \`:nonroot\` distroless tags run as uid 65532)`, distroless: true };
  }
  if (ROOT_IMAGES.has(repo) || UBI.test(repo)) return { user: 'root', what: `\`${repo}\` runs as root unless a USER says otherwise` };
  return undefined;
}

/** The distroless tag that runs as nonroot, for a tag that runs as root. */
export function nonrootTag(tag: string | undefined): string | undefined {
  const t = tag ?? 'latest';
  let m = new RegExp(`^latest(${ARCH})$`).exec(t);
  if (m) return 'nonroot' + m[1];
  m = new RegExp(`^debug(${ARCH})$`).exec(t);
  if (m) return 'debug-nonroot' + m[1];
  return undefined;
}

/** The last USER of the final stage's lineage and whether it is root (undefined: unknown value). */
function lastUser(final: Stage): { ins: InstructionInfo; root: boolean | undefined; start: number; end: number } | undefined {
  let last: InstructionInfo | undefined;
  for (const s of stageLineage(final).reverse()) for (const ins of s.instructions) if (ins.keyword === 'USER') last = ins;
  if (!last) return undefined;
  const t = last.args.text;
  const i = t.search(/\S/);
  const value = t.trim();
  const user = value.split(':')[0];
  const root = value.includes('$') || !value ? undefined : user === 'root' || /^0+$/.test(user);
  const start = last.args.at(Math.max(i, 0));
  const end = value ? last.args.at(i + value.length - 1) + 1 : start;
  return { ins: last, root, start, end };
}

/** The ports the image EXPOSEs, ENV variables expanded (`EXPOSE ${PORT}`); NaN for one whose value is not known. */
function exposedPorts(stage: Stage): number[] {
  const out: number[] = [];
  for (const s of stageLineage(stage))
    for (const ins of s.instructions) {
      if (ins.keyword !== 'EXPOSE') continue;
      for (const w of ins.args.text.trim().split(/\s+/).filter(Boolean)) {
        if (!w.includes('$')) {
          out.push(parseInt(w, 10));
          continue;
        }
        const env = envAt(s, ins);
        const v = expandVariables(w, (name) => env.get(name)?.value);
        out.push(v === undefined ? NaN : parseInt(v, 10));
      }
    }
  return out;
}

function isWindows(model: DockerfileModel, final: Stage): boolean {
  if (model.escape === '`') return true;
  for (const s of stageLineage(final)) {
    if (s.windows) return true;
    if (s.from.flags.some((f) => f.name === 'platform' && /^windows/i.test(f.value ?? ''))) return true;
    if (s.instructions.some((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && /\.exe\b/i.test(i.args.text))) return true;
  }
  return false;
}

/** The final image runs its process as root. */
export const runtimeUserRoot: Rule = {
  id: 'runtime-user-root',
  defaultSeverity: 'info',
  summary: 'The final image runs as root: no `USER`, `USER root`/`0`, or a distroless tag without `nonroot`.',
  hadolint: ['DL3002'],
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final || isWindows(model, final)) return [];
    const lineage = stageLineage(final);
    const root = stageRoot(final);
    if (root.image === undefined) return [];
    // a runtime image runs something: a CMD/ENTRYPOINT, or a Go program it ships
    const runs = lineage.some((s) => s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'));
    if (!runs && !(shippedGoProgram(model) && !root.base.goToolchain)) return [];

    // an entrypoint that starts as root to drop privileges itself (gosu, su-exec, ...) is a design, not an oversight
    const dropper = /\b(su-exec|gosu|setpriv|s6-setuidgid|chpst|runuser)\b|\bPUID=/;
    if (lineage.some((s) => s.instructions.some((i) => i.keyword !== 'USER' && dropper.test(i.args.text)))) return [];
    const user = lastUser(final);
    const def = defaultUser(root);
    let reason: string;
    let explicit = false;
    if (user) {
      if (user.root !== true) return [];
      explicit = true;
      reason = `the last USER (line ${user.ins.line + 1}) is \`${model.text.slice(user.start, user.end)}\``;
    } else {
      if (!def || def.user !== 'root') return [];
      reason = def.what;
    }
    const inFinal = user && user.ins.stage === final;
    const word = fromImageWord(final.from);
    if (!word) return [];
    const [rs, re] = inFinal ? [user.start, user.end] : [word.start, word.end];

    const ports = exposedPorts(final);
    const lowPort = ports.some((p) => p < 1024);
    // a port whose value is not known may be low: no fix is applied blindly, and the message says nothing of it
    const mayBeLow = lowPort || ports.some((p) => Number.isNaN(p));
    const minimal = root.base.kind === 'scratch' || root.base.kind === 'distroless' || root.base.kind === 'distroless-static';
    const hasRun = lineage.some((s) => s.instructions.some((i) => i.keyword === 'RUN'));
    const fixes: Fix[] = [];
    if (!explicit && def && def.user === 'root' && def.distroless && root.ref && !root.ref.digest) {
      const tag = nonrootTag(root.ref.tag);
      const spot = imageTagSpot(model, root);
      if (tag && spot?.edit && !spot.digest) {
        fixes.push({
          title: `Use the nonroot variant (${fullRepo(root.ref)}:${tag})`,
          preferred: !mayBeLow && !hasRun,
          edits: [editAt(model, spot.edit.start, spot.edit.end, tagReplacement(spot.edit, tag))],
        });
      }
    }
    const lastIns = final.instructions[final.instructions.length - 1] ?? final.from;
    // a last instruction ending in a continuation (`\` then the end of the file) would swallow an appended line
    const dangling = model.text.slice(lastIns.start).trimEnd().endsWith(model.escape);
    if (!dangling) {
      fixes.push({
        title: `Add USER ${NONROOT} at the end of the final stage`,
        // scratch and distroless ship nothing that needs root (unless a RUN made root-owned files); other bases may own files the service writes
        preferred: !explicit && minimal && !mayBeLow && !hasRun && !fixes.some((f) => f.preferred),
        edits: [editAt(model, lastIns.end, lastIns.end, `${model.eol}USER ${NONROOT}`)],
      });
    }
    const note = lowPort ? ' The image EXPOSEs a port below 1024: a non-root process needs a higher port (or `net.ipv4.ip_unprivileged_port_start`) to bind it.' : '';
    return [
      {
        message:
          `The final image runs as root: ${reason}. A compromised or buggy service then has uid 0 in the container (and on the host if it escapes), ` +
          'and Kubernetes pods with `runAsNonRoot: true` refuse to start it. ' +
          `Run as an unprivileged numeric user (\`USER ${NONROOT}\`, the \`nonroot\` user of distroless images); most Go services need none.` +
          note,
        range: rangeOf(model, rs, re),
        fixes,
      },
    ] as RuleFinding[];
  },
};
