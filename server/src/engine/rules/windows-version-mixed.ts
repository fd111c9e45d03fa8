import type { DockerfileModel, Stage } from '../dockerfile/model';
import { imageTagSpot, tagReplacement } from '../dockerfile/imagetag';
import { parseGoVersion } from '../go';
import { repoKey, windowsReleaseOf, type ImageRef } from '../images';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';

/** Windows builds of the releases rules compare. */
const BUILDS: Record<string, string> = { ltsc2016: '14393', ltsc2019: '17763', ltsc2022: '20348', ltsc2025: '26100' };
/** Semi-annual channel builds, named the way their tags are. */
const SAC_BUILDS: Record<string, string> = { '16299': '1709', '17134': '1803', '18362': '1903', '18363': '1909', '19041': '2004', '19042': '20h2' };

/**
 * The Windows release a tag names ('ltsc2016' | 'ltsc2019' | 'ltsc2022' | 'ltsc2025',
 * a semi-annual name such as '1903', or a bare build number), or undefined.
 */
export function windowsRelease(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const t = tag.toLowerCase();
  if (/(^|-)(sac2016|1607)($|-)/.test(t)) return 'ltsc2016';
  const r = windowsReleaseOf(t);
  if (r === '14393') return 'ltsc2016';
  if (r && SAC_BUILDS[r]) return SAC_BUILDS[r];
  if (r) return r;
  const m = /(^|-)(1709|1803)($|-)/.exec(t);
  return m ? m[2] : undefined;
}

/** "ltsc2022 (10.0.20348)" */
export function describeRelease(r: string): string {
  const build = BUILDS[r] ?? Object.entries(SAC_BUILDS).find(([, v]) => v === r)?.[0];
  if (/^\d+$/.test(r)) return `build 10.0.${r}`;
  return build ? `${r} (10.0.${build})` : r;
}


const MCR_WINDOWS = /^mcr\.microsoft\.com\/windows(\/(servercore|nanoserver|server|insider))?$/;
const GOLANG_REPOS = new Set(['golang', 'public.ecr.aws/docker/library/golang', 'mirror.gcr.io/library/golang', 'mirror.gcr.io/golang']);

/** A plain release tag of the Microsoft base images (what the fix may rewrite). */
const PLAIN_RELEASE_TAG = /^(ltsc20(16|19|22|25)|1809)$/;
/** The release part at the end of a golang Windows tag: `1.22-windowsservercore-ltsc2022`. */
const GOLANG_WINDOWS_TAG = /^(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?-(?:windowsservercore|nanoserver)-)(ltsc20\d\d|1809|1803|1709)$/;

/** A golang Windows tag (`1.22-windowsservercore-ltsc2022`): what comes before the release, and its Go version. */
function golangWindowsTag(tag: string): { prefix: string; go?: [number, number, number] } | undefined {
  const m = GOLANG_WINDOWS_TAG.exec(tag);
  return m ? { prefix: m[1], go: parseGoVersion(m[1].replace(/-.*$/, '')) } : undefined;
}

interface Target {
  tag: string;
  preferred: boolean;
}

/**
 * The tag that names `release` in the same repository and naming scheme as
 * `ref`'s tag, when that repository publishes it; undefined otherwise.
 */
export function alignedTag(ref: ImageRef, release: string): Target | undefined {
  const tag = ref.tag;
  const repo = repoKey(ref);
  if (repo === 'mcr.microsoft.com/windows/nanoserver') {
    // nanoserver names ltsc2019 "1809" and publishes no 2016 image any more
    const t = release === 'ltsc2019' ? '1809' : release === 'ltsc2022' || release === 'ltsc2025' ? release : undefined;
    if (!t) return undefined;
    if (tag === undefined || tag === 'latest') return { tag: t, preferred: true };
    return PLAIN_RELEASE_TAG.test(tag) ? { tag: t, preferred: true } : undefined;
  }
  if (repo === 'mcr.microsoft.com/windows/servercore') {
    if (!['ltsc2016', 'ltsc2019', 'ltsc2022', 'ltsc2025'].includes(release)) return undefined;
    if (tag === undefined || tag === 'latest') return { tag: release, preferred: true };
    return PLAIN_RELEASE_TAG.test(tag) ? { tag: release, preferred: true } : undefined;
  }
  if (GOLANG_REPOS.has(repo) && tag) {
    // the golang image publishes Windows variants for ltsc2022 and ltsc2025 only (ltsc2019 ones are retired)
    const g = golangWindowsTag(tag);
    if (!g || (release !== 'ltsc2022' && release !== 'ltsc2025')) return undefined;
    // old Go versions were never published for the newer releases
    const v = g.go;
    const minor = v ? v[1] : 0;
    const preferred = v !== undefined && v[0] === 1 && minor >= (release === 'ltsc2025' ? 24 : 18);
    return { tag: g.prefix + release, preferred };
  }
  return undefined;
}

interface WinStage {
  stage: Stage;
  ref: ImageRef;
  release?: string;
}

/** Root stages (built FROM an image, not another stage) on a Windows base whose reference is known. */
function windowsRoots(model: DockerfileModel): WinStage[] {
  const out: WinStage[] = [];
  for (const s of model.stages) {
    if (s.parent || !s.ref || !s.base.windows) continue;
    out.push({ stage: s, ref: s.ref, release: windowsRelease(s.ref.tag) });
  }
  return out;
}

function rootOf(stage: Stage): Stage {
  let s = stage;
  while (s.parent) s = s.parent;
  return s;
}

const HOST_RULES =
  'every stage runs on the same build host, and with process isolation an image must match the host\'s Windows release ' +
  '(a 2022 host runs only 2022 images; a 2025 host runs 2025 and 2022 images; an image newer than its host runs in neither isolation mode: error 0xc0370101)';

function stageLabel(s: Stage): string {
  return s.name ? `stage \`${s.name}\`` : `stage ${s.index}`;
}

/** Stages of one Dockerfile on different Windows releases, or on a Windows base with no release tag. */
export const windowsVersionMixed: Rule = {
  id: 'windows-version-mixed',
  defaultSeverity: 'warning',
  summary: 'Stages use different Windows releases (or a Windows base has no release tag); all stages build on one host.',
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final) return [];
    const roots = windowsRoots(model);
    if (!roots.length) return [];
    const finalRoot = rootOf(final);
    const finalWin = roots.find((r) => r.stage === finalRoot);
    const out: RuleFinding[] = [];

    // the release to align on: the final stage's; else the one every other Windows stage agrees on
    const known = [...new Set(roots.map((r) => r.release).filter((r): r is string => !!r))];
    const target = finalWin?.release ?? (known.length === 1 ? known[0] : undefined);

    for (const r of roots) {
      const spot = imageTagSpot(model, r.stage);
      if (!spot) continue;
      const repo = repoKey(r.ref);
      const noRelease = (r.ref.tag === undefined || r.ref.tag === 'latest') && !r.ref.digest && MCR_WINDOWS.test(repo);
      if (noRelease) {
        const fixes: Fix[] = [];
        const t = target ? alignedTag(r.ref, target) : undefined;
        if (t && spot.edit && !spot.digest) {
          fixes.push({
            title: `Use ${repo}:${t.tag} (${finalWin?.release ? 'the final stage\'s release' : 'the release of the other stages'})`,
            preferred: t.preferred,
            edits: [editAt(model, spot.edit.start, spot.edit.end, tagReplacement(spot.edit, t.tag))],
          });
        }
        out.push({
          message:
            `\`${r.stage.image}\` names no Windows release: Microsoft publishes its Windows base images only under release tags ` +
            '(`ltsc2025`, `ltsc2022`, `1809`, or build numbers such as `10.0.20348.2582`) and no `latest`, so the pull fails with `manifest for ...:latest not found`. ' +
            `Name the release of your build and run hosts${target ? ` (the other stages use ${describeRelease(target)})` : ''}: ${HOST_RULES}.`,
          range: rangeOf(model, spot.show[0], spot.show[1]),
          fixes,
        });
        continue;
      }
      if (!finalWin?.release || !r.release || r.stage === finalRoot || r.release === finalWin.release) continue;
      const fixes: Fix[] = [];
      const t = alignedTag(r.ref, finalWin.release);
      if (t && spot.edit && spot.edit.hasTag && !spot.digest) {
        const image = r.stage.image!.replace(/:[^:/@]*(@.*)?$/, '');
        fixes.push({
          title: `Use ${image}:${t.tag} (the final stage's release)`,
          preferred: t.preferred,
          edits: [editAt(model, spot.edit.start, spot.edit.end, t.tag)],
        });
      }
      // an old Go was never published for the newer releases: the builder's Go version has to move too
      const gv = r.ref.tag ? golangWindowsTag(r.ref.tag)?.go : undefined;
      const oldGo = gv !== undefined && gv[0] === 1 && gv[1] < 18;
      const noFix =
        fixes.length || !GOLANG_REPOS.has(repo) || finalWin.release !== 'ltsc2019'
          ? ''
          : ' The golang image no longer publishes ltsc2019 (1809) variants: move the final stage to ltsc2022 or ltsc2025 instead' +
            (oldGo ? `, and the builder to a newer Go (golang's ltsc2022 variants start at Go 1.18, ltsc2025 at 1.24; this one is Go ${gv![0]}.${gv![1]}).` : '.');
      out.push({
        message:
          `${stageLabel(r.stage)[0].toUpperCase() + stageLabel(r.stage).slice(1)} runs Windows ${describeRelease(r.release)} on \`${r.stage.image}\`, ` +
          `but the final stage runs ${describeRelease(finalWin.release)} on \`${finalRoot.image}\`: ${HOST_RULES}.` +
          noFix,
        range: rangeOf(model, spot.show[0], spot.show[1]),
        fixes,
      });
    }
    return out;
  },
};
