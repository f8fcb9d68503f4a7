import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/docker/dockerfile.js';
import { archOfPlatform, planDockerfile, platformArgs } from '../../src/docker/plan.js';
import type { TargetContext } from '../../src/targets/index.js';
import { fakeHost } from '../helpers/targets.js';
import { thrownWords } from '../helpers/error-words.js';

const ctx: TargetContext = { host: fakeHost(), today: '2026-11-25' };

function plan(
  text: string,
  options: { buildArgs?: Record<string, string>; arch?: string; stage?: string } = {},
) {
  const c = options.arch ? { ...ctx, arch: options.arch } : ctx;
  const model = parseDockerfile(text, {
    buildArgs: options.buildArgs ?? {},
    platformArgs: platformArgs(ctx.host.arch, c.arch ?? ctx.host.arch),
  });
  return planDockerfile(model, c, options.stage !== undefined ? { stage: options.stage } : {});
}

describe('the image target of a Dockerfile', () => {
  it.each([
    ['node:22.15-alpine3.21', { version: '22.15.1', abi: '127', libc: 'musl', libcVersion: '1.2.5' }],
    ['node:lts-slim', { abi: '147', libc: 'glibc', libcVersion: '2.41' }],
    ['node:current', { abi: '147' }],
    ['node:20-bullseye', { abi: '115', libcVersion: '2.31' }],
    ['docker.io/library/node:22', { abi: '127' }],
  ])('FROM %s', (image, facts) => {
    const p = plan(`FROM ${image}\nRUN npm ci\n`);
    expect(p.final.target).toMatchObject({ id: image, ...facts });
  });

  it('resolves ARG-parameterised FROM lines, and --build-arg', () => {
    const text = 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\nRUN npm ci\n';
    expect(plan(text).final.target).toMatchObject({ id: 'node:22-alpine', abi: '127', libc: 'musl' });
    expect(plan(text, { buildArgs: { NODE_VERSION: '24' } }).final.target).toMatchObject({
      id: 'node:24-alpine',
      abi: '137',
    });
  });

  it('FROM --platform=linux/arm64 makes an arm64 target and says so in its id', () => {
    const p = plan('FROM --platform=linux/arm64 node:22-slim\nRUN npm ci\n');
    expect(p.final.target).toMatchObject({ id: 'node:22-slim (linux/arm64)', arch: 'arm64', armv: '8' });
  });

  it('$BUILDPLATFORM is this machine, $TARGETPLATFORM the --arch of the build', () => {
    const text =
      'FROM --platform=$BUILDPLATFORM node:22 AS build\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /node_modules /node_modules\n';
    const p = plan(text, { arch: 'arm64' });
    expect(p.installTarget!.target).toMatchObject({ arch: 'x64' });
    expect(p.final.target).toMatchObject({ id: 'node:22-slim', arch: 'arm64' });
  });

  it('maps Docker platforms to Node arches', () => {
    expect(
      ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/ppc64le', 'windows/amd64'].map(archOfPlatform),
    ).toEqual(['x64', 'arm64', 'arm', 'ppc64', null]);
  });

  it.each([
    ['ubuntu:24.04', 'not-node-image'],
    ['mycorp/node-base:22', 'not-node-image'],
    ['scratch', 'scratch'],
    ['node:16-alpine', 'unknown-tag'],
    ['node:22-centos', 'unknown-tag'],
  ])('FROM %s is reported, not guessed', (image, reason) => {
    const p = plan(`FROM ${image}\nRUN npm ci\n`);
    expect(p.final.target).toBeNull();
    expect(p.final.problem?.reason).toBe(reason);
  });

  it('recognises distroless Node images by their name', () => {
    const p = plan(
      'FROM node:22 AS build\nRUN npm ci\nFROM gcr.io/distroless/nodejs22-debian12\nCOPY --from=build /node_modules /node_modules\n',
    );
    expect(p.final.target).toMatchObject({
      id: 'gcr.io/distroless/nodejs22-debian12',
      abi: '127',
      libc: 'glibc',
      libcVersion: '2.36',
      toolchain: { python: false, make: false, cxx: false, known: true },
    });
  });

  it('--docker-target picks the stage; an unknown one is a one-line error', () => {
    const text = 'FROM node:22 AS build\nRUN npm ci\nFROM node:22-slim AS app\n';
    expect(plan(text, { stage: 'build' }).final.stage.name).toBe('build');
    expect(plan(text, { stage: '1' }).final.stage.name).toBe('app');
    expect(thrownWords(() => plan(text, { stage: 'nope' }))).toBe(
      '--docker-target nope: no such stage (stages: build, app)',
    );
  });
});

describe('where npm ci runs, and with which tools', () => {
  it('alpine without a toolchain', () => {
    const p = plan('FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n');
    expect(p.install?.kind).toBe('npm-ci');
    expect(p.installTarget!.target!.toolchain).toMatchObject({ python: false, make: false, cxx: false });
  });

  it('alpine with apk add python3 make g++ before npm ci', () => {
    const p = plan('FROM node:22-alpine\nRUN apk add --no-cache python3 make g++\nCOPY . .\nRUN npm ci\n');
    expect(p.installTarget!.target!.toolchain).toEqual({ python: true, make: true, cxx: true, known: true });
    expect(p.final.target!.toolchain.cxx).toBe(false);
  });

  it('tools installed after npm ci do not count', () => {
    const p = plan('FROM node:22-alpine\nRUN npm ci && apk add python3 make g++\n');
    expect(p.installTarget!.target!.toolchain.cxx).toBe(false);
  });

  it('tools from a stage the final stage builds on count', () => {
    const p = plan(
      'FROM node:22-slim AS base\nRUN apt-get update && apt-get install -y python3 make g++\nFROM base\nRUN npm ci\n',
    );
    expect(p.installTarget!.target!.toolchain).toMatchObject({ python: true, make: true, cxx: true });
  });

  it('the multi-stage pattern: build stage installs, the final stage copies node_modules', () => {
    const text = [
      'FROM node:22 AS build',
      'WORKDIR /app',
      'COPY package*.json ./',
      'RUN npm ci',
      'FROM node:22-slim',
      'WORKDIR /app',
      'COPY --from=build /app/node_modules ./node_modules',
      'COPY . .',
      'RUN npx native-guard verify',
    ].join('\n');
    const p = plan(text);
    expect(p.install?.stage.name).toBe('build');
    expect(p.copiedBy?.ref.line).toBe(7);
    expect(p.installTarget!.target).toMatchObject({ id: 'node:22', toolchain: { cxx: true } });
    expect(p.final.target).toMatchObject({ id: 'node:22-slim' });
    expect(p.verifyGate?.ref.line).toBe(9);
  });

  it('copying the whole app folder from the build stage counts too', () => {
    const p = plan(
      'FROM node:22 AS build\nWORKDIR /app\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app /app\n',
    );
    expect(p.copiedBy?.ref.line).toBe(5);
  });

  it('no install anywhere', () => {
    const p = plan('FROM node:22-slim\nCOPY . .\n');
    expect(p.install).toBeNull();
    expect(p.installTarget).toBeNull();
  });
});
