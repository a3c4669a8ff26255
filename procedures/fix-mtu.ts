// 3.10 MTU: networkConfig.mtu in every node config map (openshift-node's node-config-*) set to the MTU of
// the SDN's Ethernet device (`ip link`, the same on every master and node, else refused) minus 50; once
// each node's sync pod has copied its map to node-config.yaml, the node service restarted one node at a
// time (after a gate), each Ready again before the next; then tun0 has that MTU on every node (L252).
import { firstLine, hostsWithRole } from '../src/checks/common.js';
import { VXLAN_OVERHEAD } from '../src/checks/mtu.js';
import { parseIpLink } from '../src/checks/parse/host.js';
import type { CommandOutput } from '../src/checks/types.js';
import { capture, captures } from '../src/engine/capture.js';
import type { CommandCheck, CommandProbe, Placement, StepContext } from '../src/engine/types.js';
import type { Host } from '../src/inventory/types.js';
import { NODE_CONFIG, parseNodeConfigMtu } from '../src/ocp/master-config.js';
import { NODE_CONFIG_KEY, NODE_CONFIG_NAMESPACE, parseNodeConfigMaps, withNetworkMtu } from '../src/ocp/node-config-maps.js';
import { argv, sh } from '../src/transport/shell.js';
import { defineProcedure, textParam } from './define.js';
import { NODE_UNIT } from './docker-common.js';

const SECTION = '3.10';
/** A node's own credentials: enough to read its own Node object (the node authorizer). */
const NODE_KUBECONFIG = '/etc/origin/node/node.kubeconfig';
const READY_JSONPATH = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}';

/** Every master and node: the hosts of the SDN. */
function sdnHosts(ctx: Pick<StepContext, 'inventory'>): Host[] {
  return hostsWithRole(ctx.inventory, 'master', 'node');
}
const iface = (ctx: Pick<StepContext, 'params'>) => ctx.params['interface'] || 'eth0';

const interfaceMtu: CommandProbe = {
  name: 'interface-mtu',
  describe: "the MTU of the SDN's Ethernet device on every master and node (ip link)",
  where: sdnHosts,
  command: (_host, ctx) => sh`ip -o link show ${iface(ctx)}`,
  parse: (out) => {
    if (out.exitCode !== 0) throw new Error(`ip link: ${firstLine(out) || `exit ${out.exitCode}`}`);
    const link = parseIpLink(out.stdout)[0];
    if (!link) throw new Error(`ip link printed no MTU: ${JSON.stringify(out.stdout.slice(0, 60))}`);
    return link.mtu;
  },
  summary: (v) => `mtu ${v}`,
};

/** The mtu parameter, else the device's MTU − 50 — the same on every host, or the sentence that refuses. */
export function targetMtu(ctx: StepContext): number {
  if (ctx.params['mtu']) return Number(ctx.params['mtu']);
  const facts = ctx.facts;
  if (!facts || facts.read?.(interfaceMtu.name) === false) throw new Error(`${interfaceMtu.describe} is read when the run starts`);
  const hostsBy = new Map<number, string[]>();
  for (const h of sdnHosts(ctx)) {
    let mtu: number;
    try {
      mtu = facts.get(interfaceMtu.name, h) as number;
    } catch (e) {
      throw new Error(`cannot read the MTU of ${iface(ctx)} on ${h.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    hostsBy.set(mtu, [...(hostsBy.get(mtu) ?? []), h.name]);
  }
  const found = [...hostsBy.keys()];
  if (found.length !== 1) {
    const seen = [...hostsBy].map(([mtu, hosts]) => `${mtu} on ${hosts.join(', ')}`).join('; ');
    throw new Error(
      `the hosts disagree on the MTU of ${iface(ctx)} (${seen}): give the device the same MTU everywhere first, ` +
        'or set the mtu parameter',
    );
  }
  return found[0]! - VXLAN_OVERHEAD;
}

const maps = capture('node-config-maps', (o: CommandOutput[]) => parseNodeConfigMaps(o.at(-1)?.stdout ?? ''));
const readMaps = () => argv('oc', 'get', 'cm', '-n', NODE_CONFIG_NAMESPACE, '-o', 'json');

const mapsSayTarget: CommandCheck = {
  describe: 'every node config map says networkConfig.mtu = the MTU wanted',
  command: readMaps,
  ok: (out, ctx) => {
    const want = targetMtu(ctx);
    const off = parseNodeConfigMaps(out.stdout).filter((m) => m.mtu !== want);
    return off.length === 0 || off.map((m) => `${m.name} says ${m.mtu ?? 'no mtu'}, not ${want}`).join('; ');
  },
};

const onSdnHosts = (mode: 'serial' | 'parallel'): Placement => ({ on: 'hosts', describe: 'every master and node', mode, hosts: sdnHosts });
const nodeName = (h: Host | undefined) => h?.openshift?.hostname ?? h?.name ?? '';
const linkMtu = (out: CommandOutput) => parseIpLink(out.stdout)[0]?.mtu;

function validMtu(value: string): string | undefined {
  const n = Number(value);
  return /^\d+$/.test(value) && n >= 576 && n <= 9000
    ? undefined
    : `mtu ${JSON.stringify(value)} is not an MTU: give a whole number from 576 to 9000`;
}
function validInterface(value: string): string | undefined {
  return /^[A-Za-z0-9_.:-]{1,15}$/.test(value) ? undefined : `interface ${JSON.stringify(value)} is not a network device name (e.g. eth0)`;
}

export const fixMtu = defineProcedure({
  id: 'fix-mtu',
  title: 'Set the SDN MTU',
  section: SECTION,
  guideLine: 217,
  risk: 'high',
  summary:
    'Sets networkConfig.mtu in the node config maps to the interface MTU minus 50, restarts the node service one node at a time, checks tun0.',
  parameters: [
    {
      ...textParam('interface', "The SDN's Ethernet device (ip link show <it>), the same MTU on every host", false, 'eth0'),
      validate: validInterface,
    },
    { ...textParam('mtu', `Value for networkConfig.mtu; default: the interface MTU minus ${VXLAN_OVERHEAD}`, false), validate: validMtu },
  ],
  facts: [interfaceMtu],
  steps: [
    {
      id: 'read-maps',
      title: `Read the node config maps (oc get cm -n ${NODE_CONFIG_NAMESPACE}): networkConfig.mtu of each node-config-*`,
      section: SECTION,
      where: { on: 'bastion' },
      guard: true,
      commands: () => [readMaps()],
      capture: captures(maps),
    },
    {
      id: 'set-mtu',
      title: `Set networkConfig.mtu to the interface MTU − ${VXLAN_OVERHEAD} in every node config map (oc patch cm)`,
      section: SECTION,
      where: { on: 'bastion' },
      commands: (ctx) => {
        const mtu = targetMtu(ctx);
        return maps
          .of(ctx)
          .filter((m) => m.mtu !== mtu)
          .map((m) => {
            const patch = JSON.stringify({ data: { [NODE_CONFIG_KEY]: withNetworkMtu(m.yaml, mtu) } });
            return argv('oc', 'patch', 'cm', m.name, '-n', NODE_CONFIG_NAMESPACE, '--type', 'merge', '-p', patch);
          });
      },
      verify: mapsSayTarget,
    },
    {
      id: 'restart-nodes',
      title: `Restart the node service (systemctl restart ${NODE_UNIT}) one node at a time, each Ready again before the next`,
      section: SECTION,
      where: onSdnHosts('serial'),
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `${NODE_UNIT} restarts on ${sdnHosts(ctx).length} hosts, one at a time, so that the SDN takes networkConfig.mtu ` +
          `${targetMtu(ctx)}: each node's pods lose their network briefly while its SDN comes back.`,
        protectedBy: () => "nothing to back up: a restart changes no data (the maps' previous text is in this run's log, step 1)",
      },
      precondition: {
        describe: `the node's sync pod has copied its map: ${NODE_CONFIG} says the new mtu`,
        command: () => sh`cat ${NODE_CONFIG}`,
        ok: (out, ctx) => {
          const mtu = parseNodeConfigMtu(out.stdout);
          return mtu === targetMtu(ctx) || `${NODE_CONFIG} still says mtu ${mtu ?? '(none)'}`;
        },
        until: { everyMs: 5_000, withinMs: 300_000 },
      },
      commands: () => [argv('systemctl', 'restart', NODE_UNIT)],
      verify: {
        describe: `the node is Ready again (oc get node, with the node's own ${NODE_KUBECONFIG})`,
        command: (ctx) => argv('oc', `--config=${NODE_KUBECONFIG}`, 'get', 'node', nodeName(ctx.host), '-o', READY_JSONPATH),
        ok: (out) => out.stdout.trim() === 'True' || `Ready is ${out.stdout.trim() || firstLine(out) || 'not reported'}`,
        until: { everyMs: 5_000, withinMs: 300_000 },
      },
    },
    {
      id: 'tun0-same',
      title: 'Check that tun0 has the new MTU on every node (ip link show tun0): the same everywhere',
      section: SECTION,
      where: onSdnHosts('parallel'),
      commands: () => [],
      verify: {
        describe: 'tun0 has networkConfig.mtu',
        command: () => sh`ip -o link show tun0`,
        ok: (out, ctx) =>
          linkMtu(out) === targetMtu(ctx) || `tun0 MTU ${linkMtu(out) ?? `unknown (${firstLine(out)})`}, not ${targetMtu(ctx)}`,
        until: { everyMs: 5_000, withinMs: 120_000 },
      },
    },
  ],
});
