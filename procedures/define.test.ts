import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoInventory } from '../src/demo/inventory.js';
import { CATALOGUE } from './catalogue.js';
import { defineProcedure, hostParam } from './define.js';
import { PROCEDURES } from './index.js';

test('every host parameter of a built procedure refuses a host the inventory does not have', () => {
  const inventory = demoInventory();
  for (const p of PROCEDURES) {
    for (const param of p.parameters) {
      if (!param.choices || !('fromRole' in param.choices)) continue;
      const where = `${p.entry.id} --param ${param.name}`;
      assert.ok(param.validate, `${where} has no validator`);
      assert.match(param.validate('no-such-host', inventory) ?? '', /no-such-host/, where);
    }
  }
});

test('a host parameter names a host of its role unless the procedure writes its own check', () => {
  const inventory = demoInventory();
  const own = () => 'own check';
  const p = defineProcedure({
    id: 'x',
    title: 'X',
    section: '5.1',
    guideLine: 1,
    risk: 'low',
    summary: 'x',
    steps: [],
    parameters: [hostParam('master', 'master', 'a master'), { ...hostParam('any', 'new_etcd', 'any host'), validate: own }],
  });
  const [master, any] = p.parameters;
  const aMaster = inventory.hosts.find((h) => h.roles.includes('master'))!.name;
  const notMaster = inventory.hosts.find((h) => !h.roles.includes('master'))!.name;
  assert.equal(master!.validate!(aMaster, inventory), undefined);
  assert.match(master!.validate!(notMaster, inventory) ?? '', /not in the inventory's master hosts; choose one of: /);
  assert.equal(any!.validate, own);
  assert.deepEqual(
    p.entry.parameters.map((x) => Object.keys(x).includes('validate')),
    [false, false],
  );
});

test('a built procedure is in the catalogue once, with the entry its own file writes', () => {
  for (const p of PROCEDURES) {
    const entries = CATALOGUE.filter((e) => e.id === p.entry.id);
    assert.equal(entries.length, 1, p.entry.id);
    assert.equal(entries[0], p.entry);
    assert.equal(p.entry.built, true);
    assert.deepEqual(
      p.entry.parameters.map((x) => x.name),
      p.parameters.map((x) => x.name),
    );
  }
});
