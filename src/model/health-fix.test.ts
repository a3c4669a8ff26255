import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testHost, testInventory } from '../testing/builders.js';
import type { CatalogueEntry, ParameterInfo } from './catalogue.js';
import type { CheckResult } from './health.js';
import { fixTarget } from './health-fix.js';

const M1 = 'master-1.example.com';
const restore: { parameters: ParameterInfo[] } = {
  parameters: [
    { name: 'backup', description: 'the backup', required: true },
    { name: 'host', description: 'member that gets the backup', required: true, choices: { fromRole: 'etcd' } },
    { name: 'new', description: 'a second member', required: false, choices: { fromRole: 'etcd' } },
  ],
};
const runnable = (id: string) => (id === 'etcd-restore' ? restore : undefined);
const failed = (over: Partial<CheckResult> = {}): CheckResult => ({
  check: 'etcd-health',
  host: M1,
  status: 'fail',
  message: 'etcd does not answer on master-1',
  fix: { procedure: 'etcd-restore', text: 'Restore from the last backup.' },
  ...over,
});
const catalogue = [{ id: 'etcd-restore' }, { id: 'fix-ntp' }] as CatalogueEntry[];
const inventory = testInventory([testHost(M1, ['master', 'etcd', 'node']), testHost('node-0.example.com', ['node'])]);
const target = (r: CheckResult | undefined) => fixTarget(r, runnable, catalogue, inventory);

test('a failed cell opens its fix with the failing host in the first host parameter of its role', () => {
  assert.deepEqual(target(failed()), { id: 'etcd-restore', prefill: { host: M1 } });
});

test('a cluster-wide cell, or a host without the role, opens the fix with nothing filled in', () => {
  assert.deepEqual(target(failed({ host: null })), { id: 'etcd-restore', prefill: {} });
  assert.deepEqual(target(failed({ host: 'node-0.example.com' })), { id: 'etcd-restore', prefill: {} });
});

test('no fix, a fix in words only, a procedure not built: a sentence saying so, nothing opened', () => {
  assert.match((target(undefined) as { message: string }).message, /blank cell/);
  assert.match((target(failed({ fix: undefined })) as { message: string }).message, /no procedure repairs this/);
  const words = target(failed({ fix: { text: 'Ask the storage team.' } })) as { message: string };
  assert.match(words.message, /no procedure repairs this — Ask the storage team\./);
  const notBuilt = target(failed({ fix: { procedure: 'fix-ntp', text: 'Turn NTP on.' } })) as { message: string };
  assert.match(notBuilt.message, /fix-ntp is not built yet: Turn NTP on\./);
  const unknown = target(failed({ fix: { procedure: 'no-such', text: 'x' } })) as { message: string };
  assert.match(unknown.message, /its fix names no-such, not in the catalogue/);
});
