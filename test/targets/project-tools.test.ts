// The toolchain probe runs what it finds: python3 -c, make --version, g++ --version. A project's
// own executables, and every npm package's (node_modules/.bin is first on PATH under npm and npx),
// must never be among them. Each hostile tool here appends its name to a marker file when run.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { placeOf, searchPath, toolScope } from '../../src/targets/exec.js';
import { currentHostEnvironment, detectHost } from '../../src/targets/host.js';
import type { HostEnvironment, ToolRejected } from '../../src/model/target.js';
import { detectToolchain } from '../../src/targets/toolchain.js';

const linux = process.platform === 'linux';
const real = currentHostEnvironment();
const realPath = real.env['PATH'] ?? '';
/** PATH without node_modules folders (npm exec, which runs these tests, puts several first). */
const machinePath = realPath
  .split(path.delimiter)
  .filter((d) => !d.split(path.sep).includes('node_modules'))
  .join(path.delimiter);
const TOOLS = ['python3', 'python', 'make', 'g++', 'cc', 'gcc', 'c++', 'clang', 'clang++'];
/** What the shim below runs: only the project has it. */
const SHIM_TARGET = 'ng-real-make';

let tmp: string;
let marker: string;
let project: string;
let projectBin: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ng-project-tools-'));
  marker = path.join(tmp, 'MARKER');
  project = path.join(tmp, 'project');
  projectBin = path.join(project, 'node_modules', '.bin');
  for (const name of [...TOOLS, SHIM_TARGET]) await hostileTool(path.join(projectBin, name));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(marker, { force: true });
});

/** A tool that records that it ran, then answers like a working one would. */
async function hostileTool(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const name = path.basename(file);
  const version = name.startsWith('python') ? 'echo "$0"; echo 3.12.0' : `echo "${name} 99.0"`;
  await writeFile(file, `#!/bin/sh\necho "${name} $*" >> '${marker}'\n${version}\n`);
  await chmod(file, 0o755);
  return file;
}

const ran = (): string => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');

async function envWith(vars: Record<string, string>): Promise<HostEnvironment> {
  const home = await mkdtemp(path.join(tmp, 'home-'));
  return { ...real, env: { HOME: home, ...vars }, homedir: home, nodeConfig: {} };
}

const refusedNames = (rejected: ToolRejected[] | undefined, reason: ToolRejected['reason']) =>
  (rejected ?? []).filter((r) => r.reason === reason).map((r) => path.basename(r.candidate));

describe.runIf(linux)('the toolchain probe runs nothing inside the project', () => {
  it("skips the project's node_modules/.bin first on PATH, says so, and finds the machine's tools", async () => {
    const env = await envWith({ PATH: [projectBin, realPath].join(path.delimiter) });
    const t = await detectToolchain(env, {}, { projectRoot: project });
    expect(ran()).toBe('');
    expect(t).toMatchObject({ python: true, make: true, cxx: true });
    expect(t.details?.python?.path).not.toContain(project);
    expect(t.details?.cxx?.path).not.toContain(project);
    expect(refusedNames(t.details?.rejected, 'inside-project')).toEqual(
      expect.arrayContaining(['python3', 'make', 'g++', 'cc']),
    );
    expect(t.details?.rejected).toContainEqual({
      tool: 'python',
      candidate: path.join(projectBin, 'python3'),
      source: 'PATH',
      reason: 'inside-project',
    });
  });

  it('with only the project on PATH finds nothing and runs nothing, naming every candidate', async () => {
    const env = await envWith({ PATH: projectBin });
    const t = await detectToolchain(env, {}, { projectRoot: project });
    expect(ran()).toBe('');
    expect(t).toMatchObject({ python: false, make: false, cxx: false });
    expect(refusedNames(t.details?.rejected, 'inside-project').sort()).toEqual(
      ['c++', 'cc', 'clang', 'clang++', 'g++', 'gcc', 'make', 'python', 'python3'].sort(),
    );
  });

  it('skips any node_modules folder, inside the project or not, even with no project given', async () => {
    const elsewhere = path.join(tmp, 'parent', 'node_modules', '.bin');
    await hostileTool(path.join(elsewhere, 'make'));
    const env = await envWith({ PATH: [elsewhere, realPath].join(path.delimiter) });
    const t = await detectToolchain(env, {});
    expect(ran()).toBe('');
    expect(t.make).toBe(true);
    expect(t.details?.rejected).toContainEqual({
      tool: 'make',
      candidate: path.join(elsewhere, 'make'),
      source: 'PATH',
      reason: 'inside-node-modules',
    });
  });

  it('skips a PATH entry that is a link into the project, and a tool that is a link into it', async () => {
    const linkedDir = path.join(tmp, 'linked-bin');
    await symlink(projectBin, linkedDir);
    const linkedTool = path.join(tmp, 'tool-links');
    await mkdir(linkedTool, { recursive: true });
    await symlink(path.join(projectBin, 'g++'), path.join(linkedTool, 'g++'));
    const env = await envWith({ PATH: [linkedDir, linkedTool, realPath].join(path.delimiter) });
    const t = await detectToolchain(env, {}, { projectRoot: project });
    expect(ran()).toBe('');
    expect(t.details?.rejected).toEqual(
      expect.arrayContaining([
        {
          tool: 'python',
          candidate: path.join(linkedDir, 'python3'),
          source: 'PATH',
          reason: 'inside-project',
        },
        { tool: 'cxx', candidate: path.join(linkedTool, 'g++'), source: 'PATH', reason: 'inside-project' },
      ]),
    );
  });

  it('refuses configured commands that resolve inside the project or a node_modules folder', async () => {
    const tools = path.join(project, 'tools');
    const cxx = await hostileTool(path.join(tools, 'my-cxx'));
    const make = await hostileTool(path.join(tools, 'my-make'));
    const python = await hostileTool(path.join(tmp, 'other', 'node_modules', 'py', 'python3'));
    const env = await envWith({
      PATH: realPath,
      CXX: cxx,
      CC: `ccache-missing ${cxx}`,
      npm_config_make: make,
      PYTHON: python,
      npm_config_python: path.join(projectBin, 'python3'),
    });
    const t = await detectToolchain(env, {}, { projectRoot: project });
    expect(ran()).toBe('');
    // node-gyp would run the configured ones, and does not fall back: not found, and said why
    expect(t).toMatchObject({ cxx: false, make: false, python: true });
    expect(t.details?.python?.source).toBe('PATH');
    expect(t.details?.rejected).toEqual(
      expect.arrayContaining([
        { tool: 'cxx', candidate: cxx, source: 'CXX', reason: 'inside-project' },
        { tool: 'make', candidate: make, source: 'npm_config_make', reason: 'inside-project' },
        { tool: 'python', candidate: python, source: 'PYTHON', reason: 'inside-node-modules' },
        {
          tool: 'python',
          candidate: path.join(projectBin, 'python3'),
          source: 'npm_config_python',
          reason: 'inside-project',
        },
      ]),
    );
  });

  it('refuses NODE_GYP_FORCE_PYTHON inside the project and a relative CXX that resolves there', async () => {
    const env = await envWith({
      PATH: realPath,
      NODE_GYP_FORCE_PYTHON: path.join(projectBin, 'python'),
      CXX: path.relative(process.cwd(), path.join(projectBin, 'c++')),
    });
    const t = await detectToolchain(env, {}, { projectRoot: project });
    expect(ran()).toBe('');
    expect(t).toMatchObject({ python: false, cxx: false });
    expect(refusedNames(t.details?.rejected, 'inside-project')).toEqual(
      expect.arrayContaining(['python', 'c++']),
    );
  });

  it("runs the machine's tools with the project taken off PATH, so a shim cannot reach it", async () => {
    // a ccache- or pyenv-like shim outside the project that looks its real tool up on PATH
    const shims = path.join(tmp, 'shims');
    await mkdir(shims, { recursive: true });
    await writeFile(path.join(shims, 'make'), `#!/bin/sh\nexec ${SHIM_TARGET} "$@"\n`);
    await chmod(path.join(shims, 'make'), 0o755);
    const env = await envWith({ PATH: [shims, projectBin, '/usr/bin', '/bin'].join(path.delimiter) });
    const t = await detectToolchain(env, {}, { projectRoot: project });
    expect(ran()).toBe('');
    expect(t.details?.rejected).toContainEqual(
      expect.objectContaining({ tool: 'make', candidate: path.join(shims, 'make'), reason: 'failed' }),
    );
  });

  it("detectHost passes the project on, and detect-libc's shell sees PATH without it", async () => {
    let seenPath: string | null = null;
    const env = await envWith({ PATH: [projectBin, realPath].join(path.delimiter) });
    const host = await detectHost(
      env,
      {},
      {
        projectRoot: project,
        detectLibc: async (safePath) => {
          seenPath = safePath;
          return { family: 'glibc', version: '2.36' };
        },
      },
    );
    expect(ran()).toBe('');
    expect(seenPath).toBe(machinePath);
    expect(refusedNames(host.toolchain.details?.rejected, 'inside-project')).toContain('python3');
  });
});

describe('placeOf', () => {
  it('tells project, node_modules and the machine apart, by path segments', () => {
    expect(placeOf('/p/app/bin/x', '/p/app', 'linux')).toBe('inside-project');
    expect(placeOf('/p/app', '/p/app', 'linux')).toBe('inside-project');
    expect(placeOf('/p/app-other/bin', '/p/app', 'linux')).toBeNull();
    expect(placeOf('/p/app/..hidden/bin', '/p/app', 'linux')).toBe('inside-project');
    expect(placeOf('/p/other', '/p/app', 'linux')).toBeNull();
    expect(placeOf('/p/node_modules/.bin', '/p/app', 'linux')).toBe('inside-node-modules');
    expect(placeOf('/usr/lib/node_modules_x/bin', null, 'linux')).toBeNull();
    expect(placeOf('/usr/bin', '/p/app', 'linux')).toBeNull();
    expect(placeOf('C:\\Work\\App\\node_modules\\.bin', 'c:\\work\\app', 'win32')).toBe('inside-project');
    expect(placeOf('D:\\tools\\Node_Modules\\.bin', 'c:\\work\\app', 'win32')).toBe('inside-node-modules');
  });
});

describe.runIf(linux)('searchPath', () => {
  it('goes on down PATH past refused entries and lists them in order', async () => {
    const scope = toolScope({ platform: 'linux', env: { PATH: [projectBin, realPath].join(':') } }, project);
    expect(scope.env['PATH']).toBe(machinePath);
    const s = await searchPath('make', scope);
    expect(s.refused).toEqual([{ path: path.join(projectBin, 'make'), reason: 'inside-project' }]);
    expect(s.found).not.toBeNull();
    expect(s.found).not.toContain(project);
  });
});
