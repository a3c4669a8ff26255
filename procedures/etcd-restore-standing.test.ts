// etcd-restore's "where the cluster stands" after a run that did not finish: every phase of the restore,
// from the journal's step progress (pure).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StandingContext, StepProgress, StepStatus } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import { knownControlPlane } from '../src/ocp/control-plane.js';
import { testHost } from '../src/testing/builders.js';
import type { MemberNow } from './etcd-member-now.js';
import { etcdRestore } from './etcd-restore.js';
import { restoreWhereItStands } from './etcd-restore-standing.js';

const M = ['master-0.example.com', 'master-1.example.com', 'master-2.example.com'];
const inv: Inventory = {
  source: { kind: 'demo' },
  hosts: M.map((n, i) => testHost(n, ['master', 'etcd', 'node'], { vars: { openshift_ip: `10.0.0.${i + 1}` } })),
  groups: {},
  groupVars: {},
  warnings: [],
};
const START = new Date(2024, 0, 5, 3, 4, 5);
const ASIDE = '/var/lib/etcd.old-20240105030405';
const titles = new Map(etcdRestore.steps.map((s) => [s.id, s.title]));

type Progress = Record<string, StepStatus | [StepStatus, Record<string, StepStatus>, boolean?]>;

/** Steps not named are pending; [status, hosts, destructiveBegun] for per-host detail. */
function ctx(
  progress: Progress,
  outcome: StandingContext['outcome'] = 'failed',
  kind: 'systemd' | 'static-pod' = 'systemd',
): StandingContext {
  const steps: Record<string, StepProgress> = {};
  for (const s of etcdRestore.steps) {
    const p = progress[s.id] ?? 'pending';
    if (Array.isArray(p)) steps[s.id] = { status: p[0], hosts: p[1], destructiveBegun: p[2] ?? false };
    else steps[s.id] = { status: p, hosts: {}, destructiveBegun: !!s.destructive && p !== 'pending' && p !== 'skipped' };
  }
  const facts = knownControlPlane(Object.fromEntries(M.map((m) => [m, kind])));
  return {
    params: { host: M[0]!, backup: '/backup/etcd-20240105' },
    inventory: inv,
    captured: { get: () => '', has: () => false },
    startedAt: START,
    planning: false,
    runId: 'R1',
    outcome,
    steps,
    facts,
  };
}
const stand = (progress: Progress, at: string, outcome?: StandingContext['outcome']) =>
  restoreWhereItStands(ctx(progress, outcome), at, titles);
const all = (s: StepStatus): Record<string, StepStatus> => Object.fromEntries(M.map((m) => [m, s]));

test('failed before anything stopped: nothing changed; fix and resume, or leave it', () => {
  const w = stand({ 'check-backup': 'failed' }, 'check-backup');
  assert.deepEqual(w.state, [
    'Nothing was changed on the members: etcd was not stopped and no data was moved (the steps so far only read).',
  ]);
  assert.equal(
    w.next,
    'Fix what stopped the run (above), then `day2-tui resume R1` goes on from step 1 ("Verify the backup before anything ' +
      'stops"). Or leave the cluster as it is: it was not touched.',
  );
  assert.deepEqual(w.cautions, ['The backup /backup/etcd-20240105 on master-0.example.com is untouched.']);
});

test('the stop gate declined: nothing changed; resume asks the gate again', () => {
  const w = stand(
    { 'check-backup': 'ok', 'check-members': 'ok', quorum: 'ok', 'stop-etcd': ['pending', all('pending')] },
    'stop-etcd',
    'stopped-at-gate',
  );
  assert.match(w.state[0]!, /^Nothing was changed/);
  assert.match(
    w.next,
    /`day2-tui resume R1` asks the gate of step 4 \("Stop etcd on every member and wait until it is gone \(system…"\) again/,
  );
});

test('stopped on two members, the third failed to stop: which run, data untouched, how to go back', () => {
  const w = stand({ 'stop-etcd': ['failed', { [M[0]!]: 'ok', [M[1]!]: 'ok', [M[2]!]: 'failed' }] }, 'stop-etcd');
  assert.deepEqual(w.state, [
    'etcd is stopped on master-0.example.com and master-1.example.com.',
    'etcd may or may not be stopped on master-2.example.com (the stop did not finish there): `systemctl is-active etcd.service` says.',
    "Every member's data is untouched in /var/lib/etcd.",
  ]);
  assert.match(w.next, /To go back instead: `systemctl start etcd\.service` on the stopped members — their data is intact\./);
});

test('data moved on one member, the move failed on the next: where each member’s data is; do not delete the moved data', () => {
  const w = stand(
    { 'stop-etcd': 'ok', 'move-data-aside': ['failed', { [M[0]!]: 'ok', [M[1]!]: 'failed', [M[2]!]: 'pending' }, true] },
    'move-data-aside',
  );
  assert.deepEqual(w.state, [
    `The data of master-0.example.com was moved to ${ASIDE} (nothing deleted).`,
    `On master-1.example.com the move did not finish: look at /var/lib/etcd and ${ASIDE} there before anything else.`,
    'master-2.example.com still has its data in /var/lib/etcd (etcd stopped).',
  ]);
  assert.match(
    w.next,
    new RegExp(
      '^`day2-tui resume R1` goes on from step 5 \\("Move every member’s data dir aside.*"\\) ' +
        '\\(it checks that step first, and asks again before repeating a destructive one\\)\\.$',
    ),
  );
  assert.deepEqual(w.cautions, [
    'The backup /backup/etcd-20240105 on master-0.example.com is untouched.',
    `Do not delete ${ASIDE} on any member until the cluster is healthy with all 3 members and its data is checked.`,
  ]);
});

test('an interrupted copy of the backup: move the partial copy aside before resuming', () => {
  const w = stand(
    { 'stop-etcd': 'ok', 'move-data-aside': 'ok', 'restore-data': ['interrupted', { [M[0]!]: 'interrupted' }, true] },
    'restore-data',
    'aborted',
  );
  assert.ok(w.state.includes('master-0.example.com: the copy of the backup into /var/lib/etcd did not finish; it may be incomplete.'));
  assert.match(
    w.next,
    /^Move what is in \/var\/lib\/etcd on master-0\.example\.com aside \(the copy needs it empty\), then `day2-tui resume R1`/,
  );
});

test('force-new-cluster did not come up: the drop-in is in place, read the journal', () => {
  const w = stand(
    { 'stop-etcd': 'ok', 'move-data-aside': 'ok', 'restore-data': 'ok', 'force-new-cluster-on': 'ok', 'start-force-new-cluster': 'failed' },
    'start-force-new-cluster',
  );
  assert.deepEqual(w.state.slice(1), [
    'master-0.example.com: /var/lib/etcd holds the backup /backup/etcd-20240105.',
    'master-0.example.com: the --force-new-cluster drop-in /etc/systemd/system/etcd.service.d/temp.conf is in place: ' +
      'every restart of etcd there starts a new one-member cluster again until it is removed (the run removes it later).',
    'etcd on master-0.example.com did not come up healthy with --force-new-cluster: read `journalctl -u etcd.service` there.',
  ]);
});

test('half-way through the rejoins: who rejoined, who was added but not started, who waits', () => {
  const done = {
    'stop-etcd': 'ok',
    'move-data-aside': 'ok',
    'restore-data': 'ok',
    'force-new-cluster-on': 'ok',
    'start-force-new-cluster': 'ok',
    journal: 'ok',
    'health-single': 'ok',
    'force-new-cluster-off': 'ok',
  } as const;
  const w = stand(
    { ...done, 'member-add-1': 'ok', 'join-1': 'ok', 'member-add-2': 'ok', 'join-2': ['failed', { [M[2]!]: 'failed' }] },
    'join-2',
  );
  assert.ok(w.state.includes("master-0.example.com runs etcd in cluster mode with the backup's data (--force-new-cluster is removed)."));
  assert.ok(!w.state.some((s) => s.includes('drop-in /etc/systemd')), 'the drop-in was removed');
  assert.ok(
    w.state.includes(
      'master-2.example.com was added to the member list but has not joined (its start did not finish): the run starts ' +
        'it; do not run `member add` for it again.',
    ),
  );
  assert.ok(w.state.includes('Rejoined: master-1.example.com.'));
  const early = stand({ ...done }, 'member-add-1', 'aborted');
  assert.ok(
    early.state.includes(
      `Not rejoined yet: master-1.example.com and master-2.example.com (etcd stopped, /var/lib/etcd empty; old data in ${ASIDE}).`,
    ),
  );
});

test('etcd-restore has the panel, the follows and whereItStands attached', () => {
  assert.equal(etcdRestore.panel?.title, 'etcd cluster');
  assert.ok(etcdRestore.whereItStands);
  const followed = etcdRestore.steps.filter((s) => s.follow).map((s) => s.id);
  assert.deepEqual(followed.slice(0, 3), ['start-force-new-cluster', 'force-new-cluster-off', 'join-1']);
});

test('restored and verified, but an API restart did not finish: says the API may serve the old state, and how to restart it', () => {
  const done = Object.fromEntries(etcdRestore.steps.filter((s) => s.id !== 'restart-masters').map((s) => [s.id, 'ok' as StepStatus]));
  const w = stand({ ...done, 'restart-masters': ['failed', { [M[0]!]: 'ok', [M[1]!]: 'failed', [M[2]!]: 'pending' }] }, 'restart-masters');
  assert.ok(
    w.state.some((l) =>
      /etcd is restored, but the masters’ API and controllers were not all restarted: .*old state.*master-restart api/.test(l),
    ),
    w.state.join('\n'),
  );
});

// ---- with the look at the members when the run stopped (ctx.look, procedures/etcd-member-now.ts)

/** ctx.look from one MemberNow (or the sentence why not) per member. */
function withLook(c: StandingContext, now: Record<string, MemberNow | string>): StandingContext {
  return {
    ...c,
    look: {
      get(name, h) {
        const v = now[h.name];
        if (name !== 'etcd-member-now' || v === undefined) throw new Error(`${h.name}: not looked at`);
        if (typeof v === 'string') throw new Error(v);
        return v;
      },
    },
  };
}
const stoppedEmpty: MemberNow = { etcd: 'stopped', data: 'empty', aside: [ASIDE], manifest: 'none', forceNewCluster: [] };
const stoppedFull: MemberNow = { etcd: 'stopped', data: 'member', aside: [], manifest: 'none', forceNewCluster: [] };
const running: MemberNow = { etcd: 'running', mode: 'cluster', data: 'member', aside: [], manifest: 'none', forceNewCluster: [] };

test('look: a move cut off halfway is settled by the host state — done on one, not begun on the other; a line per member as seen', () => {
  const progress: Progress = {
    'stop-etcd': 'ok',
    'move-data-aside': ['interrupted', { [M[0]!]: 'ok', [M[1]!]: 'interrupted', [M[2]!]: 'interrupted' }, true],
  };
  const w = restoreWhereItStands(
    withLook(ctx(progress, 'aborted'), { [M[0]!]: stoppedEmpty, [M[1]!]: stoppedEmpty, [M[2]!]: `connection to ${M[2]} lost` }),
    'move-data-aside',
    titles,
  );
  assert.deepEqual(w.state, [
    `The data of master-0.example.com was moved to ${ASIDE} (nothing deleted).`,
    `On master-1.example.com the move did not finish, but it was done: the data is in ${ASIDE} and /var/lib/etcd is empty.`,
    `On master-2.example.com the move did not finish: look at /var/lib/etcd and ${ASIDE} there before anything else.`,
    `Seen just now on master-0.example.com: etcd not running; /var/lib/etcd is empty; moved aside: ${ASIDE}.`,
    `Seen just now on master-1.example.com: etcd not running; /var/lib/etcd is empty; moved aside: ${ASIDE}.`,
    `Could not look at master-2.example.com just now: connection to master-2.example.com lost`,
  ]);
  const notBegun = restoreWhereItStands(
    withLook(ctx(progress, 'aborted'), { [M[0]!]: stoppedEmpty, [M[1]!]: stoppedFull, [M[2]!]: stoppedFull }),
    'move-data-aside',
    titles,
  );
  assert.equal(notBegun.state[1], `On master-1.example.com the move did not happen: the data is still in /var/lib/etcd (no ${ASIDE}).`);
});

test('look: a stop cut off half-way says whether etcd runs there now, not "may or may not"', () => {
  const progress: Progress = { 'stop-etcd': ['interrupted', { [M[0]!]: 'ok', [M[1]!]: 'interrupted', [M[2]!]: 'interrupted' }] };
  const w = restoreWhereItStands(
    withLook(ctx(progress, 'aborted'), { [M[0]!]: stoppedFull, [M[1]!]: stoppedFull, [M[2]!]: running }),
    'stop-etcd',
    titles,
  );
  assert.deepEqual(w.state.slice(0, 4), [
    'etcd is stopped on master-0.example.com.',
    'etcd is stopped on master-1.example.com (the stop did not finish there, but no etcd runs there now).',
    'etcd still runs on master-2.example.com (the stop did not finish there).',
    "Every member's data is untouched in /var/lib/etcd.",
  ]);
});

test('look: etcd running again on a member the run stopped and never started is said, with what resume does about it', () => {
  const w = restoreWhereItStands(
    withLook(ctx({ 'stop-etcd': 'ok', 'move-data-aside': ['failed', { [M[0]!]: 'failed' }, false] }, 'failed'), {
      [M[0]!]: running,
      [M[1]!]: stoppedFull,
      [M[2]!]: stoppedFull,
    }),
    'move-data-aside',
    titles,
  );
  assert.ok(
    w.state.includes(
      'etcd runs again on master-0.example.com although the run stopped it and has not started it: something started it ' +
        'since. A resume checks that etcd is really stopped before it moves any data.',
    ),
    w.state.join('\n'),
  );
  assert.ok(w.state.includes("Seen just now on master-0.example.com: etcd running; /var/lib/etcd holds a member's data."));
});

test('look: the same reason on every member is said once', () => {
  const w = restoreWhereItStands(
    withLook(ctx({ 'check-backup': 'failed' }), {
      [M[0]!]: 'no answer within 15 s',
      [M[1]!]: 'no answer within 15 s',
      [M[2]!]: 'no answer within 15 s',
    }),
    'check-backup',
    titles,
  );
  assert.deepEqual(w.state.slice(1), ['Could not look at the members just now: no answer within 15 s']);
});

test("without a look (nothing was read) the sentences are the journal's alone", () => {
  const w = stand({ 'stop-etcd': 'ok' }, 'move-data-aside');
  assert.ok(!w.state.some((s) => /^Seen just now|^Could not look/.test(s)));
});

test('look: a copy of the backup cut off before anything was copied needs nothing moved before resuming', () => {
  const progress: Progress = {
    'stop-etcd': 'ok',
    'move-data-aside': 'ok',
    'restore-data': ['interrupted', { [M[0]!]: 'interrupted' }, true],
  };
  const w = restoreWhereItStands(
    withLook(ctx(progress, 'aborted'), { [M[0]!]: stoppedEmpty, [M[1]!]: stoppedEmpty, [M[2]!]: stoppedEmpty }),
    'restore-data',
    titles,
  );
  assert.ok(
    w.state.includes(
      'master-0.example.com: the copy of the backup into /var/lib/etcd did not finish, but nothing was copied: /var/lib/etcd is empty.',
    ),
    w.state.join('\n'),
  );
  assert.match(w.next, /^`day2-tui resume R1` goes on from step \d+/);
});
