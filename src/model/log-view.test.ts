import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogLine } from '../engine/session.js';
import {
  followTail,
  gotoMatch,
  initialLogView,
  type LogView,
  logRows,
  logWindow,
  matchRanges,
  scrollLog,
  searchStatus,
} from './log-view.js';

const lines = (n: number, from = 0): LogLine[] =>
  Array.from({ length: n }, (_, i) => ({
    seq: from + i,
    step: 's',
    host: i % 2 ? 'master-1.example.com' : 'master-0.example.com',
    stream: 'stdout',
    text: `line ${from + i}`,
  }));

test('following shows the tail; new lines keep it at the tail', () => {
  const v = initialLogView();
  const rows = logRows(lines(30), 40, { multiHost: false });
  assert.equal(logWindow(rows, v, 5).rows.at(-1)!.text, 'line 29');
  const more = logRows(lines(40), 40, { multiHost: false });
  assert.equal(logWindow(more, v, 5).rows.at(-1)!.text, 'line 39');
});

test('scrolling up pauses at the same lines while new ones arrive; G follows again', () => {
  const rows = logRows(lines(30), 40, { multiHost: false });
  let v = scrollLog(initialLogView(), rows, 5, -3);
  assert.equal(v.follow, false);
  const top = logWindow(rows, v, 5).rows[0]!.text;
  assert.equal(top, 'line 22');
  const more = logRows(lines(50), 40, { multiHost: false });
  const w = logWindow(more, v, 5);
  assert.equal(w.rows[0]!.text, 'line 22', 'stays put');
  assert.equal(w.below, 50 - 27);
  v = scrollLog(v, more, 5, 1);
  assert.equal(v.follow, false, 'scrolling down does not follow by itself');
  v = followTail(v);
  assert.equal(logWindow(more, v, 5).rows.at(-1)!.text, 'line 49');
});

test('trimmed buffer: an anchor older than the buffer shows the oldest line kept', () => {
  const v = scrollLog(initialLogView(), logRows(lines(30), 40, { multiHost: false }), 5, -Infinity);
  const trimmed = logRows(lines(30, 10), 40, { multiHost: false });
  assert.equal(logWindow(trimmed, v, 5).rows[0]!.text, 'line 10');
});

test('several hosts: a host column; long lines are cut at the width and continue indented', () => {
  const log: LogLine[] = [{ seq: 0, step: 's', host: 'master-0.example.com', stream: 'stdout', text: 'x'.repeat(50) }];
  const rows = logRows(log, 40, { multiHost: true, domain: '.example.com', hostWidth: 9 });
  assert.equal(rows[0]!.text, `master-0 │ ${'x'.repeat(29)}`);
  assert.equal(rows[1]!.text, `         │ ${'x'.repeat(21)}`);
  for (const r of rows) assert.ok([...r.text].length <= 40);
});

test('search: Enter goes to the newest match, n newer, N older, wrapping; ranges for highlighting', () => {
  const log = lines(40);
  const rows = logRows(log, 40, { multiHost: false });
  let v: LogView = { ...initialLogView(), search: { query: 'line 1', editing: true } };
  v = gotoMatch(v, log, rows, 10, 0);
  assert.equal(v.search!.current, 19);
  assert.equal(v.follow, false);
  assert.equal(searchStatus(v, log), 'match 11/11');
  v = gotoMatch(v, log, rows, 10, 1);
  assert.equal(v.search!.current, 1, 'wraps to the oldest');
  v = gotoMatch(v, log, rows, 10, -1);
  assert.equal(v.search!.current, 19);
  assert.ok(
    logWindow(rows, v, 10).rows.some((r) => r.seq === 19),
    'the match is in view',
  );
  assert.deepEqual(matchRanges('a line 1 and LINE 1', 'line 1'), [
    [2, 8],
    [13, 19],
  ]);
  const none = gotoMatch({ ...initialLogView(), search: { query: 'zzz', editing: true } }, log, rows, 10, 0);
  assert.equal(searchStatus(none, log), 'no line contains "zzz"');
});

import { compactJournalLine, lineText } from './log-view.js';

test('journal lines: marked ┆ in the log, date and host left out (the pane says whose journal)', () => {
  assert.equal(
    compactJournalLine('Nov 25 04:21:50 master-0 etcd[1234]: etcdserver: published {Name:m0} to cluster'),
    '04:21:50 etcd[1234]: etcdserver: published {Name:m0} to cluster',
  );
  assert.equal(
    compactJournalLine('Jan  5 03:05:01 master-0.lab.example.com systemd[1]: Started etcd.'),
    '03:05:01 systemd[1]: Started etcd.',
  );
  assert.equal(compactJournalLine('-- No entries --'), '-- No entries --');
  assert.equal(
    lineText({ seq: 0, step: 's', host: 'm0', stream: 'journal', text: 'Nov 25 04:21:50 m0 etcd[9]: ready' }),
    '┆ 04:21:50 etcd[9]: ready',
  );
});

test('timestamps: each line starts with the local time it arrived (HH:MM:SS); a wrapped part is indented under it', async () => {
  const { clockOf } = await import('./log-view.js');
  const at = new Date(2026, 11, 7, 3, 4, 5).getTime();
  const log: LogLine[] = [{ seq: 0, step: 's', host: null, stream: 'stdout', text: 'x'.repeat(30), at }];
  const rows = logRows(log, 20, { multiHost: false, timestamps: true });
  assert.deepEqual(
    rows.map((r) => r.text),
    ['03:04:05 xxxxxxxxxxx', `${' '.repeat(11)}xxxxxxxxx`, `${' '.repeat(11)}xxxxxxxxx`, `${' '.repeat(11)}x`],
  );
  assert.equal(clockOf(undefined), '        ', 'a line without its time keeps the column');
});

test('the command under the cursor: the search match when it is a command, else the newest command shown', async () => {
  const { commandAtCursor } = await import('./log-view.js');
  const cmd = (seq: number, text: string): LogLine => ({ seq, step: 's', host: null, stream: 'command', text });
  const out = (seq: number): LogLine => ({ seq, step: 's', host: null, stream: 'stdout', text: `out ${seq}` });
  const log = [cmd(0, 'etcdctl member list'), out(1), out(2), cmd(3, 'systemctl stop etcd'), out(4), out(5)];
  const rows = logRows(log, 40, { multiHost: false });
  assert.equal(commandAtCursor(log, rows, initialLogView(), 3), 'systemctl stop etcd', 'following: the newest');
  const up: LogView = { follow: false, top: { seq: 0, part: 0 } };
  assert.equal(commandAtCursor(log, rows, up, 3), 'etcdctl member list', 'scrolled up: the one whose output is shown');
  assert.equal(commandAtCursor(log, rows, { ...up, search: { query: 'stop', editing: false, current: 3 } }, 3), 'systemctl stop etcd');
  assert.equal(commandAtCursor([out(0)], logRows([out(0)], 40, { multiHost: false }), initialLogView(), 3), undefined);
});
