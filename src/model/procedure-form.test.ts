import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toyPlan, toyProcedure } from '../../screens/testing/fake-procedure.js';
import { testInventory } from '../../screens/testing/fixtures.js';
import { planLines, planSummary } from './plan-view.js';
import { formParams, initialForm, reduceForm, validateForm } from './procedure-form.js';

const inv = testInventory();

test('fields: choices from the inventory role, defaults filled in, secrets kept out of the params when empty', () => {
  const f = initialForm(toyProcedure(), inv);
  assert.deepEqual(
    f.fields[0]!.options.map((o) => o.value),
    ['master-0.example.com', 'master-1.example.com'],
  );
  assert.equal(f.values['host'], 'master-0.example.com');
  assert.equal(f.values['backup-dir'], '', 'a text default stays a placeholder: the procedure applies it');
  assert.deepEqual(formParams(f), { host: 'master-0.example.com' });
});

test('editing and choosing; validation names the field and says what to do', () => {
  let f = initialForm(toyProcedure(), inv);
  f = reduceForm(f, { type: 'pick', param: 'host', value: 'master-1.example.com' });
  assert.equal(f.values['host'], 'master-1.example.com');
  assert.equal(reduceForm(f, { type: 'pick', param: 'host', value: 'lb-0.example.com' }), f, 'not one of the choices: nothing changes');
  assert.equal(reduceForm(f, { type: 'pick', param: 'backup-dir', value: '/tmp' }), f, 'a text field is typed, not picked');
  f = reduceForm(reduceForm(f, { type: 'focus', delta: 1 }), { type: 'clear' });
  f = reduceForm(f, { type: 'type', text: 'tmp' });
  const errs = validateForm(toyProcedure(), formParams(f), inv);
  assert.deepEqual(
    errs.map((e) => e.param),
    ['backup-dir'],
  );
  assert.match(errs[0]!.message, /backup-dir: "tmp" is not an absolute path: start it with \//);
  f = reduceForm({ ...f, focus: 0 }, { type: 'errors', errors: errs, moveFocus: true });
  assert.equal(f.focus, 1, 'focus moves to the first field in error');
  const noDefault = toyProcedure();
  noDefault.parameters[1] = { ...noDefault.parameters[1]!, default: undefined };
  const req = validateForm(noDefault, {}, inv);
  assert.match(req.find((e) => e.param === 'backup-dir')!.message, /backup-dir is required: type where the backup goes/);
});

test('plan lines: destructive marker, gate kind, protecting backup, exact command per host', () => {
  const plan = toyPlan({ host: 'master-0.example.com' });
  assert.equal(planSummary(plan), '4 steps, 1 DESTRUCTIVE, 2 gates');
  const text = planLines(plan, { host: 'master-0.example.com', token: 's3cret' }, initialForm(toyProcedure(), inv).fields, '.example.com')
    .map((l) => l.text)
    .join('\n');
  assert.match(text, / 3\. ⚠ DESTRUCTIVE Move the old data directory aside {2}§ 5\.4\.2\.1/);
  assert.match(text, /gate: you type the host name — Moves \/var\/lib\/etcd/);
  assert.match(text, /protected by: \/backup\/etcd-20240501\/snapshot\.db/);
  assert.match(text, /master-1\$ mkdir -p \/backup\/etcd-20240501 && cp -a \/etc\/etcd/);
  assert.match(text, /token=••••/);
  assert.doesNotMatch(text, /s3cret/);
});

test('values found on a host: asked for the chosen host, kept per field and host, picked with choose, typing still free', async () => {
  const { discoveryWanted, foundOptions } = await import('./procedure-form.js');
  const { etcdBackupDiscovery } = await import('./backups.js');
  const p = toyProcedure();
  p.parameters[1] = { ...p.parameters[1]!, discover: etcdBackupDiscovery };
  let f = initialForm(p, inv);
  assert.deepEqual(f.fields[1]!.discover, { describe: etcdBackupDiscovery.describe, hostParam: 'host' });
  assert.equal(f.fields[1]!.kind, 'text', 'still typed');
  assert.deepEqual(discoveryWanted(f), [{ param: 'backup-dir', host: 'master-0.example.com' }]);
  f = reduceForm(f, { type: 'found', param: 'backup-dir', found: { status: 'looking', host: 'master-0.example.com' } });
  assert.deepEqual(discoveryWanted(f), [], 'asked already');
  const options = [
    { value: '/backup/etcd-2', label: '/backup/etcd-2  new' },
    { value: '/backup/etcd-1', label: '/backup/etcd-1  old' },
  ];
  f = reduceForm(f, { type: 'found', param: 'backup-dir', found: { status: 'found', host: 'master-0.example.com', options } });
  f = reduceForm(f, { type: 'focus', delta: 1 });
  assert.deepEqual(
    foundOptions(f, f.fields[1]!).map((o) => o.value),
    ['/backup/etcd-2', '/backup/etcd-1'],
  );
  f = reduceForm(f, { type: 'choose', delta: 1 });
  assert.equal(f.values['backup-dir'], '/backup/etcd-2', 'the first ↓ takes the newest');
  f = reduceForm(f, { type: 'choose', delta: 1 });
  assert.equal(f.values['backup-dir'], '/backup/etcd-1');
  f = reduceForm(f, { type: 'choose', delta: 1 });
  assert.equal(f.values['backup-dir'], '/backup/etcd-1', 'stays at the last');
  f = reduceForm(f, { type: 'type', text: '-x' });
  assert.equal(f.values['backup-dir'], '/backup/etcd-1-x', 'typing edits the picked value');
  // an answer for a host no longer chosen is ignored; choosing another host asks again
  f = reduceForm({ ...f, focus: 0 }, { type: 'pick', param: 'host', value: 'master-1.example.com' });
  assert.deepEqual(foundOptions(f, f.fields[1]!), [], 'found for master-0 does not apply to master-1');
  assert.deepEqual(discoveryWanted(f), [{ param: 'backup-dir', host: 'master-1.example.com' }]);
  const stale = reduceForm(f, { type: 'found', param: 'backup-dir', found: { status: 'found', host: 'master-0.example.com', options } });
  assert.equal(stale, f, 'a late answer for master-0 changes nothing');
  assert.deepEqual(formParams(f), { host: 'master-1.example.com', 'backup-dir': '/backup/etcd-1-x' });
});
