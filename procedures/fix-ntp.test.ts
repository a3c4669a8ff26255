import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProcedureRun } from '../src/engine/run.js';
import { CannedOperator, ScriptedRunner, tempStateDir, toyInventory } from '../src/engine/test-helpers.js';
import { RecordingRunner } from '../src/transport/runner.js';
import { fixNtp } from './fix-ntp.js';

test('fix-ntp turns NTP on only where the ntp check flags it, and the check itself verifies it', async () => {
  let on = false; // n0's NTP, until set-ntp runs there
  const runner = new RecordingRunner(new ScriptedRunner((where, script) => {
    if (script === 'timedatectl set-ntp true') {
      on = true;
      return {};
    }
    const yes = where !== 'n0.example.com' || on ? 'yes' : 'no';
    if (script === 'timedatectl') return { stdout: `NTP enabled: ${yes}\nNTP synchronized: ${yes}\n` };
    return { stdout: `${(Date.now() / 1000).toFixed(9)}\n` }; // a clock sample
  }));
  const run = startProcedureRun({ procedure: fixNtp, params: {}, inventory: toyInventory(), runner, operator: new CannedOperator(), stateDir: tempStateDir() });
  assert.equal((await run.result()).status, 'ok');
  assert.deepEqual(runner.commands.filter((c) => c.script.includes('set-ntp')).map((c) => c.where), ['n0.example.com']);
  assert.equal(runner.commands.filter((c) => c.where === 'n0.example.com' && c.script === 'timedatectl').length, 2);
});
