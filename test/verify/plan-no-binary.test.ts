import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describe as words } from '../../src/report/messages.js';
import { noBinaryAllowedBy } from '../../src/verify/plan.js';
import { verify } from '../../src/verify/run.js';
import type { NativePackage } from '../../src/model/prediction.js';
import { tempDir } from '../helpers/fixture-project.js';

// real packages' files (fixtures/trees/no-binary/README.md)
const fixture = fileURLToPath(new URL('../../fixtures/trees/no-binary', import.meta.url));

const withScript = (text: string) =>
  ({ pkg: {}, chain: [], scripts: [{ event: 'install', text }] }) as unknown as NativePackage;

describe('install scripts that plan for an install with no binary', () => {
  it('a `||` with a plain `node <file>` on one side; not two loaders, not `&&`', () => {
    expect(noBinaryAllowedBy(withScript('node-gyp rebuild || node suppress-error.js'))).toMatchObject({
      event: 'install',
    });
    expect(noBinaryAllowedBy(withScript('node skip.js || node-gyp-build'))).not.toBeNull();
    expect(noBinaryAllowedBy(withScript('prebuild-install || node-gyp rebuild'))).toBeNull();
    expect(noBinaryAllowedBy(withScript('node-pre-gyp install --fallback-to-build'))).toBeNull();
    expect(
      noBinaryAllowedBy(withScript('node buildcheck.js > buildcheck.gypi && node-gyp rebuild')),
    ).toBeNull();
    expect(noBinaryAllowedBy(withScript('node-gyp rebuild'))).toBeNull();
  });
});

const linux = process.platform === 'linux';
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-no-binary-');
});
afterAll(() => tmp.cleanup());

describe.skipIf(!linux)('verify on packages that need no binary on Linux', () => {
  it('dtrace-provider and win-version-info: an info finding, no error, no failed row', async () => {
    const dir = join(tmp.dir, 'project');
    cpSync(fixture, dir, { recursive: true });
    const r = await verify({ cwd: dir, jobs: 2 });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    for (const [pkg, script] of [
      ['dtrace-provider@0.8.8', 'node-gyp rebuild || node suppress-error.js'],
      ['win-version-info@6.0.1', 'node skip.js || node-gyp-build'],
    ] as const) {
      const f = r.findings.find((x) => x.package === pkg);
      expect(f, pkg).toMatchObject({
        code: 'NO_BINARY_BY_DESIGN',
        severity: 'info',
        evidence: { event: 'install', script },
      });
      expect(words(f!).message).toContain(script);
    }
    expect(r.binaries.filter((b) => !b.loaded)).toEqual([]);
  });
});
