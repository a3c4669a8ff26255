// The whole health run over the DEMO cluster's showcase scenario: the checks' real commands, answered by
// the DemoRunner. Only the deliberate problems may show: app-node-2 is down (its cells error, its kubelet-port cell adds
// that the masters cannot reach its kubelet either; nodes-ready names it) and app-node-1 still runs docker
// on devicemapper.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHealthRun } from '../checks/run.js';
import { cellKey } from '../model/health.js';
import { demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const DOWN = 'app-node-2.demo.example.com';
const DM = 'app-node-1.demo.example.com';

test('demo health run: only the deliberate problems (app-node-2 down, app-node-1 on devicemapper)', async () => {
  const inventory = demoInventory('showcase');
  const runner = new DemoRunner({ inventory, lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
  const run = startHealthRun({ inventory, runner });
  const s = await run.finished();
  assert.ok(s.done);
  const seen = new Set<string>();
  const expect = (id: string, host: string | null, status: string, message?: RegExp) => {
    const key = cellKey(id, host);
    const r = s.results.get(key);
    assert.ok(r, `no cell ${key}`);
    assert.equal(r.status, status, `${key}: ${r.message}`);
    if (message) assert.match(r.message, message, key);
    seen.add(key);
  };

  for (const r of s.results.values()) if (r.host === DOWN) expect(r.check, DOWN, 'error', /No route to host/);
  // the outage is said once, on the down node: the masters that could not reach its tcp/10250 do not fail for it
  expect('kubelet-port', DOWN, 'error', /No route to host; the masters cannot reach its tcp\/10250 either$/);
  expect('docker-storage', DM, 'warn', /devicemapper/);
  assert.equal(s.results.get(cellKey('docker-storage', DM))!.fix?.procedure, 'docker-storage-overlay2');
  expect('nodes-ready', null, 'fail', /app-node-2\.demo\.example\.com \(NotReady\)/);
  for (const m of inventory.hosts.filter((h) => h.roles.includes('master')))
    expect('kubelet-port', m.name, 'ok', /^tcp\/10250 reachable from all 3 masters$/);

  const others = [...s.results].filter(([key]) => !seen.has(key));
  assert.ok(others.length > 50);
  for (const [key, r] of others) assert.ok(r.status === 'ok' || r.status === 'skipped', `${key}: ${r.status} ${r.message}`);
  // docker-storage has nothing to say on the lb (no docker there), nor does any node-only check
  assert.equal(s.results.get(cellKey('docker-storage', 'lb.demo.example.com')), undefined);
  await runner.close();
});
