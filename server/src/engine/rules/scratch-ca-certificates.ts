import * as path from 'node:path';
import { copyPaths, flagValue, shippedGoBuilds } from '../dockerfile/gobuild';
import type { DockerfileModel, InstructionInfo, Stage } from '../dockerfile/model';
import { envAt, runCommands, stageByRef, stageLineage, stageRoot, workdirAt } from '../dockerfile/model';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';
import { fromImageWord } from './base-image-unpinned';

/** The module that embeds Mozilla's roots into the binary (used when the system has none). */
export const X509_FALLBACK = 'golang.org/x/crypto/x509roots/fallback';

/** Files that are data, not the program, when copied out of a Go stage. */
const DATA_FILE = /\.(crt|pem|json|ya?ml|toml|conf|ini|html|css|js|txt|md|sql|tmpl|proto)$|zoneinfo|passwd|group$/i;

/**
 * Where Go's crypto/x509 looks for roots on Linux (root_linux.go): these files
 * and directories. A COPY that lands on or under any of them (or copies one of
 * them) brings a CA bundle.
 */
const CERT_PATHS = /^\/etc\/(ssl|pki)(\/|$)|ca-certificates|ca-bundle|cacert|tls-ca-bundle|\/cert\.pem$/i;

/** COPY/ADD instructions of the stages the final image is built from, ancestors first. */
function lineageCopies(final: Stage): InstructionInfo[] {
  return stageLineage(final)
    .reverse()
    .flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD'));
}

/**
 * How the final image gets a Go program (a sentence fragment), or undefined
 * when the Dockerfile shows none: a build whose output reaches the final
 * stage, or a COPY --from a stage that builds Go (not only data files).
 */
export function shippedGoProgram(model: DockerfileModel): string | undefined {
  const final = model.finalStage;
  if (!final) return undefined;
  if (shippedGoBuilds(model).length) return 'a Go binary built in this Dockerfile';
  for (const s of stageLineage(final)) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = flagValue(ins, 'from');
      const src = from ? stageByRef(model, from, s) : undefined;
      if (!src || !stageLineage(src).some((x) => x.buildsGo)) continue;
      const p = copyPaths(ins);
      if (p && p.sources.every((x) => DATA_FILE.test(x))) continue;
      return `a program copied from the Go stage \`${from}\``;
    }
  }
  return undefined;
}

/** Whether a COPY/ADD may bring a CA bundle (or we cannot tell). */
function bringsCerts(final: Stage, ins: InstructionInfo): boolean {
  const p = copyPaths(ins);
  if (!p) return true; // heredoc COPY or unreadable: doubt
  const all = [...p.sources, p.dest];
  if (all.some((x) => x.includes('$'))) return true;
  const dest = path.posix.resolve(workdirAt(ins.stage ?? final, ins), p.dest);
  for (const src of p.sources) {
    const s = src.replace(/(?<!\/)\/+$/, '') || '/';
    if (CERT_PATHS.test(src) || (/^https?:/i.test(src) && /\.(pem|crt)$/i.test(src))) return true;
    // a whole file system, /etc, or a root-fs directory copied over /
    if (s === '/' || s === '/etc' || /rootfs/i.test(src)) return true;
    if (ins.keyword === 'ADD' && /\.(tar|tgz|tar\.(gz|bz2|xz|zst))$/i.test(src)) return true;
    const dir = /\/$/.test(src) || src === '.' || src === './';
    const landed = /\/$/.test(p.dest) || p.sources.length > 1 ? path.posix.join(dest, path.posix.basename(s)) : dest;
    if (CERT_PATHS.test(landed) || CERT_PATHS.test(dest + '/')) return true;
    if (dir && (dest === '/' || dest === '/etc')) return true;
  }
  return false;
}

/** Whether the stage (or its ancestry) is known to hold /etc/ssl/certs/ca-certificates.crt. */
function hasCaBundle(model: DockerfileModel, stage: Stage): boolean {
  const lineage = stageLineage(stage);
  const root = stageRoot(stage);
  // official golang images: Debian ones are built on buildpack-deps (ca-certificates), alpine ones `apk add ca-certificates`
  if (root.base.officialGolangLinux) return true;
  let added = false;
  for (const s of [...lineage].reverse()) {
    for (const { cmd } of runCommands(model, s)) {
      const argv = cmd.argv.map((w) => w.value);
      const prog = argv[0]?.replace(/^.*\//, '');
      if (prog === 'apk' && argv.includes('add') && !argv.some((a) => a === '-t' || a.startsWith('--virtual'))) {
        if (argv.some((a) => a === 'ca-certificates' || a === 'ca-certificates-bundle')) added = true;
      } else if ((prog === 'apt-get' || prog === 'apt') && argv.includes('install')) {
        if (argv.includes('ca-certificates')) added = true;
      } else if ((prog === 'apk' && argv.includes('del')) || ((prog === 'apt-get' || prog === 'apt') && argv.some((a) => a === 'purge' || a === 'remove' || a === 'autoremove'))) {
        if (argv.includes('ca-certificates') || (prog === 'apk' && argv.some((a) => a.startsWith('.')))) added = false;
      }
    }
  }
  return added;
}

/** A Go service on `scratch` with no CA bundle: every TLS client call fails certificate verification. */
export const scratchCaCertificates: Rule = {
  id: 'scratch-ca-certificates',
  defaultSeverity: 'info',
  summary: 'The final image is `scratch` and copies no CA certificates: the Go program\'s TLS connections cannot be verified.',
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final) return [];
    const lineage = stageLineage(final);
    const root = stageRoot(final);
    if (root.image === undefined || root.base.kind !== 'scratch') return [];
    const how = shippedGoProgram(model);
    if (!how) return [];
    // the binary carries its own roots
    if (model.goMod?.requires.has(X509_FALLBACK)) return [];
    // SSL_CERT_FILE / SSL_CERT_DIR: the service is told where its roots are
    const env = envAt(final);
    if (env.has('SSL_CERT_FILE') || env.has('SSL_CERT_DIR')) return [];
    if (lineageCopies(final).some((ins) => bringsCerts(final, ins))) return [];
    const word = fromImageWord(final.from);
    if (!word) return [];

    // a stage the final image copies from that has the bundle: the one bringing the binary first
    const candidates: { ref: string; stage: Stage }[] = [];
    const via = shippedGoBuilds(model).map((s) => s.via);
    const copies = lineageCopies(final).filter((i) => i.keyword === 'COPY' && flagValue(i, 'from'));
    copies.sort((a, b) => Number(!via.includes(a)) - Number(!via.includes(b)));
    for (const ins of copies) {
      const ref = flagValue(ins, 'from')!;
      const st = stageByRef(model, ref, ins.stage!);
      if (st && !candidates.some((c) => c.stage === st) && hasCaBundle(model, st)) candidates.push({ ref, stage: st });
    }
    const fixes: Fix[] = [];
    const builder = candidates[0];
    if (builder && /^[\w.-]+$/.test(builder.ref)) {
      const line = `COPY --from=${builder.ref} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`;
      fixes.push({
        title: `Copy the CA bundle from \`${builder.ref}\``,
        preferred: true,
        edits: [editAt(model, final.from.end, final.from.end, model.eol + line)],
      });
    }
    return [
      {
        message:
          `The final image is \`scratch\` and ships ${how}, but no CA certificates: every TLS connection it verifies against the system roots (HTTPS to public APIs, cloud SDKs, webhooks) ` +
          'fails with `x509: certificate signed by unknown authority`, because Go reads those roots from files such as `/etc/ssl/certs/ca-certificates.crt`, which `scratch` does not have. ' +
          (builder
            ? `Copy the bundle (about 0.2 MB) from the \`${builder.ref}\` stage, which has it.`
            : `Copy a CA bundle (about 0.2 MB) from a build stage that has one (\`golang\` images do; alpine or Debian after installing \`ca-certificates\`), or embed the roots with \`import _ "${X509_FALLBACK}"\`.`),
        range: rangeOf(model, word.start, word.end),
        fixes,
      },
    ] as RuleFinding[];
  },
};
