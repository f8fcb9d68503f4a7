import { describe, expect, it } from 'vitest';
import { makeFinding } from '../../src/model/findings.js';
import { describe as words } from '../../src/report/messages.js';

const where = { package: 'native-keymap@3.3.9', location: 'node_modules/native-keymap', target: 'host' };

describe('words for what binding.gyp asks beyond -l libraries', () => {
  it('BUILD_PKG_CONFIG_MISSING names the module, its .pc file and where to get it', () => {
    const w = words(
      makeFinding('BUILD_PKG_CONFIG_MISSING', where, { modules: ['xkbfile'], file: 'binding.gyp' }),
    );
    expect(w.message).toContain('pkg-config for xkbfile');
    expect(w.message).toContain('no xkbfile.pc');
    expect(w.message).toContain('the source build fails');
    expect(w.fix).toContain('apt-file search xkbfile.pc');
    expect(w.fix).toContain('PKG_CONFIG_PATH');
  });

  it('BUILD_CXX_STANDARD_TOO_OLD names the pinned standard, the Node and what its headers need', () => {
    const f = makeFinding(
      'BUILD_CXX_STANDARD_TOO_OLD',
      { ...where, package: 'mmap-io@1.1.7' },
      { standard: 'c++11', needs: 17, nodeVersion: '20.20.2', file: 'binding.gyp' },
    );
    const w = words(f);
    expect(w.message).toContain('-std=c++11');
    expect(w.message).toContain("Node 20.20.2's headers need C++17");
    expect(w.fix).toContain('mmap-io');
  });
});
