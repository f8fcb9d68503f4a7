import { describe, expect, it } from 'vitest';
import { makeFinding } from '../../src/model/findings.js';
import { escapeData, escapeProperty, renderGithubAnnotations } from '../../src/report/github.js';

const installScript = (pkg: string, location: string, severity?: 'error' | 'warning' | 'info') =>
  makeFinding(
    'INSTALL_SCRIPT_UNKNOWN',
    severity ? { package: pkg, location, severity } : { package: pkg, location },
    { event: 'install', script: 'node install.js --mode=a,b:c 100%' },
  );

describe('GitHub workflow annotations', () => {
  it('escapes data and properties as @actions/core does', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('one command per finding: severity to error/warning/notice, file= relative to the checkout', () => {
    const out = renderGithubAnnotations(
      [
        installScript('weird@1.0.0', 'node_modules/weird'),
        installScript('odd,name@2.0.0', 'packages/a:b/node_modules/odd', 'error'),
        installScript('info@1.0.0', '', 'info'),
      ],
      { root: '/repo/app', workspace: '/repo' },
    );
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^::warning file=app\/node_modules\/weird\/package\.json,title=INSTALL_SCRIPT_UNKNOWN::weird@1\.0\.0/,
    );
    expect(lines[0]).toContain('100%25');
    expect(lines[0]).toContain('%0Adocs/findings.md#install_script_unknown');
    expect(lines[1]).toMatch(/^::error file=app\/packages\/a%3Ab\/node_modules\/odd\/package\.json,title=/);
    expect(lines[2]).toMatch(/^::notice file=app\/package\.json,title=INSTALL_SCRIPT_UNKNOWN::/);
  });

  it('no file= for a finding without a location, or outside the checkout', () => {
    const noLocation = makeFinding(
      'INSTALL_SCRIPT_UNKNOWN',
      { package: 'x@1.0.0' },
      { event: 'install', script: 'x' },
    );
    expect(renderGithubAnnotations([noLocation], { root: '/repo' })).toMatch(
      /^::warning title=INSTALL_SCRIPT_UNKNOWN::/,
    );
    const outside = installScript('y@1.0.0', 'node_modules/y');
    expect(renderGithubAnnotations([outside], { root: '/elsewhere', workspace: '/repo' })).toMatch(
      /^::warning title=/,
    );
    expect(renderGithubAnnotations([outside], { root: '/repo' })).toMatch(
      /^::warning file=node_modules\/y\/package\.json,title=/,
    );
  });

  it('every line is one command: no raw newline survives inside a message', () => {
    const out = renderGithubAnnotations([installScript('a@1.0.0', 'node_modules/a')], { root: '/r' });
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('hostile package text in annotations', () => {
  const hostile = makeFinding(
    'INSTALL_SCRIPT_UNKNOWN',
    { package: 'evil@1.0.0', location: 'node_modules/evil\u001b[2J' },
    { event: 'install', script: 'x\n::error::pwned \u001b]8;;https://evil.example/\u0007y\r\u202e' },
  );

  it('the message shows controls as escapes, on the one line of its command', () => {
    const out = renderGithubAnnotations([hostile], { root: '/r' });
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
    expect(out).toContain('x\\n::error::pwned \\x1b]8;;https://evil.example/\\x07y\\r\\u202e');
    expect(out.trimEnd()).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('a location a package made unprintable is left out of file= rather than escaped into it', () => {
    expect(renderGithubAnnotations([hostile], { root: '/r' })).toMatch(
      /^::warning title=INSTALL_SCRIPT_UNKNOWN::/,
    );
  });
});
