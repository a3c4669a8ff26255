import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, host, labInventory } from '../checks/test-helpers.js';
import { apiPort, parseNodeConfigMtu } from './master-config.js';

test('parseNodeConfigMtu: the mtu of networkConfig, not a top-level one', () => {
  assert.equal(parseNodeConfigMtu(fixture('guide/node-config.yaml')), 1450);
  assert.equal(parseNodeConfigMtu('networkConfig:\n  networkPluginName: x\nmtu: 9000\n'), undefined);
  assert.equal(parseNodeConfigMtu('networkConfig: {mtu: 8951}\n'), 8951);
  assert.equal(parseNodeConfigMtu('kind: NodeConfig\n'), undefined);
});

test('apiPort: openshift_master_api_port of the host or the cluster, else 8443', () => {
  const m = host('m1', ['master']);
  assert.equal(apiPort(labInventory({ hosts: [m] }), m), '8443');
  assert.equal(apiPort(labInventory({ hosts: [m], groupVars: { OSEv3: { openshift_master_api_port: '443' } } }), m), '443');
  const m2 = host('m2', ['master'], { openshift_master_api_port: '8444' });
  assert.equal(apiPort(labInventory({ hosts: [m2] }), m2), '8444');
});
