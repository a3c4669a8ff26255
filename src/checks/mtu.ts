// 3.10 MTU: the registry address (OPENSHIFT_DEFAULT_REGISTRY of dc/docker-registry, read once on the
// bastion) → `curl -v https://<it>/healthz` from every host: a hang after "Initializing NSS" (a TLS
// handshake that never completes) is the MTU symptom. And the node's `networkConfig: mtu` must be the
// MTU of its SDN interface (the one holding the node's IP, else the default route's) minus 50. And
// `tun0` (the SDN's own interface) must have the same MTU on every node (the guide's L252, after a
// change of networkConfig.mtu): compared across the hosts of the run; a host without tun0 says so.

import { etcdAddress } from '../ocp/etcd.js';
import { NODE_CONFIG, parseNodeConfigMtu } from '../ocp/master-config.js';
import { type ShellCommand, sh } from '../transport/shell.js';
import { firstLine, isProblem, listNames, notRunnable, type Problem, withProblem } from './common.js';
import { type CurlResult, parseCurlVerbose, parseDefaultRouteDev, parseIpAddr, parseIpLink } from './parse/host.js';
import type { AcrossCell, Check, Verdict } from './types.js';

export const VXLAN_OVERHEAD = 50;
const CURL_SECONDS = 20;

export interface MtuPre {
  /** e.g. `docker-registry.default.svc:5000`; undefined when there is no internal registry. */
  registry?: string;
  reason?: string;
}

export interface MtuFacts {
  iface?: string;
  ifaceMtu?: number;
  tun0Mtu?: number;
  nodeConfigMtu?: number;
  nodeConfigReadable: boolean;
  registry?: string;
  registryReason?: string;
  curl?: CurlResult & { exitCode: number | null };
}

export const mtuCheck: Check<MtuFacts | Problem, MtuPre> = {
  id: 'mtu',
  title: 'MTU of the SDN',
  section: '3.10',
  placement: { on: 'hosts', roles: ['master', 'node'] },
  pre: {
    commands: (ctx) => ({
      registry: sh`${ctx.oc} -n default get dc docker-registry
        -o ${'jsonpath={.spec.template.spec.containers[].env[?(@.name=="OPENSHIFT_DEFAULT_REGISTRY")].value}'}`,
    }),
    parse(outputs) {
      const out = outputs['registry'];
      if (out?.exitCode !== 0) return { reason: out ? firstLine(out) || 'oc failed' : 'not run' };
      const registry = out.stdout.trim();
      return registry ? { registry } : { reason: 'dc/docker-registry has no OPENSHIFT_DEFAULT_REGISTRY' };
    },
  },
  commands(_host, _ctx, pre) {
    const cmds: Record<string, ShellCommand> = {
      links: sh`ip -o link show`,
      addrs: sh`ip -o addr show`,
      route: sh`ip route show default`,
      nodeConfig: sh`cat ${NODE_CONFIG}`,
    };
    // -v goes to stderr; a bounded wait so a hang shows as exit 28 rather than holding the check
    if (pre?.registry) cmds['curl'] = sh`curl -v --max-time ${CURL_SECONDS} ${`https://${pre.registry}/healthz`}`;
    return cmds;
  },
  parse(outputs, host, _ctx, pre) {
    const missing = notRunnable(outputs['links'], 'ip', 'yum install iproute');
    if (missing) return missing;
    const links = parseIpLink(outputs['links']?.stdout ?? '');
    const addrs = parseIpAddr(outputs['addrs']?.stdout ?? '');
    const ip = host ? etcdAddress(host) : undefined;
    const iface = addrs.find((a) => a.address === ip)?.iface ?? parseDefaultRouteDev(outputs['route']?.stdout ?? '');
    const nc = outputs['nodeConfig'];
    const facts: MtuFacts = { nodeConfigReadable: nc?.exitCode === 0 };
    if (iface) {
      facts.iface = iface;
      const l = links.find((x) => x.name === iface);
      if (l) facts.ifaceMtu = l.mtu;
    }
    const tun0 = links.find((x) => x.name === 'tun0');
    if (tun0) facts.tun0Mtu = tun0.mtu;
    if (nc?.exitCode === 0) {
      const m = parseNodeConfigMtu(nc.stdout);
      if (m !== undefined) facts.nodeConfigMtu = m;
    }
    if (pre?.registry) facts.registry = pre.registry;
    else if (pre?.reason) facts.registryReason = pre.reason;
    const c = outputs['curl'];
    if (c && c.exitCode !== 127) facts.curl = { ...parseCurlVerbose(c.stderr, c.stdout), exitCode: c.exitCode };
    return facts;
  },
  verdict: (facts) => withProblem(facts, judge),
  across: (cells) => compareTun0(cells),
};

const FIX_TUN0 = {
  procedure: 'fix-mtu',
  text:
    'Give every node the same networkConfig.mtu (the node config maps of every group), then restart the node ' +
    'service on the nodes whose tun0 differs.',
};

/** tun0's MTU must be the same on every node: the odd ones out fail, naming their value and the others'. */
export function compareTun0(cells: readonly AcrossCell<MtuFacts | Problem>[]): Verdict[] {
  const tun0 = (c: AcrossCell<MtuFacts | Problem>): number | undefined => (c.facts && !isProblem(c.facts) ? c.facts.tun0Mtu : undefined);
  const byValue = new Map<number, string[]>();
  for (const c of cells) {
    const v = tun0(c);
    if (v !== undefined) byValue.set(v, [...(byValue.get(v) ?? []), c.host.name]);
  }
  if (byValue.size <= 1) return cells.map((c) => c.verdict);
  const ranked = [...byValue.entries()].sort((a, b) => b[1].length - a[1].length);
  const majority = ranked[0]![1].length > ranked[1]![1].length ? ranked[0]![0] : undefined;
  const all = ranked.map(([v, hosts]) => `${v} on ${listNames(hosts, 4)}`).join('; ');
  return cells.map((c) => {
    const v = tun0(c);
    if (v === undefined || v === majority) return c.verdict;
    const others = majority !== undefined ? byValue.get(majority)! : [];
    const message =
      majority !== undefined
        ? `tun0 MTU ${v} here, ${majority} on the other nodes (${listNames(others, 4)}): tun0 must be the same everywhere`
        : `tun0 MTU differs between the nodes (${all}): it must be the same everywhere`;
    const details = { ...(c.verdict.details ?? {}), tun0ByValue: Object.fromEntries(byValue) };
    if (c.verdict.status === 'fail') return { ...c.verdict, message: `${c.verdict.message}; ${message}`, details };
    return { status: 'fail', message: `${message}; ${c.verdict.message}`, details, fix: FIX_TUN0 };
  });
}

function judge(f: MtuFacts): Verdict {
  const details = { ...f };
  const fix = {
    procedure: 'fix-mtu',
    text:
      `Set networkConfig.mtu to the interface MTU − ${VXLAN_OVERHEAD} in the node config maps of every master ` +
      `and node, then restart the nodes.`,
  };
  const c = f.curl;
  if (c) {
    const hung =
      c.connected && !c.tlsEstablished && c.httpStatus === undefined && (c.exitCode === 28 || c.exitCode === 35 || c.exitCode === 56);
    if (hung)
      return {
        status: 'fail',
        message:
          `curl https://${f.registry}/healthz connects but the TLS handshake never ` +
          `completes${c.nssInitialized ? ' (stops after "Initializing NSS")' : ''}: the MTU symptom`,
        details,
        fix,
      };
  }
  if (f.ifaceMtu !== undefined && f.nodeConfigMtu !== undefined) {
    const want = f.ifaceMtu - VXLAN_OVERHEAD;
    if (f.nodeConfigMtu > want)
      return {
        status: 'fail',
        message:
          `node config mtu ${f.nodeConfigMtu} > ${f.iface} MTU ${f.ifaceMtu} − ${VXLAN_OVERHEAD} = ${want}: ` +
          `SDN packets will be dropped`,
        details,
        fix,
      };
    if (f.nodeConfigMtu < want)
      return {
        status: 'warn',
        message:
          `node config mtu ${f.nodeConfigMtu} is below ${f.iface} MTU ${f.ifaceMtu} − ${VXLAN_OVERHEAD} = ` +
          `${want} (works, but wastes bandwidth)`,
        details,
        fix,
      };
    if (f.tun0Mtu !== undefined && f.tun0Mtu !== f.nodeConfigMtu)
      return {
        status: 'warn',
        message: `tun0 MTU ${f.tun0Mtu} differs from the node config mtu ${f.nodeConfigMtu}: restart the node service`,
        details,
        fix,
      };
  }
  if (c && c.httpStatus === undefined)
    return {
      status: 'warn',
      message: `curl https://${f.registry}/healthz failed (${c.error ?? `exit ${c.exitCode}`}) — not the MTU symptom`,
      details,
    };
  const parts: string[] = [];
  if (f.ifaceMtu !== undefined && f.nodeConfigMtu !== undefined) parts.push(`${f.iface} ${f.ifaceMtu}, node mtu ${f.nodeConfigMtu}`);
  else if (!f.nodeConfigReadable) parts.push(`no ${NODE_CONFIG}`);
  else if (f.nodeConfigMtu === undefined) parts.push('no networkConfig.mtu in the node config');
  else parts.push(`no MTU found for ${f.iface ?? 'the node interface'}`);
  parts.push(f.tun0Mtu !== undefined ? `tun0 ${f.tun0Mtu}` : 'no tun0 here (the SDN interface: not compared)');
  if (c?.httpStatus !== undefined) parts.push(`registry /healthz HTTP ${c.httpStatus}`);
  else if (!f.registry) parts.push(`registry not tested (${f.registryReason ?? 'no address'})`);
  const complete = f.ifaceMtu !== undefined && f.nodeConfigMtu !== undefined;
  return { status: complete || c?.httpStatus !== undefined ? 'ok' : 'warn', message: parts.join('; '), details };
}
