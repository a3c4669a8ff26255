import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixNtp } from '../../procedures/fix-ntp.js';
import { ntpCheck } from '../checks/ntp.js';
import { ProbeFactsCaches } from '../model/facts-cache.js';
import { FakeRunner } from '../testing/fake-runner.js';
import { flaggedBy, flaggedHosts } from './from-check.js';
import { planProcedure } from './plan.js';
import { toyInventory } from './test-helpers.js';
import type { StepContext } from './types.js';

const ntpOffOn = (host: string) =>
  FakeRunner.answering((where, script) => {
    const yes = where === host ? 'no' : 'yes';
    if (script === 'timedatectl') return { stdout: `NTP enabled: ${yes}\nNTP synchronized: ${yes}\n` };
    return { stdout: `${(Date.now() / 1000).toFixed(9)}\n` };
  });

test('before the check was read, the hosts it flags are not guessed: the plan says the run reads them first', () => {
  const plan = planProcedure(fixNtp, {}, toyInventory());
  assert.deepEqual(plan[0]!.hosts, []);
  assert.match(plan[0]!.where, /the ntp check \(NTP synchronisation\) is read from the hosts when the run starts/);
  const ctx = {
    params: {},
    inventory: toyInventory(),
    captured: { get: () => '', has: () => false },
    startedAt: new Date(),
    planning: true,
  } as StepContext;
  assert.throws(() => flaggedHosts(ctx, flaggedBy(ntpCheck)), /read from the hosts when the run starts/);
});

test("the console's plan, once the check came in, lists only the hosts it flags (one read per probe, shared)", async () => {
  const caches = new ProbeFactsCaches(toyInventory(), ntpOffOn('n0.example.com'));
  assert.equal(caches.current(fixNtp.facts!), undefined); // starts the read
  let facts = caches.current(fixNtp.facts!);
  for (let i = 0; !facts && i < 1000; i++) {
    await new Promise((r) => setTimeout(r, 10));
    facts = caches.current(fixNtp.facts!);
  }
  assert.ok(facts, 'the ntp check was never read');
  const plan = planProcedure(fixNtp, {}, toyInventory(), new Date(), facts);
  assert.deepEqual(plan[0]!.hosts, ['n0.example.com']);
  assert.deepEqual(
    plan[0]!.commands.map((c) => `${c.host}$ ${c.command}`),
    ['n0.example.com$ timedatectl set-ntp true'],
  );
});
