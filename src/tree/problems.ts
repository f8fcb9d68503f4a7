import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { TreeProblem } from '../model/package.js';

/** Tree problems as findings; `project` prefixes locations of a nested project (relative to the root). */
export function treeProblemFindings(problems: TreeProblem[], project = ''): Finding[] {
  return problems.map((p) => {
    const { kind: _kind, location: _location, ...evidence } = p;
    const where = { location: project ? `${project}/${p.location}`.replace(/\/$/, '') : p.location };
    switch (p.kind) {
      case 'package-json-invalid':
        return makeFinding('PACKAGE_JSON_INVALID', where, evidence);
      case 'link-broken':
        return makeFinding('LINK_BROKEN', where, evidence);
      case 'folder-unreadable':
        return makeFinding('FOLDER_UNREADABLE', where, evidence);
      case 'lockfile-invalid':
        return makeFinding('LOCKFILE_INVALID', where, evidence);
      case 'case-conflict':
        return makeFinding('PACKAGE_NAME_CASE_CONFLICT', where, evidence);
      case 'layout-unreadable':
        return makeFinding('LAYOUT_UNREADABLE', where, evidence);
    }
  });
}
