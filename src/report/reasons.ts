import type { BaseImageProblem, DockerfileProblemReason, IgnorePatternProblem } from '../model/findings.js';
import type { TarballProblem } from '../model/package.js';

/** Why a stage's base image is not one native-guard knows (DOCKER_BASE_IMAGE_UNKNOWN's `detail` in JSON). */
export function baseImageWords(e: BaseImageProblem & { image: string }): string {
  switch (e.reason) {
    case 'not-node-image':
    case 'unknown-tag':
      return targetErrorDetail(e.targetError);
    case 'scratch':
      return 'FROM scratch has no Node';
    case 'unresolved':
      return `FROM ${e.image || '(empty)'}`;
    case 'bad-platform':
      return `--platform=${e.platform} is not a Linux platform native-guard knows`;
  }
}
import type { TreeProblemReason } from '../model/package.js';
import { treeErrorWords } from './error-words.js';
import { targetErrorDetail } from './target-error-words.js';

/** What is wrong at a tree problem's path (the tree findings' `detail` in JSON). */
export function treeProblemWords(e: TreeProblemReason): string {
  switch (e.reason) {
    case 'error':
      return e.error;
    case 'tree-unreadable':
      return treeErrorWords(e.tree);
    case 'case-conflict':
      return `${e.name} and ${e.other} differ only in case: one folder on macOS and Windows, and npm keeps only one of them`;
    case 'not-regular':
      return 'package.json is not a regular file (a FIFO, socket, device or dangling link)';
    case 'not-a-folder':
      return `${e.folder} is not a folder: nothing in it can be installed or loaded`;
    case 'link-cycle':
      return `symbolic link cycle (${e.name} -> ${e.written})`;
    case 'link-target-missing':
      return `link target ${e.written} does not exist`;
    case 'link-target-not-folder':
      return `link target ${e.written} is not a folder`;
    case 'link-target-no-package-json':
      return `link target ${e.written} has no package.json`;
    case 'missing-fields':
      return `no ${e.missing.map((f) => `"${f}"`).join(' and no ')}: reported as ${e.reportedAs}`;
    case 'layout-unreadable':
      return `the layout cannot be read (${e.detail})`;
  }
}

/** A .dockerignore pattern's problem, in the words Docker's own error uses where it has one. */
function ignorePatternWords(problem: IgnorePatternProblem, char: string | undefined): string {
  switch (problem) {
    case 'lone-exclusion':
      return 'illegal exclusion pattern "!"';
    case 'syntax':
      return 'syntax error in pattern';
    case 'escape-rejected':
      return `\\${char ?? ''}: an escape Docker's regular expression rejects`;
    case 'escape-unread':
      return `\\${char ?? ''}: an escape native-guard does not read as Docker would`;
    case 'class-range-perl':
      return 'a class range with \\d, \\s or \\w';
    case 'class-range-order':
      return 'invalid character class range';
  }
}

/** What is wrong with a Dockerfile or .dockerignore line (DOCKERFILE_PROBLEM's `detail` in JSON). */
export function dockerfileProblemWords(e: DockerfileProblemReason): string {
  switch (e.reason) {
    case 'empty':
      return e.blank ? 'the Dockerfile is empty' : 'the Dockerfile has no instructions';
    case 'no-from':
      return 'no FROM instruction';
    case 'instruction-before-from':
      return `${e.keyword} before the first FROM (only ARG may come first)`;
    case 'unresolved-variable':
      return `$${e.name} has no value`;
    case 'bad-from':
      return `cannot read "${e.text}"`;
    case 'unknown-stage':
      return `--from=${e.from} names a stage defined later (or itself)`;
    case 'unreadable':
      return e.error;
    case 'value-too-long':
      return e.cut === 'value'
        ? `a variable expands to more than ${e.limit} characters here; native-guard reads only that much of it`
        : `variables expand to more than ${e.limit} characters in all by here; native-guard stops expanding them`;
    case 'bad-ignore-pattern':
      return `${e.pattern}: ${ignorePatternWords(e.problem, e.char)}`;
  }
}

/** What lockfile mode could not read whole in a tarball (MANIFEST_UNAVAILABLE's `detail` in JSON). */
export function tarballProblemWords(p: TarballProblem): string {
  switch (p.code) {
    case 'EJSONPARSE':
      return p.kind === 'not-an-object'
        ? 'package.json does not hold a JSON object'
        : `package.json is not JSON: ${p.parserMessage}`;
    case 'EMANIFESTTOOLARGE':
      return `package.json is ${p.size} bytes; lockfile mode reads at most ${p.max}`;
    case 'ETOOMANYENTRIES':
      return `the tarball lists more than ${p.limit === 'entries' ? `${p.max} files and folders` : `${p.maxMiB} MiB of file names`}`;
  }
}

/** Why a manifest or tarball could not be had: our own reason in words, else npm's own text. */
export function fetchDetailWords(e: {
  detail: string;
  tarball?: TarballProblem;
  notRegistry?: string;
}): string {
  if (e.tarball) return tarballProblemWords(e.tarball);
  if (e.notRegistry) return `not a registry package: ${e.notRegistry}`;
  return e.detail;
}
