// The console's plan view reads the control plane in the background: nothing until the first read ends,
// then what it found; a host that cannot be read keeps its sentence.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../inventory/types.js';
import { controlPlaneProbe, runtimeOf } from '../ocp/control-plane.js';
import { testHost } from '../testing/builders.js';
import { FakeRunner } from '../testing/fake-runner.js';
import { FactsCache } from './facts-cache.js';

test('facts for the plan view: read once in the background, then kept', async () => {
  const hosts = [testHost('m0', ['master', 'etcd'], { groups: [] }), testHost('m1', ['master', 'etcd'], { groups: [] })];
  const inventory: Inventory = { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
  const runner = new FakeRunner();
  const stdout =
    'etcd manifest=pods unit=etcd.service enabled=disabled active=inactive\n' +
    'api manifest=pods unit=none enabled=- active=-\n' +
    'controllers manifest=pods unit=none enabled=- active=-\n';
  // one read per host, in parallel; a second read of either would be unexpected
  runner.expect('m0', () => true).answers({ stdout });
  runner.expect('m1', () => true).answers({ throws: new Error('connection refused') });
  const cache = new FactsCache([controlPlaneProbe], inventory, runner);
  assert.equal(cache.current(), undefined, 'nothing read yet: the plan says "resolved at run time"');
  while (cache.current() === undefined) await new Promise((r) => setTimeout(r, 5));
  const ctx = {
    params: {},
    inventory,
    captured: { get: () => '', has: () => false },
    startedAt: new Date(),
    planning: true,
    facts: cache.current()!,
  };
  assert.equal(runtimeOf(ctx, hosts[0]!, 'etcd').kind, 'static-pod');
  assert.throws(() => runtimeOf(ctx, hosts[1]!, 'etcd'), /m1: .*connection refused/);
  cache.current();
  assert.equal(runner.commands.length, 2, 'not read again while fresh');
  runner.assertDone();
});
