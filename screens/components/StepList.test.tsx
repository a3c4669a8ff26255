import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, render } from 'ink-testing-library';
import { StepList } from './StepList.js';
import type { StepView } from '../../src/engine/session.js';
import { stripAnsi } from '../testing/fixtures.js';

afterEach(() => cleanup());

const steps: StepView[] = Array.from({ length: 28 }, (_, i) => ({ id: `s${i + 1}`, title: `Step number ${i + 1} of the restore`, hosts: [], status: i === 0 ? 'failed' : 'pending', destructive: false }));

test('one row for 28 steps: the current step alone, not overwritten by "steps a-b of n" (seen at 80×24 after a failure)', () => {
  const f = stripAnsi(render(<StepList steps={steps} current="s1" ended width={80} height={1} />).lastFrame());
  assert.equal(f.split('\n').length, 1, f);
  assert.match(f, /^▶ 1\. ✗ FAILED Step number 1 of the restore/);
  assert.doesNotMatch(f, /steps 1-1 of 28/);
});

test('more rows than one: the window of steps and the line saying which of how many', () => {
  const f = stripAnsi(render(<StepList steps={steps} current="s1" ended width={80} height={4} />).lastFrame());
  assert.deepEqual(f.split('\n').map((l) => l.trimEnd()).slice(-1), ['  steps 1-3 of 28']);
});
