import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { buildMatrix, initialHealthView } from '../../src/model/health-view.js';
import { FakeHealthRun } from '../testing/fake-health.js';
import { stripAnsi, testInventory } from '../testing/fixtures.js';
import { HealthMatrix } from './HealthMatrix.js';
import { HealthStatusLine } from './HealthStatusLine.js';

afterEach(() => cleanup());

const inv = testInventory();

test('the selected cell is bracketed; blank cells stay blank; the line under names the cell', () => {
  const run = FakeHealthRun.forInventory(inv, ['ntp', 'router', 'etcd-health']);
  run.set('ntp', 'master-0.example.com', { status: 'fail', message: 'clock off by 3 s' });
  const snapshot = run.getSnapshot();
  const matrix = buildMatrix(inv, snapshot, initialHealthView());
  const { lastFrame } = render(
    <HealthMatrix
      matrix={matrix}
      snapshot={snapshot}
      row='master-0.example.com'
      check='ntp'
      filter=''
      problemsOnly={false}
      width={60}
      height={14}
      empty='none'
    />,
  );
  const f = stripAnsi(lastFrame());
  assert.match(f, /3 checks × 5 hosts/);
  assert.match(f, /host \\ check +ntp etcd router/);
  assert.match(f, /› master-0 +\[✗\] +· *║/, 'router does not apply to a host');
  assert.match(f, /cluster +· *║/);
  assert.match(f, /rows 1-9\/10 ↓1/, 'rows scroll when they do not fit');
  assert.match(f, /ntp on master-0: ✗ fail — clock off by 3 s/, 'at 58 columns the title gives way to the message');
  assert.equal(f.split('\n').length, 14);
  for (const l of f.split('\n')) assert.ok([...l].length <= 60);
});

test('the status line counts every status with its symbol and word, and says when it is done', () => {
  const run = FakeHealthRun.forInventory(inv, ['ntp']);
  const cells = run.cells();
  run.set(cells[0]!.check, cells[0]!.host, { status: 'running' });
  const { lastFrame, rerender } = render(<HealthStatusLine snapshot={run.getSnapshot()} />);
  assert.match(stripAnsi(lastFrame()), /✓ 0 ok {2}! 0 warn {2}✗ 0 fail {2}E 0 error {2}· 4 pending {2}\S running 1/);
  run.update(cells.map((c) => ({ ...c, result: { status: 'skipped' as const } })));
  rerender(<HealthStatusLine snapshot={run.getSnapshot()} />);
  assert.match(stripAnsi(lastFrame()), /- 5 skipped {2}done/);
});
