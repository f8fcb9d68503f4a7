import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[]): { stdout: string; stderr: string; status: number } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', NATIVE_GUARD_TODAY: '2026-11-25' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { stdout, stderr: '', status: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; status: number };
    return { stdout: e.stdout, stderr: e.stderr, status: e.status };
  }
}

describe('inspect command', () => {
  it('--json: one entry per file given, in order, unreadable ones included', () => {
    const files = [
      'fixtures/binaries/bufferutil-4.1.0-linux-x64.node',
      'fixtures/addons/bin/empty.node',
      'fixtures/does-not-exist.node',
      'fixtures/binaries/fsevents-2.3.3-darwin-universal.node',
      'fixtures/addons/bin/legacy-abi.node',
      'fixtures/binaries/bufferutil-4.1.0-linux-x64.node',
    ];
    const r = run(['inspect', '--json', ...files]);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as { schemaVersion: number; files: Array<Record<string, unknown>> };
    expect(json.schemaVersion).toBe(1);
    expect(json.files.map((f) => f.file)).toEqual(files);
    for (const f of json.files) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining([
          'file',
          'format',
          'arch',
          'arches',
          'platform',
          'libc',
          'needed',
          'glibcVersion',
          'glibcxxVersion',
          'module',
          'napiVersion',
          'reason',
        ]),
      );
    }
    expect(json.files[0]).toMatchObject({
      format: 'elf',
      arch: 'x64',
      platform: 'linux',
      libc: 'glibc',
      glibcVersion: '2.4',
      module: { kind: 'napi' },
    });
    // `reason` keeps its words; `notes` carries the same as codes
    expect(json.files[1]).toMatchObject({
      format: null,
      reason: 'empty file',
      notes: [{ code: 'EMPTY_FILE' }],
    });
    expect(json.files[2]).toMatchObject({
      format: null,
      notes: [{ code: 'CANNOT_READ', errorCode: 'ENOENT' }],
    });
    expect(String(json.files[2]!.reason)).toMatch(/not found/);
    expect(json.files[0]).toMatchObject({ reason: null, notes: [] });
    expect(json.files[3]).toMatchObject({ format: 'macho', arches: ['x64', 'arm64'], platform: 'darwin' });
    expect(json.files[4]).toMatchObject({ module: { kind: 'abi', abi: '115' } });
  });

  it('--target says why a file cannot load there', () => {
    const r = run([
      'inspect',
      '--json',
      '-t',
      'node:24-slim',
      'fixtures/addons/bin/legacy-abi.node',
      'fixtures/addons/bin/napi-ok.node',
    ]);
    const json = JSON.parse(r.stdout) as { files: Array<{ mismatches: Array<Record<string, unknown>> }> };
    expect(json.files[0]!.mismatches).toEqual([
      { target: 'node:24-slim', code: 'ABI_MISMATCH', binaryAbi: '115', targetAbi: '137' },
    ]);
    expect(json.files[1]!.mismatches).toEqual([]);
    expect(r.status).toBe(1);
    expect(run(['inspect', '-t', 'node:24-slim', 'fixtures/addons/bin/napi-ok.node']).status).toBe(0);
  });

  it('text output and usage errors', () => {
    const r = run(['inspect', 'fixtures/binaries/bufferutil-4.1.0-win32-x64.node']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PE x64 win32/);
    const none = run(['inspect']);
    expect(none.status).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
  });
});
