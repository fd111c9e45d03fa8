// `images:` in .container-tuner.yaml: which local image a Dockerfile's layer sizes come from.
import { describe, expect, it } from 'vitest';
import { configFor, DEFAULT_CONFIG, imageFor, mergeConfig, type ConfigProblem } from '../../server/src/engine/config';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

describe('configuration: images', () => {
  it('maps Dockerfile globs (relative to the config file) to image references', () => {
    const ws = new MemoryWorkspace({
      '/repo/.container-tuner.yaml': 'images:\n  Dockerfile: myapp:dev\n  "build/*.Dockerfile": ghcr.io/acme/api:1.2\n',
      '/repo/Dockerfile': 'FROM scratch\n',
    });
    const problems: ConfigProblem[] = [];
    const c = configFor(ws, '/repo/Dockerfile', DEFAULT_CONFIG, problems);
    expect(problems).toEqual([]);
    expect(imageFor(c, '/repo/Dockerfile')).toBe('myapp:dev');
    expect(imageFor(c, '/repo/build/api.Dockerfile')).toBe('ghcr.io/acme/api:1.2');
    expect(imageFor(c, '/repo/other/Dockerfile')).toBeUndefined();
    expect(imageFor(DEFAULT_CONFIG, '/repo/Dockerfile')).toBeUndefined();
  });

  it('validates: a mapping of globs to references', () => {
    const problems: ConfigProblem[] = [];
    const c = mergeConfig(DEFAULT_CONFIG, { images: { Dockerfile: 'x y', 'a.Dockerfile': 3, 'b.Dockerfile': 'sha256:0123456789ab' } }, '/r/.container-tuner.yaml', problems);
    expect(problems.map((p) => p.message)).toEqual([
      'images.Dockerfile: expected an image reference such as myapp:dev',
      'images.a.Dockerfile: expected an image reference such as myapp:dev',
    ]);
    expect(imageFor(c, '/r/b.Dockerfile')).toBe('sha256:0123456789ab');
    mergeConfig(DEFAULT_CONFIG, { images: ['x'] }, '/r/.container-tuner.yaml', problems);
    expect(problems.at(-1)!.message).toBe('images: expected a mapping of Dockerfile globs to image references');
  });

  it('a later source wins over the one it is merged onto', () => {
    const settings = mergeConfig(DEFAULT_CONFIG, { images: { '/r/Dockerfile': 'from-settings:1' } }, '/settings/x');
    const repo = mergeConfig(settings, { images: { Dockerfile: 'from-repo:1' } }, '/r/.container-tuner.yaml');
    expect(imageFor(repo, '/r/Dockerfile')).toBe('from-repo:1');
    expect(imageFor(settings, '/r/Dockerfile')).toBe('from-settings:1');
  });
});
