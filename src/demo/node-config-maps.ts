// The node config maps of the DEMO cluster (OCP 3.10: openshift-node's node-config-master, -infra, -compute,
// each holding its group's node-config.yaml): `oc get cm -n openshift-node -o json` and `oc patch cm … --type
// merge -p …` answer from them, and the sync pod of each node (simulated at once) copies its group's map to the
// node's /etc/origin/node/node-config.yaml — also on a host whose files are seeded later (host-files.ts).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE_CONFIG, parseNodeConfigMtu } from '../ocp/master-config.js';
import { NODE_CONFIG_KEY, NODE_CONFIG_NAMESPACE, withNetworkMtu } from '../ocp/node-config-maps.js';
import { type DemoCluster, type DemoHost, nodeConfigYaml } from './cluster.js';
import type { DemoCommand } from './commands.js';
import { writeUnder } from './host-roots.js';
import type { DemoStep } from './runner.js';
import { flagValue } from './words.js';

const NAMESPACE = NODE_CONFIG_NAMESPACE;
const KEY = NODE_CONFIG_KEY;

const isNode = (h: DemoHost) => h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute';
const groupOf = (h: DemoHost) => `node-config-${h.kind}`;

const PATCHED = new WeakMap<DemoCluster, Map<string, string>>();

/** The groups' maps now: name → node-config.yaml. */
function demoNodeConfigMaps(c: DemoCluster): Map<string, string> {
  const maps = new Map<string, string>();
  for (const h of c.hosts.filter(isNode)) if (!maps.has(groupOf(h))) maps.set(groupOf(h), `${nodeConfigYaml(h)}\n`);
  for (const [name, text] of PATCHED.get(c) ?? []) maps.set(name, text);
  return maps;
}

/** The node-config.yaml the host's sync pod writes: its group's map. */
export function demoNodeConfig(c: DemoCluster, h: DemoHost): string {
  return demoNodeConfigMaps(c).get(groupOf(h)) ?? `${nodeConfigYaml(h)}\n`;
}

/** A scenario's networkConfig.mtu in every group's map, before anything reads them (runner.ts). */
export function setDemoNodeMtu(c: DemoCluster, mtu: number): void {
  const m = new Map<string, string>();
  for (const [name, text] of demoNodeConfigMaps(c)) m.set(name, withNetworkMtu(text, mtu));
  PATCHED.set(c, m);
}

// tun0 takes networkConfig.mtu when the node service starts: kept in the host's files at each (re)start
const TUN0_MTU = '/run/demo/tun0-mtu';

/** The node service (re)started: its SDN makes tun0 with the mtu node-config.yaml says now. */
export function nodeServiceStarted(root: string): void {
  const mtu = parseNodeConfigMtu(readFileSync(join(root, NODE_CONFIG), 'utf8'));
  if (mtu !== undefined) writeUnder(root, TUN0_MTU, `${mtu}\n`);
}

/** tun0's MTU on the host: as the node service last started it, else as it booted (its group's map). */
export function demoTun0Mtu(c: DemoCluster, h: DemoHost, root: string | undefined): number | undefined {
  const file = root ? join(root, TUN0_MTU) : undefined;
  if (file && existsSync(file)) return Number(readFileSync(file, 'utf8').trim());
  return parseNodeConfigMtu(demoNodeConfig(c, h));
}

function configMapList(c: DemoCluster): string {
  const items = [...demoNodeConfigMaps(c)].map(([name, text]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NAMESPACE, selfLink: `/api/v1/namespaces/${NAMESPACE}/configmaps/${name}` },
    data: { [KEY]: text },
  }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '', selfLink: '' } }, null, 4);
}

/** The map changed, and every node of its group (whose files exist already) given the new text by its sync pod. */
function patchMap(c: DemoCluster, name: string, text: string, hostsDir: string | undefined): void {
  const m = PATCHED.get(c) ?? new Map<string, string>();
  PATCHED.set(c, m.set(name, text));
  if (!hostsDir) return;
  for (const h of c.hosts.filter((x) => isNode(x) && groupOf(x) === name)) {
    const root = join(hostsDir, h.name);
    if (existsSync(root)) writeUnder(root, NODE_CONFIG, text);
  }
}

const onlyAdmin = (c: { host: DemoHost | undefined }) => c.host === undefined || c.host.kind === 'master';

export const NODE_CONFIG_MAP_COMMANDS: readonly DemoCommand[] = [
  {
    id: 'oc-get-node-config-maps',
    match: /^oc get (?:cm|configmaps?) -n openshift-node -o json$/,
    needs: 'oc',
    when: onlyAdmin,
    answer: (c) => ({ out: configMapList(c.cluster) }),
  },
  {
    id: 'oc-patch-node-config-map',
    match: /^oc patch (?:cm|configmaps?) (\S+) -n openshift-node --type merge -p /,
    needs: 'oc',
    when: onlyAdmin,
    answer: (c) => {
      const name = c.match[1]!;
      if (!demoNodeConfigMaps(c.cluster).has(name)) return { err: `Error from server (NotFound): configmaps "${name}" not found`, code: 1 };
      let text: unknown;
      try {
        text = (JSON.parse(flagValue(c.words, '-p') ?? '') as { data?: Record<string, unknown> }).data?.[KEY];
      } catch (e) {
        return { err: `error: unable to parse the patch: ${(e as Error).message}`, code: 1 };
      }
      if (typeof text !== 'string') return { err: `error: the demo patches only data.${KEY} of a node config map`, code: 1 };
      const hostsDir = c.root ? dirname(c.root) : undefined;
      const change: DemoStep = { kind: 'effect', run: () => patchMap(c.cluster, name, text as string, hostsDir) };
      return { steps: [{ kind: 'line', stream: 'stdout', text: `configmap/${name} patched` }, change] };
    },
  },
];
