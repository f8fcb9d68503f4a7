import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readTarball, tarballFiles, tarballPath } from '../../src/tree/tarball-files.js';
import type { TarballReadOptions } from '../../src/tree/tarball-files.js';
import { addon } from '../binary/paths.js';
import { packTarball } from '../helpers/tarball.js';

const streamOf = (buf: Buffer) => {
  const s = new PassThrough();
  s.end(buf);
  return s;
};

const read = async (buf: Buffer, options?: TarballReadOptions) =>
  tarballFiles(await readTarball(streamOf(buf), options));

describe('readTarball', () => {
  it("keeps a pkg-prebuilds package's binding-options.js, which its loader reads with no script naming it", async () => {
    const options = "module.exports = { name: 'hid', napi_versions: [4] }";
    const manifest = (deps: Record<string, string>) =>
      JSON.stringify({ name: 'hid', version: '1.0.0', dependencies: deps });
    const uses = await read(
      await packTarball({
        'package.json': manifest({ 'pkg-prebuilds': '^1.1.0' }),
        'binding-options.js': options,
      }),
    );
    expect(uses.readText('binding-options.js')).toBe(options);
    const other = await read(
      await packTarball({ 'package.json': manifest({}), 'binding-options.js': options }),
    );
    expect(other.readText('binding-options.js')).toBeNull();
  });

  it('lists files, keeps package.json and the install scripts it names, and reads .node facts', async () => {
    const tgz = await packTarball({
      'package.json': JSON.stringify({
        name: 'demo',
        version: '1.0.0',
        scripts: { install: 'node install/check && node scripts/fetch.js' },
      }),
      'install/check.js': 'module.exports = "check"',
      'scripts/fetch.js': '// fetch',
      'lib/unrelated.js': 'module.exports = 1',
      'binding.gyp': '{}',
      'prebuilds/linux-x64/demo.napi.node': { copy: addon('napi-ok') },
      'prebuilds/darwin-arm64/demo.napi.node': { copy: addon('napi-ok') },
    });
    const files = await read(tgz);
    expect(files.manifest?.name).toBe('demo');
    expect(files.rootEntries.sort()).toEqual([
      'binding.gyp',
      'install/',
      'lib/',
      'package.json',
      'prebuilds/',
      'scripts/',
    ]);
    expect(
      files
        .list('prebuilds')
        ?.map((e) => e.name)
        .sort(),
    ).toEqual(['darwin-arm64', 'linux-x64']);
    expect(files.list('prebuilds/linux-x64')).toEqual([{ name: 'demo.napi.node', dir: false }]);
    expect(files.list('nope')).toBeNull();
    expect(files.exists('prebuilds/linux-x64/demo.napi.node')).toBe(true);
    expect(files.exists('./binding.gyp')).toBe(true);
    expect(files.exists('prebuilds')).toBe(true);
    expect(files.exists('missing.node')).toBe(false);
    // named by the install script (with or without the extension), so kept; the rest dropped
    expect(files.readText('install/check.js')).toBe('module.exports = "check"');
    expect(files.readText('scripts/fetch.js')).toBe('// fetch');
    expect(files.readText('lib/unrelated.js')).toBeNull();
    expect(JSON.parse(files.readText('package.json')!).version).toBe('1.0.0');
    const facts = files.facts('prebuilds/linux-x64/demo.napi.node');
    expect(facts).toMatchObject({ format: 'elf', arch: 'x64', module: { kind: 'napi' } });
    expect(files.fileCount).toBe(7);
  });

  it('reads facts only for the .node files asked for', async () => {
    const tgz = await packTarball({
      'package.json': '{"name":"demo","version":"1.0.0"}',
      'prebuilds/linux-x64/demo.node': { copy: addon('napi-ok') },
      'lib/demo.node': { copy: addon('musl') },
    });
    const files = await read(tgz, { wantFacts: (p) => p.startsWith('lib/') });
    expect(files.facts('prebuilds/linux-x64/demo.node')).toBeNull();
    expect(files.facts('lib/demo.node')).toMatchObject({ format: 'elf', libc: 'musl' });
  });

  it('round-trips through JSON (the index cache) unchanged', async () => {
    const tgz = await packTarball({
      'package.json': '{"name":"demo","version":"1.0.0","scripts":{"install":"node install.js"}}',
      'install.js': '// install',
      'lib/demo.node': { copy: addon('napi-ok') },
    });
    const index = await readTarball(streamOf(tgz));
    const again = tarballFiles(JSON.parse(JSON.stringify(index)));
    const files = tarballFiles(index);
    expect(again.rootEntries).toEqual(files.rootEntries);
    expect(again.facts('lib/demo.node')).toEqual(files.facts('lib/demo.node'));
    expect(again.readText('install.js')).toBe('// install');
  });

  it('a binary whose tables need more than the window gets unknown facts with the reason; a broken one INVALID-style facts', async () => {
    const tgz = await packTarball({
      'package.json': '{"name":"demo","version":"1.0.0"}',
      'big.node': { copy: addon('napi-ok') },
      'empty.node': '',
    });
    const files = await read(tgz, { binaryWindowBytes: 1024, binaryHeadBytes: 512 });
    expect(files.exists('big.node')).toBe(true);
    expect(files.facts('big.node')).toMatchObject({
      format: 'elf',
      arch: null,
      module: { kind: 'unknown' },
      notes: [{ code: 'NOT_READ_FROM_TARBALL', why: 'over-window', capMiB: 1024 / (1024 * 1024) }],
    });
    expect(files.facts('empty.node')).toMatchObject({ format: null, notes: [{ code: 'EMPTY_FILE' }] });
  });

  it('strips whatever top folder the tarball uses, and rejects paths that climb out', async () => {
    expect(tarballPath('package/lib/a.js')).toBe('lib/a.js');
    expect(tarballPath('node/lib/a.js')).toBe('lib/a.js');
    expect(tarballPath('package/../../etc/passwd')).toBeNull();
    expect(tarballPath('package')).toBeNull();
    const tgz = await packTarball({ 'package.json': '{"name":"x","version":"1.0.0"}', 'a.node': '' }, 'node');
    const files = await read(tgz);
    expect(files.manifest?.name).toBe('x');
    expect(files.rootEntries.sort()).toEqual(['a.node', 'package.json']);
  });

  it('rejects a stream that is not a tarball instead of hanging', async () => {
    await expect(readTarball(streamOf(Buffer.from('not a tarball at all')))).rejects.toThrow();
  });

  it('a package.json that is not JSON gives no manifest, not an exception', async () => {
    const tgz = await packTarball({ 'package.json': '{ nope' });
    const files = await read(tgz);
    expect(files.manifest).toBeNull();
  });
});
