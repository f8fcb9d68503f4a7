import { describe, expect, it } from 'vitest';
import { makeFinding } from '../../src/model/findings.js';
import type { Evidence } from '../../src/model/prediction.js';
import { describeEvidence } from '../../src/report/words.js';
import { findingJson } from '../../src/report/json.js';
import { planPrebuildInstall } from '../../src/strategies/download/prebuild-install.js';
import { makeTarget } from '../strategies/download/targets.js';

/** strategies/download/ hands back a coded problem; report/ words it as the evidence always said it. */
describe('download problems: codes from the planners, words from report/', () => {
  const target = makeTarget('node22-linux-x64', 'node', '22.12.0', 'linux', 'x64', 'glibc');

  it('a package with no github.com URL anywhere: NO_REPOSITORY, worded in text and kept as words in the JSON', () => {
    const plan = planPrebuildInstall({
      pkg: { name: 'no-repo', version: '1.0.0' },
      args: [],
      target,
      env: {},
      npmCache: '/nonexistent-cache',
    });
    expect(plan.problem).toEqual({ code: 'NO_REPOSITORY', reason: { why: 'no-github-url' } });
    const download: Evidence = {
      kind: 'download',
      tool: 'prebuild-install',
      url: plan.url,
      cached: null,
      local: null,
      problem: plan.problem!,
    };
    expect(describeEvidence(download)).toBe(
      'prebuild-install cannot compute a download URL: NO_REPOSITORY: no github.com URL in repository or elsewhere in package.json',
    );
    const f = makeFinding(
      'NO_PREBUILD_FOR_TARGET',
      { package: 'no-repo@1.0.0', target: 'host' },
      { strategies: ['prebuild-install'], details: [download] },
    );
    expect((findingJson(f).evidence as { details: object[] }).details[0]).toEqual({
      ...download,
      problem: 'NO_REPOSITORY: no github.com URL in repository or elsewhere in package.json',
      problemReason: { why: 'no-github-url' },
    });
  });
});
