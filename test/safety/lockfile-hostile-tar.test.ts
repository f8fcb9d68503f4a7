// What a registry tarball holds is hostile: a package.json too big to read, absurd counts of
// entries, megabyte-long names, `.node` entries that are links. Lockfile mode stays bounded and
// says what it could not read (MANIFEST_UNAVAILABLE with a code), never drops it silently.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageTarball, startRegistry, writeLockfileProject } from '../../bench/big-binaries.mjs';
import type { BigPackage, Registry } from '../../bench/big-binaries.mjs';
import { check } from '../../src/check/run.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { readTarball } from '../../src/tree/tarball-files.js';
import { addon } from '../binary/paths.js';
import { findingJson } from '../../src/report/json.js';
import { tarballProblemWords } from '../../src/report/reasons.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-lockfile-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface RawEntry {
  path: string;
  type?: 'File' | 'SymbolicLink' | 'Link' | 'Directory';
  body?: Buffer;
  linkpath?: string;
}

/** A gzipped tar written entry by entry, with a pax header where a name does not fit ustar's. */
function rawTarball(entries: Iterable<RawEntry>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'File';
    const size = e.body?.length ?? 0;
    const fields = { path: e.path, mode: 0o644, size, mtime: new Date(0), type, linkpath: e.linkpath ?? '' };
    const long = e.path.length > 99 || (e.linkpath?.length ?? 0) > 99;
    if (long) blocks.push(new Pax(fields).encode());
    // the pax header carries the name; the ustar one gets what fits, as tar writers do
    const header = new Header(long ? { ...fields, path: e.path.slice(0, 99), linkpath: '' } : fields);
    header.encode();
    blocks.push(header.block!);
    if (e.body) blocks.push(e.body, Buffer.alloc((512 - (size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 1 });
}

const manifest = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    name,
    version: '1.0.0',
    scripts: { install: 'node-gyp-build' },
    dependencies: { 'node-gyp-build': '^4.8.0' },
    ...extra,
  });

describe('tarballs lockfile mode cannot read whole become findings', () => {
  let registry: Registry;
  let dir: string;
  beforeAll(async () => {
    const prebuild = { 'prebuilds/linux-x64/x.napi.node': readFileSync(addon('napi-ok')) };
    const packages: BigPackage[] = [
      {
        name: 'huge-manifest',
        version: '1.0.0',
        tgz: await packageTarball({
          'package.json': manifest('huge-manifest', { description: 'x'.repeat(1024 * 1024) }),
          ...prebuild,
        }),
      },
      {
        name: 'broken-manifest',
        version: '1.0.0',
        tgz: await packageTarball({ 'package.json': '{"name": "broken-manifest", ', ...prebuild }),
      },
      {
        name: 'many-entries',
        version: '1.0.0',
        tgz: rawTarball(
          (function* () {
            yield { path: 'package/package.json', body: Buffer.from(manifest('many-entries')) };
            for (let i = 0; i <= 200_000; i++) yield { path: `package/f/${i}.js` };
          })(),
        ),
      },
      {
        name: 'fine',
        version: '1.0.0',
        tgz: await packageTarball({ 'package.json': manifest('fine'), ...prebuild }),
      },
    ];
    registry = await startRegistry(packages);
    dir = mkdtempSync(join(scratch, 'project-'));
    await writeLockfileProject(dir, registry.url, packages, ['fetch-retries=0']);
  });
  afterAll(() => registry.close());

  it('MANIFEST_UNAVAILABLE with EMANIFESTTOOLARGE, EJSONPARSE or ETOOMANYENTRIES; those packages unknown, the others read', async () => {
    const base = currentHostEnvironment();
    const host = { ...base, env: { ...base.env, npm_config_cache: mkdtempSync(join(scratch, 'cache-')) } };
    const report = await check({
      cwd: dir,
      targets: ['node22-linux-x64-glibc'],
      host,
      lockfileOnly: true,
      indexCache: null,
    });
    const unavailable = report.findings
      .filter((f) => f.code === 'MANIFEST_UNAVAILABLE')
      .map((f) => ({
        package: f.package,
        code: f.evidence.code,
        role: f.evidence.role,
        tarball: f.evidence.tarball,
        // the evidence is codes; the JSON keeps the words under `detail`
        detail: (findingJson(f).evidence as { detail: string }).detail,
      }))
      .sort((a, b) => (a.package! < b.package! ? -1 : 1));
    expect(unavailable).toEqual([
      {
        package: 'broken-manifest@1.0.0',
        code: 'EJSONPARSE',
        role: 'package',
        tarball: { code: 'EJSONPARSE', kind: 'not-json', parserMessage: expect.any(String) },
        detail: expect.stringMatching(/^package\.json is not JSON/),
      },
      {
        package: 'huge-manifest@1.0.0',
        code: 'EMANIFESTTOOLARGE',
        role: 'package',
        tarball: { code: 'EMANIFESTTOOLARGE', size: expect.any(Number), max: 1048576 },
        detail: expect.stringMatching(/^package\.json is \d+ bytes; lockfile mode reads at most 1048576$/),
      },
      {
        package: 'many-entries@1.0.0',
        code: 'ETOOMANYENTRIES',
        role: 'package',
        tarball: { code: 'ETOOMANYENTRIES', limit: 'entries', max: 200000 },
        detail: 'the tarball lists more than 200000 files and folders',
      },
    ]);
    const outcome = (name: string) => report.packages.find((p) => p.name === name)?.predictions[0]?.outcome;
    expect(outcome('huge-manifest')).toBe('unknown');
    expect(outcome('broken-manifest')).toBe('unknown');
    expect(outcome('many-entries')).toBe('unknown');
    expect(outcome('fine')).toBe('prebuilt');
  }, 120_000);
});

describe('hostile entries', () => {
  const MiB = 1024 * 1024;
  const pj = { path: 'package/package.json', body: Buffer.from('{"name":"x","version":"1.0.0"}') };

  // node-tar (npm's too) ignores a pax header over 1 MiB; these stay just under it
  it('names longer than any file system takes are not listed (half a megabyte each), and no facts are read from them', async () => {
    const long = `package/${'d/'.repeat(MiB / 4)}evil.node`;
    const index = await readTarball(
      Readable.from([
        rawTarball([
          pj,
          { path: long, body: readFileSync(addon('napi-ok')) },
          { path: `package/${'n'.repeat(MiB / 2)}.js`, body: Buffer.from('//') },
          { path: 'package/ok.node', body: readFileSync(addon('musl')) },
        ]),
      ]),
    );
    expect(index.files).toEqual(['package.json', 'ok.node']);
    expect(Object.keys(index.facts)).toEqual(['ok.node']);
    expect(index.problem).toBeUndefined();
  });

  it('names of more than 32 MiB in all end the listing: ETOOMANYENTRIES', async () => {
    const name = (i: number) => `package/${String(i).padStart(4000, 'n')}.js`;
    const index = await readTarball(
      Readable.from([
        rawTarball(
          (function* () {
            yield pj;
            for (let i = 0; i < 9000; i++) yield { path: name(i) };
          })(),
        ),
      ]),
    );
    expect(index.problem).toEqual({ code: 'ETOOMANYENTRIES', limit: 'names', maxMiB: 32 });
    expect(tarballProblemWords(index.problem!)).toBe('the tarball lists more than 32 MiB of file names');
    expect(index.files.reduce((n, f) => n + f.length, 0)).toBeLessThanOrEqual(32 * MiB);
  });

  it('a symlink or hard link named .node is no file of the package: not listed, never followed', async () => {
    const index = await readTarball(
      Readable.from([
        rawTarball([
          pj,
          { path: 'package/real.node', body: readFileSync(addon('napi-ok')) },
          { path: 'package/evil.node', type: 'SymbolicLink', linkpath: '/etc/passwd' },
          { path: 'package/up.node', type: 'SymbolicLink', linkpath: '../../../../../proc/self/mem' },
          { path: 'package/hard.node', type: 'Link', linkpath: 'package/real.node' },
        ]),
      ]),
    );
    expect(index.files).toEqual(['package.json', 'real.node']);
    expect(Object.keys(index.facts)).toEqual(['real.node']);
    expect(index.facts['real.node']).toMatchObject({ format: 'elf', module: { kind: 'napi' } });
  });
});
