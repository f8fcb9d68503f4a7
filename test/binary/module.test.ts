import { describe, expect, it } from 'vitest';
import {
  classifyModule,
  findLegacyModuleVersion,
  isNodeCxxSymbol,
  type SymbolSummary,
} from '../../src/binary/module.js';

describe('isNodeCxxSymbol', () => {
  it.each([
    '_ZN2v87Isolate10GetCurrentEv',
    '_ZNK2v85Value8IsObjectEv',
    '_ZN4node19GetCurrentEventLoopEPN2v87IsolateE',
    '_ZN2v88internal12Internals...',
    '_ZTVN4node10ObjectWrapE',
    '?GetCurrent@Isolate@v8@@SAPEAV12@XZ',
    '?GetCurrentEventLoop@node@@YAPEAUuv_loop_s@@PEAVIsolate@v8@@@Z',
  ])('%s is V8/node C++', (name) => expect(isNodeCxxSymbol(name)).toBe(true));

  it.each([
    '_ZN4Napi5Error3NewEP10napi_env__', // node-addon-api: header-only, ABI-stable
    '_Z4InitN2v85LocalINS_6ObjectEEE', // a global function that merely takes V8 types
    '_ZNSt6vectorIiSaIiEE9push_backERKi',
    'napi_create_object',
    'uv_run',
    '?Method@Napi@@QEAAXXZ',
    'v8_fake',
  ])('%s is not', (name) => expect(isNodeCxxSymbol(name)).toBe(false));
});

describe('classifyModule', () => {
  const none: SymbolSummary = {
    registerAbi: null,
    exportsNapiRegister: false,
    exportsNapiVersion: false,
    importsNapi: false,
    importsLegacyRegister: false,
    importsNodeCxx: false,
  };
  const s = (over: Partial<SymbolSummary>): SymbolSummary => ({ ...none, ...over });

  it.each<[string, SymbolSummary, string | null, unknown]>([
    ['nothing', none, null, { kind: 'unknown' }],
    ['napi export', s({ exportsNapiRegister: true }), null, { kind: 'napi' }],
    ['napi imports only', s({ importsNapi: true }), null, { kind: 'napi' }],
    [
      'napi + C++',
      s({ exportsNapiRegister: true, importsNodeCxx: true }),
      null,
      { kind: 'abi', abi: null, hybrid: true },
    ],
    [
      'napi + legacy register',
      s({ importsNapi: true, importsLegacyRegister: true }),
      '108',
      { kind: 'abi', abi: '108', hybrid: true },
    ],
    ['abi export', s({ registerAbi: '127', importsNodeCxx: true }), null, { kind: 'abi', abi: '127' }],
    [
      'abi export wins over legacy struct',
      s({ registerAbi: '115', importsLegacyRegister: true }),
      '99',
      { kind: 'abi', abi: '115' },
    ],
    [
      'legacy with struct',
      s({ importsLegacyRegister: true, importsNodeCxx: true }),
      '57',
      { kind: 'abi', abi: '57' },
    ],
    ['legacy without struct', s({ importsLegacyRegister: true }), null, { kind: 'abi', abi: null }],
    ['C++ only', s({ importsNodeCxx: true }), null, { kind: 'abi', abi: null }],
  ])('%s', (_label, summary, legacy, expected) => expect(classifyModule(summary, legacy)).toEqual(expected));
});

describe('findLegacyModuleVersion', () => {
  /** A node_module struct at `at` in a little memory image, as NODE_MODULE lays it out. */
  function image(ptr: 4 | 8, at: number, version: number, contextAware = false) {
    const memory = new Map<number, number>();
    const slots = new Set<number>();
    memory.set(at, version);
    memory.set(at + 4, 0);
    memory.set(at + 8, 0); // dso handle
    slots.add(at + 8 + ptr); // filename
    slots.add(at + 8 + (contextAware ? 3 : 2) * ptr); // register function
    slots.add(at + 8 + 4 * ptr); // modname
    memory.set(at + 8 + 6 * ptr, 0); // link
    const read = (a: number) => memory.get(a) ?? null;
    return { slots, read };
  }

  it('finds nm_version on 64-bit and 32-bit layouts, plain and context-aware', () => {
    for (const ptr of [4, 8] as const) {
      for (const contextAware of [false, true]) {
        const { slots, read } = image(ptr, 0x2000, 115, contextAware);
        // Unrelated relocations (GOT entries, vtables) around it change nothing.
        for (const extra of [0x1000, 0x1008, 0x3000]) slots.add(extra);
        expect(findLegacyModuleVersion(slots, ptr, read, read)).toBe('115');
      }
    }
  });

  it('rejects a match whose dso or link slot is relocated or non-zero', () => {
    const { slots, read } = image(8, 0x2000, 57);
    slots.add(0x2000 + 8);
    expect(findLegacyModuleVersion(slots, 8, read, read)).toBeNull();
  });

  it('rejects implausible versions', () => {
    const { slots, read } = image(8, 0x2000, 0x7fff0000);
    expect(findLegacyModuleVersion(slots, 8, read, read)).toBeNull();
  });

  it('two candidates with different versions are ambiguous', () => {
    const a = image(8, 0x2000, 57);
    const b = image(8, 0x4000, 64);
    const slots = new Set([...a.slots, ...b.slots]);
    const read = (x: number) => a.read(x) ?? b.read(x);
    expect(findLegacyModuleVersion(slots, 8, read, read)).toBeNull();
  });

  it('no relocations, no answer', () => {
    expect(
      findLegacyModuleVersion(
        new Set(),
        8,
        () => 0,
        () => 0,
      ),
    ).toBeNull();
  });
});
