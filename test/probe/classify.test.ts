import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { classifyDeath, classifyFailure, classifyMessage } from '../../src/probe/classify.js';
import type { ClassifyContext } from '../../src/probe/classify.js';
import { addon, binary } from '../binary/paths.js';
import { fakeHost } from '../helpers/targets.js';

/**
 * Classification from the loader's real words. Every message below was captured by loading the
 * fixture (or the file named in the comment) with process.dlopen: glibc 2.36 with Node 20.20.2
 * and Node 22.23.3 on linux-x64, and musl 1.2.3's dlopen() (a musl-gcc program loading the same
 * files) for the musl forms. macOS and Windows forms are the loaders' documented texts as they
 * appear in issue reports.
 */
const node20 = fakeHost();
const node22 = fakeHost({ version: '22.23.3', abi: '127', napi: 10 });
const muslNode = fakeHost({ libc: 'musl', libcVersion: '1.2.5' });

function ctx(file: string | null, target = node20, exists = true): ClassifyContext {
  return { file, facts: file && exists ? inspectFile(file) : null, exists, target };
}

describe('classifyMessage: glibc', () => {
  it('ABI_MISMATCH with both NODE_MODULE_VERSION values', () => {
    const file = addon('legacy-abi');
    const message = `The module '${file}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).`;
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(file, node22))).toEqual({
      code: 'ABI_MISMATCH',
      binaryAbi: '115',
      targetAbi: '127',
    });
    const deasync = binary('deasync-0.1.30-linux-x64-node-8');
    const old = message.replace('115', '57').replace('127', '115');
    expect(classifyMessage(old, 'ERR_DLOPEN_FAILED', ctx(deasync))).toEqual({
      code: 'ABI_MISMATCH',
      binaryAbi: '57',
      targetAbi: '115',
    });
  });

  it('an aarch64 file "cannot open shared object file" itself: ARCH_MISMATCH from its facts', () => {
    const file = addon('arm64');
    const message = `${file}: cannot open shared object file: No such file or directory`;
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(file))).toEqual({
      code: 'ARCH_MISMATCH',
      binaryArches: ['arm64'],
      targetArch: 'x64',
    });
  });

  it('the same words for a file that is not there: BINARY_MISSING', () => {
    const file = '/nonexistent/x.node';
    const message = `${file}: cannot open shared object file: No such file or directory`;
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(file, node20, false))).toEqual({
      code: 'BINARY_MISSING',
      loaderMessage: 'file',
    });
  });

  it("a musl build on glibc: LIBC_MISMATCH naming Alpine's libc", () => {
    const message = 'libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory';
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(addon('musl')))).toEqual({
      code: 'LIBC_MISMATCH',
      binaryLibc: 'musl',
      targetLibc: 'glibc',
      library: 'libc.musl-x86_64.so.1',
    });
    // the real Alpine prebuild of utf-8-validate gives the same words
    expect(
      classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(binary('utf-8-validate-6.0.5-linux-x64-musl'))).code,
    ).toBe('LIBC_MISMATCH');
  });

  it("a musl build NEEDing plain libc.so meets glibc's linker script: LIBC_MISMATCH", () => {
    const message = '/lib/x86_64-linux-gnu/libc.so: invalid ELF header';
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(addon('musl-libc-so')))).toEqual({
      code: 'LIBC_MISMATCH',
      binaryLibc: 'musl',
      targetLibc: 'glibc',
      library: 'libc.so',
    });
  });

  it('a library that is not installed: SHARED_LIBRARY_MISSING (sharp without its libvips package)', () => {
    const message = 'libvips-cpp.so.42: cannot open shared object file: No such file or directory';
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(binary('sharp-linux-x64-0.33.5')))).toEqual({
      code: 'SHARED_LIBRARY_MISSING',
      library: 'libvips-cpp.so.42',
    });
  });

  it('GLIBC_TOO_OLD with the version the loader could not find', () => {
    // an addon linked against a stub libc.so.6 defining memcpy@GLIBC_2.99
    const message =
      "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.99' not found (required by /tmp/gnew.node)";
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(null))).toEqual({
      code: 'GLIBC_TOO_OLD',
      symbolVersion: 'GLIBC_2.99',
      needed: '2.99',
      library: 'libc.so.6',
      available: '2.36',
    });
    const cxx =
      "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.99' not found (required by /tmp/gxx.node)";
    expect(classifyMessage(cxx, 'ERR_DLOPEN_FAILED', ctx(null))).toEqual({
      code: 'GLIBC_TOO_OLD',
      symbolVersion: 'GLIBCXX_3.4.99',
      needed: '3.4.99',
      library: 'libstdc++.so.6',
      available: null,
    });
  });

  it('32-bit builds: "wrong ELF class" is ARCH_MISMATCH with the arch from the facts', () => {
    const file = binary('deasync-0.1.30-linux-ia32-node-9');
    expect(classifyMessage(`${file}: wrong ELF class: ELFCLASS32`, 'ERR_DLOPEN_FAILED', ctx(file))).toEqual({
      code: 'ARCH_MISMATCH',
      binaryArches: ['ia32'],
      targetArch: 'x64',
    });
  });

  it('"invalid ELF header": another platform, or no binary at all', () => {
    const mac = binary('bufferutil-4.1.0-darwin-x64');
    expect(classifyMessage(`${mac}: invalid ELF header`, 'ERR_DLOPEN_FAILED', ctx(mac))).toEqual({
      code: 'PLATFORM_MISMATCH',
      binaryPlatform: 'darwin',
      targetPlatform: 'linux',
    });
    const win = binary('bufferutil-4.1.0-win32-x64');
    expect(classifyMessage(`${win}: invalid ELF header`, 'ERR_DLOPEN_FAILED', ctx(win)).code).toBe(
      'PLATFORM_MISMATCH',
    );
    const lfs = addon('lfs-pointer');
    expect(classifyMessage(`${lfs}: invalid ELF header`, 'ERR_DLOPEN_FAILED', ctx(lfs))).toEqual({
      code: 'INVALID_BINARY',
      notes: [{ code: 'NOT_A_BINARY', kind: 'git-lfs-pointer' }],
      loaderDetail: null,
    });
    const empty = addon('empty');
    expect(classifyMessage(`${empty}: file too short`, 'ERR_DLOPEN_FAILED', ctx(empty))).toEqual({
      code: 'INVALID_BINARY',
      notes: [{ code: 'EMPTY_FILE' }],
      loaderDetail: null,
    });
  });

  it('an error thrown by the addon itself, or a library that is no addon: LOAD_FAILED', () => {
    expect(
      classifyMessage("thrown from the addon's init function", 'E_FIXTURE_INIT', ctx(addon('throw-in-init'))),
    ).toEqual({ code: 'LOAD_FAILED', symbol: null });
    expect(
      classifyMessage("Module did not self-register: '/tmp/plain.node'.", 'ERR_DLOPEN_FAILED', ctx(null)),
    ).toEqual({ code: 'LOAD_FAILED', symbol: null });
  });

  it('a Node-API level Node does not have: the message newer Node throws', () => {
    const message =
      '/app/x.node requires Node-API version 11, but this version of Node.js only supports version 10 add-ons.';
    expect(classifyMessage(message, null, ctx(null, node22))).toEqual({
      code: 'NAPI_VERSION_TOO_HIGH',
      declared: 11,
      available: 10,
      symbol: null,
    });
  });

  it('what packages throw when they find no binary: BINARY_MISSING', () => {
    const ngb =
      'No native build was found for platform=linux arch=x64 runtime=node abi=127 uv=1 libc=glibc node=22.23.3\n    loaded from: /app/node_modules/x\n';
    expect(classifyMessage(ngb, null, ctx(null))).toEqual({
      code: 'BINARY_MISSING',
      loaderMessage: 'node-gyp-build',
    });
    const bindings =
      'Could not locate the bindings file. Tried:\n → /app/node_modules/x/build/x.node\n → /app/node_modules/x/build/Debug/x.node';
    expect(classifyMessage(bindings, null, ctx(null))).toEqual({
      code: 'BINARY_MISSING',
      loaderMessage: 'bindings',
    });
    const cjs =
      "Cannot find module '../build/Release/x.node'\nRequire stack:\n- /app/node_modules/x/index.js";
    expect(classifyMessage(cjs, 'MODULE_NOT_FOUND', ctx(null))).toEqual({
      code: 'BINARY_MISSING',
      loaderMessage: 'module-not-found',
    });
    // require-addon's words (sodium-native 4 on Alpine, which has no linux-x64-musl prebuild)
    const addon =
      "Cannot find addon '.' imported from 'file:///app/node_modules/sodium-native/binding.js'\nCandidates:\n- file:///app/node_modules/sodium-native/prebuilds/linux-x64-musl/sodium-native@4.3.3.node";
    expect(classifyMessage(addon, 'ADDON_NOT_FOUND', ctx(null))).toEqual({
      code: 'BINARY_MISSING',
      loaderMessage: 'require-addon',
    });
    // a missing JavaScript module is not a missing binary
    expect(classifyMessage("Cannot find module 'left-pad'", 'MODULE_NOT_FOUND', ctx(null)).code).toBe(
      'LOAD_FAILED',
    );
  });
});

describe('classifyMessage: musl (Alpine)', () => {
  it('a C++ runtime that is not installed: SHARED_LIBRARY_MISSING', () => {
    const file = addon('legacy-abi');
    const message = `Error loading shared library libstdc++.so.6: No such file or directory (needed by ${file})`;
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(file, muslNode))).toEqual({
      code: 'SHARED_LIBRARY_MISSING',
      library: 'libstdc++.so.6',
    });
  });

  it('glibc-only symbols: LIBC_MISMATCH (nodejs/node#10081)', () => {
    const message =
      'Error relocating /root/couchbase/build/Release/couchbase_impl.node: __strncpy_chk: symbol not found';
    expect(classifyMessage(message, 'ERR_DLOPEN_FAILED', ctx(null, muslNode))).toEqual({
      code: 'LIBC_MISMATCH',
      binaryLibc: 'glibc',
      targetLibc: 'musl',
      library: null,
    });
  });

  it('another architecture or a non-binary: "unsupported relocation type", "Exec format error"', () => {
    const arm = addon('arm64');
    expect(
      classifyMessage(`Error relocating ${arm}: unsupported relocation type 1026`, null, ctx(arm, muslNode)),
    ).toEqual({ code: 'ARCH_MISMATCH', binaryArches: ['arm64'], targetArch: 'x64' });
    const ia32 = binary('deasync-0.1.30-linux-ia32-node-9');
    expect(
      classifyMessage(`Error loading shared library ${ia32}: Exec format error`, null, ctx(ia32, muslNode))
        .code,
    ).toBe('ARCH_MISMATCH');
    const lfs = addon('lfs-pointer');
    expect(
      classifyMessage(`Error loading shared library ${lfs}: Exec format error`, null, ctx(lfs, muslNode))
        .code,
    ).toBe('INVALID_BINARY');
    expect(
      classifyMessage(
        'Error loading shared library /nonexistent.node: No such file or directory',
        null,
        ctx('/nonexistent.node', muslNode, false),
      ).code,
    ).toBe('BINARY_MISSING');
  });

  it("a glibc library name on musl is the other libc's", () => {
    const message =
      'Error loading shared library ld-linux-x86-64.so.2: No such file or directory (needed by /a.node)';
    expect(classifyMessage(message, null, ctx(null, muslNode))).toMatchObject({
      code: 'LIBC_MISMATCH',
      targetLibc: 'musl',
      library: 'ld-linux-x86-64.so.2',
    });
  });
});

describe('classifyMessage: macOS and Windows loader texts', () => {
  const mac = fakeHost({ platform: 'darwin', arch: 'arm64', libc: null, libcVersion: null });
  const win = fakeHost({ platform: 'win32', libc: null, libcVersion: null });

  it('macOS', () => {
    expect(
      classifyMessage(
        "dlopen(/app/x.node, 0x0001): tried: '/app/x.node' (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64'))",
        'ERR_DLOPEN_FAILED',
        ctx(null, mac),
      ),
    ).toEqual({ code: 'ARCH_MISMATCH', binaryArches: ['x64'], targetArch: 'arm64' });
    expect(
      classifyMessage(
        'dlopen(/app/sharp.node, 0x0001): Library not loaded: @rpath/libvips-cpp.8.16.0.dylib\n  Referenced from: /app/sharp.node',
        'ERR_DLOPEN_FAILED',
        ctx(null, mac),
      ),
    ).toEqual({ code: 'SHARED_LIBRARY_MISSING', library: 'libvips-cpp.8.16.0.dylib' });
    expect(
      classifyMessage(
        'dlopen(/app/x.node, 0x0001): symbol not found in flat namespace; Symbol not found: _node_api_create_buffer_from_arraybuffer',
        null,
        ctx(null, mac),
      ),
    ).toMatchObject({ code: 'NAPI_VERSION_TOO_HIGH', symbol: 'node_api_create_buffer_from_arraybuffer' });
  });

  it('Windows', () => {
    expect(
      classifyMessage(
        'The specified module could not be found.\r\n\\\\?\\C:\\app\\x.node',
        null,
        ctx(null, win, true),
      ),
    ).toEqual({ code: 'SHARED_LIBRARY_MISSING', library: null });
    const pe = binary('bufferutil-4.1.0-win32-ia32');
    expect(
      classifyMessage(`\\\\?\\${pe} is not a valid Win32 application.`, null, { ...ctx(pe), target: win }),
    ).toEqual({ code: 'ARCH_MISMATCH', binaryArches: ['ia32'], targetArch: 'x64' });
  });
});

describe('classifyDeath and timeouts', () => {
  const died = (signal: string | null, exitCode: number | null, stderr = '') =>
    ({ kind: 'died', signal, exitCode, exitCalled: false, stderr }) as const;

  it('SIGBUS from a truncated file: INVALID_BINARY, from its facts', () => {
    expect(classifyDeath(died('SIGBUS', null), ctx(addon('truncated')))).toEqual({
      code: 'INVALID_BINARY',
      notes: expect.arrayContaining([{ code: 'OUTSIDE_FILE', part: 'section-headers' }]),
      loaderDetail: null,
    });
  });

  it('SIGSEGV from a Node-API level Node 20 lacks: NAPI_VERSION_TOO_HIGH (Node 20 crashes instead of throwing)', () => {
    expect(classifyDeath(died('SIGSEGV', null), ctx(addon('napi-v10')))).toEqual({
      code: 'NAPI_VERSION_TOO_HIGH',
      declared: 10,
      available: 9,
      symbol: null,
    });
  });

  it('a lazily bound Node-API function Node lacks ends the process: the symbol names it', () => {
    const stderr = 'node: symbol lookup error: /tmp/undef.node: undefined symbol: node_api_does_not_exist\n';
    expect(classifyDeath(died(null, 127, stderr), ctx(addon('napi-ok')))).toEqual({
      code: 'NAPI_VERSION_TOO_HIGH',
      declared: 8,
      available: 9,
      symbol: 'node_api_does_not_exist',
    });
  });

  it('otherwise LOAD_CRASHED with the signal or exit status', () => {
    expect(classifyDeath(died('SIGSEGV', null), ctx(addon('crash-segv')))).toEqual({
      code: 'LOAD_CRASHED',
      signal: 'SIGSEGV',
      exitCode: null,
      exitCalled: false,
    });
    expect(classifyDeath(died(null, 3), ctx(addon('exit-in-init')))).toEqual({
      code: 'LOAD_CRASHED',
      signal: null,
      exitCode: 3,
      exitCalled: false,
    });
  });

  it('a hang is LOAD_TIMEOUT', () => {
    expect(classifyFailure({ kind: 'timeout', timeoutMs: 1500 }, ctx(addon('hang')))).toEqual({
      code: 'LOAD_TIMEOUT',
      timeoutMs: 1500,
    });
  });
});
