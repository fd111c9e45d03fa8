// `docker history` output and CreatedBy normalisation, on rows recorded from
// real builds (test/layers/fixtures, captured by fixtures/capture.sh on Docker
// Engine 20.10 with both builders).
import { describe, expect, it } from 'vitest';
import { HistoryParseError, parseCreatedBy, parseHistory, parseImageList } from '../../server/src/engine/layers/history';
import { fixtureText, history } from './fixtures';

describe('parseHistory', () => {
  it('reads recorded classic and BuildKit output: newest first, byte sizes, <missing> ids', () => {
    const classic = history('app/history.classic.jsonl');
    const bk = history('app/history.buildkit.jsonl');
    expect(classic).toHaveLength(14);
    expect(bk).toHaveLength(14);
    expect(classic[0].createdBy).toBe('/bin/sh -c #(nop)  CMD ["/srv/app"]');
    expect(classic.every((r) => r.id.startsWith('sha256:'))).toBe(true);
    expect(bk[0].id).toMatch(/^sha256:/);
    expect(bk.slice(1).every((r) => r.id === '<missing>')).toBe(true);
    expect(bk.every((r) => r.comment === 'buildkit.dockerfile.v0')).toBe(true);
    expect(classic.find((r) => r.createdBy.includes('COPY file:') && r.createdBy.endsWith(' in /bin/busybox '))!.size).toBe(1982256);
    const imported = history('ms/history-golang.jsonl');
    expect(imported).toHaveLength(1);
    expect(imported[0]).toMatchObject({ createdBy: '', comment: 'Imported from -' });
  });

  it('rejects garbage instead of inventing numbers', () => {
    expect(() => parseHistory('hello world\n')).toThrow(HistoryParseError);
    expect(() => parseHistory('{"ID":"x"}\n')).toThrow(/not a history entry/);
    expect(() => parseHistory('{"ID":"x","CreatedBy":"RUN x","Size":"12.3MB"}\n')).toThrow(/--human=false/);
    expect(parseHistory('\n\n')).toEqual([]);
  });

  it('reads docker image ls (one row per tag, untagged images without ref)', () => {
    const list = parseImageList(fixtureText('image-ls.jsonl'));
    expect(list.length).toBeGreaterThan(4);
    expect(list.every((e) => /^sha256:[0-9a-f]{64}$/.test(e.id) && Number.isFinite(e.created))).toBe(true);
    expect(list.some((e) => e.ref === 'ct-fix/ms:classic')).toBe(true);
    const dangling = parseImageList('{"ID":"abc123abc123","Repository":"<none>","Tag":"<none>","CreatedAt":"2026-11-23 11:08:35 +0000 UTC"}');
    expect(dangling[0]).toMatchObject({ id: 'sha256:abc123abc123', ref: undefined, created: Date.parse('2026-11-23T11:08:35Z') });
    expect(() => parseImageList('garbage')).toThrow(HistoryParseError);
  });
});

describe('parseCreatedBy', () => {
  const all = (rel: string) => history(rel).map((r) => parseCreatedBy(r.createdBy, r.comment));

  it('classic: #(nop) metadata, COPY hashes with glued flags, ARG-prefixed and exec-form RUN', () => {
    const rows = all('app/history.classic.jsonl').reverse();
    expect(rows.map((r) => r.keyword)).toEqual(['COPY', 'RUN', 'ARG', 'ARG', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'ENV', 'LABEL', 'COPY', 'EXPOSE', 'USER', 'CMD']);
    expect(rows.every((r) => r.builder === 'classic')).toBe(true);
    expect(rows[0]).toMatchObject({ dest: '/bin/busybox', hash: expect.stringMatching(/^file:[0-9a-f]{64}$/), flags: [] });
    expect(rows[1]).toMatchObject({ args: '/bin/busybox --install -s /bin' });
    expect(rows[1].shell).toBeUndefined();
    expect(rows[5]).toMatchObject({ dest: '/etc/app/', hash: expect.stringMatching(/^dir:/) });
    expect(rows[7]).toMatchObject({ shell: '/bin/sh -c', buildArgs: { FLAVOR: 'plain', VERSION: '1.0' } });
    expect(rows[7].args).toBe('echo "$VERSION $FLAVOR" > /srv/version && dd if=/dev/zero of=/srv/blob bs=1024 count=300 2>/dev/null');
    expect(rows[9].args).toBe('org.opencontainers.image.title=demo <img src=x onerror=alert(1)>');
    expect(rows[10]).toMatchObject({ keyword: 'COPY', dest: '/srv/app', flags: ['--chown=1000:1000'] });
    expect(rows[13]).toMatchObject({ keyword: 'CMD', args: '["/srv/app"]' });
  });

  it('BuildKit: # buildkit suffix, |N ARG prefixes in declaration order, COPY sources, EXPOSE map', () => {
    const rows = all('app/history.buildkit.jsonl').reverse();
    expect(rows.map((r) => r.keyword)).toEqual(['COPY', 'RUN', 'ARG', 'ARG', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'ENV', 'LABEL', 'COPY', 'EXPOSE', 'USER', 'CMD']);
    expect(rows.every((r) => r.builder === 'buildkit')).toBe(true);
    expect(rows[0]).toMatchObject({ sources: ['busybox'], dest: '/bin/busybox' });
    expect(rows[1]).toMatchObject({ args: '/bin/busybox --install -s /bin' });
    expect(rows[1].shell).toBeUndefined();
    expect(rows[7]).toMatchObject({ shell: '/bin/sh -c', buildArgs: { VERSION: '1.0', FLAVOR: 'plain' } });
    expect(Object.keys(rows[7].buildArgs!)).toEqual(['VERSION', 'FLAVOR']);
    // --chown is not recorded by this BuildKit (Engine 20.10)
    expect(rows[10]).toMatchObject({ sources: ['app'], dest: '/srv/app', flags: [] });
    expect(rows[11].args).toBe('map[8080/tcp:{}]');
    const build = all('ms/history-build.buildkit.jsonl').reverse();
    const go = build.find((r) => r.keyword === 'RUN' && r.args.includes('go build'))!;
    expect(go.buildArgs).toEqual({ TARGETOS: 'linux', TARGETARCH: 'amd64' });
    // RUN --mount=type=cache,… is recorded without its flags
    expect(go.args.startsWith('CGO_ENABLED=0 GOOS=$TARGETOS')).toBe(true);
    // COPY --from=build is recorded without --from
    const final = all('ms/history.buildkit.jsonl').reverse();
    expect(final.find((r) => r.dest === '/srv/app')).toMatchObject({ sources: ['/out/app'] });
  });

  it('rows not made by a Dockerfile: docker import, Windows base layers', () => {
    expect(all('ms/history-golang.jsonl')[0]).toMatchObject({ keyword: '', builder: 'other' });
    expect(parseCreatedBy('Apply image 10.0.17763.5458')).toMatchObject({ keyword: '' });
  });

  // Texts below follow domain notes §4 and BuildKit's/Docker's source: they
  // cannot be recorded on this Linux Engine 20.10 (no Windows daemon; its
  // built-in Dockerfile frontend predates heredocs).
  it('Windows cmd /S /C and SHELL prefixes, values with spaces, heredoc bodies', () => {
    expect(parseCreatedBy('cmd /S /C go build -o app.exe .')).toMatchObject({ keyword: 'RUN', shell: 'cmd /S /C', args: 'go build -o app.exe .' });
    expect(parseCreatedBy('cmd /S /C #(nop)  CMD ["app.exe"]')).toMatchObject({ keyword: 'CMD', args: '["app.exe"]' });
    expect(parseCreatedBy('powershell -Command Write-Host hi', '', ['/bin/sh -c', 'powershell -Command'])).toMatchObject({ keyword: 'RUN', args: 'Write-Host hi' });
    expect(parseCreatedBy('|2 A=hello world B=2 /bin/sh -c echo $A')).toMatchObject({ buildArgs: { A: 'hello world', B: '2' }, args: 'echo $A' });
    expect(parseCreatedBy('|1 A=1 /bin/busybox true')).toMatchObject({ buildArgs: { A: '1' }, args: '/bin/busybox true' });
    expect(parseCreatedBy('|1 A=1 /bin/busybox true').shell).toBeUndefined();
    expect(parseCreatedBy('RUN /bin/sh -c mkdir -p /data\necho hi > /data/x\n # buildkit', 'buildkit.dockerfile.v0')).toMatchObject({ keyword: 'RUN', args: 'mkdir -p /data\necho hi > /data/x\n' });
    expect(parseCreatedBy('COPY --chown=1000:1000 --chmod=755 a b /dst/ # buildkit', 'buildkit.dockerfile.v0')).toMatchObject({ sources: ['a', 'b'], dest: '/dst/', flags: ['--chown=1000:1000', '--chmod=755'] });
    expect(parseCreatedBy('/bin/sh -c #(nop) COPY multi:0123abcd in /app/ ')).toMatchObject({ keyword: 'COPY', hash: 'multi:0123abcd', dest: '/app/' });
  });
});
