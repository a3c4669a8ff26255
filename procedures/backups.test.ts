// Pure tests of the chapter 4 backup procedures: steps, placements and the exact commands for a sample
// inventory (hostile values included), dates, endpoints, placeholders while planning, and the parsers.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { parse as shellParse } from 'shell-quote';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep, Procedure, StepContext } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { knownControlPlane } from '../src/ocp/control-plane.js';
import { testHost } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { dateStamp, parseHostname, remoteDirExpr, validateBackupDir } from './backup-common.js';
import { CATALOGUE } from './catalogue.js';
import { dataBackupDir, etcdBackup, parseSnapshotStatus, preflightVerdict, quorumVerdict } from './etcd-backup.js';
import { findProcedure, PROCEDURES } from './index.js';
import { masterBackup } from './master-backup.js';
import { nodeBackup } from './node-backup.js';
import { registryCertsBackup } from './registry-certs-backup.js';

/** 3 masters (etcd, node), one of them with a hostile openshift_ip; 1 infra; 1 node. */
function inventory(): Inventory {
  const hosts = [
    testHost('master-0.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.1' } }),
    testHost('master-1.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.2' } }),
    testHost('master-2.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: "10.0.0.3';touch /tmp/pwned;'" } }),
    testHost('infra-0.example.com', ['node', 'infra'], {
      vars: {
        ansible_host: '10.0.1.1',
        ansible_ssh_common_args: "-o UserKnownHostsFile='/lab dir/known_hosts' -o StrictHostKeyChecking=no",
      },
    }),
    testHost('node-0.example.com', ['node']),
  ];
  hosts[3]!.user = 'cloud-user';
  hosts[3]!.become = true;
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}

const NOW = new Date(2024, 0, 5, 3, 4, 5); // 5 Jan 2024, local time
const inv = inventory();

/** The sample's masters run etcd as systemd units (the facts a run reads from the hosts). */
function plan(p: Procedure, params: Record<string, string> = {}): PlanStep[] {
  return planProcedure(p, params, inv, NOW, knownControlPlane(Object.fromEntries(inv.hosts.map((h) => [h.name, 'systemd' as const]))));
}
function step(steps: PlanStep[], id: string): PlanStep {
  const s = steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}`);
  return s;
}
/** The commands for one host; a placeholder reads `<name>` however the plan escapes it. */
function cmds(s: PlanStep, h: string | null): string[] {
  return s.commands.filter((c) => c.host === h).map((c) => c.command.replace(/\\([<>])/g, '$1'));
}
/** The words sh would see (fails on anything shell-quote reads as an operator other than the expected ones). */
function words(script: string): string[] {
  return shellParse(script).map((w) => (typeof w === 'string' ? w : `«${JSON.stringify(w)}»`));
}
function shSyntaxOk(script: string): void {
  execFileSync('sh', ['-n', '-c', script]);
}

// ---- registry and catalogue --------------------------------------------------------------------------

test('the four backups are registered and the catalogue marks exactly the registered ones built', () => {
  for (const id of ['master-backup', 'node-backup', 'registry-certs-backup', 'etcd-backup']) assert.ok(findProcedure(id), id);
  assert.deepEqual(
    CATALOGUE.filter((e) => e.kind === 'procedure' && e.built)
      .map((e) => e.id)
      .sort(),
    PROCEDURES.map((p) => p.entry.id).sort(),
  );
  for (const e of CATALOGUE) if (e.kind === 'procedure') assert.equal(e.built, !!findProcedure(e.id), e.id);
  for (const p of PROCEDURES) {
    assert.deepEqual(
      p.parameters.map((x) => x.name),
      p.entry.parameters.map((x) => x.name),
      `${p.entry.id}: parameters follow the catalogue`,
    );
    const ids = p.steps.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, `${p.entry.id}: step ids unique`);
  }
});

test('dates: YYYYMMDD of the run start, local time', () => {
  assert.equal(dateStamp(NOW), '20240105');
  assert.equal(dateStamp(new Date(2023, 11, 31, 23, 59, 59)), '20231231');
});

// ---- master-backup -----------------------------------------------------------------------------------

test('master-backup: every master in turn, the guide\'s paths with /etc/sysconfig/docker, guards for "if used" paths', () => {
  const steps = plan(masterBackup);
  assert.deepEqual(
    steps.map((s) => s.id),
    ['hostname', 'config', 'other-files', 'packages', 'check-backup', 'archive'],
  );
  for (const s of steps) assert.deepEqual(s.hosts, ['master-0.example.com', 'master-1.example.com', 'master-2.example.com'], s.id);
  assert.deepEqual(cmds(step(steps, 'hostname'), 'master-1.example.com'), ['hostname']);
  const dir = '/backup/<hostname>/20240105';
  assert.deepEqual(cmds(step(steps, 'config'), 'master-0.example.com'), [
    `mkdir -p ${dir}/etc/sysconfig`,
    `cp -aR /etc/origin ${dir}/etc`,
    `cp -aR /etc/sysconfig/atomic-* ${dir}/etc/sysconfig/`,
  ]);
  const other = cmds(step(steps, 'other-files'), 'master-0.example.com');
  assert.ok(other.includes(`cp -aR /etc/sysconfig/docker ${dir}/etc/sysconfig/`), 'L302: /etc/sysconfig/docker');
  assert.ok(other.includes(`cp -aR /etc/sysconfig/docker-* ${dir}/etc/sysconfig/`));
  assert.ok(other.includes(`cp -aR /etc/sysconfig/iptables ${dir}/etc/sysconfig/`));
  assert.ok(other.includes(`cp -aR /etc/dnsmasq* ${dir}/etc/`));
  const flannel = other.find((c) => c.includes('/etc/sysconfig/flanneld'))!;
  assert.match(flannel, /^if test -e \/etc\/sysconfig\/flanneld; then cp -aR /);
  assert.match(flannel, /not present on this host/);
  assert.ok(other.some((c) => c.startsWith('if test -e /etc/cni; then cp -aR /etc/cni ')));
  assert.ok(other.some((c) => c.includes('for f in /etc/pki/ca-trust/source/anchors/*;')));
  for (const c of other) shSyntaxOk(c);
  assert.deepEqual(
    cmds(step(steps, 'packages'), 'master-2.example.com')[1],
    `rpm -qa | sort > ${dir}/packages.txt && test -s ${dir}/packages.txt && wc -l ${dir}/packages.txt`,
  );
  assert.match(step(steps, 'check-backup').verify!, /master-config.yaml/);
  // ca.serial.txt: the first master is told it should have it, the others that only the first has it
  assert.match(cmds(step(steps, 'check-backup'), 'master-0.example.com')[1]!, /the only one that has it/);
  assert.match(
    cmds(step(steps, 'check-backup'), 'master-1.example.com')[1]!,
    /exists only on the first master of the inventory \(master-0.example.com\)/,
  );
  assert.equal(step(steps, 'archive').skipped, 'archive=no: the backup directory is left uncompressed');
});

test('master-backup: one host, archive, custom backup dir with hostile characters stays one word', () => {
  const steps = plan(masterBackup, {
    host: 'master-1.example.com',
    archive: 'yes',
    'backup-dir': '/backup/a b;$(id)/<hostname>-<YYYYMMDD>',
  });
  for (const s of steps) assert.deepEqual(s.hosts, ['master-1.example.com']);
  const [tar] = cmds(step(steps, 'archive'), 'master-1.example.com');
  assert.equal(step(steps, 'archive').skipped, undefined);
  assert.deepEqual(words(tar!.replace(/<hostname>/g, 'H')), [
    'tar',
    '-zcf',
    '/backup/a b;$(id)/H-20240105.tar.gz',
    '/backup/a b;$(id)/H-20240105',
  ]);
  const archive = plan(masterBackup, { archive: 'yes' });
  assert.deepEqual(
    cmds(step(archive, 'archive'), 'master-0.example.com')[0],
    'tar -zcf /backup/<hostname>-20240105.tar.gz /backup/<hostname>/20240105',
  );
  assert.throws(() => plan(masterBackup, { host: 'node-0.example.com' }), /not a master host/);
  assert.throws(() => plan(masterBackup, { 'backup-dir': 'relative/dir' }), /not an absolute path/);
  assert.equal(
    validateBackupDir('/backup/<other>'),
    'backup directory "/backup/<other>": the only placeholders are <hostname> and <YYYYMMDD>',
  );
  assert.match(validateBackupDir('/backup/../etc')!, /\.\./);
});

test('hostname capture refuses what is not a host name', () => {
  assert.equal(parseHostname({ exitCode: 0, stdout: 'master-0.lab.example.com\n', stderr: '' }), 'master-0.lab.example.com');
  assert.throws(() => parseHostname({ exitCode: 0, stdout: '../../etc\n', stderr: '' }), /not a host name/);
  assert.throws(() => parseHostname({ exitCode: 0, stdout: '', stderr: '' }), /not a host name/);
});

// ---- node-backup -------------------------------------------------------------------------------------

test('node-backup: every node (masters are nodes too), the node files', () => {
  const steps = plan(nodeBackup);
  assert.deepEqual(step(steps, 'config').hosts, [
    'master-0.example.com',
    'master-1.example.com',
    'master-2.example.com',
    'infra-0.example.com',
    'node-0.example.com',
  ]);
  const dir = '/backup/<hostname>/20240105';
  assert.deepEqual(cmds(step(steps, 'config'), 'node-0.example.com'), [
    `mkdir -p ${dir}/etc/sysconfig`,
    `cp -aR /etc/origin ${dir}/etc`,
    `cp -aR /etc/sysconfig/atomic-openshift-node ${dir}/etc/sysconfig/`,
  ]);
  assert.ok(cmds(step(steps, 'other-files'), 'node-0.example.com').includes(`cp -aR /etc/sysconfig/docker ${dir}/etc/sysconfig/`));
  assert.match(step(steps, 'check-backup').verify!, /node-config.yaml/);
});

// ---- registry-certs-backup ---------------------------------------------------------------------------

test('registry-certs-backup: tar of /etc/docker/certs.d, system trust, fetched to the bastion over SFTP', () => {
  const steps = plan(registryCertsBackup, { 'copy-to': '/srv/backups' });
  assert.deepEqual(
    steps.map((s) => s.id),
    ['hostname', 'docker-certs', 'trust-list', 'trust-extract', 'copy-to-bastion'],
  );
  const certs = cmds(step(steps, 'docker-certs'), 'node-0.example.com');
  assert.match(
    certs[1]!,
    new RegExp(
      String.raw`^if test -d \/etc\/docker\/certs.d; then tar -czf ` +
        String.raw`\/backup\/<hostname>\/20240105\/docker-registry-certs-<hostname>.tar.gz \/etc\/docker\/certs.d\/ && tar -tzvf `,
    ),
  );
  assert.match(cmds(step(steps, 'trust-list'), 'node-0.example.com')[0]!, /trust list --filter=ca-anchors/);
  const extract = cmds(step(steps, 'trust-extract'), 'node-0.example.com');
  assert.ok(extract.some((c) => c.includes('trust extract --format=pem-bundle --filter=ca-anchors --overwrite')));
  assert.ok(extract.some((c) => c.includes('openssl verify -CAfile')));
  for (const c of [...certs, ...extract]) shSyntaxOk(c.replace(/<hostname>/g, 'h'));
  // the copy: packed on each node, fetched over SFTP on the product's verified connection (no system ssh)
  const copy = step(steps, 'copy-to-bastion');
  assert.ok(copy.hosts.includes('infra-0.example.com'));
  const infra = cmds(copy, 'infra-0.example.com');
  assert.match(
    infra[0]!,
    new RegExp(
      String.raw`^umask 077 && mkdir -p \/backup && tar -czf \/backup\/registry-certs-20240105.tar.gz ` +
        String.raw`--ignore-failed-read -C \/backup\/"\$\(hostname\)"\/20240105 `,
    ),
  );
  assert.match(infra[0]!, /chown "\$SUDO_USER"/);
  assert.equal(
    infra[1],
    'sftp get infra-0.example.com:/backup/registry-certs-20240105.tar.gz → /srv/backups/infra-0.example.com/registry-certs-20240105.tar.gz',
  );
  assert.ok(!cmds(copy, null).length, 'nothing runs on the bastion');
  shSyntaxOk(infra[0]!);
  assert.throws(() => plan(registryCertsBackup, {}), /copy-to/);
});

test('remoteDirExpr: <hostname> is resolved on the host, everything else quoted', () => {
  assert.equal(remoteDirExpr('/backup/<hostname>/<YYYYMMDD>', NOW).script, '/backup/"$(hostname)"/20240105');
  assert.equal(remoteDirExpr('/b k/<hostname>', NOW).script, `'/b k/'"$(hostname)"`);
});

// ---- etcd-backup -------------------------------------------------------------------------------------

const ENDPOINTS = "https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3';touch /tmp/pwned;':2379";

test("etcd-backup: the steps in the guide's order, where they run", () => {
  const steps = plan(etcdBackup, { host: 'master-1.example.com' });
  assert.deepEqual(
    steps.map((s) => s.id),
    [
      'preflight',
      'config-backup',
      'health-v2',
      'health-v3',
      'member-list',
      'snapshot-save',
      'v2-backup',
      'start-etcd',
      'verify-backup',
      'copy-to-bastion',
    ],
  );
  assert.deepEqual(step(steps, 'config-backup').hosts, ['master-0.example.com', 'master-1.example.com', 'master-2.example.com']);
  for (const id of ['preflight', 'health-v2', 'health-v3', 'member-list', 'snapshot-save', 'v2-backup', 'start-etcd', 'verify-backup']) {
    assert.deepEqual(step(steps, id).hosts, ['master-1.example.com'], id);
  }
  assert.match(step(steps, 'copy-to-bastion').skipped!, /no copy-to given/);
  // default member: the first etcd host
  assert.deepEqual(step(plan(etcdBackup), 'snapshot-save').hosts, ['master-0.example.com']);
});

test('etcd-backup: commands, every endpoint, certificates spelled out, hostile address quoted', () => {
  const steps = plan(etcdBackup, { host: 'master-1.example.com' });
  const m = 'master-1.example.com';
  assert.deepEqual(cmds(step(steps, 'config-backup'), 'master-2.example.com'), [
    'mkdir -p /backup/etcd-config-20240105/',
    'cp -R /etc/etcd/ /backup/etcd-config-20240105/',
  ]);
  const v2 = words(cmds(step(steps, 'health-v2'), m)[0]!);
  assert.deepEqual(v2, [
    'ETCDCTL_API=2',
    'etcdctl',
    '--cert-file',
    '/etc/etcd/peer.crt',
    '--key-file',
    '/etc/etcd/peer.key',
    '--ca-file',
    '/etc/etcd/ca.crt',
    '--endpoints',
    ENDPOINTS,
    'cluster-health',
  ]);
  const v3 = words(cmds(step(steps, 'health-v3'), m)[0]!);
  assert.deepEqual(v3, [
    'ETCDCTL_API=3',
    'etcdctl',
    '--cert',
    '/etc/etcd/peer.crt',
    '--key',
    '/etc/etcd/peer.key',
    '--cacert',
    '/etc/etcd/ca.crt',
    '--endpoints',
    ENDPOINTS,
    'endpoint',
    'health',
  ]);
  const members = cmds(step(steps, 'member-list'), m);
  assert.deepEqual(words(members[1]!).slice(-4), ['member', 'list', '-w', 'json']);
  const snap = cmds(step(steps, 'snapshot-save'), m);
  assert.equal(snap[0], 'mkdir -p /backup/etcd-20240105');
  assert.deepEqual(words(snap[1]!).slice(-5), ['--endpoints', 'https://10.0.0.2:2379', 'snapshot', 'save', '/backup/etcd-20240105/db']);
  const v2b = cmds(step(steps, 'v2-backup'), m);
  assert.equal(v2b[0], 'systemctl stop etcd.service');
  assert.match(
    v2b[1]!,
    /^test .* ss -ltn .*\(10\W+0\W+0\W+2\|.* {2}# until it succeeds: every 2 s, up to 90 s$/,
    'the backup waits until nothing listens on the member’s ports',
  );
  assert.match(
    v2b[2]!,
    new RegExp(
      String.raw`^if test -e \/backup\/etcd-20240105\/member; then mv ` +
        String.raw`\/backup\/etcd-20240105\/member \/backup\/etcd-20240105\/member.old-20240105030405 `,
    ),
  );
  assert.match(
    v2b[3]!,
    new RegExp(
      String.raw`^ETCDCTL_API=2 etcdctl backup --data-dir \/var\/lib\/etcd --backup-dir ` +
        String.raw`\/backup\/etcd-20240105 \|\| \{ rc=\$\?; .*systemctl start etcd.service; exit \$rc; \}$`,
    ),
  );
  const start = cmds(step(steps, 'start-etcd'), m);
  assert.equal(start[0], 'systemctl start etcd.service');
  assert.match(start[1]!, /^ETCDCTL_API=3 etcdctl .* --endpoints https:\/\/10.0.0.2:2379 endpoint health {2}# until it succeeds/);
  assert.equal(cmds(step(steps, 'verify-backup'), m)[0], 'ETCDCTL_API=3 etcdctl snapshot status /backup/etcd-20240105/db -w json');
  for (const s of steps) for (const c of s.commands) shSyntaxOk(c.command);
  // the hostile address never becomes shell syntax: it is one word inside the endpoints list
  const pre = plan(etcdBackup, { host: 'master-2.example.com' });
  assert.ok(!cmds(step(pre, 'health-v3'), 'master-2.example.com')[0]!.includes(' /tmp/pwned;'.replace(' ', ' touch ')));
});

test('etcd-backup: the stop is gated, names the member and who keeps quorum, and is protected by the snapshot', () => {
  const s = step(plan(etcdBackup, { host: 'master-0.example.com' }), 'v2-backup');
  assert.equal(s.gate?.kind, 'confirm');
  assert.equal(
    s.gate?.what,
    'etcd on master-0.example.com stops for the v2 backup; quorum is kept by the other members (master-1.example.com, ' +
      'master-2.example.com). It is started again right after.',
  );
  assert.equal(s.gate?.protectedBy, 'the v3 snapshot just saved at /backup/etcd-20240105/db on master-0.example.com');
  assert.match(s.precondition!, /quorum/);
});

test('etcd-backup: backup-dir and copy-to', () => {
  const steps = plan(etcdBackup, { 'backup-dir': '/mnt/nfs/etcd-<YYYYMMDD>/', 'copy-to': '/srv/b' });
  assert.equal(cmds(step(steps, 'snapshot-save'), 'master-0.example.com')[0], 'mkdir -p /mnt/nfs/etcd-20240105');
  // the copy: tar.gz into /backup on each member, then SFTP on the verified connection (no system ssh)
  const copyStep = step(steps, 'copy-to-bastion');
  assert.deepEqual(copyStep.hosts, ['master-0.example.com', 'master-1.example.com', 'master-2.example.com']);
  const m0 = cmds(copyStep, 'master-0.example.com');
  assert.ok(
    m0.every((c) => !/\bssh\b/.test(c.replace(/sftp get/, ''))),
    m0.join('\n'),
  );
  assert.ok(
    m0.includes(
      'umask 077 && mkdir -p /backup && tar -czf /backup/etcd-data-20240105.tar.gz -C /mnt/nfs etcd-20240105 && if test ' +
        '-n "$SUDO_USER"; then chown "$SUDO_USER" /backup/etcd-data-20240105.tar.gz; fi && ls -l /backup/etcd-data-20240105.tar.gz',
    ),
    m0.join('\n'),
  );
  assert.ok(
    m0.includes('sftp get master-0.example.com:/backup/etcd-data-20240105.tar.gz → /srv/b/master-0.example.com/etcd-data-20240105.tar.gz'),
    m0.join('\n'),
  );
  for (const h of ['master-0.example.com', 'master-1.example.com', 'master-2.example.com']) {
    assert.ok(cmds(copyStep, h).includes(`sftp get ${h}:/backup/etcd-config-20240105.tar.gz → /srv/b/${h}/etcd-config-20240105.tar.gz`), h);
  }
  assert.equal(
    cmds(copyStep, 'master-1.example.com').filter((c) => c.includes('etcd-data')).length,
    0,
    'data only from the member backed up',
  );
  assert.equal(plan(etcdBackup, {}).find((s) => s.id === 'copy-to-bastion')!.skipped !== undefined, true);
  assert.throws(() => plan(etcdBackup, { 'backup-dir': '/var/lib/etcd/bk' }), /inside \/var\/lib\/etcd/);
  assert.throws(() => plan(etcdBackup, { 'backup-dir': '/backup/<hostname>' }), /only placeholder/);
  assert.throws(() => plan(etcdBackup, { host: 'node-0.example.com' }), /not a etcd host|etcd/);
  const ctx = { params: { 'backup-dir': '/x/<YYYYMMDD>' }, startedAt: NOW } as unknown as StepContext;
  assert.equal(dataBackupDir(ctx), '/x/20240105');
});

test('quorum: refuse when stopping the member would lose it', () => {
  assert.equal(quorumVerdict(3, 2, [], 'm0'), true);
  assert.match(
    quorumVerdict(3, 1, ['m2'], 'm0') as string,
    /^stopping etcd on m0 would lose quorum: 1 of the other 2 member\(s\) are healthy, 2 of 3 are needed \(not healthy: m2\)/,
  );
  assert.equal(quorumVerdict(5, 3, ['m4'], 'm0'), true);
  assert.notEqual(quorumVerdict(5, 2, ['m3', 'm4'], 'm0'), true);
  assert.notEqual(quorumVerdict(2, 0, ['m1'], 'm0'), true);
  assert.equal(quorumVerdict(1, 0, [], 'm0'), true);
});

test('the quorum precondition parses real endpoint health output', () => {
  const pre = commandCheck(etcdBackup.steps.find((s) => s.id === 'v2-backup')!.precondition);
  const captured = { has: () => true, get: () => '3' };
  const plain = inventory();
  plain.hosts[2]!.vars['openshift_ip'] = '10.0.0.3';
  const ctx: StepContext = {
    params: { host: 'master-0.example.com' },
    inventory: plain,
    captured,
    startedAt: NOW,
    planning: false,
    host: inv.hosts[0]!,
  };
  const cmd = pre.command(ctx).script;
  assert.ok(!cmd.includes('10.0.0.1:2379'), 'only the other members');
  const healthy = 'https://10.0.0.2:2379 is healthy: successfully committed proposal: took = 2.1ms\n';
  const other3 = 'https://10.0.0.3:2379';
  assert.equal(
    pre.ok({ exitCode: 0, stdout: '', stderr: `${healthy}${other3} is healthy: successfully committed proposal: took = 1.9ms\n` }, ctx),
    true,
  );
  const down = pre.ok(
    {
      exitCode: 1,
      stdout: '',
      stderr: `${healthy}${other3} is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster\n`,
    },
    ctx,
  );
  assert.match(down as string, /would lose quorum.*not healthy: master-2.example.com/);
});

test('preflight verdict names every problem', () => {
  assert.equal(preflightVerdict({ exitCode: 0, stdout: '', stderr: '' }), true);
  assert.equal(
    preflightVerdict({
      exitCode: 0,
      stdout: 'unreadable: /etc/etcd/peer.key\nunreachable: 10.0.0.1:2379/tcp does not accept connections\n',
      stderr: '',
    }),
    'etcd cannot be backed up from this host: unreadable: /etc/etcd/peer.key; unreachable: 10.0.0.1:2379/tcp does not accept connections',
  );
});

test('snapshot status -w json (etcd 3.4)', () => {
  const s = parseSnapshotStatus('{"hash":3087948187,"revision":3019,"totalKey":3025,"totalSize":3403776}\n');
  assert.deepEqual(s, { hash: 3087948187, revision: 3019, totalKey: 3025, totalSize: 3403776 });
  assert.throws(() => parseSnapshotStatus('Error: snapshot file not found'), /no JSON/);
  const verify = etcdBackup.steps.find((x) => x.id === 'verify-backup')!;
  const outs = [{ exitCode: 0, stdout: '{"hash":1,"revision":2,"totalKey":3,"totalSize":4}', stderr: '' }];
  const ctx = {} as StepContext;
  assert.deepEqual(Object.fromEntries(Object.entries(verify.capture!).map(([k, f]) => [k, f(outs, ctx)])), {
    'snapshot-hash': '1',
    'snapshot-revision': '2',
    'snapshot-keys': '3',
    'snapshot-size': '4',
  });
});
