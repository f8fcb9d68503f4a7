import type { DownloadProblem, DownloadProblemReason, Evidence } from '../model/prediction.js';

/**
 * Why prebuild-install or node-pre-gyp would not fetch the right binary, in words: the tool's own
 * error message where it has one (node-pre-gyp's), else a short one of ours.
 */
export function downloadReasonWords(r: DownloadProblemReason): string {
  switch (r.why) {
    case 'runtime-missing':
      return 'get_runtime_abi requires valid runtime arg';
    case 'empty-target-version':
      return `Empty target version is not supported if ${r.runtime} is the target.`;
    case 'invalid-electron-version':
      return `Invalid electron version: ${r.version}`;
    case 'unknown-runtime':
      return `Unknown Runtime: '${r.runtime}'`;
    case 'unknown-target-version':
      return `Unknown target version: ${r.version}`;
    case 'unsupported-target-version':
      return `Unsupported target version: ${r.version}`;
    case 'target-not-a-string':
      return `target ${r.target} is not a version string`;
    case 'abi-lookup-failed':
      return r.message;
    case 'electron-abi-64':
      return `electron ${r.target}: prebuild-install skips ABI 64`;
    case 'name-or-version-not-string':
      return 'package.json name or version is not a string';
    case 'fields-missing':
      return 'package.json must declare: ' + r.fields.join(', ');
    case 'host-not-string':
      return 'binary.host is not a string';
    case 'host-http':
      return "'host' protocol (http:) is invalid - only 'https:' is accepted";
    case 'host-not-absolute':
      return `binary.host ${r.host} is not an absolute URL`;
    case 'invalid-s3-host':
      return `invalid s3_host ${r.host}`;
    case 'napi-versions-not-array':
      return 'binary.napi_versions is not an array';
    case 'napi-versions-not-positive':
      return 'All values specified in napi_versions must be positive integers.';
    case 'napi-build-version-not-used':
      return 'napi_versions needs {napi_build_version} in module_path and remote_path or package_name';
    case 'napi-build-version-without-versions':
      return '{napi_build_version} is used but napi_versions is not specified';
    case 'version-not-semver':
      return `version ${r.version} is not semver`;
    case 'no-command':
      return 'no node-pre-gyp command';
    case 'no-install-command':
      return `no install command in: ${r.commands.join(' ')}`;
    case 'template-not-string':
      return `template ${r.template} is not a string`;
    case 'template-loop':
      return `{${r.key}} expands to itself`;
    case 'binary-value-not-string':
      return `binary value ${r.value} is not a string`;
    case 'napi-versions-unrunnable':
      return `Node-API ${r.napi} cannot run napi_versions ${r.versions}`;
    case 'no-napi-entry':
      return `no binary.napi_versions entry <= Node-API ${r.napi}`;
    case 'napi-above-target':
      return `napi-v${r.abi} on Node-API ${r.napi}`;
    case 'no-github-url':
      return 'no github.com URL in repository or elsewhere in package.json';
    case 'template-unset':
    case 'template-value-unknown':
      return r.words.join(' ');
  }
}

/** A download problem as the evidence has always said it: `CODE: words`. */
export function downloadProblemWords(p: DownloadProblem): string {
  return `${p.code}: ${downloadReasonWords(p.reason)}`;
}

/** A download problem in a message: the codes native-guard sets itself said in full, the tool's own text as it came. */
export function downloadProblemSentence(p: DownloadProblem): string {
  const problem = downloadProblemWords(p);
  const words = downloadReasonWords(p.reason);
  switch (p.code) {
    case 'TEMPLATE_UNSET':
      return `the binary template uses ${words}, which the node-pre-gyp the package depends on does not set: it would ask for a file name with the braces in it, which no release has (${problem})`;
    case 'TEMPLATE_VALUE_UNKNOWN':
      return `the binary template uses ${words}, the libc version of the machine the install runs on, which this target does not say; name it in the target, e.g. node22-linux-x64-glibc2.36 (${problem})`;
    default:
      return problem;
  }
}

/**
 * A prediction's evidence as JSON: a download's `problem` keeps the words it has always had, and
 * `problemReason` carries the same as data (`why` and its values).
 */
export function evidenceItemJson(e: Evidence): object {
  if (e.kind !== 'download' || !e.problem) return e;
  return { ...e, problem: downloadProblemWords(e.problem), problemReason: e.problem.reason };
}
