import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../inventory/types.js';
import { testHost } from '../testing/builders.js';
import { commandCheck } from '../testing/command-check.js';
import { argv, sh } from '../transport/shell.js';
import { resolvePlacement } from './plan.js';
import { reuseStep } from './reuse.js';
import type { CapturedValues, Step, StepContext } from './types.js';

const inv: Inventory = {
  source: { kind: 'demo' },
  hosts: [testHost('a', ['etcd']), testHost('b', ['etcd']), testHost('n', ['new_etcd'])],
  groups: {},
  groupVars: {},
  warnings: [],
};
const withNewAsEtcd = (i: Inventory): Inventory => ({
  ...i,
  hosts: i.hosts.map((h) => (h.name === 'n' ? { ...h, roles: [...h.roles, 'etcd'] } : h)),
});
const captures = (m: Record<string, string>): CapturedValues => ({ get: (k) => m[k] ?? '', has: (k) => k in m });
const ctxOf = (params: Record<string, string>, cap: Record<string, string> = {}): StepContext => ({
  params,
  inventory: inv,
  captured: captures(cap),
  startedAt: new Date(0),
  planning: false,
});

// a step written for "member": it runs there, captures 'id', reads 'id', and counts the etcd hosts
const removeLike: Step = {
  id: 'remove',
  title: 'Remove',
  where: { on: 'param', param: 'member' },
  skipIf: (ctx) => (ctx.captured.get('id') === 'none' ? 'nothing to remove' : undefined),
  commands: (ctx) => [
    argv(
      'remove',
      ctx.params['member'] ?? '',
      ctx.captured.get('id'),
      String(ctx.inventory.hosts.filter((h) => h.roles.includes('etcd')).length),
    ),
  ],
  capture: { id: (o) => o[0]!.stdout.trim() },
  gate: { kind: 'type-host', what: (ctx) => `removes ${ctx.params['member']}`, expect: (ctx) => ctx.params['member'] ?? '' },
  verify: {
    describe: 'gone',
    command: (ctx) => sh`check ${ctx.params['member'] ?? ''}`,
    ok: (_o, ctx) => ctx.captured.has('id') || 'no id',
  },
};
const everyEtcd: Step = { id: 'each', title: 'Each', where: { on: 'role', role: 'etcd', mode: 'serial' }, commands: () => [argv('true')] };

const reuse = {
  idPrefix: 'remove-',
  capturePrefix: 'old-',
  context: (ctx: StepContext) => ({ params: { member: ctx.params['old'] ?? '' }, inventory: withNewAsEtcd(ctx.inventory) }),
  hostParams: { member: 'old' },
};

test('a reused step sees its own parameter names, prefixed captures and the inventory it is given', () => {
  const s = reuseStep(removeLike, reuse);
  assert.equal(s.id, 'remove-remove');
  assert.deepEqual(s.where, { on: 'param', param: 'old' });
  const ctx = ctxOf({ old: 'b' }, { id: 'other procedure', 'old-id': '8e9e05c52164694d' });
  assert.equal(s.commands(ctx)[0]!.script, 'remove b 8e9e05c52164694d 3');
  assert.deepEqual(Object.keys(s.capture!), ['old-id']);
  assert.equal(s.capture!['old-id']!([{ exitCode: 0, stdout: 'x\n', stderr: '' }], ctx), 'x');
  assert.equal(s.gate!.what(ctx), 'removes b');
  assert.equal(s.gate!.expect!(ctx), 'b');
  assert.equal(commandCheck(s.verify).command(ctx).script, 'check b');
  assert.equal(commandCheck(s.verify).ok({ exitCode: 0, stdout: '', stderr: '' }, ctxOf({ old: 'b' }, { id: '1' })), 'no id');
  assert.equal(s.skipIf!(ctxOf({ old: 'b' }, { 'old-id': 'none' })), 'nothing to remove');
  assert.equal(s.skipIf!(ctxOf({ old: 'b' }, { id: 'none' })), undefined);
});

test('a role placement is resolved in the reused steps’ inventory; the composed procedure’s reason to skip comes first', () => {
  const s = reuseStep(everyEtcd, { ...reuse, skip: (ctx) => (ctx.params['old'] === 'a' ? 'not this one' : undefined) });
  assert.deepEqual(
    resolvePlacement(s.where, ctxOf({ old: 'b' })).map((h) => h.name),
    ['a', 'b', 'n'],
  );
  assert.equal(s.skipIf!(ctxOf({ old: 'a' })), 'not this one');
  // without hostParams a param placement becomes the hosts that parameter names in the reused context
  const p = reuseStep(removeLike, { ...reuse, hostParams: {} });
  assert.equal(p.where.on, 'hosts');
  assert.deepEqual(
    resolvePlacement(p.where, ctxOf({ old: 'n' })).map((h) => h.name),
    ['n'],
  );
});

test('a step field reuse does not know is refused, not passed through unmapped', () => {
  const odd = { ...everyEtcd, rollback: () => [] } as unknown as Step;
  assert.throws(() => reuseStep(odd, reuse), /field 'rollback' that reuse does not map/);
});
