import type { ArboristNode } from '@npmcli/arborist';
import type { ScriptIdentity } from '../model/package.js';

/** What npm's allowScripts matcher reads from an Arborist node, as plain data. */
export function scriptIdentityOf(node: ArboristNode): ScriptIdentity {
  const edgesIn: Array<{ name: string; spec: string }> = [];
  for (const edge of node.edgesIn) edgesIn.push({ name: edge.name, spec: edge.spec });
  return {
    resolved: node.resolved,
    registry: node.isRegistryDependency,
    edgesIn,
    path: node.path,
    realpath: node.realpath,
  };
}
