// Lab test of fix-entropy through the real CLI: node-0's own view of the kernel's entropy pool made low (a
// lab file bound over /proc/sys/kernel/random/entropy_avail in its mount namespace only), so the entropy
// check warns there; `run fix-entropy --yes` with no host installs rng-tools (the lab's yum) and starts rngd
// (the lab's systemctl: its start fills that pool) only there, and the entropy check is ok on every host.
//   LAB_UP_ARGS='--control-plane systemd' bash scripts/with-lab.sh node --import tsx --test test/procedures/fix-entropy.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertLabUp, checkCells, day2, show, ssh } from './lab-helpers.js';

const NODE0 = 'node-0.lab.example.com';
const POOL = '/proc/sys/kernel/random/entropy_avail';
let tmp = '';

const entropyCells = () => checkCells('entropy', join(tmp, 'check-state'));

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-fix-entropy-test-'));
});

after(async () => {
  if (!tmp) return;
  // as the lab was, whatever the test did: the kernel's own pool, no rngd, no rng-tools
  await ssh(NODE0, `umount ${POOL}; rm -f /run/lab/entropy_avail; systemctl disable --now rngd; yum remove -y rng-tools`);
  rmSync(tmp, { recursive: true, force: true });
});

test('fix-entropy installs rng-tools and starts rngd where the entropy check flags it, and the check turns ok', async () => {
  const low = await ssh(NODE0, `echo 141 > /run/lab/entropy_avail && mount --bind /run/lab/entropy_avail ${POOL} && cat ${POOL}`);
  assert.equal(low.code, 0, show(low));
  assert.equal(low.stdout.trim(), '141');
  const notInstalled = await ssh(NODE0, 'rpm -q rng-tools');
  assert.equal(notInstalled.code, 1, show(notInstalled));
  const before = await entropyCells();
  assert.match(before.get(NODE0) ?? '', /^warn: low entropy: 141 available/);
  const flagged = [...before].filter(([, v]) => !v.startsWith('ok')).map(([h]) => h);
  assert.deepEqual(flagged, [NODE0], [...before].join('\n'));

  const state = join(tmp, 'run-state');
  const r = await day2('fix-entropy', {}, state);
  assert.equal(r.code, 0, show(r));
  const audit = readFileSync(join(state, 'audit.log'), 'utf8');
  for (const command of ['yum install -y rng-tools', 'systemctl enable --now rngd']) {
    const lines = audit.split('\n').filter((l) => l.includes(command));
    assert.equal(lines.length, 1, `${command}:\n${audit}`);
    assert.match(lines[0]!, new RegExp(NODE0));
  }

  const rngd = await ssh(NODE0, 'rpm -q rng-tools && systemctl is-active rngd && systemctl is-enabled rngd');
  assert.equal(rngd.code, 0, show(rngd));
  const after = await entropyCells();
  for (const [h, v] of after) assert.match(v, /^ok/, `${h}: ${v}`);
  assert.match(after.get(NODE0) ?? '', /entropy 3072 available/);
});
