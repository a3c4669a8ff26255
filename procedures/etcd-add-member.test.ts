// Pure tests of 5.4.4.2 etcd-add-member's plan: the new host is prepared completely (firewall, etcd
// installed, reset, certificates, configuration unpacked) before `member add`, so that the cluster spends
// no longer than the start itself with a member that has not started (4 members tolerate no failure
// while one of them is not up); the new member's etcd runs as that master already runs it, else the unit.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { knownControlPlane } from '../src/ocp/control-plane.js';
import { testHost } from '../src/testing/builders.js';
import { etcdAddMember } from './etcd-add-member.js';

const M = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];
const N0 = 'node-0.lab.example.com';
const inv: Inventory = {
  source: { kind: 'demo' },
  hosts: [
    ...M.slice(0, 2).map((m, i) => testHost(m, ['master', 'etcd', 'node'], { vars: { ansible_host: `127.0.10.${i + 1}` } })),
    testHost(M[2]!, ['master', 'node'], { vars: { ansible_host: '127.0.10.3' } }),
    testHost(N0, ['node', 'new_etcd'], { vars: { ansible_host: '127.0.12.1' } }),
  ],
  groups: {},
  groupVars: {},
  warnings: [],
};
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const pods = knownControlPlane(Object.fromEntries(M.map((m) => [m, 'static-pod' as const])));
const plan = (newHost: string): PlanStep[] => planProcedure(etcdAddMember, { host: newHost }, inv, NOW, pods);
const step = (p: PlanStep[], id: string): PlanStep => {
  const s = p.find((x) => x.id === id);
  assert.ok(s, `no step ${id} in ${p.map((x) => x.id).join(' ')}`);
  return s;
};
const cmds = (s: PlanStep): string[] => s.commands.map((c) => c.command);

test('the new host is ready before member add; member add, the new etcd.conf and the start come last, together', () => {
  const ids = plan(N0).map((s) => s.id);
  const at = (id: string) => ids.indexOf(id);
  for (const prep of ['survey', 'firewall', 'install-etcd', 'reset-new-host', 'certs', 'archive', 'transfer', 'unpack']) {
    assert.ok(at(prep) >= 0 && at(prep) < at('member-add'), `${prep} before member-add: ${ids.join(' ')}`);
  }
  assert.deepEqual(ids.slice(at('member-add'), at('member-add') + 3), ['member-add', 'new-conf', 'start']);
  assert.deepEqual(step(plan(N0), 'new-conf').hosts, [N0], 'the printed values go into the new host’s own etcd.conf');
  assert.match(cmds(step(plan(N0), 'new-conf')).join('\n'), /\/etc\/etcd\/etcd\.conf/);
});

test('a node joins as the RPM unit; a master whose etcd manifest a removal kept aside joins as its static pod', () => {
  assert.equal(cmds(step(plan(N0), 'start'))[0], 'systemctl enable --now etcd.service');
  assert.equal(cmds(step(plan(N0), 'reset-new-host'))[0], 'systemctl disable --now etcd.service');
  const back = cmds(step(plan(M[2]!), 'start'));
  assert.match(back[0]!, /mv \/etc\/origin\/node\/pods-stopped\/etcd\.yaml \/etc\/origin\/node\/pods\/etcd\.yaml/);
  assert.match(back[1]!, /until it succeeds: every 2 s, up to 390 s/, 'a static pod may wait out the kubelet back-off');
  assert.match(
    cmds(step(plan(M[2]!), 'reset-new-host'))[0]!,
    /mv \/etc\/origin\/node\/pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped\/etcd\.yaml/,
  );
});

test('the API restarts where master-config.yaml changed, each master waiting for its /healthz before the next', () => {
  const r = cmds(step(plan(N0), 'restart-api'));
  assert.match(r[0]!, /if test -e \/etc\/origin\/master\/\.day2-tui-api-restart-pending; then master-restart api && rm -f/);
  assert.match(r[1]!, /curl -sk --max-time 5 https:\/\/127\.0\.10\.1:8443\/healthz/);
});
