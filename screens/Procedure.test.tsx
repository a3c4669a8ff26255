import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { fits, openToy, renderRunApp } from './testing/run-app.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
});
const app = (o?: Parameters<typeof renderRunApp>[0]) => {
  const a = renderRunApp(o);
  disposers.push(a.dispose);
  return a;
};
const ESC = '\x1b';
const BACKSPACE = '\x7f';

test('Enter on a built procedure opens its form: a select list of the role\'s hosts, text with its default, a masked secret', async () => {
  const { frame, press } = app();
  await openToy(press);
  const f = frame();
  assert.match(f, /PROCEDURE etcd-backup — Back up etcd/);
  assert.match(f, /› host \(required\) — Member to restore on/);
  assert.match(f, /● master-0\.example\.com/);
  assert.match(f, /○ master-1\.example\.com/);
  assert.match(f, /\[ default \/backup\/etcd-20240501 \]/);
  assert.match(f, /token \(optional, secret, masked\)/);
  assert.equal(fits(f), undefined);
  await press('j', '\t', '\t', 'abc');
  assert.match(frame(), /\[ ••• /, 'secret masked');
  assert.doesNotMatch(frame(), /abc/);
  await press(ESC);
  assert.match(frame(), /▶ PROCEDURES/);
  // A last key after Esc: a lone Esc at unmount leaks into the next test's input (Ink's escape parsing).
  await press('k');
});

test('not-built procedures keep their detail page', async () => {
  const { frame, press } = app();
  await press(':', 'etcd-restore', '\r');
  assert.match(frame(), /PROCEDURE etcd-restore/);
  assert.match(frame(), /NOT BUILT YET/);
});

test('validation: errors inline, naming the field and what to do; the plan waits until they are fixed', async () => {
  const { frame, press } = app();
  await openToy(press);
  await press('\t');
  for (let i = 0; i < 25; i++) await press(BACKSPACE);
  await press('relative', '\r', '\r');
  let f = frame();
  assert.match(f, /✗ backup-dir: "relative" is not an absolute path: start it with \//);
  assert.match(f, /Fix the field marked ✗/);
  assert.doesNotMatch(f, /PLAN/);
  assert.match(f, /› backup-dir/, 'focus on the field in error');
  await press('x');
  assert.match(frame(), /✗ backup-dir: "relativex" is not an absolute path/, 'errors follow each change');
  for (let i = 0; i < 9; i++) await press(BACKSPACE);
  await press('/srv/b');
  assert.doesNotMatch(frame(), /✗/);
});

test('plan view: steps, destructive marker and gate kind, exact commands per host; Esc back to the form; r asks first', async () => {
  const { frame, press, sessions } = app();
  await openToy(press);
  await press('p');
  let f = frame();
  assert.match(f, /PLAN etcd-backup — 4 steps, 1 DESTRUCTIVE, 2 gates/);
  assert.match(f, /master-0\$ mkdir -p \/backup\/etcd-20240501 && cp -a \/etc\/etcd/);
  assert.match(f, /master-1\$ mkdir -p/);
  assert.match(f, /gate: you confirm y\/N/);
  assert.equal(fits(f), undefined);
  await press('G');
  f = frame();
  assert.match(f, /3\. ⚠ DESTRUCTIVE Move the old data directory aside/);
  assert.match(f, /gate: you type the host name/);
  assert.match(f, /master-0\$ mv \/var\/lib\/etcd/);
  await press(ESC);
  assert.match(frame(), /PARAMETERS/);
  await press('p', 'r');
  assert.match(frame(), /Run it now on 2 hosts\? \(1 DESTRUCTIVE: its gate asks again\) y\/N/);
  await press('n');
  assert.equal(sessions.length, 0);
  assert.match(frame(), /Not started/);
  await press('r', 'y');
  assert.equal(sessions.length, 1);
  assert.match(frame(), /RUN etcd-backup run-1/);
});
