import { windowsServercoreRuntime, nanoserverTag } from '../../server/src/engine/rules/windows-servercore-runtime';
import { ruleTester } from '../helpers/ruleTester';
import { describe, expect, it } from 'vitest';

const E = '# escape=`\n';
const BUILD = 'FROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\n';

describe('nanoserverTag', () => {
  it('maps releases to the tags nanoserver publishes', () => {
    expect(nanoserverTag('ltsc2022')).toBe('ltsc2022');
    expect(nanoserverTag('ltsc2025')).toBe('ltsc2025');
    expect(nanoserverTag('ltsc2019')).toBe('1809');
    expect(nanoserverTag('ltsc2019-amd64')).toBe('1809-amd64');
    expect(nanoserverTag('1809')).toBe('1809');
    expect(nanoserverTag('10.0.20348.2582')).toBe('10.0.20348.2582');
    expect(nanoserverTag('ltsc2016')).toBeUndefined();
    expect(nanoserverTag(undefined)).toBeUndefined();
  });
});

ruleTester(windowsServercoreRuntime, {
  valid: [
    { name: 'already nanoserver', code: E + BUILD + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n' },
    { name: 'servercore without Go: an IIS-style app', code: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Install-WindowsFeature Web-Server\n' },
    { name: 'servercore only in a build stage', code: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS tools\nFROM golang:1.22-nanoserver-ltsc2022 AS build\nRUN go build -o C:\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\app.exe C:\\app.exe\n' },
    { name: 'servercore final stage that only copies a DLL from servercore', code: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS addon\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=addon /Windows/System32/netapi32.dll /Windows/System32/netapi32.dll\nCOPY app.exe /app.exe\n' },
    { name: 'golang servercore toolchain image as a builder image (no build in it)', code: E + 'FROM golang:1.26-windowsservercore-ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Invoke-WebRequest -Uri https://example.com/x.zip -OutFile x.zip\n' },
    { name: 'another image built on servercore (.NET Framework)', code: E + BUILD + 'FROM mcr.microsoft.com/dotnet/framework/runtime:4.8-windowsservercore-ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n' },
    { name: 'unresolved base', code: E + 'ARG BASE\n' + BUILD + 'FROM ${BASE}\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n' },
    { name: 'servercore final stage copying only config from the Go stage', code: E + BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY --from=build C:\\src\\config.yaml C:\\config.yaml\n' },
    { name: 'pragma', code: E + BUILD + '# container-tuner ignore=windows-servercore-runtime\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n' },
  ],
  invalid: [
    {
      name: 'ltsc2022: preferred fix',
      code: E + BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n',
      findings: [{ line: 6, text: 'mcr.microsoft.com/windows/servercore:ltsc2022', severity: 'warning', message: /ships a Go binary.*about 5 GB.*`mcr\.microsoft\.com\/windows\/nanoserver:ltsc2022`.*ContainerUser/ }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: E + BUILD + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n' }],
    },
    {
      name: 'ltsc2019 becomes 1809',
      code: E + 'FROM golang:1.22-windowsservercore-ltsc2022 AS build\nRUN go build -o /out/app.exe .\nFROM mcr.microsoft.com/windows/servercore:ltsc2019 AS final\nCOPY --from=build /out/app.exe /app.exe\n',
      findings: [{ line: 4, text: 'mcr.microsoft.com/windows/servercore:ltsc2019' }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: E + 'FROM golang:1.22-windowsservercore-ltsc2022 AS build\nRUN go build -o /out/app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:1809 AS final\nCOPY --from=build /out/app.exe /app.exe\n' }],
    },
    {
      name: 'ltsc2025 stays ltsc2025',
      code: BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2025\nCOPY --from=build C:/out/app.exe C:/app.exe\n',
      findings: [{ line: 5 }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: BUILD + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2025\nCOPY --from=build C:/out/app.exe C:/app.exe\n' }],
    },
    {
      name: 'build-number tag kept',
      code: BUILD + 'FROM mcr.microsoft.com/windows/servercore:10.0.20348.2582\nCOPY --from=build C:/out/app.exe C:/app.exe\n',
      findings: [{ line: 5, text: 'mcr.microsoft.com/windows/servercore:10.0.20348.2582' }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: BUILD + 'FROM mcr.microsoft.com/windows/nanoserver:10.0.20348.2582\nCOPY --from=build C:/out/app.exe C:/app.exe\n' }],
    },
    {
      name: 'PowerShell in the final stage: message only',
      code: E + BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]\nRUN New-Item -ItemType Directory C:\\data\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 6, message: 'No quick-fix: the image uses PowerShell (line 7)' }],
      output: null,
    },
    {
      name: 'a cmdlet in a cmd RUN counts as PowerShell',
      code: E + BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command Invoke-WebRequest -Uri https://example.com/ca.pem -OutFile C:\\ca.pem\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 6, message: 'PowerShell (line 7)' }],
      output: null,
    },
    {
      name: 'a plain cmd RUN: fix offered but not preferred',
      code: E + BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN mkdir C:\\data\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 6 }],
      output: null,
      fixes: [
        {
          title: /check the RUN on line 7/,
          output: E + BUILD + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN mkdir C:\\data\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
        },
      ],
    },
    {
      name: 'ARG-driven FROM: range on the FROM word, edit on the ARG default',
      code: E + 'ARG BASE=mcr.microsoft.com/windows/servercore:ltsc2022\n' + BUILD + 'FROM ${BASE}\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 7, text: '${BASE}' }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: E + 'ARG BASE=mcr.microsoft.com/windows/nanoserver:ltsc2022\n' + BUILD + 'FROM ${BASE}\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n' }],
    },
    {
      name: 'ARG-driven FROM with a quoted default',
      code: E + 'ARG BASE="mcr.microsoft.com/windows/servercore:ltsc2019"\n' + BUILD + 'FROM $BASE\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 7, text: '$BASE' }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: E + 'ARG BASE="mcr.microsoft.com/windows/nanoserver:1809"\n' + BUILD + 'FROM $BASE\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n' }],
    },
    {
      name: 'release from a separate ARG: no safe single edit',
      code: E + 'ARG WIN=ltsc2022\n' + BUILD + 'FROM mcr.microsoft.com/windows/servercore:${WIN}\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 7, text: 'mcr.microsoft.com/windows/servercore:${WIN}' }],
      output: null,
    },
    {
      name: 'ltsc2016: no nanoserver to switch to',
      code: E + 'FROM golang AS build\nRUN go install .\nFROM mcr.microsoft.com/windows/servercore:ltsc2016\nCOPY --from=build /go/bin/swarm.exe /swarm.exe\nENTRYPOINT ["\\\\swarm.exe"]\n',
      findings: [{ line: 4, message: /ltsc2022 or ltsc2025.*no supported 2016 image/ }],
      output: null,
    },
    {
      name: 'pinned by digest: no fix',
      code: BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nCOPY --from=build C:/out/app.exe C:/app.exe\n',
      findings: [{ line: 5, message: 'pinned by digest' }],
      output: null,
    },
    {
      name: 'single-stage golang servercore: advice, no fix',
      code: E + 'FROM golang:1.22-windowsservercore-ltsc2022\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\app.exe .\nENTRYPOINT ["C:\\\\app.exe"]\n',
      findings: [{ line: 2, text: 'golang:1.22-windowsservercore-ltsc2022', message: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' }],
      output: null,
    },
    {
      name: 'final stage built on a servercore stage: range on the final FROM, edit on the root FROM',
      code: BUILD + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS runtime\nENV APP_ENV=prod\nFROM runtime\nCOPY --from=build C:/out/app.exe C:/app.exe\n',
      findings: [{ line: 7, text: 'runtime' }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: BUILD + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS runtime\nENV APP_ENV=prod\nFROM runtime\nCOPY --from=build C:/out/app.exe C:/app.exe\n' }],
    },
    {
      name: 'exe copied from a Go stage that the model cannot follow (Windows paths)',
      code: E + 'FROM golang:1.22-windowsservercore-ltsc2022 AS builder\nADD . C:\\\\app\nWORKDIR C:\\\\app\nRUN go build -a -o C:\\\\app\\\\server.exe .\nFROM mcr.microsoft.com/windows/servercore:1809\nCOPY --from=builder C:\\\\app\\\\server.exe C:\\\\server.exe\n',
      findings: [{ line: 6, text: 'mcr.microsoft.com/windows/servercore:1809' }],
      output: null,
      fixes: [{ title: /^Switch to mcr\.microsoft\.com\/windows\/nanoserver/, output: E + 'FROM golang:1.22-windowsservercore-ltsc2022 AS builder\nADD . C:\\\\app\nWORKDIR C:\\\\app\nRUN go build -a -o C:\\\\app\\\\server.exe .\nFROM mcr.microsoft.com/windows/nanoserver:1809\nCOPY --from=builder C:\\\\app\\\\server.exe C:\\\\server.exe\n' }],
    },
  ],
});
