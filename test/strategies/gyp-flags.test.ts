// binding.gyp readers beyond `-l` libraries (src/strategies/gyp-flags.ts): the pkg-config modules a
// Linux build's commands ask for, the C++ standard its cflags_cc pins, and BUILD_CXX_STANDARD_TOO_OLD
// on hand-built records through the chain, on every target that builds.
import { describe, expect, it } from 'vitest';
import type { PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { ChainLink, PredictContext } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import {
  cxxYearNodeNeeds,
  gypStandardFindings,
  linuxGypTargetStandards,
  linuxGypPkgConfigModules,
  pkgConfigCall,
} from '../../src/strategies/gyp-flags.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { packageFiles } from '../helpers/package-files.js';
import { manifestOf, packageRecord } from '../helpers/records.js';
import { fakeHost, targets } from '../helpers/targets.js';

describe('pkg-config calls in gyp commands', () => {
  it('one call, its output maybe piped on: the modules', () => {
    expect(pkgConfigCall('pkg-config x11 xkbfile --libs')).toEqual(['x11', 'xkbfile']);
    expect(pkgConfigCall('${PKG_CONFIG:-pkg-config} x11 xkbfile --cflags | sed s/-I//g')).toEqual([
      'x11',
      'xkbfile',
    ]);
    expect(pkgConfigCall('pkg-config --cflags-only-I gtk+-3.0 2>/dev/null')).toEqual(['gtk+-3.0']);
    expect(pkgConfigCall('pkg-config --libs alsa 2> /dev/null')).toEqual(['alsa']);
  });

  it('no claim where a failure may be swallowed or the words are not modules', () => {
    for (const cmd of [
      'pkg-config --libs alsa || true',
      'pkg-config --exists alsa && echo 1 || echo 0',
      'pkg-config --exists alsa',
      'pkg-config --atleast-version 1.2 alsa',
      'pkg-config --libs "glib-2.0 >= 2.40"',
      'pkg-config --libs <(module)',
      'pkg-config --variable=prefix alsa',
      'echo pkg-config alsa',
      'pkg-config --libs $(echo alsa)',
      'pkg-config --libs',
    ])
      expect(pkgConfigCall(cmd), cmd).toBeNull();
  });

  it('binding.gyp: commands of the Linux branches and of unconditioned dicts, not the mac one nor an uncertain one', () => {
    const gyp = `{
      'variables': { 'cf%': '<!(pkg-config --cflags zlib)' },
      'targets': [{
        'target_name': 'a',
        'include_dirs': ['<!@(pkg-config libpng --cflags-only-I | sed s/-I//g)'],
        'conditions': [
          ['OS=="mac"', { 'libraries': ['<!@(pkg-config --libs cairo)'] },
           'OS=="linux"', { 'libraries': ['<!@(pkg-config --libs x11)'] },
           { 'libraries': ['<!@(pkg-config --libs never)'] }],
          ['use_alsa==1', { 'libraries': ['<!@(pkg-config --libs alsa)'] }],
        ],
        'configurations': { 'Debug': { 'libraries': ['<!@(pkg-config --libs debugonly)'] } },
      }],
    }`;
    expect(linuxGypPkgConfigModules(gyp)).toEqual(['libpng', 'x11', 'zlib']);
    expect(linuxGypPkgConfigModules('not gyp {')).toBeNull();
    expect(linuxGypPkgConfigModules("{'targets':[{'libraries':['-lz']}]}")).toEqual([]);
  });
});

describe('the C++ standard each target of a binding.gyp pins for Linux', () => {
  const pin = (flags: string, key = 'cflags_cc') => `{'targets':[{'target_name':'a','${key}':[${flags}]}]}`;
  const one = (text: string) =>
    linuxGypTargetStandards(text)?.map(({ standard, year }) => ({ standard, year }));

  it("a target's cflags_cc -std= (after node-gyp's own), with its C++ year", () => {
    expect(one(pin("'-std=c++11'"))).toEqual([{ standard: 'c++11', year: 2011 }]);
    expect(one(pin("'-O2','-std=gnu++1y'"))).toEqual([{ standard: 'gnu++1y', year: 2014 }]);
    expect(one(pin("'-std=c++11'", 'cflags_cc='))).toEqual([{ standard: 'c++11', year: 2011 }]);
  });

  it("no pin: target_defaults (merged before node-gyp's), cflags, cflags_cc+, none at all", () => {
    expect(
      linuxGypTargetStandards(
        `{'target_defaults':{'cflags_cc':['-std=c++14']},'targets':[{'target_name':'a'}]}`,
      ),
    ).toEqual([]);
    expect(linuxGypTargetStandards(pin("'-std=c++11'", 'cflags'))).toEqual([]);
    expect(linuxGypTargetStandards(pin("'-std=c++11'", 'cflags_cc+'))).toEqual([]);
    expect(linuxGypTargetStandards(pin("'-fexceptions'"))).toEqual([]);
    expect(linuxGypTargetStandards('not gyp {')).toBeNull();
  });

  it('a pin that may or may not apply, or a removed one, leaves the target out', () => {
    const uncertain = `{'targets':[{'target_name':'a','cflags_cc':['-std=c++11'],'conditions':[['node_major>=20',{'cflags_cc':['-std=c++17']}]]}]}`;
    expect(linuxGypTargetStandards(uncertain)).toEqual([]);
    const config = `{'targets':[{'target_name':'a','cflags_cc':['-std=c++11'],'configurations':{'Release':{'cflags_cc':['-std=c++20']}}}]}`;
    expect(linuxGypTargetStandards(config)).toEqual([]);
    expect(linuxGypTargetStandards(pin("'-std=gnu++17'", 'cflags_cc!'))).toEqual([]);
    const electronOnly = `{'conditions':[['runtime=="electron"',{'targets':[{'target_name':'a','cflags_cc':['-std=c++11']}]}]]}`;
    expect(linuxGypTargetStandards(electronOnly)).toEqual([]);
  });

  it("the mac branch does not count, the Linux one does; several pins: the newest; nan's include folder is seen", () => {
    const gyp = `{'targets':[{'target_name':'a','include_dirs':["<!(node -e \\"require('nan')\\")"],'conditions':[['OS=="mac"',{'cflags_cc':['-std=c++20']},{'cflags_cc':['-std=c++11']}]],'cflags_cc':['-std=c++14']},{'target_name':'b','cflags_cc':['-std=c++11']}]}`;
    expect(linuxGypTargetStandards(gyp)).toEqual([
      { target: 'a', standard: 'c++14', year: 2014, nan: true },
      { target: 'b', standard: 'c++11', year: 2011, nan: false },
    ]);
  });
});

describe("the C++ standard a Node's headers need", () => {
  it('14 from Node 16, 17 from 20, 20 from 23; nothing claimed before 16', () => {
    expect(cxxYearNodeNeeds('14.21.3')).toBeNull();
    expect(cxxYearNodeNeeds('16.20.2')).toBe(2014);
    expect(cxxYearNodeNeeds('18.20.8')).toBe(2014);
    expect(cxxYearNodeNeeds('20.20.2')).toBe(2017);
    expect(cxxYearNodeNeeds('22.12.0')).toBe(2017);
    expect(cxxYearNodeNeeds('24.0.0')).toBe(2020);
  });
});

const BUILD: Extract<ChainLink, { strategy: 'source-build' }> = {
  strategy: 'source-build',
  builder: 'implicit-node-gyp',
  script: null,
};

const CXX11 = `{'targets':[{'target_name':'m','sources':['src/m.cc'],'include_dirs':["<!(node -e \\"require('nan')\\")"],'cflags_cc':['-std=c++11']}]}`;

function context(
  target: Target,
  gyp: string,
  pkg: PackageRecord = packageRecord('cxx-addon', '1.1.7'),
): PredictContext {
  const base = packageFiles(['binding.gyp', 'package.json']);
  const files: PackageFiles = { ...base, readText: (f) => (f === 'binding.gyp' ? gyp : null) };
  return {
    native: { pkg, chain: [BUILD], scripts: [] },
    files,
    target,
    resolvePlatformCandidate: (name, spec) => ({ source: 'missing', name, spec }),
    filesOf: () => packageFiles([]),
    env: {},
    npmCache: '/nonexistent',
    cacheHas: () => false,
  };
}

describe('BUILD_CXX_STANDARD_TOO_OLD', () => {
  it('nan addon pinning c++11 on Node 20: an error, and the build fails', () => {
    const v = evaluateChain(context(fakeHost(), CXX11), {});
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      {
        code: 'BUILD_CXX_STANDARD_TOO_OLD',
        severity: 'error',
        package: 'cxx-addon@1.1.7',
        target: 'host',
        evidence: { standard: 'c++11', needs: 17, nodeVersion: '20.20.2', file: 'binding.gyp' },
      },
    ]);
  });

  it('on an image with a toolchain too (node:22-bookworm), and C++17 fails on Node 24 only', () => {
    const [node22, node24] = targets(['node:22-bookworm', 'node:24-bookworm']);
    expect(gypStandardFindings(context(node22!, CXX11), BUILD).map((f) => f.code)).toEqual([
      'BUILD_CXX_STANDARD_TOO_OLD',
    ]);
    const cxx17 = CXX11.replace('c++11', 'c++17');
    expect(gypStandardFindings(context(node22!, cxx17), BUILD)).toEqual([]);
    expect(gypStandardFindings(context(node24!, cxx17), BUILD)).toMatchObject([{ evidence: { needs: 20 } }]);
  });

  it('Node 16 still compiles c++14, and nothing is claimed for Node 14', () => {
    const cxx14 = CXX11.replace('c++11', 'c++14');
    expect(gypStandardFindings(context(fakeHost({ version: '16.20.2' }), cxx14), BUILD)).toEqual([]);
    expect(gypStandardFindings(context(fakeHost({ version: '14.21.3' }), CXX11), BUILD)).toEqual([]);
  });

  it('V8 headers only for certain: the target includes nan, or it is the only one and the package depends on nan', () => {
    const napi = `{'targets':[{'target_name':'m','include_dirs':["<!(node -p \\"require('node-addon-api').include\\")"],'cflags_cc':['-std=c++11']}]}`;
    expect(gypStandardFindings(context(fakeHost(), napi), BUILD)).toEqual([]);
    const withNan = packageRecord('cxx-addon', '1.1.7', {
      manifest: manifestOf({ dependencies: { nan: '^2.14.0' } }),
    });
    expect(gypStandardFindings(context(fakeHost(), napi, withNan), BUILD).map((f) => f.code)).toEqual([
      'BUILD_CXX_STANDARD_TOO_OLD',
    ]);
    // a second target (a C++ library without node.h, say) pinning c++11 need not include V8's headers
    const twoTargets = `{'targets':[{'target_name':'lib','cflags_cc':['-std=c++11']},{'target_name':'addon','include_dirs':["<!(node -e \\"require('nan')\\")"]}]}`;
    expect(gypStandardFindings(context(fakeHost(), twoTargets, withNan), BUILD)).toEqual([]);
  });

  it('cmake-js builds and non-Linux targets are not judged', () => {
    const cmake = { ...BUILD, builder: 'cmake-js' as const };
    expect(gypStandardFindings(context(fakeHost(), CXX11), cmake)).toEqual([]);
    expect(gypStandardFindings(context(fakeHost({ platform: 'darwin' }), CXX11), BUILD)).toEqual([]);
  });
});
