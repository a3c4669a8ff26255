// Pure tests of 5.4.3 etcd-replace: registered; the plan backs up first, adds the new member before the
// old one goes (the guide's order, quorum kept), edits the clients once and restarts the masters once,
// after the removal; the reused halves see their own parameters (host / member) and the removal sees the
// new host as an [etcd] member; their captures do not meet; refusals and the final check.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planProcedure } from '../src/engine/plan.js';
import type { CapturedValues, PlanStep, StandingContext, StepContext } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { testHost } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { findEntry } from './catalogue.js';
import { etcdReplace, membersAfter, replacedVerdict, replacementArithmetic, replaceWhereItStands, survivor } from './etcd-replace.js';
import { findProcedure } from './index.js';

const M = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];
const N0 = 'node-0.lab.example.com';
function labInventory(): Inventory {
  const hosts = [
    ...M.map((m, i) => testHost(m, ['master', 'etcd', 'node'], { vars: { ansible_host: `127.0.10.${i + 1}` } })),
    testHost('infra-0.lab.example.com', ['infra', 'node'], { vars: { ansible_host: '127.0.11.1' } }),
    testHost(N0, ['node', 'new_etcd'], { vars: { ansible_host: '127.0.12.1' } }),
    testHost('lb-0.lab.example.com', ['lb'], { vars: { ansible_host: '127.0.13.1' } }),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}
const inv = labInventory();
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const params = { old: M[2]!, new: N0 };
const ids = (plan: PlanStep[]) => plan.map((s) => s.id);
const step = (plan: PlanStep[], id: string): PlanStep => {
  const s = plan.find((x) => x.id === id);
  assert.ok(s, `no step ${id} in ${ids(plan).join(' ')}`);
  return s;
};
const cmds = (s: PlanStep) => s.commands.map((c) => `${c.host ?? '(bastion)'} ${c.command}`).join('\n');

test('etcd-replace is registered and built', () => {
  assert.equal(findEntry('etcd-replace')?.built, true);
  assert.equal(findProcedure('etcd-replace'), etcdReplace);
});

test('the plan: backup, then the addition of new, then the removal of old, clients once, masters restarted once', () => {
  const plan = planProcedure(etcdReplace, params, inv, NOW);
  const order = ids(plan);
  const at = (id: string) => {
    const i = order.indexOf(id);
    assert.ok(i >= 0, `no step ${id}`);
    return i;
  };
  assert.ok(at('plan') < at('backup-config') && at('backup-config') < at('backup-snapshot-save'));
  assert.ok(at('backup-snapshot-save') < at('add-preflight'));
  assert.ok(at('add-member-add') < at('add-start') && at('add-start') < at('add-verify-health'));
  assert.ok(at('add-verify-health') < at('remove-health-and-list'), 'the old member goes only after the new one runs');
  assert.ok(
    at('remove-member-remove') < at('remove-edit-initial-cluster') && at('remove-edit-initial-cluster') < at('clients-master-config'),
  );
  assert.ok(
    at('clients-flanneld') < at('remove-restart-masters') &&
      at('remove-restart-masters') < at('verify') &&
      at('verify') < at('remaining-work'),
  );
  assert.equal(order.filter((id) => /restart-api/.test(id)).length, 0, 'the API restarts once, with the controllers, after the removal');
  assert.equal(new Set(order).size, order.length, 'step ids are unique');

  // the numbers
  assert.match(
    cmds(step(plan, 'plan')),
    /node-0\.lab\.example\.com \(127\.0\.12\.1\) replaces master-2\.lab\.example\.com \(127\.0\.10\.3\); etcdctl runs on master-0/,
  );
  assert.match(cmds(step(plan, 'plan')), /from member add until etcd runs on the new host: 3 of 4 vote, quorum 3, failures tolerated 0/);
  // the backup goes into this run's own directory
  assert.match(cmds(step(plan, 'backup-snapshot-save')), /^master-0\S* .*snapshot save \/backup\/etcd-replace-20240105030405\/db$/m);
  assert.deepEqual(step(plan, 'backup-config').hosts, M);
  // the addition: certificates for node-0 on the CA host, member add through the current members only
  assert.match(cmds(step(plan, 'add-certs')), /^master-0\S* .*-subj \/CN=node-0\.lab\.example\.com/m);
  assert.match(cmds(step(plan, 'add-member-add')), /member add node-0\.lab\.example\.com https:\/\/127\.0\.12\.1:2380/);
  assert.deepEqual(step(plan, 'add-start').hosts, [N0]);
  assert.equal(step(plan, 'add-member-add').gate?.kind, 'confirm');
  // the removal: through the members as they are then (node-0's endpoint too), the old member typed at its gate
  assert.match(
    cmds(step(plan, 'remove-health-and-list')),
    /--endpoints https:\/\/127\.0\.10\.1:2379,https:\/\/127\.0\.10\.2:2379,https:\/\/127\.0\.10\.3:2379,https:\/\/127\.0\.12\.1:2379 /,
  );
  const rm = step(plan, 'remove-member-remove');
  assert.equal(rm.gate?.kind, 'type-host');
  assert.equal(rm.gate?.expect, M[2]);
  assert.match(cmds(rm), /member remove <old-member-id>/);
  assert.match(
    cmds(rm),
    /--endpoints https:\/\/127\.0\.10\.1:2379,https:\/\/127\.0\.10\.2:2379,https:\/\/127\.0\.12\.1:2379 member remove/,
  );
  assert.deepEqual(step(plan, 'remove-stop-removed').hosts, [M[2]]);
  assert.deepEqual(step(plan, 'remove-edit-initial-cluster').hosts, [M[0], M[1], N0]);
  assert.deepEqual(step(plan, 'remove-restart-masters').hosts, [M[0], M[1]]);
  assert.deepEqual(step(plan, 'remove-restart-removed-master').hosts, [M[2]]);
  // the clients: node-0 in, master-2 out, no restart of their own
  const mc = step(plan, 'clients-master-config');
  assert.deepEqual(mc.hosts, M);
  assert.match(
    mc.gate?.what ?? '',
    /adds node-0\.lab\.example\.com's client URL \(https:\/\/127\.0\.12\.1:2379.*drops https:\/\/127\.0\.10\.3:2379/,
  );
  assert.match(mc.gate?.what ?? '', /the masters restart in a later step/);
  // the final check asks the members after the replacement
  assert.match(
    cmds(step(plan, 'verify')),
    /--endpoints https:\/\/127\.0\.10\.1:2379,https:\/\/127\.0\.10\.2:2379,https:\/\/127\.0\.12\.1:2379 /,
  );
  assert.match(
    cmds(step(plan, 'remaining-work')),
    /move node-0\.lab\.example\.com from \[new_etcd\] to \[etcd\], and remove master-2\.lab\.example\.com from \[etcd\]/,
  );
});

test('bad parameters: the same host twice, an old that is not a member, a new that is not in [new_etcd]', () => {
  assert.throws(
    () => planProcedure(etcdReplace, { old: 'infra-0.lab.example.com', new: N0 }, inv, NOW),
    /'infra-0\.lab\.example\.com' is not a etcd host|not in the inventory's etcd hosts/,
  );
  assert.throws(() => planProcedure(etcdReplace, { old: M[2]!, new: 'infra-0.lab.example.com' }, inv, NOW), /new_etcd/);
  const pre = commandCheck(etcdReplace.steps[0]!.precondition);
  const ctx = {
    params: { old: M[2]!, new: M[2]! },
    inventory: inv,
    captured: { get: () => '', has: () => false },
    startedAt: NOW,
    planning: false,
  } as StepContext;
  assert.match(String(pre.ok({ exitCode: 0, stdout: '', stderr: '' }, ctx)), /old and new are both master-2/);
});

test('who is where: the first member that stays runs etcdctl; the members after', () => {
  const ctx = { params, inventory: inv };
  assert.equal(survivor(ctx).name, M[0]);
  assert.equal(survivor({ params: { old: M[0]!, new: N0 }, inventory: inv }).name, M[1]);
  assert.deepEqual(
    membersAfter(ctx).map((h) => h.name),
    [M[0], M[1], N0],
  );
  assert.deepEqual(replacementArithmetic(3), [
    'members now: 3; quorum 2; failures tolerated 1',
    'from member add until etcd runs on the new host: 3 of 4 vote, quorum 3, failures tolerated 0',
    'with both members: 4; quorum 3; failures tolerated 1',
    'after the removal: 3 again; quorum 2; failures tolerated 1',
  ]);
});

test('the final check: new in, old out, the count as before, healthy', () => {
  const ctx = { params, inventory: inv };
  const list = (names: [string, string][]) =>
    names
      .map(([n, ip], i) => `${i + 1}a${i}: name=${n} peerURLs=https://${ip}:2380 clientURLs=https://${ip}:2379 isLeader=${i === 0}`)
      .join('\n');
  const healthy = '--- health\nmember 1a0 is healthy: got healthy result from https://127.0.10.1:2379\ncluster is healthy\n';
  const after = list([
    [M[0]!, '127.0.10.1'],
    [M[1]!, '127.0.10.2'],
    [N0, '127.0.12.1'],
  ]);
  assert.equal(replacedVerdict(`${after}\n${healthy}`, ctx, 3), true);
  assert.match(
    String(
      replacedVerdict(
        `${list([
          [M[0]!, '127.0.10.1'],
          [M[1]!, '127.0.10.2'],
          [M[2]!, '127.0.10.3'],
          [N0, '127.0.12.1'],
        ])}\n${healthy}`,
        ctx,
        3,
      ),
    ),
    /master-2\.lab\.example\.com is still in the member list/,
  );
  assert.match(
    String(
      replacedVerdict(
        `${list([
          [M[0]!, '127.0.10.1'],
          [M[1]!, '127.0.10.2'],
        ])}\n${healthy}`,
        ctx,
        3,
      ),
    ),
    /node-0\.lab\.example\.com is not a started member/,
  );
  assert.match(String(replacedVerdict(`${after}\n--- health\ncluster is degraded\n`, ctx, 3)), /cluster degraded/);
  assert.match(String(replacedVerdict(`${after}\n${healthy}`, ctx, 4)), /3 members, not 4/);
});

test('the halves capture apart: the removal’s member-id and members-before are prefixed', () => {
  const rm = etcdReplace.steps.find((s) => s.id === 'remove-health-and-list')!;
  assert.deepEqual(Object.keys(rm.capture!).sort(), ['old-from-id', 'old-member-id', 'old-members-before']);
  const add = etcdReplace.steps.find((s) => s.id === 'add-preflight')!;
  assert.ok(Object.keys(add.capture!).includes('members-before'));
});

test('where it stands after a run that stopped: before the add, between add and removal, after the removal', () => {
  const base = {
    params,
    inventory: inv,
    captured: { get: () => '', has: () => false } as CapturedValues,
    startedAt: NOW,
    planning: false,
    runId: 'r',
    outcome: 'failed' as const,
  };
  const progress = (ok: string[], failed?: string) =>
    Object.fromEntries(
      etcdReplace.steps.map((s) => [
        s.id,
        { status: ok.includes(s.id) ? 'ok' : s.id === failed ? 'failed' : 'pending', destructiveBegun: false, hosts: {} },
      ]),
    ) as StandingContext['steps'];
  const upTo = (id: string) =>
    etcdReplace.steps
      .slice(
        0,
        etcdReplace.steps.findIndex((s) => s.id === id),
      )
      .map((s) => s.id);
  const w0 = replaceWhereItStands({ ...base, steps: progress(upTo('add-certs'), 'add-certs') });
  assert.match(w0.state.join(' '), /nothing has changed in the etcd cluster/);
  const w1 = replaceWhereItStands({ ...base, steps: progress(upTo('add-start'), 'add-start') });
  assert.match(w1.state.join(' '), /has been added .* but etcd may not run on it yet/);
  assert.match((w1.cautions ?? []).join(' '), /do not stop another member/);
  const w2 = replaceWhereItStands({ ...base, steps: progress(upTo('remove-health-and-list'), 'remove-health-and-list') });
  assert.match(w2.next, /Run again to finish: master-2\.lab\.example\.com is removed once every remaining member is healthy/);
  const w3 = replaceWhereItStands({ ...base, steps: progress(upTo('clients-master-config'), 'clients-master-config') });
  assert.match(w3.state.join(' '), /master-2\.lab\.example\.com has been removed from the etcd cluster/);
  assert.match((w3.cautions ?? []).join(' '), /\/backup\/etcd-replace-20240105030405/);
});
