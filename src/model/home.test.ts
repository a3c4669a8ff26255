import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testCatalogue, testInventory } from '../../screens/testing/fixtures.js';
import type { ConnectivitySnapshot } from './connectivity.js';
import {
  commonDomain,
  connectivityProblems,
  firstProblemHost,
  headingIndex,
  homeWarnings,
  hostRows,
  keepHeading,
  moveSelection,
  problemPhrase,
  procedureRows,
  resolveJump,
  scrollOffset,
  selectableKeys,
  shortName,
} from './home.js';
import { truncate, wrap } from './text.js';

test('hosts are grouped by ROLE_ORDER, each under its first role, other roles kept', () => {
  const rows = hostRows(testInventory());
  assert.deepEqual(
    rows.map((r) => (r.kind === 'header' ? `[${r.label}]` : r.key)),
    [
      '[master]',
      'master-0.example.com',
      'master-1.example.com',
      '[infra]',
      'infra-0.example.com',
      '[node]',
      'node-0.example.com',
      '[lb]',
      'lb-0.example.com',
    ],
  );
  const m0 = rows.find((r) => r.key === 'master-0.example.com');
  assert.ok(m0?.kind === 'host');
  assert.deepEqual(m0.otherRoles, ['etcd', 'node']);
});

test('the host filter matches name, role and state word', () => {
  const inv = testInventory();
  assert.deepEqual(selectableKeys(hostRows(inv, 'infra')), ['infra-0.example.com']);
  assert.deepEqual(selectableKeys(hostRows(inv, 'etcd')), ['master-0.example.com', 'master-1.example.com']);
  const snap = new Map([['lb-0.example.com', { state: 'unreachable' as const }]]);
  assert.deepEqual(selectableKeys(hostRows(inv, 'unreach', snap)), ['lb-0.example.com']);
});

test('procedures are grouped by chapter, every id listed', () => {
  const rows = procedureRows(testCatalogue());
  assert.deepEqual(
    rows.map((r) => (r.kind === 'header' ? `[${r.label}]` : r.key)),
    [
      '[2 Run-once tasks]',
      'ntp',
      'fix-ntp',
      '[3 Health checks]',
      'etcd-health',
      '[4 Backups]',
      'etcd-backup',
      '[5 Host tasks]',
      'etcd-restore',
    ],
  );
  assert.deepEqual(selectableKeys(procedureRows(testCatalogue(), 'etcd')), ['etcd-health', 'etcd-backup', 'etcd-restore']);
});

test('selection moves within bounds and restarts when filtered out', () => {
  const keys = ['a', 'b', 'c'];
  assert.equal(moveSelection(keys, 'a', 1), 'b');
  assert.equal(moveSelection(keys, 'c', 1), 'c');
  assert.equal(moveSelection(keys, 'b', -Infinity), 'a');
  assert.equal(moveSelection(keys, 'gone', 1), 'a');
  assert.equal(moveSelection([], 'a', 1), undefined);
});

test('scrolling keeps the selection visible and moves as little as possible', () => {
  assert.equal(scrollOffset(0, 3, 5, 4), 0);
  assert.equal(scrollOffset(0, 4, 5, 20), 0);
  assert.equal(scrollOffset(0, 5, 5, 20), 1);
  assert.equal(scrollOffset(10, 12, 5, 20), 10);
  assert.equal(scrollOffset(10, 3, 5, 20), 3);
  assert.equal(scrollOffset(30, 19, 5, 20), 15);
});

test('the jump prompt resolves exact ids, unique prefixes and unique substrings', () => {
  const c = testCatalogue();
  assert.equal(resolveJump(c, 'etcd-backup').entry?.id, 'etcd-backup');
  assert.equal(resolveJump(c, 'fix').entry?.id, 'fix-ntp');
  assert.equal(resolveJump(c, 'restore').entry?.id, 'etcd-restore');
  const amb = resolveJump(c, 'etcd');
  assert.equal(amb.entry, undefined);
  assert.equal(amb.candidates.length, 3);
  assert.deepEqual(resolveJump(c, 'zzz'), { candidates: [] });
});

test('short host names drop the common domain', () => {
  const inv = testInventory();
  assert.equal(commonDomain(inv.hosts), '.example.com');
  assert.equal(shortName('master-0.example.com', '.example.com'), 'master-0');
  assert.equal(commonDomain([{ name: '10.0.0.1' }, { name: '10.0.0.2' }]), '');
  assert.equal(commonDomain([{ name: 'a.x.com' }, { name: 'b.y.com' }]), '.com');
  assert.equal(commonDomain([{ name: 'a' }, { name: 'b.c' }]), '');
});

test('an even etcd count is warned about once', () => {
  const inv = testInventory();
  assert.equal(homeWarnings(inv).length, 1);
  assert.match(homeWarnings({ ...inv, warnings: [] })[0] ?? '', /etcd has 2 members, an even number/);
});

test('wrap keeps alignment, indents continuations, cuts long words; truncate ends with …', () => {
  assert.deepEqual(wrap('Name:     x', 40), ['Name:     x']);
  assert.deepEqual(wrap('What to do: run this long command now', 20, '  '), ['What to do: run this', '  long command now']);
  assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
  assert.equal(truncate('foo bar', 5), 'foo…', 'no space left before the …');
  assert.equal(truncate('a    bcdef', 5), 'a…');
});

test('connectivity problems come in the listed order, named short; the phrase names the first and counts the rest', () => {
  const snap = new Map([
    ['a.example.com', { state: 'unreachable' as const }],
    ['b.example.com', { state: 'ok' as const }],
    ['c.example.com', { state: 'checking' as const }],
    ['d.example.com', { state: 'auth-failed' as const }],
  ]);
  const problems = connectivityProblems(snap, ['d.example.com', 'a.example.com'], '.example.com');
  assert.deepEqual(problems, [
    { name: 'd', word: 'auth failed' },
    { name: 'a', word: 'unreachable' },
  ]);
  assert.deepEqual(
    connectivityProblems(snap, [], '').map((p) => p.name),
    ['a.example.com', 'd.example.com'],
    'unlisted hosts: snapshot order',
  );
  assert.equal(problemPhrase(problems), '2 problems: d auth failed +1 more');
  assert.equal(problemPhrase(problems.slice(1)), '1 problem: a unreachable');
  assert.equal(problemPhrase(problems.slice(1), { word: false }), '1 problem: a');
  assert.equal(problemPhrase([{ name: 'app-node-2', word: 'unreachable' }], { word: false, nameWidth: 5 }), '1 problem: app-…');
  assert.equal(problemPhrase([]), '0 problems');
});

test("keepHeading: the selection's chapter heading is scrolled into view when both fit, else left", () => {
  const rows = [
    { selectable: false },
    ...Array.from({ length: 8 }, () => ({ selectable: true })),
    { selectable: false },
    { selectable: true },
  ];
  assert.equal(headingIndex(rows, 5), 0);
  assert.equal(headingIndex(rows, 10), 9);
  // opened on row 7 of a 5-row window: scrolled to 3, its heading (0) is 7 rows above: cannot be shown with it
  assert.equal(keepHeading(3, 7, 5, 0), 3);
  // row 4 in a 5-row window scrolled to 2: the heading at 0 fits with it
  assert.equal(keepHeading(2, 4, 5, 0), 0);
  assert.equal(keepHeading(0, 4, 5, 0), 0, 'already in view');
  assert.equal(keepHeading(2, 4, 5, -1), 2, 'no heading');
});

test('firstProblemHost: the cursor starts on the first unreachable or failing host, in the list order', () => {
  const inv = testInventory();
  const rows = hostRows(inv);
  const names = inv.hosts.map((h) => h.name);
  const snap = new Map(names.map((n) => [n, { state: 'ok' as const }])) as ConnectivitySnapshot;
  assert.equal(firstProblemHost(rows, snap), undefined);
  const last = rows.filter((r) => r.kind === 'host').at(-1)!.key;
  assert.equal(
    firstProblemHost(rows, snap, (h) => h === last),
    last,
    'a failing host',
  );
  const checking = new Map(names.map((n) => [n, { state: 'checking' as const }])) as ConnectivitySnapshot;
  assert.equal(firstProblemHost(rows, checking), undefined, 'still checking is not a problem');
  const second = rows.filter((r) => r.kind === 'host')[1]!.key;
  (snap as Map<string, { state: string }>).set(second, { state: 'unreachable' });
  assert.equal(
    firstProblemHost(rows, snap, (h) => h === last),
    second,
  );
});
