import { baseImageUnpinned } from '../../server/src/engine/rules/base-image-unpinned';
import { ruleTester } from '../helpers/ruleTester';

ruleTester(baseImageUnpinned, {
  valid: [
    { name: 'version tag', code: 'FROM golang:1.22-alpine AS build\nFROM alpine:3.20\n' },
    { name: 'scratch', code: 'FROM golang:1.22 AS build\nFROM scratch\n' },
    { name: 'stage reference', code: 'FROM golang:1.22 AS build\nFROM build AS test\nRUN go test ./...\n' },
    { name: 'stage reference, other case', code: 'FROM golang:1.22 AS Build\nFROM build\n' },
    { name: 'digest without tag', code: 'FROM golang@sha256:0178a641fbb4858c5f1b48e34bdaabe0350a330a1b1149aabd498d0a1c2d3e4f\n' },
    { name: 'latest pinned by digest', code: 'FROM alpine:latest@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b\n' },
    { name: 'registry with a port and a tag', code: 'FROM localhost:5000/base:1.2\n' },
    { name: 'registry with a port is not a tag', code: 'FROM registry.example.com:5000/team/base:2024.06\n' },
    { name: 'floating but not latest (out of scope)', code: 'FROM golang:alpine AS build\nFROM alpine:3\n' },
    { name: 'latest-<arch> is a different tag', code: 'FROM gcr.io/distroless/static-debian12:latest-amd64\n' },
    { name: 'ARG with a tagged default', code: 'ARG BASE=alpine:3.20\nFROM ${BASE}\n' },
    { name: 'ARG tag with a version default', code: 'ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}-alpine\n' },
    { name: 'ARG without default: unknown, silent', code: 'ARG BASE\nFROM ${BASE}\n' },
    { name: 'undeclared variable: silent', code: 'FROM golang:$GO_IMAGE_TAG AS build\nFROM $RUNTIME\n' },
    { name: 'ARG tag without default: silent', code: 'ARG TAG\nFROM alpine:${TAG}\n' },
    { name: 'default value syntax', code: 'FROM ${BASE_IMAGE:-gcr.io/distroless/static:nonroot}\n' },
    { name: 'ARG declared inside a stage does not apply to FROM', code: 'FROM golang:1.22\nARG TAG=latest\n' },
    { name: 'empty ARG default: not a valid reference, silent', code: 'ARG TAG=\nFROM alpine:${TAG}\n' },
    { name: 'unresolved digest', code: 'ARG NANOSERVER_VERSION\nFROM mcr.microsoft.com/windows/nanoserver@${NANOSERVER_VERSION} as wins\n' },
    { name: 'unresolved tag after a literal latest-looking path', code: 'FROM latest/app:${TAG}\n' },
    { name: 'ARG default with shell-style substitution left unexpanded', code: 'ARG GO_VERSION=1.22\nARG PLAT=${TARGETPLATFORM_DASHES/arm/v7/arm-7}\nFROM gotify/build:${GO_VERSION}-${PLAT} AS builder\n' },
    { name: 'pragma', code: '# container-tuner ignore=base-image-unpinned\nFROM alpine\n' },
    { name: 'hadolint DL3006 pragma', code: '# hadolint ignore=DL3006\nFROM alpine\n' },
    { name: 'hadolint DL3007 pragma', code: '# hadolint ignore=DL3007\nFROM alpine:latest\n' },
    { name: 'windows tag', code: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n' },
  ],
  invalid: [
    {
      name: 'no tag',
      code: 'FROM golang:1.22 AS build\nFROM alpine\nCOPY --from=build /app /app\n',
      findings: [{ line: 2, text: 'alpine', severity: 'warning', message: 'has no tag' }],
      output: null,
    },
    {
      name: ':latest',
      code: 'FROM golang:latest\n',
      findings: [{ line: 1, text: 'golang:latest', severity: 'warning', message: /moving `:latest` tag.*Go toolchain/ }],
      output: null,
    },
    {
      name: 'with --platform and AS',
      code: 'FROM --platform=$BUILDPLATFORM golang AS build\nFROM --platform=$TARGETPLATFORM alpine:latest\n',
      findings: [
        { line: 1, text: 'golang', message: 'no tag' },
        { line: 2, text: 'alpine:latest', message: ':latest' },
      ],
    },
    {
      name: 'registry path without tag',
      code: 'FROM gcr.io/distroless/static\n',
      findings: [{ line: 1, text: 'gcr.io/distroless/static' }],
    },
    {
      name: 'registry with a port, no tag',
      code: 'FROM localhost:5000/base\n',
      findings: [{ line: 1, text: 'localhost:5000/base', message: 'no tag' }],
    },
    {
      name: 'ARG default without tag names the ARG',
      code: 'ARG BASE=alpine\nFROM ${BASE}\n',
      findings: [{ line: 2, text: '${BASE}', message: '`ARG BASE` defaults to `alpine`' }],
    },
    {
      name: 'ARG tag defaulting to latest',
      code: 'ARG GO_VERSION=latest\nFROM golang:$GO_VERSION AS build\nFROM scratch\n',
      findings: [{ line: 2, text: 'golang:$GO_VERSION', message: '`ARG GO_VERSION` defaults to `latest`' }],
    },
    {
      name: 'literal :latest with an unresolved variable in the name',
      code: 'ARG OS\nFROM quay.io/prometheus/busybox-${OS}:latest\n',
      findings: [{ line: 2, text: 'quay.io/prometheus/busybox-${OS}:latest', message: ':latest' }],
    },
    {
      name: 'a stage name used before it is defined is an image',
      code: 'FROM base\nFROM golang:1.22 AS base\n',
      findings: [{ line: 1, text: 'base' }],
    },
    {
      name: 'stage shadowing: the reference after the definition is the stage, the earlier FROM is the image',
      code: 'FROM alpine:3.20@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b AS alpine\nFROM alpine AS user-setup\nFROM busybox\n',
      findings: [{ line: 3, text: 'busybox' }],
    },
    {
      name: 'continuation line in FROM',
      code: 'FROM --platform=linux/amd64 \\\n  ubuntu AS base\n',
      findings: [{ line: 2, text: 'ubuntu' }],
    },
    {
      name: 'windows escape directive',
      code: '# escape=`\nFROM golang AS build\nRUN go build -o app.exe .\nFROM mcr.microsoft.com/windows/nanoserver\n',
      findings: [
        { line: 2, text: 'golang' },
        { line: 4, text: 'mcr.microsoft.com/windows/nanoserver' },
      ],
    },
    {
      name: 'severity override from config',
      code: 'FROM alpine\n',
      config: { rules: { 'base-image-unpinned': 'error' } },
      findings: [{ line: 1, severity: 'error' }],
    },
  ],
});
