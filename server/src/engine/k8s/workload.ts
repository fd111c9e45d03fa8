// Go-related facts about a container of a manifest.
import { picoMatch, type Config } from '../config';
import { scalarString, type Container, type ManifestModel } from './model';

export const GO_ENV = ['GOMAXPROCS', 'GOMEMLIMIT', 'GOGC', 'GODEBUG'];

/**
 * A container runs Go when the repository has a go.mod (nearest one walking up
 * from the manifest), it sets a Go runtime variable, or its image matches a
 * `goImages` pattern of the configuration.
 */
export function isGoContainer(model: ManifestModel, c: Container, config: Config): boolean {
  if (model.goMod) return true;
  if (c.env.some((e) => GO_ENV.includes(e.name))) return true;
  const image = scalarString(c.image);
  if (image && config.goImages.some((p) => picoMatch(image, p) || picoMatch(image.replace(/[:@].*$/, ''), p))) return true;
  return false;
}

/** The go.mod `go` line, when known. */
export function goVersion(model: ManifestModel): string | undefined {
  return model.goMod?.go;
}

export function requiresModule(model: ManifestModel, mod: string): boolean {
  return !!model.goMod?.requires.has(mod);
}

export function envVar(c: Container, name: string) {
  return c.env.find((e) => e.name === name);
}
