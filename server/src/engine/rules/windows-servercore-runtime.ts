import { copyPaths, flagValue, shippedGoBuilds } from '../dockerfile/gobuild';
import { isGoBinary, stageByRef, stageLineage, stageRoot, type DockerfileModel, type InstructionInfo, type Stage } from '../dockerfile/model';
import { baseFacts } from '../images';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';
import { fromImageWord } from './base-image-unpinned';

const SERVERCORE = 'mcr.microsoft.com/windows/servercore';
/** PowerShell in a RUN/SHELL/CMD: the program itself, a script, or a cmdlet (Verb-Noun). */
const POWERSHELL = /\b(powershell|pwsh)(\.exe)?\b|\.ps1\b/i;
const CMDLET = /\b(Get|Set|New|Remove|Invoke|Expand|Copy|Move|Rename|Write|Add|Install|Uninstall|Start|Stop|Restart|Test|Out|Import|Export|Enable|Disable|Register|Unregister|Unblock|Select|Where|ForEach|Join|Split|Resolve|Clear|Update)-[A-Z][A-Za-z]+\b/;
/** Files copied out of a Go stage that are data, not the program. */
const DATA_FILE = /\.(crt|pem|json|ya?ml|toml|conf|ini|html|css|js|txt|md|sql|tmpl|proto|dll)$|zoneinfo/i;

/** The nanoserver tag for the same Windows release as a servercore tag, when nanoserver publishes one. */
export function nanoserverTag(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  if (/^(ltsc2022|ltsc2025|1809)(-amd64)?$/.test(tag)) return tag;
  const m = /^ltsc2019(-amd64)?$/.exec(tag);
  if (m) return '1809' + (m[1] ?? '');
  // build numbers (10.0.20348.2582) are published for both images
  if (/^10\.0\.(17763|20348|26100)\.\d+(-amd64)?$/.test(tag)) return tag;
  return undefined;
}

/** Whether `stage` (or its ancestors) compiles Go: `go build`/`go install`, or an exec-form `RUN ["go", ...]`. */
function compilesGo(stage: Stage): boolean {
  return stageLineage(stage).some(
    (s) =>
      s.goCommands.some((g) => g.sub === 'build' || g.sub === 'install') ||
      s.instructions.some((i) => i.keyword === 'RUN' && i.json && i.json.length >= 2 && isGoBinary(i.json[0]) && ['build', 'install'].includes(i.json[1])),
  );
}

/** How the final image gets a Go program, or undefined when it does not (as far as the Dockerfile shows). */
function shipsGo(model: DockerfileModel, final: Stage): string | undefined {
  const lineage = stageLineage(final);
  if (shippedGoBuilds(model).length) return 'a Go binary built in this Dockerfile';
  if (lineage.some((s) => s.instructions.some((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && /\bgo(\.exe)?\b["',\s]+run\b/.test(i.args.text)))) {
    return 'a `go run` program';
  }
  if (compilesGo(final)) return 'a Go binary built in this stage';
  if (!model.buildsGo) return undefined;
  for (const s of lineage) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = flagValue(ins, 'from');
      const src = from ? stageByRef(model, from, s) : undefined;
      if (!src || !stageLineage(src).some((x) => x.buildsGo)) continue;
      const p = copyPaths(ins);
      if (p && p.sources.every((x) => DATA_FILE.test(x))) continue;
      const exe = p?.sources.find((x) => /\.exe$/i.test(x));
      return exe ? `\`${exe.replace(/^.*[\\/]/, '')}\` from the Go stage \`${from}\`` : `a build of the Go stage \`${from}\``;
    }
  }
  return undefined;
}

/** PowerShell use anywhere in the lineage, with the instruction that shows it. */
function powershellUse(model: DockerfileModel, lineage: Stage[]): InstructionInfo | undefined {
  for (const s of lineage) {
    for (const ins of s.instructions) {
      if (!['RUN', 'SHELL', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'COPY', 'ADD'].includes(ins.keyword)) continue;
      const text = model.text.slice(ins.start, ins.end);
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD' ? /\.ps1\b/i.test(text) : POWERSHELL.test(text) || CMDLET.test(text)) return ins;
    }
  }
  return undefined;
}

/** The edit turning the root image into nanoserver: on the FROM word, or on the default of the ARG it names. */
function imageEdit(model: DockerfileModel, root: Stage, newRepoTag: string): TextEdit | undefined {
  const word = fromImageWord(root.from);
  const image = root.image;
  if (!word || !image) return undefined;
  const oldRepoTag = image.slice(image.lastIndexOf('/') + 1).replace(/@.*$/, '');
  if (!word.text.includes('$')) {
    const at = word.text.lastIndexOf(oldRepoTag);
    if (at < 0 || !/^servercore(:|$)/i.test(oldRepoTag)) return undefined;
    return editAt(model, word.start + at, word.start + at + oldRepoTag.length, newRepoTag);
  }
  // FROM ${BASE} / $BASE with ARG BASE=<the whole image>
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word.text);
  if (!m || (word.text.startsWith('${') !== word.text.endsWith('}'))) return undefined;
  const name = m[1];
  if (model.globalArgs.get(name) !== image) return undefined;
  const firstFrom = model.stages[0]?.from.start ?? model.text.length;
  const args = model.instructions.filter((i) => i.keyword === 'ARG' && i.start < firstFrom);
  for (let k = args.length - 1; k >= 0; k--) {
    const ins = args[k];
    const prop = ((ins.node as any).getProperties?.() ?? []).find((p: any) => p.getName() === name);
    if (!prop) continue;
    const pstart = model.index.offsetAt(prop.getRange().start);
    const text = model.text.slice(pstart, ins.end);
    const at = text.indexOf(image);
    if (at < 0) return undefined;
    const rel = at + image.lastIndexOf('/') + 1;
    return editAt(model, pstart + rel, pstart + rel + oldRepoTag.length, newRepoTag);
  }
  return undefined;
}

/** A Go service shipped on Windows Server Core, where Nano Server would do. */
export const windowsServercoreRuntime: Rule = {
  id: 'windows-servercore-runtime',
  defaultSeverity: 'warning',
  summary: 'The final image ships a Go binary on Windows Server Core (about 5 GB) instead of Nano Server.',
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final) return [];
    const lineage = stageLineage(final);
    const root = stageRoot(final);
    if (!root.ref || root.base.kind !== 'windows-servercore') return [];
    const facts = baseFacts(root.ref);
    const repo = (root.ref.registry ? root.ref.registry + '/' : '') + root.ref.repository;
    const golang = facts.goToolchain;
    if (repo !== SERVERCORE && !golang) return []; // other images built on servercore (.NET Framework, IIS, ...)
    const how = shipsGo(model, final);
    if (!how) return [];
    const word = fromImageWord(final.from);
    if (!word) return [];

    const ps = powershellUse(model, lineage);
    const release = facts.windowsRelease;
    const tag = repo === SERVERCORE && !root.ref.digest ? nanoserverTag(root.ref.tag) : undefined;
    const releaseTag = release === 'ltsc2019' ? '1809' : release === 'ltsc2022' || release === 'ltsc2025' ? release : undefined;
    const target = (tag ?? releaseTag)
      ? `\`mcr.microsoft.com/windows/nanoserver:${tag ?? releaseTag}\` (a few hundred MB)`
      : 'a supported `mcr.microsoft.com/windows/nanoserver` release (a few hundred MB; ltsc2022 or ltsc2025, matching your hosts)';
    let message =
      `The final image ships ${how} on \`${root.image}\` (Windows Server Core, about 5 GB). ` +
      (golang
        ? `Build in the golang image and copy the .exe onto ${target}: a static Go binary (CGO_ENABLED=0) runs there.`
        : `A static Go binary (CGO_ENABLED=0) runs on ${target}, which pulls and starts much faster.`) +
      ' Nano Server has no PowerShell and runs as ContainerUser; programs using os/user need netapi32.dll copied from Server Core.';
    const fixes: Fix[] = [];
    if (ps) {
      message += ` No quick-fix: the image uses PowerShell (line ${ps.line + 1}), which Nano Server lacks.`;
    } else if (!golang) {
      if (!tag) {
        message += root.ref.digest
          ? ' No quick-fix: the image is pinned by digest; pick the nanoserver digest of the same release.'
          : ` No quick-fix: no Nano Server tag is known for \`${root.ref.tag ?? '(no tag)'}\`${release === 'ltsc2016' ? ' (Nano Server has no supported 2016 image)' : ''}.`;
      } else {
        const edit = imageEdit(model, root, `nanoserver:${tag}`);
        const runs = lineage.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN');
        if (edit) {
          fixes.push({
            title: runs.length
              ? `Switch to mcr.microsoft.com/windows/nanoserver:${tag} (check the RUN on line ${runs[0].line + 1}: Nano Server's cmd has fewer tools)`
              : `Switch to mcr.microsoft.com/windows/nanoserver:${tag}`,
            // never applied blindly: Go's os/user needs netapi32.dll, which Nano Server lacks (golang/go#21867)
            preferred: false,
            edits: [edit],
          });
        }
      }
    }
    return [{ message, range: rangeOf(model, word.start, word.end), fixes }] as RuleFinding[];
  },
};
