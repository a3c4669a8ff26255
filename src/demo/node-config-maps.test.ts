// The DEMO's node config maps: fix-mtu rehearses on them, and a patched map reaches its group's nodes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNodeConfigMtu } from '../ocp/master-config.js';
import { parseNodeConfigMaps, withNetworkMtu } from '../ocp/node-config-maps.js';
import { rehearseInOrder } from '../testing/rehearse.js';
import { argv, sh } from '../transport/shell.js';
import { DEMO_DOMAIN, demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const quick = { lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } };
const host = (short: string) => `${short}.${DEMO_DOMAIN}`;

test('fix-mtu rehearses in the healthy demo: maps already at eth0 − 50, every node restarted and Ready, tun0 the same', async () => {
  const inventory = demoInventory();
  const runner = new DemoRunner({ inventory, ...quick });
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-demo-mtu-'));
  try {
    const { status, log } = await rehearseInOrder([{ id: 'fix-mtu', params: {} }], { inventory, runner, stateDir });
    assert.equal(status, 'ok', log);
    assert.deepEqual([...runner.unanswered], []);
    const restarts = log.split('\n').filter((l) => l.trim() === 'systemctl restart atomic-openshift-node');
    assert.equal(restarts.length, 9, log);
    assert.doesNotMatch(log, /oc patch/);
  } finally {
    await runner.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test("a patched node config map reaches its group's nodes (their sync pods), seeded before or after", async () => {
  const inventory = demoInventory();
  const runner = new DemoRunner({ inventory, ...quick });
  const on = (short: string) => ({ kind: 'host' as const, host: inventory.hosts.find((h) => h.name === host(short))! });
  const nodeMtu = async (short: string) =>
    parseNodeConfigMtu((await runner.run(on(short), sh`cat /etc/origin/node/node-config.yaml`)).stdout);
  try {
    assert.equal(await nodeMtu('app-node-0'), 1450); // seeded before the patch
    const read = await runner.run({ kind: 'bastion' }, sh`oc get cm -n openshift-node -o json`);
    const compute = parseNodeConfigMaps(read.stdout).find((m) => m.name === 'node-config-compute')!;
    const patch = JSON.stringify({ data: { 'node-config.yaml': withNetworkMtu(compute.yaml, 1400) } });
    const r = await runner.run(
      { kind: 'bastion' },
      argv('oc', 'patch', 'cm', compute.name, '-n', 'openshift-node', '--type', 'merge', '-p', patch),
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const after = parseNodeConfigMaps((await runner.run({ kind: 'bastion' }, sh`oc get cm -n openshift-node -o json`)).stdout);
    assert.deepEqual(
      after.map((m) => [m.name, m.mtu]),
      [
        ['node-config-master', 1450],
        ['node-config-infra', 1450],
        ['node-config-compute', 1400],
      ],
    );
    assert.equal(await nodeMtu('app-node-0'), 1400);
    assert.equal(await nodeMtu('app-node-1'), 1400); // seeded after the patch
    assert.equal(await nodeMtu('infra-node-0'), 1450);
  } finally {
    await runner.close();
  }
});
