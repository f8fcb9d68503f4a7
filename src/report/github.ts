import { isAbsolute, join, relative, sep } from 'node:path';
import type { Finding, Severity } from '../model/findings.js';
import { findingDocsAnchor } from '../model/findings.js';
import { inert } from './inert.js';
import { describeIn } from './messages.js';
import type { Target } from '../model/target.js';

/** GitHub Actions workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions */
const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** The message part: `%`, CR and LF are escaped (as @actions/core's escapeData does). */
export const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** Property values additionally escape `:` and `,`, which separate properties (@actions/core's escapeProperty). */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export interface GithubAnnotationOptions {
  /** The project root the findings' locations are relative to. */
  root: string;
  /** The repository checkout (GITHUB_WORKSPACE); `file=` paths are relative to it. Default: the root. */
  workspace?: string | undefined;
  /** The report's targets: their image data words the fixes. */
  targets?: readonly Target[];
}

/** The finding's package.json, relative to the checkout; null when it has no location or lies outside it. */
function packageJsonPath(f: Finding, opts: GithubAnnotationOptions): string | null {
  if (f.location === undefined) return null;
  const file = join(opts.root, ...f.location.split('/').filter(Boolean), 'package.json');
  const rel = relative(opts.workspace ?? opts.root, file);
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

/** One workflow annotation per finding: `::error file=…,title=CODE::message (fix: …)`. */
export function renderGithubAnnotations(findings: readonly Finding[], opts: GithubAnnotationOptions): string {
  return findings
    .map((f) => {
      const words = describeIn(f, opts.targets ?? []);
      const props = [];
      const file = packageJsonPath(f, opts);
      // a path with characters inert() would escape names no file worth linking: left out
      if (file && inert(file, Infinity) === file) props.push(`file=${escapeProperty(file)}`);
      props.push(`title=${escapeProperty(f.code)}`);
      const text = `${words.message}${words.fix ? `\nfix: ${words.fix}` : ''}\n${findingDocsAnchor(f.code)}`;
      return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(text)}\n`;
    })
    .join('');
}
