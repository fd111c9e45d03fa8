// What the engine knows about base images from their reference alone.

export interface ImageRef {
  /** As written (after ARG substitution). */
  raw: string;
  /** Registry host, '' for Docker Hub. */
  registry: string;
  /** Repository path without registry; Docker Hub official images without "library/". */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Registry and repository without tag or digest (`ghcr.io/acme/api`, `nginx` for Docker Hub's official images). */
export function repoKey(ref: ImageRef): string {
  return ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
}

export function parseImageRef(raw: string): ImageRef {
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = '';
  const first = rest.indexOf('/');
  if (first > 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost') {
      registry = head;
      rest = rest.slice(first + 1);
    }
  }
  // Docker Hub under its other host names (registry.hub.docker.com still serves pulls)
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' || registry === 'registry.hub.docker.com') registry = '';
  let repository = rest.toLowerCase();
  if (registry === '' && repository.startsWith('library/')) repository = repository.slice(8);
  return { raw, registry, repository, tag, digest };
}

export type Libc = 'glibc' | 'musl' | 'none' | 'unknown';

export interface BaseFacts {
  /** A Go toolchain image (golang, or a mirror of it). */
  goToolchain: boolean;
  /** The Go version from the tag ("1.22", "1.22.3"), when it names one. */
  goVersion?: string;
  /** The official Linux golang image sets ENV GOTOOLCHAIN=local. */
  officialGolangLinux: boolean;
  libc: Libc;
  /** Whether /bin/sh exists: false for scratch and distroless, undefined when unknown. */
  shell: boolean | undefined;
  kind: 'scratch' | 'distroless-static' | 'distroless' | 'alpine' | 'golang' | 'windows-servercore' | 'windows-nanoserver' | 'windows' | 'other';
  windows: boolean;
  /** Windows release: 'ltsc2019' | 'ltsc2022' | 'ltsc2025' or a build number, when the tag names one. */
  windowsRelease?: string;
}

const MIRROR_PREFIXES = ['public.ecr.aws/docker/library/', 'mirror.gcr.io/library/', 'mirror.gcr.io/'];

/** The Docker Hub repository a well-known mirror serves, or the reference's own repository. */
function canonicalRepository(ref: ImageRef): string {
  const full = (ref.registry ? ref.registry + '/' : '') + ref.repository;
  for (const p of MIRROR_PREFIXES) if (full.startsWith(p)) return full.slice(p.length);
  return full;
}

export function windowsReleaseOf(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const t = tag.toLowerCase();
  let m: RegExpExecArray | null;
  if ((m = /ltsc(2016|2019|2022|2025)/.exec(t))) return 'ltsc' + m[1];
  if (/(^|-)1809($|-)/.test(t)) return 'ltsc2019';
  if ((m = /10\.0\.(\d{5})/.exec(t))) {
    const build = m[1];
    if (build === '17763') return 'ltsc2019';
    if (build === '20348') return 'ltsc2022';
    if (build === '26100') return 'ltsc2025';
    return build;
  }
  if ((m = /(^|-)(1903|1909|2004|20h2)($|-)/.exec(t))) return m[2];
  return undefined;
}

export function baseFacts(ref: ImageRef): BaseFacts {
  const repo = canonicalRepository(ref);
  const tag = (ref.tag ?? '').toLowerCase();
  const facts: BaseFacts = { goToolchain: false, officialGolangLinux: false, libc: 'unknown', shell: undefined, kind: 'other', windows: false };
  if (repo === 'scratch') return { ...facts, libc: 'none', shell: false, kind: 'scratch' };

  if (repo.startsWith('mcr.microsoft.com/windows') || /(^|-)(windowsservercore|nanoserver)(-|$)/.test(tag) || repo.endsWith('/nanoserver') || repo.endsWith('/servercore')) {
    facts.windows = true;
    facts.windowsRelease = windowsReleaseOf(ref.tag);
    facts.kind = 'windows';
    if (repo.endsWith('/servercore') || /windowsservercore/.test(tag)) facts.kind = 'windows-servercore';
    if (repo.endsWith('/nanoserver') || /nanoserver/.test(tag)) facts.kind = 'windows-nanoserver';
  }

  const last = repo.split('/').pop() ?? repo;
  if (last === 'golang' || repo === 'cgr.dev/chainguard/go' || repo === 'chainguard/go') {
    facts.goToolchain = true;
    if (!facts.windows) facts.kind = 'golang';
    const v = /^(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)(?:-|$)/.exec(tag);
    if (v) facts.goVersion = v[1];
    facts.officialGolangLinux = !facts.windows && repo === 'golang';
    facts.libc = facts.windows ? 'unknown' : /alpine/.test(tag) || repo.startsWith('cgr.dev/') ? (repo.startsWith('cgr.dev/') ? 'glibc' : 'musl') : 'glibc';
    facts.shell = facts.windows ? undefined : true;
    return facts;
  }
  if (facts.windows) return facts;

  if (repo.startsWith('gcr.io/distroless/') || repo.startsWith('distroless/')) {
    const name = repo.replace(/^(gcr\.io\/)?distroless\//, '');
    const debug = /(^|-)debug($|-)/.test(tag);
    if (/^static/.test(name)) return { ...facts, kind: 'distroless-static', libc: 'none', shell: debug };
    return { ...facts, kind: 'distroless', libc: 'glibc', shell: debug };
  }
  if (repo === 'cgr.dev/chainguard/static' || repo === 'chainguard/static') return { ...facts, kind: 'distroless-static', libc: 'none', shell: false };
  if (repo === 'alpine' || last === 'alpine' || /(^|-)alpine/.test(tag)) return { ...facts, kind: 'alpine', libc: 'musl', shell: true };
  if (['debian', 'ubuntu', 'fedora', 'centos', 'rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux', 'redhat/ubi8', 'redhat/ubi9', 'registry.access.redhat.com/ubi8', 'registry.access.redhat.com/ubi9'].includes(repo) || /^(registry\.access\.redhat\.com|redhat)\/ubi\d+(-minimal|-micro)?$/.test(repo)) {
    return { ...facts, libc: 'glibc', shell: true };
  }
  if (repo === 'busybox') return { ...facts, libc: /musl/.test(tag) ? 'musl' : /glibc/.test(tag) ? 'glibc' : 'unknown', shell: true };
  return facts;
}
