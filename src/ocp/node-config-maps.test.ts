import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNodeConfigMaps, withNetworkMtu } from './node-config-maps.js';

const YAML = `# written by openshift-ansible
kind: NodeConfig
apiVersion: v1
networkConfig:
  mtu: 8951 # the AWS default
  networkPluginName: redhat/openshift-ovs-subnet
servingInfo:
  bindAddress: 0.0.0.0:10250
`;

test('withNetworkMtu changes networkConfig.mtu only, keeping comments, order and the other keys', () => {
  const out = withNetworkMtu(YAML, 1450);
  assert.equal(out, YAML.replace('mtu: 8951 # the AWS default', 'mtu: 1450 # the AWS default'));
  assert.match(withNetworkMtu('kind: NodeConfig\n', 1450), /^networkConfig:\n {2}mtu: 1450$/m);
  assert.throws(() => withNetworkMtu('- a list\n', 1450), /not a YAML mapping/);
  assert.throws(() => withNetworkMtu('a: [\n', 1450), /not valid YAML/);
});

test('parseNodeConfigMaps keeps the node-config-* maps with their networkConfig.mtu, and says when there are none', () => {
  const cm = (name: string, data: Record<string, string>) => ({ metadata: { name }, data });
  const json = JSON.stringify({
    items: [
      cm('node-config-compute', { 'node-config.yaml': YAML }),
      cm('node-config-infra', { 'node-config.yaml': 'kind: NodeConfig\n' }),
      cm('openshift-node-sync', { 'x.yaml': '' }),
    ],
  });
  assert.deepEqual(parseNodeConfigMaps(json), [
    { name: 'node-config-compute', yaml: YAML, mtu: 8951 },
    { name: 'node-config-infra', yaml: 'kind: NodeConfig\n' },
  ]);
  assert.throws(() => parseNodeConfigMaps('{"items":[]}'), /no node-config-\* config map/);
  assert.throws(() => parseNodeConfigMaps('error: the server'), /did not print JSON/);
});
