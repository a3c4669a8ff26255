// Lab test of 5.4.2.1 etcd-restore (with 5.4.2.1.1) through the real CLI (`day2-tui run … --yes`) against
// the lab's 3-member TLS etcd 3.4:
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/etcd-restore.test.ts
// (either control plane: lab.sh up --control-plane)
// The test takes a backup with etcd-backup, then (the test, not the product) destroys the data of all three
// members; etcd-restore must bring back 3 healthy members with their names, https peer URLs and the same
// fingerprint. A truncated snapshot must be refused with nothing stopped. Leaves 3 healthy members behind
// (in `after`, a broken cluster is restored again from the backup with the product).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  activeEverywhere,
  assertLabUp,
  clusterState,
  controlPlane,
  day2,
  ensureHealthyEtcd,
  fingerprint,
  journals,
  labDir,
  MAIN,
  MASTERS,
  membershipOk,
  run,
  show,
  ssh,
  stopEtcdByHand,
  takeEtcdBackup,
  waitHealthy,
} from './lab-helpers.js';

let tmp = '';
let backupDir = '';

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-etcd-restore-test-'));
  await ensureHealthyEtcd();
  // the backup every test uses, taken with the product
  backupDir = await takeEtcdBackup('restore', join(tmp, 'state-backup'));
});

after(async () => {
  try {
    if (labDir && backupDir && !(await waitHealthy(5))) {
      // never leave the lab broken: stop etcd, move whatever is left aside, restore again from the backup
      for (const m of MASTERS)
        await ssh(
          m,
          `${await stopEtcdByHand(m)}; rm -f /etc/systemd/system/etcd.service.d/temp.conf; systemctl ` +
            `daemon-reload; T=/var/lib/etcd.broken-$(date +%s); mkdir -p $T; mv /var/lib/etcd/* $T/ ` +
            `2>/dev/null; true`,
        );
      const r = await day2('etcd-restore', { host: MASTERS[0]!, backup: backupDir }, join(tmp, 'state-repair'));
      const ok = await waitHealthy(30);
      if (!ok) console.error(`after: the lab could not be repaired; run lab.sh down/up\n${show(r)}`);
    }
  } finally {
    if (labDir && backupDir) await ssh(MASTERS[0]!, `rm -rf ${backupDir}`).catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('etcd-restore: a truncated snapshot is refused before anything stops', async () => {
  const bad = `/backup/etcd-truncated-${process.pid}`;
  const prep = await ssh(
    MASTERS[0]!,
    `rm -rf ${bad} && cp -a ${backupDir} ${bad} && truncate -s $(( $(stat -c %s ${bad}/db) / 2 )) ${bad}/db && ls -l ${bad}/db`,
  );
  assert.equal(prep.code, 0, show(prep));
  try {
    const r = await day2('etcd-restore', { host: MASTERS[0]!, backup: bad }, join(tmp, 'state-truncated'));
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stdout + r.stderr, /failed: Verify the backup before anything stops/, show(r));
    // where it stands: the journal (nothing changed) and each member as the run saw it when it stopped
    assert.match(r.stdout, /Nothing was changed on the members/, show(r));
    for (const m of MASTERS)
      assert.ok(
        r.stdout.includes(`Seen just now on ${m}: etcd running; /var/lib/etcd holds a member's data`),
        `${m} not seen as it is:\n${show(r)}`,
      );
    assert.deepEqual(await activeEverywhere(), ['active', 'active', 'active']);
    assert.ok(await waitHealthy(5), 'the cluster is not healthy after the refused restore');
    const audit = readFileSync(join(tmp, 'state-truncated', 'audit.log'), 'utf8');
    assert.ok(!audit.includes('systemctl stop') && !audit.includes('pods-stopped/etcd.yaml'), 'nothing was stopped');
  } finally {
    await ssh(MASTERS[0]!, `rm -rf ${bad}`);
  }
});

test('etcd-restore: all three data dirs lost → 3 healthy members, original names, https peer URLs, same fingerprint', async () => {
  const fp0 = await fingerprint();
  // the test destroys the data (not the product)
  for (const m of MASTERS) {
    const r = await ssh(m, `${await stopEtcdByHand(m)}; rm -rf /var/lib/etcd/*; ls -A /var/lib/etcd | wc -l`);
    assert.equal(r.stdout.trim(), '0', `${m}: ${show(r)}`);
  }
  const state = join(tmp, 'state-restore');
  const t0 = Date.now();
  const r = await day2('etcd-restore', { host: MASTERS[0]!, backup: backupDir }, state);
  assert.equal(r.code, 0, show(r));
  const s = await clusterState();
  assert.ok(s.healthy, `not healthy:\n${s.list}`);
  assert.ok(membershipOk(s.list), `membership:\n${s.list}`);
  assert.equal(await fingerprint(), fp0, 'fingerprint differs after the restore');
  console.log(`restore took ${Math.round((Date.now() - t0) / 1000)} s`);

  // the data dirs were moved aside (not deleted), no --force-new-cluster is left (drop-in or etcd.conf line),
  // a static pod's manifest is back in place; the others' etcd.conf kept a .bak
  const podBack =
    controlPlane() === 'static' ? ' && test -e /etc/origin/node/pods/etcd.yaml && test ! -e /etc/origin/node/pods-stopped/etcd.yaml' : '';
  for (const m of MASTERS) {
    const a = await ssh(
      m,
      `ls -d /var/lib/etcd.old-* && test ! -e /etc/systemd/system/etcd.service.d/temp.conf && ! ` +
        `grep -q ETCD_FORCE_NEW_CLUSTER /etc/etcd/etcd.conf${podBack} && echo OK`,
    );
    assert.match(a.stdout, /OK/, `${m}: ${show(a)}`);
  }
  for (const m of MASTERS.slice(1)) {
    const c = await ssh(m, "ls /etc/etcd/etcd.conf.bak-* && grep -x 'ETCD_INITIAL_CLUSTER_STATE=existing' /etc/etcd/etcd.conf");
    assert.equal(c.code, 0, `${m}: ${show(c)}`);
  }
  // the audit log has the guide's commands
  const lines = readFileSync(join(state, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; host: string | null; command?: string });
  const cmds = lines.filter((l) => l.kind === 'command').map((l) => `${l.host} ${l.command}`);
  const has = (re: RegExp) =>
    assert.ok(
      cmds.some((c) => re.test(c)),
      `${re} not in:\n${cmds.join('\n')}`,
    );
  has(/^master-0\S* .*member update [0-9a-f]+ https:\/\/127\.0\.10\.1:2380/);
  has(/^master-0\S* .*member add master-1\.lab\.example\.com https:\/\/127\.0\.10\.2:2380/);
  if (controlPlane() === 'systemd') {
    has(/^master-0\S* sed -n '\/ExecStart\/s\/"\$\/ --force-new-cluster"\/p' \/usr\/lib\/systemd\/system\/etcd.service >> /);
    has(/^master-2\S* systemctl start etcd.service/);
  } else {
    // a static pod: openshift-ansible's force-new-cluster line, the manifest moved back, no unit touched
    has(/^master-0\S* grep -q .*ETCD_FORCE_NEW_CLUSTER=true.* >> \/etc\/etcd\/etcd.conf/);
    has(/^master-2\S* if test -e \/etc\/origin\/node\/pods-stopped\/etcd.yaml; then mv /);
    assert.ok(
      !cmds.some((c) => /systemctl (start|stop|restart|daemon-reload)|> \/etc\/systemd\/system\/etcd\.service\.d/.test(c)),
      `a unit command on a static-pod master:\n${cmds.join('\n')}`,
    );
  }
  await reportOfTheRun(state);
});

/**
 * `day2-tui report <id> --format md` of the restore: every command of its steps and every gate with its
 * answer; neither the cluster's token (ETCD_INITIAL_CLUSTER_TOKEN) nor a line of a member's private key.
 */
async function reportOfTheRun(state: string): Promise<void> {
  const j = journals(state)[0]!;
  const r = await run(process.execPath, ['--import', 'tsx', MAIN, 'report', j.runId, '--format', 'md', '--state-dir', state]);
  assert.equal(r.code, 0, show(r));
  const md = r.stdout;
  const audit = readFileSync(join(state, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; step?: string; command?: string; text: string });
  const stepIds = new Set(j.steps.map((st) => st.id));
  for (const e of audit.filter((x) => stepIds.has(x.step ?? ''))) {
    if (e.kind === 'command') assert.ok(md.includes(`$ ${e.command}`), `the report lacks the command ${e.command}`);
    if (e.kind === 'gate') assert.ok(md.includes(e.text), `the report lacks the gate line ${e.text}`);
  }
  assert.ok(
    audit.some((e) => e.kind === 'gate'),
    'the restore asked its gates',
  );
  assert.match(md, /## The cluster at the start[\s\S]*## The cluster at the end/);
  const token = await ssh(MASTERS[0]!, "sed -n 's/^ETCD_INITIAL_CLUSTER_TOKEN=//p' /etc/etcd/etcd.conf");
  assert.ok(token.stdout.trim(), `no token in etcd.conf: ${show(token)}`);
  assert.ok(!md.includes(token.stdout.trim()), 'the etcd cluster token is in the report');
  const key = await ssh(MASTERS[0]!, 'cat /etc/etcd/peer.key');
  const body = key.stdout.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
  assert.ok(body.length > 0, 'no key material read from peer.key');
  for (const l of body) assert.ok(!md.includes(l), 'a line of peer.key is in the report');
}
