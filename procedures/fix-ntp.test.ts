import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runToEnd } from '../src/engine/test-helpers.js';
import { FakeRunner } from '../src/testing/fake-runner.js';
import { fixNtp } from './fix-ntp.js';

test('fix-ntp turns NTP on only where the ntp check flags it, and the check itself verifies it', async () => {
  let on = false; // n0's NTP, until set-ntp runs there
  const runner = new FakeRunner();
  const synced = (where: string) => (where !== 'n0.example.com' || on ? 'yes' : 'no');
  runner.allow('timedatectl').answers((where) => ({ stdout: `NTP enabled: ${synced(where)}\nNTP synchronized: ${synced(where)}\n` }));
  runner.allow(/^(?!timedatectl)/).answers(() => ({ stdout: `${(Date.now() / 1000).toFixed(9)}\n` })); // the check's clock sample
  runner.expect('n0.example.com', 'timedatectl set-ntp true').answers(() => {
    // n0 only: elsewhere unexpected
    on = true;
    return {};
  });
  assert.equal(await runToEnd(fixNtp, runner), 'ok');
  runner.assertDone();
  assert.equal(runner.commands.filter((c) => c.where === 'n0.example.com' && c.script === 'timedatectl').length, 2);
});
