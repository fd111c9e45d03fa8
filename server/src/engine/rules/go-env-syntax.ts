import { isMap, isScalar, isSeq, Scalar, type Document, type YAMLMap } from 'yaml';
import type { DockerfileModel, InstructionInfo, Stage } from '../dockerfile/model';
import { stageLineage } from '../dockerfile/model';
import { checkGoGC, checkGoMaxProcs, checkGoMemLimit, type GoEnvCheck } from '../goenv';
import { replaceScalar, trimmedSpan } from '../k8s/edit';
import { getMap, getNode, getPair, getScalar, scalarString, type Container, type EnvVar, type ManifestModel, type Workload } from '../k8s/model';
import { isSuppressed, parsePragmas, type Pragmas } from '../pragmas';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, Severity, TextEdit } from '../types';
import { KeyMemo } from '../memo';

/** One NAME=value of an ENV or ARG instruction. */
export interface EnvSetting {
  ins: InstructionInfo;
  keyword: 'ENV' | 'ARG';
  name: string;
  /** An ARG with no default (`ARG NAME`): nothing is known about its value. */
  hasValue: boolean;
  /**
   * The value the variable gets, or undefined when the Dockerfile alone does not
   * tell (an expansion, an escape, partial quoting, an ARG without default).
   */
  value: string | undefined;
  /** Document offsets of the value as written, quotes included. */
  start: number;
  end: number;
  /** Document offsets of the value inside its enclosing quotes (= start/end when unquoted). */
  innerStart: number;
  innerEnd: number;
}

/** The literal value of an ENV/ARG value as written, or undefined when it is not a plain literal. */
function literal(raw: string, escape: string): { value: string; quote: number } | undefined {
  if (raw.includes(escape)) return undefined; // escapes, continuation lines
  let m = /^"([^"]*)"$/s.exec(raw);
  if (m) return m[1].includes('$') ? undefined : { value: m[1], quote: 1 };
  m = /^'([^']*)'$/s.exec(raw);
  if (m) return { value: m[1], quote: 1 }; // no substitution inside single quotes
  if (/["'$]/.test(raw)) return undefined;
  return { value: raw, quote: 0 };
}

/** Every NAME=value of the given ENV/ARG instructions (default: the whole file, global ARGs included). */
export function envSettings(model: DockerfileModel, instructions: InstructionInfo[] = model.instructions): EnvSetting[] {
  const out: EnvSetting[] = [];
  for (const ins of instructions) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
    // read once per instruction: several rules ask for every stage's lineage
    let own = settingsOf.get(ins);
    if (!own) settingsOf.set(ins, (own = instructionSettings(model, ins)));
    for (const x of own) out.push(x);
  }
  return out;
}
const settingsOf = new KeyMemo<InstructionInfo, EnvSetting[]>();

function instructionSettings(model: DockerfileModel, ins: InstructionInfo): EnvSetting[] {
  const out: EnvSetting[] = [];
  const props: any[] = (ins.node as any).getProperties?.() ?? [];
  for (const p of props) {
    const name: string = p.getName();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    const vr = p.getValueRange();
    if (!vr) {
      if (ins.keyword === 'ARG') {
        const nr = p.getNameRange();
        const e = model.index.offsetAt(nr.end);
        out.push({ ins, keyword: 'ARG', name, hasValue: false, value: undefined, start: e, end: e, innerStart: e, innerEnd: e });
      }
      continue;
    }
    const start = model.index.offsetAt(vr.start);
    const end = model.index.offsetAt(vr.end);
    const lit = literal(model.text.slice(start, end), model.escape);
    out.push({
      ins,
      keyword: ins.keyword as EnvSetting['keyword'],
      name,
      hasValue: true,
      value: lit?.value,
      start,
      end,
      innerStart: start + (lit?.quote ?? 0),
      innerEnd: end - (lit?.quote ?? 0),
    });
  }
  return out;
}

/** ENV/ARG settings of a stage and its ancestors, in the order they apply (root stage first). */
export function lineageEnvSettings(model: DockerfileModel, stage: Stage): EnvSetting[] {
  return stageLineage(stage)
    .reverse()
    .flatMap((s) => envSettings(model, s.instructions));
}

const CHECKS: Record<string, (v: string) => GoEnvCheck> = {
  GOMEMLIMIT: checkGoMemLimit,
  GOMAXPROCS: checkGoMaxProcs,
  GOGC: checkGoGC,
};

/** What the rule says about one value, wherever it is written (Dockerfile or manifest). */
interface Verdict {
  severity?: Severity;
  message: string;
  /** Values to write instead, the preferred one first (when there is one). */
  rewrites: { value: string; preferred: boolean }[];
}

/** A value as written, shortened for a message. */
function shown(raw: string): string {
  return raw.length > 40 ? raw.slice(0, 37) + '...' : raw;
}

/**
 * The verdict on `name` set to `value` (as the program sees it), or undefined
 * when the runtime accepts it. `what` names the setting in the message.
 */
function judge(name: string, value: string, what: string): Verdict | undefined {
  const check = CHECKS[name];
  if (!check) return undefined;
  const r = check(value);
  if (r.valid) return undefined;
  const message =
    r.effect === 'crash'
      ? `${what}: every Go program started with this value aborts with \`malformed GOMEMLIMIT\` (a crash loop). ${r.reason}`
      : `${what}: ${r.reason}`;
  const rewrites: Verdict['rewrites'] = [];
  if (r.rewrite !== undefined) rewrites.push({ value: r.rewrite, preferred: !!r.preferred });
  for (const a of r.alternatives ?? []) rewrites.push({ value: a, preferred: false });
  return { severity: r.effect === 'crash' ? undefined : 'warning', message, rewrites };
}

const fixTitle = (name: string, value: string) => `Change ${name} to ${value}`;

// --- Kubernetes manifests -----------------------------------------------------------

/** The env entry that takes effect for `name` (Kubernetes: the last of duplicates wins). */
export function lastEnv(c: Container, name: string): EnvVar | undefined {
  for (let i = c.env.length - 1; i >= 0; i--) if (c.env[i].name === name) return c.env[i];
  return undefined;
}

/** A literal `value:` of an env entry, as the container would see it. */
export interface EnvLiteral {
  scalar: Scalar;
  /** The string the program reads (YAML numbers and booleans as written). */
  value: string;
  /** The scalar's text in the file (quotes included). */
  raw: string;
  /** A plain scalar Kubernetes reads as a number or boolean: the API server rejects it (env values are strings). */
  typed: boolean;
}

/** YAML 1.1 booleans: Kubernetes' YAML reader (sigs.k8s.io/yaml, go-yaml v2) reads these plain words as true/false. */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

/**
 * The literal value of an env entry, or undefined when nothing is known for
 * sure: `valueFrom`, an alias, an empty value, a `$(VAR)` expansion or another
 * placeholder filled in before the manifest is applied (`${LIMIT}`, `<limit>`).
 */
export function envLiteral(model: ManifestModel, e: EnvVar): EnvLiteral | undefined {
  if (e.valueFrom) return undefined;
  const node = getPair(e.item, 'value')?.value;
  if (!isScalar(node) || !node.range) return undefined; // absent, an alias, a map
  const s = node as Scalar;
  if (s.value === null || s.value === undefined) return undefined;
  const [a, b] = trimmedSpan(model, s);
  const raw = model.text.slice(a, b);
  let value: string;
  if (typeof s.value === 'string') value = s.value;
  else if (typeof s.value === 'number' || typeof s.value === 'boolean') value = raw;
  else return undefined;
  if (/[$<>{}]/.test(value)) return undefined;
  const plain = s.type === Scalar.PLAIN || s.type === undefined;
  const typed = plain && (typeof s.value !== 'string' || YAML11_BOOL.test(value));
  return { scalar: s, value, raw, typed };
}

/** A note for a plain value Kubernetes reads as a number or boolean. */
export function typedNote(lit: EnvLiteral): string {
  if (!lit.typed) return '';
  const what = /^[A-Za-z]+$/.test(lit.value) ? 'a boolean' : 'a number';
  return ` Kubernetes also rejects the manifest as written: it reads an unquoted \`${shown(lit.raw)}\` as ${what}, and env values must be strings (quote it).`;
}

/** The edit that sets an env value scalar to `value`, keeping its quoting; undefined for block scalars. */
export function setEnvValue(model: ManifestModel, s: Scalar, value: string): TextEdit | undefined {
  if (s.type === Scalar.BLOCK_LITERAL || s.type === Scalar.BLOCK_FOLDED) return undefined;
  // a Go byte count with a unit reads back as the same string when plain (YAML 1.1 and 1.2): no quotes needed
  if ((s.type === Scalar.PLAIN || s.type === undefined) && /^[0-9]+(?:[KMGT]i)?B$/.test(value)) return replaceScalar(model, s, value);
  return replaceScalar(model, s, value, { asString: true });
}

/** Whether the container's command line sets `name` itself (`sh -c "GOMEMLIMIT=1GiB exec ./app"`). */
export function setOnCommandLine(w: Workload, c: Container, name: string): boolean {
  for (const key of ['command', 'args']) {
    const seq = getNode(w.doc, c.node, key);
    if (isSeq(seq) && seq.items.some((it) => isScalar(it) && typeof it.value === 'string' && it.value.includes(`${name}=`))) return true;
  }
  return false;
}

/** Every top-level object of the file (items of a `kind: List` included). */
function objects(model: ManifestModel): { doc: Document; root: YAMLMap }[] {
  const out: { doc: Document; root: YAMLMap }[] = [];
  for (const doc of model.docs) {
    if (doc.errors.length || !isMap(doc.contents)) continue;
    const root = doc.contents as YAMLMap;
    const items = getNode(doc, root, 'items');
    if (isSeq(items) && /List$/.test(scalarString(getScalar(doc, root, 'kind')) ?? '')) {
      for (const it of items.items) if (isMap(it)) out.push({ doc, root: it as YAMLMap });
    } else out.push({ doc, root });
  }
  return out;
}

/**
 * Whether an `envFrom` source may set `name`: anything but a ConfigMap or
 * Secret of this file whose data is known to lack the key.
 */
export function envFromMaySet(model: ManifestModel, w: Workload, c: Container, name: string): boolean {
  const envFrom = getNode(w.doc, c.node, 'envFrom');
  if (!envFrom) return false;
  if (!isSeq(envFrom)) return true;
  for (const item of envFrom.items) {
    if (!isMap(item)) return true;
    const prefix = scalarString(getScalar(w.doc, item, 'prefix')) ?? '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const cm = getMap(w.doc, item, 'configMapRef');
    const secret = getMap(w.doc, item, 'secretRef');
    const kind = cm ? 'ConfigMap' : secret ? 'Secret' : undefined;
    const refName = scalarString(getScalar(w.doc, cm ?? secret, 'name'));
    if (!kind || !refName) return true;
    const found = objects(model).filter(
      (o) => scalarString(getScalar(o.doc, o.root, 'kind')) === kind && scalarString(getScalar(o.doc, getMap(o.doc, o.root, 'metadata'), 'name')) === refName,
    );
    if (!found.length) return true; // defined elsewhere: its keys are unknown
    for (const o of found) {
      for (const section of ['data', 'stringData', 'binaryData']) {
        const data = getNode(o.doc, o.root, section);
        if (data === undefined) continue;
        if (!isMap(data) || getPair(data, key)) return true;
      }
    }
  }
  return false;
}

/**
 * Pragmas of a manifest, and whether one sits right before an env item
 * (`# container-tuner ignore=<id>` above `- name: GOGC`): the engine covers
 * containers and their keys, an env item's `value:` line needs this.
 */
export function manifestPragmas(model: ManifestModel): Pragmas {
  // lint.ts has read them already (a keystroke in a 5,000-line manifest read them three times)
  return model.pragmas ?? parsePragmas(model.text);
}

export function envItemSuppressed(model: ManifestModel, pragmas: Pragmas, ruleId: string, e: EnvVar): boolean {
  if (!e.item.range) return false;
  return isSuppressed(pragmas, ruleId, undefined, model.index.positionAt(e.item.range[0]).line);
}

/** GOMEMLIMIT/GOMAXPROCS/GOGC values the Go runtime rejects (crash) or silently ignores. */
export const goEnvSyntax: Rule = {
  id: 'go-env-syntax',
  defaultSeverity: 'error',
  summary: '`GOMEMLIMIT`, `GOMAXPROCS` or `GOGC` set to a value the Go runtime rejects (crash at start) or silently ignores.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const s of envSettings(model)) {
      if (s.value === undefined) continue;
      const raw = model.text.slice(s.start, s.end);
      const v = judge(s.name, s.value, `\`${s.keyword} ${s.name}=${shown(raw)}\``);
      if (!v) continue;
      const fixes: Fix[] = v.rewrites.map((r) => ({
        title: fixTitle(s.name, r.value),
        preferred: r.preferred || undefined,
        edits: [editAt(model, s.innerStart, s.innerEnd, r.value)],
      }));
      out.push({ severity: v.severity, message: v.message, range: rangeOf(model, s.start, s.end), fixes });
    }
    return out;
  },
  checkManifest({ model }) {
    const out: RuleFinding[] = [];
    const pragmas = manifestPragmas(model);
    for (const w of model.workloads) {
      for (const c of w.containers) {
        for (const name of Object.keys(CHECKS)) {
          const e = lastEnv(c, name);
          if (!e) continue;
          const lit = envLiteral(model, e);
          if (!lit || setOnCommandLine(w, c, name)) continue;
          if (envItemSuppressed(model, pragmas, 'go-env-syntax', e)) continue;
          const raw = lit.raw.includes('\n') || lit.raw.includes('\r') ? JSON.stringify(lit.value) : lit.raw;
          const v = judge(name, lit.value, `\`${name}: ${shown(raw)}\``);
          if (!v) continue;
          const fixes: Fix[] = [];
          for (const r of v.rewrites) {
            const edit = setEnvValue(model, lit.scalar, r.value);
            if (edit) fixes.push({ title: fixTitle(name, r.value), preferred: r.preferred || undefined, edits: [edit] });
          }
          const [a, b] = trimmedSpan(model, lit.scalar);
          out.push({ severity: v.severity, message: v.message + typedNote(lit), range: rangeOf(model, a, b), fixes });
        }
      }
    }
    return out;
  },
};
