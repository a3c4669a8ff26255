// Lab tests of the chapter 4 backups through the real CLI (`day2-tui run … --yes`) against the lab's
// sshd hosts and its 3-member TLS etcd 3.4:
//   bash test/lab/lab.sh up --dir $LAB_DIR && LAB_DIR=$LAB_DIR node --import tsx --test test/procedures/backup.test.ts
// Fails (never skips) when LAB_DIR is unset or the lab is not up. Leaves etcd running on every master.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  endpointHealth,
  ensureHealthyEtcd,
  LAB_SH,
  day2 as labDay2,
  labDir,
  MASTERS,
  type Result,
  run,
  show,
  ssh,
  today,
} from './lab-helpers.js';

const NODES = [...MASTERS, 'infra-0.lab.example.com', 'node-0.lab.example.com', 'node-1.lab.example.com'];

let tmp = '';

/** `day2-tui run <procedure> --param … --yes` on the lab's inventory. */
const day2 = (procedure: string, params: Record<string, string>, stateDir: string) =>
  labDay2(procedure, params, stateDir, { timeoutMs: 300_000 });

/** etcd endpoint health with all three endpoints within 30 s, from master-0 (full flags, not the shim alias). */
async function waitHealthy(): Promise<void> {
  let r: Result | undefined;
  for (let i = 0; i < 30; i++) {
    r = await endpointHealth();
    if (r.code === 0) return;
    await new Promise((f) => setTimeout(f, 1000));
  }
  assert.fail(`etcd is not healthy on all members:\n${show(r!)}`);
}

interface AuditLine {
  kind: string;
  runId: string;
  host: string | null;
  command?: string;
  exitCode?: number | null;
  cancelled?: boolean;
}
function audit(stateDir: string): AuditLine[] {
  return readFileSync(join(stateDir, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: start a lab (bash test/lab/lab.sh up --dir DIR) and export LAB_DIR=DIR');
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  const st = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(st.code, 0, `the lab in ${labDir} is not up:\n${show(st)}`);
  tmp = mkdtempSync(join(tmpdir(), 'day2-backup-test-'));
  await ensureHealthyEtcd();
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('etcd-backup: v3 snapshot + v2 backup on master-0, config on every member, etcd healthy after, copy to the bastion', async () => {
  const state = join(tmp, 'state-etcd');
  const bastion = join(tmp, 'bastion');
  const date = today();
  const r = await day2('etcd-backup', { host: MASTERS[0]!, 'copy-to': bastion }, state);
  assert.equal(r.code, 0, show(r));

  const dir = `/backup/etcd-${date}`;
  const status = await ssh(MASTERS[0]!, `ETCDCTL_API=3 etcdctl snapshot status ${dir}/db -w json`);
  assert.equal(status.code, 0, show(status));
  const s = JSON.parse(status.stdout) as { hash: number; revision: number; totalKey: number; totalSize: number };
  assert.ok(s.totalKey > 3000, `snapshot has ${s.totalKey} keys (the lab seeds 3004)`);
  const files = await ssh(MASTERS[0]!, `ls ${dir}/member/wal/*.wal && test -s ${dir}/member/snap/db && echo V2-OK`);
  assert.match(files.stdout, /V2-OK/, show(files));
  for (const m of MASTERS) {
    const c = await ssh(
      m,
      `test -s /backup/etcd-config-${date}/etcd/etcd.conf && test -s /backup/etcd-config-${date}/etcd/peer.crt && echo CFG-OK`,
    );
    assert.match(c.stdout, /CFG-OK/, `${m}: ${show(c)}`);
  }
  // the other members did not get a data backup
  const other = await ssh(MASTERS[1]!, `test -e ${dir}/db && echo PRESENT || echo ABSENT`);
  assert.match(other.stdout, /ABSENT/);

  // etcd healthy on all three afterwards, and running on master-0
  const h = await endpointHealth();
  assert.equal(h.code, 0, show(h));
  assert.equal((await ssh(MASTERS[0]!, 'systemctl is-active etcd.service')).stdout.trim(), 'active');

  // the audit log: one command line per command, the stop and start among them, all exit 0
  const lines = audit(state).filter((l) => l.kind === 'command');
  assert.ok(lines.length >= 15, `only ${lines.length} command lines`);
  // every command exited 0; the log followed during the start-up is ended by the engine (cancelled, no exit code)
  for (const l of lines.filter((x) => !x.cancelled)) assert.equal(l.exitCode, 0, `${l.host}: ${l.command}`);
  assert.ok(
    lines.some((x) => x.cancelled && /^journalctl -f -n 0 -u etcd\.service/.test(x.command ?? '')),
    'etcd’s log was followed during the start-up',
  );
  const texts = lines.map((l) => `${l.host ?? 'bastion'} ${l.command}`);
  assert.ok(texts.includes(`${MASTERS[0]} systemctl stop etcd.service`), texts.join('\n'));
  assert.ok(texts.includes(`${MASTERS[0]} systemctl start etcd.service`));
  assert.ok(texts.some((t) => t.startsWith(`${MASTERS[0]} ETCDCTL_API=2 etcdctl backup --data-dir /var/lib/etcd --backup-dir ${dir}`)));
  for (const m of MASTERS) assert.ok(texts.includes(`${m} cp -R /etc/etcd/ /backup/etcd-config-${date}/`), m);
  // the copy: tar.gz in /backup on each member, fetched over SFTP on the verified connection (no system ssh)
  assert.ok(!texts.some((t) => t.startsWith('bastion ')), `nothing runs on the bastion:\n${texts.join('\n')}`);
  assert.ok(
    texts.includes(
      `${MASTERS[0]} sftp get ${MASTERS[0]}:/backup/etcd-data-${date}.tar.gz → ${join(bastion, MASTERS[0]!, `etcd-data-${date}.tar.gz`)}`,
    ),
    texts.join('\n'),
  );
  for (const m of MASTERS)
    assert.ok(
      texts.includes(`${m} sftp get ${m}:/backup/etcd-config-${date}.tar.gz → ${join(bastion, m, `etcd-config-${date}.tar.gz`)}`),
      m,
    );
  const gets = audit(state).filter((l) => l.kind === 'command' && (l.command ?? '').startsWith('sftp get ')) as (AuditLine & {
    outputTail?: string;
  })[];
  assert.equal(gets.length, 4);
  for (const g of gets) assert.match(g.outputTail ?? '', /^[1-9]\d* bytes in /, g.command);
  assert.ok(!readFileSync(join(state, 'audit.log'), 'utf8').includes('peer.key\\n-----BEGIN'), 'no key material in the audit log');

  // the copy on the bastion
  const tarList = await run('tar', ['-tzf', join(bastion, MASTERS[0]!, `etcd-data-${date}.tar.gz`)]);
  assert.match(tarList.stdout, /etcd-\d{8}\/db\n/);
  assert.match(tarList.stdout, /etcd-\d{8}\/member\/snap\/db/);
  for (const m of MASTERS) {
    const f = join(bastion, m, `etcd-config-${date}.tar.gz`);
    assert.ok(existsSync(f), m);
    assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is 0600`);
    assert.match((await run('tar', ['-tzf', f])).stdout, /etcd-config-\d{8}\/etcd\/etcd\.conf/, m);
  }
  assert.equal(readdirSync(join(bastion, MASTERS[0]!)).filter((n) => n.includes('.part-')).length, 0, 'no partial files left');

  // run again the same day: the earlier v2 backup is moved aside, not overwritten, and it works again
  const again = await day2('etcd-backup', { host: MASTERS[0]! }, join(tmp, 'state-etcd-2'));
  assert.equal(again.code, 0, show(again));
  const aside = await ssh(MASTERS[0]!, `ls -d ${dir}/member.old-* && ls ${dir}/member/wal/*.wal`);
  assert.equal(aside.code, 0, show(aside));
  await waitHealthy();
});

test('etcd-backup: a degraded cluster stops the run before etcd is stopped', async () => {
  const state = join(tmp, 'state-degraded');
  const stop = await ssh(MASTERS[2]!, 'systemctl stop etcd.service');
  assert.equal(stop.code, 0, show(stop));
  try {
    const r = await day2('etcd-backup', { host: MASTERS[0]! }, state);
    assert.notEqual(r.code, 0, show(r));
    assert.equal((await ssh(MASTERS[0]!, 'systemctl is-active etcd.service')).stdout.trim(), 'active', 'master-0 etcd was not stopped');
    const texts = audit(state)
      .filter((l) => l.kind === 'command')
      .map((l) => l.command ?? '');
    assert.ok(!texts.includes('systemctl stop etcd.service'), texts.join('\n'));
  } finally {
    await ssh(MASTERS[2]!, 'systemctl start etcd.service');
    await waitHealthy();
  }
});

test(
  'master-backup: every master, the guide files (with /etc/sysconfig/docker), packages.txt, ' + 'ca.serial.txt on the first only, archive',
  async () => {
    const state = join(tmp, 'state-master');
    const r = await day2('master-backup', { archive: 'yes' }, state);
    assert.equal(r.code, 0, show(r));
    const date = today();
    for (const m of MASTERS) {
      const d = `/backup/${m}/${date}`;
      const c = await ssh(
        m,
        `for f in etc/origin/master/master-config.yaml etc/origin/node/node-config.yaml ` +
          `etc/sysconfig/docker etc/sysconfig/docker-storage etc/sysconfig/iptables ` +
          `etc/sysconfig/atomic-openshift-master-api etc/sysconfig/flanneld ` +
          `etc/dnsmasq.d/origin-dns.conf etc/cni/net.d/80-openshift-network.conf ` +
          `etc/pki/ca-trust/source/anchors/openshift-ca.crt packages.txt; do test -s ${d}/$f || echo ` +
          `"missing $f"; done; test -e ${d}/etc/origin/master/ca.serial.txt && echo SERIAL; tar -tzf ` +
          `/backup/${m}-${date}.tar.gz | grep -c 'etc/origin/master/master-config.yaml$'`,
      );
      assert.doesNotMatch(c.stdout, /missing/, `${m}: ${show(c)}`);
      if (m === MASTERS[0]) assert.match(c.stdout, /SERIAL/, m);
      else assert.doesNotMatch(c.stdout, /SERIAL/, m);
      assert.match(c.stdout, /^1$/m, `${m}: archive has master-config.yaml`);
    }
    assert.match(r.stdout + r.stderr, /exists only on the first master of the inventory \(master-0\.lab\.example\.com\)/);
  },
);

test('node-backup and registry-certs-backup: every node, node files and the registry certificates fetched to the bastion', async () => {
  const date = today();
  const r = await day2('node-backup', {}, join(tmp, 'state-node'));
  assert.equal(r.code, 0, show(r));
  for (const n of NODES) {
    const d = `/backup/${n}/${date}`;
    const c = await ssh(
      n,
      `for f in etc/origin/node/node-config.yaml etc/sysconfig/atomic-openshift-node ` +
        `etc/sysconfig/docker packages.txt; do test -s ${d}/$f || echo "missing $f"; done; echo ` +
        `DONE`,
    );
    assert.match(c.stdout, /DONE/, show(c));
    assert.doesNotMatch(c.stdout, /missing/, `${n}: ${show(c)}`);
  }
  const bastion = join(tmp, 'bastion-certs');
  const rc = await day2('registry-certs-backup', { 'copy-to': bastion }, join(tmp, 'state-certs'));
  assert.equal(rc.code, 0, show(rc));
  for (const n of NODES) {
    const c = await ssh(
      n,
      `tar -tzf /backup/${n}/${date}/docker-registry-certs-${n}.tar.gz && test -s /backup/${n}/${date}/ca-trust/ca-anchors.pem && echo OK`,
    );
    assert.match(c.stdout, /etc\/docker\/certs.d\/docker-registry.default.svc:5000\/node-client-ca.crt/, `${n}: ${show(c)}`);
    assert.match(c.stdout, /OK/);
    const local = await run('tar', ['-tzf', join(bastion, n, `registry-certs-${date}.tar.gz`)]);
    assert.match(local.stdout, new RegExp(`docker-registry-certs-${n.replace(/\./g, '\\.')}\\.tar\\.gz`), `${n}: ${show(local)}`);
    assert.match(local.stdout, /ca-trust\/ca-anchors\.pem/);
  }
  assert.match(rc.stdout + rc.stderr, /locally added anchor\(s\) checked, 0 failed/);
});
