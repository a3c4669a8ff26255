import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHealthRun } from '../../screens/testing/fake-health.js';
import { testCatalogue, testInventory } from '../../screens/testing/fixtures.js';
import { type Action, type ConsoleContext, type ConsoleState, currentRoute, initialState, reduce } from './console-state.js';
import type { CellStatus } from './health.js';
import {
  buildMatrix,
  CLUSTER_ROW,
  cellSymbol,
  columnWindow,
  countStatuses,
  effectiveCell,
  hasCell,
  hostVerdict,
  initialHealthView,
  prettyDetails,
  STATUS_LABELS,
  statusSummary,
  tailLines,
} from './health-view.js';

const inv = testInventory();
const M0 = 'master-0.example.com';
const LB = 'lb-0.example.com';

function run() {
  return FakeHealthRun.forInventory(inv);
}

test('every status is a distinct one-column symbol and a word; blank where the check does not apply', () => {
  const symbols = Object.values(STATUS_LABELS).map((l) => l.symbol);
  assert.equal(new Set(symbols).size, symbols.length);
  for (const s of symbols) assert.equal([...s].length, 1);
  assert.equal(cellSymbol(undefined), ' ');
  assert.equal(cellSymbol({ check: 'ntp', host: M0, status: 'fail', message: '' }), '✗');
  assert.deepEqual(
    (['ok', 'warn', 'fail', 'error', 'skipped', 'running', 'pending'] as CellStatus[]).map((s) => STATUS_LABELS[s].symbol).join(''),
    '✓!✗E-…·',
  );
});

test('rows: the cluster row first, then hosts grouped by role with short names; columns in guide order', () => {
  const m = buildMatrix(inv, run().getSnapshot(), initialHealthView());
  assert.deepEqual(
    m.rows.map((r) => (r.kind === 'header' ? `#${r.label}` : r.label)),
    ['cluster', '#master', 'master-0', 'master-1', '#infra', 'infra-0', '#node', 'node-0', '#lb', 'lb-0'],
  );
  assert.equal(m.rowKeys[0], CLUSTER_ROW);
  assert.equal(m.checkIds.length, 17);
  assert.equal(m.checkIds[0], 'ntp');
  assert.equal(m.columns.find((c) => c.check === 'etcd-health')?.header, 'etcd');
  for (const c of m.columns) assert.ok(c.header.length <= 6 && c.width === Math.max(3, c.header.length) + 1);
});

test('the filter narrows hosts and/or checks; rows and columns without a cell left disappear', () => {
  const snap = run().getSnapshot();
  // A host: only its row, and only the checks that apply to it.
  let m = buildMatrix(inv, snap, { filter: 'lb-0', problemsOnly: false });
  assert.deepEqual(m.rowKeys, [LB]);
  assert.deepEqual(m.checkIds, ['ntp', 'entropy']);
  // A check: every row it applies to.
  m = buildMatrix(inv, snap, { filter: 'etcd-health', problemsOnly: false });
  assert.deepEqual(m.checkIds, ['etcd-health']);
  assert.deepEqual(m.rowKeys, [M0, 'master-1.example.com']);
  // The cluster row by name.
  m = buildMatrix(inv, snap, { filter: 'cluster', problemsOnly: false });
  assert.deepEqual(m.rowKeys, [CLUSTER_ROW]);
  assert.ok(m.checkIds.includes('router') && !m.checkIds.includes('ntp'));
  // Nothing matches: empty.
  m = buildMatrix(inv, snap, { filter: 'zzz', problemsOnly: false });
  assert.deepEqual([m.rows.length, m.columns.length], [0, 0]);
});

test('problems only keeps rows and columns with a warn, fail or error cell', () => {
  const r = run();
  for (const c of r.cells()) r.set(c.check, c.host, { status: 'ok' });
  r.set('disk', 'node-0.example.com', { status: 'warn', message: '/var 85% full' });
  r.set('router', null, { status: 'error', message: 'oc: not logged in' });
  const m = buildMatrix(inv, r.getSnapshot(), { filter: '', problemsOnly: true });
  assert.deepEqual(m.rowKeys, [CLUSTER_ROW, 'node-0.example.com']);
  assert.deepEqual(m.checkIds, ['router', 'disk']);
});

test('the default selection is the first cell that exists, never a blank one', () => {
  const snap = run().getSnapshot();
  const m = buildMatrix(inv, snap, initialHealthView());
  const has = (r: string, c: string) => hasCell(snap, r, c);
  assert.deepEqual(effectiveCell(m, has, {}), { row: CLUSTER_ROW, check: 'default-storageclass' });
  assert.deepEqual(effectiveCell(m, has, { row: M0 }), { row: M0, check: 'ntp' });
  assert.deepEqual(effectiveCell(m, has, { row: 'gone', check: 'mtu' }), { row: CLUSTER_ROW, check: 'mtu' });
});

test('the column window keeps the selection in view, scrolls as little as possible, and counts what is hidden', () => {
  const widths = Array(17).fill(6);
  // 60 columns, 10 kept for the "n more ›" marker: 8 columns of 6 fit.
  assert.deepEqual(columnWindow(widths, 60, 0, 0), { start: 0, end: 8, left: 0, right: 9 });
  assert.deepEqual(columnWindow(widths, 60, 0, 7), { start: 0, end: 8, left: 0, right: 9 });
  assert.deepEqual(columnWindow(widths, 60, 0, 8), { start: 1, end: 9, left: 1, right: 8 });
  assert.deepEqual(columnWindow(widths, 60, 5, 16), { start: 9, end: 17, left: 9, right: 0 });
  assert.deepEqual(columnWindow(widths, 60, 9, 10), { start: 9, end: 17, left: 9, right: 0 });
  assert.deepEqual(columnWindow(widths, 60, 9, 3), { start: 3, end: 11, left: 3, right: 6 });
  // Everything fits: no marker room taken.
  assert.deepEqual(columnWindow([4, 4], 8, 0, 1), { start: 0, end: 2, left: 0, right: 0 });
});

test('a host verdict names its worst status, the count, and the checks at fault', () => {
  const r = run();
  assert.equal(hostVerdict(r.getSnapshot(), LB)?.text, '· 2 pending');
  r.set('ntp', LB, { status: 'ok' });
  r.set('entropy', LB, { status: 'running' });
  assert.equal(hostVerdict(r.getSnapshot(), LB)?.short, '…1');
  r.set('entropy', LB, { status: 'ok' });
  assert.equal(hostVerdict(r.getSnapshot(), LB)?.text, '✓ 2 ok');
  for (const c of r.cells().filter((c) => c.host === M0)) r.set(c.check, c.host, { status: 'ok' });
  r.set('etcd-health', M0, { status: 'fail' });
  r.set('disk', M0, { status: 'fail' });
  r.set('ntp', M0, { status: 'warn' });
  const v = hostVerdict(r.getSnapshot(), M0)!;
  assert.equal(v.text, '✗ 2 fail: etcd-health, disk');
  assert.equal(v.short, '✗2');
  assert.equal(v.counts.warn, 1);
  assert.equal(hostVerdict(r.getSnapshot(), 'not-a-host'), undefined);
});

test('the status line always counts ok/warn/fail/error, and the others when there are some', () => {
  const r = run();
  r.set('ntp', LB, { status: 'fail' });
  const parts = statusSummary(countStatuses(r.getSnapshot().results.values())).map((p) => p.text);
  assert.deepEqual(parts.slice(0, 4), ['✓ 0 ok', '! 0 warn', '✗ 1 fail', 'E 0 error']);
  assert.ok(parts.some((p) => /^· \d+ pending$/.test(p)));
  assert.ok(!parts.some((p) => p.includes('skipped')));
});

test('facts and outputs are bounded', () => {
  const big = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
  const lines = prettyDetails(big, 10);
  assert.equal(lines.length, 11);
  assert.match(lines[10]!, /… 92 more lines/);
  assert.deepEqual(prettyDetails(undefined), []);
  assert.deepEqual(tailLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(tailLines(''), []);
  const t = tailLines(Array.from({ length: 300 }, (_, i) => `l${i}`).join('\n'), 200);
  assert.equal(t.length, 201);
  assert.match(t[0]!, /100 earlier lines/);
  assert.equal(t[200], 'l299');
});

test('navigation on the Health screen: h opens it, moves keep the column, Enter opens a cell, Esc clears the filter then goes back', () => {
  const r = run();
  const snap = r.getSnapshot();
  const ctx: ConsoleContext = {
    keys: () => [],
    catalogue: testCatalogue(),
    health: (view) => {
      const m = buildMatrix(inv, snap, view);
      const has = (row: string, check: string) => hasCell(snap, row, check);
      return { rows: m.rowKeys, checks: m.checkIds, has, ...effectiveCell(m, has, view) };
    },
  };
  const go = (actions: Action[], s: ConsoleState = initialState()) => actions.reduce((st, a) => reduce(st, a, ctx), s);
  let s = go([{ type: 'open-health' }]);
  assert.deepEqual(currentRoute(s), { screen: 'health' });
  s = go([{ type: 'move', delta: 1 }], s);
  assert.deepEqual([s.health.row, s.health.check], [M0, 'default-storageclass']);
  s = go([{ type: 'enter' }], s);
  assert.match(s.message?.text ?? '', /does not apply/);
  s = go([{ type: 'hmove', delta: -Infinity }, { type: 'enter' }], s);
  assert.deepEqual(currentRoute(s), { screen: 'health-cell', check: 'ntp', host: M0 });
  s = go([{ type: 'back' }, { type: 'open-filter' }, { type: 'text', text: 'lb' }, { type: 'enter' }], s);
  assert.equal(s.health.filter, 'lb');
  s = go([{ type: 'back' }], s);
  assert.equal(s.health.filter, '');
  assert.deepEqual(currentRoute(s), { screen: 'health' });
  s = go([{ type: 'toggle-problems' }], s);
  assert.equal(s.health.problemsOnly, true);
  s = go([{ type: 'back' }], s);
  assert.deepEqual(currentRoute(s), { screen: 'home' });
});
