// Words for what decides a source build beyond the toolchain: engines.node and the manager's node-gyp.
import type { Finding } from '../model/findings.js';
import type { Words } from './words.js';

type BuildRunnerFinding = Extract<
  Finding,
  {
    code:
      | 'ENGINES_EXCLUDE_NODE'
      | 'NODE_GYP_NOT_FOUND'
      | 'NODE_GYP_UNSUPPORTED_NODE'
      | 'SHARED_LIBRARY_UNCHECKED';
  }
>;

/** The lowest Node a range allows, in words (`^22.22.2 || ^24.15.0 || >=26.0.0` → `22.22.2`). */
function lowestNode(range: string): string {
  const m = /(\d+(?:\.\d+){0,2})/.exec(range);
  return m ? m[1]! : range;
}

export function buildRunnerWords(f: BuildRunnerFinding, pkg: string, on: string, name: string): Words {
  switch (f.code) {
    case 'SHARED_LIBRARY_UNCHECKED':
      return {
        message: `${pkg}${on}: ${f.evidence.file} needs ${f.evidence.libraries.join(', ')}, which not every image has, and what this target has is not known`,
        fix: `install the package that ships ${f.evidence.libraries.length > 1 ? 'them' : 'it'} in the image (Debian: \`apt-get install\` the library package) and run \`native-guard verify\` there, or check with a target whose libraries are known (host)`,
      };
    case 'ENGINES_EXCLUDE_NODE':
      return {
        message: `${pkg}${on}: compiles from source, but its engines.node (${f.evidence.engines}) leaves out Node ${f.evidence.nodeVersion}: the build is not promised`,
        fix: `use a Node version its engines allow, or a version of ${name} that supports Node ${f.evidence.nodeVersion}; \`native-guard verify\` after the install tells for sure`,
      };
    case 'NODE_GYP_NOT_FOUND':
      return {
        message: `${pkg}${on}: compiles with node-gyp, and Yarn runs only a node-gyp the package or the top-level workspace depends on: there is none, so the build fails ("Couldn't find a script name node-gyp")`,
        fix: 'add node-gyp to the root workspace (`yarn add -D node-gyp@<a version whose engines allow your Node>`: node-gyp 12 for Node 20)',
      };
    case 'NODE_GYP_UNSUPPORTED_NODE': {
      const e = f.evidence;
      const who =
        e.source === 'latest'
          ? `Bun runs \`bun x node-gyp\` (the registry's latest, node-gyp ${e.nodeGyp} or newer)`
          : e.source === 'package'
            ? `the package's own node-gyp ${e.nodeGyp} runs`
            : `${e.manager === 'bun' ? 'Bun' : 'Yarn'} runs the project's node-gyp ${e.nodeGyp}`;
      const fix =
        e.source === 'latest'
          ? `add a node-gyp whose engines allow Node ${e.nodeVersion} to the project (\`bun add -d node-gyp@12\`), set npm_config_nodedir to local Node headers, or use Node ${lowestNode(e.engines)} or newer`
          : `use a node-gyp whose engines allow Node ${e.nodeVersion} (node-gyp 12 for Node 20), set npm_config_nodedir to local Node headers, or use Node ${lowestNode(e.engines)} or newer`;
      return {
        message: `${pkg}${on}: compiles with node-gyp, and ${who}, whose engines (${e.engines}) leave out Node ${e.nodeVersion}: it crashes downloading Node's headers`,
        fix,
      };
    }
  }
}
