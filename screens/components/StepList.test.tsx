import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Box, Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import type { StepView } from '../../src/engine/session.js';
import { stripAnsi } from '../testing/fixtures.js';
import { StepList } from './StepList.js';

afterEach(() => cleanup());

const steps: StepView[] = Array.from({ length: 28 }, (_, i) => ({
  id: `s${i + 1}`,
  title: `Step number ${i + 1} of the restore`,
  hosts: [],
  status: i === 0 ? 'failed' : 'pending',
  destructive: false,
}));

test('one row for 28 steps: the current step alone, not overwritten by "steps a-b of n" (seen at 80×24 after a failure)', () => {
  const f = stripAnsi(render(<StepList steps={steps} current='s1' ended width={80} height={1} />).lastFrame());
  assert.equal(f.split('\n').length, 1, f);
  assert.match(f, /^▶ 1\. ✗ FAILED Step number 1 of the restore/);
  assert.doesNotMatch(f, /steps 1-1 of 28/);
});

test('more rows than one: the window of steps and the line saying which of how many', () => {
  const f = stripAnsi(render(<StepList steps={steps} current='s1' ended width={80} height={4} />).lastFrame());
  assert.deepEqual(
    f
      .split('\n')
      .map((l) => l.trimEnd())
      .slice(-1),
    ['  steps 1-3 of 28'],
  );
});

test("a running step: the spinner takes the mark's one column, then the word (the title keeps its place)", () => {
  const running = steps.slice(0, 3).map((s, i): StepView => ({ ...s, status: i === 0 ? 'ok' : i === 1 ? 'running' : 'pending' }));
  const f = stripAnsi(render(<StepList steps={running} current='s2' width={80} height={3} />).lastFrame());
  const lines = f.split('\n');
  assert.match(lines[0]!, /^ 1\. ✓ ok Step number 1 of the restore/);
  assert.match(lines[1]!, /^▶2\. \S running Step number 2 of the restore/u);
  assert.match(lines[2]!, /^ 3\. · Step number 3 of the restore/);
  assert.ok(
    lines.every((l) => [...l].length <= 80),
    f,
  );
});

test('squeezed by what is below it (a screen one row short), the list keeps its rows: the footer is never drawn over a step', () => {
  const waiting: StepView[] = steps.slice(0, 27).map((s, i) => ({ ...s, status: i < 4 ? 'ok' : i === 4 ? 'running' : 'pending' }));
  waiting[4] = { ...waiting[4]!, title: 'Move every member’s data dir aside' };
  const f = stripAnsi(
    render(
      <Box flexDirection='column' width={80} height={3} overflow='hidden'>
        <StepList steps={waiting} current='s5' waiting width={80} height={2} />
        <Box height={1}>
          <Text>▶ running on master-0</Text>
        </Box>
        <Box height={1}>
          <Text>one row too many</Text>
        </Box>
      </Box>,
    ).lastFrame(),
  );
  const rows = f.split('\n').map((l) => l.trimEnd());
  assert.match(rows[0]!, /^▶ 5\. \? waiting for you Move every member’s data dir aside$/);
  assert.equal(rows[1], '  steps 5-5 of 27');
});
