import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { PanelSnapshot } from '../../src/engine/types.js';
import { stripAnsi } from '../testing/fixtures.js';
import { ThemeProvider } from '../theme.js';
import { ClusterPanel, clusterPanelRows } from './ClusterPanel.js';

afterEach(() => cleanup());

const PANEL: PanelSnapshot = {
  title: 'etcd cluster',
  takenAt: new Date(2024, 0, 5, 3, 6, 7).toISOString(),
  host: 'master-0.lab.example.com',
  when: 'after step 3/27',
  view: {
    summary: { text: '3 members · 2 healthy · quorum 2 · tolerates 1 failure', tone: 'warn' },
    rows: [
      {
        label: 'master-0.lab.example.com',
        text: '✓ healthy  ★ leader  peer https://127.0.10.1:2380  id 8e9e05c52164694d  client https://127.0.10.1:2379',
        tone: 'ok',
      },
      { label: 'master-1.lab.example.com', text: '✓ healthy  peer https://127.0.10.2:2380  id 3c2922b13acbf091', tone: 'ok' },
      { label: 'master-2.lab.example.com', text: '✗ unreachable  peer https://127.0.10.3:2380  id d602f3951c9409b4', tone: 'bad' },
    ],
  },
};

test('summary line (title, quorum arithmetic, time), one line per member with short names; cut at the width', () => {
  const r = render(<ClusterPanel panel={PANEL} domain='.lab.example.com' width={80} height={4} />);
  const lines = stripAnsi(r.lastFrame()).split('\n');
  assert.equal(lines[0], '◆ ETCD CLUSTER 3 members · 2 healthy · quorum 2 · tolerates 1 failure 03:06:07');
  assert.match(lines[1]!, /^ {2}master-0 {2}✓ healthy {2}★ leader {2}peer https:\/\/127\.0\.10\.1:2380 {2}id 8e9e05c5.*…$/);
  assert.match(lines[3]!, /^ {2}master-2 {2}✗ unreachable/);
  assert.ok(lines.every((l) => [...l].length <= 80));
  assert.equal(clusterPanelRows(PANEL), 4);
  assert.equal(clusterPanelRows(undefined), 0);
});

test('fewer rows than members: "+N more"; one row: the summary alone; no colour under NO_COLOR', () => {
  const r = render(<ClusterPanel panel={PANEL} domain='.lab.example.com' width={80} height={3} />);
  assert.match(stripAnsi(r.lastFrame()), /master-0.*\n {2}\+2 more$/);
  cleanup();
  const one = render(<ClusterPanel panel={PANEL} domain='' width={80} height={1} />);
  assert.equal(stripAnsi(one.lastFrame()).split('\n').length, 1);
  cleanup();
  const plain = render(
    <ThemeProvider color={false}>
      <ClusterPanel panel={PANEL} domain='' width={80} height={4} />
    </ThemeProvider>,
  );
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(plain.lastFrame() ?? '', /\x1b\[(3\d|9\d)m/);
  assert.match(plain.lastFrame() ?? '', /✗ unreachable/);
});
