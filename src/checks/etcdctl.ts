// Full etcdctl command lines, built from the inventory. The installer's `etcdctl2` / `etcdctl3` are
// shell aliases, which a non-interactive SSH command does not expand: every flag is spelled out here.
// Shared by the etcd checks and the etcd procedures.
import type { Host, Inventory } from '../inventory/types.js';
import { sh, type ShellCommand } from '../transport/shell.js';

/** The peer certificate pair the installer's aliases use. */
export interface EtcdCerts {
  cert: string;
  key: string;
  ca: string;
}

export const ETCD_PEER_CERTS: EtcdCerts = {
  cert: '/etc/etcd/peer.crt',
  key: '/etc/etcd/peer.key',
  ca: '/etc/etcd/ca.crt',
};

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** The address etcd listens on: `openshift_ip`, else `ansible_host`, else the host's address/name. */
export function etcdAddress(host: Host): string {
  return host.vars['openshift_ip'] || host.vars['ansible_host'] || host.address || host.name;
}

function hostForUrl(addr: string): string {
  return addr.includes(':') && !addr.startsWith('[') ? `[${addr}]` : addr;
}

export function etcdClientUrl(host: Host): string {
  return `https://${hostForUrl(etcdAddress(host))}:${ETCD_CLIENT_PORT}`;
}

export function etcdPeerUrl(host: Host): string {
  return `https://${hostForUrl(etcdAddress(host))}:${ETCD_PEER_PORT}`;
}

/** The `[etcd]` hosts of the inventory, in inventory order. */
export function etcdHosts(inventory: Inventory): Host[] {
  return inventory.hosts.filter((h) => h.roles.includes('etcd'));
}

/** Every etcd member's client URL, from the inventory. */
export function etcdEndpoints(inventory: Inventory): string[] {
  return etcdHosts(inventory).map(etcdClientUrl);
}

/** `ETCDCTL_API=2 etcdctl --cert-file … --key-file … --ca-file … --endpoints A,B,C <args>`. */
export function etcdctl2(endpoints: readonly string[], args: readonly (string | number)[], certs: EtcdCerts = ETCD_PEER_CERTS): ShellCommand {
  return sh`ETCDCTL_API=2 etcdctl --cert-file ${certs.cert} --key-file ${certs.key} --ca-file ${certs.ca} --endpoints ${endpoints.join(',')} ${args}`;
}

/** `ETCDCTL_API=3 etcdctl --cert … --key … --cacert … --endpoints A,B,C <args>`. */
export function etcdctl3(endpoints: readonly string[], args: readonly (string | number)[], certs: EtcdCerts = ETCD_PEER_CERTS): ShellCommand {
  return sh`ETCDCTL_API=3 etcdctl --cert ${certs.cert} --key ${certs.key} --cacert ${certs.ca} --endpoints ${endpoints.join(',')} ${args}`;
}

/** The commands of the guide, by name. `endpoints`: usually etcdEndpoints(inventory). */
export const etcdctl = {
  clusterHealth: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl2(endpoints, ['cluster-health'], certs),
  memberListV2: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl2(endpoints, ['member', 'list'], certs),
  endpointHealth: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl3(endpoints, ['endpoint', 'health'], certs),
  memberListV3: (endpoints: readonly string[], format: 'simple' | 'table' | 'json' = 'json', certs?: EtcdCerts) =>
    etcdctl3(endpoints, ['member', 'list', '-w', format], certs),
  endpointStatusJson: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl3(endpoints, ['endpoint', 'status', '-w', 'json'], certs),
  /** `member update <id> <peerURL>` (v2), the peerURL fix after --force-new-cluster. */
  memberUpdateV2: (endpoints: readonly string[], id: string, peerUrl: string, certs?: EtcdCerts) =>
    etcdctl2(endpoints, ['member', 'update', id, peerUrl], certs),
  memberAddV2: (endpoints: readonly string[], name: string, peerUrl: string, certs?: EtcdCerts) =>
    etcdctl2(endpoints, ['member', 'add', name, peerUrl], certs),
  memberRemoveV2: (endpoints: readonly string[], id: string, certs?: EtcdCerts) => etcdctl2(endpoints, ['member', 'remove', id], certs),
  snapshotSave: (endpoint: string, file: string, certs?: EtcdCerts) => etcdctl3([endpoint], ['snapshot', 'save', file], certs),
};
