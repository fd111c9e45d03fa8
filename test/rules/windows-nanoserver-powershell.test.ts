import { describe, expect, it } from 'vitest';
import { powershellProgram, windowsNanoserverPowershell } from '../../server/src/engine/rules/windows-nanoserver-powershell';
import { ruleTester } from '../helpers/ruleTester';

const E = '# escape=`\n';
const NANO = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n';
const PS_SHELL = 'SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]\n';
const CMD_SHELL = 'SHELL ["cmd", "/S", "/C"]\n';

describe('powershellProgram', () => {
  it('recognizes both PowerShells under any path', () => {
    expect(powershellProgram('powershell')).toBe('powershell');
    expect(powershellProgram('PowerShell.exe')).toBe('powershell');
    expect(powershellProgram('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe')).toBe('powershell');
    expect(powershellProgram('pwsh')).toBe('pwsh');
    expect(powershellProgram('C:/Program Files/PowerShell/pwsh.exe')).toBe('pwsh');
    expect(powershellProgram('powershell.ps1')).toBeUndefined();
    expect(powershellProgram('cmd')).toBeUndefined();
  });
});

ruleTester(windowsNanoserverPowershell, {
  valid: [
    { name: 'nanoserver with cmd', code: E + NANO + CMD_SHELL + 'RUN mkdir C:\\data && curl.exe -fsSL -o C:\\data\\x.txt https://example.com/x.txt\n' },
    { name: 'nanoserver with the default shell', code: NANO + 'RUN mkdir C:\\data\n' },
    { name: 'servercore with PowerShell', code: E + 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\n' + PS_SHELL + 'RUN Invoke-WebRequest -Uri https://example.com/x.zip -OutFile x.zip\n' },
    {
      name: 'PowerShell in the Server Core build stage, nothing in the Nano Server stage',
      code:
        E +
        'FROM golang:1.22-windowsservercore-ltsc2022 AS build\n' + PS_SHELL +
        'RUN Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile tool.zip; `\n    Expand-Archive tool.zip -DestinationPath C:\\tool\n' +
        'RUN go build -o C:\\out\\app.exe .\n' +
        NANO + 'COPY --from=build C:\\out\\app.exe C:\\app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n',
    },
    { name: 'PowerShell image ships pwsh', code: E + 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nSHELL ["pwsh", "-Command"]\nRUN Get-ChildItem C:\\\n' },
    { name: '.NET SDK Nano Server image ships pwsh', code: E + 'FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022\nRUN pwsh -Command Get-ChildItem\n' },
    {
      name: 'pwsh copied into the stage',
      code:
        E + NANO +
        'COPY --from=mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022 ["C:\\\\Program Files\\\\PowerShell", "C:\\\\Program Files\\\\PowerShell"]\n' +
        'SHELL ["C:\\\\Program Files\\\\PowerShell\\\\pwsh.exe", "-Command"]\nRUN Get-ChildItem\n',
    },
    {
      name: 'pwsh copied in after the SHELL, before the first RUN',
      code: E + NANO + 'SHELL ["pwsh", "-Command"]\nCOPY --from=mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022 ["C:\\\\Program Files\\\\PowerShell", "C:\\\\Program Files\\\\PowerShell"]\nRUN Get-ChildItem\n',
    },
    { name: 'the word powershell as an argument', code: NANO + 'RUN echo powershell is absent here\n' },
    { name: 'PowerShell on Linux', code: 'FROM mcr.microsoft.com/powershell:lts-ubuntu-22.04\nSHELL ["pwsh", "-Command"]\nRUN Get-ChildItem /\n' },
    { name: 'unresolved base image', code: E + 'ARG BASE\nFROM ${BASE}\n' + PS_SHELL + 'RUN Get-ChildItem\n' },
    {
      name: 'HostProcess image: the node\'s PowerShell runs the entrypoint',
      code: E + NANO + 'COPY start.ps1 C:/hpc/start.ps1\nENTRYPOINT ["powershell", "-File", "C:/hpc/start.ps1"]\n',
    },
    {
      name: 'HostProcess image (CONTAINER_SANDBOX_MOUNT_POINT): shell-form entrypoint under a PowerShell SHELL',
      code: E + NANO + PS_SHELL + 'ENTRYPOINT $env:CONTAINER_SANDBOX_MOUNT_POINT/flannel/start.ps1\n',
    },
    { name: 'a later SHELL back to cmd covers the RUN', code: E + 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nSHELL ["pwsh", "-Command"]\nRUN Get-ChildItem\n' + CMD_SHELL + 'RUN mkdir C:\\x\n' },
    { name: 'pragma', code: E + NANO + '# container-tuner ignore=windows-nanoserver-powershell\n' + PS_SHELL + 'RUN Get-ChildItem\n' },
    { name: 'Get-something under an unknown default shell', code: E + 'FROM example.com/tools:1-nanoserver-ltsc2022\nRUN Get-ChildItem\n' },
  ],
  invalid: [
    {
      name: 'SHELL powershell with cmdlets after it: no fix',
      code: E + NANO + PS_SHELL + 'RUN Invoke-WebRequest -Uri https://example.com/x.zip -OutFile C:\\x.zip; `\n    Expand-Archive C:\\x.zip -DestinationPath C:\\x\n',
      findings: [
        {
          line: 3,
          text: '["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]',
          severity: 'error',
          message: /absent from the Nano Server image.*the RUN on line 4 cannot start.*Server Core build stage/,
        },
      ],
      output: null,
    },
    {
      name: 'SHELL powershell whose commands read the same under cmd: fix offered, not preferred',
      code: E + NANO + PS_SHELL + 'RUN mkdir C:\\data\nRUN curl.exe -fsSL -o C:\\data\\x.txt https://example.com/x.txt\nENTRYPOINT ["C:\\\\app.exe"]\n',
      findings: [{ line: 3, severity: 'error', message: /and 1 more instruction cannot start.*read the same under `cmd \/S \/C`/ }],
      output: null,
      fixes: [
        {
          title: 'Switch SHELL to cmd /S /C (check the commands that run under it)',
          output: E + NANO + CMD_SHELL + 'RUN mkdir C:\\data\nRUN curl.exe -fsSL -o C:\\data\\x.txt https://example.com/x.txt\nENTRYPOINT ["C:\\\\app.exe"]\n',
        },
      ],
    },
    {
      name: 'a forward-slash path to mkdir is a switch in cmd: no fix',
      code: E + NANO + PS_SHELL + 'RUN mkdir /data\n',
      findings: [{ line: 3 }],
      output: null,
    },
    {
      name: 'SHELL powershell nothing uses yet: warning, preferred switch to cmd',
      code: E + NANO + PS_SHELL + 'COPY app.exe C:/app.exe\nENTRYPOINT ["C:/app.exe"]\n',
      findings: [{ line: 3, severity: 'warning', message: 'no instruction uses it yet' }],
      output: E + NANO + CMD_SHELL + 'COPY app.exe C:/app.exe\nENTRYPOINT ["C:/app.exe"]\n',
    },
    {
      name: 'RUN powershell under the default cmd',
      code: NANO + 'RUN powershell -Command "New-Item -ItemType Directory C:\\data"\n',
      findings: [{ line: 2, text: 'powershell', severity: 'error', message: /RUN runs PowerShell on Nano Server.*`powershell` is not found and the build fails/ }],
      output: null,
    },
    {
      name: 'powershell.exe by full path on a backtick continuation line',
      code: E + NANO + 'RUN mkdir C:\\data && `\n    C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -c "Get-Date"\n',
      findings: [{ line: 4, text: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' }],
      output: null,
    },
    {
      name: 'through cmd /c',
      code: NANO + 'RUN cmd /S /C powershell -NoProfile -Command Get-Date\n',
      findings: [{ line: 2, text: 'powershell' }],
      output: null,
    },
    {
      name: 'exec-form RUN',
      code: E + NANO + 'RUN ["powershell", "-Command", "Get-Date"]\n',
      findings: [{ line: 3, text: 'powershell', severity: 'error' }],
      output: null,
    },
    {
      name: 'exec-form ENTRYPOINT: the container fails to start',
      code: E + NANO + 'COPY start.cmd C:/start.cmd\nENTRYPOINT ["pwsh", "-Command", "Start-Sleep 1"]\n',
      findings: [{ line: 4, text: 'pwsh', message: /`pwsh` \(PowerShell 7\) is not installed.*container fails to start/ }],
      output: null,
    },
    {
      name: 'shell-form CMD',
      code: NANO + 'CMD powershell -NoLogo\n',
      findings: [{ line: 2, text: 'powershell', message: 'container fails to start' }],
      output: null,
    },
    {
      name: 'golang nanoserver image with SHELL pwsh (not installed)',
      code: E + 'FROM golang:1.22-nanoserver-ltsc2022 AS build\nSHELL ["pwsh", "-Command"]\nRUN go build -o C:\\out\\app.exe .\n',
      findings: [{ line: 3, text: '["pwsh", "-Command"]', severity: 'error', message: '`pwsh` (PowerShell 7) is not installed' }],
      output: null,
      fixes: [{ title: /^Switch SHELL to cmd/, output: E + 'FROM golang:1.22-nanoserver-ltsc2022 AS build\nSHELL ["cmd", "/S", "/C"]\nRUN go build -o C:\\out\\app.exe .\n' }],
    },
    {
      name: 'Windows PowerShell in a pwsh image: offer pwsh',
      code: E + 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem\n',
      findings: [{ line: 3, text: '["powershell", "-Command"]', message: 'even where PowerShell 7 is installed' }],
      output: null,
      fixes: [{ title: /^Use pwsh/, output: E + 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nSHELL ["pwsh", "-Command"]\nRUN Get-ChildItem\n' }],
    },
    {
      name: 'RUN powershell in a pwsh image: offer pwsh',
      code: 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nRUN powershell -Command Get-ChildItem\n',
      findings: [{ line: 2, text: 'powershell' }],
      output: null,
      fixes: [{ title: /^Use pwsh/, output: 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nRUN pwsh -Command Get-ChildItem\n' }],
    },
    {
      name: 'a cmdlet run by cmd',
      code: NANO + 'RUN Invoke-WebRequest -Uri https://example.com/x.zip -OutFile C:\\x.zip\n',
      findings: [{ line: 2, text: 'Invoke-WebRequest', severity: 'error', message: 'is a PowerShell cmdlet' }],
      output: null,
    },
    {
      name: 'ARG-driven FROM',
      code: E + 'ARG BASE=mcr.microsoft.com/windows/nanoserver:ltsc2025\nFROM ${BASE}\n' + PS_SHELL + 'RUN Get-ChildItem C:\\\n',
      findings: [{ line: 4, message: '`mcr.microsoft.com/windows/nanoserver:ltsc2025`' }],
      output: null,
    },
    {
      name: 'tag left to a build argument: the repository still says Nano Server',
      code: E + 'ARG TAG\nFROM mcr.microsoft.com/windows/nanoserver:${TAG}\nRUN powershell -c Get-Date\n',
      findings: [{ line: 4, text: 'powershell' }],
      output: null,
    },
    {
      name: 'SHELL set in a parent stage governs the child stage: one finding',
      code: E + NANO.replace('\n', ' AS base\n') + PS_SHELL + 'FROM base\nRUN Get-ChildItem\n',
      findings: [{ line: 3, severity: 'error', message: 'the RUN on line 5' }],
      output: null,
    },
    {
      name: 'multi-line SHELL: no edit across lines',
      code: E + NANO + 'SHELL ["powershell", `\n      "-Command"]\nRUN mkdir C:\\data\n',
      findings: [{ line: 3, text: '["powershell", `' }],
      output: null,
    },
    {
      name: 'two stages: each Nano Server stage reported',
      code: E + NANO.replace('\n', ' AS a\n') + PS_SHELL + 'RUN Get-Date\n' + 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN powershell Get-Date\n',
      findings: [{ line: 3 }, { line: 6, text: 'powershell' }],
      output: null,
    },
  ],
});
