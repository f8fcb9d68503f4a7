import { describe, expect, it } from 'vitest';
import { extract, grade, truthOf } from '../../bench/truth/truth.mjs';
import { checkRecordSlim, readRecord } from './slim-check.js';

/**
 * tree-sitter 0.25.1's prebuilds/linux-x64/tree-sitter.node (and linux-arm64's) needs
 * GLIBCXX_3.4.31; Debian 12's libstdc++ (this machine's, and the arm64 one the truth harness ran
 * under qemu) stops at GLIBCXX_3.4.30. node-gyp-build's install-time load test rejects the
 * prebuild and compiles, which fails without a toolchain: the recorded node22-slim, node24-slim
 * and arm64-slim cells are install failures. Graded as bench/truth/grade.mjs grades them.
 */
const NAME = 'tree-sitter';
const record = readRecord(NAME, '0.25.1');
const checkSlim = (args: string[]) => checkRecordSlim(record, args);

// node22/node24 are this machine with another Node: its libstdc++ is the one the cells ran with
const hostMatches = process.platform === 'linux' && process.arch === 'x64';

describe.skipIf(!hostMatches)('GLIBCXX_ against the recorded truth (tree-sitter 0.25.1, linux x64)', () => {
  it('node22-slim and node24-slim: the prebuild is rejected, the build has no toolchain: fails', () => {
    const report = checkSlim(['--target', 'node22', '--target', 'node24']) as {
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
    const glibcxx = report.findings.filter((f) => f.code === 'GLIBCXX_TOO_OLD');
    expect(glibcxx.map((f) => [f.target, f.evidence.needed, f.evidence.file])).toEqual([
      ['node22', '3.4.31', 'prebuilds/linux-x64/tree-sitter.node'],
      ['node24', '3.4.31', 'prebuilds/linux-x64/tree-sitter.node'],
    ]);
  });

  it('arm64-slim (node:22-bookworm-slim, Debian 12 libstdc++ 3.4.30): fails', () => {
    const report = checkSlim(['--target', 'node:22-bookworm-slim', '--arch', 'arm64']);
    const p = extract(report, [NAME], ['node:22-bookworm-slim'])['node:22-bookworm-slim'] ?? null;
    const cell = record.runs['arm64-slim']!;
    const g = grade(truthOf(cell, [NAME], []), p, cell);
    expect({ outcome: p?.outcome, grade: g.grade, why: g.why }).toMatchObject({ grade: 'right' });
  });
});
