import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  napiBuildUtilsBest,
  NapiVersionsError,
  nodePreGypBest,
  nodePreGypBuildVersions,
} from '../../../src/strategies/download/napi.js';
import { toolDir, type ToolName } from './run-tool.js';
import { HOST } from './targets.js';

const LISTS: unknown[][] = [
  [3],
  [3, 6],
  [3, 6, 6],
  [1, 2, 3, 8, 9, 10],
  [10],
  [100],
  [6, 3],
  ['3'],
  ['3', 10],
  [2.5, 3],
  [0, 3],
];

type NapiJs = {
  get_best_napi_build_version(pkg: object, opts?: object): unknown;
  get_napi_build_versions(pkg: object, opts?: object): unknown;
};

// node-pre-gyp's napi.js takes the package as an argument but reads the Node-API level from
// process.versions.napi, so it is compared on this machine's level.
describe.each(['@mapbox/node-pre-gyp@2', '@mapbox/node-pre-gyp@1', 'node-pre-gyp@0.17'] as ToolName[])(
  'node-pre-gyp napi.js of %s on the host Node-API level',
  (tool) => {
    const napi = createRequire(path.join(toolDir(tool), 'package.json'))('./lib/util/napi.js') as NapiJs;
    it.each(LISTS.map((list) => ({ list, title: JSON.stringify(list) })))('$title', ({ list }) => {
      const pkg = { binary: { napi_versions: list } };
      expect(nodePreGypBuildVersions(list, HOST.napi)).toEqual(napi.get_napi_build_versions(pkg));
      expect(nodePreGypBest(list, HOST.napi)).toEqual(napi.get_best_napi_build_version(pkg));
      const latest = { 'build-latest-napi-version-only': true };
      expect(nodePreGypBuildVersions(list, HOST.napi, true)).toEqual(
        napi.get_napi_build_versions(pkg, latest),
      );
    });
  },
);

describe('Node-API choice for a target level', () => {
  it('takes the highest listed version the target supports (node-pre-gyp)', () => {
    expect(nodePreGypBest([3, 6], 10)).toBe(6);
    expect(nodePreGypBest([3, 8, 9, 10], 8)).toBe(8);
    expect(nodePreGypBest([3, 8, 9, 10], 10)).toBe(10);
    expect(nodePreGypBest([11], 10)).toBeUndefined();
    expect(nodePreGypBest([3], null)).toBeUndefined();
  });

  it('compares numbers in napi-build-utils 2 and strings in napi-build-utils 1', () => {
    expect(napiBuildUtilsBest([3, 6], 10, true)).toBe(6);
    // '3' <= '10' and '6' <= '10' are both false as strings
    expect(napiBuildUtilsBest([3, 6], 10, false)).toBeUndefined();
    expect(napiBuildUtilsBest([3, 6], 9, false)).toBe('6');
    // '10' <= '9' is true as strings
    expect(napiBuildUtilsBest([10], 9, false)).toBe('10');
    expect(napiBuildUtilsBest([10], 9, true)).toBeUndefined();
    expect(napiBuildUtilsBest(undefined, 9, true)).toBeUndefined();
  });

  it('throws where the tools call forEach on something that is not an array', () => {
    expect(() => napiBuildUtilsBest('3', 9, true)).toThrow(NapiVersionsError);
    expect(() => nodePreGypBest({ 3: true }, 9)).toThrow(NapiVersionsError);
  });
});
