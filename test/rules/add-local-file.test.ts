import { addLocalFile } from '../../server/src/engine/rules/add-local-file';
import { ruleTester } from '../helpers/ruleTester';

const GZIP = '\u001f\u008b\u0008\u0000\u0000\u0000\u0000\u0000';

ruleTester(addLocalFile, {
  valid: [
    { name: 'COPY is fine', code: 'FROM golang:1.23\nCOPY . .\n' },
    { name: 'URL', code: 'FROM alpine:3.20\nADD https://example.com/tool-linux-amd64 /usr/local/bin/tool\n' },
    { name: 'URL with variables', code: 'FROM alpine:3.20\nARG V=1.2.3\nADD https://example.com/${V}/tool /usr/local/bin/tool\n' },
    { name: 'URL in an ARG default', code: 'FROM alpine:3.20\nARG URL=https://example.com/tool\nADD ${URL} /usr/local/bin/tool\n' },
    { name: 'Git repository over SSH', code: 'FROM alpine:3.20\nADD git@github.com:acme/api.git /src\n' },
    { name: 'Git repository with a ref', code: 'FROM alpine:3.20\nADD --keep-git-dir=true https://github.com/acme/api.git#v1.2.0 /src\n' },
    { name: 'local tar.gz is extracted', code: 'FROM alpine:3.20\nADD app.tar.gz /opt/\n' },
    { name: 'local rootfs tar.xz', code: 'FROM scratch\nADD rootfs.tar.xz /\n' },
    { name: '.tgz, .tar.zst, .tar.bz2, bare .gz', code: 'FROM alpine:3.20\nADD a.tgz /a/\nADD b.tar.zst /b/\nADD c.tar.bz2 /c/\nADD d.gz /d/\n' },
    { name: 'an archive under another name (content)', code: 'FROM alpine:3.20\nADD rootfs.img /\n', files: { 'rootfs.img': GZIP } },
    { name: 'a tar under another name (ustar header)', code: 'FROM alpine:3.20\nADD layer /\n', files: { layer: 'a.txt' + '\u0000'.repeat(252) + 'ustar\u000000' } },
    { name: 'archives matched by a pattern', code: 'FROM alpine:3.20\nADD *.tar.gz /opt/\n' },
    { name: 'a pattern whose matches cannot be known', code: 'FROM alpine:3.20\nADD files/* /opt/\n' },
    { name: 'a variable at the start may be a URL', code: 'FROM alpine:3.20\nARG BUILDDIR\nADD ${BUILDDIR}/etcd /usr/local/bin/\n' },
    { name: 'a variable at the end may name an archive', code: 'FROM alpine:3.20\nARG PKG\nADD dist/${PKG} /opt/\n' },
    { name: 'one URL among the sources', code: 'FROM alpine:3.20\nADD config.yaml https://example.com/x.json /etc/app/\n' },
    { name: 'heredoc ADD', code: 'FROM alpine:3.20\nADD <<EOF /etc/motd\nhello\nEOF\n' },
    { name: 'hadolint pragma', code: 'FROM alpine:3.20\n# hadolint ignore=DL3020\nADD . /src\n' },
    { name: 'our pragma', code: 'FROM alpine:3.20\n# container-tuner ignore=add-local-file\nADD . /src\n' },
  ],
  invalid: [
    {
      name: 'ADD . .',
      code: 'FROM golang:1.23\nWORKDIR /app\nADD . .\nRUN go build -o /app/server .\n',
      findings: [{ line: 3, text: 'ADD', severity: 'info', message: 'COPY' }],
      output: 'FROM golang:1.23\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\n',
    },
    {
      name: 'lowercase keyword keeps its case',
      code: 'from golang:1.23\nadd main.go .\n',
      findings: [{ line: 2, text: 'add' }],
      output: 'from golang:1.23\ncopy main.go .\n',
    },
    {
      name: 'mixed-case keyword',
      code: 'FROM alpine:3.20\nAdd web /srv/web\n',
      findings: [{ line: 2, text: 'Add' }],
      output: 'FROM alpine:3.20\nCopy web /srv/web\n',
    },
    {
      name: 'flags COPY supports are kept',
      code: 'FROM alpine:3.20\nADD --link --chown=app:app --chmod=644 config.yaml /etc/app/\n',
      findings: [{ line: 2, text: 'ADD' }],
      output: 'FROM alpine:3.20\nCOPY --link --chown=app:app --chmod=644 config.yaml /etc/app/\n',
    },
    {
      name: '--checksum has no COPY equivalent: no fix',
      code: 'FROM alpine:3.20\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d app.bin /app\n',
      findings: [{ line: 2, text: 'ADD', message: '--checksum' }],
      output: null,
    },
    {
      name: 'exec (JSON) form',
      code: 'FROM alpine:3.20\nADD ["web", "/srv/web"]\n',
      findings: [{ line: 2, text: 'ADD', message: '`web`' }],
      output: 'FROM alpine:3.20\nCOPY ["web", "/srv/web"]\n',
    },
    {
      name: 'continuation lines: anchored on the keyword',
      code: 'FROM alpine:3.20\nADD --chown=1000:1000 \\\n    config.yaml \\\n    /etc/app/\n',
      findings: [{ line: 2, text: 'ADD' }],
      output: 'FROM alpine:3.20\nCOPY --chown=1000:1000 \\\n    config.yaml \\\n    /etc/app/\n',
    },
    {
      name: 'a .zip is not extracted by ADD',
      code: 'FROM alpine:3.20\nADD assets.zip /opt/\n',
      findings: [{ line: 2, text: 'ADD' }],
      output: 'FROM alpine:3.20\nCOPY assets.zip /opt/\n',
    },
    {
      name: 'a text file of the context',
      code: 'FROM alpine:3.20\nADD motd /etc/motd\n',
      files: { motd: 'hello\n' },
      findings: [{ line: 2, text: 'ADD' }],
      output: 'FROM alpine:3.20\nCOPY motd /etc/motd\n',
    },
    {
      name: 'a folder of the context',
      code: 'FROM alpine:3.20\nADD build build\n',
      files: { 'build/app': 'ELF', 'build/static/x.tar.gz': 'archives inside a folder are not extracted' },
      findings: [{ line: 2, text: 'ADD' }],
      output: 'FROM alpine:3.20\nCOPY build build\n',
    },
    {
      name: 'a pattern of plain files',
      code: 'FROM golang:1.23\nADD *.go /src/\n',
      findings: [{ line: 2, text: 'ADD', message: '`*.go`' }],
      output: 'FROM golang:1.23\nCOPY *.go /src/\n',
    },
    {
      name: 'variables resolved from ARG and ENV',
      code: 'FROM alpine:3.20\nARG CFG=config.yaml\nENV DEST=/etc/app/\nADD ${CFG} $DEST\n',
      findings: [{ line: 4, text: 'ADD', message: '`${CFG}`' }],
      output: 'FROM alpine:3.20\nARG CFG=config.yaml\nENV DEST=/etc/app/\nCOPY ${CFG} $DEST\n',
    },
    {
      name: 'an unknown variable in the middle of a plain file name',
      code: 'FROM alpine:3.20\nARG VERSION\nADD dist/app-${VERSION}.json /etc/app.json\n',
      findings: [{ line: 3, text: 'ADD' }],
      output: 'FROM alpine:3.20\nARG VERSION\nCOPY dist/app-${VERSION}.json /etc/app.json\n',
    },
    {
      name: 'ARG-driven FROM, two ADDs',
      code: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nADD web /srv/web\nADD tool.tar.gz /opt/\nADD config.yaml /etc/app/\n',
      findings: [{ line: 3, text: 'ADD' }, { line: 5, text: 'ADD' }],
      output: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nCOPY web /srv/web\nADD tool.tar.gz /opt/\nCOPY config.yaml /etc/app/\n',
    },
    {
      name: 'Windows file with backtick escape',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nADD . C:\\app\nADD server.exe `\n    C:\\app\\server.exe\n',
      findings: [{ line: 3, text: 'ADD' }, { line: 4, text: 'ADD' }],
      output: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY . C:\\app\nCOPY server.exe `\n    C:\\app\\server.exe\n',
    },
  ],
});
