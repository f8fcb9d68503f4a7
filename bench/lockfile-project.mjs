// A real lockfile of more than 2,000 packages for the lockfile bench: popular packages (several
// with native addons or platform packages) resolved from the registry by npm itself, once, into
// .cache/bench. Real packages, because lockfile mode reads their tarballs through npm's cache.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_PACKAGES = [
  'next@15',
  'react@19',
  'react-dom@19',
  'webpack@5',
  'webpack-cli@6',
  '@babel/core@7',
  '@babel/preset-env@7',
  'eslint@9',
  'typescript@5',
  'jest@29',
  'vite@6',
  'sharp@0.33',
  'better-sqlite3@12',
  'bcrypt@5',
  'bufferutil@4',
  'utf-8-validate@6',
  '@parcel/watcher@2',
  'lightningcss@1',
  '@swc/core@1',
  'esbuild@0.25',
  'rollup@4',
  'puppeteer-core@24',
  'firebase@11',
  'aws-sdk@2',
  '@angular/core@19',
  'storybook@8',
  'gatsby@5',
  '@angular/cli@19',
  'lerna@8',
  'react-native@0.76',
  '@nestjs/cli@10',
  'nx@20',
  'sqlite3@5',
  'prisma@6',
  '@prisma/client@6',
];

export function lockfileProject(cacheDir) {
  const key = createHash('sha256').update(JSON.stringify(BENCH_PACKAGES)).digest('hex').slice(0, 12);
  const dir = join(cacheDir, `lockfile-${key}`);
  const lock = join(dir, 'package-lock.json');
  if (!existsSync(join(dir, '.resolved'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'bench-lockfile', version: '1.0.0', private: true }),
    );
    console.log(`resolving ${BENCH_PACKAGES.length} packages into ${dir} (once)…`);
    execFileSync(
      'npm',
      [
        'install',
        '--package-lock-only',
        '--legacy-peer-deps',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...BENCH_PACKAGES,
      ],
      { cwd: dir, stdio: 'inherit' },
    );
    writeFileSync(join(dir, '.resolved'), new Date().toISOString());
  }
  const packages = Object.keys(JSON.parse(readFileSync(lock, 'utf8')).packages).length - 1;
  return { dir, packages };
}
