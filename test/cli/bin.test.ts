// package.json "bin" is dist/bin.js, which runs main(); dist/cli.js only defines it, so a program
// or test that imports the CLI module gets main() without running a command.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../helpers/build.js';

beforeAll(() => ensureBuilt());

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8' });

describe('the bin and the CLI module', () => {
  it('importing dist/cli.js runs no command: no output, exit 0', () => {
    const url = pathToFileURL(join(REPO, 'dist', 'cli.js')).href;
    const r = node([
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(url)}); console.log(typeof m.main);`,
    ]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: 'function\n',
      stderr: '',
    });
  });

  it('package.json "bin" is the file that runs main()', () => {
    expect(join(REPO, pkg.bin['native-guard']!)).toBe(CLI);
    const version = node([CLI, '--version']);
    expect({ status: version.status, stdout: version.stdout }).toEqual({
      status: 0,
      stdout: `${pkg.version}\n`,
    });
    const unknown = node([CLI, 'no-such-command']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^native-guard: unknown command "no-such-command"/);
  });
});
