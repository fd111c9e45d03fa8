// 1. Diagnostics latency in the server: didChange -> publishDiagnostics for
// that change, ours (debounce 0 and the default 200 ms) vs docker-langserver.
//
// Matching: our server publishes with the document version, so we wait for
// the publish whose version is the one just sent. docker-langserver publishes
// without a version field; it validates once per content change, so we take
// the first publish that arrives after the didChange was written (edits are
// sent one at a time, each only after the previous one's diagnostics arrived).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configAnswer, DOCKERFILES, LspClient, MANIFESTS, ms, now, OUR_SERVER, PEER_SERVER, stats, threadCpu, tmpdir } from './lib.mjs';

const WORKLOAD = /^[ \t-]*kind:[ \t]*["']?(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Job|CronJob)\b/m;

/** A 300-line Dockerfile: corpus Dockerfiles (Linux ones, `\` escape) one after the other. */
export function realisticDockerfile(lines = 300) {
  const out = [];
  for (const f of DOCKERFILES()) {
    const text = fs.readFileSync(f, 'utf8').replace(/\r\n/g, '\n');
    if (/^#\s*escape\s*=\s*`/im.test(text) || /<</.test(text)) continue;
    out.push(...text.replace(/\n+$/, '').split('\n'), '');
    if (out.length >= lines) break;
  }
  out.length = lines;
  // do not end inside a continuation
  while (/\\\s*$/.test(out[lines - 1])) out[lines - 1] = out[lines - 1].replace(/\\\s*$/, '');
  return out.join('\n') + '\n';
}

/** A 5,000-line, 100-document manifest from the corpus's workload documents. */
export function realisticManifest(docs = 100, lines = 5000) {
  const pool = [];
  for (const f of MANIFESTS()) {
    const text = fs.readFileSync(f, 'utf8').replace(/\r\n/g, '\n');
    if (text.includes('{{')) continue; // Helm templates
    for (const d of text.split(/^---[^\n]*\n/m)) {
      const body = d.replace(/\n+$/, '');
      if (WORKLOAD.test(body)) pool.push(body.split('\n'));
    }
  }
  const chosen = [];
  let total = 0;
  let cursor = 0;
  for (let k = 0; k < docs; k++) {
    const want = (lines - total) / (docs - k) - 1; // minus the `---` line
    // the pool document nearest the remaining average, starting from a moving cursor for variety
    let best = -1;
    for (let j = 0; j < pool.length; j++) {
      const i = (cursor + j) % pool.length;
      if (best < 0 || Math.abs(pool[i].length - want) < Math.abs(pool[best].length - want)) best = i;
      if (Math.abs(pool[i].length - want) <= want * 0.25) { best = i; break; }
    }
    cursor = (best + 1) % pool.length;
    chosen.push(['---', ...pool[best]]);
    total += pool[best].length + 1;
  }
  const all = chosen.flat();
  while (all.length < lines) all.push('# padding');
  all.length = Math.min(all.length, lines) ;
  return { text: all.join('\n') + '\n', docs: chosen.length };
}

/** Lines edited (0-based) and what is typed there, one character per edit. */
function editPlan(text, kind) {
  const lines = text.split('\n');
  const cands = [];
  if (kind === 'dockerfile') {
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*RUN\s/i.test(lines[i])) continue;
      let j = i;
      while (j < lines.length - 1 && /\\\s*$/.test(lines[j])) j++;
      cands.push(j); // the RUN's last line: typing appends shell words
    }
    return { lines, cands, typed: ' && echo typed-12345' };
  }
  for (let i = 0; i < lines.length; i++) if (/^\s*(- )?image:\s*[^"'#\s]+\s*$/.test(lines[i])) cands.push(i);
  return { lines, cands, typed: '-dev.1234567890abcde' };
}

/**
 * One server process: open `text`, type `warmup + edits` characters one at a time and time each
 * from didChange to its publishDiagnostics. With `window`, the server's CPU time per edit (main
 * thread, other threads) is read from /proc every `window` timed edits.
 */
export async function session({ server, text, file, languageId, settings, edits, warmup, byVersion, window }) {
  const [cmd, args] = server;
  const uri = pathToFileURL(file).href;
  const client = new LspClient(cmd, args, { onRequest: configAnswer(settings), cwd: path.dirname(file) });
  try {
    await client.initialize(pathToFileURL(path.dirname(file)).href, settings ? { settings } : undefined);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    await client.waitDiagnostics((d) => d.params.uri === uri);
    await new Promise((r) => setTimeout(r, 500)); // let start-up work (e.g. the layer service's first `docker image ls`) settle
    const plan = editPlan(text, languageId);
    const lens = plan.lines.map((l) => l.length);
    const samples = [];
    let version = 1;
    let lastCount = 0;
    const cpu = [];
    let cpuMark = window ? threadCpu(client.proc.pid) : undefined;
    for (let k = 0; k < warmup + edits; k++) {
      if (cpuMark && k > warmup && (k - warmup) % window === 0) {
        const c = threadCpu(client.proc.pid);
        if (c) cpu.push({ mainMsPerEdit: (c.main - cpuMark.main) / window, otherMsPerEdit: (c.others - cpuMark.others) / window });
        cpuMark = c;
      }
      const line = plan.cands[(Math.floor(k / plan.typed.length) * 7) % plan.cands.length];
      const ch = plan.typed[k % plan.typed.length];
      const pos = { line, character: lens[line] };
      lens[line] += 1;
      version++;
      const from = client.diagnostics.length;
      const t0 = now();
      client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: pos, end: pos }, rangeLength: 0, text: ch }] });
      const v = version;
      const d = await client.waitDiagnostics(byVersion ? (x) => x.params.uri === uri && x.params.version === v : (x) => x.params.uri === uri, from);
      if (k >= warmup) samples.push(ms(t0, d.at));
      lastCount = d.params.diagnostics.length;
    }
    if (cpuMark && edits % window === 0) {
      const c = threadCpu(client.proc.pid);
      if (c) cpu.push({ mainMsPerEdit: (c.main - cpuMark.main) / window, otherMsPerEdit: (c.others - cpuMark.others) / window });
    }
    return { ...stats(samples), diagnostics: lastCount, samples, cpu };
  } finally {
    await client.close();
  }
}

/** A Go service repository: go.mod, main.go, a .git folder, no .dockerignore (the Go and context rules all run). */
export function goServiceFolder(dir) {
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/svc\n\ngo 1.22\n');
  fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
}

export async function latencyBench({ quick }) {
  // the Dockerfile: ours (debounce 0) and the peer in alternating sessions, `rounds` of each (the
  // machine's load drifts: alternating gives both the same share of it); each session opens the
  // document and types `windows * half` characters with no warm-up, timed one by one and reported
  // by window of `half` edits: edits 1..half follow the open (V8 is compiling the server: slow, and
  // where the tail is), the next window is still warming up (V8's compiler threads still optimize
  // the engine in the background and compete with both processes for the cores: see the CPU per
  // edit), the last one is the warm state of a server that has been used
  const rounds = quick ? 1 : 3;
  const half = quick ? 40 : 200;
  const windows = quick ? 2 : 5;
  // the default-debounce sessions (what a user waits: the debounce plus the work) keep a short warm-up
  const edits = quick ? 40 : 200;
  const warmup = quick ? 5 : 20;
  const dir = tmpdir('latency');
  try {
    goServiceFolder(dir);
    const dockerfile = realisticDockerfile(300);
    const dfFile = path.join(dir, 'Dockerfile');
    fs.writeFileSync(dfFile, dockerfile);
    const { text: manifest, docs } = realisticManifest(100, 5000);
    const mfFile = path.join(dir, 'deploy.yaml');
    fs.writeFileSync(mfFile, manifest);
    const res = {
      rounds, half, windows, edits, warmup,
      dockerfile: { lines: dockerfile.split('\n').length - 1, bytes: Buffer.byteLength(dockerfile) },
      manifest: { lines: manifest.split('\n').length - 1, documents: docs, bytes: Buffer.byteLength(manifest) },
    };
    const strip = (s) => { const { samples, cpu, ...rest } = s; return rest; };
    /**
     * Sessions of windows * half edits, pooled by window: `byWindow` (stats and the server's CPU
     * per edit for each window), and `early` (the first window), `second` and `late` (the last),
     * each with every session's median (the spread between sessions).
     */
    const split = (sessions) => {
      const part = (w) => ({
        ...stats(sessions.flatMap((r) => r.samples.slice(w * half, (w + 1) * half))),
        diagnostics: sessions[sessions.length - 1].diagnostics,
        sessionMedians: sessions.map((r) => +stats(r.samples.slice(w * half, (w + 1) * half)).median.toFixed(2)),
      });
      const cpuOf = (w, k) => {
        const xs = sessions.map((r) => r.cpu[w]?.[k]).filter((x) => x !== undefined);
        return xs.length ? +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) : undefined;
      };
      const byWindow = Array.from({ length: windows }, (_, w) => {
        const { n, median, p95, max } = part(w);
        return { from: w * half + 1, to: (w + 1) * half, n, median, p95, max, mainMsPerEdit: cpuOf(w, 'mainMsPerEdit'), otherMsPerEdit: cpuOf(w, 'otherMsPerEdit') };
      });
      return { early: part(0), second: part(1), late: part(windows - 1), byWindow };
    };
    const df = { text: dockerfile, file: dfFile, languageId: 'dockerfile', edits: windows * half, warmup: 0, window: half };
    const run = (who) =>
      who === 'ours'
        ? session({ ...df, server: OUR_SERVER(), settings: { debounceMs: 0 }, byVersion: true })
        : session({ ...df, server: PEER_SERVER(), settings: undefined, byVersion: false });
    // interleaved: ours, peer, peer, ours, ours, peer, ...
    const sessions = { ours: [], peer: [] };
    for (let k = 0; k < rounds; k++) for (const who of k % 2 ? ['peer', 'ours'] : ['ours', 'peer']) sessions[who].push(await run(who));
    res.dockerfile.ours0 = split(sessions.ours);
    res.dockerfile.peer = split(sessions.peer);
    res.dockerfile.oursDefault = strip(await session({ ...df, edits, warmup, window: undefined, server: OUR_SERVER(), settings: {}, byVersion: true }));
    const mf = { text: manifest, file: mfFile, languageId: 'yaml' };
    res.manifest.ours0 = split([await session({ ...mf, edits: windows * half, warmup: 0, window: half, server: OUR_SERVER(), settings: { debounceMs: 0 }, byVersion: true })]);
    res.manifest.oursDefault = strip(await session({ ...mf, edits, warmup, server: OUR_SERVER(), settings: {}, byVersion: true }));
    return res;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
