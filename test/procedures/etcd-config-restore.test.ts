// Lab tests of 5.4.2 etcd-config-restore and 5.4.2.1.1 etcd-peerurl-fix through the real CLI against the
// lab's 3-member TLS etcd 3.4 (systemd units: the suite's first lab; these two procedures do not yet know
// a static-pod master, see issue 11). The configuration backup comes from etcd-backup, taken in before().
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/etcd-config-restore.test.ts
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertLabUp, day2, ensureHealthyEtcd, MASTERS, show, ssh, takeEtcdBackup, today, waitHealthy } from './lab-helpers.js';

let tmp = '';
let backupDir = '';

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-etcd-config-test-'));
  await ensureHealthyEtcd();
  // etcd-backup writes the configuration backup (/backup/etcd-config-<today>) the restore reads
  backupDir = await takeEtcdBackup('config', join(tmp, 'state-backup'));
});

after(async () => {
  if (backupDir) await ssh(MASTERS[0]!, `rm -rf ${backupDir}`).catch(() => undefined);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('etcd-peerurl-fix: on a member that already advertises its https address, nothing changes', async () => {
  const r = await day2('etcd-peerurl-fix', { host: MASTERS[0]! }, join(tmp, 'state-peerurl'));
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /already advertises https:\/\/127\.0\.10\.1:2380/, show(r));
  assert.ok(await waitHealthy(10));
});

test('etcd-config-restore: a damaged etcd.conf comes back from the configuration backup, etcd healthy', async () => {
  const cfg = `/backup/etcd-config-${today()}`;
  const m = MASTERS[1]!;
  const dmg = await ssh(m, `test -s ${cfg}/etcd/etcd.conf && echo 'damaged' > /etc/etcd/etcd.conf`);
  assert.equal(dmg.code, 0, show(dmg));
  const r = await day2('etcd-config-restore', { host: m, backup: cfg }, join(tmp, 'state-config'));
  assert.equal(r.code, 0, show(r));
  const c = await ssh(m, `cmp ${cfg}/etcd/etcd.conf /etc/etcd/etcd.conf && grep -x damaged /etc/etcd/etcd.conf.old-* && echo SAME`);
  assert.match(c.stdout, /SAME/, show(c));
  assert.ok(await waitHealthy(30), 'not healthy with 3 members after the config restore');
});
