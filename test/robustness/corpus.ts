// The malformed-tree corpus (fixtures/broken): each case copied into a tmp dir, then finished with
// what git cannot hold (fixtures/broken/generated.json): FIFOs, a chmod 000 folder, 100k files, a
// 5 MB package.json, 100 levels of nesting, a name with a newline, a hidden lockfile newer than
// the folders it describes.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CORPUS = join(REPO, 'fixtures', 'broken');

type Step =
  | { op: 'hidden-lockfile-current' }
  | { op: 'chmod'; path: string; mode: string }
  | { op: 'many-packages'; count: number; filesEach: number; nativeEvery: number }
  | { op: 'big-package-json'; path: string; bytes: number }
  | { op: 'nest'; depth: number }
  | { op: 'write'; path: string; text: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'fifo'; path: string };

const generated = (): Record<string, Step[]> =>
  JSON.parse(readFileSync(join(CORPUS, 'generated.json'), 'utf8')) as Record<string, Step[]>;

/** Every case folder in the corpus. */
export function corpusCases(): string[] {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

const ADDON = join(REPO, 'fixtures', 'addons', 'bin', 'napi-ok.node');

/** Copies case `name` into `dest` (symlinks kept as written) and applies its generated steps. */
export function materializeCase(name: string, dest: string): void {
  cpSync(join(CORPUS, name), dest, { recursive: true, verbatimSymlinks: true });
  for (const step of generated()[name] ?? []) apply(dest, step);
}

function apply(dir: string, step: Step): void {
  const at = (rel: string) => join(dir, ...rel.split('/'));
  switch (step.op) {
    case 'hidden-lockfile-current': {
      // Arborist trusts node_modules/.package-lock.json only when no package folder is newer
      const past = new Date('2020-01-01T00:00:00Z');
      const nm = at('node_modules');
      for (const d of readdirSync(nm, { withFileTypes: true }))
        if (d.isDirectory() && !d.name.startsWith('.')) utimesSync(join(nm, d.name), past, past);
      utimesSync(nm, past, past);
      const now = new Date();
      utimesSync(join(nm, '.package-lock.json'), now, now);
      return;
    }
    case 'chmod':
      chmodSync(at(step.path), parseInt(step.mode, 8));
      return;
    case 'many-packages': {
      const deps: Record<string, string> = {};
      for (let i = 0; i < step.count; i++) {
        const name = `many-${String(i).padStart(4, '0')}`;
        deps[name] = '1.0.0';
        const pkg = at(`node_modules/${name}`);
        mkdirSync(join(pkg, 'lib'), { recursive: true });
        const native = i % step.nativeEvery === 0;
        writeFileSync(
          join(pkg, 'package.json'),
          JSON.stringify({ name, version: '1.0.0', main: native ? 'addon.node' : 'lib/f000.js' }),
        );
        for (let f = 0; f < step.filesEach; f++)
          writeFileSync(join(pkg, 'lib', `f${String(f).padStart(3, '0')}.js`), `module.exports = ${f};\n`);
        if (native) copyFileSync(ADDON, join(pkg, 'addon.node'));
      }
      const rootFile = join(dir, 'package.json');
      const root = JSON.parse(readFileSync(rootFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(rootFile, JSON.stringify({ ...root, dependencies: deps }, null, 2));
      return;
    }
    case 'big-package-json': {
      // a real package.json shape: a native package whose readme was inlined by an old publish
      const name = step.path.split('/').pop()!;
      const head = { name, version: '1.0.0', gypfile: true, scripts: { install: 'node-gyp rebuild' } };
      const filler = 'x'.repeat(Math.max(0, step.bytes - JSON.stringify(head).length - 20));
      mkdirSync(at(step.path), { recursive: true });
      writeFileSync(join(at(step.path), 'package.json'), JSON.stringify({ ...head, readme: filler }));
      writeFileSync(join(at(step.path), 'binding.gyp'), '{ "targets": [] }\n');
      return;
    }
    case 'nest': {
      let folder = dir;
      for (let i = 1; i <= step.depth; i++) {
        folder = join(folder, 'node_modules', `deep-${i}`);
        mkdirSync(folder, { recursive: true });
        const last = i === step.depth;
        const manifest: Record<string, unknown> = { name: `deep-${i}`, version: '1.0.0' };
        if (last) manifest.main = 'addon.node';
        else manifest.dependencies = { [`deep-${i + 1}`]: '1.0.0' };
        writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest));
        if (last) copyFileSync(ADDON, join(folder, 'addon.node'));
      }
      return;
    }
    case 'write':
      mkdirSync(dirname(at(step.path)), { recursive: true });
      writeFileSync(at(step.path), step.text);
      return;
    case 'copy':
      mkdirSync(dirname(at(step.path)), { recursive: true });
      copyFileSync(join(REPO, ...step.from.split('/')), at(step.path));
      return;
    case 'fifo':
      mkdirSync(dirname(at(step.path)), { recursive: true });
      if (existsSync(at(step.path))) throw new Error(`fifo step: ${step.path} exists`);
      execFileSync('mkfifo', [at(step.path)]);
      return;
  }
}
