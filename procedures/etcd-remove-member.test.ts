// Pure tests of 5.4.5 etcd-remove-member: the plan's order, gate and hosts, the exact commands for a
// sample inventory, the member lookup (by peer URL, never a host name), the quorum verdicts and the
// ETCD_INITIAL_CLUSTER edit.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { knownControlPlane } from '../src/ocp/control-plane.js';
import { parseV2MemberList } from '../src/ocp/etcd.js';
import { testHost } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { findEntry } from './catalogue.js';
import {
  dropFromInitialCluster,
  etcdRemoveMember,
  findMember,
  fromHost,
  quorumCheck,
  removalArithmetic,
  removalVerdict,
} from './etcd-remove-member.js';
import { findProcedure } from './index.js';

function inventory(): Inventory {
  const hosts = [
    testHost('master-0.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.1' } }),
    testHost('master-1.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.2' } }),
    testHost('master-2.example.com', ['master', 'etcd', 'node'], { vars: { openshift_ip: '10.0.0.3' } }),
    testHost('node-0.example.com', ['node']),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const inv = inventory();
const M = ['master-0.example.com', 'master-1.example.com', 'master-2.example.com'];
const EPS = 'https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379';

const plan = (params: Record<string, string>): PlanStep[] => planProcedure(etcdRemoveMember, params, inv, NOW);
/** The plan once the hosts' control plane was read: every master runs it as `kind`. */
const planOn = (kind: 'static-pod' | 'systemd', params: Record<string, string>): PlanStep[] =>
  planProcedure(etcdRemoveMember, params, inv, NOW, knownControlPlane(Object.fromEntries(M.map((m) => [m, kind]))));
function step(steps: PlanStep[], id: string): PlanStep {
  const s = steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}`);
  return s;
}
const cmds = (s: PlanStep, h: string | null): string[] =>
  s.commands.filter((c) => c.host === h).map((c) => c.command.replace(/\\([<>])/g, '$1'));

const LIST = [
  '5ee217d19001: name=master-0.example.com peerURLs=https://10.0.0.1:2380 clientURLs=https://10.0.0.1:2379 isLeader=true',
  '2a529ba1840722c0: name=master-1.example.com peerURLs=https://10.0.0.2:2380 clientURLs=https://10.0.0.2:2379 isLeader=false',
  '8372784203e11288: name=master-2.example.com peerURLs=https://10.0.0.3:2380 clientURLs=https://10.0.0.3:2379 isLeader=false',
].join('\n');
const HEALTHY = [
  'member 5ee217d19001 is healthy: got healthy result from https://10.0.0.1:2379',
  'member 2a529ba1840722c0 is healthy: got healthy result from https://10.0.0.2:2379',
  'failed to check the health of member 8372784203e11288 on https://10.0.0.3:2379: Get https://10.0.0.3:2379/health: ' +
    'dial tcp 10.0.0.3:2379: getsockopt: connection refused',
  'member 8372784203e11288 is unreachable: [https://10.0.0.3:2379] are all unreachable',
  'cluster is degraded',
].join('\n');

test('registered, built, parameters member / from / allow-even', () => {
  assert.equal(findProcedure('etcd-remove-member'), etcdRemoveMember);
  assert.equal(findEntry('etcd-remove-member')?.built, true);
  assert.deepEqual(
    etcdRemoveMember.parameters.map((p) => p.name),
    ['member', 'from', 'allow-even'],
  );
  assert.deepEqual(etcdRemoveMember.parameters[0]!.choices, { fromRole: 'etcd' });
});

test('the plan: order, one destructive type-host step, hosts', () => {
  const steps = plan({ member: M[2]! });
  assert.deepEqual(
    steps.filter((s) => !s.skipped).map((s) => s.id),
    [
      'health-and-list',
      'quorum',
      'member-remove',
      'stop-removed',
      'read-initial-cluster',
      'edit-initial-cluster',
      'master-config',
      'flanneld',
      'restart-masters',
      'restart-removed-master',
      'verify',
      'remaining-work',
    ],
  );
  // the clients drop the member before the one restart (no API restarts with it among its etcd URLs)
  assert.deepEqual(
    steps.filter((s) => s.destructive).map((s) => s.id),
    ['member-remove'],
  );
  const rm = step(steps, 'member-remove');
  assert.equal(rm.gate?.kind, 'type-host');
  assert.match(rm.gate!.what, /master-2\.example\.com/);
  assert.deepEqual(rm.hosts, [M[0]]); // default from: the first other member
  assert.deepEqual(step(steps, 'stop-removed').hosts, [M[2]]);
  assert.deepEqual(step(steps, 'edit-initial-cluster').hosts, [M[0], M[1]]);
  assert.deepEqual(step(steps, 'restart-masters').hosts, [M[0], M[1]]);
  assert.deepEqual(step(steps, 'remaining-work').hosts, []);
  // from= is honoured
  assert.deepEqual(step(plan({ member: M[2]!, from: M[1]! }), 'member-remove').hosts, [M[1]]);
  assert.deepEqual(step(plan({ member: M[0]! }), 'member-remove').hosts, [M[1]]);
});

test('the commands: cluster-health and member list through every endpoint; member remove takes an id', () => {
  const steps = plan({ member: M[2]! });
  assert.deepEqual(cmds(step(steps, 'health-and-list'), M[0]!), [
    `ETCDCTL_API=2 etcdctl --cert-file /etc/etcd/peer.crt --key-file /etc/etcd/peer.key --ca-file /etc/etcd/ca.crt ` +
      `--endpoints ${EPS} cluster-health`,
    `ETCDCTL_API=2 etcdctl --cert-file /etc/etcd/peer.crt --key-file /etc/etcd/peer.key --ca-file /etc/etcd/ca.crt ` +
      `--endpoints ${EPS} member list`,
  ]);
  const rm = cmds(step(steps, 'member-remove'), M[0]!);
  assert.equal(rm.length, 3);
  assert.match(rm[0]!, /isLeader=true.*ETCDCTL_API=3 etcdctl .*--endpoints https:\/\/10\.0\.0\.3:2379 move-leader '?<from-id>'?/);
  // asked again while etcd answers "has no leader" (an election under way removes nothing)
  assert.match(
    rm[1]!,
    /--endpoints https:\/\/10\.0\.0\.1:2379,https:\/\/10\.0\.0\.2:2379 member remove '?<member-id>'? {2}# asked again while it answers "not yet": every 2 s, up to 60 s$/,
  );
  assert.match(
    cmds(step(steps, 'stop-removed'), M[2]!)[0]!,
    /resolved at run time: how master-2\.example\.com runs etcd/,
    'no facts read: the plan says so',
  );
  const edit = cmds(step(steps, 'edit-initial-cluster'), M[1]!);
  assert.match(edit[0]!, /cp -p \/etc\/etcd\/etcd\.conf \/etc\/etcd\/etcd\.conf\.bak-20240105030405/);
  for (const c of [...edit, ...cmds(step(steps, 'quorum'), M[0]!)]) execFileSync('sh', ['-n', '-c', c]);
  const quorum = cmds(step(steps, 'quorum'), M[0]!).join('\n');
  assert.match(quorum, /members before: 3; quorum: 2; failures tolerated: 1/);
  assert.match(quorum, /members after: {2}2; quorum: 2; failures tolerated: 0/);
  const rest = cmds(step(steps, 'remaining-work'), null).join('\n');
  assert.match(rest, /\[etcd\]/);
  assert.match(rest, /etcdClientInfo\.urls and FLANNEL_ETCD_ENDPOINTS no longer name it/);
  assert.doesNotMatch(rest, /master-restart api/, 'nothing left to restart by hand');
  for (const c of [...cmds(step(steps, 'master-config'), M[0]!), ...cmds(step(steps, 'flanneld'), M[0]!)]) {
    assert.doesNotMatch(c, /-v add=[^ ]/, 'the removal adds no URL');
  }
  assert.match(cmds(step(steps, 'master-config'), M[0]!)[1]!, /drop=https:\/\/10\.0\.0\.3:2379 https:\/\/master-2\.example\.com:2379/);
});

test('systemd units: stop-removed disables etcd.service; the masters restart by systemctl, each waiting for its /healthz', () => {
  const steps = planOn('systemd', { member: M[2]! });
  const stop = cmds(step(steps, 'stop-removed'), M[2]!);
  assert.equal(stop[0], 'systemctl disable --now etcd.service');
  assert.match(stop[1]!, /systemctl is-active etcd\.service.*ss -ltn/);
  const restart = cmds(step(steps, 'restart-masters'), M[1]!);
  assert.equal(restart[0], 'systemctl restart atomic-openshift-master-api.service');
  assert.match(restart[1]!, /^test "\$\(curl -sk --max-time 5 https:\/\/10\.0\.0\.2:8443\/healthz\)" = ok {2}# until it succeeds/);
  assert.equal(restart[2], 'systemctl restart atomic-openshift-master-controllers.service');
  for (const c of [...stop, ...restart]) execFileSync('sh', ['-n', '-c', c]);
});

test('static pods (OCP 3.10): stop-removed moves the etcd manifest aside (kept); master-restart, then /healthz before next master', () => {
  const steps = planOn('static-pod', { member: M[2]! });
  const stop = cmds(step(steps, 'stop-removed'), M[2]!);
  assert.match(stop[0]!, /mv \/etc\/origin\/node\/pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped\/etcd\.yaml/);
  assert.doesNotMatch(stop.join('\n'), /systemctl|\brm\b/);
  assert.match(stop[1]!, /docker ps -q --filter label=io\.kubernetes\.container\.name=etcd/);
  const restart = cmds(step(steps, 'restart-masters'), M[0]!);
  assert.deepEqual([restart[0], restart[2]], ['master-restart api', 'master-restart controllers']);
  assert.match(
    restart[1]!,
    /https:\/\/10\.0\.0\.1:8443\/healthz\)" = ok {2}# until it succeeds: every 2 s, up to 390 s/,
    'a static pod may wait out the kubelet back-off',
  );
  for (const c of [...stop, ...restart]) execFileSync('sh', ['-n', '-c', c]);
});

test('from: refused when it is the member itself or not an etcd host', () => {
  assert.throws(() => fromHost({ params: { member: M[1]!, from: M[1]! }, inventory: inv }), /member being removed/);
  assert.throws(() => fromHost({ params: { member: M[1]!, from: 'node-0.example.com' }, inventory: inv }), /not an etcd member/);
  assert.throws(() => plan({ member: 'node-0.example.com' }));
});

test('findMember: by peer URL, else by name; never by guessing', () => {
  const ms = parseV2MemberList(LIST);
  assert.equal(findMember(ms, inv.hosts[2]!)?.id, '8372784203e11288');
  // renamed member: found by its peer URL
  const renamed = parseV2MemberList(LIST.replace('name=master-2.example.com', 'name=etcd-old'));
  assert.equal(findMember(renamed, inv.hosts[2]!)?.id, '8372784203e11288');
  // a member that advertises something else but keeps its name
  const moved = parseV2MemberList(LIST.replace('peerURLs=https://10.0.0.3:2380', 'peerURLs=http://localhost:2380'));
  assert.equal(findMember(moved, inv.hosts[2]!)?.id, '8372784203e11288');
  assert.equal(findMember(parseV2MemberList(LIST.split('\n').slice(0, 2).join('\n')), inv.hosts[2]!), undefined);
});

test('quorum arithmetic and verdicts', () => {
  assert.deepEqual(removalArithmetic(3), [
    'members before: 3; quorum: 2; failures tolerated: 1',
    'members after:  2; quorum: 2; failures tolerated: 0',
  ]);
  assert.deepEqual(removalArithmetic(5)[1], 'members after:  4; quorum: 3; failures tolerated: 1');
  // 3 → 2 (even, below 3): refused without allow-even=yes
  assert.match(String(removalVerdict(3, [], false)), /leaves 2 members.*allow-even=yes/);
  assert.deepEqual(removalVerdict(3, [], true), { warn: 'warning: 2 members is an even count: it tolerates no more failures than 1' });
  // 4 → 3, 6 → 5: fine; 5 → 4: even but not below 3, a warning
  assert.equal(removalVerdict(4, [], false), true);
  assert.equal(typeof removalVerdict(5, [], false), 'object');
  // 2 → 1: a warning (the issue), 1 → 0 refused
  assert.match((removalVerdict(2, [], false) as { warn: string }).warn, /2-member cluster/);
  assert.match(String(removalVerdict(1, [], true)), /only one/);
  // unhealthy remaining members: refused, even with allow-even
  assert.match(String(removalVerdict(5, ['master-1 unreachable'], true)), /not all healthy.*master-1 unreachable/);
});

test('quorumCheck reads member list + cluster-health: the failed member itself may be unreachable', () => {
  const out = `${LIST}\n--- health\n${HEALTHY}`;
  assert.equal(quorumCheck(out, inv.hosts[2]!, true), true);
  assert.match(String(quorumCheck(out, inv.hosts[2]!, false)), /allow-even=yes/);
  // removing master-0 while master-2 is unreachable: refused
  assert.match(String(quorumCheck(out, inv.hosts[0]!, true)), /not all healthy.*master-2\.example\.com 8372784203e11288 unreachable/);
  assert.match(
    String(quorumCheck(`${LIST.split('\n').slice(0, 2).join('\n')}\n--- health\n`, inv.hosts[2]!, true)),
    /not in the member list/,
  );
});

test('dropFromInitialCluster: by name or peer URL, order kept', () => {
  const ic =
    'master-0.example.com=https://10.0.0.1:2380,master-1.example.com=https://10.0.0.2:2380,master-2.example.com=https://10.0.0.3:2380';
  assert.equal(
    dropFromInitialCluster(ic, inv.hosts[2]!),
    'master-0.example.com=https://10.0.0.1:2380,master-1.example.com=https://10.0.0.2:2380',
  );
  assert.equal(
    dropFromInitialCluster(ic, inv.hosts[0]!),
    'master-1.example.com=https://10.0.0.2:2380,master-2.example.com=https://10.0.0.3:2380',
  );
  assert.equal(
    dropFromInitialCluster('old-name=https://10.0.0.3:2380,master-0.example.com=https://10.0.0.1:2380', inv.hosts[2]!),
    'master-0.example.com=https://10.0.0.1:2380',
  );
  assert.equal(
    dropFromInitialCluster('master-0.example.com=https://10.0.0.1:2380', inv.hosts[2]!),
    'master-0.example.com=https://10.0.0.1:2380',
  );
});

test(
  'edit-initial-cluster decides per survivor, from its own line: one that names the member is edited (a .bak first), ' +
    'one that does not is left alone',
  () => {
    const edit = etcdRemoveMember.steps.find((s) => s.id === 'edit-initial-cluster')!;
    const line = (names: number[]) => names.map((i) => `${M[i]}=https://10.0.0.${i + 1}:2380`).join(',');
    // master-0 has the original line; master-1 joined after a restore with what `member add` printed (no master-2)
    const own: Record<string, string> = { [M[0]!]: line([0, 1, 2]), [M[1]!]: line([0, 1]) };
    const ctxOn = (h: string) => ({
      params: { member: M[2]! },
      inventory: inv,
      host: inv.hosts.find((x) => x.name === h)!,
      captured: { has: (n: string) => n === 'initial-cluster', get: () => own[h]! },
      startedAt: NOW,
      planning: false,
    });
    const on0 = edit.commands(ctxOn(M[0]!)).map((c) => c.script);
    assert.equal(on0.length, 3);
    assert.match(on0[0]!, /cp -p \/etc\/etcd\/etcd\.conf \/etc\/etcd\/etcd\.conf\.bak-/);
    assert.ok(on0[1]!.includes(line([0, 1])) && !on0[1]!.includes(`${M[2]}=`), on0[1]);
    const on1 = edit.commands(ctxOn(M[1]!)).map((c) => c.script);
    assert.equal(on1.length, 1);
    assert.match(on1[0]!, /does not name master-2\.example\.com: nothing to change/);
    assert.equal(
      commandCheck(edit.verify).ok({ exitCode: 0, stdout: `ETCD_INITIAL_CLUSTER=${line([0, 1])}\n`, stderr: '' }, ctxOn(M[1]!)),
      true,
    );
    assert.match(
      String(commandCheck(edit.verify).ok({ exitCode: 0, stdout: `ETCD_INITIAL_CLUSTER=${line([0, 1, 2])}\n`, stderr: '' }, ctxOn(M[0]!))),
      /ETCD_INITIAL_CLUSTER is/,
    );
  },
);
