// OCP 3.10's node configuration lives in config maps of the openshift-node namespace, one per node group
// (node-config-master, node-config-infra, node-config-compute, …), each holding the group's node-config.yaml
// under that key; the sync pod on every node copies its group's map to /etc/origin/node/node-config.yaml.
// Read from `oc get cm -n openshift-node -o json`; networkConfig.mtu changed with the `yaml` package, which
// keeps the rest of the file (comments, order, quoting) as it was.
import { isMap, parseDocument } from 'yaml';
import { parseNodeConfigMtu } from './master-config.js';

export const NODE_CONFIG_NAMESPACE = 'openshift-node';
export const NODE_CONFIG_KEY = 'node-config.yaml';

export interface NodeConfigMap {
  name: string;
  /** The map's node-config.yaml, as it is. */
  yaml: string;
  /** Its networkConfig.mtu; undefined when it sets none. */
  mtu?: number;
}

interface ConfigMapList {
  items?: { metadata?: { name?: string }; data?: Record<string, string> }[];
}

/** The node-config-* maps of `oc get cm -n openshift-node -o json`; throws the sentence that says why there are none. */
export function parseNodeConfigMaps(json: string): NodeConfigMap[] {
  let list: ConfigMapList;
  try {
    list = JSON.parse(json) as ConfigMapList;
  } catch {
    throw new Error(`oc get cm -n ${NODE_CONFIG_NAMESPACE} did not print JSON: ${JSON.stringify(json.slice(0, 60))}`);
  }
  const maps = (list.items ?? []).flatMap((i) => {
    const name = i.metadata?.name ?? '';
    const yaml = i.data?.[NODE_CONFIG_KEY];
    if (!name.startsWith('node-config-') || yaml === undefined) return [];
    const mtu = parseNodeConfigMtu(yaml);
    return [mtu === undefined ? { name, yaml } : { name, yaml, mtu }];
  });
  if (maps.length === 0)
    throw new Error(
      `no node-config-* config map with a ${NODE_CONFIG_KEY} key in ${NODE_CONFIG_NAMESPACE} (an OCP 3.10 cluster has one per node group)`,
    );
  return maps;
}

/** The node-config.yaml with networkConfig.mtu set to `mtu`, everything else kept; throws when it is not a YAML mapping. */
export function withNetworkMtu(yaml: string, mtu: number): string {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0) throw new Error(`${NODE_CONFIG_KEY} is not valid YAML: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new Error(`${NODE_CONFIG_KEY} is not a YAML mapping`);
  doc.setIn(['networkConfig', 'mtu'], mtu);
  return doc.toString();
}
