import { resolve } from 'node:path';
import { check } from '../check/run.js';
import type { CheckOptions } from '../check/run.js';
import { renderCheckText } from '../report/check-text.js';
import { renderCheckJson } from '../report/json.js';
import { wantsColor } from '../report/style.js';
import { parseCommandArgs } from './args.js';
import { today } from '../targets/releases.js';
import { DOCKER_FLAGS, parseBuildArgs, withDockerfileDefault } from './docker-options.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types.js';
import type { Command } from './types.js';
import { LOCKFILE_FLAGS, lockfileOptions, suggestAllowScripts } from './check-lockfile.js';
import { currentHostEnvironment } from '../targets/index.js';

const HELP = `Usage: native-guard check [--target <spec>]... [options]

Predicts, for every native package in the installed tree (workspaces included) and every target,
what a fresh \`npm ci\` there would give: prebuilt, source-build, fails or unknown.

Options:
  -t, --target <spec>  where the code will run; repeat or comma-separate. Default: nativeGuard.targets
                       in package.json, else "host". Examples: host, node:22-alpine, node:24-slim,
                       node22-linux-arm64-glibc, node20-darwin-arm64, electron@33 (see "native-guard targets")
      --arch <arch>    override the arch of host, image and version targets (images are multi-arch)
  -C, --cwd <dir>      project folder (default: the current directory)
      --json           JSON report (schemaVersion 1)
      --verbose        per-package strategies, binaries and URLs
      --debug          print stack traces for unexpected errors

Dockerfile (see "native-guard docker --help"):
      --dockerfile [path]       add the image this Dockerfile builds as a target (default path:
                                Dockerfile): its final stage, the stage that runs npm ci and the
                                tools it installs; checks what the build context copies in
      --no-dockerfile           skip ./Dockerfile (found and checked for build-context leaks by default)
      --build-arg <NAME=value>  ARG value, as for docker build (repeatable)
      --docker-target <stage>   the stage that is the image (default: the last)
      --docker-context <dir>    build context folder (default: the project folder)
      (--arch is the platform the image is built for, like docker build --platform linux/<arch>)
Before install (no node_modules yet):
      --lockfile-only  read package-lock.json / npm-shrinkwrap.json even when node_modules exists
                       (the default when there is no node_modules); tarballs of packages that can be
                       native come through npm's cache first, honouring npm's registry/proxy config
      --offline        npm's cache only: what is not cached is reported (MANIFEST_UNAVAILABLE)
      --online         check that each prebuilt download (prebuild-install, node-pre-gyp) exists:
                       HEAD, falling back to a ranged GET; mirror variables and npm's proxy apply
      --online-timeout <ms>  per-URL timeout for --online (default 10000)
      --suggest-allow-scripts  print only the smallest block that keeps every target working, in the
                       detected manager's setting: npm "allowScripts", pnpm "allowBuilds" (YAML),
                       Yarn "dependenciesMeta", Bun "trustedDependencies" (JSON otherwise)

Configuration (package.json): "nativeGuard": { "targets": [...], "ignore": [package or CODE], "allowSourceBuild": [package] }
Every finding code is explained in docs/findings.md.`;

export const checkCommand: Command = {
  name: 'check',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(withDockerfileDefault(args), {
      target: { type: 'string', short: 't', multiple: true },
      arch: { type: 'string' },
      verbose: { type: 'boolean' },
      ...DOCKER_FLAGS,
      'no-dockerfile': { type: 'boolean' },
      ...LOCKFILE_FLAGS,
    });
    if (values.help) return { stdout: HELP + '\n', exitCode: EXIT_OK };
    if (positionals.length)
      throw new UsageError(`check takes no positional arguments (got "${positionals[0]}")`);
    const options: CheckOptions = { cwd: resolve(io.cwd, values.cwd ?? '.'), today: today(io.env) };
    if (values.target) options.targets = values.target;
    if (values.arch) options.arch = values.arch;
    // --- Dockerfile options ---
    if (values['no-dockerfile']) options.dockerfile = false;
    else if (values.dockerfile !== undefined) options.dockerfile = values.dockerfile;
    const buildArgs = parseBuildArgs(values['build-arg'], io.env);
    if (buildArgs) options.buildArgs = buildArgs;
    if (values['docker-target'] !== undefined) options.dockerTarget = values['docker-target'];
    if (values['docker-context'] !== undefined)
      options.dockerContext = resolve(options.cwd!, values['docker-context']);
    Object.assign(options, lockfileOptions(values));
    // the environment the command was given (mirror variables, npm_config_*), not this process's
    options.host = { ...currentHostEnvironment(), env: io.env };
    const report = await check(options);
    if (values['suggest-allow-scripts']) return { stdout: suggestAllowScripts(report), exitCode: EXIT_OK };
    const stdout = values.json
      ? renderCheckJson(report)
      : renderCheckText(report, { color: wantsColor(io.isTTY, io.env), verbose: !!values.verbose });
    return {
      stdout,
      exitCode: report.findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK,
    };
  },
};
