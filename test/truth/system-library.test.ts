import { describe, expect, it } from 'vitest';
import { extract, grade, truthOf } from '../../bench/truth/truth.mjs';
import { hostSystemLibraries } from '../../src/targets/libc.js';
import { checkRecordSlim, readRecord } from './slim-check.js';

/**
 * msnodesqlv8 5.5.0's prebuilds/linux-x64/msnodesqlv8.glibc.node NEEDs libodbc.so.2 (unixODBC),
 * which the machine the truth was recorded on does not have: node-gyp-build's install-time load
 * test fails, it runs node-gyp rebuild, and without a toolchain that fails (the recorded
 * node22-slim and node24-slim cells). Judged only where this machine lacks the library too.
 */
const NAME = 'msnodesqlv8';
const record = readRecord(NAME, '5.5.0');
const libraries = process.platform === 'linux' && process.arch === 'x64' ? hostSystemLibraries('x64') : null;
const lacksOdbc = !!libraries && !libraries.includes('libodbc.so.2');

describe.skipIf(!lacksOdbc)(
  'a prebuild NEEDing a library this machine lacks (msnodesqlv8 5.5.0, no libodbc.so.2)',
  () => {
    it('node22-slim and node24-slim: rejected at install, no toolchain to build: fails', () => {
      const report = checkRecordSlim(record, ['--target', 'node22', '--target', 'node24']) as {
        findings: Array<{ code: string; target?: string; evidence: Record<string, unknown> }>;
      };
      const p = extract(report, [NAME], ['node22', 'node24']);
      for (const [kind, target] of [
        ['node22-slim', 'node22'],
        ['node24-slim', 'node24'],
      ] as const) {
        const cell = record.runs[kind]!;
        const g = grade(truthOf(cell, [NAME], []), p[target] ?? null, cell);
        expect({ kind, outcome: p[target]?.outcome, grade: g.grade, why: g.why }).toMatchObject({
          grade: 'right',
        });
      }
      const missing = report.findings.filter((f) => f.code === 'SHARED_LIBRARY_MISSING');
      expect(missing.map((f) => [f.target, f.evidence.libraries, f.evidence.file])).toEqual([
        ['node22', ['libodbc.so.2'], 'prebuilds/linux-x64/msnodesqlv8.glibc.node'],
        ['node24', ['libodbc.so.2'], 'prebuilds/linux-x64/msnodesqlv8.glibc.node'],
      ]);
    });

    it('an image target, whose libraries native-guard does not know, gets no such verdict', () => {
      const report = checkRecordSlim(record, ['--target', 'node:22-bookworm-slim']) as {
        findings: Array<{ code: string }>;
      };
      expect(report.findings.filter((f) => f.code === 'SHARED_LIBRARY_MISSING')).toEqual([]);
    });
  },
);
