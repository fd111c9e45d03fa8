import { parseImageRef } from '../images';
import { insertAfterPair, trimmedSpan } from '../k8s/edit';
import { imageNameKey, kustomizePinsImage, toolBuiltImages } from '../k8s/tooling';
import { getScalar, scalarString } from '../k8s/model';
import { rangeOf, type Rule, type RuleFinding } from '../rule';

/** `:latest` or no tag makes imagePullPolicy default to Always: a registry round trip at every start. */
export const k8sImagePullLatest: Rule = {
  id: 'k8s-image-pull-latest',
  defaultSeverity: 'warning',
  summary: 'An untagged or `:latest` image pulls from the registry at every pod start (imagePullPolicy defaults to Always).',
  checkManifest({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      for (const c of w.containers) {
        const image = scalarString(c.image);
        if (!c.image || !image) continue;
        // placeholders filled in later (envsubst, a CD tool; ko's `ko://import/path`) are not images yet
        if (/[$<>{}\s]/.test(image) || image.includes('://')) continue;
        const ref = parseImageRef(image);
        if (ref.digest) continue;
        if (ref.tag !== undefined && ref.tag !== 'latest') continue;
        const policy = scalarString(getScalar(w.doc, c.node, 'imagePullPolicy'));
        if (policy) continue; // an explicit policy is a decision (Always on purpose, or IfNotPresent/Never)
        // the deploy tooling writes a pinned image in its place: the kustomization next to the file
        // (`images:` with a newTag or digest), or skaffold/Tilt, which build this name and deploy it tagged
        if (kustomizePinsImage(model, image) || toolBuiltImages(model).has(imageNameKey(image))) continue;
        const [s, e] = trimmedSpan(model, c.image);
        out.push({
          message: `\`${image}\` ${ref.tag ? 'uses `:latest`' : 'has no tag'}, so imagePullPolicy defaults to Always: every pod start asks the registry first (slower starts and scale-out, and a registry outage stops them). Pin a version tag or digest; or set \`imagePullPolicy: IfNotPresent\`.`,
          range: rangeOf(model, s, e),
          fixes: [{ title: 'Set imagePullPolicy: IfNotPresent', edits: [insertAfterPair(model, c.node, 'image', [['imagePullPolicy', 'IfNotPresent']])] }],
        });
      }
    }
    return out;
  },
};
