import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import type { HealthRun } from '../../src/model/health.js';
import { FakeHealthRun } from '../testing/fake-health.js';
import { untilFrame } from '../testing/fixtures.js';
import { useHealth } from './useHealth.js';

afterEach(() => cleanup());

function Probe({ run }: { run: HealthRun | undefined }) {
  const snap = useHealth(run);
  if (!snap) return <Text>no run</Text>;
  return <Text>{[...snap.results.values()].map((r) => `${r.check}@${r.host ?? 'cluster'}=${r.status}`).join(' ')}</Text>;
}

test('re-renders on every change of the run; undefined before a run exists', async () => {
  const run = new FakeHealthRun(
    ['ntp', 'router'],
    ['a'],
    [
      { check: 'ntp', host: 'a' },
      { check: 'router', host: null },
    ],
  );
  const { lastFrame, rerender } = render(<Probe run={undefined} />);
  assert.equal(lastFrame(), 'no run');
  rerender(<Probe run={run} />);
  assert.equal(lastFrame(), 'ntp@a=pending router@cluster=pending');
  run.set('ntp', 'a', { status: 'fail', message: 'not synchronised' });
  await untilFrame(lastFrame, /ntp@a=fail/);
  assert.equal(lastFrame(), 'ntp@a=fail router@cluster=pending');
});
