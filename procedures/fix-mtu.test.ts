import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runToEnd } from '../src/engine/test-helpers.js';
import { FakeRunner } from '../src/testing/fake-runner.js';
import { fixMtu } from './fix-mtu.js';

const HOSTS = ['m0.example.com', 'm1.example.com', 'n0.example.com'];
const YAML = (mtu: number) =>
  `kind: NodeConfig\nnetworkConfig:\n  mtu: ${mtu} # set by the installer\n  networkPluginName: redhat/openshift-ovs-subnet\n`;
const link = (name: string, mtu: number) =>
  `2: ${name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${mtu} qdisc pfifo_fast state UP mode DEFAULT qlen 1000\n`;
const READ_MAPS = 'oc get cm -n openshift-node -o json';

/** The cluster as the fake runner answers it: the maps' text, each node's file and tun0 (copied and restarted). */
function cluster(eth0: (host: string) => number, mapMtu: number) {
  const maps = new Map(['node-config-master', 'node-config-compute'].map((n) => [n, YAML(mapMtu)]));
  const restarted: string[] = [];
  const runner = new FakeRunner();
  runner.allow(/^ip -o link show eth0$/).answers((where) => ({ stdout: link('eth0', eth0(where)) }));
  runner.allow(READ_MAPS).answers(() => ({
    stdout: JSON.stringify({ items: [...maps].map(([name, y]) => ({ metadata: { name }, data: { 'node-config.yaml': y } })) }),
  }));
  // the sync pod: every node's file is its map's text
  runner.allow('cat /etc/origin/node/node-config.yaml').answers(() => ({ stdout: maps.get('node-config-compute')! }));
  runner.allow(/^ip -o link show tun0$/).answers((where) => ({ stdout: link('tun0', restarted.includes(where) ? 1450 : mapMtu) }));
  runner.allow(/^oc --config=\/etc\/origin\/node\/node\.kubeconfig get node /).answers({ stdout: 'True' });
  return { runner, maps, restarted };
}

test('fix-mtu sets networkConfig.mtu to eth0 − 50 in every node config map (comments kept), restarts the nodes one at a time, tun0 the same', async () => {
  const { runner, maps, restarted } = cluster(() => 1500, 8951);
  for (const name of ['node-config-master', 'node-config-compute'])
    runner.expect(new RegExp(`^oc patch cm ${name} -n openshift-node --type merge -p `)).answers((_w, script) => {
      const patch = JSON.parse(script.slice(script.indexOf("-p '") + 4, -1)) as { data: Record<string, string> };
      maps.set(name, patch.data['node-config.yaml']!);
      return {};
    });
  for (const h of HOSTS)
    runner.expect(h, 'systemctl restart atomic-openshift-node').answers(() => {
      restarted.push(h);
      return {};
    });
  assert.equal(await runToEnd(fixMtu, runner), 'ok');
  runner.assertDone();
  assert.deepEqual(restarted, HOSTS, 'one at a time, in the inventory order');
  assert.equal(maps.get('node-config-compute'), YAML(1450));
});

test('fix-mtu refuses before changing anything when the hosts disagree on the interface MTU', async () => {
  const { runner } = cluster((h) => (h === 'n0.example.com' ? 9001 : 1500), 8951);
  assert.equal(await runToEnd(fixMtu, runner), 'failed');
  assert.ok(!runner.commands.some((c) => /^oc patch|^systemctl/.test(c.script)), 'nothing changed');
  runner.assertDone();
});
