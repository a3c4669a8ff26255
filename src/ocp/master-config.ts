// Where OpenShift 3.x keeps a master's and a node's configuration, and what the product reads from it:
// the paths under /etc/origin, the API port the inventory gives the masters, the SDN MTU of
// node-config.yaml. The one place checks and procedures take these from.
import { clusterVar } from '../inventory/hosts.js';
import type { Host, Inventory } from '../inventory/types.js';

export const MASTER_CONFIG = '/etc/origin/master/master-config.yaml';
export const NODE_CONFIG = '/etc/origin/node/node-config.yaml';
/** The CA's serial number file: it exists only on the first master, where the installer signed certificates. */
export const CA_SERIAL = '/etc/origin/master/ca.serial.txt';

/** The master API's port: openshift_master_api_port, else the installer's 8443. */
export function apiPort(inv: Inventory, host: Host | undefined): string {
  return clusterVar(inv, 'openshift_master_api_port', host) ?? '8443';
}

/**
 * `networkConfig: mtu:` of node-config.yaml. The `yaml` package is not a dependency, and this one key
 * of a block mapping is all we need: find the top-level `networkConfig:` line, then an indented `mtu:`
 * within its block (up to the next line at column 0). Comments and flow style `{mtu: 1450}` handled.
 */
export function parseNodeConfigMtu(text: string): number | undefined {
  const ls = text.split(/\r?\n/);
  const start = ls.findIndex((l) => /^networkConfig:/.test(l));
  if (start < 0) return undefined;
  const flow = /^networkConfig:\s*\{[^}]*\bmtu:\s*(\d+)/.exec(ls[start]!);
  if (flow) return Number(flow[1]);
  for (const l of ls.slice(start + 1)) {
    if (/^\S/.test(l) && !l.startsWith('#')) break;
    const r = /^\s+mtu:\s*["']?(\d+)["']?\s*(?:#.*)?$/.exec(l);
    if (r) return Number(r[1]);
  }
  return undefined;
}
