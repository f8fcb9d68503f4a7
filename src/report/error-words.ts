import { codedErrorFact } from '../model/errors.js';
import { targetErrorWords } from './target-error-words.js';
import type {
  ConfigErrorFact,
  DockerErrorFact,
  InitErrorFact,
  LoaderErrorFact,
  ProjectFileReader,
  TreeErrorFact,
  VerifyErrorFact,
} from '../model/errors.js';

/**
 * The words of the errors the domain throws (model/errors.ts): one line each, naming the file or
 * the flag, as the CLI and the hooks print them after "native-guard: ".
 */

const MiB = 1024 * 1024;

const CONSEQUENCE: Record<ProjectFileReader, string> = {
  project: 'npm and native-guard cannot read it',
  'hidden-lockfile': "npm's tree reader cannot read it; remove it (npm writes it again on the next install)",
};

export function treeErrorWords(f: TreeErrorFact): string {
  switch (f.why) {
    case 'no-package-json':
      return `no package.json in ${f.root}`;
    case 'cannot-read':
      return `cannot read ${f.file}: ${f.error}`;
    case 'not-regular':
      return `${f.file} is ${f.folder ? 'a folder' : 'not a regular file (a FIFO, socket or device)'}: ${CONSEQUENCE[f.reader]}`;
    case 'too-large':
      return `${f.file} is larger than ${f.limit / MiB} MiB (${f.size} bytes): ${CONSEQUENCE[f.reader]}`;
    case 'installed-tree':
      return `cannot read the installed tree at ${f.root}: ${f.error}`;
    case 'lockfile-tree':
      return `cannot read the lockfile tree at ${f.root}: ${f.error}`;
    case 'lockfile-unreadable':
      return `cannot read ${f.file}: ${f.code}${f.detail !== null ? `: ${f.detail}` : ''}`;
    case 'no-lockfile':
      return `no node_modules and no package-lock.json or npm-shrinkwrap.json in ${f.root}: run \`npm install --package-lock-only\` first`;
    case 'binary-lockfile':
      return `${f.lockfile} is Bun's binary lockfile, which native-guard does not read: save a text lockfile: bun install --save-text-lockfile`;
    case 'too-many-packages':
      return `${f.file} places more than ${f.limit} packages`;
  }
}

export function initErrorWords(f: InitErrorFact): string {
  switch (f.why) {
    case 'no-package-json':
      return `no package.json in ${f.root}`;
    case 'cannot-read':
      return `${f.file}: cannot read it (${f.error})`;
    case 'not-utf8':
      return `${f.file}: not valid UTF-8 (npm reads it as UTF-8 too): fix its encoding, then run init again`;
    case 'invalid-json':
      return `${f.file}: ${f.error}`;
    case 'not-an-object':
      return `${f.file}: not a JSON object`;
    case 'workspaces-unreadable':
      return `${f.file}: cannot read "workspaces": ${f.error}`;
    case 'workspace-member':
      return (
        `${f.root} is a workspace of ${f.owner}: the hooks belong in the root, whose install checks every workspace. ` +
        `Run "native-guard init" there (-C ${f.owner})`
      );
    case 'scripts-not-object':
      return `${f.file}: "scripts" must be an object`;
    case 'script-not-string':
      return `${f.file}: "scripts.${f.event}" must be a string`;
    case 'script-empty':
      return `${f.file}: "scripts.${f.event}" is an empty string: delete it or give it a command, then run init again`;
    case 'config-differs': {
      const settings = f.settings.map(([k, v]) => `"${k}": ${JSON.stringify(v)}`).join(', ');
      return (
        `${f.file} already has a "nativeGuard" block: set ${settings} in it by hand ` +
        `(init writes only a new block, so that "init --remove" never has an old one to rebuild)`
      );
    }
    case 'duplicate-key':
      return `${f.file}: "${f.label}" is written ${f.count} times (npm reads only the last): keep one, then run init again`;
    case 'edit-unsafe':
      return `${f.file}: init could not edit this file safely, so it left it unchanged (a bug: please report it)`;
    case 'cannot-write':
      return `cannot write ${f.file} (${f.error}): it is unchanged`;
  }
}

export function configErrorWords(f: ConfigErrorFact): string {
  switch (f.why) {
    case 'not-an-object':
      return `${f.file}: "nativeGuard" must be an object`;
    case 'unknown-key':
      return `${f.file}: unknown key "nativeGuard.${f.key}" (known: ${f.known.join(', ')})`;
    case 'not-string-list':
      return `${f.file}: "nativeGuard.${f.key}" must be an array of strings`;
    case 'not-boolean':
      return `${f.file}: "nativeGuard.${f.key}" must be true or false`;
    case 'invalid-json':
      return `${f.file}: invalid JSON (${f.error})`;
  }
}

const formatBytes = (n: number): string => (n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`);

/** What a bounded read's error says of the file: "not a regular file (a FIFO, socket or device)". */
export function readErrorWords(e: { code: string | null; limit: number | null; error: string }): string {
  if (e.code === 'ENOTREG') return 'not a regular file (a FIFO, socket or device)';
  if (e.code === 'EISDIR') return 'a folder';
  if (e.code === 'EFBIG' && e.limit !== null) return `larger than ${formatBytes(e.limit)}`;
  return e.code ?? e.error;
}

export function dockerErrorWords(f: DockerErrorFact): string {
  switch (f.why) {
    case 'unreadable':
      return `cannot read ${f.what} ${f.path}: ${readErrorWords(f)}`;
    case 'no-context':
      return `build context ${f.path} does not exist`;
    case 'no-dockerfile':
      return `no Dockerfile at ${f.path}`;
    case 'no-from':
      return 'the Dockerfile has no FROM instruction';
    case 'no-such-stage':
      return `--docker-target ${f.stage}: no such stage (stages: ${f.stages.join(', ')})`;
  }
}

export function verifyErrorWords(f: VerifyErrorFact): string {
  switch (f.why) {
    case 'no-such-node':
      return `--node ${f.spec}: no such file`;
    case 'node-folder-without-bin':
      return `--node ${f.spec}: a folder without bin/node`;
  }
}

export function loaderErrorWords(f: LoaderErrorFact): string {
  switch (f.why) {
    case 'cannot-start':
      return `cannot start a loader with ${f.node}: ${f.detail}${f.stderr ? ` (${f.stderr})` : ''}`;
    case 'job-not-run':
      return `a loader could not run a job: ${f.detail}`;
  }
}

/** The sentence of a coded error (model/errors.ts); null for any other error. */
export function errorWords(err: unknown): string | null {
  const coded = codedErrorFact(err);
  if (!coded) return null;
  switch (coded.family) {
    case 'tree':
      return treeErrorWords(coded.fact);
    case 'init':
      return initErrorWords(coded.fact);
    case 'config':
      return configErrorWords(coded.fact);
    case 'docker':
      return dockerErrorWords(coded.fact);
    case 'verify':
      return verifyErrorWords(coded.fact);
    case 'loader':
      return loaderErrorWords(coded.fact);
    case 'target':
      return targetErrorWords(coded.fact);
  }
}

/** What to print of any error: a coded error's words, else its own message (fs and parser errors, bugs). */
export function errorMessage(err: unknown): string {
  return errorWords(err) ?? (err as Error | undefined)?.message ?? String(err);
}
