import type { DockerSummary } from '../model/reports.js';
import { inert } from './inert.js';
import type { Style } from './style.js';

const INSTALL_WORDS: Record<string, string> = {
  'npm-ci': 'npm ci',
  'npm-install': 'npm install',
  'npm-rebuild': 'npm rebuild',
  'yarn-install': 'yarn install',
  'pnpm-install': 'pnpm install',
};

/** The Dockerfile block of the text reports: which stage is the image, where npm installs, what the context sends. */
export function renderDockerSummary(s: Style, d: DockerSummary): string[] {
  const out: string[] = [];
  out.push(
    `${s.bold('Dockerfile')} ${inert(d.dockerfile)} ${s.dim(
      `(${d.explicit ? 'image target added' : 'found in the project: build-context check only; --dockerfile adds the image as a target, --no-dockerfile skips it'})`,
    )}`,
  );
  if (d.final) {
    out.push(
      `  image: stage ${inert(d.final.stage)}, ${inert(d.final.image)}${d.final.target ? '' : s.dim(' (not a Node image native-guard knows)')}`,
    );
  }
  if (d.install) {
    const where = `${INSTALL_WORDS[d.install.command] ?? inert(d.install.command)} in stage ${inert(d.install.stage)} (line ${d.install.line})`;
    out.push(
      `  installs: ${where}${d.install.copiedAt !== null ? `, node_modules copied into the image at line ${d.install.copiedAt}` : ''}`,
    );
  } else if (d.final) {
    out.push(`  installs: ${s.dim('no npm ci/install in the stages that make the image')}`);
  }
  if (d.verifyGate !== null) out.push(`  health gate: native-guard verify at line ${d.verifyGate}`);
  if (d.scan) {
    const sentBinaries = d.scan.binaries.length;
    const placed = d.scan.binaries.filter((b) => b.imagePath !== null).length;
    out.push(
      `  build context: ${inert(d.context)} with ${d.dockerignore !== null ? inert(d.dockerignore) : s.dim('no .dockerignore')}; sends ${d.scan.nodeModules.length} node_modules ${d.scan.nodeModules.length === 1 ? 'folder' : 'folders'} and ${sentBinaries} .node ${sentBinaries === 1 ? 'file' : 'files'}${sentBinaries ? `, ${placed} copied into the image` : ''}${d.scan.truncated ? s.dim(' (walk stopped at its limit)') : ''}`,
    );
  }
  return out;
}
