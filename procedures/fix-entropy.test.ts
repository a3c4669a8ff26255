import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entropyCheck } from '../src/checks/entropy.js';
import { runToEnd, toyInventory } from '../src/engine/test-helpers.js';
import { fixTarget } from '../src/model/health-fix.js';
import { FakeRunner } from '../src/testing/fake-runner.js';
import { CATALOGUE } from './catalogue.js';
import { fixEntropy } from './fix-entropy.js';
import { findProcedure } from './index.js';

const N0 = 'n0.example.com';

test('fix-entropy installs rng-tools and starts rngd only where the entropy check flags it, and the check verifies', async () => {
  let rngd = false; // started on n0
  const runner = new FakeRunner();
  runner.allow('uname -r').answers(() => ({ stdout: '3.10.0-862.el7.x86_64\n' }));
  runner.allow('cat /proc/sys/kernel/random/entropy_avail').answers((where) => ({ stdout: where === N0 && !rngd ? '141\n' : '3012\n' }));
  runner.expect(N0, 'rpm -q rng-tools || yum install -y rng-tools').answers({ stdout: 'Complete!\n' });
  runner.expect(N0, 'systemctl enable --now rngd').answers(() => {
    rngd = true;
    return {};
  });
  assert.equal(await runToEnd(fixEntropy, runner), 'ok');
  runner.assertDone();
});

test('fix-entropy fails when rngd does not raise the entropy within its wait', async () => {
  const runner = new FakeRunner();
  runner.allow('uname -r').answers(() => ({ stdout: '3.10.0-862.el7.x86_64\n' }));
  runner.allow('cat /proc/sys/kernel/random/entropy_avail').answers((where) => ({ stdout: where === N0 ? '141\n' : '3012\n' }));
  runner.allow(/^rpm -q rng-tools|^systemctl enable --now rngd$/).answers({});
  const fast = {
    ...fixEntropy,
    steps: fixEntropy.steps.map((s) => ({ ...s, verify: s.verify && { ...s.verify, until: { everyMs: 1, withinMs: 5 } } })),
  };
  assert.equal(await runToEnd(fast, runner), 'failed');
});

test('a low entropy cell on Health opens fix-entropy with that host filled in', () => {
  const verdict = entropyCheck.verdict({ available: 141, kernel: '3.10.0-862.el7.x86_64' }, undefined, undefined as never);
  assert.equal(verdict.status, 'warn');
  const cell = {
    check: 'entropy',
    host: N0,
    status: verdict.status,
    message: verdict.message,
    ...(verdict.fix ? { fix: verdict.fix } : {}),
  };
  const runnable = (id: string) => findProcedure(id)?.entry;
  assert.deepEqual(fixTarget(cell, runnable, CATALOGUE, toyInventory()), { id: 'fix-entropy', prefill: { host: N0 } });
});
