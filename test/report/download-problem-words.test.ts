// The words for the download problems native-guard sets itself (node-pre-gyp template variables).
import { describe, expect, it } from 'vitest';
import type { DownloadProblem } from '../../src/model/prediction.js';
import { describeEvidence } from '../../src/report/words.js';

const download = (problem: DownloadProblem) =>
  describeEvidence({ kind: 'download', tool: 'node-pre-gyp', url: null, cached: null, local: null, problem });

describe('download problem words', () => {
  it('says an unset template variable leaves a URL that cannot exist', () => {
    const text = download({
      code: 'TEMPLATE_UNSET',
      reason: { why: 'template-unset', words: ['{libc_version}'] },
    });
    expect(text).toMatch(
      /^node-pre-gyp cannot compute a download URL: the binary template uses \{libc_version\}/,
    );
    expect(text).toMatch(/does not set/);
    expect(text).toContain('(TEMPLATE_UNSET: {libc_version})');
  });

  it('says how to name the libc version the target does not tell', () => {
    const text = download({
      code: 'TEMPLATE_VALUE_UNKNOWN',
      reason: { why: 'template-value-unknown', words: ['{libc_version}'] },
    });
    expect(text).toMatch(/does not say/);
    expect(text).toContain('node22-linux-x64-glibc2.36');
  });

  it('keeps a tool error as it came', () => {
    expect(download({ code: 'BAD_BINARY_CONFIG', reason: { why: 'host-not-string' } })).toBe(
      'node-pre-gyp cannot compute a download URL: BAD_BINARY_CONFIG: binary.host is not a string',
    );
  });
});
