// The etcd panel's pure parser against real etcd 3.4.23 output (test/fixtures/checks/etcd-3.4.23) and the
// guide's samples; the panel command and where it runs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capture, fixture, labInventory } from '../src/checks/test-helpers.js';
import type { StepContext } from '../src/engine/types.js';
import { followLogCommand } from '../src/ocp/control-plane.js';
import { etcdHosts } from '../src/ocp/etcd.js';
import { etcdPanel, etcdPanelCommand, HEALTH_SEPARATOR, parseEtcdPanel } from './etcd-panel.js';

const inv = labInventory();
const hosts = etcdHosts(inv);
const both = (name: string) => {
  const o = capture(name);
  return `${o.stdout}\n${o.stderr}`;
};
const out = (list: string, health: string) => `${both(list)}\n${HEALTH_SEPARATOR}\n${both(health)}`;

test('healthy: one row per member in inventory order, leader marked, the quorum line', () => {
  const v = parseEtcdPanel(out('v2-member-list', 'v2-cluster-health-healthy'), hosts);
  assert.deepEqual(v.summary, { text: '3 members · 3 healthy · quorum 2 · tolerates 1 failure', tone: 'ok' });
  assert.deepEqual(
    v.rows.map((r) => r.label),
    ['e1', 'e2', 'e3'],
    'e1 is master-0 (127.0.8.1) and comes first',
  );
  assert.equal(v.rows[0]!.text, '✓ healthy  peer http://127.0.8.1:2380  id c100bf2f77d291d7  client http://127.0.8.1:2379');
  assert.match(v.rows[1]!.text, /^✓ healthy {2}★ leader {2}peer http:\/\/127\.0\.8\.2:2380 {2}id d602f3951c9409b4/);
  assert.ok(v.rows.every((r) => r.tone === 'ok'));
});

test('one member down: it is unreachable, the cluster keeps quorum (warn)', () => {
  const v = parseEtcdPanel(out('v2-member-list-one-down', 'v2-cluster-health-one-down'), hosts);
  assert.deepEqual(v.summary, { text: '3 members · 2 healthy · quorum 2 · tolerates 1 failure', tone: 'warn' });
  const e3 = v.rows.find((r) => r.label === 'e3')!;
  assert.equal(e3.tone, 'bad');
  assert.match(e3.text, /^✗ unreachable/);
});

test('quorum lost: no member list (no leader), the members cluster-health reports, QUORUM LOST', () => {
  const v = parseEtcdPanel(out('v2-member-list-quorum-lost', 'v2-cluster-health-quorum-lost'), hosts);
  assert.equal(v.summary.tone, 'bad');
  assert.match(
    v.summary.text,
    /^3 members · 0 healthy · quorum 2 · QUORUM LOST · no member list \(etcd cluster is unavailable or misconfigured\)$/,
  );
  assert.deepEqual(
    v.rows.map((r) => [r.label, r.text.split('  ')[0]]),
    [
      ['master-2.example.com', '✗ unreachable'],
      ['master-0.example.com', '✗ unhealthy'],
      ['master-1.example.com', '✗ unreachable'],
    ],
  );
});

test('every member down, or v2 disabled: "no member answers", the reason, each inventory member not answering', () => {
  const all = parseEtcdPanel(`${both('v2-cluster-health-all-down')}\n${HEALTH_SEPARATOR}\n${both('v2-cluster-health-all-down')}`, hosts);
  assert.equal(all.summary.tone, 'bad');
  assert.match(all.summary.text, /^no member answers \(etcd cluster is unavailable or misconfigured: connection refused\)$/);
  assert.deepEqual(
    all.rows.map((r) => r.label),
    hosts.map((h) => h.name),
  );
  assert.ok(all.rows.every((r) => /^✗ no answer {2}client https:\/\/127\.0\.8\.\d:2379$/.test(r.text)));
  const nov2 = parseEtcdPanel(`${both('v2-member-list-no-v2')}\n${HEALTH_SEPARATOR}\n${both('v2-cluster-health-no-v2')}`, hosts);
  assert.match(nov2.summary.text, /^no member answers/);
  assert.equal(parseEtcdPanel('', hosts).summary.text, 'no member answers');
});

test('after --force-new-cluster: one member, its localhost peer URL flagged, the others not in the member list', () => {
  const v = parseEtcdPanel(out('v2-member-list-localhost-peer', 'v2-cluster-health-localhost-peer'), hosts);
  assert.deepEqual(v.summary, { text: '1 member · 1 healthy · quorum 1 · tolerates 0 failures', tone: 'ok' });
  assert.equal(v.rows[0]!.label, 'master-0.example.com');
  assert.match(v.rows[0]!.text, /peer http:\/\/localhost:2380 \(localhost!\)/);
  assert.equal(v.rows[0]!.tone, 'warn');
  assert.deepEqual(v.rows.slice(1), [
    { label: 'master-1.example.com', text: '– not in the member list', tone: 'warn' },
    { label: 'master-2.example.com', text: '– not in the member list', tone: 'warn' },
  ]);
});

test('a member added but not started yet; the guide’s sample member list', () => {
  const v = parseEtcdPanel(`${both('v2-member-list-unstarted')}\n${HEALTH_SEPARATOR}\n`, hosts);
  assert.match(v.summary.text, /^2 members · health unknown · quorum 2/);
  assert.ok(v.rows.some((r) => r.label === '(unnamed)' && /^· added, not started {2}peer http:\/\/127\.0\.8\.7:2380/.test(r.text)));
  const g = parseEtcdPanel(
    `${fixture('guide/etcdctl2-member-list.txt')}\n${HEALTH_SEPARATOR}\n${fixture('guide/etcdctl2-cluster-health.txt')}`,
    hosts,
  );
  assert.equal(g.rows.filter((r) => r.text.includes('★ leader')).length, 1);
});

test('the command asks every member; the panel runs on the chosen member first; the journal follow', () => {
  const cmd = etcdPanelCommand(inv).script;
  assert.match(
    cmd,
    new RegExp(
      String.raw`^ETCDCTL_API=2 etcdctl --cert-file \/etc\/etcd\/peer\.crt .* --endpoints ` +
        String.raw`https:\/\/127\.0\.8\.1:2379,https:\/\/127\.0\.8\.2:2379,https:\/\/127\.0\.8\.3:2379 ` +
        `member list 2>&1; echo '--- etcd cluster-health'; ETCDCTL_API=2 etcdctl .* cluster-health 2>&1$`,
    ),
  );
  const ctx = (params: Record<string, string>): StepContext => ({
    params,
    inventory: inv,
    captured: { get: () => '', has: () => false },
    startedAt: new Date(0),
    planning: false,
  });
  const p = etcdPanel((c) => hosts.find((h) => h.name === c.params['host']));
  assert.deepEqual(
    p.where(ctx({ host: 'master-1.example.com' })).map((h) => h.name),
    ['master-1.example.com', 'master-0.example.com', 'master-2.example.com'],
  );
  assert.deepEqual(
    p.where(ctx({})).map((h) => h.name),
    hosts.map((h) => h.name),
  );
  assert.equal(p.parse({ exitCode: 0, stdout: out('v2-member-list', 'v2-cluster-health-healthy'), stderr: '' }, ctx({})).rows.length, 3);
  // etcd's journal while a start-up runs (Step.follow), for a member whose etcd is the unit
  assert.equal(
    followLogCommand({ kind: 'systemd', component: 'etcd', unit: 'etcd.service' }).script,
    'journalctl -f -n 0 -u etcd.service --no-pager',
  );
});
