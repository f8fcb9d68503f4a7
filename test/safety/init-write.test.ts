import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initCommand } from '../../src/commands/init.js';
import type { CommandIo } from '../../src/commands/types.js';
import { initProject } from '../../src/hooks/init.js';
import { CLI, ensureBuilt } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { rejectedWords } from '../helpers/error-words.js';

/**
 * `init` never leaves a partial package.json, and `init --remove` gives back the bytes `init` found.
 * The failed write is a real one: the CLI runs under `ulimit -f` (RLIMIT_FSIZE), so the kernel
 * refuses the write past the limit with EFBIG, exactly as a full disk would with ENOSPC.
 */
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-init-write-');
});
afterAll(() => tmp.cleanup());

let dir: string;
let n = 0;
beforeEach(() => {
  dir = join(tmp.dir, `p${++n}`);
  mkdirSync(dir);
});
const pkg = () => join(dir, 'package.json');
const read = () => readFileSync(pkg(), 'utf8');
const io = (cwd: string): CommandIo => ({ isTTY: false, env: { ...process.env, NO_COLOR: '1' }, cwd });

describe.skipIf(process.platform === 'win32')('a write that fails half way', () => {
  it('leaves package.json as it was, and no temporary file, and says so in one line', () => {
    ensureBuilt();
    // about 1 KB now, about 2 KB once wired: the limit (2 blocks of 512 bytes) falls in between
    const original = `{\n  "name": "big",\n  "description": "${'x'.repeat(900)}",\n  "version": "1.0.0"\n}\n`;
    writeFileSync(pkg(), original);
    const r = spawnSync('sh', ['-c', `ulimit -f 2 && exec "${process.execPath}" "${CLI}" init`], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^native-guard: cannot write .*package\.json \(EFBIG\): it is unchanged\n$/);
    expect(read()).toBe(original);
    expect(readdirSync(dir)).toEqual(['package.json']);
    // and with room to write, the same command works
    const ok = spawnSync(process.execPath, [CLI, 'init'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(read()).toContain('native-guard/hooks/preinstall.js');
  }, 180_000);
});

describe('the file init writes is the same file', () => {
  it('keeps the mode of package.json', async () => {
    writeFileSync(pkg(), '{\n  "name": "a"\n}\n');
    chmodSync(pkg(), 0o640);
    await initProject({ cwd: dir });
    expect(statSync(pkg()).mode & 0o777).toBe(0o640);
    await initProject({ cwd: dir, remove: true });
    expect(statSync(pkg()).mode & 0o777).toBe(0o640);
  });

  it.runIf(process.getuid?.() === 0)('run as root, keeps the owner of package.json', async () => {
    writeFileSync(pkg(), '{\n  "name": "a"\n}\n');
    chownSync(pkg(), 1234, 5678);
    await initProject({ cwd: dir });
    expect(statSync(pkg())).toMatchObject({ uid: 1234, gid: 5678 });
  });

  it.skipIf(process.platform === 'win32')(
    'writes through a symlinked package.json, which stays a symlink',
    async () => {
      const real = join(dir, 'real.json');
      writeFileSync(real, '{\n  "name": "a"\n}\n');
      symlinkSync('real.json', pkg());
      await initProject({ cwd: dir });
      expect(lstatSync(pkg()).isSymbolicLink()).toBe(true);
      expect(readlinkSync(pkg())).toBe('real.json');
      expect(readFileSync(real, 'utf8')).toContain('native-guard/hooks/preinstall.js');
      await initProject({ cwd: dir, remove: true });
      expect(readFileSync(real, 'utf8')).toBe('{\n  "name": "a"\n}\n');
      expect(readdirSync(dir).sort()).toEqual(['package.json', 'real.json']);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'refuses a FIFO named package.json in one line instead of waiting for a writer',
    async () => {
      spawnSync('mkfifo', [pkg()]);
      const failed = initProject({ cwd: dir });
      await expect(failed).rejects.toMatchObject({ code: 'EINIT' });
      expect(await rejectedWords(failed)).toMatch(/package\.json: cannot read it \(ENOTREG\)$/);
    },
  );
});

describe('init --remove gives back the bytes init found', () => {
  it('after init --strict, --remove --strict takes the nativeGuard block out too (it said it did)', async () => {
    const original = '{\n  "name": "app",\n  "scripts": {\n    "test": "vitest"\n  }\n}\n';
    writeFileSync(pkg(), original);
    await initCommand.run(['--strict'], io(dir));
    expect(read()).toContain('"nativeGuard": {\n    "strict": true\n  }');
    const removed = await initCommand.run(['--remove', '--strict'], io(dir));
    expect(removed.stdout).toContain('- nativeGuard          {"strict":true}');
    expect(read()).toBe(original);
  });

  it.each([
    [
      'CRLF, tabs, no final newline',
      '{\r\n\t"name": "app",\r\n\t"scripts": {\r\n\t\t"build": "tsc"\r\n\t}\r\n}',
    ],
    ['four spaces with a final newline', '{\n    "name": "app",\n    "version": "1.0.0"\n}\n'],
    [
      'a byte-order mark and a one-line object',
      '\uFEFF{"name":"app","scripts":{"preinstall":"npx only-allow npm"}}\n',
    ],
    ['spaces inside braces', '{ "name": "app", "scripts": { "test": "x" } }\n'],
    [
      'space before colons, blank lines',
      '{\n\n  "name" : "app",\n\n  "scripts" : {\n    "test" : "x"\n  }\n\n}\n\n',
    ],
  ])('%s, with every option', async (_name, original) => {
    writeFileSync(pkg(), original);
    await initProject({ cwd: dir, strict: true, targets: ['host', 'node:22-alpine'] });
    expect(read()).not.toBe(original);
    await initProject({ cwd: dir, remove: true, strict: true, targets: ['host', 'node:22-alpine'] });
    expect(read()).toBe(original);
  });
});
