// The hooks section's project: 10 packages, each shipping a copy of the napi-ok fixture addon, packed
// with `npm pack` and installed from their tarballs by the real npm (offline: no network at bench
// time), so package-lock.json and node_modules/.package-lock.json are npm's own. native-guard sits in
// node_modules as a user's install has it, and `native-guard init` wires the hooks.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs npm quietly in `cwd`; throws with its output when it fails. */
function npm(cwd, args) {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0) throw new Error(`bench: npm ${args.join(' ')} failed in ${cwd}:\n${r.stderr}`);
  return r.stdout;
}

/**
 * Builds the project under `cache` afresh and returns its folder, the two hook scripts exactly as
 * init wrote them into package.json, and the environment npm gives a root script.
 */
export function hooksProject({ cache, repo, count = 10 }) {
  const src = join(cache, 'hooks-src');
  const root = join(cache, `hooks-${count}`);
  rmSync(src, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  mkdirSync(root, { recursive: true });
  const addonFile = join(repo, 'fixtures', 'addons', 'bin', 'napi-ok.node');
  const deps = {};
  for (let i = 0; i < count; i++) {
    const name = `bench-addon-${String(i).padStart(2, '0')}`;
    const dir = join(src, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'addon.node' }));
    copyFileSync(addonFile, join(dir, 'addon.node'));
    const tgz = npm(dir, ['pack', '--ignore-scripts', '--pack-destination', src]).trim().split('\n').pop();
    deps[name] = `file:../hooks-src/${tgz}`;
  }
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'bench-hooks', version: '1.0.0', private: true, dependencies: deps }, null, 2),
  );
  npm(root, ['install', '--offline', '--ignore-scripts']);
  // native-guard as an installed package: its package.json, dist/ and hooks/ (linked to this checkout's
  // build). Not a link to the whole checkout: the tree would then hold this repository's own
  // node_modules, and its native dev tools, for check and verify to read and load.
  const guard = join(root, 'node_modules', 'native-guard');
  mkdirSync(guard);
  copyFileSync(join(repo, 'package.json'), join(guard, 'package.json'));
  for (const dir of ['dist', 'hooks']) symlinkSync(join(repo, dir), join(guard, dir), 'dir');
  execFileSync(process.execPath, [join(repo, 'dist', 'bin.js'), 'init', '-C', root], { stdio: 'ignore' });
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
  // what npm puts in a root script's environment (the parts the hooks read)
  const env = (event) => ({
    ...process.env,
    PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
    npm_lifecycle_event: event,
    npm_package_json: join(root, 'package.json'),
    npm_config_user_agent: `npm/${npmVersion} node/${process.version} ${process.platform} ${process.arch} workspaces/false`,
  });
  return { root, scripts, env, addon: join(root, 'node_modules', 'bench-addon-00', 'addon.node') };
}
