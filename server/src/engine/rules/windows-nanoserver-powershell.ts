import type { DockerfileModel, InstructionInfo, Stage } from '../dockerfile/model';
import { stageLineage, stageRoot, wordOffsets } from '../dockerfile/model';
import type { ShellScript, SimpleCommand, Word } from '../dockerfile/shell';
import { baseFacts, parseImageRef, type BaseFacts, type ImageRef } from '../images';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, Severity } from '../types';
import { fromImageWord } from './base-image-unpinned';

/** `powershell` / `pwsh` when a command word names one of them (any path, `.exe` or not). */
export function powershellProgram(word: string): 'powershell' | 'pwsh' | undefined {
  const base = word.replace(/^["']|["']$/g, '').replace(/^.*[\\/]/, '').toLowerCase().replace(/\.exe$/, '');
  return base === 'powershell' || base === 'pwsh' ? base : undefined;
}

/** A PowerShell cmdlet name (approved verb, dash, noun). */
const CMDLET = /^(Add|Clear|Copy|Enable|Disable|Expand|Export|ForEach|Get|Import|Install|Invoke|Join|Move|New|Out|Register|Remove|Rename|Resolve|Restart|Select|Set|Split|Start|Stop|Test|Uninstall|Unblock|Unregister|Update|Where|Write)-[A-Z][A-Za-z]+$/;

/** Images built on Nano Server that ship PowerShell 7 (`pwsh`), never Windows PowerShell. */
const PWSH_IMAGES = /^mcr\.microsoft\.com\/(powershell|dotnet\/sdk)(\/|$)/;

/** The Nano Server base images whose default shell is known to be `cmd /S /C`. */
function defaultShellIsCmd(ref: ImageRef | undefined): boolean {
  if (!ref) return false;
  const repo = (ref.registry ? ref.registry + '/' : '') + ref.repository;
  return repo === 'mcr.microsoft.com/windows/nanoserver' || repo === 'golang' || /\/golang$/.test(repo);
}

interface RootInfo {
  facts: BaseFacts;
  ref?: ImageRef;
}

/**
 * Facts of the image a stage's lineage starts from. When ARGs leave the
 * reference unresolved but its repository is written literally
 * (`mcr.microsoft.com/windows/nanoserver:${TAG}`, `...@${DIGEST}`), the
 * repository alone still tells the kind of image.
 */
function rootInfo(stage: Stage): RootInfo | undefined {
  const root = stageRoot(stage);
  if (root.image !== undefined) return { facts: root.base, ref: root.ref };
  const word = fromImageWord(root.from)?.text;
  if (!word) return undefined;
  const m = /^([^$:@]+\/[^$:@/]+)[:@]/.exec(word);
  if (!m) return undefined;
  const ref = parseImageRef(m[1]);
  const facts = baseFacts(ref);
  // only the repository is known: drop what the missing tag would have said
  return { facts: { ...facts, windowsRelease: undefined }, ref };
}

/** Logical spans of the strings of a JSON array instruction argument, and of the array itself. */
function jsonSpans(ins: InstructionInfo): { array: [number, number]; items: [number, number][] } | undefined {
  const t = ins.args.text;
  let i = ins.restStart;
  while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
  if (t[i] !== '[') return undefined;
  const start = i;
  const items: [number, number][] = [];
  i++;
  while (i < t.length) {
    const c = t[i];
    if (c === ']') return { array: [start, i + 1], items };
    if (c === '"') {
      let j = i + 1;
      while (j < t.length && t[j] !== '"') j += t[j] === '\\' ? 2 : 1;
      items.push([i + 1, j]);
      i = j + 1;
      continue;
    }
    i++;
  }
  return undefined;
}

/** Document offsets of a logical span of an instruction's arguments. */
function docSpan(ins: InstructionInfo, [s, e]: [number, number]): [number, number] {
  return [ins.args.at(s), e > s ? ins.args.at(e - 1) + 1 : ins.args.at(s)];
}

/** Commands built into cmd.exe that read the same way under PowerShell (as aliases) for plain arguments. */
const CMD_BUILTINS = new Set(['mkdir', 'md', 'rmdir', 'rd', 'del', 'erase', 'copy', 'move', 'ren', 'rename', 'type', 'cd', 'chdir']);
/** Programs Nano Server (or a typical build) has as .exe files. */
const KNOWN_EXES = new Set([
  'curl', 'tar', 'go', 'git', 'setx', 'icacls', 'certutil', 'findstr', 'where', 'whoami', 'hostname', 'net', 'sc', 'reg', 'xcopy',
  'robocopy', 'expand', 'cmd', 'netsh', 'ping', 'nslookup', 'ipconfig', 'attrib', 'mklink',
]);

/**
 * Whether a shell-form command line written for PowerShell reads the same
 * under `cmd /S /C`: only programs and cmd built-ins with plain arguments, no
 * PowerShell syntax at all. Conservative: anything unusual says no.
 */
function cmdCompatible(script: ShellScript): boolean {
  const text = script.source.text;
  if (/[$'`;{}()[\]@%|,]/.test(text)) return false;
  if (/(^|\s)-(eq|ne|gt|lt|ge|le|like|match|and|or|not)(\s|$)/i.test(text)) return false;
  for (const cmd of script.commands) {
    if (cmd.assignments.length || !cmd.argv.length) return false;
    const name = cmd.argv[0].value.toLowerCase();
    const args = cmd.argv.slice(1);
    if (CMD_BUILTINS.has(name)) {
      // cmd reads `/x` as a switch: `mkdir /data` works in PowerShell, not in cmd
      if (args.some((w) => w.value.includes('/') && !/^\/[a-z?]$/i.test(w.value))) return false;
      continue;
    }
    if (KNOWN_EXES.has(name) || /\.(exe|bat|cmd)$/i.test(name)) continue;
    if (/[\\/:]/.test(name) && !/\.ps1$/i.test(name)) continue;
    return false;
  }
  return true;
}

/** The program a shell-form command runs, looking through `cmd /c ...`. */
function programWord(cmd: SimpleCommand): Word | undefined {
  const argv = cmd.argv;
  if (!argv.length) return undefined;
  if (/^cmd(\.exe)?$/i.test(argv[0].value)) {
    const c = argv.findIndex((w, i) => i > 0 && /^\/[ck]$/i.test(w.value));
    return c > 0 ? argv[c + 1] : undefined;
  }
  return argv[0];
}

interface ShellState {
  /** Program of the SHELL in effect: 'cmd', 'powershell', 'pwsh', another program, or undefined when unknown. */
  program: string | undefined;
  /** The SHELL instruction that set it, when it was reported. */
  reported?: InstructionInfo;
}

function shellProgram(json: string[]): string {
  return powershellProgram(json[0] ?? '') ?? (json[0] ?? '').replace(/^.*[\\/]/, '').toLowerCase().replace(/\.exe$/, '');
}

const ABSENT =
  'PowerShell, WMI, and the Windows servicing stack are absent from the Nano Server image (Microsoft\'s base-image docs)';

/** Whether the stage has PowerShell 7 (`pwsh`) before `upTo`: a PowerShell base image, or a COPY/ADD of it. */
function pwshInstalled(stage: Stage, root: RootInfo, upTo: InstructionInfo | undefined): boolean {
  if (root.ref && PWSH_IMAGES.test((root.ref.registry ? root.ref.registry + '/' : '') + root.ref.repository)) return true;
  for (const s of stageLineage(stage).reverse()) {
    for (const ins of s.instructions) {
      if (ins === upTo) return false;
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        const text = ins.args.text.replace(/\S+\.ps1\b/gi, '');
        if (/pwsh|powershell/i.test(text)) return true;
      }
      if (ins.keyword === 'ENV' && /powershell/i.test(ins.args.text)) return true;
      if (ins.keyword === 'RUN' && /(powershell|pwsh)[^\s"]*\.zip/i.test(ins.args.text)) return true;
    }
  }
  return false;
}

/** Shell-form RUN/CMD/ENTRYPOINT that run under the SHELL `shell` sets: after it in its stage and in stages built FROM it. */
function governedBy(model: DockerfileModel, shell: InstructionInfo): InstructionInfo[] {
  const out: InstructionInfo[] = [];
  const walk = (stage: Stage, after: InstructionInfo | undefined) => {
    let on = after === undefined;
    for (const ins of stage.instructions) {
      if (ins === after) {
        on = true;
        continue;
      }
      if (!on) continue;
      if (ins.keyword === 'SHELL') return;
      if (['RUN', 'CMD', 'ENTRYPOINT'].includes(ins.keyword) && !ins.json && ins.scripts.length) out.push(ins);
    }
    for (const child of model.stages) if (child.parent === stage) walk(child, undefined);
  };
  walk(shell.stage!, shell);
  return out;
}

/**
 * Signs of a HostProcess container image: it runs on the node, where the
 * host's own PowerShell is on PATH, so only build-time (RUN) use fails.
 */
function hostProcessHints(model: DockerfileModel): boolean {
  if (/CONTAINER_SANDBOX_MOUNT_POINT|host-?process/i.test(model.text)) return true;
  return model.instructions.some((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && /\.ps1\b/i.test(i.args.text));
}

/** A Nano Server stage that uses PowerShell, which Nano Server does not have. */
export const windowsNanoserverPowershell: Rule = {
  id: 'windows-nanoserver-powershell',
  defaultSeverity: 'error',
  summary: 'A Nano Server stage uses PowerShell (`SHELL ["powershell"…]`, `RUN powershell …`), which Nano Server does not have.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    const endState = new Map<Stage, ShellState>();
    const hostProcess = hostProcessHints(model);
    for (const stage of model.stages) {
      const root = rootInfo(stage);
      const nano = root?.facts.kind === 'windows-nanoserver';
      let state: ShellState = stage.parent
        ? { ...(endState.get(stage.parent) ?? { program: undefined }) }
        : { program: defaultShellIsCmd(root?.ref) ? 'cmd' : undefined };
      for (const ins of stage.instructions) {
        if (ins.keyword === 'SHELL' && ins.json?.length) {
          const program = shellProgram(ins.json);
          state = { program };
          if (!nano || !root) continue;
          const ps = powershellProgram(ins.json[0]);
          // PowerShell 7 copied in anywhere in the stage (even after the SHELL, before the first RUN) counts
          if (!ps || (ps === 'pwsh' && pwshInstalled(stage, root, undefined))) continue;
          const spans = jsonSpans(ins);
          if (!spans) continue;
          state.reported = ins;
          if (hostProcess && !governedBy(model, ins).some((g) => g.keyword === 'RUN')) continue;
          out.push(shellFinding(model, stage, root, ins, ps, spans));
          continue;
        }
        if (!nano || !root) continue;
        if (!['RUN', 'CMD', 'ENTRYPOINT'].includes(ins.keyword)) continue;
        if (hostProcess && ins.keyword !== 'RUN') continue;
        if (ins.json) {
          const ps = ins.json.length ? powershellProgram(ins.json[0]) : undefined;
          const spans = jsonSpans(ins);
          if (!ps || !spans?.items.length || (ps === 'pwsh' && pwshInstalled(stage, root, ins))) continue;
          const [s, e] = docSpan(ins, spans.items[0]);
          out.push(commandFinding(model, stage, root, ins, ps, s, e));
          continue;
        }
        // a shell-form command under a reported SHELL fails because of that SHELL: reported there
        if (state.reported) continue;
        for (const script of ins.scripts) {
          for (const cmd of script.commands) {
            const w = programWord(cmd);
            if (!w) continue;
            const ps = powershellProgram(w.value);
            if (ps && !(ps === 'pwsh' && pwshInstalled(stage, root, ins))) {
              const [s, e] = wordOffsets(script, w);
              out.push(commandFinding(model, stage, root, ins, ps, s, e));
              continue;
            }
            if (state.program === 'cmd' && w === cmd.argv[0] && CMDLET.test(w.value)) {
              const [s, e] = wordOffsets(script, w);
              out.push({
                message:
                  `\`${w.value}\` is a PowerShell cmdlet, but this RUN runs under \`cmd /S /C\`, Nano Server's shell, and ${ABSENT.replace(/ \(.*\)$/, '')}: ` +
                  'the command is not found and the build fails. Use a program Nano Server has (`curl.exe`, `tar.exe`, `mkdir`, `copy`), or do this step in a Windows Server Core build stage and COPY its result.',
                range: rangeOf(model, s, e),
              });
            }
          }
        }
      }
      endState.set(stage, state);
    }
    return out;
  },
};

function imageLabel(stage: Stage): string {
  const root = stageRoot(stage);
  return root.image ?? fromImageWord(root.from)?.text ?? 'Nano Server';
}

function shellFinding(
  model: DockerfileModel,
  stage: Stage,
  root: RootInfo,
  ins: InstructionInfo,
  ps: 'powershell' | 'pwsh',
  spans: NonNullable<ReturnType<typeof jsonSpans>>,
): RuleFinding {
  const governed = governedBy(model, ins);
  const [as, ae] = docSpan(ins, spans.array);
  const pwsh = pwshInstalled(stage, root, undefined);
  const fixes: Fix[] = [];
  const oneLine = !/[\r\n]/.test(model.text.slice(as, ae));
  const compatible = governed.every((g) => g.scripts.every(cmdCompatible));
  if (oneLine && compatible) {
    fixes.push({
      title: governed.length ? 'Switch SHELL to cmd /S /C (check the commands that run under it)' : 'Switch SHELL to cmd /S /C',
      // blindly safe only when nothing runs under the SHELL yet
      preferred: governed.length === 0,
      edits: [editAt(model, as, ae, '["cmd", "/S", "/C"]')],
    });
  }
  if (ps === 'powershell' && pwsh && spans.items.length) {
    const [s, e] = docSpan(ins, spans.items[0]);
    fixes.push({ title: 'Use pwsh (PowerShell 7, which this image has)', preferred: false, edits: [editAt(model, s, e, 'pwsh')] });
  }
  const uses = governed.length
    ? `the ${governed[0].keyword} on line ${governed[0].line + 1}${governed.length > 1 ? ` and ${governed.length - 1} more instruction${governed.length > 2 ? 's' : ''}` : ''} cannot start`
    : 'no instruction uses it yet, but every shell-form RUN, CMD or ENTRYPOINT after it (here or in images built FROM this one) would fail';
  const why =
    ps === 'powershell'
      ? pwsh
        ? 'Windows PowerShell (`powershell.exe`) does not exist on Nano Server, even where PowerShell 7 is installed: use `pwsh`'
        : `${ABSENT}, so \`powershell\` is not found`
      : '`pwsh` (PowerShell 7) is not installed in this Nano Server image, so it is not found';
  const how =
    compatible && oneLine
      ? governed.length
        ? ' The commands it runs read the same under `cmd /S /C`, Nano Server\'s shell.'
        : ''
      : ' Do the PowerShell steps in a Windows Server Core build stage and COPY the result, use `cmd /S /C` commands, or install PowerShell 7 (COPY it from `mcr.microsoft.com/powershell:*-nanoserver-*`) and use `pwsh`.';
  const severity: Severity | undefined = governed.length ? undefined : 'warning';
  return {
    severity,
    message: `\`SHELL ["${ins.json![0]}", …]\` on Nano Server (\`${imageLabel(stage)}\`): ${why}; ${uses}.${how}`,
    range: rangeOf(model, as, ae),
    fixes,
  };
}

function commandFinding(model: DockerfileModel, stage: Stage, root: RootInfo, ins: InstructionInfo, ps: 'powershell' | 'pwsh', s: number, e: number): RuleFinding {
  const pwsh = pwshInstalled(stage, root, ins);
  const fixes: Fix[] = [];
  if (ps === 'powershell' && pwsh) fixes.push({ title: 'Use pwsh (PowerShell 7, which this image has)', preferred: false, edits: [editAt(model, s, e, 'pwsh')] });
  const when = ins.keyword === 'RUN' ? 'the build fails' : 'the container fails to start';
  const why =
    ps === 'powershell'
      ? pwsh
        ? 'Windows PowerShell (`powershell.exe`) does not exist on Nano Server, even where PowerShell 7 is installed: use `pwsh`'
        : `${ABSENT}: \`${model.text.slice(s, e)}\` is not found and ${when}`
      : `\`pwsh\` (PowerShell 7) is not installed in this Nano Server image: it is not found and ${when}`;
  return {
    message:
      `${ins.keyword} runs PowerShell on Nano Server (\`${imageLabel(stage)}\`). ${why}.` +
      (pwsh ? '' : ' Use `cmd /S /C` commands, do the PowerShell steps in a Windows Server Core build stage and COPY the result, or install PowerShell 7 (`pwsh`) first.'),
    range: rangeOf(model, s, e),
    fixes,
  };
}
