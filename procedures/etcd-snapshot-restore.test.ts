// Pure tests of 5.4.2.2 etcd-snapshot-restore: the plan's order, gates and destructive markers, the exact
// restore command (with and without --skip-hash-check, decided from the path), hostile values, the
// etcd.conf parsing and verdicts, and the small shell pieces run under sh on a temporary directory.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as shellParse } from 'shell-quote';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { knownControlPlane } from '../src/ocp/control-plane.js';
import { testHost } from '../src/testing/builders.js';
import { findEntry } from './catalogue.js';
import { membershipVerdict } from './etcd-common.js';
import { missingVerdict } from './etcd-restore.js';
import {
  clearRestoreTargetCommand,
  etcdSnapshotRestore,
  hashCheckSentence,
  memberConfVerdict,
  restoreDataPrecondition,
  restoreValues,
  snapshotPresentCommand,
  snapshotRestoreCommand,
  validateSnapshotPath,
} from './etcd-snapshot-restore.js';
import { findProcedure } from './index.js';

const HOSTILE_IP = "10.0.0.3';touch /tmp/pwned;'";
const inv: Inventory = {
  source: { kind: 'demo' },
  hosts: [
    testHost('master-0.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.1' } }),
    testHost('master-1.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.2' } }),
    testHost('master-2.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: HOSTILE_IP } }),
    testHost('node-0.example.com', ['node']),
  ],
  groups: {},
  groupVars: {},
  warnings: [],
};
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const M = ['master-0.example.com', 'master-1.example.com', 'master-2.example.com'];
const SNAP = '/backup/etcd-20240105/db';
const COPY = '/backup/etcd-20240105/member/snap/db';

/** The sample's members run etcd as systemd units unless `kind` says otherwise. */
const plan = (params: Record<string, string>, kind: 'systemd' | 'static-pod' = 'systemd'): PlanStep[] =>
  planProcedure(etcdSnapshotRestore, params, inv, NOW, knownControlPlane(Object.fromEntries(inv.hosts.map((h) => [h.name, kind]))));
function step(steps: PlanStep[], id: string): PlanStep {
  const s = steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}`);
  return s;
}
const cmds = (s: PlanStep, h: string | null): string[] => s.commands.filter((c) => c.host === h).map((c) => c.command);
const shSyntaxOk = (script: string) => execFileSync('sh', ['-n', '-c', script]);

test('registered, built, and its parameters are the catalogue’s; snapshot offers the snapshots found on the host', () => {
  assert.equal(findProcedure('etcd-snapshot-restore'), etcdSnapshotRestore);
  assert.equal(findEntry('etcd-snapshot-restore')?.built, true);
  assert.deepEqual(
    etcdSnapshotRestore.parameters.map((p) => [p.name, p.required]),
    [
      ['host', true],
      ['snapshot', true],
    ],
  );
  const snap = etcdSnapshotRestore.parameters.find((p) => p.name === 'snapshot')!;
  assert.equal(snap.discover?.where.param, 'host');
  assert.match(snap.discover!.command(inv.hosts[0]!, {}).script, /find \/backup -maxdepth 4/);
  const backup = findProcedure('etcd-restore')!.parameters.find((p) => p.name === 'backup')!;
  assert.equal(backup.discover?.where.param, 'host', 'etcd-restore’s backup is discovered too');
});

test('the plan: snapshot verified and restored before anything stops; gates; destructive steps; the others rejoin one at a time', () => {
  const steps = plan({ host: M[0]!, snapshot: SNAP });
  assert.deepEqual(
    steps.filter((s) => !s.skipped).map((s) => s.id),
    [
      'check-snapshot',
      'check-members',
      'read-conf',
      'quorum',
      'restore-snapshot',
      'stop-etcd',
      'move-data-aside',
      'restore-data',
      'start',
      'journal',
      'health-single',
      'peerurl-read',
      'peerurl-update',
      'peerurl-verify',
      'member-add-1',
      'join-1',
      'member-add-2',
      'join-2',
      'verify-membership',
      'restart-masters',
    ],
  );
  assert.deepEqual(
    steps
      .filter((s) => s.skipped)
      .map((s) => s.id)
      .slice(0, 2),
    ['member-add-3', 'join-3'],
  );
  assert.deepEqual(
    steps.filter((s) => s.destructive).map((s) => s.id),
    ['move-data-aside', 'restore-data'],
  );
  assert.equal(step(steps, 'stop-etcd').gate?.kind, 'confirm');
  assert.equal(step(steps, 'move-data-aside').gate?.kind, 'type-host');
  assert.equal(step(steps, 'restore-data').gate?.kind, 'type-host');
  const idx = (id: string) => steps.findIndex((s) => s.id === id);
  assert.ok(
    idx('check-snapshot') < idx('stop-etcd') && idx('restore-snapshot') < idx('stop-etcd'),
    'nothing stops before the snapshot is checked and restored',
  );
  for (const id of ['stop-etcd', 'move-data-aside', 'restore-data'])
    assert.match(step(steps, id).gate!.what, /A v3 snapshot holds no v2 keys/, id);
  assert.match(cmds(step(steps, 'quorum'), M[0]!)[0]!, /A v3 snapshot holds no v2 keys/);
  assert.match(
    step(steps, 'stop-etcd').gate!.protectedBy!,
    new RegExp(
      String.raw`the snapshot \/backup\/etcd-20240105\/db on master-0\.example\.com, ` +
        String.raw`verified and already restored into \/var\/lib\/etcd\.restored-20240105030405`,
    ),
  );
  assert.deepEqual(step(steps, 'stop-etcd').hosts, M);
  assert.deepEqual(step(steps, 'move-data-aside').hosts, M);
  assert.deepEqual(step(steps, 'restore-data').hosts, [M[0]]);
  assert.deepEqual(step(steps, 'join-1').hosts, [M[1]]);
  assert.deepEqual(step(steps, 'join-2').hosts, [M[2]]);
  for (const s of steps.filter((x) => !x.skipped)) assert.ok(s.verify || s.id === 'read-conf', `${s.id} has a verification`);
  for (const s of steps) for (const c of s.commands) shSyntaxOk(c.command.replace(/<[a-z0-9-]+>/g, 'X').replace(/«redacted»/g, 'X'));
});

test('the commands: snapshot status, the restore with the values of etcd.conf into a new dir, member/ moved in, never deleted', () => {
  const steps = plan({ host: M[0]!, snapshot: SNAP });
  assert.equal(
    cmds(step(steps, 'check-snapshot'), M[0]!)[0],
    'ETCDCTL_API=3 etcdctl snapshot status /backup/etcd-20240105/db -w json && echo "size: $(stat -c %s /backup/etcd-20240105/db)"',
  );
  const restore = cmds(step(steps, 'restore-snapshot'), M[0]!);
  assert.match(restore[0]!, /^if test -e \/var\/lib\/etcd\.restored-20240105030405; then/);
  assert.match(restore[1]!, /its integrity hash is checked by the restore/);
  // the token is shown redacted by the engine's redactor (a "--…-token" flag); the rest as captured placeholders
  assert.equal(
    restore[2],
    'ETCDCTL_API=3 etcdctl snapshot restore /backup/etcd-20240105/db --data-dir /var/lib/etcd.restored-20240105030405 ' +
      '--name <conf-name> --initial-cluster <conf-name>=<conf-peer-url> --initial-cluster-token «redacted» ' +
      '--initial-advertise-peer-urls <conf-peer-url>',
  );
  assert.deepEqual(cmds(step(steps, 'stop-etcd'), M[1]!).slice(0, 1), ['systemctl stop etcd.service'], 'then the wait until it is gone');
  const move = cmds(step(steps, 'move-data-aside'), M[2]!)[0]!;
  assert.match(move, /^if mountpoint -q \/var\/lib\/etcd; then .*\/var\/lib\/etcd\.old-20240105030405/);
  assert.deepEqual(cmds(step(steps, 'restore-data'), M[0]!), [
    'if test -d /var/lib/etcd.restored-20240105030405/member; then mv /var/lib/etcd.restored-20240105030405/member ' +
      "/var/lib/etcd/member; else echo '/var/lib/etcd.restored-20240105030405/member is gone: moved in by an earlier attempt'; fi",
    'if test -d /var/lib/etcd.restored-20240105030405; then rmdir /var/lib/etcd.restored-20240105030405 || echo ' +
      "'/var/lib/etcd.restored-20240105030405 is not empty: left as it is'; fi",
    'chown -R etcd:etcd /var/lib/etcd/',
    'restorecon -Rv /var/lib/etcd',
  ]);
  for (const s of steps)
    for (const c of s.commands) assert.doesNotMatch(c.command, /\brm -R|\brm -rf|\brm -f \/var\/lib\/etcd/i, `${s.id} deletes nothing`);
  assert.deepEqual(cmds(step(steps, 'start'), M[0]!)[0], 'systemctl start etcd.service');
  assert.match(
    cmds(step(steps, 'member-add-1'), M[0]!)[0]!,
    /member add master-1\.example\.com https:\/\/10\.0\.0\.2:2380 {2}# asked again while it answers "not yet"/,
  );
  // a db copied from a data dir: --skip-hash-check, said in the plan
  const copy = plan({ host: M[0]!, snapshot: COPY });
  assert.match(cmds(step(copy, 'restore-snapshot'), M[0]!)[2]!, / --skip-hash-check=true$/);
  assert.match(cmds(step(copy, 'check-snapshot'), M[0]!)[1]!, /no integrity hash, so it is restored with --skip-hash-check=true/);
});

test('the restore command with real values; hostile values stay one word; bad parameters are one sentence', () => {
  const c = snapshotRestoreCommand(COPY, '/var/lib/etcd.restored-1', {
    name: 'master-0.example.com',
    peerUrl: 'https://10.0.0.1:2380',
    token: 'etcd-cluster-1',
  });
  assert.deepEqual(shellParse(c.script), [
    'ETCDCTL_API=3',
    'etcdctl',
    'snapshot',
    'restore',
    COPY,
    '--data-dir',
    '/var/lib/etcd.restored-1',
    '--name',
    'master-0.example.com',
    '--initial-cluster',
    'master-0.example.com=https://10.0.0.1:2380',
    '--initial-cluster-token',
    'etcd-cluster-1',
    '--initial-advertise-peer-urls',
    'https://10.0.0.1:2380',
    '--skip-hash-check=true',
  ]);
  const evil = '/backup/a b;$(id)/db';
  const steps = plan({ host: M[0]!, snapshot: evil });
  const status = cmds(step(steps, 'check-snapshot'), M[0]!)[0]!;
  shSyntaxOk(status);
  assert.ok(shellParse(status).includes(evil), 'the hostile path is one word');
  const hostile = snapshotRestoreCommand(evil, '/d', { name: "n';id;'", peerUrl: `https://${HOSTILE_IP}:2380`, token: '$(id)' });
  shSyntaxOk(hostile.script);
  const words = shellParse(hostile.script);
  assert.ok(
    words.includes(evil) && words.includes("n';id;'") && words.includes('$(id)') && words.includes(`n';id;'=https://${HOSTILE_IP}:2380`),
  );
  assert.throws(() => plan({ host: 'node-0.example.com', snapshot: SNAP }), /etcd/);
  assert.throws(() => plan({ host: M[0]!, snapshot: 'db' }), /parameter 'snapshot': "db" is not an absolute path/);
  assert.throws(
    () => plan({ host: M[0]!, snapshot: '/var/lib/etcd/member/snap/db' }),
    /cannot be inside \/var\/lib\/etcd.*copy it out first/,
  );
  assert.throws(() => plan({ host: M[0]!, snapshot: '/backup/etcd-1/' }), /ends with \/: give the snapshot file/);
  assert.throws(() => plan({ host: M[0]! }), /parameter 'snapshot' is required/);
  assert.equal(
    validateSnapshotPath('/var/lib/etcd.old-20240101000000/member/snap/db'),
    undefined,
    'a moved-aside data dir may be restored from',
  );
  assert.match(String(validateSnapshotPath('/backup/../etc/db')), /contains "\.\."/);
});

const CONF = `# [member]
ETCD_NAME=master-0.example.com
ETCD_LISTEN_PEER_URLS=https://10.0.0.1:2380
ETCD_DATA_DIR=/var/lib/etcd/
#ETCD_INITIAL_CLUSTER_TOKEN=not-this
ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.1:2380
ETCD_INITIAL_CLUSTER=master-0.example.com=https://10.0.0.1:2380,master-1.example.com=https://10.0.0.2:2380
ETCD_INITIAL_CLUSTER_STATE=new
ETCD_INITIAL_CLUSTER_TOKEN=etcd-cluster-1
`;
const ME = { name: 'master-0.example.com', peerUrl: 'https://10.0.0.1:2380' };

test('values from etcd.conf: name, peer URL and token read, checked against the inventory; etcd’s default token when unset', () => {
  assert.deepEqual(restoreValues(CONF, ME), { name: 'master-0.example.com', peerUrl: 'https://10.0.0.1:2380', token: 'etcd-cluster-1' });
  assert.equal(restoreValues(CONF.replace(/^ETCD_INITIAL_CLUSTER_TOKEN=.*$/m, ''), ME).token, 'etcd-cluster');
  assert.equal(restoreValues(CONF.replace('etcd-cluster-1', '"my token"'), ME).token, 'my token');
  assert.throws(() => restoreValues(CONF.replace(/^ETCD_NAME=.*$/m, ''), ME), /has no ETCD_NAME/);
  assert.throws(() => restoreValues(CONF, { ...ME, name: 'm0' }), /ETCD_NAME is "master-0\.example\.com", the inventory says m0/);
  assert.throws(() => restoreValues(CONF, { ...ME, peerUrl: 'https://10.9.9.9:2380' }), /the inventory says https:\/\/10\.9\.9\.9:2380/);
  assert.equal(memberConfVerdict(CONF, ME), true);
  assert.match(
    String(memberConfVerdict(CONF.replace('ETCD_DATA_DIR=/var/lib/etcd/', 'ETCD_DATA_DIR=/var/lib/origin/openshift.local.etcd'), ME)),
    /an all-in-one master\): this procedure works on \/var\/lib\/etcd only/,
  );
  assert.match(String(memberConfVerdict(CONF, { ...ME, name: 'other' })), /would come back under another name/);
  assert.match(hashCheckSentence(COPY), /--skip-hash-check=true/);
  assert.doesNotMatch(hashCheckSentence(SNAP), /skip-hash-check=true/);
});

test('membership verdict: names, https peer URLs, started', () => {
  const hosts = inv.hosts.slice(0, 2);
  const good = {
    exitCode: 0,
    stdout:
      '1: name=master-0.example.com peerURLs=https://10.0.0.1:2380 clientURLs=https://10.0.0.1:2379 isLeader=true\n2: ' +
      'name=master-1.example.com peerURLs=https://10.0.0.2:2380 clientURLs=https://10.0.0.2:2379 isLeader=false\n',
    stderr: '',
  };
  assert.equal(membershipVerdict(good, hosts), true);
  assert.match(
    String(membershipVerdict({ ...good, stdout: good.stdout.replace('https://10.0.0.1:2380', 'http://localhost:2380') }, hosts)),
    /master-0\.example\.com advertises http:\/\/localhost:2380/,
  );
  assert.match(
    String(membershipVerdict({ ...good, stdout: good.stdout.split('\n')[0]! }, hosts)),
    /1 members, the inventory has 2; master-1\.example\.com missing/,
  );
  assert.match(String(membershipVerdict({ ...good, exitCode: 1 }, hosts)), /not healthy/);
});

test('shell pieces under sh: a missing or empty snapshot is named; an earlier attempt’s directory is kept under another name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snaprestore-'));
  try {
    const sh = (script: string) => ({ exitCode: 0, stdout: execFileSync('sh', ['-c', script], { encoding: 'utf8' }), stderr: '' });
    const f = join(dir, 'db');
    assert.match(
      String(missingVerdict('the snapshot')(sh(snapshotPresentCommand(f).script))),
      /the snapshot is incomplete: .*\/db \(no such file\)/,
    );
    writeFileSync(f, '');
    assert.match(String(missingVerdict('the snapshot')(sh(snapshotPresentCommand(f).script))), /\(empty file\)/);
    writeFileSync(f, 'x');
    assert.equal(missingVerdict('the snapshot')(sh(snapshotPresentCommand(f).script)), true);
    const target = join(dir, 'etcd.restored-1');
    sh(clearRestoreTargetCommand(target).script);
    assert.ok(!existsSync(target), 'nothing to move when absent');
    mkdirSync(join(target, 'member'), { recursive: true });
    const out = sh(clearRestoreTargetCommand(target).script).stdout;
    assert.match(out, /exists \(an earlier attempt of this run\): moving it to/);
    assert.ok(!existsSync(target));
    assert.ok(
      readdirSync(dir).some((n) => n.startsWith('etcd.restored-1.incomplete-')),
      'kept, not deleted',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restore-data precondition: stopped and empty with the restored member/ waiting, or already moved in by an earlier attempt', () => {
  const R = '/var/lib/etcd.restored-1';
  assert.equal(restoreDataPrecondition('stopped\nentries: 0\nrestored-present\n', R), true);
  assert.equal(restoreDataPrecondition('stopped\nentries: 1\nmember-present\n', R), true, 'resumed after the move');
  assert.match(String(restoreDataPrecondition('running\nentries: 0\nrestored-present\n', R)), /etcd is running/);
  assert.match(String(restoreDataPrecondition('stopped\nentries: 0\n', R)), /restored-1\/member is missing: the restore step did not run/);
  assert.match(
    String(restoreDataPrecondition('stopped\nentries: 2\nmember-present\nrestored-present\n', R)),
    /not empty \(2 entries\): refusing/,
  );
  assert.match(
    String(restoreDataPrecondition('stopped\nentries: 1\nmember-present\nrestored-present\n', R)),
    /not empty/,
    'old data and a waiting restore: refused',
  );
});
