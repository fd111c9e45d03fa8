// `container-tuner layers <Dockerfile>`: the layer table the editor shows,
// in the terminal (text) or as the same JSON the language server returns for
// `containerTuner/layers`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { configFor, DEFAULT_CONFIG, imageFor, type ConfigProblem } from '../engine/config';
import { DEFAULT_DOCKER_PATH, DEFAULT_TIMEOUT_MS } from '../engine/docker/cli';
import { computeLayerTable, layerModel } from '../engine/layers/compute';
import { formatLayerTable } from '../engine/layers/format';
import { FsWorkspace } from '../engine/workspace';
import type { CliIO } from './main';

export const LAYERS_HELP = `Usage: container-tuner layers <Dockerfile> [options]

How many bytes each instruction adds to the image: measured from the local image
built from the Dockerfile (docker history), estimated where nothing was built yet.

Options:
  --image REF          use this local image (repo:tag or id) instead of matching one
                       (default: .container-tuner.yaml \`images:\`, else the best match)
  --stage N|NAME       the stage to show (default: the final stage)
  --format text|json   output format (default: text; json is the LayerTable of docs/layers.md)
  --docker PATH        the docker executable (default: docker; also $CONTAINER_TUNER_DOCKER)
  --timeout MS         stop a docker command after this long (default: ${DEFAULT_TIMEOUT_MS})
  --no-docker          estimates only: run no docker command
Sizes are decimal like Docker's (1 MB = 1,000,000 bytes).
Exit status: 0 table printed (whatever Docker said: see its state), 2 usage or I/O error.
`;

/** Runs the command; resolves with the exit status. */
export async function layersCommand(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        image: { type: 'string' },
        stage: { type: 'string' },
        format: { type: 'string', default: 'text' },
        docker: { type: 'string' },
        timeout: { type: 'string' },
        'no-docker': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`container-tuner layers: ${(e as Error).message}\n\n${LAYERS_HELP}`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) {
    io.stdout(LAYERS_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr(`container-tuner layers: expected one Dockerfile\n\n${LAYERS_HELP}`);
    return 2;
  }
  const format = o.format as string;
  if (format !== 'text' && format !== 'json') {
    io.stderr(`container-tuner layers: --format must be text or json (got "${format}")\n`);
    return 2;
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (o.timeout !== undefined) {
    timeoutMs = Number(o.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      io.stderr(`container-tuner layers: --timeout must be a positive number of milliseconds\n`);
      return 2;
    }
  }
  const shown = parsed.positionals[0];
  const abs = path.resolve(io.cwd, shown);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    io.stderr(`container-tuner layers: cannot read ${shown}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 2;
  }
  const workspace = new FsWorkspace();
  const problems: ConfigProblem[] = [];
  const config = configFor(workspace, abs, DEFAULT_CONFIG, problems);
  for (const p of problems) io.stderr(`container-tuner: ${p.file}: ${p.message}\n`);
  const model = layerModel(text, abs, workspace, config);

  let stage: number | undefined;
  if (o.stage !== undefined) {
    const want = String(o.stage);
    const found = /^\d+$/.test(want) ? model.stages[Number(want)] : model.stages.find((s) => s.name?.toLowerCase() === want.toLowerCase());
    if (!found) {
      const list = model.stages.map((s) => (s.name ? `${s.index} (${s.name})` : String(s.index))).join(', ') || 'none';
      io.stderr(`container-tuner layers: no stage ${want} in ${shown} (stages: ${list})\n`);
      return 2;
    }
    stage = found.index;
  }

  const dockerPath = (o.docker as string | undefined) || process.env.CONTAINER_TUNER_DOCKER || DEFAULT_DOCKER_PATH;
  const { table } = await computeLayerTable(model, {
    docker: { dockerPath, timeoutMs },
    stage,
    image: o.image as string | undefined,
    configuredImage: imageFor(config, abs),
    useDocker: !o['no-docker'],
    noDockerMessage: '--no-docker: estimates only.',
  });
  if (format === 'json') io.stdout(JSON.stringify(table, null, 2) + '\n');
  else io.stdout(formatLayerTable(table, shown));
  if (table.state !== 'ok' && format === 'text') {
    // the state is in the table; say it on stderr too so scripts notice
    io.stderr(`container-tuner layers: ${table.state}${table.message ? `: ${table.message}` : ''}\n`);
  }
  return 0;
}

/** Entry from `main`: starts the command and sets the exit status when it ends (returns -1: still running). */
export function startLayersCommand(args: string[], io: CliIO): number {
  layersCommand(args, io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      io.stderr(`container-tuner layers: ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
  return -1;
}
