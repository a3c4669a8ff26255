import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testCatalogue, testInventory } from '../../screens/testing/fixtures.js';
import { type Action, type ConsoleContext, type ConsoleState, currentRoute, initialState, reduce } from './console-state.js';
import { hostRows, procedureRows, selectableKeys } from './home.js';

const inv = testInventory();
const catalogue = testCatalogue();
const ctx = (blocker?: string): ConsoleContext => ({
  keys: (pane, filter) => (pane === 'hosts' ? selectableKeys(hostRows(inv, filter)) : selectableKeys(procedureRows(catalogue, filter))),
  catalogue,
  quitBlocker: () => blocker,
});
const run = (actions: Action[], c = ctx(), s: ConsoleState = initialState()) => actions.reduce((st, a) => reduce(st, a, c), s);

test('moving, switching panes and opening a host', () => {
  // The first host is selected from the start: one step down is the second.
  const s = run([{ type: 'move', delta: 1 }]);
  assert.equal(s.selected.hosts, 'master-1.example.com');
  const t = run([{ type: 'tab' }, { type: 'move', delta: 1 }, { type: 'enter' }], ctx(), s);
  assert.equal(t.focus, 'procedures');
  assert.deepEqual(currentRoute(t), { screen: 'procedure', id: 'fix-ntp' });
  const back = run([{ type: 'back' }], ctx(), t);
  assert.deepEqual(currentRoute(back), { screen: 'home' });
  assert.equal(back.selected.procedures, 'fix-ntp');
});

test('the filter narrows the list as typed; Esc clears it', () => {
  let s = run([{ type: 'open-filter' }, { type: 'text', text: 'lb' }]);
  assert.equal(s.filter.hosts, 'lb');
  s = run([{ type: 'enter' }, { type: 'enter' }], ctx(), s);
  assert.deepEqual(currentRoute(s), { screen: 'host', host: 'lb-0.example.com' });
  s = run([{ type: 'back' }, { type: 'back' }], ctx(), s);
  assert.equal(s.filter.hosts, '');
});

test('the jump prompt completes, opens the procedure and selects it even through a filter', () => {
  let s = run([{ type: 'tab' }, { type: 'open-filter' }, { type: 'text', text: 'ntp' }, { type: 'enter' }, { type: 'tab' }]);
  s = run([{ type: 'open-jump' }, { type: 'text', text: 'etcd-b' }, { type: 'complete' }], ctx(), s);
  assert.deepEqual(s.prompt, { kind: 'jump', text: 'etcd-backup' });
  s = run([{ type: 'enter' }], ctx(), s);
  assert.equal(s.prompt, undefined);
  assert.equal(s.focus, 'procedures');
  assert.equal(s.selected.procedures, 'etcd-backup');
  assert.equal(s.filter.procedures, '');
  assert.deepEqual(s.stack, [{ screen: 'home' }, { screen: 'procedure', id: 'etcd-backup' }]);
  const bad = run([{ type: 'open-jump' }, { type: 'text', text: 'nope' }, { type: 'enter' }]);
  assert.match(bad.message?.text ?? '', /No procedure "nope"/);
});

test('quit asks first when something blocks it; y quits, another key stays, Ctrl-C twice quits', () => {
  assert.equal(run([{ type: 'quit' }]).quit, true);
  const asked = run([{ type: 'quit' }], ctx('run etcd-restore is active'));
  assert.equal(asked.quit, false);
  assert.equal(asked.prompt?.kind, 'confirm-quit');
  assert.equal(run([{ type: 'text', text: 'n' }], ctx('x'), asked).quit, false);
  assert.equal(run([{ type: 'text', text: 'y' }], ctx('x'), asked).quit, true);
  assert.equal(run([{ type: 'interrupt' }, { type: 'interrupt' }], ctx('x')).quit, true);
});

test('a quit by Ctrl-C is marked interrupted (exit 130), a q quit is not (exit 0)', () => {
  assert.equal(run([{ type: 'quit' }]).interrupted, undefined);
  assert.equal(run([{ type: 'interrupt' }]).interrupted, true);
  assert.equal(run([{ type: 'interrupt' }, { type: 'interrupt' }], ctx('x')).interrupted, true);
  assert.equal(run([{ type: 'interrupt' }, { type: 'text', text: 'y' }], ctx('x')).interrupted, true);
  assert.equal(run([{ type: 'quit' }, { type: 'interrupt' }], ctx('x')).interrupted, true);
  assert.equal(run([{ type: 'quit' }, { type: 'text', text: 'y' }], ctx('x')).interrupted, undefined);
  assert.equal(run([{ type: 'interrupt' }, { type: 'text', text: 'n' }], ctx('x')).quit, false);
});

test('? opens help and closes it again; Esc on a screen goes back', () => {
  const s = run([{ type: 'help' }]);
  assert.deepEqual(currentRoute(s), { screen: 'help' });
  assert.deepEqual(currentRoute(run([{ type: 'help' }], ctx(), s)), { screen: 'home' });
  assert.deepEqual(currentRoute(run([{ type: 'back' }], ctx(), s)), { screen: 'home' });
});

test("n opens Nodes from Home; a node's pods and a drain sit above it, so Esc comes back to the list", () => {
  let s = run([{ type: 'open-nodes' }]);
  assert.deepEqual(s.stack, [{ screen: 'home' }, { screen: 'nodes' }]);
  assert.equal(run([{ type: 'open-nodes' }], ctx(), s), s, 'already there: nothing changes');
  s = run([{ type: 'open-node-pods', node: 'node-0.example.com' }], ctx(), s);
  assert.deepEqual(currentRoute(s), { screen: 'node-pods', node: 'node-0.example.com' });
  s = run([{ type: 'back' }], ctx(), s);
  assert.deepEqual(currentRoute(s), { screen: 'nodes' });
  s = run([{ type: 'open-drain', node: 'node-0.example.com' }], ctx(), s);
  assert.deepEqual(s.stack, [{ screen: 'home' }, { screen: 'nodes' }, { screen: 'drain', node: 'node-0.example.com' }]);
  s = run([{ type: 'back' }, { type: 'back' }], ctx(), s);
  assert.deepEqual(currentRoute(s), { screen: 'home' });
  // from anywhere, a drain is shown above the list
  assert.deepEqual(
    run([{ type: 'open-health' }, { type: 'open-drain', node: 'n' }]).stack.map((r) => r.screen),
    ['home', 'nodes', 'drain'],
  );
});
