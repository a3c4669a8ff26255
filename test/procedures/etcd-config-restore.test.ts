// Lab tests of 5.4.2 etcd-config-restore and 5.4.2.1.1 etcd-peerurl-fix through the real CLI against the
// lab's 3-member TLS etcd 3.4, on either control plane (units, or OCP 3.10's static pods). The
// configuration backup comes from etcd-backup, taken in before().
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/etcd-config-restore.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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

test(
  'etcd-config-restore: a host that lost its certificates and etcd.conf gets them back from ' + 'the backup’s /etc/etcd, etcd healthy',
  async () => {
    const cfg = `/backup/etcd-config-${today()}`;
    const m = MASTERS[2]!;
    const aside = `/root/etcd-lost-${Date.now()}`;
    // the files are moved, not deleted: after() of a failed run can still put them back by hand
    const lose = await ssh(
      m,
      `test -s ${cfg}/etcd/peer.key && mkdir -p ${aside} && mv /etc/etcd/etcd.conf ` +
        `/etc/etcd/peer.key /etc/etcd/server.crt ${aside}/ && ls /etc/etcd`,
    );
    assert.equal(lose.code, 0, show(lose));
    try {
      const r = await day2('etcd-config-restore', { host: m, backup: cfg }, join(tmp, 'state-config-lost'));
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /lacks .*etcd\.conf.*peer\.key.*server\.crt|lacks .*peer\.key/, show(r));
      const c = await ssh(
        m,
        `cmp ${cfg}/etcd/peer.key /etc/etcd/peer.key && cmp ${cfg}/etcd/server.crt ` +
          `/etc/etcd/server.crt && cmp ${cfg}/etcd/etcd.conf /etc/etcd/etcd.conf && stat -c %U ` +
          `/etc/etcd/peer.key`,
      );
      assert.equal(c.code, 0, show(c));
      assert.match(c.stdout, /^etcd$/m, 'the copied key belongs to etcd');
      assert.ok(await waitHealthy(60), 'not healthy with 3 members after the config restore');
    } finally {
      await ssh(m, `for f in ${aside}/*; do test -e /etc/etcd/$(basename $f) || mv $f /etc/etcd/; done; rm -rf ${aside}`);
    }
  },
);
