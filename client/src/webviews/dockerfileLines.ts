// "Open Dockerfile line" (best effort): find the instruction that made each layer
// of an analyzed image in the workspace's Dockerfiles. Pure.

export interface DockerfileText {
  /** Shown on the button (`Dockerfile:12` or `api/Dockerfile:12`). */
  label: string;
  /** Opaque id of the file (the extension passes a URI string). */
  id: string;
  text: string;
}

export interface LineHit {
  id: string;
  /** 0-based line of the instruction's keyword. */
  line: number;
  label: string;
}

interface Instr {
  line: number;
  norm: string;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Logical instructions (continuation lines joined; heredoc bodies skipped), normalized. */
export function dockerfileInstructions(text: string): Instr[] {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*`/im.test(lines.slice(0, 5).join('\n')) ? '`' : '\\';
  const out: Instr[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    if (!first.trim() || /^\s*#/.test(first)) continue;
    const start = i;
    let joined = first;
    while (joined.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      joined = joined.trimEnd().slice(0, -1) + ' ';
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i])) i++;
      if (i < lines.length) joined += lines[i];
    }
    const heredoc = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(joined);
    if (heredoc) {
      const end = heredoc[1];
      while (i + 1 < lines.length && lines[i + 1].trim() !== end) i++;
      i++;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (m) out.push({ line: start, norm: `${m[1].toUpperCase()} ${norm(m[2])}` });
  }
  return out;
}

/** The instruction as Docker records it, normalized the same way (flags BuildKit drops are dropped too). */
function layerKey(instruction: string): string {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(instruction);
  if (!m) return norm(instruction);
  return `${m[1].toUpperCase()} ${norm(m[2])}`;
}

function stripFlags(n: string): string {
  // RUN --mount=… and COPY --from=/--chown=… are not always in the history text
  return n.replace(/^(\S+)((?: --[a-z-]+(?:=\S+)?)+)/, '$1');
}

/**
 * Layers (by index) whose instruction text appears in one of the Dockerfiles.
 * `layers[i]` is the report's instruction for layer i (undefined: no history).
 * The Dockerfile with the most hits wins (the first given on ties: put the active one first).
 */
export function findDockerfileLines(layers: (string | undefined)[], files: DockerfileText[]): Record<number, LineHit> {
  let best: Record<number, LineHit> = {};
  let bestCount = 0;
  for (const f of files) {
    const instrs = dockerfileInstructions(f.text);
    const exact = new Map<string, number>();
    const loose = new Map<string, number>();
    for (const ins of instrs) {
      if (/^(FROM|ARG) /.test(ins.norm)) continue;
      if (!exact.has(ins.norm)) exact.set(ins.norm, ins.line);
      const l = stripFlags(ins.norm);
      if (!loose.has(l)) loose.set(l, ins.line);
    }
    const hits: Record<number, LineHit> = {};
    let count = 0;
    layers.forEach((ins, i) => {
      if (!ins) return;
      const k = layerKey(ins);
      const line = exact.get(k) ?? loose.get(stripFlags(k));
      if (line === undefined) return;
      hits[i] = { id: f.id, line, label: `${f.label}:${line + 1}` };
      count++;
    });
    if (count > bestCount) {
      best = hits;
      bestCount = count;
    }
  }
  return best;
}
