import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/build.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/trees/mixed', import.meta.url));

function run(
  args: string[],
  env: Record<string, string> = {},
): { stdout: string; stderr: string; status: number } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', NATIVE_GUARD_TODAY: '2026-11-25', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { stdout, stderr: '', status: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; status: number };
    return { stdout: e.stdout, stderr: e.stderr, status: e.status };
  }
}

/** ESC, the start of every ANSI colour sequence. */
const ESC = String.fromCharCode(27);

/** Paths differ per checkout; the snapshot keeps everything else. */
const redact = (s: string) => s.split(FIXTURE).join('<fixture>');

describe('check output', () => {
  const targets = ['-t', 'node:22-alpine', '-t', 'node:22-slim', '-t', 'node22-darwin-arm64'];

  it('text: matrix, findings with fixes and docs anchors, summary; exit 1 on error findings', async () => {
    const r = run(['check', '-C', FIXTURE, ...targets]);
    expect(r.status).toBe(1);
    expect(r.stdout.includes(ESC)).toBe(false);
    await expect(redact(r.stdout)).toMatchFileSnapshot('__snapshots__/check-mixed.txt');
  });

  it('verbose text lists strategies and the binary or URL per target', async () => {
    const r = run(['check', '-C', FIXTURE, '--verbose', ...targets]);
    await expect(redact(r.stdout)).toMatchFileSnapshot('__snapshots__/check-mixed-verbose.txt');
  });

  it('colour only when forced or on a terminal, never with NO_COLOR', () => {
    const forced = run(['check', '-C', FIXTURE, ...targets], { FORCE_COLOR: '1', NO_COLOR: '' });
    expect(forced.stdout.includes(ESC)).toBe(true);
    const vetoed = run(['check', '-C', FIXTURE, ...targets], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(vetoed.stdout.includes(ESC)).toBe(false);
  });

  it('json follows the contract', () => {
    const r = run(['check', '-C', FIXTURE, '--json', ...targets]);
    const json = JSON.parse(r.stdout) as Record<string, unknown> & {
      targets: Array<Record<string, unknown>>;
      packages: Array<Record<string, unknown> & { predictions: Array<Record<string, unknown>> }>;
      findings: Array<Record<string, unknown>>;
    };
    expect(json.schemaVersion).toBe(1);
    expect(json.targets.map((t) => t.id)).toEqual(['node:22-alpine', 'node:22-slim', 'node22-darwin-arm64']);
    for (const t of json.targets) {
      expect(Object.keys(t)).toEqual(
        expect.arrayContaining([
          'id',
          'runtime',
          'version',
          'abi',
          'napi',
          'platform',
          'arch',
          'libc',
          'toolchain',
        ]),
      );
      expect(Object.keys(t.toolchain as object)).toEqual(expect.arrayContaining(['python', 'make', 'cxx']));
    }
    for (const p of json.packages) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining(['name', 'version', 'location', 'strategies', 'predictions']),
      );
      expect(p.location).not.toMatch(/^\//);
      for (const pred of p.predictions)
        expect(['prebuilt', 'source-build', 'fails', 'unknown']).toContain(pred.outcome);
    }
    for (const f of json.findings) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining(['code', 'severity', 'package', 'location', 'target']),
      );
      expect(f.package === null || /@/.test(String(f.package))).toBe(true);
    }
    expect(r.status).toBe(1);
  });

  it('usage errors are one line with exit 2', () => {
    const bad = run(['check', '-C', FIXTURE, '-t', 'node:22-foo']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/node:22-foo/);
    const flag = run(['check', '--bogus']);
    expect(flag.status).toBe(2);
    expect(flag.stderr.trim().split('\n')).toHaveLength(1);
    const missing = run(['check', '-C', '/nonexistent/project']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/\/nonexistent\/project/);
    expect(run(['frobnicate']).status).toBe(2);
  });

  it('help and version', () => {
    expect(run(['--help']).stdout).toMatch(/Usage: native-guard <command>/);
    expect(run(['check', '--help']).stdout).toMatch(/--target <spec>/);
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
