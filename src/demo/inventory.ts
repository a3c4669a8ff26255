// The built-in DEMO cluster: what the console opens when there is no inventory (or with --demo).
// It is built by parsing an ordinary OCP 3.10 inventory with the real parser, so it is shaped exactly
// like a file inventory. Nothing here is ever connected to: the DemoRunner answers for these hosts.
import { parseInventory } from '../inventory/parse.js';
import type { Inventory } from '../inventory/types.js';
import { DEMO_DOMAIN } from './domain.js';
import { findScenario, scenarioSpareEtcd } from './scenarios.js';

/** Shown wherever the source is named. */
export const DEMO_LABEL = 'DEMO';
/** Host.file of every demo host. */
export const DEMO_FILE = '<demo>';
export { DEMO_DOMAIN };

export const DEMO_INVENTORY_TEXT =
  `# DEMO cluster — a simulated OpenShift Container Platform 3.10 cluster; nothing here is real.
[OSEv3:children]
masters
etcd
nodes
lb

[OSEv3:vars]
ansible_ssh_user=cloud-user
ansible_become=true
openshift_deployment_type=openshift-enterprise
openshift_release=v3.10
openshift_master_cluster_method=native
openshift_master_cluster_hostname=console-int.${DEMO_DOMAIN}
openshift_master_cluster_public_hostname=console.${DEMO_DOMAIN}
openshift_master_default_subdomain=apps.${DEMO_DOMAIN}
openshift_master_identity_providers=[{'name': 'htpasswd_auth', 'login': 'true', ` +
  `'challenge': 'true', 'kind': 'HTPasswdPasswordIdentityProvider'}]

[masters]
master-0.${DEMO_DOMAIN} ansible_host=10.0.0.1 openshift_ip=10.0.0.1
master-1.${DEMO_DOMAIN} ansible_host=10.0.0.2 openshift_ip=10.0.0.2
master-2.${DEMO_DOMAIN} ansible_host=10.0.0.3 openshift_ip=10.0.0.3

[etcd]
master-[0:2].${DEMO_DOMAIN}

[nodes]
master-[0:2].${DEMO_DOMAIN} openshift_node_group_name=node-config-master
infra-node-0.${DEMO_DOMAIN} ansible_host=10.0.0.11 openshift_ip=10.0.0.11 openshift_node_group_name=node-config-infra
infra-node-1.${DEMO_DOMAIN} ansible_host=10.0.0.12 openshift_ip=10.0.0.12 openshift_node_group_name=node-config-infra
infra-node-2.${DEMO_DOMAIN} ansible_host=10.0.0.13 openshift_ip=10.0.0.13 openshift_node_group_name=node-config-infra
app-node-0.${DEMO_DOMAIN} ansible_host=10.0.0.21 openshift_ip=10.0.0.21 openshift_node_group_name=node-config-compute
app-node-1.${DEMO_DOMAIN} ansible_host=10.0.0.22 openshift_ip=10.0.0.22 openshift_node_group_name=node-config-compute
app-node-2.${DEMO_DOMAIN} ansible_host=10.0.0.23 openshift_ip=10.0.0.23 openshift_node_group_name=node-config-compute

[lb]
lb.${DEMO_DOMAIN} ansible_host=10.0.0.10 openshift_ip=10.0.0.10
`;

/** The etcd group of the other control-plane form: three hosts of their own running etcd.service (the RPM install). */
const EXTERNAL_ETCD = `[etcd]
etcd-0.${DEMO_DOMAIN} ansible_host=10.0.0.31 openshift_ip=10.0.0.31
etcd-1.${DEMO_DOMAIN} ansible_host=10.0.0.32 openshift_ip=10.0.0.32
etcd-2.${DEMO_DOMAIN} ansible_host=10.0.0.33 openshift_ip=10.0.0.33
`;

/** The inventory text of a scenario's control-plane form: etcd static pods on the masters, or external etcd hosts. */
export function demoInventoryText(scenario?: string): string {
  if (scenario && findScenario(scenario)?.etcd === 'systemd')
    return DEMO_INVENTORY_TEXT.replace(`[etcd]\nmaster-[0:2].${DEMO_DOMAIN}\n`, EXTERNAL_ETCD);
  return DEMO_INVENTORY_TEXT;
}

/**
 * The DEMO cluster's inventory (source kind 'demo'): 3 masters with etcd, 3 infra, 3 app nodes, 1 lb (the
 * external-etcd scenario: etcd on 3 hosts of its own). `scenario` (src/demo/scenarios.ts) travels on the
 * source to the DemoRunner; none is the default (healthy).
 */
export function demoInventory(scenario?: string): Inventory {
  const s = scenario ? findScenario(scenario) : undefined;
  return parseInventory(withNewEtcd(demoInventoryText(scenario), s ? scenarioSpareEtcd(s) : []), {
    file: DEMO_FILE,
    source: { kind: 'demo', ...(scenario ? { scenario } : {}) },
  });
}

/** The inventory text with a [new_etcd] group of these hosts (a scenario's spare hosts; none: unchanged). */
export function withNewEtcd(text: string, spares: readonly { host: string; ip: string }[]): string {
  if (spares.length === 0) return text;
  const group = spares.map((x) => `${x.host} ansible_host=${x.ip} openshift_ip=${x.ip}`).join('\n');
  return `${text.replace('[OSEv3:children]\n', '[OSEv3:children]\nnew_etcd\n')}\n[new_etcd]\n${group}\n`;
}
