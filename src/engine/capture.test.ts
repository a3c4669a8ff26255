import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toyInventory } from '../testing/builders.js';
import { sh } from '../transport/shell.js';
import { capture, captures } from './capture.js';
import { capturedValues, placeholderCaptures, planProcedure } from './plan.js';
import { toyProcedure } from './test-helpers.js';
import type { Step, StepContext } from './types.js';

const membersBefore = capture(
  'members-before',
  (o) => o[0]!.stdout.trim().split('\n').length,
  (ctx) => ctx.inventory.hosts.length,
);
const ctxWith = (captured: StepContext['captured'], planning = false): StepContext =>
  ({ params: {}, inventory: toyInventory(), captured, planning, startedAt: new Date(0) }) as unknown as StepContext;

test('a typed capture: written as JSON by its step, read back as the value; a plan reads the stand-in', () => {
  const out = [{ exitCode: 0, stdout: 'a\nb\n', stderr: '' }];
  const written = captures(membersBefore)['members-before']!(out, ctxWith(placeholderCaptures()));
  assert.equal(written, '2');
  const run = ctxWith(capturedValues([{ step: 's', host: null, name: 'members-before', value: written }], undefined));
  assert.equal(membersBefore.of(run), 2);
  assert.equal(membersBefore.of(ctxWith(placeholderCaptures(), true)), toyInventory().hosts.length);
});

test('maybe: undefined when its step was skipped; of: a sentence', () => {
  const none = ctxWith(capturedValues([], undefined));
  assert.equal(membersBefore.maybe(none), undefined);
  assert.throws(() => membersBefore.of(none), /no value was captured for 'members-before'/);
  const old = ctxWith(capturedValues([{ step: 's', host: null, name: 'members-before', value: 'three' }], undefined));
  assert.throws(() => membersBefore.of(old), /'members-before' is not what this version writes/);
});

test('a plan: a skip that reads a captured value is decided when the step runs; one from the parameters is shown', () => {
  const steps: Step[] = [
    { id: 'read', title: 'read', where: { on: 'bastion' }, commands: () => [sh`echo 3`], capture: { n: (o) => o[0]!.stdout.trim() } },
    {
      id: 'change',
      title: 'change',
      where: { on: 'bastion' },
      skipIf: (ctx) => (ctx.captured.get('n') === '3' ? 'already 3' : undefined),
      commands: () => [sh`echo change`],
    },
    { id: 'never', title: 'never', where: { on: 'bastion' }, skipIf: () => 'not asked for', commands: () => [sh`echo x`] },
  ];
  const plan = planProcedure(toyProcedure('p', steps), {}, toyInventory(), new Date(0));
  assert.equal(plan.find((s) => s.id === 'change')!.skipped, undefined);
  assert.equal(plan.find((s) => s.id === 'never')!.skipped, 'not asked for');
});
