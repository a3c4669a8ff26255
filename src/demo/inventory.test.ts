import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInventory } from '../inventory/parse.js';
import { DEMO_FILE, DEMO_INVENTORY_TEXT, demoInventory } from './inventory.js';

test('demo inventory: source, counts, roles, no warnings', () => {
  const inv = demoInventory();
  assert.deepEqual(inv.source, { kind: 'demo' });
  assert.deepEqual(inv.warnings, []);
  assert.equal(inv.hosts.length, 10);
  const withRole = (r: string) => inv.hosts.filter((h) => (h.roles as string[]).includes(r)).map((h) => h.name);
  assert.deepEqual(withRole('master'), ['master-0.demo.example.com', 'master-1.demo.example.com', 'master-2.demo.example.com']);
  assert.deepEqual(withRole('etcd'), withRole('master'));
  assert.equal(withRole('etcd').length % 2, 1, 'etcd is odd');
  assert.deepEqual(withRole('infra'), ['infra-node-0.demo.example.com', 'infra-node-1.demo.example.com', 'infra-node-2.demo.example.com']);
  assert.equal(withRole('node').length, 9, 'masters are nodes too');
  assert.deepEqual(withRole('lb'), ['lb.demo.example.com']);
  const apps = inv.hosts.filter((h) => h.roles.length === 1 && h.roles[0] === 'node').map((h) => h.name);
  assert.deepEqual(apps, ['app-node-0.demo.example.com', 'app-node-1.demo.example.com', 'app-node-2.demo.example.com']);
  const m = inv.hosts.slice(0, 3);
  assert.deepEqual(
    m.map((h) => [h.address, h.openshift?.ip]),
    [
      ['10.0.0.1', '10.0.0.1'],
      ['10.0.0.2', '10.0.0.2'],
      ['10.0.0.3', '10.0.0.3'],
    ],
  );
  for (const h of inv.hosts) {
    assert.equal(h.file, DEMO_FILE);
    assert.equal(h.user, 'cloud-user');
    assert.equal(h.become, true);
    assert.equal(h.port, 22);
  }
});

test('demo inventory is exactly what the parser gives for its text', () => {
  const parsed = parseInventory(DEMO_INVENTORY_TEXT, { file: DEMO_FILE });
  const demo = demoInventory();
  assert.deepEqual({ ...demo, source: parsed.source }, parsed);
  assert.notEqual(demoInventory().hosts[0], demo.hosts[0], 'a fresh copy each call');
});
