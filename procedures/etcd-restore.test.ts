// Pure tests of the etcd restore procedures (5.4.2 etcd-config-restore, 5.4.2.1 etcd-restore, 5.4.2.1.1
// etcd-peerurl-fix): the plan's order and destructive markers, the exact commands for a sample inventory
// (hostile values included), the drop-in recipe run on sample units, and the parsers/verdicts.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as shellParse } from 'shell-quote';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep, Procedure } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { etcdGoneVerdict, knownControlPlane } from '../src/ocp/control-plane.js';
import { parseV2MemberList } from '../src/ocp/etcd.js';
import { testHost } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { sedReplacement } from '../src/transport/shell.js';
import { preflightVerdict } from './etcd-backup.js';
import { allInOneCommand, confValue, expectedPeerUrl, findSelf, quorumOf, ssListens } from './etcd-common.js';
import { etcdConfigRestore, missingFromEtcCommand, parseMissing } from './etcd-config-restore.js';
import { etcdPeerUrlFix } from './etcd-peerurl-fix.js';
import {
  addedVerdict,
  dropInCommands,
  dropInVerdict,
  etcdRestore,
  initialCluster,
  joinConfCommands,
  memberAddCommand,
  moveAsideCommand,
  onlyTheBackupVerdict,
  snapshotVerdict,
} from './etcd-restore.js';
import { findProcedure } from './index.js';

const HOSTILE_IP = "10.0.0.3';touch /tmp/pwned;'";
function inventory(): Inventory {
  const hosts = [
    testHost('master-0.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.1' } }),
    testHost('master-1.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.2' } }),
    testHost('master-2.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: HOSTILE_IP } }),
    testHost('node-0.example.com', ['node']),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const inv = inventory();
const M = ['master-0.example.com', 'master-1.example.com', 'master-2.example.com'];
const BACKUP = '/backup/etcd-20240105';

/** The sample's masters run etcd as systemd units (an external-etcd or 3.9-era install) unless `kind` says otherwise. */
function plan(p: Procedure, params: Record<string, string>, kind: 'systemd' | 'static-pod' = 'systemd'): PlanStep[] {
  return planProcedure(p, params, inv, NOW, knownControlPlane(Object.fromEntries(M.map((m) => [m, kind]))));
}
function step(steps: PlanStep[], id: string): PlanStep {
  const s = steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}`);
  return s;
}
function cmds(s: PlanStep, h: string | null): string[] {
  return s.commands.filter((c) => c.host === h).map((c) => c.command.replace(/\\([<>])/g, '$1'));
}
function shSyntaxOk(script: string): void {
  execFileSync('sh', ['-n', '-c', script]);
}

test('registered and built', () => {
  for (const id of ['etcd-restore', 'etcd-peerurl-fix', 'etcd-config-restore']) assert.ok(findProcedure(id), id);
});

test('etcd-restore: the plan follows the guide, destructive steps marked and gated', () => {
  const steps = plan(etcdRestore, { host: M[0]!, backup: BACKUP });
  assert.deepEqual(
    steps.filter((s) => !s.skipped).map((s) => s.id),
    [
      'check-backup',
      'check-members',
      'quorum',
      'stop-etcd',
      'move-data-aside',
      'restore-data',
      'force-new-cluster-on',
      'start-force-new-cluster',
      'journal',
      'health-single',
      'force-new-cluster-off',
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
  // members 4–7 do not exist in this inventory
  assert.deepEqual(
    steps.filter((s) => s.skipped).map((s) => s.id),
    ['member-add-3', 'join-3', 'member-add-4', 'join-4', 'member-add-5', 'join-5', 'member-add-6', 'join-6'],
  );
  assert.deepEqual(
    steps.filter((s) => s.destructive).map((s) => s.id),
    ['move-data-aside', 'restore-data', 'force-new-cluster-on'],
  );
  assert.equal(step(steps, 'stop-etcd').gate?.kind, 'confirm');
  assert.equal(step(steps, 'move-data-aside').gate?.kind, 'type-host');
  assert.equal(step(steps, 'force-new-cluster-on').gate?.kind, 'type-host');
  // the backup is checked before anything stops
  assert.ok(steps.findIndex((s) => s.id === 'check-backup') < steps.findIndex((s) => s.id === 'stop-etcd'));
  for (const s of steps.filter((x) => !x.skipped)) assert.ok(s.verify, `${s.id} has a verification`);
  assert.deepEqual(step(steps, 'stop-etcd').hosts, M);
  assert.deepEqual(step(steps, 'move-data-aside').hosts, M);
  assert.deepEqual(step(steps, 'force-new-cluster-on').hosts, [M[0]]);
  assert.deepEqual(step(steps, 'join-1').hosts, [M[1]]);
  assert.deepEqual(step(steps, 'join-2').hosts, [M[2]]);
  assert.deepEqual(step(steps, 'member-add-2').hosts, [M[0]], 'member add runs on the restored member');
  for (const s of steps) for (const c of s.commands) shSyntaxOk(c.command.replace(/\\([<>])/g, '$1').replace(/<[a-z0-9-]+>/g, 'X'));
});

test('etcd-restore: commands for the sample inventory', () => {
  const steps = plan(etcdRestore, { host: M[0]!, backup: BACKUP });
  const snap = cmds(step(steps, 'check-backup'), M[0]!)[0]!;
  assert.match(snap, /^ETCDCTL_API=3 etcdctl snapshot status \/backup\/etcd-20240105\/db -w json/);
  const stop = cmds(step(steps, 'stop-etcd'), M[2]!);
  assert.equal(stop[0], 'systemctl stop etcd.service');
  assert.match(
    stop[1]!,
    /^test .*systemctl is-active etcd\.service.* ss -ltn .*# until it succeeds/,
    'then waits until nothing listens on the member’s ports',
  );
  assert.equal(stop.length, 2);
  const move = cmds(step(steps, 'move-data-aside'), M[1]!)[0]!;
  assert.match(move, /^if mountpoint -q \/var\/lib\/etcd; then /);
  assert.match(move, /\/var\/lib\/etcd\.old-20240105030405/);
  assert.doesNotMatch(move, /rm /, 'never deletes');
  assert.deepEqual(cmds(step(steps, 'restore-data'), M[0]!), [
    'cp -R /backup/etcd-20240105/db /backup/etcd-20240105/member /var/lib/etcd/',
    'mv /var/lib/etcd/db /var/lib/etcd/member/snap/db',
    'chown -R etcd:etcd /var/lib/etcd/',
    'restorecon -Rv /var/lib/etcd',
  ]);
  const drop = cmds(step(steps, 'force-new-cluster-on'), M[0]!);
  assert.deepEqual(drop.slice(0, 4), [
    'mkdir -p /etc/systemd/system/etcd.service.d/',
    'echo "[Service]" > /etc/systemd/system/etcd.service.d/temp.conf',
    'echo "ExecStart=" >> /etc/systemd/system/etcd.service.d/temp.conf',
    `sed -n '/ExecStart/s/"$/ --force-new-cluster"/p' /usr/lib/systemd/system/etcd.service >> /etc/systemd/system/etcd.service.d/temp.conf`,
  ]);
  assert.deepEqual(cmds(step(steps, 'start-force-new-cluster'), M[0]!).slice(0, 2), [
    'systemctl daemon-reload',
    'systemctl restart etcd.service',
  ]);
  assert.deepEqual(cmds(step(steps, 'force-new-cluster-off'), M[0]!).slice(0, 3), [
    'rm -f /etc/systemd/system/etcd.service.d/temp.conf',
    'systemctl daemon-reload',
    'systemctl restart etcd.service',
  ]);
  assert.match(
    cmds(step(steps, 'peerurl-update'), M[0]!)[0]!,
    /--endpoints https:\/\/10\.0\.0\.1:2379 member update <member-id> <peer-url>$/,
  );
  assert.match(
    cmds(step(steps, 'member-add-1'), M[0]!)[0]!,
    /member add master-1\.example\.com https:\/\/10\.0\.0\.2:2380 {2}# asked again while it answers "not yet"/,
  );
  const quorum = cmds(step(steps, 'quorum'), M[0]!)[0]!;
  assert.match(quorum, /members: 3 \(\[etcd\] of the inventory\); quorum: 2; failures tolerated: 1/);
  const join = cmds(step(steps, 'join-1'), M[1]!);
  assert.equal(
    join[0],
    'test -e /etc/etcd/etcd.conf.bak-20240105030405 || cp -p /etc/etcd/etcd.conf /etc/etcd/etcd.conf.bak-20240105030405',
  );
  assert.ok(join.includes('systemctl start etcd.service'));
});

test('etcd-restore: hostile values stay one word', () => {
  const steps = plan(etcdRestore, { host: M[0]!, backup: '/backup/a b;$(id)' });
  const [cp] = cmds(step(steps, 'restore-data'), M[0]!);
  assert.deepEqual(shellParse(cp!), ['cp', '-R', '/backup/a b;$(id)/db', '/backup/a b;$(id)/member', '/var/lib/etcd/']);
  const add = cmds(step(steps, 'member-add-2'), M[0]!)[0]!;
  shSyntaxOk(add);
  const w = shellParse(add).filter((x): x is string => typeof x === 'string');
  assert.ok(w.includes(`https://${HOSTILE_IP}:2380`), 'the hostile peer URL is one quoted word');
  assert.ok(w.includes(`"https://${HOSTILE_IP}:2380"`), 'the v3 list is searched for the quoted peer URL, one word');
  assert.throws(() => plan(etcdRestore, { host: 'node-0.example.com', backup: BACKUP }), /etcd/);
  assert.throws(() => plan(etcdRestore, { host: M[0]!, backup: 'relative' }), /not an absolute path/);
  assert.throws(() => plan(etcdRestore, { host: M[0]!, backup: '/var/lib/etcd/x' }), /inside \/var\/lib\/etcd/);
});

test('the drop-in recipe on sample units: RHEL 7 unit → --force-new-cluster; a unit without the quote → refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dropin-'));
  try {
    const run = (unit: string): { code: number; out: string; file: string } => {
      writeFileSync(join(dir, 'etcd.service'), unit);
      const script = dropInCommands()
        .map((c) =>
          c.script
            .replaceAll('/usr/lib/systemd/system/etcd.service', join(dir, 'etcd.service'))
            .replaceAll('/etc/systemd/system/etcd.service.d', join(dir, 'd')),
        )
        .join(' && ');
      let code = 0;
      let out = '';
      try {
        out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
      } catch (e) {
        code = (e as { status: number }).status;
        out = String((e as { stdout: string }).stdout);
      }
      let file = '';
      try {
        file = readFileSync(join(dir, 'd', 'temp.conf'), 'utf8');
      } catch {
        file = '(absent)';
      }
      return { code, out, file };
    };
    const good = run(
      '[Unit]\nDescription=Etcd Server\n[Service]\nEnvironmentFile=-/etc/etcd/etcd.conf\nExecStart=/bin/bash -c ' +
        '"GOMAXPROCS=$(nproc) /usr/bin/etcd"\n',
    );
    assert.equal(good.code, 0, good.out);
    assert.equal(good.file, '[Service]\nExecStart=\nExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd --force-new-cluster"\n');
    assert.equal(dropInVerdict(good.file), true);
    const bad = run('[Service]\nExecStart=/usr/bin/etcd $ETCD_OPTS\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /no ExecStart line with --force-new-cluster/);
    assert.equal(bad.file, '(absent)', 'a drop-in with a bare ExecStart= is not left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(String(dropInVerdict('[Service]\nExecStart=\n')), /0 ExecStart/);
});

test('verdicts and parsers', () => {
  const ok = { exitCode: 0, stdout: '{"hash":1,"revision":9,"totalKey":3004,"totalSize":2101248}\nsize: 2101248\n', stderr: '' };
  assert.equal(snapshotVerdict(ok), true);
  assert.match(String(snapshotVerdict({ ...ok, stdout: ok.stdout.replace('size: 2101248', 'size: 1000') })), /truncated/);
  assert.match(String(snapshotVerdict({ exitCode: 2, stdout: '', stderr: 'panic: freepages' })), /refuses the snapshot/);
  // the member/snap/db that etcdctl2 backup writes without --with-v3 (measured on etcd 3.4.23: revision 0, 1 key, 32 KiB)
  assert.match(
    String(
      snapshotVerdict({
        exitCode: 0,
        stdout: '{"hash":1969595696,"revision":0,"totalKey":1,"totalSize":24576}\nsize: 32768\n',
        stderr: '',
      }),
    ),
    /no v3 data \(revision 0\)/,
  );
  assert.deepEqual(quorumOf(3), { members: 3, quorum: 2, tolerated: 1 });
  assert.deepEqual(quorumOf(1), { members: 1, quorum: 1, tolerated: 0 });
  assert.deepEqual(quorumOf(5), { members: 5, quorum: 3, tolerated: 2 });
  assert.equal(sedReplacement('a|b&c\\d'), 'a\\|b\\&c\\\\d');
  assert.throws(() => sedReplacement('a\nb'));
  const added =
    'Added member named m1 with ID 8e9e05c52164694d to ' +
    'cluster\n\nETCD_NAME="m1"\nETCD_INITIAL_CLUSTER="m0=https://10.0.0.1:2380,m1=https://10.0.0.2:2380"\n' +
    'ETCD_INITIAL_CLUSTER_STATE="existing"\n';
  assert.equal(initialCluster(added, '', 'm1', 'https://10.0.0.2:2380'), 'm0=https://10.0.0.1:2380,m1=https://10.0.0.2:2380');
  const list =
    '5ee217d17301: name=m0 peerURLs=https://10.0.0.1:2380 clientURLs=https://10.0.0.1:2379 ' +
    'isLeader=true\n8e9e05c52164694d[unstarted]: peerURLs=https://10.0.0.2:2380\n';
  assert.equal(initialCluster('already', list, 'm1', 'https://10.0.0.2:2380'), 'm0=https://10.0.0.1:2380,m1=https://10.0.0.2:2380');
  assert.throws(() => initialCluster('', list, 'm2', 'https://10.0.0.3:2380'));
  const ss =
    'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\ntcp LISTEN 0 4096 127.0.10.2:2380 0.0.0.0:*\ntcp ' +
    'LISTEN 0 4096 127.0.10.1:2380 0.0.0.0:*\n';
  assert.ok(ssListens(ss, '127.0.10.1', 2380));
  assert.ok(!ssListens(ss, '127.0.10.3', 2380));
  const h0 = inv.hosts[0]!;
  assert.equal(
    expectedPeerUrl(h0, 'ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.1:2380\n', 'tcp LISTEN 0 1 10.0.0.1:2380 0.0.0.0:*'),
    'https://10.0.0.1:2380',
  );
  assert.throws(() => expectedPeerUrl(h0, 'ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.9.9.9:2380\n', ''), /advertises/);
  assert.throws(() => expectedPeerUrl(h0, '', 'tcp LISTEN 0 1 10.0.0.9:2380 0.0.0.0:*'), /nothing listens/);
  const local = parseV2MemberList(
    '5ee217d17301: name=master-0.example.com peerURLs=http://localhost:2380 clientURLs=https://10.0.0.1:2379 isLeader=true\n',
  );
  assert.equal(findSelf(local, h0).id, '5ee217d17301');
  assert.equal(confValue('ETCD_NAME="x y"\n', 'ETCD_NAME'), 'x y');
  for (const c of [
    ...joinConfCommands('m0=https://a:2380,m|1=https://b:2380', '/etc/etcd/etcd.conf.bak-1'),
    memberAddCommand(['https://a:2379'], 'n', 'https://b:2380'),
    moveAsideCommand('/var/lib/etcd.old-1'),
  ])
    shSyntaxOk(c.script);
});

test('etcd-peerurl-fix and etcd-config-restore plans', () => {
  const fix = plan(etcdPeerUrlFix, { host: M[1]! });
  assert.deepEqual(
    fix.map((s) => s.id),
    ['peerurl-read', 'peerurl-update', 'peerurl-verify'],
  );
  assert.ok(fix.every((s) => s.hosts.length === 1 && s.hosts[0] === M[1]));
  assert.match(cmds(step(fix, 'peerurl-read'), M[1]!)[1]!, /^ss -l4n/);
  const cfg = plan(etcdConfigRestore, { host: M[0]!, backup: '/backup/etcd-config-20240105' });
  assert.deepEqual(
    cfg.map((s) => s.id),
    ['find-backup', 'copy-missing', 'copy-back', 'restart', 'verify-health'],
  );
  assert.deepEqual(cmds(step(cfg, 'copy-back'), M[0]!).slice(1), ['cp <source> /etc/etcd/etcd.conf', 'restorecon -Rv /etc/etcd/etcd.conf']);
  assert.match(cmds(step(cfg, 'copy-back'), M[0]!)[0]!, /etcd\.conf\.old-20240105030405/);
  assert.deepEqual(cmds(step(cfg, 'restart'), M[0]!)[0], 'systemctl restart etcd.service');
  const pod = plan(etcdConfigRestore, { host: M[0]!, backup: '/backup/etcd-config-20240105' }, 'static-pod');
  assert.deepEqual(cmds(step(pod, 'restart'), M[0]!)[0], 'master-restart etcd', 'a static pod restarts through the kubelet');
});

test('the etcd.conf edit: sed run on a sample file keeps a .bak, sets the printed cluster and existing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'joinconf-'));
  try {
    const conf = join(dir, 'etcd.conf');
    const orig = 'ETCD_NAME=m1\nETCD_INITIAL_CLUSTER=m0=https://a:2380,m1=https://b:2380\nETCD_INITIAL_CLUSTER_STATE=new\n';
    writeFileSync(conf, orig);
    const ic = 'm0=https://a:2380,m|1&x=https://b:2380;$(touch /tmp/pwned)';
    const script = joinConfCommands(ic, `${conf}.bak-1`)
      .map((c) => c.script.replaceAll('/etc/etcd/etcd.conf', conf))
      .join(' && ');
    execFileSync('sh', ['-c', script]);
    assert.equal(readFileSync(conf, 'utf8'), `ETCD_NAME=m1\nETCD_INITIAL_CLUSTER=${ic}\nETCD_INITIAL_CLUSTER_STATE=existing\n`);
    assert.equal(readFileSync(`${conf}.bak-1`, 'utf8'), orig);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Measured on etcd 3.4.23: after `member add` on a one-member cluster, the v2 member list fails with
// "has no leader" until the new member starts; the v3 list answers (the new member has no name yet).
test('member add on a one-member cluster: verified and its ETCD_INITIAL_CLUSTER rebuilt from the leaderless v3 list', () => {
  const v3 =
    '{"header":{"cluster_id":9930881492670398590,"member_id":15024778627834509036,"raft_term":2},"members":[' +
    '{"ID":6143145564398390797,"peerURLs":["https://10.0.0.2:2380"]},' +
    '{"ID":15024778627834509036,"name":"m0","peerURLs":["https://10.0.0.1:2380"],"clientURLs":["https://10.0.0.1:2379"]}]}';
  const leaderless = { exitCode: 0, stdout: v3, stderr: '' };
  assert.equal(addedVerdict(leaderless, 'https://10.0.0.2:2380'), true);
  assert.match(String(addedVerdict(leaderless, 'https://10.0.0.3:2380')), /not in the member list/);
  const noLeader = { exitCode: 1, stdout: '', stderr: 'client: etcd member https://10.0.0.1:2379 has no leader' };
  assert.match(String(addedVerdict(noLeader, 'https://10.0.0.2:2380')), /not in the member list: .*has no leader/);
  // a resume between the add and the start: the add is not repeated and the value comes from the list
  const again = '{"header":{},"members":[]}';
  assert.equal(
    initialCluster('https://10.0.0.2:2380 is already in the member list', v3, 'm1', 'https://10.0.0.2:2380'),
    'm1=https://10.0.0.2:2380,m0=https://10.0.0.1:2380',
  );
  assert.throws(() => initialCluster('', again, 'm1', 'https://10.0.0.2:2380'), /not in the member list/);
  const addCommand = memberAddCommand(['https://10.0.0.1:2379'], 'm1', 'https://10.0.0.2:2380');
  const refused = (stdout: string) => addCommand.wait.notYet!({ exitCode: 1, stdout, stderr: '' });
  assert.ok(refused('etcdserver: unhealthy cluster') && refused('etcdserver: not enough started members'), 'the engine asks again');
  assert.ok(!refused('permission denied'), 'another refusal stands at once');
  const add = addCommand.script;
  assert.match(add, /ETCDCTL_API=3 etcdctl .* member list -w json \| grep -qF -e '"https:\/\/10\.0\.0\.2:2380"'/);
});

test('etcd-restore on static pods: manifests moved to pods-stopped and back, ETCD_FORCE_NEW_CLUSTER, no systemctl or drop-in', () => {
  const steps = plan(etcdRestore, { host: M[0]!, backup: BACKUP }, 'static-pod');
  const all = steps.flatMap((s) => s.commands.map((c) => c.command)).join('\n');
  assert.doesNotMatch(all, /systemctl|etcd\.service\.d|journalctl/, 'a static pod is never stopped, started or read through the unit');
  const stop = cmds(step(steps, 'stop-etcd'), M[1]!);
  assert.match(stop[0]!, /mv \/etc\/origin\/node\/pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped\/etcd\.yaml/);
  assert.match(
    stop[1]!,
    /docker ps -q --filter label=io\.kubernetes\.container\.name=etcd --filter label=io\.kubernetes\.pod\.namespace=kube-system/,
    'then waits until the pod’s container and its ports are gone',
  );
  assert.match(cmds(step(steps, 'force-new-cluster-on'), M[0]!).join('\n'), /ETCD_FORCE_NEW_CLUSTER=true.*>> \/etc\/etcd\/etcd\.conf/);
  assert.match(
    cmds(step(steps, 'start-force-new-cluster'), M[0]!)[0]!,
    /mv \/etc\/origin\/node\/pods-stopped\/etcd\.yaml \/etc\/origin\/node\/pods\/etcd\.yaml/,
  );
  const off = cmds(step(steps, 'force-new-cluster-off'), M[0]!);
  assert.deepEqual(off.slice(0, 3), [
    "sed -i '/^ETCD_FORCE_NEW_CLUSTER=/d' /etc/etcd/etcd.conf",
    "! grep -q '^ETCD_FORCE_NEW_CLUSTER=' /etc/etcd/etcd.conf",
    'master-restart etcd',
  ]);
  assert.match(
    cmds(step(steps, 'join-1'), M[1]!).join('\n'),
    /mv \/etc\/origin\/node\/pods-stopped\/etcd\.yaml \/etc\/origin\/node\/pods\/etcd\.yaml/,
  );
  assert.equal(step(steps, 'start-force-new-cluster').follow, 'master-logs etcd etcd -f --tail 0');
  // without the facts (no host read yet) the runtime-dependent commands are not guessed
  const unread = planProcedure(etcdRestore, { host: M[0]!, backup: BACKUP }, inv, NOW);
  assert.match(
    cmds(step(unread, 'stop-etcd'), M[0]!)[0]!,
    /resolved at run time: how master-0\.example\.com runs etcd .* is read from the host/,
  );
});

test('etcd is gone only when the runtime says stopped and nothing listens on the member’s 2379/2380', () => {
  const pod = {
    kind: 'static-pod',
    component: 'etcd',
    manifest: '/etc/origin/node/pods/etcd.yaml',
    stopped: '/etc/origin/node/pods-stopped/etcd.yaml',
  } as const;
  const ss = (addr: string) => `State Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 4096 ${addr}:2379 0.0.0.0:*\n`;
  assert.equal(
    etcdGoneVerdict({ exitCode: 0, stdout: `stopped\n${ss('10.0.0.2')}`, stderr: '' }, pod, '10.0.0.1'),
    true,
    'another member’s listener is not this one',
  );
  assert.match(String(etcdGoneVerdict({ exitCode: 0, stdout: 'running\n', stderr: '' }, pod, '10.0.0.1')), /still runs as its static pod/);
  // the trap: the unit is inactive (etcd runs as a static pod), yet the member still listens
  const unit = { kind: 'systemd', component: 'etcd', unit: 'etcd.service' } as const;
  assert.match(
    String(etcdGoneVerdict({ exitCode: 0, stdout: `stopped\n${ss('10.0.0.1')}`, stderr: '' }, unit, '10.0.0.1')),
    /still listens on 10\.0\.0\.1:2379/,
  );
});

test(
  'an all-in-one master (etcd data in /var/lib/origin/openshift.local.etcd) is refused before anything stops, by the ' +
    'backup and the restore',
  () => {
    const check = commandCheck(etcdRestore.steps.find((s) => s.id === 'check-members')!.verify);
    const ctx = {
      params: { host: M[0]!, backup: BACKUP },
      inventory: inv,
      captured: { get: () => '', has: () => false },
      startedAt: NOW,
      planning: false,
      host: inv.hosts[0]!,
    };
    const conf = `ETCD_NAME=${M[0]}\nETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.1:2380\n`;
    const out = (stdout: string) => ({ exitCode: 0, stdout, stderr: '' });
    assert.equal(check.ok(out(conf), ctx), true);
    assert.equal(check.ok(out(`${conf}ETCD_DATA_DIR=/var/lib/etcd/\n`), ctx), true);
    assert.match(
      String(check.ok(out(`${conf}ETCD_DATA_DIR=/var/lib/origin/openshift.local.etcd\n`), ctx)),
      /an all-in-one master.*works on \/var\/lib\/etcd only/,
    );
    // no etcd.conf line for it, but the host has the all-in-one directory and no member in /var/lib/etcd
    const probe = check.command(ctx).script;
    assert.match(probe, /test -d \/var\/lib\/origin\/openshift\.local\.etcd && ! test -d \/var\/lib\/etcd\/member/);
    execFileSync('sh', ['-n', '-c', probe]);
    const line = execFileSync(
      'sh',
      [
        '-c',
        allInOneCommand()
          .script.replace('test -d /var/lib/origin/openshift.local.etcd', 'test -d /')
          .replace('test -d /var/lib/etcd/member', 'test -d /nonexistent-day2'),
      ],
      { encoding: 'utf8' },
    );
    assert.match(
      String(check.ok(out(`${conf}${line}`), ctx)),
      /^etcd's data on this host is in \/var\/lib\/origin\/openshift\.local\.etcd \(an all-in-one master\)/,
    );
    assert.match(String(preflightVerdict(out(line))), /^etcd cannot be backed up from this host: all-in-one: etcd's data/);
  },
);

test('etcd-config-restore: what the host lost of /etc/etcd (certificates, the CA) comes back from the backup, nothing replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'etcconf-'));
  try {
    // the backup's copy (etcd-backup: cp -R /etc/etcd/) and what the host still has, as files on this machine
    const backup = join(dir, 'backup', 'etcd');
    const etc = join(dir, 'etc');
    for (const d of [join(backup, 'ca'), etc]) execFileSync('mkdir', ['-p', d]);
    for (const f of ['etcd.conf', 'ca.crt', 'peer.crt', 'peer.key', 'ca/ca.key']) writeFileSync(join(backup, f), `backup ${f}\n`);
    writeFileSync(join(etc, 'etcd.conf'), 'current\n');
    const script = missingFromEtcCommand(backup).script.replaceAll('/etc/etcd/', `${etc}/`);
    const listed = parseMissing(execFileSync('sh', ['-c', script], { encoding: 'utf8' }));
    assert.deepEqual(listed, ['ca', 'ca.crt', 'ca/ca.key', 'peer.crt', 'peer.key'], 'etcd.conf is there: not listed');
    assert.throws(() => parseMissing('ok.crt\nbad name;rm -rf /\n'), /not plain/);
    assert.throws(() => parseMissing('../../etc/shadow\n'), /not plain/);
    const step = etcdConfigRestore.steps.find((s) => s.id === 'copy-missing')!;
    const ctx = (missing: string[]) => ({
      params: { host: M[0]!, backup: '/backup/etcd-config-20240105' },
      inventory: inv,
      startedAt: NOW,
      planning: false,
      host: inv.hosts[0]!,
      captured: { get: (k: string) => (k === 'missing' ? JSON.stringify(missing) : '/x'), has: () => true },
    });
    assert.match(String(step.skipIf!(ctx([]))), /nothing of \/backup\/etcd-config-20240105\/etcd is missing/);
    assert.equal(step.skipIf!(ctx(listed)), undefined);
    const cmds = step.commands(ctx(listed)).map((c) => c.script);
    assert.equal(cmds[0], 'cp -a -n /backup/etcd-config-20240105/etcd/. /etc/etcd/');
    assert.equal(cmds[1], 'chown etcd:etcd /etc/etcd/ca /etc/etcd/ca.crt /etc/etcd/ca/ca.key /etc/etcd/peer.crt /etc/etcd/peer.key');
    assert.match(String(step.gate!.what(ctx(listed))), /lacks ca, ca\.crt, ca\/ca\.key, peer\.crt, peer\.key in \/etc\/etcd/);
    // cp -a -n as the step runs it: the missing files come, the current etcd.conf stays
    execFileSync('cp', ['-a', '-n', `${backup}/.`, `${etc}/`]);
    assert.equal(readFileSync(join(etc, 'etcd.conf'), 'utf8'), 'current\n');
    assert.equal(readFileSync(join(etc, 'ca', 'ca.key'), 'utf8'), 'backup ca/ca.key\n');
    assert.equal(execFileSync('sh', ['-c', script], { encoding: 'utf8' }), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'restore-data again after a lost connection: a data dir holding only this backup’s copy is copied over again; ' +
    'anything else is refused',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'restoredata-'));
    try {
      const b = join(dir, 'backup');
      const data = join(dir, 'data');
      execFileSync('mkdir', ['-p', join(b, 'member', 'snap'), join(b, 'member', 'wal'), data]);
      writeFileSync(join(b, 'db'), 'v3 snapshot');
      writeFileSync(join(b, 'member', 'wal', '0.wal'), 'wal');
      writeFileSync(join(b, 'member', 'snap', '1.snap'), 'v2 snap');
      writeFileSync(join(b, 'member', 'snap', 'db'), 'the v2 backup’s copy of the db'); // etcdctl backup writes one too
      const ctx = {
        params: { host: M[0]!, backup: b },
        inventory: inv,
        captured: { get: () => '', has: () => false },
        startedAt: NOW,
        planning: false,
        host: inv.hosts[0]!,
        facts: knownControlPlane(Object.fromEntries(M.map((m) => [m, 'systemd' as const]))),
      };
      const check = commandCheck(etcdRestore.steps.find((s) => s.id === 'restore-data')!.precondition);
      const script = check
        .command(ctx)
        .script.replaceAll('/var/lib/etcd', data)
        .replace(/^.*?; cd /, 'echo stopped; cd ');
      const verdict = () => check.ok({ exitCode: 0, stdout: execFileSync('bash', ['-c', script], { encoding: 'utf8' }), stderr: '' }, ctx);
      assert.equal(verdict(), true, 'empty');
      execFileSync('cp', ['-R', join(b, 'db'), join(b, 'member'), `${data}/`]);
      assert.equal(verdict(), true, 'the copy ran, its status was lost');
      execFileSync('mv', [join(data, 'db'), join(data, 'member', 'snap', 'db')]);
      assert.equal(verdict(), true, 'the db was moved too');
      writeFileSync(join(data, 'member', 'wal', '0.wal'), 'wal of a member that started');
      assert.match(String(verdict()), /member\/wal\/0\.wal \(differs from the backup\).*move its contents aside by hand/);
      writeFileSync(join(data, 'member', 'wal', '0.wal'), 'wal');
      writeFileSync(join(data, 'other'), 'x');
      assert.match(String(verdict()), /other \(not from the backup\)/);
      assert.equal(onlyTheBackupVerdict('running\n'), 'etcd is running on this member');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('force-new-cluster-off is done only once etcd was restarted without the flag: files right but etcd as started is not enough', () => {
  const v = commandCheck(etcdRestore.steps.find((s) => s.id === 'force-new-cluster-off')!.verify);
  const ctx = {
    params: { host: M[0]!, backup: BACKUP },
    inventory: inv,
    captured: { get: () => '', has: () => false },
    startedAt: NOW,
    planning: false,
    host: inv.hosts[0]!,
    facts: knownControlPlane(Object.fromEntries(M.map((m) => [m, 'systemd' as const]))),
  };
  assert.match(v.command(ctx).script, /pgrep -x etcd.*10\.0\.0\.1:2379/);
  const healthy = 'member 5ee217d19001 is healthy: got healthy result from https://10.0.0.1:2379\ncluster is healthy\n';
  assert.match(
    String(v.ok({ exitCode: 0, stdout: `etcd: force-new-cluster\n${healthy}`, stderr: '' }, ctx)),
    /still runs as it was started, with --force-new-cluster/,
  );
  assert.equal(v.ok({ exitCode: 0, stdout: `etcd: cluster\n${healthy}`, stderr: '' }, ctx), true);
});
