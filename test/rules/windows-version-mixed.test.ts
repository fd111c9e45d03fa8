import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../server/src/engine/images';
import { alignedTag, windowsRelease, windowsVersionMixed } from '../../server/src/engine/rules/windows-version-mixed';
import { ruleTester } from '../helpers/ruleTester';

const E = '# escape=`\n';
const GO = (img: string) => `FROM ${img} AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\n`;
const FINAL = (img: string) => `FROM ${img}\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n`;

describe('windowsRelease', () => {
  it('reads releases, semi-annual names and build numbers', () => {
    expect(windowsRelease('ltsc2022')).toBe('ltsc2022');
    expect(windowsRelease('1809')).toBe('ltsc2019');
    expect(windowsRelease('1809-amd64')).toBe('ltsc2019');
    expect(windowsRelease('10.0.20348.2582')).toBe('ltsc2022');
    expect(windowsRelease('10.0.26100.1742')).toBe('ltsc2025');
    expect(windowsRelease('10.0.14393.4169')).toBe('ltsc2016');
    expect(windowsRelease('sac2016')).toBe('ltsc2016');
    expect(windowsRelease('1903')).toBe('1903');
    expect(windowsRelease('10.0.19041.1415')).toBe('2004');
    expect(windowsRelease('1.22-windowsservercore-ltsc2025')).toBe('ltsc2025');
    expect(windowsRelease('1.22-windowsservercore')).toBeUndefined();
    expect(windowsRelease(undefined)).toBeUndefined();
  });
});

describe('alignedTag', () => {
  const at = (ref: string, r: string) => alignedTag(parseImageRef(ref), r);
  it('follows each repository\'s naming', () => {
    expect(at('mcr.microsoft.com/windows/nanoserver:ltsc2022', 'ltsc2019')).toEqual({ tag: '1809', preferred: true });
    expect(at('mcr.microsoft.com/windows/nanoserver:1809', 'ltsc2025')).toEqual({ tag: 'ltsc2025', preferred: true });
    expect(at('mcr.microsoft.com/windows/nanoserver:1809', 'ltsc2016')).toBeUndefined();
    expect(at('mcr.microsoft.com/windows/servercore:1809', 'ltsc2022')).toEqual({ tag: 'ltsc2022', preferred: true });
    expect(at('mcr.microsoft.com/windows/servercore:ltsc2022', 'ltsc2019')).toEqual({ tag: 'ltsc2019', preferred: true });
    expect(at('mcr.microsoft.com/windows/servercore:10.0.20348.2582', 'ltsc2025')).toBeUndefined();
    expect(at('golang:1.24-nanoserver-ltsc2022', 'ltsc2025')).toEqual({ tag: '1.24-nanoserver-ltsc2025', preferred: true });
    expect(at('golang:1.22.3-windowsservercore-ltsc2025', 'ltsc2022')).toEqual({ tag: '1.22.3-windowsservercore-ltsc2022', preferred: true });
    expect(at('golang:1.22-windowsservercore-ltsc2022', 'ltsc2025')).toEqual({ tag: '1.22-windowsservercore-ltsc2025', preferred: false });
    expect(at('golang:1.22-windowsservercore-ltsc2022', 'ltsc2019')).toBeUndefined();
    expect(at('example.com/base:ltsc2019', 'ltsc2022')).toBeUndefined();
  });
});

ruleTester(windowsVersionMixed, {
  valid: [
    { name: 'every stage on ltsc2022', code: E + GO('golang:1.22-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022') },
    { name: 'ltsc2019 under both namings', code: E + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:1809') },
    { name: 'a build number of the same release', code: E + GO('golang:1.22-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:10.0.20348.2582') },
    { name: 'golang shared tag: the daemon picks the host\'s release', code: E + GO('golang:1.22-windowsservercore') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022') },
    { name: 'Linux builder cross-compiling for Windows', code: GO('golang:1.22') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022') },
    { name: 'one Windows stage', code: E + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2025\nCOPY app.exe C:/app.exe\n' },
    { name: 'digest-pinned final stage: its release is not in the reference', code: E + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver@sha256:' + 'a'.repeat(64)) },
    { name: 'final release left to a build argument without default', code: E + 'ARG TAG\n' + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:${TAG}') },
    { name: 'COPY --from another image of another release (files only)', code: E + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=caddy:2.11.2-windowsservercore-ltsc2025 C:/caddy.exe C:/caddy.exe\n' },
    {
      name: 'one ARG for every stage',
      code: E + 'ARG WIN=ltsc2022\n' + GO('mcr.microsoft.com/windows/servercore:${WIN}') + FINAL('mcr.microsoft.com/windows/nanoserver:${WIN}'),
    },
    { name: 'pragma', code: E + '# container-tuner ignore=windows-version-mixed\n' + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022') },
  ],
  invalid: [
    {
      name: 'builder on ltsc2019, final on ltsc2022',
      code: E + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
      findings: [
        {
          line: 2,
          text: 'ltsc2019',
          severity: 'warning',
          message: /Stage `build` runs Windows ltsc2019 \(10\.0\.17763\) on `mcr\.microsoft\.com\/windows\/servercore:ltsc2019`, but the final stage runs ltsc2022 \(10\.0\.20348\).*same build host.*0xc0370101/,
        },
      ],
      output: E + GO('mcr.microsoft.com/windows/servercore:ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
    },
    {
      name: 'final on 1809: Server Core says ltsc2019',
      code: E + GO('mcr.microsoft.com/windows/servercore:ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
      findings: [{ line: 2, text: 'ltsc2022' }],
      output: E + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
    },
    {
      name: 'Nano Server builder aligned on a Server Core final stage',
      code: E + 'FROM mcr.microsoft.com/windows/nanoserver:1809 AS tools\nFROM mcr.microsoft.com/windows/servercore:ltsc2025\nCOPY --from=tools C:/Windows/System32/curl.exe C:/curl.exe\n',
      findings: [{ line: 2, text: '1809', message: 'Stage `tools` runs Windows ltsc2019' }],
      output: E + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2025 AS tools\nFROM mcr.microsoft.com/windows/servercore:ltsc2025\nCOPY --from=tools C:/Windows/System32/curl.exe C:/curl.exe\n',
    },
    {
      name: 'golang builder moved to ltsc2025',
      code: E + GO('golang:1.24-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2025'),
      findings: [{ line: 2, text: '1.24-windowsservercore-ltsc2022' }],
      output: E + GO('golang:1.24-windowsservercore-ltsc2025') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2025'),
    },
    {
      name: 'an older Go may lack the ltsc2025 variant: fix not preferred',
      code: E + GO('golang:1.22-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2025'),
      findings: [{ line: 2 }],
      output: null,
      fixes: [{ title: 'Use golang:1.22-windowsservercore-ltsc2025 (the final stage\'s release)', output: E + GO('golang:1.22-windowsservercore-ltsc2025') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2025') }],
    },
    {
      name: 'golang has no ltsc2019 variants any more: no fix, advice in the message',
      code: E + GO('golang:1.22-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
      findings: [{ line: 2, message: /no longer publishes ltsc2019[\s\S]*ltsc2025 instead\.$/ }],
      output: null,
    },
    {
      name: 'an ltsc2016 builder with Go 1.12 against a 1809 final stage: the builder needs a newer Go too',
      code: E + GO('golang:1.12.13-windowsservercore-ltsc2016') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
      findings: [{ line: 2, message: /ltsc2022 or ltsc2025 instead, and the builder to a newer Go \(golang's ltsc2022 variants start at Go 1\.18, ltsc2025 at 1\.24; this one is Go 1\.12\)\./ }],
      output: null,
    },
    {
      name: 'a ltsc2016 builder (old golang tag) against 1809',
      code: E + GO('golang:1.12.13-windowsservercore-ltsc2016') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
      findings: [{ line: 2, text: '1.12.13-windowsservercore-ltsc2016', message: 'ltsc2016 (10.0.14393)' }],
      output: null,
    },
    {
      name: 'build-number tag: no fix',
      code: E + GO('mcr.microsoft.com/windows/servercore:10.0.17763.6414') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
      findings: [{ line: 2, text: '10.0.17763.6414' }],
      output: null,
    },
    {
      name: 'tag and digest: the digest decides, no fix',
      code: E + GO('mcr.microsoft.com/windows/servercore:ltsc2019@sha256:' + 'b'.repeat(64)) + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
      findings: [{ line: 2, text: 'ltsc2019' }],
      output: null,
    },
    {
      name: 'untagged Nano Server final stage: the pull fails',
      code: E + GO('golang:1.22-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver'),
      findings: [{ line: 6, text: 'mcr.microsoft.com/windows/nanoserver', message: /names no Windows release.*no `latest`.*the other stages use ltsc2022/ }],
      output: E + GO('golang:1.22-windowsservercore-ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
    },
    {
      name: ':latest builder: aligned on the final stage',
      code: E + GO('mcr.microsoft.com/windows/servercore:latest') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
      findings: [{ line: 2, text: 'latest' }],
      output: E + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:1809'),
    },
    {
      name: 'the only Windows stage has no tag: no release to propose',
      code: 'FROM mcr.microsoft.com/windows/servercore\nRUN mkdir C:\\app\n',
      findings: [{ line: 1, text: 'mcr.microsoft.com/windows/servercore' }],
      output: null,
    },
    {
      name: 'final release from an ARG default',
      code: E + 'ARG WINDOWS_VERSION=1809\n' + GO('mcr.microsoft.com/windows/servercore:ltsc2022') + FINAL('mcr.microsoft.com/windows/nanoserver:${WINDOWS_VERSION}'),
      findings: [{ line: 3, text: 'ltsc2022' }],
      output: E + 'ARG WINDOWS_VERSION=1809\n' + GO('mcr.microsoft.com/windows/servercore:ltsc2019') + FINAL('mcr.microsoft.com/windows/nanoserver:${WINDOWS_VERSION}'),
    },
    {
      name: 'builder tag from its own ARG: the default is edited',
      code: E + 'ARG BUILDER_TAG=ltsc2019\n' + GO('mcr.microsoft.com/windows/servercore:${BUILDER_TAG}') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
      findings: [{ line: 3, text: '${BUILDER_TAG}' }],
      output: E + 'ARG BUILDER_TAG=ltsc2022\n' + GO('mcr.microsoft.com/windows/servercore:${BUILDER_TAG}') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
    },
    {
      name: 'whole builder image from an ARG',
      code: E + 'ARG BUILDER="mcr.microsoft.com/windows/servercore:ltsc2019"\n' + GO('${BUILDER}') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
      findings: [{ line: 3, text: '${BUILDER}', message: '`mcr.microsoft.com/windows/servercore:ltsc2019`' }],
      output: E + 'ARG BUILDER="mcr.microsoft.com/windows/servercore:ltsc2022"\n' + GO('${BUILDER}') + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
    },
    {
      name: 'an ARG shared with another FROM is not edited',
      code: E + 'ARG OLD=ltsc2019\nFROM mcr.microsoft.com/windows/servercore:${OLD} AS a\nFROM mcr.microsoft.com/windows/nanoserver:${OLD} AS b\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n',
      findings: [{ line: 3, text: '${OLD}' }, { line: 4, text: '${OLD}' }],
      output: null,
    },
    {
      name: 'a stage built FROM a mismatched stage: reported once, on the root',
      code: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2019 AS base\nFROM base AS build\nRUN mkdir C:\\out\n' + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
      findings: [{ line: 2, text: 'ltsc2019', message: 'Stage `base`' }],
      output: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\nFROM base AS build\nRUN mkdir C:\\out\n' + FINAL('mcr.microsoft.com/windows/nanoserver:ltsc2022'),
    },
    {
      name: 'unnamed stage copied by index',
      code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2019\nRUN mkdir C:\\out\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2025\nCOPY --from=0 C:/out C:/out\n',
      findings: [{ line: 1, text: 'ltsc2019', message: 'Stage 0 runs' }],
      output: 'FROM mcr.microsoft.com/windows/servercore:ltsc2025\nRUN mkdir C:\\out\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2025\nCOPY --from=0 C:/out C:/out\n',
    },
    {
      name: 'the final stage is built FROM a stage: that stage\'s release decides',
      code: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build\nFROM mcr.microsoft.com/windows/nanoserver:1809 AS runtime\nFROM runtime\nCOPY --from=build C:/app.exe C:/app.exe\n',
      findings: [{ line: 2, text: 'ltsc2022', message: 'final stage runs ltsc2019' }],
      output: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2019 AS build\nFROM mcr.microsoft.com/windows/nanoserver:1809 AS runtime\nFROM runtime\nCOPY --from=build C:/app.exe C:/app.exe\n',
    },
  ],
});
