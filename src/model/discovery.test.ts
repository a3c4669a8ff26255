import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testInventory } from '../../screens/testing/fixtures.js';
import type { Procedure } from '../engine/types.js';
import type { Inventory } from '../inventory/types.js';
import { FakeRunner } from '../testing/fake-runner.js';
import { TransportError } from '../transport/types.js';
import { etcdBackupDiscovery } from './backups.js';
import { describeFound, discoverChoices, makeDiscover } from './discovery.js';

const inv: Inventory = testInventory();

function proc(): Procedure {
  return {
    entry: {
      id: 'etcd-restore',
      kind: 'procedure',
      title: 't',
      chapter: 5,
      chapterTitle: 'c',
      section: '5.4.2.1',
      guideLine: 1,
      risk: 'destructive',
      built: true,
      summary: 's',
      parameters: [],
    },
    parameters: [
      { name: 'host', description: 'Member', required: true, choices: { fromRole: 'etcd' } },
      { name: 'backup', description: 'Backup dir', required: true, discover: etcdBackupDiscovery },
      { name: 'plain', description: 'nothing to find', required: false },
    ],
    steps: [],
  };
}

const LISTING = [
  '1714557600.0 2500000 /backup/etcd-20240501/db',
  '1714557605.0 2400000 /backup/etcd-20240501/member/snap/db',
  '1714557605.0 64000000 /backup/etcd-20240501/member/wal/0.wal',
].join('\n');

test('runs the discovery command on the host chosen in the host parameter, with a time limit, and parses it', async () => {
  const r = new FakeRunner();
  r.expect('master-1.example.com', /^if test -d \/backup; then find \/backup -maxdepth 4/).answers({ stdout: LISTING });
  const found = await makeDiscover(r, inv)(proc(), 'backup', { host: 'master-1.example.com' });
  r.assertDone();
  assert.equal(r.commands.length, 1);
  assert.equal(r.commands[0]!.target.kind === 'host' && r.commands[0]!.target.host.name, 'master-1.example.com');
  assert.match(r.commands[0]!.script, /^if test -d \/backup; then find \/backup -maxdepth 4/);
  assert.ok(r.commands[0]!.options.timeoutMs && r.commands[0]!.options.timeoutMs > 0);
  assert.equal(found.host, 'master-1.example.com');
  assert.deepEqual(
    found.choices.map((c) => c.value),
    ['/backup/etcd-20240501'],
  );
  assert.match(
    describeFound('backup', found),
    new RegExp(
      String.raw`^found on master-1\.example\.com \(newest first\): \/backup\/etcd-20240501, ` +
        String.raw`\d{4}-\d\d-\d\d \d\d:\d\d, 2\.4 MiB, v3 snapshot \+ v2 backup; give --param backup=<one ` +
        'of them>$',
    ),
  );
});

test('errors are one sentence: no host chosen, unknown host, unreachable host, a parameter without discovery', async () => {
  const ok = FakeRunner.answering({ stdout: LISTING });
  await assert.rejects(
    discoverChoices({ runner: ok, inventory: inv, procedure: proc(), param: 'backup', params: {} }),
    /choose host first: the etcd backups .* are looked for on that host/,
  );
  await assert.rejects(
    discoverChoices({ runner: ok, inventory: inv, procedure: proc(), param: 'backup', params: { host: 'nope' } }),
    /nope is not a host of the inventory/,
  );
  await assert.rejects(
    discoverChoices({ runner: ok, inventory: inv, procedure: proc(), param: 'plain', params: { host: 'master-0.example.com' } }),
    /has nothing to look for/,
  );
  const down = FakeRunner.answering({
    throws: new TransportError('master-0.example.com', 'unreachable', 'connect ECONNREFUSED 10.0.0.10:22'),
  });
  await assert.rejects(
    discoverChoices({ runner: down, inventory: inv, procedure: proc(), param: 'backup', params: { host: 'master-0.example.com' } }),
    /^Error: could not look for etcd backups .* on master-0\.example\.com: connect ECONNREFUSED/,
  );
  const slow = FakeRunner.answering({ timedOut: true, exitCode: null });
  await assert.rejects(
    discoverChoices({
      runner: slow,
      inventory: inv,
      procedure: proc(),
      param: 'backup',
      params: { host: 'master-0.example.com' },
      timeoutMs: 5000,
    }),
    /took longer than 5 s/,
  );
  const failing = FakeRunner.answering({ exitCode: 1, stderr: 'sudo: a password is required' });
  await assert.rejects(
    discoverChoices({ runner: failing, inventory: inv, procedure: proc(), param: 'backup', params: { host: 'master-0.example.com' } }),
    /master-0\.example\.com: listing \/backup failed \(exit 1\): sudo: a password is required/,
  );
});

test('describeFound: nothing found, or more than shown', () => {
  assert.equal(
    describeFound('backup', { host: 'm0', describe: 'etcd backups under /backup', choices: [] }),
    'no etcd backups under /backup found on m0: give --param backup=…',
  );
  const many = Array.from({ length: 7 }, (_, i) => ({ value: `/b/${i}`, label: `/b/${i}  date` }));
  assert.match(describeFound('backup', { host: 'm0', describe: 'x', choices: many }, 2), /\/b\/0, date; \/b\/1, date; 5 older not shown;/);
});

test(
  'explainMissing: the "required" problem of a discoverable parameter gets what was found; ' + 'no runner when nothing can be looked for',
  async () => {
    const problems = ["parameter 'backup' is required (Backup dir): give --param backup=…", "parameter 'other' is wrong"];
    let opened = 0;
    let closed = 0;
    const open = async () => {
      opened++;
      const r = FakeRunner.answering({ stdout: LISTING });
      r.close = async () => void closed++;
      return r;
    };
    const { explainMissing, missingDiscoverable } = await import('./discovery.js');
    assert.deepEqual(missingDiscoverable(proc(), { host: 'master-0.example.com' }, inv), ['backup']);
    assert.deepEqual(missingDiscoverable(proc(), { host: 'node-0.example.com' }, inv), [], 'not an etcd host: nothing is looked for');
    assert.deepEqual(missingDiscoverable(proc(), { host: 'master-0.example.com', backup: '/b' }, inv), []);
    const out = await explainMissing(problems, proc(), { host: 'master-0.example.com' }, inv, open);
    assert.match(
      out[0]!,
      new RegExp(
        String.raw`^parameter 'backup' is required \(Backup dir\): give --param backup=…; found on ` +
          String.raw`master-0\.example\.com \(newest first\): \/backup\/etcd-20240501, `,
      ),
    );
    assert.equal(out[1], problems[1]);
    assert.deepEqual([opened, closed], [1, 1]);
    assert.deepEqual(await explainMissing(problems, proc(), {}, inv, open), problems);
    assert.equal(opened, 1, 'no host chosen: no connection');
    const failing = async () => FakeRunner.answering({ throws: new Error('host key changed') });
    const f = await explainMissing(problems, proc(), { host: 'master-0.example.com' }, inv, failing);
    assert.match(f[0]!, /give --param backup=…; could not look for etcd backups .* on master-0\.example\.com: host key changed$/);
  },
);
