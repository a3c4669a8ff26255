import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProcedureRun } from '../src/engine/run.js';
import { CannedOperator, tempStateDir, toyInventory } from '../src/engine/test-helpers.js';
import { FakeRunner } from '../src/testing/fake-runner.js';
import { fixNtp } from './fix-ntp.js';

test('fix-ntp turns NTP on only where the ntp check flags it, and the check itself verifies it', async () => {
  let on = false; // n0's NTP, until set-ntp runs there
  const runner = new FakeRunner();
  // the check's reads, on every host, in parallel: any order
  runner.allow('timedatectl').answers((where) => {
    const yes = where !== 'n0.example.com' || on ? 'yes' : 'no';
    return { stdout: `NTP enabled: ${yes}\nNTP synchronized: ${yes}\n` };
  });
  runner.allow(/^(?!timedatectl)/).answers(() => ({ stdout: `${(Date.now() / 1000).toFixed(9)}\n` })); // a clock sample
  // the fix: on n0 only (set-ntp anywhere else is unexpected)
  runner.expect('n0.example.com', 'timedatectl set-ntp true').answers(() => {
    on = true;
    return {};
  });
  const run = startProcedureRun({
    procedure: fixNtp,
    params: {},
    inventory: toyInventory(),
    runner,
    operator: new CannedOperator(),
    stateDir: tempStateDir(),
  });
  assert.equal((await run.result()).status, 'ok');
  runner.assertDone();
  assert.deepEqual(
    runner.commands.filter((c) => c.script.includes('set-ntp')).map((c) => c.where),
    ['n0.example.com'],
  );
  assert.equal(runner.commands.filter((c) => c.where === 'n0.example.com' && c.script === 'timedatectl').length, 2);
});
