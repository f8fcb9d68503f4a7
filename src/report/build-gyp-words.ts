// Words for what a binding.gyp asks of the build machine beyond `-l` libraries: pkg-config modules,
// and a C++ standard older than the target Node's headers need.
import type { Finding } from '../model/findings.js';
import { list } from './words.js';
import type { Words } from './words.js';

type BuildGypFinding = Extract<Finding, { code: 'BUILD_PKG_CONFIG_MISSING' | 'BUILD_CXX_STANDARD_TOO_OLD' }>;

export function buildGypWords(f: BuildGypFinding, pkg: string, on: string, name: string): Words {
  switch (f.code) {
    case 'BUILD_PKG_CONFIG_MISSING': {
      const e = f.evidence;
      const pcs = e.modules.map((m) => `${m}.pc`);
      return {
        message: `${pkg}${on}: its ${e.file} asks pkg-config for ${list(e.modules)}, and this machine has no ${list(pcs)} in pkg-config's folders: the source build fails (the development package, with the .pc file and the headers, is not installed)`,
        fix: `install the development package that ships ${list(pcs)} before \`npm ci\` (Debian: \`apt-file search ${pcs[0]}\` names it, often lib<name>-dev; Alpine: \`…-dev\`), or add its folder to PKG_CONFIG_PATH if it is installed elsewhere`,
      };
    }
    case 'BUILD_CXX_STANDARD_TOO_OLD': {
      const e = f.evidence;
      return {
        message: `${pkg}${on}: its ${e.file} compiles with -std=${e.standard}, after node-gyp's own flag, and Node ${e.nodeVersion}'s headers need C++${e.needs}: the source build fails`,
        fix: `use a version of ${name} that builds for Node ${e.nodeVersion} (or one with a prebuilt binary for it), or a Node whose headers ${e.standard} still compiles against`,
      };
    }
  }
}
