// Lab test of fix-ntp through the real CLI: node-0's NTP turned off by hand (the lab's timedatectl
// follows chronyd, as timedated does), the ntp check fails there; `run fix-ntp --yes` with no host turns
// it on only where the check flags it, and the ntp check is ok on every host again.
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/fix-ntp.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertLabUp, checkCells, day2, show, ssh } from './lab-helpers.js';

const NODE0 = 'node-0.lab.example.com';
let tmp = '';

const ntpCells = () => checkCells('ntp', join(tmp, 'check-state'));

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-fix-ntp-test-'));
});

after(async () => {
  if (!tmp) return;
  await ssh(NODE0, 'timedatectl set-ntp true'); // as the lab was, whatever the test did
  rmSync(tmp, { recursive: true, force: true });
});

test('fix-ntp turns NTP on where the ntp check flags it, and the check turns ok', async () => {
  const off = await ssh(NODE0, 'timedatectl set-ntp false');
  assert.equal(off.code, 0, show(off));
  const before = await ntpCells();
  assert.match(before.get(NODE0) ?? '', /^fail: NTP is not enabled/);
  const flagged = [...before].filter(([, v]) => !v.startsWith('ok')).map(([h]) => h);
  assert.deepEqual(flagged, [NODE0], [...before].join('\n'));

  const state = join(tmp, 'run-state');
  const r = await day2('fix-ntp', {}, state);
  assert.equal(r.code, 0, show(r));
  const audit = readFileSync(join(state, 'audit.log'), 'utf8');
  const setNtp = audit.split('\n').filter((l) => l.includes('timedatectl set-ntp true'));
  assert.equal(setNtp.length, 1, audit);
  assert.match(setNtp[0]!, new RegExp(NODE0));

  const after = await ntpCells();
  for (const [h, v] of after) assert.match(v, /^ok/, `${h}: ${v}`);
});
