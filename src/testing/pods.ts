// Test support for nodes and drains. `oc get pods -o json` output written as short rows, one pod a
// line, tab-separated — namespace, name, phase, controller kind, controller name, emptyDir ({} when it
// has one), mirror annotation, deletionTimestamp, DeploymentConfig annotation, Ready status — the fields
// the pod reader (src/ocp/nodes.ts) looks at, so that a test's pods stay readable.
import type { DrainOptions } from '../ocp/oc.js';

export function podListJson(rows: string, node: string): string {
  const items = rows
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((f) => f.length >= 10 && f[1])
    .map((f) => podJson(f as string[], node));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function podJson([ns, name, phase, kind, owner, emptyDir, mirror, deleting, dc, ready]: string[], node: string): object {
  const annotations: Record<string, string> = {};
  if (mirror) annotations['kubernetes.io/config.mirror'] = mirror;
  if (dc) annotations['openshift.io/deployment-config.name'] = dc;
  return {
    kind: 'Pod',
    metadata: {
      namespace: ns,
      name,
      annotations,
      ...(kind ? { ownerReferences: [{ controller: true, kind, name: owner }] } : {}),
      ...(deleting ? { deletionTimestamp: deleting } : {}),
    },
    spec: { nodeName: node, volumes: emptyDir ? [{ name: 'emptydir', emptyDir: {} }] : [] },
    status: { phase: phase || 'Unknown', conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
  };
}

/** Drain options for a test: every flag on (the ones the lab's node-0 needs), the node given. */
export function drainOptionsFor(node: string, o: Partial<DrainOptions> = {}): DrainOptions {
  return { node, ignoreDaemonsets: true, deleteLocalData: true, force: true, ...o };
}
