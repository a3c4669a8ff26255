import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { JournalView } from '../../src/model/run-view.js';
import { stripAnsi } from '../testing/fixtures.js';
import { JournalPane } from './JournalPane.js';

afterEach(() => cleanup());

const H = 'master-0.lab.example.com';
const view = (n: number, live = true, hosts: string[] = [H]): JournalView => ({
  show: true,
  live,
  hosts,
  command: 'journalctl -f -n 0 -u etcd.service --no-pager',
  lines: Array.from({ length: n }, (_, i) => ({
    seq: i,
    step: 's',
    host: hosts[i % hosts.length]!,
    stream: 'journal' as const,
    text: `Jan 05 03:05:${String(i).padStart(2, '0')} master-0 etcd[42]: line ${i} ${'x'.repeat(i === 2 ? 100 : 0)}`,
  })),
});

test('the rule names the host and the command and says it streams; the newest lines, one row each', () => {
  const r = render(<JournalPane view={view(10)} domain='.lab.example.com' width={80} height={5} />);
  const lines = stripAnsi(r.lastFrame()).split('\n');
  assert.match(lines[0]!, /^┄ JOURNAL master-0: journalctl -f -n 0 -u etcd\.service --no-pager ┄+ ● streaming$/);
  assert.deepEqual(
    lines.slice(1).map((l) => l.trim()),
    ['┆ 03:05:06 etcd[42]: line 6', '┆ 03:05:07 etcd[42]: line 7', '┆ 03:05:08 etcd[42]: line 8', '┆ 03:05:09 etcd[42]: line 9'],
  );
  assert.ok(lines.every((l) => [...l].length <= 80));
});

test('ended; a long line is cut; several hosts: each line says its host; no line yet', () => {
  const r = render(<JournalPane view={view(3, false, [H, 'master-1.lab.example.com'])} domain='.lab.example.com' width={60} height={4} />);
  const f = stripAnsi(r.lastFrame());
  assert.match(f, /■ ended/);
  assert.match(f, /^┆ master-1│ 03:05:01 etcd\[42\]: line 1/m);
  assert.match(f, /^┆ master-0│ 03:05:02 etcd\[42\]: line 2 x+…$/m);
  assert.ok(f.split('\n').every((l) => [...l].length <= 60));
  cleanup();
  const empty = render(<JournalPane view={view(0)} domain='' width={60} height={3} />);
  assert.match(stripAnsi(empty.lastFrame()), /┆ \(no journal line yet\)/);
});
