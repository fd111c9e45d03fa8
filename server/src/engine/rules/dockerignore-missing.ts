import * as path from 'node:path';
import { contextKnown, dockerignoreFor, dockerignoreMatcher, type DockerIgnoreFile } from '../dockerfile/context';
import type { DockerfileModel, InstructionInfo } from '../dockerfile/model';
import { goBuilds } from '../dockerfile/gobuild';
import { runCommands, workdirAt } from '../dockerfile/model';
import { rangeOf, type Rule, type RuleFinding } from '../rule';
import { detectEol, LineIndex } from '../text';
import type { Fix } from '../types';
import { instructionWords, type ArgWord } from './add-local-file';
import { KeyMemo } from '../memo';

/**
 * What the fix writes into a new `.dockerignore`, each entry safe for a Go
 * repository (nothing `go build` needs): the Git repository, editor folders,
 * compiled test binaries (`go test -c` writes `<pkg>.test`), coverage and
 * profile outputs (`coverage.out`, `cpu.out`), and the usual build output
 * folders. Entries the Dockerfile itself refers to (`COPY bin/app`,
 * `RUN ./bin/gen.sh`, `CMD ["dist/server"]`) are left out, and so is `.git`
 * when the build reads the repository (`git describe`, `-buildvcs=true`, a
 * Makefile or script that calls git).
 */
export const DOCKERIGNORE_DEFAULTS = ['.git', '.idea', '.vscode', '**/*.test', '**/*.out', 'bin/', 'dist/'];

/** Sources that send the whole context: `COPY . .`, `COPY ./ /src/`, `COPY * ./`. */
const WHOLE_CONTEXT = new Set(['.', './', '*', './*', '.\\', '/']);

/** The first COPY/ADD of the whole build context (not `--from` another stage or image), and its source word. */
function broadCopy(model: DockerfileModel): { ins: InstructionInfo; word: ArgWord } | undefined {
  for (const ins of model.instructions) {
    if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || !ins.stage) continue;
    if (ins.flags.some((f) => f.name === 'from')) continue;
    const words = instructionWords(ins);
    if (words.length < 2 || words.some((w) => w.value.startsWith('<<'))) continue;
    const word = words.slice(0, -1).find((w) => WHOLE_CONTEXT.has(w.value));
    if (word) return { ins, word };
  }
  return undefined;
}

interface Reference {
  value: string;
  ins: InstructionInfo;
  /** The program a RUN/CMD/ENTRYPOINT word is passed to. */
  prog?: string;
}

/** Every word the Dockerfile passes to a program, uses as a COPY/ADD source or bind-mounts (once per model). */
function references(model: DockerfileModel): Reference[] {
  let out = referencesMemo.get(model);
  if (!out) referencesMemo.set(model, (out = scanReferences(model)));
  return out;
}
const referencesMemo = new KeyMemo<DockerfileModel, Reference[]>();

function scanReferences(model: DockerfileModel): Reference[] {
  const out: Reference[] = [];
  for (const ins of model.instructions) {
    if (!ins.stage) continue;
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      if (ins.flags.some((f) => f.name === 'from')) continue;
      for (const w of instructionWords(ins).slice(0, -1)) out.push({ value: w.value, ins });
    } else if (ins.json) {
      for (const v of ins.json) out.push({ value: v, ins, prog: ins.json[0] });
    } else {
      for (const script of ins.scripts) {
        for (const c of script.commands) {
          const prog = c.argv[0]?.value;
          for (const w of c.words) out.push({ value: w.value.includes('=') ? w.value.replace(/^[A-Za-z_][A-Za-z0-9_]*=/, '') : w.value, ins, prog });
        }
      }
    }
    for (const f of ins.flags) {
      const m = f.name === 'mount' && f.value ? /(?:^|,)(?:source|src)=([^,]+)/.exec(f.value) : null;
      if (m && !/(?:^|,)from=/.test(f.value!)) out.push({ value: m[1], ins });
    }
  }
  return out;
}

/**
 * A referenced word as a path of the context, when it may name something
 * copied from it: COPY/ADD sources as they are; words of commands resolved in
 * the image and taken back through the whole-context COPY's destination, or
 * read as context-relative when relative.
 */
function asContextPath(value: string, ins: InstructionInfo, broadDest: string | undefined): string | undefined {
  if (!value || value.startsWith('-') || value.includes('://') || value.includes('$') || value.startsWith('git@')) return undefined;
  const v = value.replace(/\\/g, '/');
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') return path.posix.normalize('/' + v).slice(1);
  if (!ins.stage || /^[A-Za-z]:/.test(v)) return undefined;
  if (broadDest) {
    const rel = path.posix.relative(broadDest, path.posix.resolve(workdirAt(ins.stage, ins), v));
    if (!rel.startsWith('..') && !path.posix.isAbsolute(rel)) return rel;
  }
  return v.startsWith('/') ? undefined : path.posix.normalize(v).replace(/^\.\//, '');
}

const GIT_FREE_SUBCOMMANDS = new Set(['clone', 'config', 'init', 'ls-remote', 'version', '--version', 'help', 'credential']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/**
 * Whether the build reads the Git repository of the context, so that `.git`
 * must stay in it: git commands other than clone/config, `-buildvcs=true`, a
 * `.git` source or bind mount, or a build driver (make, a script, goreleaser)
 * whose file mentions git or cannot be read here.
 */
export function buildReadsGit(model: DockerfileModel, broadDest?: string): boolean {
  const ws = model.workspace;
  const ctx = model.contextDir;
  /** The file mentions git, or cannot be read (then assume it does). */
  const mentionsGit = (rel: string | undefined): boolean => {
    const text = rel === undefined ? undefined : ws.readFile(path.join(ctx, rel));
    return text === undefined || /\bgit\b/.test(text);
  };
  for (const r of references(model)) {
    if (!r.value.includes('.git') || r.value.includes('://') || r.value.startsWith('git@') || r.prog === 'rm') continue;
    if (/(^|[\\/])\.git([\\/]|$)/.test(r.value)) return true;
  }
  for (const b of goBuilds(model)) {
    if (b.flags.some((f) => f.name === 'buildvcs' && (f.value === undefined || f.value === 'true'))) return true;
  }
  for (const ins of model.instructions) {
    if (ins.keyword === 'ENV' && /-buildvcs(=true)?(["'\s]|$)/.test(ins.args.text)) return true;
  }
  for (const { ins, cmd } of runCommands(model)) {
    // `$(git describe)`, `` `git rev-parse HEAD` `` inside any word, assignments included
    for (const w of cmd.words) {
      if (!w.expands) continue;
      // (the path before `git` stops at the next `(` or backquote: `\S*\/` rescanned the rest of the word from every opener)
      if (w.value.includes('git')) for (const m of w.value.matchAll(/(?:\$\(|`)\s*(?:[^\s`(]*\/)?git\s+([A-Za-z-]+)/g)) if (!GIT_FREE_SUBCOMMANDS.has(m[1])) return true;
    }
    const argv = cmd.argv.map((w) => w.value);
    if (!argv.length) continue;
    const prog = argv[0].replace(/^.*[\\/]/, '').replace(/\.exe$/i, '');
    if (cmd.assignments.some((a) => /^GOFLAGS=.*-buildvcs(=true)?(\s|$)/.test(a.value))) return true;
    if (prog === 'git' && !GIT_FREE_SUBCOMMANDS.has(argv[1] ?? '')) return true;
    if (['goreleaser', 'earthly', 'bazel', 'bazelisk', 'ko'].includes(prog)) return true;
    if (prog === 'make' || prog === 'gmake') {
      if (argv.some((a) => /^(-f|-C|--file|--makefile|--directory)/.test(a))) return true;
      const mk = ['GNUmakefile', 'makefile', 'Makefile'].find((n) => ws.exists(path.join(ctx, n)));
      if (mentionsGit(mk)) return true;
    }
    if (prog === 'mage' && mentionsGit('magefile.go')) return true;
    if (prog === 'task' && mentionsGit(['Taskfile.yml', 'Taskfile.yaml', 'Taskfile.dist.yml'].find((n) => ws.exists(path.join(ctx, n))))) return true;
    if (prog === 'just' && mentionsGit(['justfile', 'Justfile', '.justfile'].find((n) => ws.exists(path.join(ctx, n))))) return true;
    // scripts: `./build.sh`, `sh scripts/build.sh`, `bash -c "..."`
    let script: string | undefined;
    if (/\.(sh|bash)$/.test(argv[0])) script = argv[0];
    else if (SHELLS.has(prog)) {
      const c = argv.indexOf('-c');
      if (c >= 0) {
        if (/\bgit\b/.test(argv.slice(c + 1).join(' '))) return true;
        continue;
      }
      script = argv.slice(1).find((a) => !a.startsWith('-'));
    }
    if (script !== undefined && mentionsGit(asContextPath(script, ins, broadDest))) return true;
  }
  return false;
}

/** Top-level entries of the context the defaults would exclude, as the message names them. */
function junkInContext(model: DockerfileModel): string[] {
  const ws = model.workspace;
  const found: string[] = [];
  // (a context folder may hold thousands of names: a path is built only for the few that may be junk)
  for (const name of ws.listDir(model.contextDir)) {
    if (name === '.git') found.push(name);
    else if (JUNK_DIRS.has(name) && ws.isDirectory(path.join(model.contextDir, name))) found.push(name);
    else if (JUNK_FILE.test(name) && !ws.isDirectory(path.join(model.contextDir, name))) found.push(name);
  }
  return found.sort().map((name) => (JUNK_DIRS.has(name) ? name + '/' : name));
}
const JUNK_DIRS = new Set(['.idea', '.vscode', 'bin', 'dist']);
const JUNK_FILE = /\.(test|out)$/;

/**
 * The longest run of a pattern's characters that any path it matches must
 * contain as written (no glob character, no slash: `**\/*.test` -> `.test`,
 * `bin/` -> `bin`); undefined when there is none or the pattern is an exception.
 */
function literalNeedle(pattern: string): string | undefined {
  if (pattern.startsWith('!')) return undefined;
  let best = '';
  for (const run of pattern.split(/[*?[\]\\/]+/)) if (run.length > best.length) best = run;
  return best && best !== '.' && best !== '..' ? best : undefined;
}

/** Whether a string holds the literal text of some default entry (a path that does not cannot match one). */
const MAY_MATCH_DEFAULT = (() => {
  const needles = DOCKERIGNORE_DEFAULTS.map(literalNeedle);
  if (needles.some((n) => n === undefined)) return /(?:)/;
  return new RegExp((needles as string[]).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
})();

/** `.git` is out of the context: the folder and what is in it (an exception may bring files back). */
function excludesGit(ig: DockerIgnoreFile): boolean {
  return ig.matcher.ignores('.git') && ig.matcher.ignores('.git/HEAD') && ig.matcher.ignores('.git/objects/pack');
}

/** `COPY . .` with no `.dockerignore`, or one that lets `.git` through. */
export const dockerignoreMissing: Rule = {
  id: 'dockerignore-missing',
  defaultSeverity: 'info',
  summary: '`COPY`/`ADD` of the whole build context with no `.dockerignore`, or one that does not exclude `.git`.',
  checkDockerfile({ model }) {
    if (!contextKnown(model)) return [];
    const broad = broadCopy(model);
    if (!broad) return [];
    const ws = model.workspace;
    const ig = dockerignoreFor(model);
    const gitPresent = ws.exists(path.join(model.contextDir, '.git'));
    const broadDest = destOf(broad.ins);
    const range = rangeOf(model, broad.word.start, broad.word.end);
    const kw = broad.ins.keyword;
    const src = broad.word.value;

    if (ig) {
      if (!gitPresent || excludesGit(ig) || buildReadsGit(model, broadDest)) return [];
      // `!.git...` written on purpose: the build wants (part of) the repository
      if (ig.patterns.some((p) => /^!\s*\/?(\.\/)?\.git(\/|$)/.test(p))) return [];
      const name = path.relative(model.contextDir, ig.path).split(path.sep).join('/') || path.basename(ig.path);
      const eol = detectEol(ig.text);
      const idx = new LineIndex(ig.text);
      const end = idx.positionAt(ig.text.length);
      const lead = ig.text === '' || /[\r\n]$/.test(ig.text) ? '' : eol;
      const fix: Fix = {
        title: `Add .git to ${name}`,
        edits: [],
        fileEdits: [{ path: ig.path, edits: [{ range: { start: end, end }, newText: `${lead}.git${eol}` }] }],
      };
      return [
        {
          message:
            `${name} does not exclude .git: \`${kw} ${src}\` sends the repository history to the builder with every build and copies it into this layer. ` +
            `Every commit or fetch changes .git, so this layer and everything after it${model.buildsGo ? ' (the go build included)' : ''} is rebuilt even when no source changed.`,
          range,
          fixes: [fix],
        },
      ];
    }

    // nothing the defaults would keep out is there (then no entry needs checking against what the Dockerfile uses)
    if (!junkInContext(model).length) return [];
    const readsGit = buildReadsGit(model, broadDest);
    // leave out what the Dockerfile uses from the context
    // (no path is longer than PATH_MAX, 4096: a longer word is not a path, and the matcher's
    // regexes are quadratic in the number of slashes)
    // (each distinct word once per working directory: `&&`, `-y` and package names repeat hundreds of times)
    // (COPY/ADD sources under one key, other words under their working directory)
    const resolved = new Map<string | undefined, Map<string, string | undefined>>();
    const usedSet = new Set<string | undefined>();
    // a context path is made of segments of the word and of its working directory: when neither
    // holds the literal text of any default entry, no entry can match it (most words: `-y`, `&&`, package names)
    // (one regex for all the needles; the working directory looked up once per instruction, and only
    // for the words that hold none)
    let workdirOf: { ins: InstructionInfo; dir: string | undefined; mayMatch: boolean } | undefined;
    for (const r of references(model)) {
      if (workdirOf?.ins !== r.ins) {
        const dir = r.ins.keyword === 'COPY' || r.ins.keyword === 'ADD' || !r.ins.stage ? undefined : workdirAt(r.ins.stage, r.ins);
        workdirOf = { ins: r.ins, dir, mayMatch: dir !== undefined && (!dir.startsWith('/') || MAY_MATCH_DEFAULT.test(dir)) };
      }
      const key = workdirOf.dir;
      if (!workdirOf.mayMatch && !MAY_MATCH_DEFAULT.test(r.value)) continue;
      let byValue = resolved.get(key);
      if (!byValue) resolved.set(key, (byValue = new Map()));
      if (byValue.has(r.value)) continue;
      const p = asContextPath(r.value, r.ins, broadDest);
      byValue.set(r.value, p);
      usedSet.add(p);
    }
    const used = [...usedSet].filter((p): p is string => !!p && p !== '.' && !WHOLE_CONTEXT.has(p) && p.length <= 4096);
    const entries = DOCKERIGNORE_DEFAULTS.filter((pat) => {
      if (pat === '.git' && readsGit) return false;
      const m = dockerignoreMatcher([pat]);
      // only a path holding the pattern's literal text can match it (the matcher costs a regex per parent folder)
      const needle = literalNeedle(pat);
      return !used.some((u) => (needle === undefined || (u + '/x').includes(needle)) && (m.ignores(u) || m.ignores(u + '/x')));
    });
    // what the new file would keep out that is there now
    const keptOut = dockerignoreMatcher(entries);
    const junk = junkInContext(model).filter((j) => keptOut.ignores(j.replace(/\/$/, '')));
    if (!junk.length) return [];
    const eol = model.eol;
    const file = path.join(model.contextDir, '.dockerignore');
    const content = ['# Not sent to the builder with the build context (Docker .dockerignore syntax).', ...entries].join(eol) + eol;
    const fix: Fix = {
      title: `Create .dockerignore (${entries.join(', ')})`,
      edits: [],
      fileEdits: [{ path: file, create: true, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: content }] }],
    };
    const list = junk.slice(0, 4).join(', ') + (junk.length > 4 ? ', …' : '');
    return [
      {
        message:
          `\`${kw} ${src}\` copies the whole build context and there is no .dockerignore: ${list} ${junk.length === 1 ? 'is' : 'are'} sent to the builder with every build and copied into this layer` +
          (junk.includes('.git') ? `; every commit changes .git, so this layer and everything after it${model.buildsGo ? ' (the go build included)' : ''} is rebuilt even when no source changed.` : '.'),
        range,
        fixes: [fix],
      },
    ];
  },
};

/** Where a COPY puts the context: its destination resolved against WORKDIR (POSIX). */
function destOf(ins: InstructionInfo): string | undefined {
  const words = instructionWords(ins);
  const d = words[words.length - 1]?.value;
  if (!d || d.includes('$') || !ins.stage || ins.stage.windows) return undefined;
  return path.posix.resolve(workdirAt(ins.stage, ins), d);
}
