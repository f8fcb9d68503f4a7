import { describe as suite, expect, it } from 'vitest';
import { makeFinding } from '../../src/model/findings.js';
import { describe } from '../../src/report/messages.js';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

suite('finding words quote package text inert', () => {
  it('every string of the evidence, at any depth', () => {
    const words = describe(
      makeFinding(
        'NO_PREBUILD_FOR_TARGET',
        { package: 'evil@1.0.0\n::error::x', target: 'host' },
        {
          strategies: ['node-gyp-build'],
          details: [
            { kind: 'prebuilds-none-for-target', available: ['darwin\u001b[2J-x64', 'linux\u202e-arm'] },
          ],
        },
      ),
    );
    expect(words.message).toBe(
      'evil@1.0.0\\n::error::x has no binary for host: prebuilds only for darwin\\x1b[2J-x64, linux\\u202e-arm',
    );
    expect(words.fix).not.toMatch(UNSAFE);
  });

  it("a loader's message: its first line, inert, and the rest left out", () => {
    const words = describe(
      makeFinding(
        'LOAD_FAILED',
        { package: 'evil@1.0.0', location: 'node_modules/evil' },
        {
          source: 'load',
          file: 'node_modules/evil/evil\r.node',
          project: '',
          resolvedBy: 'bindings',
          node: '20.20.2',
          message: '\n  boom \u001b]8;;https://evil.example/\u0007here\n::error::pwned\n    at x',
          errorCode: null,
          symbol: null,
          entryPoint: false,
        },
      ),
    );
    expect(words.message).toBe(
      'evil@1.0.0: loading node_modules/evil/evil\\r.node threw: boom \\x1b]8;;https://evil.example/\\x07here',
    );
  });
});
